import * as assert from 'node:assert/strict';
import { CloudCatalog } from '../../../src/core/clouds';
import * as v from '../../../src/core/validation';
import { validDefinition } from './fixtures';

const clouds = new CloudCatalog();

describe('credential validation', () => {
  it('accepts a complete Microsoft 365 definition', () => {
    assert.deepEqual(v.validateDefinition(validDefinition(), clouds), []);
  });

  it('accepts a generic (Gmail-like) definition with its own scopes', () => {
    const def = validDefinition({
      provider: 'generic',
      cloud: undefined,
      tenant: undefined,
      clientId: '1234-abc.apps.googleusercontent.com',
      issuer: 'https://accounts.google.com',
      authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      scopes: ['https://mail.google.com/']
    });
    assert.deepEqual(v.validateDefinition(def, clouds), []);
  });

  const bad: Array<[string, Parameters<typeof validDefinition>[0], RegExp]> = [
    ['an empty name', { name: '  ' }, /Enter a name/],
    ['a tenant that is neither GUID, domain nor keyword', { tenant: 'contoso' }, /not a tenant ID/],
    ['a client ID that is not a GUID', { clientId: 'my-app' }, /must be a GUID/],
    ['a user name that is not an address', { userName: 'adele' }, /not an email address/],
    ['a shared mailbox with a space', { sharedMailbox: 'shared box@contoso.com' }, /not an email address/],
    // The user name becomes the XOAUTH2 string's `user=` field, which ^A ends (RFC 7628 section 3.1).
    [
      'a user name with ^A and a field after it',
      { userName: 'adele@contoso.com\x01auth=Bearer forged' },
      /Control characters .* cannot be part of the user name/
    ],
    ['a user name with NUL inside', { userName: 'adele\x00@contoso.com' }, /Control characters .* cannot be part of the user name/],
    ['a user name with DEL inside', { userName: 'ad\x7fele@contoso.com' }, /Control characters .* cannot be part of the user name/],
    ['a shared mailbox ending in a line break', { sharedMailbox: 'shared@contoso.com\r\n' }, /Control characters .* cannot be part of the shared mailbox/],
    ['a scope from another cloud', { scopes: ['https://outlook.office365.us/SMTP.Send'] }, /Unknown scope/],
    ['a typo in a scope', { scopes: ['https://outlook.office.com/IMAP.AccessAsUser.Al'] }, /Unknown scope/],
    ['no scope', { scopes: [] }, /at least one scope/],
    ['a refresh expiry of 2 days', { refreshTokenExpiryDays: 2 }, /from 3 to 90/],
    ['a refresh expiry of 91 days', { refreshTokenExpiryDays: 91 }, /from 3 to 90/],
    ['an IMAP host with a scheme', { imap: { host: 'https://outlook.office365.com', port: 993, security: 'tls' } }, /not a host name/],
    ['an SMTP port of 0', { smtp: { host: 'smtp.office365.com', port: 0, security: 'starttls' } }, /port number/],
    ['an http redirect URI to a remote host', { redirectUri: 'http://example.com/cb' }, /localhost or 127\.0\.0\.1/],
    ['an unknown cloud', { cloud: 'mars' }, /Unknown Microsoft cloud/],
    [
      'client credentials without a secret or certificate',
      { grant: 'clientCredentials', clientAuth: 'none', scopes: ['https://outlook.office365.com/.default'] },
      /need a client secret/
    ],
    [
      'client credentials with delegated scopes',
      { grant: 'clientCredentials', scopes: ['https://outlook.office.com/SMTP.Send'] },
      /one scope ending in \/\.default per resource/
    ],
    ['device code for a confidential client', { grant: 'deviceCode' }, /public clients/],
    [
      'an extra parameter that overrides PKCE',
      { extraAuthorizationParameters: { code_challenge_method: 'plain' } },
      /"code_challenge_method" is set by M365 Mail/
    ],
    ['an extra redirect_uri in another case', { extraAuthorizationParameters: { Redirect_URI: 'https://evil.example' } }, /"Redirect_URI" is set by M365 Mail/],
    ['an extra request_uri', { extraAuthorizationParameters: { request_uri: 'https://evil.example/r' } }, /"request_uri" is set by M365 Mail/],
    ['an extra parameter that is not a string', { extraAuthorizationParameters: { prompt: 1 as unknown as string } }, /"prompt" must be a string/],
    ['extra parameters that are a list', { extraAuthorizationParameters: ['a'] as unknown as Record<string, string> }, /must be an object/]
  ];
  for (const [what, overrides, message] of bad) {
    it(`refuses ${what}`, () => {
      const problems = v.validateDefinition(validDefinition(overrides), clouds);
      assert.ok(
        problems.some((p) => message.test(p)),
        `expected ${message} in ${JSON.stringify(problems)}`
      );
    });
  }

  it('accepts UI parameters such as prompt and access_type as extras', () => {
    assert.equal(v.validateExtraAuthorizationParameters({ prompt: 'consent', access_type: 'offline', domain_hint: 'contoso.com' }), undefined);
  });

  it('refuses a duplicate name, case-insensitively', () => {
    assert.match(v.validateName('orders MAILBOX', ['Orders mailbox']) ?? '', /already exists/);
  });

  it('requires https for endpoints except on loopback', () => {
    assert.equal(v.validateEndpointUrl('https://login.example.com/token', 'x'), undefined);
    assert.equal(v.validateEndpointUrl('http://127.0.0.1:8443/token', 'x'), undefined);
    assert.equal(v.validateEndpointUrl('http://localhost/token', 'x'), undefined);
    assert.match(v.validateEndpointUrl('http://login.example.com/token', 'The token URL') ?? '', /must use https/);
    assert.match(v.validateEndpointUrl('login.example.com/token', 'The token URL') ?? '', /not a valid URL/);
    assert.match(v.validateEndpointUrl('ftp://login.example.com', 'The token URL') ?? '', /must use https/);
  });

  it('accepts tenant IDs, domains and the keywords', () => {
    for (const t of ['72f988bf-86f1-41af-91ab-2d7cd011db47', 'contoso.onmicrosoft.com', 'organizations', 'common', 'consumers']) {
      assert.equal(v.validateTenant(t), undefined, t);
    }
  });

  it('checks generic endpoints', () => {
    const def = validDefinition({
      provider: 'generic',
      clientId: 'x',
      authorizationUrl: 'http://idp.example.com/auth',
      tokenUrl: 'not a url',
      scopes: ['mail']
    });
    const problems = v.validateDefinition(def, clouds);
    assert.ok(problems.some((p) => /authorization URL must use https/.test(p)));
    assert.ok(problems.some((p) => /token URL is not a valid URL/.test(p)));
    assert.ok(
      problems.some((p) => /Enter the issuer/.test(p)),
      'a generic definition without an issuer (an old or hand-made file) is refused'
    );
  });

  it('takes an issuer as RFC 8414 defines it: https (http on loopback), no query, no fragment', () => {
    assert.equal(v.validateIssuer('https://accounts.google.com'), undefined);
    assert.equal(v.validateIssuer('https://login.example.com/tenant/v2.0'), undefined);
    assert.equal(v.validateIssuer('http://127.0.0.1:8443/t'), undefined);
    assert.match(v.validateIssuer('') ?? '', /Enter the issuer/);
    assert.match(v.validateIssuer('http://login.example.com') ?? '', /must use https/);
    assert.match(v.validateIssuer('https://login.example.com/?tenant=x') ?? '', /no query/);
    assert.match(v.validateIssuer('https://login.example.com/#x') ?? '', /fragment/);
  });
});
