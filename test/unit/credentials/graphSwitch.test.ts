import * as assert from 'node:assert/strict';
import { CloudCatalog } from '../../../src/core/clouds';
import { graphSwitchFor, graphSwitchForReports, isSmtpAuthDisabled, sendingOverGraph } from '../../../src/core/graphSwitch';
import type { CredentialDefinition } from '../../../src/core/model';
import * as v from '../../../src/core/validation';
import { explainSmtpFailure } from '../../../src/mail/mailErrors';
import { sandboxCloud, validDefinition } from './fixtures';

const clouds = new CloudCatalog();
const GRAPH = 'https://graph.microsoft.com/';
const EXCHANGE = 'https://outlook.office.com/';
const DISABLED = 'smtp.535 5.7.139';

function offered(def: CredentialDefinition, code = DISABLED, catalog = clouds): CredentialDefinition {
  const verdict = graphSwitchFor(def, code, catalog);
  assert.equal(verdict.kind, 'offer');
  return (verdict as Extract<typeof verdict, { kind: 'offer' }>).definition;
}

describe('From SMTP to Microsoft Graph: which failures qualify and what the credential becomes', () => {
  it('qualifies 5.7.139 as the SMTP client codes it, also when a relay wraps it, and nothing else', () => {
    const direct = explainSmtpFailure({
      responseCode: 535,
      response: '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.'
    });
    const wrapped = explainSmtpFailure({ responseCode: 535, response: '535 5.7.8 Error: authentication failed: 5.7.139 Authentication unsuccessful' });
    assert.ok(isSmtpAuthDisabled(direct.code), direct.code);
    assert.ok(isSmtpAuthDisabled(wrapped.code), wrapped.code);
    for (const other of [
      explainSmtpFailure({ responseCode: 535, response: '535 5.7.3 Authentication unsuccessful' }).code,
      explainSmtpFailure({ responseCode: 530, response: '530 5.7.57 Client not authenticated' }).code,
      'graph.ErrorAccessDenied',
      'smtp.535',
      'smtp.535 5.7.1390',
      undefined
    ]) {
      assert.equal(isSmtpAuthDisabled(other), false, String(other));
      assert.equal(graphSwitchFor(validDefinition(), other, clouds).kind, 'none', String(other));
    }
  });

  it('switches a delegated IMAP/SMTP credential to Graph sending: Mail.Send and User.Read first, IMAP kept, SMTP.Send gone', () => {
    const original = validDefinition();
    const switched = offered(original);
    assert.equal(switched.sendTransport, 'graph');
    assert.equal(switched.readTransport, undefined, 'it still reads over IMAP');
    assert.deepEqual(switched.scopes, [`${GRAPH}Mail.Send`, `${GRAPH}User.Read`, `${EXCHANGE}IMAP.AccessAsUser.All`, 'offline_access']);
    // The browser sign-in asks for the resource of the first scope: Graph, whose consent is new.
    assert.equal(clouds.signInResource(switched), 'graph');
    assert.deepEqual(clouds.scopesFor(switched, 'exchange'), [`${EXCHANGE}IMAP.AccessAsUser.All`, 'offline_access']);
    assert.deepEqual(v.validateDefinition(switched, clouds), []);
    // Everything else is the same credential; the original is not changed.
    assert.deepEqual({ ...switched, sendTransport: undefined, scopes: undefined }, { ...original, sendTransport: undefined, scopes: undefined });
    assert.equal(original.sendTransport, undefined);
    assert.equal(original.scopes.length, 3);
  });

  it('uses Mail.Send.Shared for a shared mailbox, and keeps Graph reading scopes when the credential reads over Graph', () => {
    const shared = offered(validDefinition({ sharedMailbox: 'orders@contoso.com', userName: 'adele@contoso.com' }));
    assert.deepEqual(shared.scopes.slice(0, 2), [`${GRAPH}Mail.Send.Shared`, `${GRAPH}User.Read`]);
    assert.deepEqual(v.validateDefinition(shared, clouds), []);

    const readsOverGraph = validDefinition({
      readTransport: 'graph',
      scopes: clouds.defaultScopes('global', 'authorizationCode', 'both', { read: 'graph', send: 'smtp' })
    });
    const switched = offered(readsOverGraph);
    assert.deepEqual(switched.scopes, [`${GRAPH}Mail.Send`, `${GRAPH}User.Read`, `${GRAPH}Mail.Read`, 'offline_access']);
    assert.deepEqual(v.validateDefinition(switched, clouds), []);
  });

  it('a send-only credential keeps no Exchange scope; one whose only Exchange scope is .default keeps it for IMAP', () => {
    const sendOnly = offered(validDefinition({ purpose: 'smtp', scopes: [`${EXCHANGE}SMTP.Send`, 'offline_access'] }));
    assert.deepEqual(sendOnly.scopes, [`${GRAPH}Mail.Send`, `${GRAPH}User.Read`, 'offline_access']);
    assert.deepEqual(v.validateDefinition(sendOnly, clouds), []);

    const dotDefault = offered(validDefinition({ scopes: [`${EXCHANGE}.default`, 'offline_access'] }));
    assert.deepEqual(dotDefault.scopes, [`${GRAPH}Mail.Send`, `${GRAPH}User.Read`, `${EXCHANGE}.default`, 'offline_access']);
    assert.deepEqual(v.validateDefinition(dotDefault, clouds), []);

    // Only SMTP.Send although it reads over IMAP: the IMAP scope is put back, or reading would break.
    const smtpOnlyScopes = offered(validDefinition({ scopes: [`${EXCHANGE}SMTP.Send`, 'offline_access'] }));
    assert.deepEqual(smtpOnlyScopes.scopes, [`${GRAPH}Mail.Send`, `${GRAPH}User.Read`, `${EXCHANGE}IMAP.AccessAsUser.All`, 'offline_access']);
  });

  it('uses the Graph root of the credential’s cloud', () => {
    const gov = offered(validDefinition({ cloud: 'usGovHigh', scopes: clouds.defaultScopes('usGovHigh', 'authorizationCode', 'both') }));
    assert.deepEqual(gov.scopes, [
      'https://graph.microsoft.us/Mail.Send',
      'https://graph.microsoft.us/User.Read',
      'https://outlook.office365.us/IMAP.AccessAsUser.All',
      'offline_access'
    ]);
    assert.deepEqual(v.validateDefinition(gov, clouds), []);
  });

  it('device code credentials qualify too (their sign-in shows the consent in the browser)', () => {
    assert.equal(graphSwitchFor(validDefinition({ grant: 'deviceCode', clientAuth: 'none' }), DISABLED, clouds).kind, 'offer');
  });

  it('offers nothing for app-only credentials but says what the admin must do instead', () => {
    const verdict = graphSwitchFor(
      validDefinition({ grant: 'clientCredentials', scopes: ['https://outlook.office365.com/.default'], refreshTokenExpiryDays: 90 }),
      DISABLED,
      clouds
    );
    assert.equal(verdict.kind, 'adminConsent');
    const nextStep = (verdict as Extract<typeof verdict, { kind: 'adminConsent' }>).nextStep;
    assert.match(nextStep, /application permission Mail\.Send/);
    assert.match(nextStep, /admin consent/);
    assert.match(nextStep, /Edit credential → Transport/);
  });

  it('offers nothing to a generic provider, a credential already sending over Graph, one that only reads, or a cloud without Graph', () => {
    const none = (def: CredentialDefinition, catalog = clouds) => assert.equal(graphSwitchFor(def, DISABLED, catalog).kind, 'none', def.name);
    none(validDefinition({ name: 'generic', provider: 'generic', cloud: undefined, tenant: undefined }));
    none(validDefinition({ name: 'graph', sendTransport: 'graph' }));
    none(validDefinition({ name: 'imap only', purpose: 'imap' }));
    const noGraph = new CloudCatalog([sandboxCloud()]);
    none(validDefinition({ name: 'no graph', cloud: 'sandbox' }), noGraph);
    // The same cloud with a Graph endpoint qualifies.
    const withGraph = new CloudCatalog([{ ...sandboxCloud(), graphEndpoint: 'https://127.0.0.1:9444' }]);
    const switched = offered(validDefinition({ cloud: 'sandbox' }), DISABLED, withGraph);
    assert.deepEqual(switched.scopes.slice(0, 2), ['https://127.0.0.1:9444/Mail.Send', 'https://127.0.0.1:9444/User.Read']);
  });

  it('reads the connection test: a failed SMTP step coded 5.7.139 qualifies, an IMAP one or a passed test does not', () => {
    const def = validDefinition();
    const step = (code?: string) => ({ id: 'auth', status: code ? 'failed' : 'passed', error: code ? { code } : undefined });
    assert.equal(
      graphSwitchForReports(
        def,
        [
          { protocol: 'imap', steps: [step()] },
          { protocol: 'smtp', steps: [step(), step(DISABLED)] }
        ],
        clouds
      ).kind,
      'offer'
    );
    assert.equal(graphSwitchForReports(def, [{ protocol: 'smtp', steps: [step(), step()] }], clouds).kind, 'none');
    assert.equal(graphSwitchForReports(def, [{ protocol: 'imap', steps: [step(DISABLED)] }], clouds).kind, 'none');
    assert.equal(graphSwitchForReports(def, [{ protocol: 'smtp', steps: [step('smtp.535 5.7.3')] }], clouds).kind, 'none');
  });

  it('sendingOverGraph is stable: switching the result again changes nothing more', () => {
    const once = sendingOverGraph(validDefinition(), clouds);
    assert.deepEqual(sendingOverGraph(once, clouds), once);
  });
});
