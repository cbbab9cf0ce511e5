/**
 * The product's auth engine (src/auth/authService.ts) outside VS Code, for the sandbox's app-only
 * credential (client credentials with a secret, `sandbox-daemon`): an in-memory vault stands in
 * for SecretStorage, as in test/integration/authEngine.test.ts.
 */
import fs from 'node:fs';
import { AuthService } from '../src/auth/authService';
import { secretKeys } from '../src/core/secretVault';
import { SecretRedactor } from '../src/core/redact';
import { CloudCatalog } from '../src/core/clouds';
import type { CredentialDefinition } from '../src/core/model';
import type { SandboxDescription } from '@m365-mail/sandbox';
import { sandboxCredentials } from '../test/support/sandboxCredentials';
import { MemoryVault, quietLogger } from './lib';

export interface ProductAuth {
  auth: AuthService;
  def: CredentialDefinition;
  vault: MemoryVault;
  ca: string;
}

let counter = 0;

/** A fresh engine and a fresh copy of the daemon credential (its own id: no token cached yet). */
export async function productAuth(description: SandboxDescription): Promise<ProductAuth> {
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
  const template = sandboxCredentials(description).find((d) => d.id === 'sandbox-daemon');
  if (!template) throw new Error('the sandbox has no sandbox-daemon credential');
  const def: CredentialDefinition = { ...template, id: `bench-daemon-${process.pid}-${++counter}` };
  await vault.store(secretKeys(def.id).clientSecret, description.apps.daemonSecret.clientSecret);
  return { auth, def, vault, ca };
}
