import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { CommandIds } from '../../../src/commands/commandIds';
import { exportDefinitions } from '../../../src/core/portable';
import { validDefinition } from '../../unit/credentials/fixtures';
import { closeUntilSettled, PRODUCT_ID, ProductLog } from './productLog';

/**
 * "Import credentials" with the URI of a definition file, the product's own command in the real
 * packaged extension: a file with one definition that may not be saved saves none of the others,
 * before any review is shown. (The review itself is a modal for the end-to-end tier to answer.)
 */
describe('import a definition file (the command with a file URI)', () => {
  const log = new ProductLog();
  let dir: string;

  before(async () => {
    await vscode.extensions.getExtension(PRODUCT_ID)?.activate();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'm365-mail-exthost-import-'));
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('saves nothing when one definition of the file may not be saved, and names each problem', async () => {
    const good = validDefinition({ id: 'x', name: 'Import: good' });
    // A tampered file: a user name that would end the XOAUTH2 user= field, and a parameter that would turn PKCE off.
    const injected = validDefinition({ id: 'y', name: 'Import: injected user', userName: 'adele@contoso.com\x01auth=Bearer forged' });
    const pkceOff = validDefinition({
      id: 'z',
      name: 'Import: PKCE off',
      provider: 'generic',
      cloud: undefined,
      tenant: undefined,
      clientId: 'team-app',
      issuer: 'https://login.example.com',
      authorizationUrl: 'https://login.example.com/authorize',
      tokenUrl: 'https://login.example.com/token',
      scopes: ['mail'],
      extraAuthorizationParameters: { code_challenge_method: 'plain' }
    });
    const file = path.join(dir, 'team.m365mail.json');
    fs.writeFileSync(file, exportDefinitions([good, injected, pkceOff]));

    const offset = log.offset();
    const running = vscode.commands.executeCommand(CommandIds.importCredentials, vscode.Uri.file(file));
    const line = await log.line(offset, /m365mail\.importCredentials failed/);
    await closeUntilSettled(running, 'notifications.clearAll');
    assert.match(line, /failed \[invalid_import\]: Nothing was imported\./);
    assert.match(line, /Import: injected user: Control characters .* cannot be part of the user name/);
    assert.match(line, /Import: PKCE off: The extra authorization parameter "code_challenge_method" is set by M365 Mail itself/);
    assert.doesNotMatch(line, /Import: good/, 'the good one has no problem to name');
    assert.doesNotMatch(log.since(offset), /saved credential/, 'not even the good one was saved');
  });
});
