/**
 * The sandbox's CLI as a user starts it (`m365-mail-sandbox`, the package's bin): a child process
 * that prints the sandbox's JSON description on stdout and runs until Ctrl+C, which the test sends
 * as a terminal would (SIGINT to the process group). Afterwards no Dovecot or Postfix process of
 * that instance is left, and neither its temp folder nor its --out file.
 */
import * as assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { processAlive } from '../src/processes';
import { httpsCall } from '../src/client/signIn';
import { MAIL_SCOPES, SANDBOX_APPS, SANDBOX_PASSWORD, SANDBOX_TENANT, SANDBOX_USERS } from '../src/server/fixtures';
import { canConnect } from '../src/ports';
import type { SandboxDescription } from '../src/description';

const execFileP = promisify(execFile);
const bin = path.resolve(__dirname, '..', 'bin', 'm365-mail-sandbox.cjs');

async function pgrep(pattern: string): Promise<number[]> {
  const { stdout } = await execFileP('pgrep', ['-f', pattern]).catch(() => ({ stdout: '' }));
  return stdout
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0 && n !== process.pid);
}

async function pgidOf(pid: number): Promise<number | undefined> {
  const { stdout } = await execFileP('ps', ['-o', 'pgid=', '-p', String(pid)]).catch(() => ({ stdout: '' }));
  return Number(stdout.trim()) || undefined;
}

async function groupMembers(pgid: number): Promise<number[]> {
  const { stdout } = await execFileP('ps', ['-o', 'pid=', '-g', String(pgid)]).catch(() => ({ stdout: '' }));
  return stdout
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
}

describe('sandbox CLI (m365-mail-sandbox, npm run sandbox)', function () {
  this.timeout(120000);
  let tmp: string;
  let child: ChildProcess | undefined;
  let closed: Promise<void> = Promise.resolve();
  let stdout = '';
  let stderr = '';

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'm365-sandbox-cli-'));
  });

  after(async () => {
    // Only if the test failed half-way: stop what it started.
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGINT');
      } catch {
        /* gone */
      }
      await Promise.race([closed, new Promise((r) => setTimeout(r, 20000))]);
    }
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('prints its description, serves it, and Ctrl+C stops every process and removes its folder', async () => {
    const out = path.join(tmp, 'sandbox.json');
    // Its own process group, like a terminal's foreground job: Ctrl+C signals the whole group.
    const started = spawn(process.execPath, [bin, '--out', out], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    closed = new Promise((resolve) => started.once('close', () => resolve()));
    started.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    started.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));

    // The description is complete on stdout once the CLI says it is running.
    const deadline = Date.now() + 90000;
    while (!/\[sandbox\] running/.test(stderr)) {
      if (started.exitCode !== null || started.signalCode !== null) assert.fail(`the CLI exited early:\n${stderr}`);
      if (Date.now() > deadline) assert.fail(`the CLI did not start within 90 s:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const description = JSON.parse(stdout) as SandboxDescription;
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), description, '--out holds the same description');

    // Endpoints, ports, CA, tenant, client IDs, users.
    const { authorization, imap, smtp } = description;
    assert.match(authorization.origin, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(authorization.authority, `${authorization.origin}/${SANDBOX_TENANT.id}`);
    assert.equal(authorization.tenantId, SANDBOX_TENANT.id);
    assert.equal(authorization.tenantDomain, SANDBOX_TENANT.domain);
    assert.equal(authorization.controlUrl, `${authorization.origin}/_sandbox/`);
    assert.deepEqual(imap, { host: '127.0.0.1', port: imap.port, security: 'tls' });
    assert.deepEqual(smtp, { host: '127.0.0.1', port: smtp.port, security: 'starttls' });
    assert.ok(imap.port > 0 && smtp.port > 0 && imap.port !== smtp.port);
    assert.equal(description.apps.publicClient.clientId, SANDBOX_APPS.publicClient.clientId);
    assert.equal(description.apps.daemonSecret.clientId, SANDBOX_APPS.daemonSecret.clientId);
    assert.deepEqual(description.scopes, MAIL_SCOPES);
    assert.deepEqual(
      description.users.map((u) => u.upn),
      SANDBOX_USERS.map((u) => u.upn)
    );
    assert.equal(description.password, SANDBOX_PASSWORD);
    assert.equal(description.cloud.authorityHost, authorization.origin);
    assert.ok(description.caCertPath.startsWith(description.dir + path.sep), description.caCertPath);
    const ca = readFileSync(description.caCertPath, 'utf8');
    assert.match(ca, /-----BEGIN CERTIFICATE-----/);

    // It answers: discovery over HTTPS with its CA, and both mail ports.
    const discovery = await httpsCall(ca, 'GET', `${authorization.authority}/v2.0/.well-known/openid-configuration`);
    assert.equal(discovery.status, 200, discovery.body);
    assert.equal(JSON.parse(discovery.body).token_endpoint, `${authorization.authority}/oauth2/v2.0/token`);
    assert.ok(await canConnect(imap.port), 'IMAP port');
    assert.ok(await canConnect(smtp.port), 'submission port');

    // This instance's mail server processes: Dovecot's (named after its instance) and Postfix's
    // (configuration under the sandbox folder), with every member of their process groups.
    const dovecotConf = readFileSync(description.mailServers.dovecotConfigPath, 'utf8');
    const instance = /^instance_name = (\S+)$/m.exec(dovecotConf)?.[1];
    assert.ok(instance, 'instance_name in dovecot.conf');
    const patterns = [description.dir, `dovecot-${instance}`];
    const leaders = new Set<number>();
    for (const pattern of patterns) for (const pid of await pgrep(pattern)) leaders.add(pid);
    // Postfix's master runs as `master -i`, in a session of its own: found by its pid file.
    const postfixMaster = Number(readFileSync(path.join(description.dir, 'mail-servers', 'postfix', 'spool', 'pid', 'master.pid'), 'utf8').trim());
    assert.ok(postfixMaster > 0 && processAlive(postfixMaster), `Postfix master ${postfixMaster}`);
    leaders.add(postfixMaster);
    const ours = new Set<number>();
    for (const pid of leaders) {
      const pgid = await pgidOf(pid);
      // Not the CLI's own group (the bin and the Node it starts): only the daemons' groups.
      if (pgid && pgid !== started.pid) for (const member of await groupMembers(pgid)) ours.add(member);
    }
    const ps = (await execFileP('ps', ['-o', 'pid=,args=', '-p', [...ours].join(',') || '0']).catch(() => ({ stdout: '' }))).stdout;
    assert.match(ps, /dovecot/, ps);
    assert.match(ps, /\bmaster\b/, ps);
    assert.match(ps, /\b(?:smtpd|qmgr|pickup)\b/, ps);
    assert.ok(ours.size >= 4, `expected Dovecot's and Postfix's processes, got:\n${ps}`);

    // Ctrl+C.
    process.kill(-started.pid!, 'SIGINT');
    await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error(`did not stop within 30 s:\n${stderr}`)), 30000))]);
    assert.match(stderr, /\[sandbox\] stopped/);

    const left = [...ours].filter(processAlive);
    assert.deepEqual(left, [], `still running: ${left.join(', ')}`);
    for (const pattern of patterns) assert.deepEqual(await pgrep(pattern), [], `a process matching ${pattern} is left`);
    assert.equal(existsSync(description.dir), false, `${description.dir} is still there`);
    assert.equal(existsSync(out), false, '--out file removed');
    assert.equal(await canConnect(imap.port), false, 'IMAP port closed');
  });
});
