import type { MicrosoftCloud } from '../../../src/core/clouds';
import type { CredentialDefinition } from '../../../src/core/model';

/** A valid Microsoft 365 definition; tests change one field at a time. */
export function validDefinition(overrides: Partial<CredentialDefinition> = {}): CredentialDefinition {
  return {
    id: 'c1',
    name: 'Orders mailbox',
    provider: 'microsoft',
    cloud: 'global',
    tenant: 'contoso.onmicrosoft.com',
    clientId: '11111111-2222-3333-4444-555555555555',
    clientAuth: 'secretPost',
    grant: 'authorizationCode',
    userName: 'adele@contoso.com',
    purpose: 'both',
    scopes: ['https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send', 'offline_access'],
    refreshTokenExpiryDays: 90,
    redirectUri: 'http://localhost',
    imap: { host: 'outlook.office365.com', port: 993, security: 'tls' },
    smtp: { host: 'smtp.office365.com', port: 587, security: 'starttls' },
    ...overrides
  };
}

/** A custom cloud like the sandbox's: every server on 127.0.0.1, told apart by port only. */
export function sandboxCloud(): MicrosoftCloud {
  return {
    id: 'sandbox',
    label: 'Sandbox',
    authorityHost: 'https://127.0.0.1:8443',
    scopePrefix: 'https://outlook.office.com/',
    appOnlyScope: 'https://outlook.office.com/.default',
    imap: { host: '127.0.0.1', port: 9993, security: 'tls' },
    smtp: { host: '127.0.0.1', port: 9587, security: 'starttls' }
  };
}
