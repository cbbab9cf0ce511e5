import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { CommandIds } from '../../../src/commands/commandIds';
import { multipartEml } from '../../support/emlFixtures';
import { closeUntilSettled, PRODUCT_ID, ProductLog } from './productLog';

/**
 * "Send this .eml file" as the Explorer runs it: the product's own command, in the real packaged
 * extension, with the URI of a file on disk; what it did is read from its log (productLog.ts).
 *
 * Runs after the activation suite (index.ts): sending loads the smtp chunk, which activation must not.
 */
describe('send an .eml chosen from the Explorer (the command with a file URI)', () => {
  const log = new ProductLog();
  let dir: string;

  const write = (name: string, content: Buffer) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return vscode.Uri.file(file);
  };
  const isOpenAsDocument = (uri: vscode.Uri) => vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());

  before(async () => {
    await vscode.extensions.getExtension(PRODUCT_ID)?.activate();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'm365-mail-exthost-eml-'));
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function assertRefusedAsBinary(uri: vscode.Uri): Promise<void> {
    const offset = log.offset();
    const running = vscode.commands.executeCommand(CommandIds.sendEml, uri);
    const line = await log.line(offset, /m365mail\.sendEml failed/);
    assert.match(line, /failed \[eml\.binary\]: The file is binary, not an RFC 5322 message \(it contains NUL bytes\)\./);
    await closeUntilSettled(running, 'notifications.clearAll');
    assert.doesNotMatch(log.since(offset), /failed unexpectedly|read from disk/);
    assert.equal(isOpenAsDocument(uri), false, 'the file was not opened as a text document');
  }

  it('refuses a binary .eml (a zip) with the reason the unit tests show, not "something unexpected"', async () => {
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0]), Buffer.alloc(4096, 0x8f), Buffer.alloc(64)]);
    await assertRefusedAsBinary(write('archive.eml', zip));
  });

  it('refuses an .eml whose headers look right but whose body holds a NUL byte, with the same reason', async () => {
    const good = multipartEml(['From: adele@contoso.com', 'Subject: NUL inside'], 'text', { filename: 'a.bin', bytes: Buffer.alloc(90 * 1024, 1) });
    const withNul = Buffer.concat([good.subarray(0, good.length - 20), Buffer.from([0]), good.subarray(good.length - 20)]);
    await assertRefusedAsBinary(write('nul.eml', withNul));
  });

  it('reads a good .eml from disk and summarizes it without opening it, before anything else is asked', async () => {
    // No credential is imported here: an import is a review the user confirms in a modal, which
    // nothing in the extension host can answer. The file is checked before credentials are looked
    // at, so the summary line shows either way; then the command asks who receives it (a
    // credential left by an earlier suite) or says to add one.
    const message = multipartEml(['From: adele@contoso.com', 'To: someone@fabrikam.test', 'Subject: From disk'], 'Hello', {
      filename: 'order.csv',
      bytes: Buffer.from('id;qty\r\n1;2\r\n')
    });
    const uri = write('good.eml', message);
    const offset = log.offset();
    const running = vscode.commands.executeCommand(CommandIds.sendEml, uri);
    const summarized = await log.line(offset, /\.eml (read from disk|taken from the editor)/);
    assert.match(summarized, new RegExp(`\\.eml read from disk: ${message.length} bytes checked and summarized in \\d+ ms`));
    // Either a prompt (which credential, who receives it) or the "add a credential first" error is shown: close both.
    await closeUntilSettled(running, 'workbench.action.closeQuickOpen', 'notifications.clearAll');
    const logged = log.since(offset);
    assert.match(logged, /m365mail\.sendEml: cancelled|m365mail\.sendEml failed \[no_credentials\]/);
    assert.doesNotMatch(logged, /failed unexpectedly|sent the \.eml/);
    assert.equal(isOpenAsDocument(uri), false, 'the file was not opened as a text document');
  });
});
