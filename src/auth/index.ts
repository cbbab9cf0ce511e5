/**
 * The `auth` chunk: MSAL, oauth4webapi and the auth engine, loaded on first use (never by
 * activate()). The VS Code layer imports only types from here and calls `createAuthService`
 * through src/common/lazyChunk.ts.
 */
import { AuthService, type AuthServiceDeps } from './authService';

export type { AccessToken, AuthServiceDeps } from './authService';
export { AuthService } from './authService';

export function createAuthService(deps: AuthServiceDeps): AuthService {
  return new AuthService(deps);
}

// Each chunk carries its own copy of @vscode/l10n: loadChunk hands it the display language.
export { useDisplayLanguage } from '../core/localization';
