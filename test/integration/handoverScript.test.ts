/**
 * The curl script of "Use in… → A script" (src/core/handover/testScript.ts), run as a user runs it:
 * `sh` with the access token in the environment, against the sandbox's real IMAP, SMTP and Graph
 * servers. The only thing a user would add by hand is the sandbox's CA, through curl's own
 * CURL_CA_BUNDLE (a company with its own CA does the same).
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CredentialDefinition } from '../../src/core/model';
import { connectionTestScript, GRAPH_TOKEN_VARIABLE, TOKEN_VARIABLE } from '../../src/core/handover/testScript';
import { useSandboxAuth } from '../support/sandboxAuth';
import { SandboxMailbox } from '../support/sandboxMailbox';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the hand-over curl script against the sandbox', function () {
  this.timeout(90_000);
  const env = useSandboxAuth();
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'm365mail-script-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function runScript(def: CredentialDefinition, variables: Record<string, string>): Promise<Run & { text: string }> {
    const { text } = connectionTestScript(def, env.clouds);
    const file = path.join(dir, `${def.id}.sh`);
    fs.writeFileSync(file, text, { mode: 0o600 });
    const caFile = path.join(dir, 'ca.pem');
    fs.writeFileSync(caFile, env.ca);
    // Only what a user's shell has, plus the CA and the token variables the script asks for.
    const environment = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, CURL_CA_BUNDLE: caFile, ...variables };
    return new Promise((resolve) => {
      execFile('sh', [file], { env: environment, timeout: 60_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr, text });
      });
    });
  }

  it('examines INBOX over IMAP and sends over SMTP with the token from $M365MAIL_TOKEN; the mail arrives', async () => {
    const auth = env.engine();
    const def = env.credential('sandbox-adele');
    await env.signIn(auth, def);
    const { accessToken } = await auth.getAccessToken(def);
    const run = await runScript(def, { [TOKEN_VARIABLE]: accessToken });
    assert.equal(run.code, 0, `the script succeeds:\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /\* OK \[READ-ONLY\]|EXISTS/, 'IMAP answered EXAMINE INBOX');
    assert.match(run.stdout, /Done: every command above succeeded\./);
    assert.ok(!run.text.includes(accessToken), 'the token is not in the script');
    await new SandboxMailbox(env.sandbox.description, 'adele@contoso.test').waitFor(`M365 Mail: curl test of "${def.name}"`);
  });

  it('reads the inbox and sends through Microsoft Graph with both tokens, each from its own variable', async () => {
    const auth = env.engine();
    const def = env.credential('sandbox-adele', { sendTransport: 'graph', readTransport: 'imap' });
    await env.signIn(auth, def);
    const exchange = (await auth.getAccessToken(def)).accessToken;
    const graph = (await auth.getAccessToken(def, { resource: 'graph' })).accessToken;
    const run = await runScript(def, { [TOKEN_VARIABLE]: exchange, [GRAPH_TOKEN_VARIABLE]: graph });
    assert.equal(run.code, 0, `the script succeeds:\n${run.stdout}\n${run.stderr}`);
    await new SandboxMailbox(env.sandbox.description, 'adele@contoso.test').waitFor(`M365 Mail: curl test of "${def.name}"`);
  });

  it('stops before any request when the variable is not set, saying how to set it', async () => {
    const run = await runScript(env.credential('sandbox-adele'), {});
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /M365MAIL_TOKEN: set M365MAIL_TOKEN first/);
    assert.equal(run.stdout, '', 'no curl command ran');
  });

  it('fails, without echoing it, when the token is refused', async () => {
    const run = await runScript(env.credential('sandbox-adele'), { [TOKEN_VARIABLE]: 'not-a-token-SENTINEL' });
    assert.notEqual(run.code, 0, 'curl reports the refused login');
    assert.ok(!`${run.stdout}${run.stderr}`.includes('not-a-token-SENTINEL'));
    assert.doesNotMatch(run.stdout, /Done: every command above succeeded/);
  });
});
