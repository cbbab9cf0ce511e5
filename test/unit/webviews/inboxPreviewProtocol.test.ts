import * as assert from 'node:assert/strict';
import { validateFolderName } from '../../../src/core/validation';
import { parseWebviewMessage, type Listed } from '../../../src/webviews/inboxPreview/protocol';

/** The inbox preview page renders hostile mail: what it posts is checked before it reaches IMAP or Graph. */
describe('inbox preview: messages from the webview', () => {
  const cursor = '0b4f3c1e-8d2a-4c5b-9e7f-1a2b3c4d5e6f';
  const imap: Listed = {
    idKind: 'imapUid',
    folders: new Set(['INBOX', 'Sent Items', 'Archive/2024']),
    messages: new Map([
      ['INBOX', new Set(['7'])],
      ['Sent Items', new Set(['4294967295'])]
    ]),
    cursors: new Set([cursor])
  };
  // Shaped like Exchange's IDs: base64url with '-', '_' and '=' padding.
  const graphFolder = 'AAMkAGVmMDEzMTM4LTZmYWUtNDdkNC1hMDZiLTU1OGY5OTZhYmY4OAAuAAAAAAAiQ8W967B7TKBjgx9rVEURAQAiIsqMbYjsT5e-T7KzowPTAAAAAAEMAAA=';
  const graphMessage =
    'AAMkAGVmMDEzMTM4LTZmYWUtNDdkNC1hMDZiLTU1OGY5OTZhYmY4OABGAAAAAAAiQ8W967B7TKBjgx9rVEURBwAiIsqMbYjsT5e-T7KzowPTAAAAAAEMAAAiIsqMbYjsT5e-T7KzowPTAAAYbvZjAAA=';
  const graph: Listed = {
    idKind: 'graphId',
    folders: new Set([graphFolder]),
    messages: new Map([[graphFolder, new Set([graphMessage, 'eyJmIjoiSU5CT1giLCJ2IjoxLCJ1Ijo0Mn0'])]]),
    cursors: new Set([cursor])
  };

  it('passes every well-formed IMAP message through, with only its own fields', () => {
    const good = [
      { type: 'ready' },
      { type: 'refresh' },
      { type: 'selectFolder', folder: 'Archive/2024' },
      { type: 'loadMore', folder: 'INBOX', cursor },
      { type: 'openMessage', folder: 'INBOX', id: '7' },
      { type: 'allowRemote', folder: 'Sent Items', id: '4294967295' },
      { type: 'openAsEml', folder: 'INBOX', id: '7', target: 'file' }
    ];
    for (const message of good) assert.deepEqual(parseWebviewMessage({ ...message, extra: 'dropped' }, imap), { message });
  });

  it('passes Graph folder and message IDs, which are opaque strings, when the panel listed them', () => {
    const good = [
      { type: 'selectFolder', folder: graphFolder },
      { type: 'loadMore', folder: graphFolder, cursor },
      { type: 'openMessage', folder: graphFolder, id: graphMessage },
      { type: 'allowRemote', folder: graphFolder, id: 'eyJmIjoiSU5CT1giLCJ2IjoxLCJ1Ijo0Mn0' },
      { type: 'openAsEml', folder: graphFolder, id: graphMessage, target: 'editor' }
    ];
    for (const message of good) assert.deepEqual(parseWebviewMessage(message, graph), { message });
  });

  const badImap: Array<[string, unknown]> = [
    ['no object', 'ready'],
    ['null', null],
    ['an unknown type', { type: 'deleteMessage', folder: 'INBOX', id: '7' }],
    ['no type', { folder: 'INBOX' }],
    ['a uid of 0', { type: 'openMessage', folder: 'INBOX', id: '0' }],
    ['a negative uid', { type: 'openMessage', folder: 'INBOX', id: '-1' }],
    ['a uid with a leading zero', { type: 'openMessage', folder: 'INBOX', id: '07' }],
    ['a fractional uid', { type: 'allowRemote', folder: 'INBOX', id: '1.5' }],
    ['a uid set', { type: 'openMessage', folder: 'INBOX', id: '1:*' }],
    ['a uid above 32 bits', { type: 'openMessage', folder: 'INBOX', id: String(2 ** 32) }],
    ['a uid as a number (the old protocol)', { type: 'openMessage', folder: 'INBOX', uid: 7 }],
    ['an id as a number', { type: 'openMessage', folder: 'INBOX', id: 7 }],
    ['a Graph ID for an IMAP reader', { type: 'openMessage', folder: 'INBOX', id: graphMessage }],
    ['a well-formed uid the panel did not list', { type: 'openMessage', folder: 'INBOX', id: '8' }],
    ['a listed uid in another folder', { type: 'openAsEml', folder: 'Sent Items', id: '7', target: 'file' }],
    ['a missing cursor', { type: 'loadMore', folder: 'INBOX' }],
    ['a sequence number as the cursor (the old protocol)', { type: 'loadMore', folder: 'INBOX', beforeSeq: 50 }],
    ['a cursor the panel did not issue', { type: 'loadMore', folder: 'INBOX', cursor: '11111111-2222-4333-8444-555555555555' }],
    ['a URL as the cursor', { type: 'loadMore', folder: 'INBOX', cursor: 'https://evil.example/v1.0/me/messages' }],
    ['a folder the panel did not list', { type: 'selectFolder', folder: 'Secret' }],
    ['a folder that is not a string', { type: 'selectFolder', folder: ['INBOX'] }],
    ['a folder with CRLF', { type: 'selectFolder', folder: 'INBOX\r\nA1 LOGOUT' }],
    ['an unknown target', { type: 'openAsEml', folder: 'INBOX', id: '7', target: 'shell' }],
    ['no target', { type: 'openAsEml', folder: 'INBOX', id: '7' }]
  ];
  for (const [what, value] of badImap) {
    it(`refuses ${what}`, () => {
      const parsed = parseWebviewMessage(value, imap);
      assert.ok('problem' in parsed, JSON.stringify(parsed));
    });
  }

  const badGraph: Array<[string, unknown]> = [
    ['a path in the ID', { type: 'openMessage', folder: graphFolder, id: '../../users/ceo@contoso.test/messages/x' }],
    ['a query in the ID', { type: 'openMessage', folder: graphFolder, id: 'abc?$select=body' }],
    ['a percent-escape in the ID', { type: 'openMessage', folder: graphFolder, id: 'abc%2F..' }],
    ['a space in the ID', { type: 'openMessage', folder: graphFolder, id: 'abc def' }],
    ['an empty ID', { type: 'openMessage', folder: graphFolder, id: '' }],
    ['an ID over 1024 characters', { type: 'openMessage', folder: graphFolder, id: 'A'.repeat(1025) }],
    ['a well-formed ID the panel did not list', { type: 'openAsEml', folder: graphFolder, id: 'AAMkAGother=', target: 'editor' }],
    ['a folder by its well-known name, which the panel never listed', { type: 'selectFolder', folder: 'inbox' }]
  ];
  for (const [what, value] of badGraph) {
    it(`refuses, from a Graph panel, ${what}`, () => {
      const parsed = parseWebviewMessage(value, graph);
      assert.ok('problem' in parsed, JSON.stringify(parsed));
    });
  }

  it('before anything is listed, accepts any well-formed folder, still refuses control characters, and refuses every message ID', () => {
    const fresh: Listed = { idKind: 'imapUid', messages: new Map() };
    assert.ok('message' in parseWebviewMessage({ type: 'selectFolder', folder: 'Anything' }, fresh));
    assert.ok('problem' in parseWebviewMessage({ type: 'selectFolder', folder: 'A\0B' }, fresh));
    assert.ok('problem' in parseWebviewMessage({ type: 'openMessage', folder: 'INBOX', id: '1' }, fresh));
  });

  it('refuses folder names with any C0 control character or DEL, and accepts Unicode names', () => {
    for (const c of ['\r', '\n', '\0', '\t', '\x1b', '\x7f']) assert.match(validateFolderName(`Box${c}`) ?? '', /control characters/, JSON.stringify(c));
    assert.equal(validateFolderName('Éléments envoyés'), undefined);
    assert.match(validateFolderName('') ?? '', /non-empty/);
  });
});
