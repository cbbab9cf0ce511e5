import * as vscode from 'vscode';
import type { CredentialStore } from '../credentials/credentialStore';
import type { CredentialDefinition, CredentialState, CredentialStatus } from '../credentials/model';

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

function when(ms: number | undefined): string {
  if (ms === undefined) return '—';
  const date = new Date(ms);
  const relative = Math.round((ms - Date.now()) / 60_000);
  const span =
    Math.abs(relative) < 120
      ? `${Math.abs(relative)} min`
      : Math.abs(relative) < 48 * 60
        ? `${Math.round(Math.abs(relative) / 60)} h`
        : `${Math.round(Math.abs(relative) / 1440)} days`;
  return `${date.toLocaleString()} (${relative >= 0 ? vscode.l10n.t('in {0}', span) : vscode.l10n.t('{0} ago', span)})`;
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
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: CredentialStore) {
    this.subscription = store.onDidChange((ids) => {
      // Added or removed credentials change the root; otherwise refresh just the changed nodes.
      if (!ids || ids.some((id) => !this.nodes.has(id) || !store.get(id))) {
        this.changeEmitter.fire(undefined);
        return;
      }
      for (const id of ids) this.changeEmitter.fire(this.nodes.get(id));
    });
  }

  /** Time passes: "expiring" and "expired" are computed from the clock, so redraw now and then. */
  refreshAll(): void {
    if (this.nodes.size) this.changeEmitter.fire(undefined);
  }

  node(id: string): CredentialNode | undefined {
    return this.nodes.get(id);
  }

  getChildren(element?: CredentialsTreeNode): CredentialsTreeNode[] {
    if (!element) {
      const next = new Map<string, CredentialNode>();
      for (const def of this.store.list()) next.set(def.id, this.nodes.get(def.id) ?? new CredentialNode(def.id));
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
    const status = this.store.status(def.id);
    const state = this.store.state(def.id);
    const look = STATE_LOOK[state];
    const item = new vscode.TreeItem(def.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = def.id;
    item.description = `${look.label}${(status?.account ?? def.userName) ? ` · ${status?.account ?? def.userName}` : ''}`;
    item.iconPath = new vscode.ThemeIcon(look.icon, look.color ? new vscode.ThemeColor(look.color) : undefined);
    item.contextValue = `credential.${state}${def.grant === 'clientCredentials' ? '.app' : ''}`;
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

  private tooltip(def: CredentialDefinition, status: CredentialStatus | undefined, state: CredentialState): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${escape(def.name)}** — $(${STATE_LOOK[state].icon}) ${STATE_LOOK[state].label}\n\n`);
    if (def.description) md.appendMarkdown(`${escape(def.description)}\n\n`);
    md.appendMarkdown(
      `- ${vscode.l10n.t('Provider')}: ${def.provider === 'microsoft' ? `Microsoft 365 (${escape(def.cloud ?? 'global')}, ${escape(def.tenant ?? '')})` : vscode.l10n.t('Generic OAuth2')}\n`
    );
    md.appendMarkdown(`- ${vscode.l10n.t('User')}: ${escape(status?.account ?? def.userName ?? '—')}\n`);
    if (def.sharedMailbox) md.appendMarkdown(`- ${vscode.l10n.t('Mailbox')}: ${escape(def.sharedMailbox)}\n`);
    md.appendMarkdown(`- ${vscode.l10n.t('Scopes')}: ${escape((status?.grantedScopes ?? def.scopes).join(' '))}\n`);
    if (status?.accessTokenExpiresAt) md.appendMarkdown(`- ${vscode.l10n.t('Access token expires')}: ${when(status.accessTokenExpiresAt)}\n`);
    if (status?.refreshTokenExpiresAt && def.grant !== 'clientCredentials') {
      md.appendMarkdown(`- ${vscode.l10n.t('Refresh token renew by')}: ${when(status.refreshTokenExpiresAt)}\n`);
    }
    if (status?.lastError) md.appendMarkdown(`\n$(error) ${escape(status.lastError.message)}\n`);
    return md;
  }

  private details(parent: CredentialNode, def: CredentialDefinition, status: CredentialStatus | undefined): DetailNode[] {
    const rows: DetailNode[] = [
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
  }
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>$]/g, '\\$&');
}
