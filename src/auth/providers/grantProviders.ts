/**
 * The two grant providers of one engine, and which one speaks for a credential: MSAL for
 * Microsoft, oauth4webapi for other providers and for Microsoft with HTTP Basic client
 * authentication. No `vscode` import.
 */
import type { CloudCatalog } from '../../core/clouds';
import type { ConfirmDestination } from '../../core/endpointTrust';
import type { Logger } from '../../core/logger';
import type { CredentialDefinition } from '../../core/model';
import type { SecretRedactor } from '../../core/redact';
import type { SecretVault } from '../../core/secretVault';
import type { ProxyConfig } from '../../net/proxyRoute';
import { GenericProvider } from './genericProvider';
import type { GrantProvider } from './grantProvider';
import { MicrosoftProvider } from './microsoftProvider';

export class GrantProviders {
  readonly microsoft: MicrosoftProvider;
  readonly generic: GenericProvider;

  constructor(
    vault: SecretVault,
    private readonly deps: {
      clouds: () => CloudCatalog;
      trustedCaCertificates: () => string[];
      proxy?: () => ProxyConfig | undefined;
      logger: Logger;
      redactor: SecretRedactor;
      confirmDestination?: ConfirmDestination;
    },
    now: () => number
  ) {
    this.microsoft = new MicrosoftProvider(vault, deps.clouds, deps.trustedCaCertificates, deps.logger, deps.redactor, now, deps.proxy);
    this.generic = new GenericProvider(vault, deps.trustedCaCertificates, now, deps.confirmDestination, deps.proxy);
  }

  /** The provider for a credential, with the definition as that provider needs it. */
  for(def: CredentialDefinition): { provider: GrantProvider; def: CredentialDefinition } {
    if (def.provider === 'generic') return { provider: this.generic, def };
    if (def.clientAuth === 'secretBasic') {
      // MSAL always sends the secret in the body; for HTTP Basic (RFC 6749 section 2.3.1) the same
      // Entra v2 endpoints are spoken with oauth4webapi instead.
      const authority = this.deps.clouds().authority(def.cloud, def.tenant);
      return {
        provider: this.generic,
        def: {
          ...def,
          issuer: `${authority}/v2.0`,
          authorizationUrl: `${authority}/oauth2/v2.0/authorize`,
          tokenUrl: `${authority}/oauth2/v2.0/token`,
          deviceAuthorizationUrl: `${authority}/oauth2/v2.0/devicecode`
        }
      };
    }
    return { provider: this.microsoft, def };
  }
}
