import * as assert from 'node:assert/strict';
import { exportDefinitions, ImportFormatError, parseExport } from '../../../src/core/portable';
import { validDefinition } from './fixtures';

describe('export and import of definitions', () => {
  it('round-trips every field but the id, which is new on import', () => {
    const original = validDefinition({ description: 'team mailbox', sharedMailbox: 'orders@contoso.com' });
    const [imported] = parseExport(exportDefinitions([original]));
    const { id, ...rest } = imported;
    const { id: originalId, ...originalRest } = original;
    assert.deepEqual(rest, originalRest);
    assert.notEqual(id, originalId);
  });

  it('drops anything that is not a definition field, such as a pasted secret', () => {
    const text = JSON.stringify({
      format: 'm365mail.credentials',
      version: 1,
      credentials: [{ ...validDefinition(), clientSecret: 'Zz8Q~pasted', refreshToken: 'rt' }]
    });
    const [imported] = parseExport(text);
    assert.equal('clientSecret' in imported, false);
    assert.equal('refreshToken' in imported, false);
  });

  it('never writes a secret-looking field', () => {
    const withExtra = { ...validDefinition(), clientSecret: 'should-not-appear' } as ReturnType<typeof validDefinition>;
    assert.doesNotMatch(exportDefinitions([withExtra]), /should-not-appear/);
  });

  it('explains files it cannot read', () => {
    assert.throws(() => parseExport('{'), ImportFormatError);
    assert.throws(() => parseExport('{"format":"other"}'), /not an M365 Mail export/);
    assert.throws(() => parseExport('{"format":"m365mail.credentials","version":9,"credentials":[]}'), /version 9/);
    assert.throws(() => parseExport('{"format":"m365mail.credentials","version":1,"credentials":[1]}'), /#1 is not an object/);
  });
});
