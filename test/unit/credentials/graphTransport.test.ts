import * as assert from 'node:assert/strict';
import { BUILT_IN_CLOUDS, CloudCatalog, normalizeCustomCloud } from '../../../src/core/clouds';
import { describeTransports, resourcesOf, transportsOf } from '../../../src/core/model';
import { exportDefinitions, parseExport } from '../../../src/core/portable';
import * as v from '../../../src/core/validation';
import { sandboxCloud, validDefinition } from './fixtures';

const clouds = new CloudCatalog();
const GRAPH = 'https://graph.microsoft.com/';

describe('Microsoft Graph as a transport: model, clouds and scopes', () => {
  it('gives every built-in cloud its Graph root, with the scope prefix derived from it', () => {
    assert.deepEqual(
      BUILT_IN_CLOUDS.map((c) => [c.id, c.graphEndpoint, c.graphScopePrefix]),
      [
        ['global', 'https://graph.microsoft.com', 'https://graph.microsoft.com/'],
        ['usGovHigh', 'https://graph.microsoft.us', 'https://graph.microsoft.us/'],
        ['usGovDoD', 'https://dod-graph.microsoft.us', 'https://dod-graph.microsoft.us/'],
        ['china', 'https://microsoftgraph.chinacloudapi.cn', 'https://microsoftgraph.chinacloudapi.cn/']
      ]
    );
  });

  it('defaults a custom cloud to SMTP and IMAP: a definition without transports is unchanged', () => {
    const def = validDefinition();
    assert.deepEqual(transportsOf(def), { send: 'smtp', read: 'imap' });
    assert.deepEqual(resourcesOf(def), ['exchange']);
    assert.deepEqual(v.validateDefinition(def, clouds), []);
  });

  it('names the resources a mixed credential needs, reading first', () => {
    assert.deepEqual(resourcesOf(validDefinition({ sendTransport: 'graph' })), ['exchange', 'graph']);
    assert.deepEqual(resourcesOf(validDefinition({ readTransport: 'graph', sendTransport: 'graph' })), ['graph']);
    assert.deepEqual(resourcesOf(validDefinition({ purpose: 'imap', sendTransport: 'graph' })), ['exchange']);
    // A generic provider has no Graph, whatever a file says.
    assert.deepEqual(transportsOf(validDefinition({ provider: 'generic', sendTransport: 'graph' })), { send: 'smtp', read: 'imap' });
  });

  it('prefills delegated Graph scopes per purpose, with .Shared for a shared mailbox and User.Read', () => {
    assert.deepEqual(clouds.defaultScopes('global', 'authorizationCode', 'both', { send: 'graph', read: 'graph' }), [
      `${GRAPH}Mail.Read`,
      `${GRAPH}Mail.Send`,
      `${GRAPH}User.Read`,
      'offline_access'
    ]);
    assert.deepEqual(clouds.defaultScopes('usGovHigh', 'deviceCode', 'smtp', { send: 'graph', sharedMailbox: true }), [
      'https://graph.microsoft.us/Mail.Send.Shared',
      'https://graph.microsoft.us/User.Read',
      'offline_access'
    ]);
    assert.deepEqual(clouds.defaultScopes('global', 'authorizationCode', 'both', { send: 'graph' }), [
      'https://outlook.office.com/IMAP.AccessAsUser.All',
      `${GRAPH}Mail.Send`,
      `${GRAPH}User.Read`,
      'offline_access'
    ]);
    // SMTP and IMAP as before.
    assert.deepEqual(clouds.defaultScopes('global', 'authorizationCode', 'both'), [
      'https://outlook.office.com/IMAP.AccessAsUser.All',
      'https://outlook.office.com/SMTP.Send',
      'offline_access'
    ]);
  });

  it('prefills one app-only .default per resource used', () => {
    assert.deepEqual(clouds.defaultScopes('global', 'clientCredentials', 'both', { send: 'graph', read: 'graph' }), [`${GRAPH}.default`]);
    assert.deepEqual(clouds.defaultScopes('global', 'clientCredentials', 'both', { send: 'graph' }), [
      'https://outlook.office365.com/.default',
      `${GRAPH}.default`
    ]);
    assert.deepEqual(clouds.defaultScopes('china', 'clientCredentials', 'imap', { read: 'graph' }), ['https://microsoftgraph.chinacloudapi.cn/.default']);
  });

  it('knows Graph scopes of the cloud and refuses those of another', () => {
    const known = clouds.knownScopes('global');
    for (const s of ['Mail.Send', 'Mail.Read', 'Mail.Send.Shared', 'Mail.Read.Shared', 'Mail.ReadWrite', 'User.Read', '.default']) {
      assert.ok(known.has(GRAPH + s), s);
    }
    assert.equal(known.has('https://graph.microsoft.us/Mail.Send'), false);
  });

  it('splits scopes per resource and signs in for the first one named', () => {
    const def = validDefinition({
      sendTransport: 'graph',
      scopes: [`${GRAPH}Mail.Send`, 'https://outlook.office.com/IMAP.AccessAsUser.All', 'offline_access']
    });
    assert.deepEqual(clouds.scopesFor(def, 'graph'), [`${GRAPH}Mail.Send`, 'offline_access']);
    assert.deepEqual(clouds.scopesFor(def, 'exchange'), ['https://outlook.office.com/IMAP.AccessAsUser.All', 'offline_access']);
    assert.equal(clouds.signInResource(def), 'graph');
    assert.equal(clouds.signInResource(validDefinition()), 'exchange');
    assert.deepEqual(clouds.scopesFor(validDefinition(), 'graph'), []);
  });

  it('validates transports and the scopes they need', () => {
    const graphBoth = validDefinition({
      sendTransport: 'graph',
      readTransport: 'graph',
      scopes: clouds.defaultScopes('global', 'authorizationCode', 'both', { send: 'graph', read: 'graph' })
    });
    assert.deepEqual(v.validateDefinition(graphBoth, clouds), []);
    const appOnly = validDefinition({
      grant: 'clientCredentials',
      sendTransport: 'graph',
      scopes: ['https://outlook.office365.com/.default', `${GRAPH}.default`]
    });
    assert.deepEqual(v.validateDefinition(appOnly, clouds), []);
    const cases: Array<[string, Parameters<typeof validDefinition>[0], RegExp]> = [
      ['an unknown sending transport', { sendTransport: 'pigeon' as 'smtp' }, /Unknown sending transport "pigeon"/],
      ['an unknown reading transport', { readTransport: 'pop' as 'imap' }, /Unknown reading transport "pop"/],
      ['Graph on a generic provider', { provider: 'generic', sendTransport: 'graph' }, /Microsoft 365 credentials only/],
      ['Graph without Graph scopes', { sendTransport: 'graph' }, /Microsoft Graph needs its scopes/],
      ['IMAP without Exchange scopes', { sendTransport: 'graph', scopes: [`${GRAPH}Mail.Send`, 'offline_access'] }, /IMAP and SMTP need their scopes/],
      [
        'two app-only scopes of one resource',
        { grant: 'clientCredentials', scopes: ['https://outlook.office365.com/.default', 'https://outlook.office.com/.default'] },
        /one scope ending in \/\.default per resource/
      ],
      ['delegated /.default mixed with Graph scopes', { sendTransport: 'graph', scopes: [`${GRAPH}.default`, `${GRAPH}Mail.Send`] }, /cannot be combined/]
    ];
    for (const [what, overrides, message] of cases) {
      const problems = v.validateDefinition(validDefinition(overrides), clouds);
      assert.ok(
        problems.some((p) => message.test(p)),
        `${what}: expected ${message} in ${JSON.stringify(problems)}`
      );
    }
  });

  it('takes a custom cloud Graph endpoint only as an https origin, and defaults its scope prefix', () => {
    const withGraph = normalizeCustomCloud({ ...sandboxCloud(), graphEndpoint: 'https://127.0.0.1:9444/' });
    assert.equal(withGraph.graphEndpoint, 'https://127.0.0.1:9444');
    assert.equal(withGraph.graphScopePrefix, 'https://127.0.0.1:9444/');
    const prefixed = normalizeCustomCloud({ ...sandboxCloud(), graphEndpoint: 'https://127.0.0.1:9444', graphScopePrefix: GRAPH });
    assert.equal(prefixed.graphScopePrefix, GRAPH);
    for (const bad of ['http://127.0.0.1:9444', 'https://127.0.0.1:9444/v1.0', 'https://user@graph.example', 'graph.example', 42]) {
      const cloud = normalizeCustomCloud({ ...sandboxCloud(), graphEndpoint: bad as string });
      assert.equal(cloud.graphEndpoint, undefined, String(bad));
      assert.equal(cloud.graphScopePrefix, undefined, String(bad));
    }
    const catalog = new CloudCatalog([sandboxCloud()]);
    const problems = v.validateDefinition(
      validDefinition({ cloud: 'sandbox', sendTransport: 'graph', scopes: ['https://outlook.office.com/IMAP.AccessAsUser.All'] }),
      catalog
    );
    assert.ok(
      problems.some((p) => /has no graphEndpoint/.test(p)),
      JSON.stringify(problems)
    );
  });

  it('round-trips the transports through export and import; a file without them reads as SMTP and IMAP', () => {
    const original = validDefinition({ sendTransport: 'graph', readTransport: 'imap' });
    const [imported] = parseExport(exportDefinitions([original]));
    assert.equal(imported.sendTransport, 'graph');
    assert.equal(imported.readTransport, 'imap');
    const [legacy] = parseExport(exportDefinitions([validDefinition()]));
    assert.equal('sendTransport' in legacy, false);
    assert.deepEqual(transportsOf(legacy), { send: 'smtp', read: 'imap' });
  });

  it('describes the transports for the tree only when Graph is in use', () => {
    assert.equal(describeTransports(validDefinition()), '');
    assert.equal(describeTransports(validDefinition({ sendTransport: 'graph', readTransport: 'graph' })), 'Microsoft Graph');
    assert.equal(describeTransports(validDefinition({ purpose: 'smtp', sendTransport: 'graph' })), 'Microsoft Graph');
    assert.equal(describeTransports(validDefinition({ sendTransport: 'graph' })), 'send: Microsoft Graph, read: IMAP');
    assert.equal(describeTransports(validDefinition({ purpose: 'imap', sendTransport: 'graph' })), '', 'a transport for what it is not used for');
  });
});
