/**
 * Ready-made credential definitions for the sandbox, in the extension's own export format (so
 * "M365 Mail: Import credentials" takes them as it would a colleague's file). They carry no secret:
 * the public-client ones need none, the others ask for it after import (Edit credential), and the
 * demo prints the sandbox's published values.
 */
import { CloudCatalog } from '../../src/core/clouds';
import type { CredentialDefinition } from '../../src/core/model';
import { exportDefinitions } from '../../src/core/portable';
import type { SandboxDescription } from '@m365-mail/sandbox';

export function sandboxCredentials(description: SandboxDescription): CredentialDefinition[] {
  const clouds = new CloudCatalog([description.cloud]);
  const cloud = description.cloud.id;
  const base = {
    provider: 'microsoft' as const,
    cloud,
    tenant: description.authorization.tenantId,
    refreshTokenExpiryDays: 90,
    redirectUri: 'http://localhost',
    imap: description.cloud.imap,
    smtp: description.cloud.smtp
  };
  const delegated = clouds.defaultScopes(cloud, 'authorizationCode', 'both');
  return [
    {
      ...base,
      id: 'sandbox-adele',
      name: 'Sandbox: Adele (browser sign-in)',
      description: 'Public client, authorization code with PKCE; sign in as adele@contoso.test',
      clientId: description.apps.publicClient.clientId,
      clientAuth: 'none',
      grant: 'authorizationCode',
      userName: 'adele@contoso.test',
      purpose: 'both',
      scopes: delegated
    },
    {
      ...base,
      id: 'sandbox-orders',
      name: 'Sandbox: Orders shared mailbox',
      description: 'Adele opens the shared mailbox orders@contoso.test as a delegate',
      clientId: description.apps.publicClient.clientId,
      clientAuth: 'none',
      grant: 'authorizationCode',
      userName: 'adele@contoso.test',
      sharedMailbox: 'orders@contoso.test',
      purpose: 'both',
      scopes: delegated
    },
    {
      ...base,
      id: 'sandbox-device',
      name: 'Sandbox: Adele (device code)',
      description: 'Public client, device code: enter the code on the sandbox page',
      clientId: description.apps.publicClient.clientId,
      clientAuth: 'none',
      grant: 'deviceCode',
      userName: 'adele@contoso.test',
      purpose: 'both',
      scopes: delegated
    },
    {
      ...base,
      id: 'sandbox-daemon',
      name: 'Sandbox: daemon (client credentials)',
      description: 'App-only access; after import, add its client secret with Edit credential (the demo prints it)',
      clientId: description.apps.daemonSecret.clientId,
      clientAuth: 'secretPost',
      grant: 'clientCredentials',
      userName: 'adele@contoso.test',
      purpose: 'both',
      scopes: clouds.defaultScopes(cloud, 'clientCredentials', 'both')
    }
  ];
}

export function sandboxCredentialsExport(description: SandboxDescription): string {
  return exportDefinitions(sandboxCredentials(description));
}
