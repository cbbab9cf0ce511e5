/**
 * Child process: the Credentials tree with N credentials, in plain Node with bench/vscodeShim.ts
 * standing in for `vscode`. Times what the extension computes when VS Code asks for the view:
 * the store loading its definitions and statuses, getChildren() of the root and getTreeItem()
 * for every credential (label, state, icon, menu context, Markdown tooltip). The baseline is the
 * least any tree must do: credentialState() per credential and a TreeItem with a label and icon.
 * Not measured here: the extension host's serialization and the workbench's rendering.
 */
import Module from 'node:module';
import path from 'node:path';
import { childMain, median, ms, readInput } from './lib';

// Route `require('vscode')` to the shim before the product's modules load.
const moduleWithResolve = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const originalResolve = moduleWithResolve._resolveFilename;
moduleWithResolve._resolveFilename = function (request: string, ...rest: unknown[]) {
  if (request === 'vscode') return originalResolve.call(this, path.join(__dirname, 'vscodeShim.ts'), ...rest);
  return originalResolve.call(this, request, ...rest);
};

/* eslint-disable @typescript-eslint/no-require-imports */
const { CredentialStore } = require('../src/credentials/credentialStore') as typeof import('../src/credentials/credentialStore');
const { CredentialsTreeProvider } = require('../src/views/credentialsTreeProvider') as typeof import('../src/views/credentialsTreeProvider');
const { credentialState } = require('../src/credentials/model') as typeof import('../src/credentials/model');
const { SecretRedactor } = require('../src/common/redact') as typeof import('../src/common/redact');
const vscodeShim = require('./vscodeShim') as typeof import('./vscodeShim');
/* eslint-enable @typescript-eslint/no-require-imports */

import type { CredentialDefinition, CredentialStatus } from '../src/credentials/model';

export interface TreeBenchOutput {
  sizes: Array<{ count: number; ours: number[]; oursRefresh: number[]; baseline: number[]; items: number }>;
}

const DAY = 86_400_000;

function fixtures(count: number, now: number): { defs: CredentialDefinition[]; statuses: Record<string, CredentialStatus> } {
  const defs: CredentialDefinition[] = [];
  const statuses: Record<string, CredentialStatus> = {};
  for (let i = 0; i < count; i++) {
    const id = `cred-${i.toString().padStart(5, '0')}`;
    const app = i % 4 === 3;
    defs.push({
      id,
      name: `Mailbox ${i} (${['Orders', 'Invoices', 'Support', 'Daemon'][i % 4]})`,
      description: i % 2 ? `Integration flow ${i}` : undefined,
      provider: 'microsoft',
      cloud: 'global',
      tenant: 'contoso.onmicrosoft.com',
      clientId: '3e9d1a52-7c1f-4b0a-a8a4-5f2b7d9c1e01',
      clientAuth: app ? 'secretPost' : 'none',
      grant: app ? 'clientCredentials' : 'authorizationCode',
      userName: `user${i}@contoso.com`,
      sharedMailbox: i % 5 === 0 ? `shared${i}@contoso.com` : undefined,
      purpose: 'both',
      scopes: app ? ['https://outlook.office365.com/.default'] : ['https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send', 'offline_access'],
      refreshTokenExpiryDays: 90,
      redirectUri: 'http://localhost',
      imap: { host: 'outlook.office365.com', port: 993, security: 'tls' },
      smtp: { host: 'smtp.office365.com', port: 587, security: 'starttls' }
    } as CredentialDefinition);
    // A mix of states: unauthorized, authorized, expiring, failed, expired.
    switch (i % 5) {
      case 1:
        statuses[id] = { authorizedAt: now - DAY, account: `user${i}@contoso.com`, grantedScopes: defs[i]!.scopes, accessTokenExpiresAt: now + 3_600_000, refreshTokenExpiresAt: now + 80 * DAY };
        break;
      case 2:
        statuses[id] = { authorizedAt: now - 85 * DAY, account: `user${i}@contoso.com`, accessTokenExpiresAt: now - 60_000, refreshTokenExpiresAt: now + 3 * DAY };
        break;
      case 3:
        statuses[id] = { authorizedAt: now - DAY, lastError: { code: 'AADSTS7000215', message: 'Invalid client secret provided.', at: now - 60_000 } };
        break;
      case 4:
        statuses[id] = { authorizedAt: now - 100 * DAY, expired: true };
        break;
    }
  }
  return { defs, statuses };
}

const logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

childMain(async () => {
  const input = await readInput<{ sizes: number[]; runs: number }>();
  const output: TreeBenchOutput = { sizes: [] };
  for (const count of input.sizes) {
    const { defs, statuses } = fixtures(count, Date.now());
    const memento = {
      get: <T>(key: string, fallback?: T) => (key.startsWith('m365mail.credentials') ? defs : key.startsWith('m365mail.credentialStatus') ? statuses : fallback) as T,
      update: async () => undefined,
      keys: () => []
    };
    const secrets = { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: () => new vscodeShim.Disposable() };
    const row = { count, ours: [] as number[], oursRefresh: [] as number[], baseline: [] as number[], items: 0 };
    for (let run = 0; run < input.runs + 1; run++) {
      // ours: the store loads (as at activation), then VS Code asks for the root and every item.
      let t = process.hrtime.bigint();
      const store = new CredentialStore(memento as never, secrets as never, () => undefined as never, new SecretRedactor(), logger as never);
      const tree = new CredentialsTreeProvider(store);
      const firstItems = tree.getChildren().map((n) => tree.getTreeItem(n));
      const first = ms(t);
      // A refresh (refreshAll / a change of the whole root): nodes are reused, items recomputed.
      t = process.hrtime.bigint();
      const items = tree.getChildren().map((n) => tree.getTreeItem(n));
      const refresh = ms(t);
      row.items = items.length;
      tree.dispose();
      store.dispose();
      // baseline: state and a bare item per credential, sorted by name as the tree is.
      t = process.hrtime.bigint();
      const bare = [...defs].sort((a, b) => a.name.localeCompare(b.name)).map((d) => {
        const item = new vscodeShim.TreeItem(d.name, vscodeShim.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscodeShim.ThemeIcon(credentialState(d, statuses[d.id]));
        return item;
      });
      const baseline = ms(t);
      if (bare.length !== items.length || firstItems.length !== items.length) throw new Error('item counts differ');
      if (run === 0) continue; // warm-up (module JIT)
      row.ours.push(first);
      row.oursRefresh.push(refresh);
      row.baseline.push(baseline);
    }
    console.error(`[tree] ${count}: ${median(row.ours).toFixed(1)} ms (baseline ${median(row.baseline).toFixed(1)} ms)`);
    output.sizes.push(row);
  }
  return output;
});
