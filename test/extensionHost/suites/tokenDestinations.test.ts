import * as assert from 'node:assert/strict';
import { CloudCatalog, type MicrosoftCloud } from '../../../src/core/clouds';
import { isCancelled, M365MailError } from '../../../src/core/errors';
import type { CredentialDefinition } from '../../../src/core/model';
import { SecretRedactor } from '../../../src/core/redact';
import { THIS_MACHINE, toMailServer } from '../../../src/core/tokenDestinations';
import { Settings } from '../../../src/common/settings';
import { CredentialStore } from '../../../src/credentials/credentialStore';
import { WindowCoherence } from '../../../src/credentials/windowCoherence';
import { TokenBroker } from '../../../src/credentials/tokenBroker';
import { TokenDestinationGuard, type ConfirmDestination } from '../../../src/credentials/tokenDestinationGuard';
import { TestLogger } from '../../support/fakes';
import { validDefinition } from '../../unit/credentials/fixtures';
import { runnerContext } from './testContext';

const APPROVALS_KEY = 'm365mail.tokenDestinations.v1';

const teamCloud: MicrosoftCloud = {
  id: 'exthost-team-cloud',
  label: 'Team cloud',
  authorityHost: 'https://login.team.example',
  scopePrefix: 'https://outlook.office.com/',
  appOnlyScope: 'https://outlook.office365.com/.default',
  imap: { host: 'imap.team.example', port: 993, security: 'tls' },
  smtp: { host: 'smtp.team.example', port: 587, security: 'starttls' }
};

/** The definition a tampered export would carry: the team's real tenant and app, IMAP on a look-alike host. */
function tampered(overrides: Partial<CredentialDefinition> = {}): CredentialDefinition {
  return validDefinition({
    id: 'exthost-destinations',
    name: 'Destinations test',
    clientAuth: 'none',
    imap: { host: 'outlook.office365.com.evil.net', port: 993, security: 'tls' },
    ...overrides
  });
}

/**
 * The destination guard in a real extension host: its approvals in the real Memento, the token
 * broker in front of it. The runner bundle has no `auth` chunk, so a broker that reached the engine
 * would fail with a missing module: a Cancel that rejects as cancelled shows that no token was
 * even requested. The modal itself is the end-to-end tier's to click; here the question is answered
 * through the guard's own seam.
 */
describe('where a token may go (real Memento, token broker)', () => {
  const context = runnerContext();
  const redactor = new SecretRedactor();
  const logger = new TestLogger({ redactor });
  let custom: MicrosoftCloud[] = [teamCloud];
  const clouds = () => new CloudCatalog(custom);
  const questions: Array<{ message: string; detail: string; button: string }> = [];
  let answer: (question: { message: string }) => Promise<boolean> = async () => assert.fail('no question was expected');
  const confirm: ConfirmDestination = (question) => {
    questions.push(question);
    return answer(question);
  };
  const guard = () => new TokenDestinationGuard(context.globalState, clouds, logger, confirm);
  let store: CredentialStore;
  let settings: Settings;
  let broker: TokenBroker;

  before(async () => {
    await context.globalState.update(APPROVALS_KEY, undefined);
    store = new CredentialStore(
      context.globalState,
      context.secrets,
      clouds,
      redactor,
      logger,
      new WindowCoherence(context.globalStorageUri, context.secrets, new TestLogger({ quiet: true }))
    );
    settings = new Settings(logger);
    broker = new TokenBroker(store, settings, redactor, logger, guard(), new WindowCoherence(context.globalStorageUri, context.secrets, logger));
    await store.save(tampered());
  });

  beforeEach(() => {
    questions.length = 0;
    custom = [teamCloud];
  });

  after(async () => {
    for (const def of store.list().filter((d) => d.id.startsWith('exthost-destinations'))) await store.delete(def.id, async () => undefined);
    await context.globalState.update(APPROVALS_KEY, undefined);
    broker.dispose();
    settings.dispose();
    store.dispose();
  });

  it('asks before a token goes to a look-alike host, and after Cancel requests no token and marks nothing Failed', async () => {
    answer = async () => false;
    const def = tampered();
    await assert.rejects(broker.getAccessToken(def.id, { destination: toMailServer(def.imap) }), (error: unknown) => {
      assert.ok(isCancelled(error), `cancelled, not ${String(error)}`);
      assert.equal((error as Error).message, 'No token was sent to outlook.office365.com.evil.net:993: you did not confirm it.');
      return true;
    });
    assert.equal(questions.length, 1);
    assert.equal(questions[0].message, 'A token for adele@contoso.com will be sent to outlook.office365.com.evil.net:993. Send it?');
    assert.equal(questions[0].button, 'Send token');
    assert.match(
      questions[0].detail,
      /is not a server of Global \(Microsoft 365, Outlook\.com\) \(its servers: outlook\.office365\.com:993, smtp\.office365\.com:587, smtp-mail\.outlook\.com:587, smtp\.hve\.mx\.microsoft:587, smtp-hve\.office365\.com:587, graph\.microsoft\.com:443\)/
    );
    assert.equal(store.status(def.id), undefined, 'a refusal is not a failure of the credential');
    assert.equal(context.globalState.get(APPROVALS_KEY), undefined, 'nothing is remembered after Cancel');
  });

  it("asks nothing for the cloud's own server or for a token that stays on this machine", async () => {
    await guard().check(tampered(), toMailServer(tampered().smtp), undefined);
    await guard().check(tampered(), THIS_MACHINE, undefined);
    assert.equal(questions.length, 0);
  });

  it('remembers "Send token" for that credential and server, in the Memento, until the definition changes', async () => {
    answer = async () => true;
    const def = tampered();
    await guard().check(def, toMailServer(def.imap), 'adele@contoso.com');
    assert.equal(questions.length, 1);
    // A new guard (another window, the next session) reads the same Memento.
    await guard().check(def, toMailServer(def.imap), 'adele@contoso.com');
    assert.equal(questions.length, 1, 'asked once');
    await assert.rejects(
      ((answer = async () => false), guard().check(def, { kind: 'mailServer', host: 'outlook.office365.com.evil.net', port: 143 }, undefined)),
      isCancelled
    );
    assert.equal(questions.length, 2, 'another port is another server');
    await assert.rejects(guard().check({ ...def, description: 'edited' }, toMailServer(def.imap), undefined), isCancelled);
    assert.equal(questions.length, 3, 'an edited definition is asked again');
    answer = async () => true;
    await guard().check(def, toMailServer(def.imap), undefined);
    assert.equal(questions.length, 3, 'the unchanged definition is still approved');
    await guard().forget(def.id);
    await guard().check(def, toMailServer(def.imap), undefined);
    assert.equal(questions.length, 4, 'forgotten (delete, import) means asked again');
  });

  it('asks one question for many callers waiting on the same server', async () => {
    await guard().forget(tampered().id);
    let release: (yes: boolean) => void = () => undefined;
    answer = () => new Promise((resolve) => (release = resolve));
    const shared = guard();
    const def = tampered();
    const waiting = Promise.all(Array.from({ length: 5 }, () => shared.check(def, toMailServer(def.imap), undefined)));
    while (questions.length === 0) await new Promise((resolve) => setImmediate(resolve));
    release(true);
    await waiting;
    assert.equal(questions.length, 1);
  });

  it('refuses a credential whose custom cloud was removed, naming it, without a question or the global cloud', async () => {
    const def = tampered({
      id: 'exthost-destinations-team',
      name: 'Destinations test (team cloud)',
      cloud: teamCloud.id,
      imap: teamCloud.imap,
      smtp: teamCloud.smtp
    });
    await store.save(def);
    custom = [];
    for (const destination of [toMailServer(def.imap), THIS_MACHINE]) {
      await assert.rejects(broker.getAccessToken(def.id, { destination }), (error: unknown) => {
        assert.ok(error instanceof M365MailError && error.code === 'unknown_cloud', String(error));
        assert.match(error.message, /"exthost-team-cloud", which is no longer in the m365mail.customClouds setting/);
        return true;
      });
    }
    assert.equal(questions.length, 0);
  });
});
