import * as assert from 'node:assert/strict';
import { BUILT_IN_CLOUDS } from '../../../src/core/clouds';
import { M365MailError } from '../../../src/core/errors';
import { decodeXoauth2, parseXoauth2, type CheckId, type Xoauth2Decoded } from '../../../src/core/xoauth2Decode';
import { formatXoauth2Report } from '../../../src/core/xoauth2Report';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const seconds = (ms: number) => Math.floor(ms / 1000);
const SIGNATURE = 'c2lnbmF0dXJlLXRoYXQtbXVzdC1uZXZlci1hcHBlYXI';

const jwt = (claims: Record<string, unknown>) =>
  [Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url'), Buffer.from(JSON.stringify(claims)).toString('base64url'), SIGNATURE].join('.');
const sasl = (user: string, token: string) => Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString('base64');

const delegated = (overrides: Record<string, unknown> = {}) => ({
  aud: 'https://outlook.office.com',
  iss: 'https://sts.windows.net/11111111-2222-3333-4444-555555555555/',
  tid: '11111111-2222-3333-4444-555555555555',
  scp: 'IMAP.AccessAsUser.All SMTP.Send',
  upn: 'adele@contoso.com',
  idtyp: 'user',
  iat: seconds(NOW) - 600,
  nbf: seconds(NOW) - 600,
  exp: seconds(NOW) + 45 * 60,
  ...overrides
});
const appOnly = (overrides: Record<string, unknown> = {}) => ({
  aud: 'https://outlook.office365.com',
  tid: '11111111-2222-3333-4444-555555555555',
  roles: ['IMAP.AccessAsApp', 'SMTP.SendAsApp'],
  idtyp: 'app',
  exp: seconds(NOW) + 3600,
  ...overrides
});

const decode = (input: string) => decodeXoauth2(input, { clouds: BUILT_IN_CLOUDS, now: NOW });
const status = (result: Xoauth2Decoded, id: CheckId) => result.checks.find((c) => c.id === id)?.status;
const detail = (result: Xoauth2Decoded, id: CheckId) => result.checks.find((c) => c.id === id)?.detail ?? '';
const refusedWith = (input: string, code: string) =>
  assert.throws(
    () => decode(input),
    (error: unknown) => error instanceof M365MailError && error.code === code && !error.message.includes(SIGNATURE)
  );

describe('decoding an XOAUTH2 string', () => {
  it('is green for a delegated Exchange token for its own user, with minutes left', () => {
    const result = decode(sasl('adele@contoso.com', jwt(delegated())));
    assert.equal(result.verdict, 'passed');
    assert.equal(result.user, 'adele@contoso.com');
    assert.deepEqual(result.protocols, ['imap', 'smtp']);
    assert.equal(result.appOnly, false);
    assert.match(detail(result, 'expiry'), /^45 minutes left/);
    assert.match(detail(result, 'tenant'), /11111111-2222-3333-4444-555555555555/);
  });

  it('accepts the string with the command around it, wrapped, and in base64url', () => {
    const raw = sasl('adele@contoso.com', jwt(delegated()));
    assert.equal(decode(`AUTH XOAUTH2 ${raw}`).verdict, 'passed');
    assert.equal(decode(`A1 AUTHENTICATE XOAUTH2 ${raw.slice(0, 40)}\n  ${raw.slice(40)}`).verdict, 'passed');
    const url = Buffer.from(Buffer.from(raw, 'base64')).toString('base64url');
    assert.equal(parseXoauth2(url).user, 'adele@contoso.com');
  });

  it('reads the user from unique_name or preferred_username, case-insensitively', () => {
    const result = decode(sasl('Adele@Contoso.com', jwt(delegated({ upn: undefined, preferred_username: 'adele@contoso.com' }))));
    assert.equal(status(result, 'user'), 'passed');
    const fromUniqueName = decode(sasl('adele@contoso.com', jwt(delegated({ upn: undefined, unique_name: 'adele@contoso.com' }))));
    assert.equal(status(fromUniqueName, 'user'), 'passed');
  });

  it('fails a Microsoft Graph token given for SMTP, and says what to ask for instead', () => {
    const result = decode(sasl('adele@contoso.com', jwt(delegated({ aud: 'https://graph.microsoft.com', scp: 'Mail.Send User.Read' }))));
    assert.equal(result.verdict, 'failed');
    assert.equal(status(result, 'audience'), 'failed');
    assert.match(detail(result, 'audience'), /Microsoft Graph token/);
    assert.match(detail(result, 'audience'), /SMTP\.Send/);
    assert.equal(status(result, 'permissions'), 'failed');
    assert.deepEqual(result.protocols, []);
  });

  it('knows the audiences of the other clouds and Exchange’s application ID', () => {
    assert.equal(status(decode(sasl('a@b.us', jwt(delegated({ aud: 'https://outlook.office365.us/' })))), 'audience'), 'passed');
    assert.equal(status(decode(sasl('a@b.cn', jwt(delegated({ aud: 'https://partner.outlook.cn' })))), 'audience'), 'passed');
    assert.equal(status(decode(sasl('a@b.c', jwt(delegated({ aud: '00000002-0000-0ff1-ce00-000000000000' })))), 'audience'), 'passed');
    assert.equal(status(decode(sasl('a@b.c', jwt(delegated({ aud: 'https://graph.microsoft.us' })))), 'audience'), 'failed');
    const other = decode(sasl('a@b.c', jwt(delegated({ aud: 'api://something-else' }))));
    assert.match(detail(other, 'audience'), /not Exchange Online/);
  });

  it('fails an expired token, saying how long ago', () => {
    const result = decode(sasl('adele@contoso.com', jwt(delegated({ exp: seconds(NOW) - 20 * 60 }))));
    assert.equal(result.verdict, 'failed');
    assert.equal(status(result, 'expiry'), 'failed');
    assert.match(detail(result, 'expiry'), /^Expired 20 minutes ago/);
  });

  it('fails a token not valid yet (a clock off by more than five minutes)', () => {
    const result = decode(sasl('adele@contoso.com', jwt(delegated({ nbf: seconds(NOW) + 3600 }))));
    assert.equal(status(result, 'expiry'), 'failed');
  });

  it('warns when user= is not the token’s user (works only for a mailbox it has Full Access to)', () => {
    const result = decode(sasl('info@contoso.com', jwt(delegated())));
    assert.equal(result.verdict, 'warning');
    assert.equal(status(result, 'user'), 'warning');
    assert.match(detail(result, 'user'), /user=info@contoso\.com but the token belongs to adele@contoso\.com/);
  });

  it('fails a delegated token without an IMAP, POP or SMTP scope', () => {
    const result = decode(sasl('adele@contoso.com', jwt(delegated({ scp: 'EWS.AccessAsUser.All' }))));
    assert.equal(status(result, 'permissions'), 'failed');
    assert.match(detail(result, 'permissions'), /IMAP\.AccessAsUser\.All/);
  });

  it('judges an app-only token by its roles, for any mailbox', () => {
    const result = decode(sasl('shared@contoso.com', jwt(appOnly())));
    assert.equal(result.verdict, 'passed');
    assert.equal(result.appOnly, true);
    assert.deepEqual(result.protocols, ['imap', 'smtp']);
    assert.match(detail(result, 'user'), /Add-MailboxPermission/);
    const withoutRoles = decode(sasl('shared@contoso.com', jwt(appOnly({ roles: ['full_access_as_app'] }))));
    assert.equal(status(withoutRoles, 'permissions'), 'failed');
    assert.match(detail(withoutRoles, 'permissions'), /SMTP\.SendAsApp/);
  });

  it('refuses each kind of bad input with its own code', () => {
    refusedWith('   ', 'xoauth2.empty');
    refusedWith('user=adele@contoso.com auth=Bearer x', 'xoauth2.not_base64');
    refusedWith(Buffer.from(`auth=Bearer ${jwt(delegated())}\x01\x01`).toString('base64'), 'xoauth2.no_user');
    refusedWith(Buffer.from('user=adele@contoso.com\x01auth=Basic cGFzcw==\x01\x01').toString('base64'), 'xoauth2.no_bearer');
    refusedWith(Buffer.from('hello world').toString('base64'), 'xoauth2.no_user');
    refusedWith(jwt(delegated()), 'xoauth2.bare_token');
    refusedWith(Buffer.from(`n,a=adele@contoso.com,\x01auth=Bearer ${jwt(delegated())}\x01\x01`).toString('base64'), 'xoauth2.oauthbearer');
    refusedWith(sasl('adele@contoso.com', 'EwBwA8l6BAAUopaqueTokenWithoutDots'), 'xoauth2.opaque_token');
    refusedWith(sasl('adele@contoso.com', 'eyJhbGciOiJSUzI1NiJ9.bm90LWpzb24.sig'), 'xoauth2.not_jwt');
  });

  it('writes a report with the claims and the verdict but never the token', () => {
    const token = jwt(delegated());
    const markdown = formatXoauth2Report(decode(sasl('adele@contoso.com', token)));
    assert.match(markdown, /Exchange Online should accept this string for IMAP, SMTP/);
    assert.match(markdown, /\| upn \| adele@contoso\.com \|/);
    assert.match(markdown, /user=adele@contoso\.com/);
    assert.ok(!markdown.includes(token));
    assert.ok(!markdown.includes(SIGNATURE));
    assert.ok(!markdown.includes(sasl('adele@contoso.com', token)));
  });
});
