/**
 * The auth engine (src/auth) wired to a sandbox for the integration tests: one sandbox per suite,
 * a fresh in-memory vault and test logger per test, engines disposed at the end, and the browser
 * part of the authorization code flow done by the sandbox's page driver.
 */
import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import { AuthService, type AuthServiceDeps } from '../../src/auth/authService';
import { CloudCatalog } from '../../src/core/clouds';
import type { CredentialDefinition, CredentialStatus } from '../../src/core/model';
import { SecretRedactor } from '../../src/core/redact';
import { PageDriver } from '@m365-mail/sandbox';
import { startSandbox, type SandboxProcess } from '../harness/sandbox';
import { MemoryVault, TestLogger } from './fakes';
import { sandboxCredentials } from './sandboxCredentials';

/** The browser part of the authorization code flow, completed by the page driver; resolves the engine's status. */
export async function signInThroughPages(
  auth: AuthService,
  def: CredentialDefinition,
  ca: string,
  options: { user?: string; consent?: 'accept' | 'deny' } = {}
): Promise<CredentialStatus> {
  const redirectUri = 'http://127.0.0.1:45678/';
  const request = await auth.beginAuthorizationCode(def, redirectUri);
  const landed = await new PageDriver(ca).authorize(request.url, {
    user: options.user ?? def.userName ?? '',
    consent: options.consent,
    redirectPrefix: redirectUri
  });
  assert.ok(landed instanceof URL, 'the browser is sent back to the redirect URI');
  return request.complete(landed.toString());
}

export interface SandboxAuth {
  readonly sandbox: SandboxProcess;
  readonly ca: string;
  readonly clouds: CloudCatalog;
  readonly vault: MemoryVault;
  readonly logger: TestLogger;
  /** A new engine over this test's vault (a window); `deps` adds to or replaces what it is given (a proxy, other CAs). */
  engine(deps?: Partial<AuthServiceDeps>): AuthService;
  /**
   * A sandbox credential (test/support/sandboxCredentials.ts) with the given transports and the
   * scopes the product prefills for them (unless `overrides` sets scopes), under an ID of its own.
   */
  credential(
    id: string,
    transports?: Pick<CredentialDefinition, 'sendTransport' | 'readTransport'>,
    overrides?: Partial<CredentialDefinition>
  ): CredentialDefinition;
  signIn(auth: AuthService, def: CredentialDefinition): Promise<CredentialStatus>;
}

/** Registers the suite's hooks (call inside `describe`) and returns what its tests use. */
export function useSandboxAuth(): SandboxAuth {
  let sandbox: SandboxProcess | undefined;
  let ca = '';
  let clouds = new CloudCatalog();
  let vault = new MemoryVault();
  let logger = new TestLogger();
  const engines: AuthService[] = [];

  before(async function () {
    this.timeout(120_000);
    sandbox = await startSandbox();
    ca = fs.readFileSync(sandbox.description.caCertPath, 'utf8');
    clouds = new CloudCatalog([sandbox.description.cloud]);
  });
  beforeEach(async () => {
    await sandbox?.control.reset();
    vault = new MemoryVault();
    logger = new TestLogger();
  });
  after(async () => {
    engines.forEach((e) => e.dispose());
    await sandbox?.stop();
  });

  const running = () => {
    assert.ok(sandbox, 'the sandbox is running');
    return sandbox;
  };
  return {
    get sandbox() {
      return running();
    },
    get ca() {
      return ca;
    },
    get clouds() {
      return clouds;
    },
    get vault() {
      return vault;
    },
    get logger() {
      return logger;
    },
    engine(deps = {}) {
      const auth = new AuthService({ vault, clouds: () => clouds, trustedCaCertificates: () => [ca], logger, redactor: new SecretRedactor(), ...deps });
      engines.push(auth);
      return auth;
    },
    credential(id, transports = {}, overrides = {}) {
      const description = running().description;
      const found = sandboxCredentials(description).find((d) => d.id === id);
      assert.ok(found, id);
      const def = { ...found, ...transports, ...overrides };
      const scopes =
        overrides.scopes ??
        clouds.defaultScopes(def.cloud ?? description.cloud.id, def.grant, def.purpose, {
          send: transports.sendTransport,
          read: transports.readTransport,
          sharedMailbox: Boolean(def.sharedMailbox)
        });
      return { ...def, scopes, id: `${id}-${Math.random().toString(36).slice(2, 8)}` };
    },
    signIn: (auth, def) => signInThroughPages(auth, def, ca)
  };
}
