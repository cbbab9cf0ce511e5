import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'm365mail.m365-mail';

interface Manifest {
  contributes: {
    commands: Array<{ command: string }>;
    views: Record<string, Array<{ id: string }>>;
    viewsContainers: { activitybar: Array<{ id: string }> };
  };
}

describe('activation', () => {
  let extension: vscode.Extension<unknown>;

  before(async () => {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `${EXTENSION_ID} is installed`);
    extension = found;
    await extension.activate();
  });

  it('activates', () => {
    assert.equal(extension.isActive, true);
  });

  it('registers every command it contributes, all in the m365mail namespace', async () => {
    const manifest = extension.packageJSON as Manifest;
    const contributed = manifest.contributes.commands.map((c) => c.command);
    assert.ok(contributed.length > 0);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of contributed) {
      assert.match(id, /^m365mail\./);
      assert.ok(registered.has(id), `${id} is registered`);
    }
  });

  it('contributes the M365 Mail container with the Credentials view, and the view opens', async () => {
    const manifest = extension.packageJSON as Manifest;
    assert.deepEqual(
      manifest.contributes.viewsContainers.activitybar.map((c) => c.id),
      ['m365mail']
    );
    assert.deepEqual(
      manifest.contributes.views.m365mail.map((v) => v.id),
      ['m365mail.credentials']
    );
    // The focus command exists only for a registered view, and fails if the view cannot be shown.
    await vscode.commands.executeCommand('m365mail.credentials.focus');
  });

  it('loads no heavy module at activation', () => {
    const root = extension.extensionUri.fsPath;
    const loaded = Object.keys(require.cache).filter((file) => file.startsWith(root));
    assert.ok(
      loaded.some((file) => file.endsWith('extension.js')),
      `dist/extension.js is loaded (${loaded.join(', ')})`
    );
    const heavy = loaded.filter((file) =>
      /[\\/]chunks[\\/]|msal|node-forge|nodemailer|imapflow|mailparser|applicationinsights|microsoft-graph-client/i.test(file)
    );
    assert.deepEqual(heavy, []);
  });

  it('runs "Show log" without error', async () => {
    await vscode.commands.executeCommand('m365mail.showLog');
  });
});
