import * as vscode from 'vscode';
import type { CredentialStore } from '../credentials/credentialStore';
import { describeTransports, transportsOf, type CredentialDefinition, type CredentialState, type CredentialStatus } from '../core/model';
import { microsoftPresetOf, presetLabel, presetRules } from '../core/presets';
import { rowsToRedraw } from './treeProjection';

const STATE_LOOK: Record<CredentialState, { label: string; icon: string; color?: string }> = {
  unauthorized: { label: vscode.l10n.t('Unauthorized'), icon: 'circle-large-outline' },
  authorized: { label: vscode.l10n.t('Authorized'), icon: 'pass-filled', color: 'testing.iconPassed' },
  expiring: { label: vscode.l10n.t('Expiring soon'), icon: 'warning', color: 'list.warningForeground' },
  expired: { label: vscode.l10n.t('Expired'), icon: 'error', color: 'list.errorForeground' },
  failed: { label: vscode.l10n.t('Failed'), icon: 'error', color: 'list.errorForeground' }
};

export class CredentialNode {
  readonly kind = 'credential';
  constructor(readonly id: string) {}
}

export class DetailNode {
  readonly kind = 'detail';
  constructor(
    readonly parent: CredentialNode,
    readonly label: string,
    readonly value: string,
    readonly icon: string
  ) {}
}

export type CredentialsTreeNode = CredentialNode | DetailNode;

let relativeTimes: Intl.RelativeTimeFormat | undefined;

/** "5/3/2025, 10:00:00 (in 30 minutes)", in VS Code's display language. */
function when(ms: number | undefined): string {
  if (ms === undefined) return '—';
  const language = vscode.env.language;
  if (relativeTimes?.resolvedOptions().locale.toLowerCase() !== language.toLowerCase()) {
    try {
      relativeTimes = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
    } catch {
      // A display language Intl does not know (a pseudo-locale): the runtime's default.
      relativeTimes = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
    }
  }
  const minutes = Math.round((ms - Date.now()) / 60_000);
  const relative =
    Math.abs(minutes) < 120
      ? relativeTimes.format(minutes, 'minute')
      : Math.abs(minutes) < 48 * 60
        ? relativeTimes.format(Math.round(minutes / 60), 'hour')
        : relativeTimes.format(Math.round(minutes / 1440), 'day');
  return `${new Date(ms).toLocaleString(relativeTimes.resolvedOptions().locale)} (${relative})`;
}

/**
 * The "Credentials" view: a projection of the {@link CredentialStore}. Nodes are small handles
 * (an id); labels, icons and menus are computed from the store when VS Code asks, and a change
 * refreshes only the nodes of the credentials that changed. With no credential, VS Code shows the
 * welcome content (package.json `viewsWelcome`).
 */
export class CredentialsTreeProvider implements vscode.TreeDataProvider<CredentialsTreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<CredentialsTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private nodes = new Map<string, CredentialNode>();
  /** Each drawn row's look (see {@link rowsToRedraw}), by credential id. */
  private readonly drawn = new Map<string, string>();
  private readonly expanded = new Set<string>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: CredentialStore) {
    this.subscription = store.onDidChange((ids) => {
      // Added or removed credentials change the root; otherwise refresh just the changed nodes.
      if (!ids || ids.some((id) => !this.nodes.has(id) || !store.get(id))) {
        this.refreshAll();
        return;
      }
      for (const id of ids) this.changeEmitter.fire(this.nodes.get(id));
    });
  }

  /** Redraws every row (the store was reloaded, or the first credential arrived; the tree benchmark measures this). */
  refreshAll(): void {
    // Also with no rows yet: the welcome view stays up until the root is asked for again.
    this.changeEmitter.fire(undefined);
  }

  /**
   * Time passes: "expiring" and "expired" are computed from the clock. Redraws only the rows whose
   * look changed since they were drawn, and the expanded ones; returns how many.
   */
  refreshChanged(): number {
    const current = new Map<string, string>();
    for (const id of this.drawn.keys()) {
      const def = this.store.get(id);
      if (def) current.set(id, this.row(def).key);
    }
    const ids = rowsToRedraw(this.drawn, current, this.expanded);
    for (const id of ids) this.changeEmitter.fire(this.nodes.get(id));
    return ids.length;
  }

  /** Follows which credentials are expanded in `view`. */
  trackExpansion(view: vscode.TreeView<CredentialsTreeNode>): vscode.Disposable {
    return vscode.Disposable.from(
      view.onDidExpandElement((e) => {
        if (e.element instanceof CredentialNode) this.expanded.add(e.element.id);
      }),
      view.onDidCollapseElement((e) => {
        if (e.element instanceof CredentialNode) this.expanded.delete(e.element.id);
      })
    );
  }

  node(id: string): CredentialNode | undefined {
    return this.nodes.get(id);
  }

  getChildren(element?: CredentialsTreeNode): CredentialsTreeNode[] {
    if (!element) {
      const next = new Map<string, CredentialNode>();
      for (const def of this.store.list()) next.set(def.id, this.nodes.get(def.id) ?? new CredentialNode(def.id));
      for (const id of this.nodes.keys()) {
        if (!next.has(id)) {
          this.drawn.delete(id);
          this.expanded.delete(id);
        }
      }
      this.nodes = next;
      return [...next.values()];
    }
    if (element instanceof CredentialNode) {
      const def = this.store.get(element.id);
      return def ? this.details(element, def, this.store.status(def.id)) : [];
    }
    return [];
  }

  getParent(element: CredentialsTreeNode): CredentialsTreeNode | undefined {
    return element instanceof DetailNode ? element.parent : undefined;
  }

  getTreeItem(element: CredentialsTreeNode): vscode.TreeItem {
    if (element instanceof DetailNode) {
      const item = new vscode.TreeItem(element.label, vscode.TreeItemCollapsibleState.None);
      item.description = element.value;
      item.tooltip = `${element.label}: ${element.value}`;
      item.iconPath = new vscode.ThemeIcon(element.icon);
      item.contextValue = 'credentialDetail';
      return item;
    }
    const def = this.store.get(element.id);
    if (!def) return new vscode.TreeItem('');
    const { state, description, key } = this.row(def);
    const look = STATE_LOOK[state];
    this.drawn.set(def.id, key);
    const item = new vscode.TreeItem(def.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = def.id;
    item.description = description;
    item.iconPath = new vscode.ThemeIcon(look.icon, look.color ? new vscode.ThemeColor(look.color) : undefined);
    // `.sendOnly` (High Volume Email) hides the inbox preview from the menus; the command still says why if run.
    item.contextValue = `credential.${state}${def.grant === 'clientCredentials' ? '.app' : ''}${microsoftPresetOf(def)?.id === 'hve' ? '.sendOnly' : ''}`;
    // The tooltip is built on hover (resolveTreeItem): thousands of rows then cost no Markdown.
    item.accessibilityInformation = { label: `${def.name}, ${look.label}` };
    return item;
  }

  resolveTreeItem(item: vscode.TreeItem, element: CredentialsTreeNode): vscode.TreeItem {
    if (element instanceof CredentialNode) {
      const def = this.store.get(element.id);
      if (def) item.tooltip = this.tooltip(def, this.store.status(def.id), this.store.state(def.id));
    }
    return item;
  }

  /** What a credential's row shows that can change: its state, description and icon. */
  private row(def: CredentialDefinition): { state: CredentialState; description: string; key: string } {
    const state = this.store.state(def.id);
    const user = this.store.status(def.id)?.account ?? def.userName;
    const transport = describeTransports(def);
    const description = `${STATE_LOOK[state].label}${user ? ` · ${user}` : ''}${transport ? ` · ${transport}` : ''}`;
    return { state, description, key: `${state}\n${description}\n${STATE_LOOK[state].icon}` };
  }

  private tooltip(def: CredentialDefinition, status: CredentialStatus | undefined, state: CredentialState): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    const look = STATE_LOOK[state];
    md.appendMarkdown('**').appendText(def.name).appendMarkdown(`** — $(${look.icon}) `).appendText(look.label).appendMarkdown('\n\n');
    if (def.description) md.appendText(def.description).appendMarkdown('\n\n');
    const line = (label: string, value: string) => md.appendMarkdown('- ').appendText(`${label}: ${value}`).appendMarkdown('\n');
    line(
      vscode.l10n.t('Provider'),
      def.provider === 'microsoft' ? `Microsoft 365 (${def.cloud ?? 'global'}, ${def.tenant ?? ''})` : vscode.l10n.t('Generic OAuth2')
    );
    const preset = microsoftPresetOf(def);
    if (preset) {
      line(vscode.l10n.t('Preset'), presetLabel(preset.id));
      for (const rule of presetRules(preset.id)) md.appendMarkdown('  - ').appendText(rule).appendMarkdown('\n');
    }
    line(vscode.l10n.t('User'), status?.account ?? def.userName ?? '—');
    if (def.sharedMailbox) line(vscode.l10n.t('Mailbox'), def.sharedMailbox);
    if (def.provider === 'microsoft') {
      const { send, read } = transportsOf(def);
      line(
        vscode.l10n.t('Transport'),
        vscode.l10n.t('send: {0}, read: {1}', send === 'graph' ? 'Microsoft Graph' : 'SMTP', read === 'graph' ? 'Microsoft Graph' : 'IMAP')
      );
    }
    line(vscode.l10n.t('Scopes'), (status?.grantedScopes ?? def.scopes).join(' '));
    if (status?.accessTokenExpiresAt) line(vscode.l10n.t('Access token expires'), when(status.accessTokenExpiresAt));
    if (status?.refreshTokenExpiresAt && def.grant !== 'clientCredentials') line(vscode.l10n.t('Refresh token renew by'), when(status.refreshTokenExpiresAt));
    if (status?.lastError) md.appendMarkdown('\n$(error) ').appendText(status.lastError.message).appendMarkdown('\n');
    return md;
  }

  private details(parent: CredentialNode, def: CredentialDefinition, status: CredentialStatus | undefined): DetailNode[] {
    const preset = microsoftPresetOf(def);
    const rows: DetailNode[] = [
      // The rules in one line: the row's own tooltip shows it whole.
      ...(preset ? [new DetailNode(parent, presetLabel(preset.id), presetRules(preset.id).join(' '), 'info')] : []),
      new DetailNode(parent, vscode.l10n.t('User'), status?.account ?? def.userName ?? '—', 'account'),
      ...(def.sharedMailbox ? [new DetailNode(parent, vscode.l10n.t('Mailbox'), def.sharedMailbox, 'inbox')] : []),
      new DetailNode(parent, vscode.l10n.t('Scopes'), (status?.grantedScopes ?? def.scopes).join(' '), 'key'),
      new DetailNode(
        parent,
        vscode.l10n.t('Access token'),
        status?.accessTokenExpiresAt ? vscode.l10n.t('expires {0}', when(status.accessTokenExpiresAt)) : vscode.l10n.t('none'),
        'clock'
      )
    ];
    if (def.grant !== 'clientCredentials') {
      rows.push(
        new DetailNode(
          parent,
          vscode.l10n.t('Refresh token'),
          status?.refreshTokenExpiresAt ? vscode.l10n.t('renew by {0}', when(status.refreshTokenExpiresAt)) : vscode.l10n.t('none'),
          'history'
        )
      );
    }
    rows.push(
      new DetailNode(parent, 'IMAP', `${def.imap.host}:${def.imap.port}`, 'server'),
      new DetailNode(parent, 'SMTP', `${def.smtp.host}:${def.smtp.port}`, 'server')
    );
    if (status?.lastError) rows.push(new DetailNode(parent, vscode.l10n.t('Last error'), `${status.lastError.code}: ${status.lastError.message}`, 'error'));
    return rows;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
    this.drawn.clear();
    this.expanded.clear();
  }
}
