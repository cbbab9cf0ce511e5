/**
 * The sandbox as other processes start it (startSandboxProcess): a supervised child that hands over
 * its description, answers the control API client, and leaves nothing behind when stopped, or when
 * the process that started it dies without stopping it.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { SANDBOX_APPS } from '../src/server/fixtures';
import { startSandboxProcess, type SandboxProcess } from '../src/launcher';
import { canConnect } from '../src/ports';
import { processAlive } from '../src/processes';
import type { SandboxDescription } from '../src/description';

async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('sandbox launcher (startSandboxProcess) and control client', function () {
  this.timeout(120_000);
  let sandbox: SandboxProcess | undefined;

  after(async () => {
    await sandbox?.stop();
  });

  it('starts the sandbox in a child, drives it over the control API, and stop() leaves no process or folder', async () => {
    sandbox = await startSandboxProcess();
    const { description, control } = sandbox;
    assert.notEqual(sandbox.process.child.pid, process.pid);
    assert.ok(existsSync(description.caCertPath));
    assert.ok(existsSync(description.mailServers.dovecotConfigPath));
    assert.ok(await canConnect(description.imap.port), 'IMAP port');

    assert.equal((await control.settings()).accessTokenTtlSeconds, 3600);
    assert.equal((await control.updateSettings({ accessTokenTtlSeconds: 120 })).accessTokenTtlSeconds, 120);
    const fault = await control.injectFault({ stage: 'token', code: 7000215, clientId: SANDBOX_APPS.webSecretPost.clientId });
    assert.deepEqual(
      (await control.faults()).map((f) => f.id),
      [fault.id]
    );
    assert.equal(await control.revokeRefreshTokens('adele@contoso.test'), 0);
    await assert.rejects(control.revokeRefreshTokens('nobody@contoso.test'), /400 unknown user nobody@contoso\.test/);
    await control.reset();
    assert.deepEqual(await control.faults(), []);
    assert.equal((await control.settings()).accessTokenTtlSeconds, 3600);
    assert.equal((await control.stats()).total, 0);

    const pid = sandbox.process.child.pid!;
    await sandbox.stop();
    sandbox = undefined;
    assert.equal(processAlive(pid), false, 'the sandbox process is gone');
    assert.equal(existsSync(description.dir), false, `${description.dir} is still there`);
    assert.equal(await canConnect(description.imap.port), false, 'IMAP port closed');
    assert.equal(await canConnect(description.smtp.port), false, 'SMTP port closed');
  });

  it('stops by itself, daemons and folder, when the process that started it is killed', async () => {
    // A parent that starts the sandbox, prints its description and then waits to be killed.
    const script = [
      `const { startSandboxProcess } = require(${JSON.stringify(path.resolve(__dirname, '..', 'src', 'launcher.ts'))});`,
      'startSandboxProcess().then((s) => console.log(JSON.stringify(s.description)));',
      'setInterval(() => undefined, 1000);'
    ].join('\n');
    const parent = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    parent.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    await waitUntil('the parent printed the description', () => stdout.includes('\n') || parent.exitCode !== null, 90_000);
    const description = JSON.parse(stdout) as SandboxDescription;
    assert.ok(await canConnect(description.smtp.port), 'SMTP port');

    parent.kill('SIGKILL');
    await waitUntil('the sandbox removed its folder', () => !existsSync(description.dir), 30_000);
    await waitUntil('the mail ports closed', async () => !(await canConnect(description.imap.port)) && !(await canConnect(description.smtp.port)), 10_000);
  });
});
