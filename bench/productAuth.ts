/**
 * The product's auth engine (src/auth/authService.ts) outside VS Code, for a sandbox credential:
 * the app-only one (client credentials with a secret, `sandbox-daemon`) by default, or Adele's
 * public-client one signed in through the sandbox's pages (`sandbox-adele`). An in-memory vault
 * stands in for SecretStorage, as in test/integration/authEngine.test.ts.
 */
import fs from 'node:fs';
import { AuthService } from '../src/auth/authService';
import { secretKeys } from '../src/core/secretVault';
import { SecretRedactor } from '../src/core/redact';
import { CloudCatalog } from '../src/core/clouds';
import type { CredentialDefinition } from '../src/core/model';
import type { SandboxDescription } from '@m365-mail/sandbox';
import { signInThroughPages } from '../test/support/sandboxAuth';
import { sandboxCredentials } from '../test/support/sandboxCredentials';
import { MemoryVault, quietLogger } from './lib';

export interface ProductAuth {
  auth: AuthService;
  def: CredentialDefinition;
  vault: MemoryVault;
  ca: string;
}

export interface ProductAuthOptions {
  /** Which sandbox credential (default `sandbox-daemon`); `sandbox-adele` is signed in before this resolves. */
  credential?: 'sandbox-daemon' | 'sandbox-adele';
  /** How it sends and reads; the scopes are what the product prefills for them. */
  transports?: Pick<CredentialDefinition, 'sendTransport' | 'readTransport'>;
  /** Scopes asked for besides those (e.g. Graph's Mail.ReadWrite, which drafts need). */
  extraScopes?: string[];
}

let counter = 0;

/** A fresh engine and a fresh copy of the credential (its own id: no token cached yet, unless signed in). */
export async function productAuth(description: SandboxDescription, options: ProductAuthOptions = {}): Promise<ProductAuth> {
  const ca = fs.readFileSync(description.caCertPath, 'utf8');
  const vault = new MemoryVault();
  const catalog = new CloudCatalog([description.cloud]);
  const auth = new AuthService({
    vault,
    clouds: () => catalog,
    trustedCaCertificates: () => [ca],
    logger: quietLogger,
    redactor: new SecretRedactor()
  });
  const id = options.credential ?? 'sandbox-daemon';
  const template = sandboxCredentials(description).find((d) => d.id === id);
  if (!template) throw new Error(`the sandbox has no ${id} credential`);
  const transports = options.transports ?? {};
  const scopes = options.transports
    ? catalog.defaultScopes(template.cloud ?? description.cloud.id, template.grant, template.purpose, {
        send: transports.sendTransport,
        read: transports.readTransport
      })
    : template.scopes;
  const def: CredentialDefinition = {
    ...template,
    ...transports,
    scopes: [...scopes, ...(options.extraScopes ?? [])],
    id: `bench-${id}-${process.pid}-${++counter}`
  };
  if (def.grant === 'clientCredentials') await vault.store(secretKeys(def.id).clientSecret, description.apps.daemonSecret.clientSecret);
  else await signInThroughPages(auth, def, ca);
  return { auth, def, vault, ca };
}
