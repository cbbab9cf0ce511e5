import * as assert from 'node:assert/strict';
import { CloudCatalog, GENERIC_PRESETS } from '../../../src/core/clouds';
import type { CredentialDefinition } from '../../../src/core/model';
import {
  classifyDestination,
  definitionFingerprint,
  describeVerdict,
  normalizeHost,
  serverLabel,
  toGraphServer,
  type MailServer
} from '../../../src/core/tokenDestinations';
import { sandboxCloud, validDefinition } from './fixtures';

const clouds = new CloudCatalog([sandboxCloud()]);
const microsoft = validDefinition();
const verdict = (def: CredentialDefinition, host: string, port: number) => classifyDestination(def, clouds, { host, port });
const kind = (def: CredentialDefinition, host: string, port: number) => verdict(def, host, port).kind;

const gmail: CredentialDefinition = validDefinition({
  provider: 'generic',
  cloud: undefined,
  tenant: undefined,
  authorizationUrl: GENERIC_PRESETS.gmail.authorizationUrl,
  tokenUrl: GENERIC_PRESETS.gmail.tokenUrl,
  clientId: 'x.apps.googleusercontent.com',
  imap: { ...GENERIC_PRESETS.gmail.imap },
  smtp: { ...GENERIC_PRESETS.gmail.smtp }
});
const generic: CredentialDefinition = validDefinition({
  provider: 'generic',
  cloud: undefined,
  tenant: undefined,
  authorizationUrl: 'https://mail.example.org/oauth2/authorize',
  tokenUrl: 'https://mail.example.org/oauth2/token',
  imap: { host: 'mail.example.org', port: 993, security: 'tls' },
  smtp: { host: 'smtp.example.org', port: 587, security: 'starttls' }
});

describe('where a token may go', () => {
  describe('host normalization', () => {
    it('compares names as a connection reaches them: case, one trailing dot, IDN and IP forms', () => {
      assert.equal(normalizeHost('Outlook.Office365.COM'), 'outlook.office365.com');
      assert.equal(normalizeHost(' outlook.office365.com. '), 'outlook.office365.com');
      assert.equal(normalizeHost('[::1]'), '::1');
      assert.equal(normalizeHost('0:0:0:0:0:0:0:1'), '::1');
      assert.equal(normalizeHost('127.1'), '127.0.0.1');
      assert.match(normalizeHost('outlооk.office365.com') ?? '', /^xn--[a-z0-9-]+\.office365\.com$/, 'Cyrillic o becomes punycode, never the ASCII name');
    });

    it('refuses anything that is not a bare host', () => {
      for (const bad of [
        '',
        ' ',
        'outlook.office365.com:993',
        'user@outlook.office365.com',
        'outlook.office365.com/x',
        'a..b',
        '.',
        'outlook.office365.com..',
        'evil.net#outlook.office365.com',
        '[::1]:993',
        'a b'
      ]) {
        assert.equal(normalizeHost(bad), undefined, bad);
      }
    });

    it('labels a server as host:port, IPv6 in brackets', () => {
      assert.equal(serverLabel({ host: 'Outlook.Office365.com.', port: 993 }), 'outlook.office365.com:993');
      assert.equal(serverLabel({ host: '::1', port: 993 }), '[::1]:993');
    });
  });

  describe('Microsoft credentials', () => {
    it("takes the cloud's own IMAP and SMTP servers without asking", () => {
      assert.deepEqual(verdict(microsoft, 'outlook.office365.com', 993), { kind: 'own', why: 'cloudServer', owner: 'Global (Microsoft 365, Outlook.com)' });
      assert.equal(kind(microsoft, 'smtp.office365.com', 587), 'own');
      assert.equal(kind(microsoft, 'OUTLOOK.office365.com.', 993), 'own', 'case and a trailing dot name the same server');
    });

    it('asks for look-alike hosts, naming the servers the cloud does have', () => {
      for (const host of [
        'outlook.office365.com.evil.net',
        'evil-outlook.office365.com',
        'outlook-office365.com',
        'outlook.office365.co',
        'outlook.office365.us',
        'xoutlook.office365.com',
        'login.microsoftonline.com',
        'outlооk.office365.com'
      ]) {
        const result = verdict(microsoft, host, 993);
        assert.equal(result.kind, 'ask', host);
        assert.deepEqual(result.kind === 'ask' && result.expected, [
          'outlook.office365.com:993',
          'smtp.office365.com:587',
          'smtp-mail.outlook.com:587',
          'smtp.hve.mx.microsoft:587',
          'smtp-hve.office365.com:587',
          'graph.microsoft.com:443'
        ]);
      }
    });

    it("asks for the cloud's host on another port, and for IP literals", () => {
      assert.equal(kind(microsoft, 'outlook.office365.com', 143), 'ask');
      assert.equal(kind(microsoft, 'smtp.office365.com', 993), 'ask', "the SMTP host on IMAP's port is not a server the cloud names");
      assert.equal(kind(microsoft, '52.96.0.1', 993), 'ask');
      assert.equal(kind(microsoft, '::1', 993), 'ask');
    });

    it("takes the cloud's own Graph endpoint without asking, and asks for any other", () => {
      assert.deepEqual(toGraphServer('https://graph.microsoft.com'), { kind: 'mailServer', host: 'graph.microsoft.com', port: 443 });
      assert.equal(kind(microsoft, 'graph.microsoft.com', 443), 'own');
      assert.equal(kind(microsoft, 'graph.microsoft.us', 443), 'ask', "another cloud's Graph");
      assert.equal(kind(microsoft, 'graph.microsoft.com.evil.net', 443), 'ask');
      assert.equal(kind(validDefinition({ cloud: 'usGovDoD' }), 'dod-graph.microsoft.us', 443), 'own');
      const withGraph = new CloudCatalog([{ ...sandboxCloud(), graphEndpoint: 'https://127.0.0.1:9444' }]);
      const sandbox = validDefinition({ cloud: 'sandbox' });
      const graph = toGraphServer('https://127.0.0.1:9444');
      assert.ok(graph);
      assert.equal(classifyDestination(sandbox, withGraph, graph).kind, 'own');
      assert.equal(classifyDestination(sandbox, withGraph, { host: '127.0.0.1', port: 9445 }).kind, 'ask');
      assert.equal(kind(sandbox, '127.0.0.1', 9444), 'ask', 'a cloud without graphEndpoint has no Graph server of its own');
    });

    it("uses the credential's own cloud: a GCC High credential may not use the global servers", () => {
      const gov = validDefinition({ cloud: 'usGovHigh' });
      assert.equal(kind(gov, 'outlook.office365.us', 993), 'own');
      assert.equal(kind(gov, 'outlook.office365.com', 993), 'ask');
    });

    it('on a shared address only the port tells the cloud from a decoy', () => {
      const sandbox = validDefinition({ cloud: 'sandbox' });
      assert.equal(kind(sandbox, '127.0.0.1', 9993), 'own');
      assert.equal(kind(sandbox, '127.0.0.1', 9587), 'own');
      assert.equal(kind(sandbox, '127.0.0.1', 19993), 'ask');
      assert.equal(kind(sandbox, 'localhost', 9993), 'ask', 'another name for the address is not the name the cloud gives');
    });

    it('refuses a credential whose custom cloud is gone, and never uses the global cloud instead', () => {
      const orphan = validDefinition({ cloud: 'removed-cloud' });
      assert.deepEqual(verdict(orphan, 'outlook.office365.com', 993), { kind: 'refuse', why: 'unknownCloud', subject: 'removed-cloud' });
      assert.throws(() => clouds.authority('removed-cloud', 'contoso.com'), /"removed-cloud" is not built in/);
      assert.equal(clouds.authority(undefined, 'contoso.com'), 'https://login.microsoftonline.com/contoso.com', 'no cloud at all means global');
    });

    it('refuses a host that is not a host name', () => {
      assert.equal(kind(microsoft, 'outlook.office365.com:993', 993), 'refuse');
      assert.equal(kind(generic, 'mail.example.org/x', 993), 'refuse');
    });
  });

  describe('generic credentials', () => {
    it("takes Gmail's servers for a definition that signs in at Google", () => {
      assert.deepEqual(verdict(gmail, 'imap.gmail.com', 993), { kind: 'own', why: 'presetServer', owner: 'Gmail (Google Workspace)' });
      assert.equal(kind(gmail, 'smtp.gmail.com', 587), 'own');
      assert.equal(kind(gmail, 'imap.gmail.com.evil.net', 993), 'ask');
      assert.equal(kind(gmail, 'imap.googlemail.com', 993), 'ask');
    });

    it("does not take Google's servers when the token URL is not Google's", () => {
      const mixed = { ...gmail, tokenUrl: 'https://oauth2.example.net/token' };
      assert.equal(kind(mixed, 'imap.gmail.com', 993), 'ask');
    });

    it("takes the authorization URL's own host, on any port, and nothing else", () => {
      assert.deepEqual(verdict(generic, 'mail.example.org', 993), { kind: 'own', why: 'authorizationHost', owner: 'mail.example.org' });
      assert.equal(kind(generic, 'MAIL.example.org.', 465), 'own');
      assert.equal(kind(generic, 'smtp.example.org', 587), 'ask', 'a sibling host is asked once: "same site" needs the Public Suffix List');
      assert.equal(kind(generic, 'mail.example.org.evil.net', 993), 'ask');
      assert.equal(kind(generic, 'example.org', 993), 'ask');
    });

    it('never takes a loopback or IP authorization host for a mail server', () => {
      const local = { ...generic, authorizationUrl: 'https://127.0.0.1:8443/authorize' };
      assert.equal(kind(local, '127.0.0.1', 993), 'ask');
      const localhost = { ...generic, authorizationUrl: 'http://localhost:8080/authorize' };
      assert.equal(kind(localhost, 'localhost', 993), 'ask');
    });

    it('asks when the authorization URL cannot be read', () => {
      const broken = { ...generic, authorizationUrl: 'not a url' };
      assert.deepEqual(verdict(broken, 'mail.example.org', 993), { kind: 'ask', why: 'notAuthorizationHost', owner: '', expected: [] });
    });
  });

  it('explains each verdict in words', () => {
    assert.equal(describeVerdict(verdict(microsoft, 'outlook.office365.com', 993)), 'a server of Global (Microsoft 365, Outlook.com)');
    assert.equal(
      describeVerdict(verdict(microsoft, 'imap.example.net', 993)),
      'not a server of Global (Microsoft 365, Outlook.com) (its servers: outlook.office365.com:993, smtp.office365.com:587, smtp-mail.outlook.com:587, smtp.hve.mx.microsoft:587, smtp-hve.office365.com:587, graph.microsoft.com:443)'
    );
    assert.equal(describeVerdict(verdict(generic, 'imap.example.net', 993)), 'not the host of the authorization URL (mail.example.org)');
    assert.match(describeVerdict(verdict(validDefinition({ cloud: 'gone' }), 'x.net', 993)), /"gone" is not in the m365mail.customClouds setting/);
  });

  it('fingerprints a definition so that any edit or import asks again', () => {
    const a = validDefinition();
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as CredentialDefinition;
    assert.equal(definitionFingerprint(a), definitionFingerprint(reordered), 'key order does not matter');
    assert.equal(definitionFingerprint(a), definitionFingerprint({ ...a, description: undefined }), 'an absent field is absent');
    const imapChanged: MailServer = { host: 'imap.example.net', port: 993 };
    assert.notEqual(definitionFingerprint(a), definitionFingerprint({ ...a, imap: { ...a.imap, ...imapChanged } }));
    assert.notEqual(definitionFingerprint(a), definitionFingerprint({ ...a, name: 'Renamed' }));
    assert.notEqual(definitionFingerprint(a), definitionFingerprint({ ...a, id: 'imported' }));
  });
});
