import * as assert from 'node:assert/strict';
import { CloudCatalog } from '../../../src/core/clouds';
import { AEM_MAIL_SERVICE_FILE, AEM_OAUTH_FILE, aemOsgiFiles } from '../../../src/core/handover/aem';
import { codeSpan, copyableFields, renderHandoverMarkdown, type HandoverDocument } from '../../../src/core/handover/fields';
import { parseSapHost, sapRedirectUri, sapSecurityMaterial } from '../../../src/core/handover/sap';
import { connectionTestScript, GRAPH_TOKEN_VARIABLE, shellQuote, TOKEN_VARIABLE } from '../../../src/core/handover/testScript';
import { uipathConnection } from '../../../src/core/handover/uipath';
import { validDefinition } from '../credentials/fixtures';

const clouds = new CloudCatalog();
const TENANT = 'contoso.onmicrosoft.com';

function documentOf(result: HandoverDocument | { kind: 'unsupported'; reason: string }): HandoverDocument {
  assert.ok(!('kind' in result), `unsupported: ${'reason' in result ? result.reason : ''}`);
  return result;
}

function valueOf(doc: HandoverDocument, label: string): string | undefined {
  const field = doc.fields.find((f) => f.label === label);
  assert.ok(field, `no field ${label}`);
  return field.value;
}

describe('hand-over: Adobe Experience Manager', () => {
  it('writes the two OSGi files with exactly the keys the AEM documentation names', () => {
    const result = aemOsgiFiles(validDefinition(), clouds);
    assert.equal(result.kind, 'files');
    if (result.kind !== 'files') return;
    const [oauthFile, mailFile] = result.files;
    assert.equal(oauthFile.fileName, AEM_OAUTH_FILE);
    assert.equal(mailFile.fileName, AEM_MAIL_SERVICE_FILE);
    const oauth = JSON.parse(oauthFile.text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(oauth), ['authUrl', 'tokenUrl', 'clientId', 'clientSecret', 'scopes', 'refreshUrl', 'refreshToken']);
    assert.equal(oauth.authUrl, `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize`);
    assert.equal(oauth.tokenUrl, `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`);
    assert.equal(oauth.refreshUrl, oauth.tokenUrl);
    assert.equal(oauth.clientId, '11111111-2222-3333-4444-555555555555');
    assert.equal(oauth.clientSecret, '$[secret:SECRET_SMTP_OAUTH_CLIENT_SECRET]');
    assert.equal(oauth.refreshToken, '$[secret:SECRET_SMTP_OAUTH_REFRESH_TOKEN]');
    assert.deepEqual(oauth.scopes, ['openid', 'https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send', 'offline_access']);
    const mail = JSON.parse(mailFile.text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(mail), [
      'smtp.host',
      'smtp.user',
      'smtp.password',
      'smtp.port',
      'from.address',
      'smtp.ssl',
      'smtp.starttls',
      'smtp.requiretls',
      'debug.email',
      'oauth.flow'
    ]);
    assert.deepEqual(mail, {
      'smtp.host': 'smtp.office365.com',
      'smtp.user': 'adele@contoso.com',
      'smtp.password': 'value not used',
      'smtp.port': 587,
      'from.address': 'adele@contoso.com',
      'smtp.ssl': false,
      'smtp.starttls': true,
      'smtp.requiretls': true,
      'debug.email': false,
      'oauth.flow': true
    });
  });

  it('leaves Graph scopes out, sends from the shared mailbox, and says SMTP AUTH is needed when sending is on Graph', () => {
    const def = validDefinition({
      sharedMailbox: 'orders@contoso.com',
      sendTransport: 'graph',
      scopes: [
        'https://outlook.office.com/IMAP.AccessAsUser.All',
        'https://graph.microsoft.com/Mail.Send.Shared',
        'https://graph.microsoft.com/User.Read',
        'offline_access'
      ]
    });
    const result = aemOsgiFiles(def, clouds);
    assert.equal(result.kind, 'files');
    if (result.kind !== 'files') return;
    const oauth = JSON.parse(result.files[0].text) as { scopes: string[] };
    assert.deepEqual(oauth.scopes, ['openid', 'https://outlook.office.com/IMAP.AccessAsUser.All', 'offline_access']);
    const mail = JSON.parse(result.files[1].text) as Record<string, unknown>;
    assert.equal(mail['from.address'], 'orders@contoso.com');
    assert.equal(mail['smtp.user'], 'adele@contoso.com');
    assert.ok(result.notes.some((n) => n.includes('SMTP AUTH')));
    assert.ok(result.notes.some((n) => n.includes('no SMTP.Send')));
  });

  it('uses implicit TLS flags for port 465', () => {
    const result = aemOsgiFiles(validDefinition({ smtp: { host: 'smtp.example.com', port: 465, security: 'tls' } }), clouds);
    if (result.kind !== 'files') return assert.fail(result.reason);
    const mail = JSON.parse(result.files[1].text) as Record<string, unknown>;
    assert.equal(mail['smtp.ssl'], true);
    assert.equal(mail['smtp.starttls'], false);
    assert.equal(mail['smtp.port'], 465);
  });

  it('refuses client credentials and IMAP-only credentials', () => {
    assert.equal(aemOsgiFiles(validDefinition({ grant: 'clientCredentials' }), clouds).kind, 'unsupported');
    assert.equal(aemOsgiFiles(validDefinition({ purpose: 'imap' }), clouds).kind, 'unsupported');
  });

  it("takes a generic credential's own endpoints", () => {
    const def = validDefinition({
      provider: 'generic',
      cloud: undefined,
      tenant: undefined,
      authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      scopes: ['https://mail.google.com/']
    });
    const result = aemOsgiFiles(def, clouds);
    if (result.kind !== 'files') return assert.fail(result.reason);
    const oauth = JSON.parse(result.files[0].text) as Record<string, unknown>;
    assert.equal(oauth.authUrl, 'https://accounts.google.com/o/oauth2/v2/auth');
    assert.equal(oauth.refreshUrl, 'https://oauth2.googleapis.com/token');
  });
});

describe('hand-over: SAP Cloud Integration', () => {
  it('reads the tenant host from a host or from the web UI address', () => {
    assert.deepEqual(parseSapHost('https://my-tenant.it-cpi018.cfapps.eu10-003.hana.ondemand.com/itspaces'), {
      host: 'my-tenant.it-cpi018.cfapps.eu10-003.hana.ondemand.com'
    });
    assert.deepEqual(parseSapHost(' Tenant.Example.com '), { host: 'tenant.example.com' });
    assert.ok('problem' in parseSapHost('http://tenant.example.com'));
    assert.ok('problem' in parseSapHost('https://tenant.example.com:8443'));
    assert.ok('problem' in parseSapHost('not a host'));
    assert.ok('problem' in parseSapHost(''));
    assert.equal(sapRedirectUri('tenant.example.com'), 'https://tenant.example.com/itspaces/odata/api/v1/OAuthTokenFromCode');
  });

  it('gives every field of the OAuth2 Authorization Code material, no secret among them', () => {
    const doc = documentOf(sapSecurityMaterial(validDefinition({ clientAuth: 'secretBasic' }), clouds, 'tenant.example.com'));
    assert.equal(valueOf(doc, 'Provider'), 'Microsoft 365');
    assert.equal(valueOf(doc, 'Authorization URL'), `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize`);
    assert.equal(valueOf(doc, 'Token Service URL'), `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`);
    assert.equal(valueOf(doc, 'Client ID'), '11111111-2222-3333-4444-555555555555');
    assert.equal(valueOf(doc, 'User Name'), 'adele@contoso.com');
    assert.equal(valueOf(doc, 'Scope'), 'https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access');
    assert.equal(valueOf(doc, 'Refresh Token Expiry'), '90');
    assert.equal(valueOf(doc, 'Redirect URL'), 'https://tenant.example.com/itspaces/odata/api/v1/OAuthTokenFromCode');
    assert.equal(valueOf(doc, 'Send As'), 'Basic Auth Header');
    assert.equal(valueOf(doc, 'Client Secret'), undefined);
    assert.ok(!copyableFields(doc).some((f) => f.label === 'Client Secret'));
  });

  it('refuses grants and clients the material cannot hold', () => {
    for (const def of [
      validDefinition({ grant: 'deviceCode', clientAuth: 'none' }),
      validDefinition({ grant: 'clientCredentials' }),
      validDefinition({ clientAuth: 'certificate' })
    ]) {
      const result = sapSecurityMaterial(def, clouds, 'tenant.example.com');
      assert.ok('kind' in result && result.kind === 'unsupported', `${def.grant}/${def.clientAuth}`);
    }
  });
});

describe('hand-over: UiPath Integration Service', () => {
  it('a browser sign-in with a secret is "Bring your own OAuth 2.0 app" with the account', () => {
    const doc = documentOf(uipathConnection(validDefinition({ sharedMailbox: 'orders@contoso.com' })));
    assert.equal(valueOf(doc, 'Authentication type'), 'Bring your own OAuth 2.0 app');
    assert.deepEqual(
      doc.fields.map((f) => f.label),
      ['Authentication type', 'Client ID', 'Client secret', 'Tenant ID', 'Environment', 'Account']
    );
    assert.equal(valueOf(doc, 'Account'), 'orders@contoso.com');
    assert.equal(valueOf(doc, 'Tenant ID'), TENANT);
    assert.equal(valueOf(doc, 'Environment'), 'Office 365 (default)');
    assert.equal(valueOf(doc, 'Client secret'), undefined);
  });

  it('client credentials with a secret is "OAuth 2.0 Client credentials" without environment or account', () => {
    const doc = documentOf(uipathConnection(validDefinition({ grant: 'clientCredentials', cloud: 'usGovHigh' })));
    assert.equal(valueOf(doc, 'Authentication type'), 'OAuth 2.0 Client credentials');
    assert.deepEqual(
      doc.fields.map((f) => f.label),
      ['Authentication type', 'Client ID', 'Client secret', 'Tenant ID', 'Scopes']
    );
  });

  it('a certificate is "Client Certificate Authentication", with the environment of the cloud', () => {
    const doc = documentOf(uipathConnection(validDefinition({ grant: 'clientCredentials', clientAuth: 'certificate', cloud: 'usGovDoD' })));
    assert.equal(valueOf(doc, 'Authentication type'), 'Client Certificate Authentication');
    assert.deepEqual(
      doc.fields.map((f) => f.label),
      ['Authentication type', 'Client ID', 'Password for the certificate', 'OAuth base64 client certificate', 'Tenant ID', 'Environment', 'Account']
    );
    assert.equal(valueOf(doc, 'Environment'), 'US Government L5 - Public Sector domain');
    assert.equal(valueOf(doc, 'Password for the certificate'), undefined);
    assert.equal(valueOf(doc, 'OAuth base64 client certificate'), undefined);
  });

  it('refuses public clients and generic providers', () => {
    assert.ok('kind' in uipathConnection(validDefinition({ grant: 'deviceCode', clientAuth: 'none' })));
    assert.ok('kind' in uipathConnection(validDefinition({ provider: 'generic' })));
  });
});

describe('hand-over: the curl script', () => {
  const sentinel = 'eyJ0eXAiOiJKV1QiSENTINEL';

  it('tests IMAP and SMTP with the token from $M365MAIL_TOKEN, never inline', () => {
    const script = connectionTestScript(validDefinition(), clouds);
    assert.deepEqual(script.variables, [{ name: TOKEN_VARIABLE, resource: 'exchange' }]);
    assert.match(
      script.text,
      /curl .*--url 'imaps:\/\/outlook\.office365\.com:993\/' --login-options 'AUTH=XOAUTH2' --user 'adele@contoso\.com:' --oauth2-bearer "\$M365MAIL_TOKEN" --request 'EXAMINE INBOX'/
    );
    assert.match(
      script.text,
      /curl .*--url 'smtp:\/\/smtp\.office365\.com:587' --ssl-reqd --login-options 'AUTH=XOAUTH2' .*--oauth2-bearer "\$M365MAIL_TOKEN"/
    );
    assert.match(script.text, /: "\$\{M365MAIL_TOKEN:\?/);
    assert.match(script.text, /read -rs M365MAIL_TOKEN && export M365MAIL_TOKEN/);
    assert.doesNotMatch(script.text, /export M365MAIL_TOKEN=/);
    assert.doesNotMatch(script.text, /Bearer [A-Za-z0-9]/);
    assert.ok(!script.text.includes(sentinel));
    assert.doesNotMatch(script.text, /graph\.microsoft\.com/);
  });

  it('uses Graph where the credential does, with a second variable when both resources are used', () => {
    const both = connectionTestScript(validDefinition({ sendTransport: 'graph' }), clouds);
    assert.deepEqual(both.variables, [
      { name: TOKEN_VARIABLE, resource: 'exchange' },
      { name: GRAPH_TOKEN_VARIABLE, resource: 'graph' }
    ]);
    assert.match(both.text, /--oauth2-bearer "\$M365MAIL_GRAPH_TOKEN" .*'https:\/\/graph\.microsoft\.com\/v1\.0\/users\/adele%40contoso\.com\/sendMail'/);
    assert.doesNotMatch(both.text, /smtp:\/\//);
    assert.match(both.text, /imaps:\/\//);

    const graphOnly = connectionTestScript(validDefinition({ sendTransport: 'graph', readTransport: 'graph' }), clouds);
    assert.deepEqual(graphOnly.variables, [{ name: TOKEN_VARIABLE, resource: 'graph' }]);
    assert.match(graphOnly.text, /mailFolders\/inbox/);
    assert.doesNotMatch(graphOnly.text, /imaps:|smtp:/);
  });

  it('quotes every value it puts on a command line', () => {
    assert.equal(shellQuote("o'brien@contoso.com"), `'o'\\''brien@contoso.com'`);
    const script = connectionTestScript(validDefinition({ name: `x'; rm -rf ~; '` }), clouds);
    assert.ok(!script.text.includes(`'x'; rm`));
  });
});

describe('hand-over: the Markdown document', () => {
  it('renders each value in a code span that survives backticks and pipes, and marks secrets', () => {
    assert.equal(codeSpan('a`b'), '``a`b``');
    const markdown = renderHandoverMarkdown({ title: 'T', intro: [], fields: [{ label: 'A', value: 'x|y' }, { label: 'S' }], notes: [] });
    assert.match(markdown, /\| A \| `x\\\|y` \|/);
    assert.match(markdown, /\| S \| \(secret: not shown\) \|/);
  });
});
