import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { CloudCatalog, type MicrosoftCloud } from '../core/clouds';
import type { Logger } from '../core/logger';
import type { SecretRedactor } from '../core/redact';
import { clampAuthorizationTimeoutSeconds } from '../core/model';
import { proxySupportOf, resolveProxyConfig, type ProxyConfig, type ProxySupport } from '../net/proxyRoute';

/**
 * The extension's settings (section `m365mail`). The security-relevant settings (custom clouds,
 * trusted CAs, the authorization timeout) are `machine`-scoped in package.json: a workspace cannot
 * point sign-in at another host, make the extension trust its own CA, or hold a sign-in open.
 */
export class Settings implements vscode.Disposable {
  private catalog: CloudCatalog | undefined;
  /** The CA files' PEM text, read once per change of the setting rather than on every request or connection. */
  private trustedCas: readonly string[] | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly logger: Logger,
    /** Learns the proxy's password and `http.proxyAuthorization`, so that no log line or error shows them. */
    private readonly redactor?: SecretRedactor
  ) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('m365mail.customClouds')) this.catalog = undefined;
      if (e.affectsConfiguration('m365mail.trustedCaCertificates')) this.trustedCas = undefined;
    });
  }

  private get config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('m365mail');
  }

  clouds(): CloudCatalog {
    this.catalog ??= new CloudCatalog(
      this.config.get<MicrosoftCloud[]>('customClouds', []).filter((c) => c && typeof c.id === 'string' && typeof c.authorityHost === 'string')
    );
    return this.catalog;
  }

  /** PEM text of every CA listed in `m365mail.trustedCaCertificates`, added to Node's default roots (verification stays on). */
  trustedCaCertificates(): string[] {
    // A copy: callers own their array, the cache stays as read.
    if (this.trustedCas) return [...this.trustedCas];
    const pems: string[] = [];
    for (const file of this.config.get<string[]>('trustedCaCertificates', [])) {
      try {
        pems.push(fs.readFileSync(file, 'utf8'));
      } catch (error) {
        this.logger.warn(`m365mail.trustedCaCertificates: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    this.trustedCas = pems;
    return [...pems];
  }

  /**
   * VS Code's proxy for HTTPS (`http.proxy`, `http.noProxy`, `http.proxyAuthorization`), the
   * system's HTTPS_PROXY / HTTP_PROXY / NO_PROXY as the fallback; read at each use, so a change
   * counts at the next request. `http.proxyStrictSSL: false` is noted, never obeyed: verification
   * stays on (a TLS-inspecting proxy's CA goes in `m365mail.trustedCaCertificates`).
   */
  proxy(): ProxyConfig | undefined {
    const http = vscode.workspace.getConfiguration('http');
    const config = resolveProxyConfig({
      proxy: http.get<string>('proxy'),
      noProxy: http.get<string[]>('noProxy', []),
      authorization: http.get<string | null>('proxyAuthorization'),
      strictSsl: http.get<boolean>('proxyStrictSSL'),
      support: http.get<ProxySupport>('proxySupport'),
      env: process.env
    });
    if (config) {
      const url = new URL(config.url);
      const credentials = config.authorization?.replace(/^\S+\s+/, '');
      for (const secret of [config.authorization, credentials, url.password, decodeURIComponent(url.password)]) this.redactor?.add(secret);
    }
    return config;
  }

  /** VS Code's `http.proxySupport` (default `override`): whether its extension-host patch routes our HTTPS. */
  proxySupport(): ProxySupport {
    return proxySupportOf(vscode.workspace.getConfiguration('http').get<string>('proxySupport'));
  }

  /** Machine-scoped too: a workspace that set it to hours would keep a loopback listener open that long. */
  authorizationTimeoutMs(): number {
    return clampAuthorizationTimeoutSeconds(this.config.get<unknown>('authorizationTimeoutSeconds')) * 1000;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
