import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OTHER_ERROR_CODE, telemetryErrorCode } from '../../../src/core/telemetryCodes';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []
  );
}

/** Telemetry carries codes, never text from a server or a user: unknown codes are sent as "other". */
describe('telemetry error codes', () => {
  it('keeps known codes, AADSTS numbers and SMTP reply codes', () => {
    for (const code of [
      'invalid_grant',
      'state_mismatch',
      'network.dns',
      'tls.untrusted',
      'imap.auth_failed',
      'AADSTS7000215',
      'smtp.535 5.7.139',
      'smtp.421'
    ]) {
      assert.equal(telemetryErrorCode(code), code);
    }
  });

  it('sends nothing when there was no error', () => {
    assert.equal(telemetryErrorCode(''), '');
    assert.equal(telemetryErrorCode(undefined), '');
  });

  it('turns a code taken from server or library text into "other"', () => {
    for (const code of [
      'adele@contoso.com',
      'imap.[ALERT] mailbox adele@contoso.com over quota',
      'smtp.535 5.7.139 Authentication unsuccessful',
      'AADSTS50011 redirect http://evil.example',
      'custom_server_error',
      'INVALID_GRANT',
      'eyJhbGciOiJSUzI1NiJ9.e30.sig'
    ]) {
      assert.equal(telemetryErrorCode(code), OTHER_ERROR_CODE, code);
    }
  });

  it('knows every literal code the extension itself throws', () => {
    const thrown = new Set<string>();
    for (const file of sourceFiles('src')) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:M365MailError|AuthError)\(\s*'([^']+)'/g)) thrown.add(match[1]);
      for (const match of text.matchAll(/code: '((?:network|tls|imap|smtp|protocol)\.[A-Za-z_]+)'/g)) thrown.add(match[1]);
    }
    assert.ok(thrown.size > 20, `found only ${thrown.size} codes: the scan is broken`);
    const unknown = [...thrown].filter((code) => telemetryErrorCode(code) !== code);
    assert.deepEqual(unknown, [], 'add these to core/telemetryCodes.ts');
  });
});
