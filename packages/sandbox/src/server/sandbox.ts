/**
 * The whole sandbox: certificates from a CA of its own, the Entra-like authorization server,
 * Dovecot (IMAP) + Postfix (submission) that accept only its tokens, and a Microsoft Graph service
 * backed by them. Everything listens on
 * 127.0.0.1 on free ports, keeps its data in one temp folder, and `stop()` leaves neither a process
 * nor the folder behind (a crashed run's leftovers are reaped by the next one, see
 * ../processes.ts). This module runs the servers in this process: it needs a Node version that
 * oidc-provider supports (the CLI, cli.ts, is how everything else starts it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recordGroups } from '../processes';
import { startAuthServer, type AuthServer } from './authServer';
import { createCertificates } from './certificates';
import { SANDBOX_CLOUD_ID, type SandboxDescription } from '../description';
import { GRAPH_RESOURCE, GRAPH_SCOPES, MAIL_SCOPES, SANDBOX_APPS, SANDBOX_PASSWORD, SANDBOX_TENANT, SANDBOX_USERS } from './fixtures';
import { startGraphService, type GraphService } from './graph/graphService';
import { startMailServers, type MailServers } from './mailServers';

export interface SandboxOptions {
  /** Rotate refresh tokens on every use (Entra does not by default). */
  rotateRefreshTokens?: boolean;
  accessTokenTtlSeconds?: number;
}

export interface Sandbox {
  readonly description: SandboxDescription;
  readonly auth: AuthServer;
  readonly mail: MailServers;
  readonly graph: GraphService;
  stop(): Promise<void>;
}

function userNote(u: (typeof SANDBOX_USERS)[number]): string | undefined {
  if (u.shared) {
    return (
      'shared mailbox (no sign-in); delegates: ' +
      SANDBOX_USERS.filter((d) => d.delegateOf.includes(u.upn))
        .map((d) => d.upn)
        .join(', ')
    );
  }
  if (u.smtpAuthDisabled) return 'SMTP AUTH disabled: submission answers 535 5.7.139';
  if (u.requiresMfa) return 'MFA required: the token endpoint answers AADSTS50076';
  if (u.delegateOf.length) return `delegate of ${u.delegateOf.join(', ')}`;
  return undefined;
}

export type { SandboxDescription };

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'm365-mail-sandbox-'));
  // Dovecot and Postfix drop privileges; they must be able to reach their folders below this one.
  fs.chmodSync(dir, 0o755);
  let auth: AuthServer | undefined;
  let mail: MailServers | undefined;
  let graph: GraphService | undefined;
  let forgetGroups = () => undefined as void;
  const stop = async () => {
    await graph?.close().catch(() => undefined);
    await mail?.stop().catch(() => undefined);
    forgetGroups();
    await auth?.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const certificates = await createCertificates(path.join(dir, 'pki'));
    auth = await startAuthServer({
      certificates,
      rotateRefreshTokens: options.rotateRefreshTokens,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds,
      // Beside the mail servers' logs, for whoever looks at a failed run (never tokens or secrets).
      logFile: path.join(dir, 'auth-server.log')
    });
    const authServer = auth;
    mail = await startMailServers({
      dir: path.join(dir, 'mail-servers'),
      tls: { caCertPath: certificates.caCertPath, certPath: certificates.serverCertPath, keyPath: certificates.serverKeyPath },
      introspectionUrl: (service) => authServer.introspectionUrl(service)
    });
    forgetGroups = recordGroups('sandbox mail servers', mail.processGroups(), [dir]);
    graph = await startGraphService({
      certificates,
      auth,
      imapPort: mail.imap.port,
      postfixConfigDir: mail.postfixConfigDir,
      logFile: path.join(dir, 'graph.log')
    });
    const imap = { host: '127.0.0.1', port: mail.imap.port, security: 'tls' as const };
    const smtp = { host: '127.0.0.1', port: mail.smtp.port, security: 'starttls' as const };
    const description: SandboxDescription = {
      dir,
      caCertPath: certificates.caCertPath,
      serverCertPath: certificates.serverCertPath,
      clientCertificate: { certPath: certificates.clientCertPath, keyPath: certificates.clientKeyPath },
      authorization: {
        origin: auth.origin,
        authority: auth.authority,
        tenantId: SANDBOX_TENANT.id,
        tenantDomain: SANDBOX_TENANT.domain,
        controlUrl: `${auth.origin}/_sandbox/`
      },
      imap,
      smtp,
      mailServers: { mailDir: mail.mailDir, dovecotConfigPath: mail.dovecotConfig },
      graph: { endpoint: graph.endpoint, scopes: GRAPH_SCOPES },
      scopes: MAIL_SCOPES,
      apps: SANDBOX_APPS,
      users: SANDBOX_USERS.map((u) => ({ upn: u.upn, displayName: u.displayName, note: userNote(u) })),
      password: SANDBOX_PASSWORD,
      cloud: {
        id: SANDBOX_CLOUD_ID,
        label: 'Local sandbox (npm run sandbox)',
        authorityHost: auth.origin,
        scopePrefix: 'https://outlook.office.com/',
        appOnlyScope: MAIL_SCOPES.appOnly,
        graphEndpoint: graph.endpoint,
        graphScopePrefix: `${GRAPH_RESOURCE}/`,
        imap,
        smtp
      }
    };
    const started: Sandbox = { description, auth, mail, graph, stop };
    return started;
  } catch (error) {
    await stop();
    throw error;
  }
}
