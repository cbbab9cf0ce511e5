/**
 * The sandbox's JSON description: what a client needs to reach it (endpoints, ports, CA, tenant,
 * apps, users, the mail folders). The CLI prints it; startSandboxProcess hands it to the parent.
 * Types only, plus the cloud ID: importing this starts nothing.
 */
import type { GRAPH_SCOPES, MAIL_SCOPES, SANDBOX_APPS } from './server/fixtures';

export const SANDBOX_CLOUD_ID = 'sandbox';

/** What clients need to know, printed as JSON by `npm run sandbox`. No secret of any real system. */
export interface SandboxDescription {
  dir: string;
  caCertPath: string;
  /** The sandbox servers' certificate (browsers in tests trust its key rather than the CA). */
  serverCertPath: string;
  /** PEM client certificate and key registered for the certificate apps. */
  clientCertificate: { certPath: string; keyPath: string };
  authorization: {
    origin: string;
    authority: string;
    tenantId: string;
    tenantDomain: string;
    controlUrl: string;
  };
  imap: { host: string; port: number; security: 'tls' };
  smtp: { host: string; port: number; security: 'starttls' };
  /** Where Dovecot keeps the mail (`<mailDir>/<mailbox>` is a Maildir++) and its configuration, for the seeder and `doveadm -c`. */
  mailServers: { mailDir: string; dovecotConfigPath: string };
  /** The Microsoft Graph service: `https://127.0.0.1:PORT` (paths under `/v1.0/`), and the Graph scopes the apps may ask for. */
  graph: { endpoint: string; scopes: typeof GRAPH_SCOPES };
  scopes: typeof MAIL_SCOPES;
  apps: typeof SANDBOX_APPS;
  users: Array<{ upn: string; displayName: string; note?: string }>;
  password: string;
  /** The `m365mail.customClouds` entry that points the extension at this sandbox. */
  cloud: {
    id: string;
    label: string;
    authorityHost: string;
    scopePrefix: string;
    appOnlyScope: string;
    /** Where Graph requests go, and the resource prefix of Graph scopes. */
    graphEndpoint: string;
    graphScopePrefix: string;
    imap: { host: string; port: number; security: 'tls' };
    smtp: { host: string; port: number; security: 'starttls' };
  };
}
