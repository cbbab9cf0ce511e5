/**
 * Runs INSIDE a real VS Code extension host (code-server), never in plain Node: esbuild.mjs
 * `--tests` bundles it to test/extensionHost/runner/dist/treeBench.js, and the runner extension
 * (test/extensionHost/runner/runBench.ts) calls `run()` when code-server was started with
 * M365MAIL_BENCH_RESULTS. bench/treeBench.ts drives it.
 *
 * The Credentials tree (CredentialStore + CredentialsTreeProvider from src/) with N credentials,
 * over the runner's own globalState and SecretStorage (never the product's data):
 *
 *   compute  a fresh store loads the N definitions and statuses from the real Memento, then the
 *            provider's getChildren() of the root and getTreeItem() of every credential; the
 *            refresh figure is getChildren() + getTreeItem() again on the same provider. Baseline:
 *            credentialState() and a bare TreeItem with a label and icon per credential.
 *   render   a real TreeView (vscode.window.createTreeView) for the view the runner contributes:
 *            - first show: with the side bar closed, `treeView.reveal(last, {select, focus})`
 *              until it resolves, i.e. the workbench has opened the view, fetched all N items from
 *              the extension host (serialized over the RPC), rendered the tree and scrolled to and
 *              selected the last credential;
 *            - refresh: the product's `refreshAll()` (onDidChangeTreeData for the root) with the
 *              view open, then `treeView.reveal(last, {select})`, which VS Code resolves only after
 *              the workbench has finished that refresh (ExtHostTreeView waits for the refresh it
 *              sent with $refresh) and revealed the item again.
 */
import * as vscode from 'vscode';
import { SecretRedactor } from '../src/core/redact';
import { CloudCatalog } from '../src/core/clouds';
import { CredentialStore } from '../src/credentials/credentialStore';
import { WindowCoherence } from '../src/credentials/windowCoherence';
import { credentialState, type CredentialDefinition, type CredentialStatus } from '../src/core/model';
import { validateDefinition } from '../src/core/validation';
import { CredentialsTreeProvider, type CredentialsTreeNode } from '../src/views/credentialsTreeProvider';
import { TestLogger } from '../test/support/fakes';

export interface TreeBenchInput {
  sizes: number[];
  runs: number;
}

export interface TreeRenderFigures {
  /** Each first show (side bar closed before), ms. */
  firstShow: number[];
  /** Each refresh round trip (refreshAll until the workbench revealed the last item again), ms. */
  refresh: number[];
  /** Time spent inside the provider's getChildren/getTreeItem during each refresh, ms. */
  refreshInProvider: number[];
  /** getTreeItem calls VS Code made per refresh (median); N means VS Code asked for every item. */
  treeItemCallsPerRefresh: number;
  /** Refreshes after which the tree view reported itself visible. */
  visibleAfterRefresh: number;
  runs: number;
}

export interface TreeSizeFigures {
  count: number;
  items: number;
  /** Store load + getChildren + getTreeItem (all), ms. */
  ours: number[];
  /** getChildren + getTreeItem again on the same provider, ms. */
  oursRefresh: number[];
  /** credentialState + bare TreeItem per credential, sorted by name, ms. */
  baseline: number[];
  render: TreeRenderFigures;
}

export interface TreeBenchOutput {
  vscodeVersion: string;
  /** Filled in by bench/treeBench.ts: aria-labels of selected credential rows seen in the workbench page. */
  selectedRowsSeen?: string[];
  sizes: TreeSizeFigures[];
}

export const BENCH_VIEW_ID = 'm365mailBench.credentials';
const BENCH_CONTEXT_KEY = 'm365mailBench.active';
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
      scopes: app
        ? ['https://outlook.office365.com/.default']
        : ['https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send', 'offline_access'],
      refreshTokenExpiryDays: 90,
      redirectUri: 'http://localhost',
      imap: { host: 'outlook.office365.com', port: 993, security: 'tls' },
      smtp: { host: 'smtp.office365.com', port: 587, security: 'starttls' }
    });
    // A mix of states: unauthorized, authorized, expiring, failed, expired.
    switch (i % 5) {
      case 1:
        statuses[id] = {
          authorizedAt: now - DAY,
          account: `user${i}@contoso.com`,
          grantedScopes: defs[i]!.scopes,
          accessTokenExpiresAt: now + 3_600_000,
          refreshTokenExpiresAt: now + 80 * DAY
        };
        break;
      case 2:
        statuses[id] = {
          authorizedAt: now - 85 * DAY,
          account: `user${i}@contoso.com`,
          accessTokenExpiresAt: now - 60_000,
          refreshTokenExpiresAt: now + 3 * DAY
        };
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function openStore(context: vscode.ExtensionContext): CredentialStore {
  return new CredentialStore(
    context.globalState,
    context.secrets,
    () => new CloudCatalog(),
    new SecretRedactor(),
    new TestLogger({ quiet: true }),
    new WindowCoherence(context.globalStorageUri, context.secrets, new TestLogger({ quiet: true }))
  );
}

/** The globalState keys the store writes definitions and statuses to, found by saving one credential through it. */
async function storageKeys(
  context: vscode.ExtensionContext,
  sample: CredentialDefinition,
  status: CredentialStatus
): Promise<{ definitions: string; statuses: string }> {
  const store = openStore(context);
  try {
    await store.save(sample);
    await store.setStatus(sample.id, status);
    const holding = (test: (value: unknown) => boolean) => context.globalState.keys().filter((k) => test(context.globalState.get(k)));
    const definitions = holding((v) => Array.isArray(v) && v.some((d: { id?: string } | undefined) => d?.id === sample.id));
    const statuses = holding((v) => !!v && typeof v === 'object' && !Array.isArray(v) && sample.id in v);
    if (definitions.length !== 1 || statuses.length !== 1) {
      throw new Error(`cannot tell where the store keeps its data (definitions: ${definitions.join(', ')}; statuses: ${statuses.join(', ')})`);
    }
    await store.delete(sample.id, async () => undefined);
    return { definitions: definitions[0]!, statuses: statuses[0]! };
  } finally {
    store.dispose();
  }
}

/** Wraps the product's provider to count what VS Code asks for and the time spent answering. */
class CountingProvider implements vscode.TreeDataProvider<CredentialsTreeNode> {
  treeItemCalls = 0;
  providerMs = 0;
  readonly onDidChangeTreeData: vscode.Event<CredentialsTreeNode | undefined>;

  constructor(private readonly inner: CredentialsTreeProvider) {
    this.onDidChangeTreeData = inner.onDidChangeTreeData;
  }

  reset(): void {
    this.treeItemCalls = 0;
    this.providerMs = 0;
  }

  getChildren(element?: CredentialsTreeNode): CredentialsTreeNode[] {
    const t = performance.now();
    try {
      return this.inner.getChildren(element);
    } finally {
      this.providerMs += performance.now() - t;
    }
  }

  getTreeItem(element: CredentialsTreeNode): vscode.TreeItem {
    const t = performance.now();
    try {
      this.treeItemCalls++;
      return this.inner.getTreeItem(element);
    } finally {
      this.providerMs += performance.now() - t;
    }
  }

  getParent(element: CredentialsTreeNode): CredentialsTreeNode | undefined {
    return this.inner.getParent(element);
  }
}

async function measureCompute(
  context: vscode.ExtensionContext,
  defs: CredentialDefinition[],
  statuses: Record<string, CredentialStatus>,
  runs: number,
  row: TreeSizeFigures
): Promise<void> {
  for (let run = 0; run < runs + 1; run++) {
    let t = performance.now();
    const store = openStore(context);
    const tree = new CredentialsTreeProvider(store);
    const firstItems = tree.getChildren().map((n) => tree.getTreeItem(n));
    const first = performance.now() - t;
    t = performance.now();
    const items = tree.getChildren().map((n) => tree.getTreeItem(n));
    const refresh = performance.now() - t;
    row.items = items.length;
    tree.dispose();
    store.dispose();
    t = performance.now();
    const bare = [...defs]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((d) => {
        const item = new vscode.TreeItem(d.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon(credentialState(d, statuses[d.id]));
        return item;
      });
    const baseline = performance.now() - t;
    if (bare.length !== defs.length || firstItems.length !== defs.length || items.length !== defs.length) {
      throw new Error(`item counts differ: ${defs.length} stored, ${firstItems.length}/${items.length} from the provider, ${bare.length} bare`);
    }
    if (run === 0) continue; // warm-up (JIT)
    row.ours.push(first);
    row.oursRefresh.push(refresh);
    row.baseline.push(baseline);
    await sleep(100);
  }
}

async function measureRender(context: vscode.ExtensionContext, count: number, runs: number): Promise<TreeRenderFigures> {
  const figures: TreeRenderFigures = { firstShow: [], refresh: [], refreshInProvider: [], treeItemCallsPerRefresh: 0, visibleAfterRefresh: 0, runs };
  const store = openStore(context);
  const tree = new CredentialsTreeProvider(store);
  const counting = new CountingProvider(tree);
  const last = tree.getChildren().at(-1);
  if (!last || tree.getChildren().length !== count) throw new Error(`the provider lists ${tree.getChildren().length} credentials, expected ${count}`);
  let view: vscode.TreeView<CredentialsTreeNode> | undefined;
  const confirm = () => {
    if (view?.visible) figures.visibleAfterRefresh++;
  };
  try {
    await vscode.commands.executeCommand('setContext', BENCH_CONTEXT_KEY, true);
    // First show: side bar closed, a new TreeView, reveal opens the view and loads every item.
    for (let run = 0; run < runs + 1; run++) {
      await vscode.commands.executeCommand('workbench.action.closeSidebar');
      view?.dispose();
      view = vscode.window.createTreeView(BENCH_VIEW_ID, { treeDataProvider: counting });
      await sleep(300);
      counting.reset();
      const t = performance.now();
      await view.reveal(last, { select: true, focus: true });
      const elapsed = performance.now() - t;
      if (counting.treeItemCalls < count) throw new Error(`first show: VS Code asked for ${counting.treeItemCalls} items of ${count}`);
      if (run === 0) continue; // warm-up
      figures.firstShow.push(elapsed);
    }
    // Refresh with the view open: the product's refreshAll(), until the workbench is done.
    const shown = view;
    if (!shown) throw new Error('no tree view');
    const calls: number[] = [];
    for (let run = 0; run < runs + 1; run++) {
      // ExtHostTreeView debounces change events (200 ms, leading edge): start each run outside that window.
      await sleep(300);
      counting.reset();
      const t = performance.now();
      tree.refreshAll();
      await shown.reveal(last, { select: true, focus: false });
      const elapsed = performance.now() - t;
      confirm();
      if (run === 0) continue;
      figures.refresh.push(elapsed);
      figures.refreshInProvider.push(counting.providerMs);
      calls.push(counting.treeItemCalls);
    }
    figures.treeItemCallsPerRefresh = median(calls);
  } finally {
    view?.dispose();
    await vscode.commands.executeCommand('setContext', BENCH_CONTEXT_KEY, false);
    tree.dispose();
    store.dispose();
  }
  return figures;
}

export async function run(context: vscode.ExtensionContext, input: TreeBenchInput): Promise<TreeBenchOutput> {
  const output: TreeBenchOutput = { vscodeVersion: vscode.version, sizes: [] };
  // The runner activates on startup: let the workbench and the built-in extensions settle first.
  await sleep(3000);
  const clouds = new CloudCatalog();
  for (const count of input.sizes) {
    const { defs, statuses } = fixtures(count, Date.now());
    // Every fixture is a definition the store's save() would accept (names are unique).
    if (new Set(defs.map((d) => d.name)).size !== defs.length) throw new Error('fixture names are not unique');
    for (const def of defs) {
      const problems = validateDefinition(def, clouds);
      if (problems.length) throw new Error(`fixture ${def.id} is invalid: ${problems.join(' ')}`);
    }
    // Write them where and how the store persists them (one save() shows where), in one update each.
    const keys = await storageKeys(context, defs[0]!, statuses[defs[1]?.id ?? ''] ?? { authorizedAt: Date.now() });
    await context.globalState.update(keys.definitions, defs);
    await context.globalState.update(keys.statuses, statuses);
    try {
      const row: TreeSizeFigures = { count, items: 0, ours: [], oursRefresh: [], baseline: [], render: undefined as never };
      await measureCompute(context, defs, statuses, input.runs, row);
      row.render = await measureRender(context, count, input.runs);
      console.log(
        `[tree] ${count}: compute ${median(row.ours).toFixed(1)} ms, first show ${median(row.render.firstShow).toFixed(1)} ms, refresh ${median(row.render.refresh).toFixed(1)} ms`
      );
      output.sizes.push(row);
    } finally {
      await context.globalState.update(keys.definitions, undefined);
      await context.globalState.update(keys.statuses, undefined);
    }
  }
  return output;
}
