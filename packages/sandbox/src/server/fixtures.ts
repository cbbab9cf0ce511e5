/**
 * The sandbox's directory: one tenant, its users and mailboxes, and its app registrations. Shared by
 * the authorization server (who may sign in, which apps exist), the mail servers (which mailboxes
 * exist, who may open which) and the tests and demo (what to type). Nothing here is a secret of any
 * real system; the values are published so a newcomer can sign in to the sandbox.
 */

export const SANDBOX_TENANT = {
  id: '6f1c2b7e-3a49-4c8e-9d15-0b7a2e4c9f31',
  domain: 'contoso.test',
  displayName: 'Contoso (sandbox)'
} as const;

/** Every sandbox user signs in with this password on the sandbox's login page. */
export const SANDBOX_PASSWORD = 'sandbox';

export interface SandboxUser {
  /** UPN and primary SMTP address. */
  upn: string;
  displayName: string;
  /** Object ID, as Entra's `oid` claim. */
  oid: string;
  /** Mailboxes (other than its own) this user may open as a delegate, e.g. a shared mailbox. */
  delegateOf: string[];
  /** SMTP AUTH switched off for this mailbox: submission answers like Exchange Online (535 5.7.139). */
  smtpAuthDisabled?: boolean;
  /** Sign-in requires MFA the sandbox cannot satisfy: the token endpoint answers AADSTS50076. */
  requiresMfa?: boolean;
  /** A shared mailbox: has no sign-in of its own, opened by delegates. */
  shared?: boolean;
}

export const SANDBOX_USERS: readonly SandboxUser[] = [
  { upn: 'adele@contoso.test', displayName: 'Adele Vance', oid: '0a1b2c3d-0000-4000-8000-000000000001', delegateOf: ['orders@contoso.test'] },
  { upn: 'megan@contoso.test', displayName: 'Megan Bowen', oid: '0a1b2c3d-0000-4000-8000-000000000002', delegateOf: [], smtpAuthDisabled: true },
  { upn: 'lee@contoso.test', displayName: 'Lee Gu (MFA enforced)', oid: '0a1b2c3d-0000-4000-8000-000000000003', delegateOf: [], requiresMfa: true },
  { upn: 'orders@contoso.test', displayName: 'Orders (shared mailbox)', oid: '0a1b2c3d-0000-4000-8000-000000000004', delegateOf: [], shared: true }
];

export type SandboxClientAuth = 'client_secret_post' | 'client_secret_basic' | 'private_key_jwt' | 'none';

export interface SandboxApp {
  /** Application (client) ID. */
  clientId: string;
  name: string;
  auth: SandboxClientAuth;
  /** The secret's value (confidential clients with a secret). */
  clientSecret?: string;
  grants: Array<'authorization_code' | 'refresh_token' | 'urn:ietf:params:oauth:grant-type:device_code' | 'client_credentials'>;
  /** App-only permissions on Exchange Online granted with admin consent (client credentials), as Entra's `roles`. */
  appRoles?: string[];
  /** App-only permissions on Microsoft Graph granted with admin consent (`roles` of a Graph token). */
  graphAppRoles?: string[];
}

export const SANDBOX_APPS = {
  /** A web app that sends its secret in the request body (client_secret_post). */
  webSecretPost: {
    clientId: '3e9d1a52-7c1f-4b0a-a8a4-5f2b7d9c1e01',
    name: 'Mail integration (secret in body)',
    auth: 'client_secret_post',
    clientSecret: 'sandbox-secret-post~V4l.ue',
    grants: ['authorization_code', 'refresh_token']
  },
  /** The same kind of app, sending its secret as HTTP Basic (client_secret_basic). */
  webSecretBasic: {
    clientId: '3e9d1a52-7c1f-4b0a-a8a4-5f2b7d9c1e02',
    name: 'Mail integration (secret as Basic)',
    auth: 'client_secret_basic',
    clientSecret: 'sandbox-secret-basic~V4l.ue',
    grants: ['authorization_code', 'refresh_token']
  },
  /** A web app that authenticates with a certificate (private_key_jwt, PS256, x5t#S256). */
  webCertificate: {
    clientId: '3e9d1a52-7c1f-4b0a-a8a4-5f2b7d9c1e03',
    name: 'Mail integration (certificate)',
    auth: 'private_key_jwt',
    grants: ['authorization_code', 'refresh_token']
  },
  /** A public client: PKCE, loopback redirects, device code. */
  publicClient: {
    clientId: '3e9d1a52-7c1f-4b0a-a8a4-5f2b7d9c1e04',
    name: 'Mail tool (public client)',
    auth: 'none',
    grants: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code']
  },
  /** A daemon with app-only mail access (client credentials) by secret. */
  daemonSecret: {
    clientId: '3e9d1a52-7c1f-4b0a-a8a4-5f2b7d9c1e05',
    name: 'Mail daemon (secret)',
    auth: 'client_secret_post',
    clientSecret: 'sandbox-daemon-secret~V4l.ue',
    grants: ['client_credentials'],
    appRoles: ['IMAP.AccessAsApp', 'SMTP.SendAsApp'],
    graphAppRoles: ['Mail.Send', 'Mail.Read']
  },
  /** A daemon with app-only mail access (client credentials) by certificate. */
  daemonCertificate: {
    clientId: '3e9d1a52-7c1f-4b0a-a8a4-5f2b7d9c1e06',
    name: 'Mail daemon (certificate)',
    auth: 'private_key_jwt',
    grants: ['client_credentials'],
    appRoles: ['IMAP.AccessAsApp', 'SMTP.SendAsApp'],
    graphAppRoles: ['Mail.Send', 'Mail.Read']
  }
} as const satisfies Record<string, SandboxApp>;

/** Delegated scopes, as Entra issues them for Exchange Online (global cloud prefix). */
export const MAIL_SCOPES = {
  imap: 'https://outlook.office.com/IMAP.AccessAsUser.All',
  smtp: 'https://outlook.office.com/SMTP.Send',
  appOnly: 'https://outlook.office365.com/.default'
} as const;

/** Microsoft Graph as Entra knows it: resource URI (token audience, scope prefix) and its app ID (the other accepted audience). */
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** Delegated Graph scopes for mail (global cloud prefix), and the app-only scope. */
export const GRAPH_SCOPES = {
  mailSend: `${GRAPH_RESOURCE}/Mail.Send`,
  mailRead: `${GRAPH_RESOURCE}/Mail.Read`,
  mailSendShared: `${GRAPH_RESOURCE}/Mail.Send.Shared`,
  mailReadShared: `${GRAPH_RESOURCE}/Mail.Read.Shared`,
  mailReadWrite: `${GRAPH_RESOURCE}/Mail.ReadWrite`,
  mailReadWriteShared: `${GRAPH_RESOURCE}/Mail.ReadWrite.Shared`,
  userRead: `${GRAPH_RESOURCE}/User.Read`,
  appOnly: `${GRAPH_RESOURCE}/.default`
} as const;

/** Which permission a mail service needs: delegated scope (`scp`) or app role (`roles`). */
export const SERVICE_PERMISSIONS = {
  imap: { delegated: 'IMAP.AccessAsUser.All', app: 'IMAP.AccessAsApp' },
  smtp: { delegated: 'SMTP.Send', app: 'SMTP.SendAsApp' }
} as const;

export type MailService = keyof typeof SERVICE_PERMISSIONS;

/** May `tokenUser` (the token's user) open `mailbox`? Its own, or one it is a delegate of. */
export function mayOpenMailbox(tokenUser: string, mailbox: string): boolean {
  const user = SANDBOX_USERS.find((u) => u.upn.toLowerCase() === tokenUser.toLowerCase());
  if (!user) return false;
  const wanted = mailbox.toLowerCase();
  return user.upn.toLowerCase() === wanted || user.delegateOf.some((m) => m.toLowerCase() === wanted);
}
