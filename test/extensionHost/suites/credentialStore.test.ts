import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { secretKeys } from '../../../src/core/secretVault';
import { SecretRedactor } from '../../../src/core/redact';
import { CloudCatalog } from '../../../src/core/clouds';
import { CredentialStore } from '../../../src/credentials/credentialStore';
import { WindowCoherence } from '../../../src/credentials/windowCoherence';
import type { CredentialDefinition, CredentialStatus } from '../../../src/core/model';
import { CredentialNode, CredentialsTreeProvider } from '../../../src/views/credentialsTreeProvider';
import { TestLogger } from '../../support/fakes';
import { runnerContext } from './testContext';

const SENTINEL = 'exthost~Sentinel~ClientSecret~4242';

function definition(id: string, overrides: Partial<CredentialDefinition> = {}): CredentialDefinition {
  return {
    id,
    name: `Store test ${id}`,
    provider: 'microsoft',
    cloud: 'global',
    tenant: 'contoso.onmicrosoft.com',
    clientId: '11111111-2222-3333-4444-555555555555',
    clientAuth: 'secretPost',
    grant: 'authorizationCode',
    userName: 'adele@contoso.onmicrosoft.com',
    purpose: 'both',
    scopes: ['https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send', 'offline_access'],
    refreshTokenExpiryDays: 90,
    redirectUri: 'http://localhost',
    imap: { host: 'outlook.office365.com', port: 993, security: 'tls' },
    smtp: { host: 'smtp.office365.com', port: 587, security: 'starttls' },
    ...overrides
  };
}

function waitFor(event: vscode.Event<unknown>, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('event did not fire')), timeoutMs);
    const sub = event(() => {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    });
  });
}

describe('credential store (real Memento and SecretStorage)', () => {
  const context = runnerContext();
  const clouds = () => new CloudCatalog();
  const stores: CredentialStore[] = [];
  const open = () => {
    const store = new CredentialStore(
      context.globalState,
      context.secrets,
      clouds,
      new SecretRedactor(),
      new TestLogger({ redactor: new SecretRedactor() }),
      new WindowCoherence(context.globalStorageUri, context.secrets, new TestLogger({ quiet: true }))
    );
    stores.push(store);
    return store;
  };

  afterEach(async () => {
    for (const store of stores.splice(0)) {
      for (const def of store.list()) await store.delete(def.id, async () => undefined);
      store.dispose();
    }
  });

  it('keeps the client secret in SecretStorage only, never in extension storage', async () => {
    const store = open();
    await store.save(definition('a'), { clientSecret: SENTINEL });
    assert.equal(await context.secrets.get(secretKeys('a').clientSecret), SENTINEL);
    const everything = JSON.stringify(context.globalState.keys().map((k) => context.globalState.get(k)));
    assert.ok(everything.includes('Store test a'), 'the definition is in extension storage');
    assert.ok(!everything.includes(SENTINEL), 'the secret is not');
  });

  it('refuses an invalid definition before writing anything', async () => {
    const store = open();
    await assert.rejects(store.save(definition('bad', { clientId: 'not-a-guid', tenant: 'x' }), { clientSecret: SENTINEL }), /cannot be saved.*GUID.*tenant/s);
    assert.equal(store.get('bad'), undefined);
    assert.equal(await context.secrets.get(secretKeys('bad').clientSecret), undefined);
  });

  it('deletes every secret with the credential', async () => {
    const store = open();
    await store.save(definition('d'), { clientSecret: SENTINEL, privateKey: 'k'.repeat(10), certificate: 'c'.repeat(10) });
    await context.secrets.store(secretKeys('d').tokens, '{"refresh":"x"}');
    await store.delete('d', async () => undefined);
    for (const key of Object.values(secretKeys('d'))) assert.equal(await context.secrets.get(key), undefined, key);
    assert.equal(store.get('d'), undefined);
  });

  it('shows a change made in another window (secrets.onDidChange)', async () => {
    const here = open();
    const elsewhere = open();
    const changed = waitFor(here.onDidChange);
    await elsewhere.save(definition('w'), {});
    await changed;
    assert.equal(here.get('w')?.name, 'Store test w');
  });

  it('projects each state onto the tree: icon, description and context value', async () => {
    const store = open();
    const now = Date.now();
    const statuses: Record<string, CredentialStatus | undefined> = {
      unauthorized: undefined,
      authorized: {
        authorizedAt: now,
        account: 'adele@contoso.onmicrosoft.com',
        accessTokenExpiresAt: now + 3600_000,
        refreshTokenExpiresAt: now + 60 * 86400_000
      },
      expiring: { authorizedAt: now, refreshTokenExpiresAt: now + 86400_000 },
      expired: { authorizedAt: now, expired: true, lastError: undefined },
      failed: { lastError: { code: 'AADSTS7000215', message: 'Invalid client secret.', at: now } }
    };
    for (const [state, status] of Object.entries(statuses)) {
      await store.save(definition(state, { name: `State ${state}` }));
      if (status) await store.setStatus(state, status);
    }
    const tree = new CredentialsTreeProvider(store);
    const roots = tree.getChildren() as CredentialNode[];
    assert.deepEqual(roots.map((n) => n.id).sort(), Object.keys(statuses).sort());
    for (const node of roots) {
      const item = tree.getTreeItem(node);
      assert.equal(item.contextValue, `credential.${node.id}`);
      assert.ok(item.iconPath instanceof vscode.ThemeIcon);
    }
    const authorized = tree.getTreeItem(roots.find((n) => n.id === 'authorized') as CredentialNode);
    assert.match(String(authorized.description), /Authorized · adele@contoso\.onmicrosoft\.com/);
    const failedDetails = tree.getChildren(roots.find((n) => n.id === 'failed')).map((d) => tree.getTreeItem(d));
    assert.ok(failedDetails.some((d) => String(d.description).includes('AADSTS7000215')));
    // The tooltip is built on hover, with the last error.
    const failedNode = roots.find((n) => n.id === 'failed') as CredentialNode;
    assert.equal(tree.getTreeItem(failedNode).tooltip, undefined);
    const tooltip = tree.resolveTreeItem(tree.getTreeItem(failedNode), failedNode).tooltip as vscode.MarkdownString;
    // appendText keeps spaces as &nbsp; so Markdown cannot collapse or reinterpret them.
    assert.match(tooltip.value.replace(/&nbsp;/g, ' '), /Invalid client secret/);
    tree.dispose();
  });

  describe('presets', () => {
    it('refuses a personal account with client credentials or a shared mailbox before writing anything', async () => {
      const store = open();
      const personal = { tenant: 'consumers', smtp: { host: 'smtp-mail.outlook.com', port: 587, security: 'starttls' as const } };
      await assert.rejects(
        store.save(definition('p1', { ...personal, grant: 'clientCredentials', scopes: ['https://outlook.office365.com/.default'] }), {
          clientSecret: SENTINEL
        }),
        /Microsoft does not allow client credentials .* personal Microsoft accounts/
      );
      await assert.rejects(store.save(definition('p2', { ...personal, sharedMailbox: 'team@outlook.com' }), {}), /cannot open a shared mailbox as a delegate/);
      assert.equal(store.get('p1'), undefined);
      assert.equal(await context.secrets.get(secretKeys('p1').clientSecret), undefined);
    });

    it("shows the preset's rules in the tooltip and details, and marks High Volume Email send-only", async () => {
      const store = open();
      await store.save(
        definition('hve', {
          grant: 'clientCredentials',
          purpose: 'smtp',
          scopes: ['https://outlook.office365.com/.default'],
          smtp: { host: 'smtp-hve.office365.com', port: 587, security: 'starttls' }
        }),
        { clientSecret: SENTINEL }
      );
      await store.save(definition('personal', { tenant: 'consumers', smtp: { host: 'smtp-mail.outlook.com', port: 587, security: 'starttls' } }), {});
      const tree = new CredentialsTreeProvider(store);
      const roots = tree.getChildren() as CredentialNode[];
      const hve = roots.find((n) => n.id === 'hve') as CredentialNode;
      assert.equal(tree.getTreeItem(hve).contextValue, 'credential.unauthorized.app.sendOnly');
      const tooltip = (tree.resolveTreeItem(tree.getTreeItem(hve), hve).tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ');
      assert.match(tooltip, /Microsoft 365 High Volume Email/);
      assert.match(tooltip, /Internal recipients only/);
      const personal = roots.find((n) => n.id === 'personal') as CredentialNode;
      assert.equal(tree.getTreeItem(personal).contextValue, 'credential.unauthorized');
      const details = tree.getChildren(personal).map((d) => tree.getTreeItem(d));
      assert.ok(
        details.some((d) => String(d.label).startsWith('Personal Microsoft account') && String(d.description).includes('admin consent')),
        details.map((d) => `${String(d.label)}: ${String(d.description)}`).join('\n')
      );
      tree.dispose();
    });
  });
});
