/**
 * oidc-provider 9 ships no type declarations (and none are installed); this keeps the sandbox's
 * use of it compiling under `strict` with loose types.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Any = any;
  export type KoaContextWithOIDC = Any;
  type Ctx = KoaContextWithOIDC;

  /** The parts of oidc-provider's configuration the sandbox sets, with its callbacks' signatures. */
  export interface Configuration {
    [key: string]: unknown;
    pkce?: { required?: (ctx: Ctx, client: Any) => boolean };
    findAccount?: (ctx: Ctx, sub: string, token?: Any) => Promise<Any>;
    interactions?: { url?: (ctx: Ctx, interaction: { uid: string }) => Promise<string> | string };
    extraParams?: string[] | Record<string, (ctx: Ctx, value: Any, client: Any) => Promise<void> | void>;
    issueRefreshToken?: (ctx: Ctx, client: Any, code: Any) => Promise<boolean> | boolean;
    rotateRefreshToken?: boolean | ((ctx: Ctx) => boolean | Promise<boolean>);
    loadExistingGrant?: (ctx: Ctx) => Promise<Any>;
    ttl?: Record<string, number | ((ctx: Ctx, token: Any, client: Any) => number)>;
    clientBasedCORS?: (ctx: Ctx, origin: string, client: Any) => boolean;
    renderError?: (ctx: Ctx, out: Record<string, string>, error: Error) => Promise<void>;
    features?: {
      [feature: string]: Any;
      deviceFlow?: {
        [key: string]: Any;
        userCodeInputSource?: (ctx: Ctx, form: string, out: Any, err: Any) => Promise<void>;
        userCodeConfirmSource?: (ctx: Ctx, form: string, client: Any, deviceInfo: Any, userCode: string) => Promise<void>;
        successSource?: (ctx: Ctx) => Promise<void>;
      };
      resourceIndicators?: {
        enabled: boolean;
        defaultResource?: (ctx: Ctx, client: Any, oneOf?: string[]) => Promise<string | string[] | undefined>;
        useGrantedResource?: (ctx: Ctx, model: Any) => Promise<boolean> | boolean;
        getResourceServerInfo?: (ctx: Ctx, resourceIndicator: string, client: Any) => Promise<Any>;
      };
    };
    formats?: {
      customizers?: {
        jwt?: (ctx: Ctx, token: Any, jwt: { header?: Record<string, unknown>; payload: Record<string, unknown> }) => Promise<void>;
      };
    };
  }
  export const errors: Record<string, new (...args: Any[]) => Error>;

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    proxy: boolean;
    readonly Client: Any;
    readonly Grant: Any;
    use(middleware: (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void> | void): void;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Any>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Any, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    interactionResult(req: IncomingMessage, res: ServerResponse, result: Any, options?: { mergeWithLastSubmission?: boolean }): Promise<string>;
    on(event: string, listener: (...args: Any[]) => void): this;
    [key: string]: Any;
  }
}
