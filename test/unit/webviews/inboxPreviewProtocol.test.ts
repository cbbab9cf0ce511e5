import * as assert from 'node:assert/strict';
import { validateFolderName } from '../../../src/core/validation';
import { parseWebviewMessage } from '../../../src/webviews/inboxPreview/protocol';

/** The inbox preview page renders hostile mail: what it posts is checked before it reaches IMAP. */
describe('inbox preview: messages from the webview', () => {
  const listed = new Set(['INBOX', 'Sent Items', 'Archive/2024']);

  it('passes every well-formed message through, with only its own fields', () => {
    const good = [
      { type: 'ready' },
      { type: 'refresh' },
      { type: 'selectFolder', folder: 'Archive/2024' },
      { type: 'loadMore', folder: 'INBOX', beforeSeq: 50 },
      { type: 'openMessage', folder: 'INBOX', uid: 7 },
      { type: 'allowRemote', folder: 'Sent Items', uid: 4294967295 },
      { type: 'openAsEml', folder: 'INBOX', uid: 7, target: 'file' }
    ];
    for (const message of good) assert.deepEqual(parseWebviewMessage({ ...message, extra: 'dropped' }, listed), { message });
  });

  const bad: Array<[string, unknown]> = [
    ['no object', 'ready'],
    ['null', null],
    ['an unknown type', { type: 'deleteMessage', folder: 'INBOX', uid: 1 }],
    ['no type', { folder: 'INBOX' }],
    ['a uid of 0', { type: 'openMessage', folder: 'INBOX', uid: 0 }],
    ['a negative uid', { type: 'openMessage', folder: 'INBOX', uid: -1 }],
    ['a fractional uid', { type: 'allowRemote', folder: 'INBOX', uid: 1.5 }],
    ['a uid as text', { type: 'openMessage', folder: 'INBOX', uid: '1:*' }],
    ['a uid above 32 bits', { type: 'openMessage', folder: 'INBOX', uid: 2 ** 32 }],
    ['a missing beforeSeq', { type: 'loadMore', folder: 'INBOX' }],
    ['a folder the panel did not list', { type: 'selectFolder', folder: 'Secret' }],
    ['a folder that is not a string', { type: 'selectFolder', folder: ['INBOX'] }],
    ['a folder with CRLF', { type: 'selectFolder', folder: 'INBOX\r\nA1 LOGOUT' }],
    ['an unknown target', { type: 'openAsEml', folder: 'INBOX', uid: 1, target: 'shell' }],
    ['no target', { type: 'openAsEml', folder: 'INBOX', uid: 1 }]
  ];
  for (const [what, value] of bad) {
    it(`refuses ${what}`, () => {
      const parsed = parseWebviewMessage(value, listed);
      assert.ok('problem' in parsed, JSON.stringify(parsed));
    });
  }

  it('before the folder list is sent, accepts any well-formed folder and still refuses control characters', () => {
    assert.ok('message' in parseWebviewMessage({ type: 'selectFolder', folder: 'Anything' }));
    assert.ok('problem' in parseWebviewMessage({ type: 'selectFolder', folder: 'A\0B' }));
  });

  it('refuses folder names with any C0 control character or DEL, and accepts Unicode names', () => {
    for (const c of ['\r', '\n', '\0', '\t', '\x1b', '\x7f']) assert.match(validateFolderName(`Box${c}`) ?? '', /control characters/, JSON.stringify(c));
    assert.equal(validateFolderName('Éléments envoyés'), undefined);
    assert.match(validateFolderName('') ?? '', /non-empty/);
  });
});
