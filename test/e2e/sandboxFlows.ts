/**
 * What a user does in the workbench to set up a sandbox credential: the guided "Add credential"
 * flow, "Authorize credential", and the sign-in on the sandbox's pages in the tab the extension
 * opens. Shared by the end-to-end tests.
 */
import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { SandboxDescription } from '@m365-mail/sandbox';
import { exportPfx, type PfxEncryption } from '../support/pkcs12Files';
import type { Workbench } from './workbench';

export interface SandboxCredentialOptions {
  grant: 'Authorization code' | 'Device code' | 'Client credentials';
  /** Part of the client-authentication choice's label, e.g. "request body", "None: public client". */
  clientAuth?: string;
  clientId: string;
  secret?: string;
  /** Certificate authentication: the PEM file (certificate and private key) or .pfx typed into the file dialog. */
  certificateFile?: string;
  /** A separate key file, chosen in the dialog that follows a certificate without its key. */
  keyFile?: string;
  /**
   * What is typed into the password box that follows a .pfx or an encrypted key, in turn: every one
   * but the last must be refused, the box asking again and naming the file.
   */
  certificatePasswords?: string[];
  user: string;
  sharedMailbox?: string;
  /** Servers as `host:port` instead of the cloud's defaults. */
  servers?: { imap: string; smtp: string };
  /** Scopes to add to the prefilled ones, as a user types them at the end of the scopes box. */
  addScopes?: string[];
  /** The transport choice's label; IMAP / SMTP (the first choice) when not given. */
  transport?: 'Microsoft Graph' | 'Microsoft Graph to send, IMAP to read';
}

/** What the workbench shows for an English message of M365 Mail: itself, or its translation (the pseudo-locale's). */
export type Shown = (message: string, ...args: Array<string | number>) => string;

const english: Shown = (message, ...args) => message.replace(/\{(\d+)\}/g, (whole, i: string) => String(args[Number(i)] ?? whole));

export class SandboxFlows {
  constructor(
    private readonly workbench: Workbench,
    private readonly sandbox: SandboxDescription,
    /** The labels to look for, in the display language the workbench runs in. */
    private readonly shown: Shown = english
  ) {}

  /** The guided flow for a sandbox credential, with the prefilled scopes, expiry and servers. */
  async addSandboxCredential(name: string, options: SandboxCredentialOptions): Promise<void> {
    const w = this.workbench;
    const t = this.shown;
    await w.runCommand(t('M365 Mail: Add credential'));
    await w.pick('Microsoft 365'); // a product name, the same in every language
    await w.pick(this.sandbox.cloud.label);
    await w.answer(this.sandbox.authorization.tenantId);
    await w.pick(t(options.grant));
    if (options.clientAuth) await w.pick(t(options.clientAuth));
    await w.answer(options.clientId);
    if (options.secret) await w.answer(options.secret);
    if (options.certificateFile) await w.chooseFile(options.certificateFile);
    if (options.keyFile) await w.chooseFile(options.keyFile);
    for (const [i, password] of (options.certificatePasswords ?? []).entries()) {
      await w.answer(password);
      if (i < (options.certificatePasswords ?? []).length - 1) {
        const fileName = path.basename(options.keyFile ?? options.certificateFile ?? '');
        await w.quickInput.getByText(`The password does not open ${fileName}`).waitFor({ state: 'visible', timeout: 30_000 });
      }
    }
    await w.answer(options.user);
    if (options.grant !== 'Client credentials') await w.answer(options.sharedMailbox ?? '');
    await w.pick(t('IMAP and SMTP'));
    // Asked for a cloud with a Graph endpoint (the sandbox's has one).
    if (options.transport) await w.pick(t(options.transport));
    else await w.acceptDefault(); // IMAP / SMTP, the first choice
    if (options.addScopes) {
      const prefilled = await w.quickInput.locator('input.input').inputValue();
      await w.answer(`${prefilled} ${options.addScopes.join(' ')}`);
    } else {
      await w.acceptDefault(); // the scopes prefilled for the cloud, purpose and transport
    }
    if (options.grant !== 'Client credentials') await w.acceptDefault(); // 90 days
    if (options.servers) {
      await w.pick(t('Enter the servers'));
      await w.answer(options.servers.imap);
      await w.answer(options.servers.smtp);
    } else {
      await w.pick(t('Use the default servers'));
    }
    await w.answer(name);
    await w.answer('');
    await w.credentialRow(name).waitFor({ state: 'visible', timeout: 30_000 });
  }

  /** Signs in on the sandbox's pages in the tab the extension opened (a browser already signed in goes straight to consent). */
  async signIn(page: Page, user: string, decision: 'accept' | 'deny'): Promise<void> {
    const login = page.locator('#user');
    const consent = page.locator(`#${decision}`);
    await login
      .or(consent)
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 })
      .catch(async (error: Error) => {
        await page.screenshot({ path: 'test-results/screenshots/failed-sign-in-tab.png' }).catch(() => undefined);
        throw new Error(`${error.message}\n      the tab shows ${page.url()}: ${(await page.textContent('body').catch(() => ''))?.slice(0, 300)}`);
      });
    if (await login.isVisible()) {
      await login.fill(user);
      await page.locator('#password').fill(this.sandbox.password);
      await page.locator('#signIn').click();
    }
    await consent.click();
  }

  /** "M365 Mail: Authorize credential" from the palette, or the tree item's context menu; resolves the tab it opens. */
  async authorize(name: string, from: 'palette' | 'tree'): Promise<Page> {
    const popup = this.workbench.page.context().waitForEvent('page', { timeout: 60_000 });
    if (from === 'palette') {
      // With a single credential the command acts on it without asking.
      await this.workbench.runCommand('M365 Mail: Authorize credential');
    } else {
      await this.workbench.contextMenu(this.workbench.credentialRow(name), this.shown('Authorize credential'));
    }
    return popup;
  }

  /**
   * Signs the browser out of the sandbox (its session cookies), so that the next sign-in asks who
   * signs in instead of reusing the last account. Cookies are per host, not per port: only the
   * sandbox's own are removed.
   */
  async signOutOfSandbox(): Promise<void> {
    const context = this.workbench.page.context();
    const keep = (await context.cookies()).filter((c) => !/^_(session|interaction|resume)/.test(c.name));
    await context.clearCookies();
    await context.addCookies(keep);
  }

  /**
   * The sandbox's client certificate and its key in one PEM, as an export from a PFX usually is,
   * in a temporary folder of its own; `remove()` deletes it once the add flow has read it.
   */
  clientCertificatePem(): { file: string; remove(): void } {
    const { certPath, keyPath } = this.sandbox.clientCertificate;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'm365-mail-e2e-cert-'));
    const file = path.join(dir, 'daemon.pem');
    fs.writeFileSync(file, fs.readFileSync(certPath, 'utf8') + fs.readFileSync(keyPath, 'utf8'));
    return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
  }

  /**
   * The sandbox's client certificate and its key locked with `password`, in a temporary folder of
   * its own: a .pfx, modern (AES-256) or legacy (RC2-40 / 3DES, as older Windows tools export), or
   * the certificate as PEM with its key in a second file as an encrypted PKCS#8 PEM.
   */
  clientCertificateLocked(form: PfxEncryption | 'encryptedKey', password: string): { certificateFile: string; keyFile?: string; remove(): void } {
    const { certPath, keyPath } = this.sandbox.clientCertificate;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'm365-mail-e2e-locked-'));
    const remove = () => fs.rmSync(dir, { recursive: true, force: true });
    if (form === 'encryptedKey') {
      const keyFile = path.join(dir, 'daemon.key');
      const key = createPrivateKey(fs.readFileSync(keyPath, 'utf8'));
      fs.writeFileSync(keyFile, key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: password }));
      fs.copyFileSync(certPath, path.join(dir, 'daemon.crt'));
      return { certificateFile: path.join(dir, 'daemon.crt'), keyFile, remove };
    }
    const name = `daemon-${form}.pfx`;
    exportPfx(dir, name, password, form, ['-in', certPath, '-inkey', keyPath]);
    return { certificateFile: path.join(dir, name), remove };
  }

  /** Adds and authorizes a credential by browser sign-in (code + PKCE), closing the sign-in tab. */
  async addAuthorized(name: string, options: SandboxCredentialOptions): Promise<void> {
    await this.addSandboxCredential(name, options);
    const popup = await this.authorize(name, 'tree');
    await this.signIn(popup, options.user, 'accept');
    await this.rowState(name, new RegExp(this.shown('Authorized')));
    await popup.close().catch(() => undefined);
  }

  /**
   * Adds an app-only credential of the sandbox's daemon app (client credentials, secret in the
   * request body) for `user`'s mailbox and authorizes it from its tree row: no browser.
   */
  async addAuthorizedAppOnly(name: string, user: string): Promise<void> {
    await this.addSandboxCredential(name, {
      grant: 'Client credentials',
      clientAuth: 'request body',
      clientId: this.sandbox.apps.daemonSecret.clientId,
      secret: this.sandbox.apps.daemonSecret.clientSecret,
      user
    });
    await this.workbench.contextMenu(this.workbench.credentialRow(name), this.shown('Authorize credential'));
    await this.rowState(name, new RegExp(this.shown('Authorized')));
  }

  /** Picks the credential when a command asks which one (it does not when only one fits). */
  async pickCredentialIfAsked(name: string): Promise<void> {
    const row = this.workbench.quickInput.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
    const asked = await row.waitFor({ state: 'visible', timeout: 10_000 }).then(
      () => true,
      () => false
    );
    if (!asked) return;
    // The credential pick has no title, nor has the recipient pick that may follow: wait for the row to go.
    await row.click();
    await row.waitFor({ state: 'hidden', timeout: 30_000 });
  }

  /** Waits until the tree row of `name` shows `state` (its description holds the state's label). */
  async rowState(name: string, state: RegExp): Promise<void> {
    await this.workbench.page.waitForFunction(
      ([label, pattern]) =>
        [...document.querySelectorAll('.pane-body .monaco-list-row')].some(
          (row) => row.textContent?.includes(label) && new RegExp(pattern).test(row.textContent ?? '')
        ),
      [name, state.source] as const,
      { timeout: 60_000 }
    );
  }
}
