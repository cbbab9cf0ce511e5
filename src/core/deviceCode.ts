/**
 * What a device authorization response (RFC 8628 section 3.2) may ask of us. The server's reply is
 * untrusted input: its `verification_uri` is opened in the browser and shown to the user, so it must
 * be https (plain http only on a loopback host, a local test server, as for endpoints), and its
 * timing is kept in a range that neither hammers the token endpoint nor keeps a sign-in waiting
 * for hours. No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import { isLoopbackHost } from './validation';

export const DEVICE_CODE_LIMITS = {
  /** Poll interval in seconds: RFC 8628 section 3.2 defaults to 5. */
  minIntervalSeconds: 1,
  maxIntervalSeconds: 60,
  defaultIntervalSeconds: 5,
  /** Lifetime of a device code in seconds; Entra and Google issue 15 minutes. */
  maxExpiresInSeconds: 30 * 60,
  defaultExpiresInSeconds: 15 * 60
} as const;

export interface DeviceAuthorizationReply {
  verificationUri: unknown;
  verificationUriComplete?: unknown;
  interval?: unknown;
  expiresIn?: unknown;
}

export interface VettedDeviceAuthorization {
  verificationUri: string;
  verificationUriComplete?: string;
  intervalSeconds: number;
  expiresInSeconds: number;
}

/** Why `value` may not be opened as a verification page, or `undefined` when it may. */
export function verificationUriProblem(value: unknown, what: string): string | undefined {
  if (typeof value !== 'string') {
    return l10n.t({
      message: 'The server sent no {0}.',
      args: [what],
      comment: ["{0} is the name of the field in the server's reply (RFC 8628), e.g. verification_uri."]
    });
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return l10n.t({
      message: "The server's {0} is not a URL.",
      args: [what],
      comment: ["{0} is the name of the field in the server's reply (RFC 8628), e.g. verification_uri."]
    });
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return undefined;
  return l10n.t({
    message: "The server's {0} ({1}) is not https; M365 Mail opens only https verification pages.",
    args: [what, `${url.protocol}//${url.host}`],
    comment: ["{0} is the name of the field in the server's reply (RFC 8628), e.g. verification_uri."]
  });
}

function clamp(value: unknown, min: number, max: number, fallback: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, value));
}

/** The reply as the extension may use it, or the problem that makes it unusable. */
export function vetDeviceAuthorization(reply: DeviceAuthorizationReply): VettedDeviceAuthorization | { problem: string } {
  const problem =
    verificationUriProblem(reply.verificationUri, 'verification_uri') ??
    (reply.verificationUriComplete === undefined ? undefined : verificationUriProblem(reply.verificationUriComplete, 'verification_uri_complete'));
  if (problem) return { problem };
  const limits = DEVICE_CODE_LIMITS;
  return {
    verificationUri: reply.verificationUri as string,
    verificationUriComplete: reply.verificationUriComplete as string | undefined,
    intervalSeconds: clamp(reply.interval, limits.minIntervalSeconds, limits.maxIntervalSeconds, limits.defaultIntervalSeconds),
    expiresInSeconds: clamp(reply.expiresIn, 1, limits.maxExpiresInSeconds, limits.defaultExpiresInSeconds)
  };
}
