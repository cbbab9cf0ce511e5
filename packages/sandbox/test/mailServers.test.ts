/**
 * The sandbox's real mail servers (Dovecot + Postfix), checked with `curl` as an independent client
 * (and a few raw IMAP lines for XOAUTH2, which curl 7.88 does not pick when OAUTHBEARER is offered).
 *
 * The whole sandbox runs once for the suite (startSandbox): tokens come from the Entra-like
 * authorization server through the real sign-in pages (client/signIn.ts), and the mail servers
 * validate them at its introspection endpoint. Delegated tokens are the public client's (PKCE, no
 * secret) and carry only the one service's scope.
 */

import { execFile } from 'node:child_process';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { promisify } from 'node:util';
import { appToken, delegatedToken } from '../src/client/signIn';
import { MAIL_SCOPES, SANDBOX_APPS } from '../src/server/fixtures';
import type { MailServers, MailServiceName } from '../src/server/mailServers';
import { processAlive } from '../src/processes';
import { startSandbox, type Sandbox } from '../src/server/sandbox';
import { seedFolder } from '../src/server/seeder';

const execFileP = promisify(execFile);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function curl(args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileP('curl', ['-sS', '--max-time', '20', ...args], { maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** Server replies from `curl -v` (lines "< ..."). */
function replies(run: Run): string[] {
  return run.stderr
    .split('\n')
    .filter((l) => l.startsWith('< '))
    .map((l) => l.slice(2).trim());
}

/** Minimal IMAP over TLS, for XOAUTH2. Resolves the lines up to each tagged reply. */
async function rawImap(port: number, ca: string, commands: string[]): Promise<string[]> {
  const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
  const lines: string[] = [];
  let buffer = '';
  let waiting: { tag: string; resolve: () => void } | undefined;
  const greeting = new Promise<void>((resolve) => (waiting = { tag: '*', resolve }));
  socket.on('data', (d: Buffer) => {
    buffer += d.toString();
    let i: number;
    while ((i = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      lines.push(line);
      if (waiting && line.startsWith(waiting.tag + ' ')) {
        const w = waiting;
        waiting = undefined;
        w.resolve();
      }
    }
  });
  await greeting;
  let n = 0;
  for (const command of commands) {
    const tag = `t${++n}`;
    await new Promise<void>((resolve, reject) => {
      waiting = { tag, resolve };
      socket.once('close', () => reject(new Error(`connection closed; got:\n${lines.join('\n')}`)));
      socket.write(`${tag} ${command}\r\n`);
    });
  }
  socket.end();
  return lines;
}

function xoauth2(user: string, token: string): string {
  return Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString('base64');
}

describe('sandbox mail servers (Dovecot + Postfix)', function () {
  this.timeout(120000);
  let sandbox: Sandbox;
  let servers: MailServers;
  let ca: string;
  let caCertPath: string;
  /** Our own temp folder, for the messages curl uploads. */
  let dir: string;
  let stopped = false;
  const cached = new Map<string, Promise<string>>();

  /** An access token of `user` from the public client (PKCE), carrying only `service`'s scope. */
  const signIn = (user: string, service: MailServiceName): Promise<string> =>
    delegatedToken({
      authority: sandbox.description.authorization.authority,
      ca,
      clientId: SANDBOX_APPS.publicClient.clientId,
      scopes: [MAIL_SCOPES[service]],
      user
    }).then((r) => r.accessToken);
  const appOnlyToken = async (): Promise<string> =>
    (
      await appToken({
        authority: sandbox.description.authorization.authority,
        ca,
        clientId: SANDBOX_APPS.daemonSecret.clientId,
        clientSecret: SANDBOX_APPS.daemonSecret.clientSecret
      })
    ).accessToken;
  const tokens = {
    token(user: string, service: MailServiceName): Promise<string> {
      const key = `${user} ${service}`;
      if (!cached.has(key)) cached.set(key, signIn(user, service));
      return cached.get(key)!;
    }
  };

  const imapUrl = (mailbox = 'INBOX'): string => `imaps://127.0.0.1:${servers.imap.port}/${encodeURIComponent(mailbox)}`;
  const imap = async (user: string, token: string, extra: string[] = [], mailbox = 'INBOX'): Promise<Run> =>
    curl(['-v', '--cacert', caCertPath, imapUrl(mailbox), '-u', `${user}:`, '--oauth2-bearer', token, ...extra]);
  const smtpUrl = (): string => `smtp://127.0.0.1:${servers.smtp.port}`;
  const message = async (from: string, to: string, subject: string): Promise<string> => {
    const file = path.join(dir, `msg-${Date.now()}-${Math.random().toString(36).slice(2)}.eml`);
    await fs.writeFile(
      file,
      `From: <${from}>\r\nTo: <${to}>\r\nSubject: ${subject}\r\nDate: ${new Date().toUTCString()}\r\nMessage-ID: <${Date.now()}@test.contoso.test>\r\n\r\nHello from the sandbox test.\r\n`
    );
    return file;
  };
  const send = async (login: string, token: string | undefined, from: string, to: string, subject: string, tlsRequired = true): Promise<Run> => {
    const args = ['-v', '--cacert', caCertPath, smtpUrl(), '--mail-from', from, '--mail-rcpt', to, '--upload-file', await message(from, to, subject)];
    if (tlsRequired) args.push('--ssl-reqd');
    if (token !== undefined) args.push('-u', `${login}:`, '--oauth2-bearer', token);
    return curl(args);
  };

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'm365-mail-test-'));
    sandbox = await startSandbox();
    servers = sandbox.mail;
    caCertPath = sandbox.description.caCertPath;
    ca = await fs.readFile(caCertPath, 'utf8');
  });

  after(async () => {
    if (sandbox && !stopped) await sandbox.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('opens the inbox with a good IMAP token (OAUTHBEARER, curl)', async () => {
    const run = await imap('adele@contoso.test', await tokens.token('adele@contoso.test', 'imap'), ['-X', 'EXAMINE INBOX']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\* \d+ EXISTS/);
  });

  it("opens the inbox with XOAUTH2, and a shared mailbox with the delegate's token", async () => {
    const token = await tokens.token('adele@contoso.test', 'imap');
    const own = await rawImap(servers.imap.port, ca, [`AUTHENTICATE XOAUTH2 ${xoauth2('adele@contoso.test', token)}`, 'EXAMINE INBOX']);
    assert.ok(
      own.some((l) => /^t1 OK/.test(l)),
      own.join('\n')
    );
    assert.ok(
      own.some((l) => /^t2 OK/.test(l)),
      own.join('\n')
    );
    const shared = await rawImap(servers.imap.port, ca, [`AUTHENTICATE XOAUTH2 ${xoauth2('orders@contoso.test', token)}`]);
    assert.ok(
      shared.some((l) => /^t1 OK/.test(l)),
      shared.join('\n')
    );
  });

  it('lets a delegate open the shared mailbox with OAUTHBEARER and refuses a non-delegate', async () => {
    const delegate = await imap('orders@contoso.test', await tokens.token('adele@contoso.test', 'imap'), ['-X', 'EXAMINE INBOX']);
    assert.equal(delegate.code, 0, delegate.stderr);
    const other = await imap('orders@contoso.test', await tokens.token('megan@contoso.test', 'imap'), ['-X', 'EXAMINE INBOX']);
    assert.equal(other.code, 67, other.stderr); // CURLE_LOGIN_DENIED
    assert.ok(
      replies(other).some((l) => /NO \[AUTHENTICATIONFAILED\]/.test(l)),
      other.stderr
    );
  });

  it('refuses a wrong token over IMAP and SMTP', async () => {
    const i = await imap('adele@contoso.test', 'not-a-token', ['-X', 'EXAMINE INBOX']);
    assert.equal(i.code, 67, i.stderr);
    const s = await send('adele@contoso.test', 'not-a-token', 'adele@contoso.test', 'adele@contoso.test', 'wrong token');
    assert.equal(s.code, 67, s.stderr);
    assert.ok(
      replies(s).some((l) => l.startsWith('535 ')),
      s.stderr
    );
  });

  it("refuses a token that carries only the other service's scope", async () => {
    const i = await imap('adele@contoso.test', await tokens.token('adele@contoso.test', 'smtp'), ['-X', 'EXAMINE INBOX']);
    assert.equal(i.code, 67, i.stderr);
    const s = await send('adele@contoso.test', await tokens.token('adele@contoso.test', 'imap'), 'adele@contoso.test', 'adele@contoso.test', 'wrong scope');
    assert.equal(s.code, 67, s.stderr);
    assert.ok(
      replies(s).some((l) => l.startsWith('535 ')),
      s.stderr
    );
  });

  it('refuses a user that is not a mailbox of the tenant', async () => {
    const i = await imap('nobody@contoso.test', await tokens.token('adele@contoso.test', 'imap'), ['-X', 'EXAMINE INBOX']);
    assert.equal(i.code, 67, i.stderr);
    const app = await appOnlyToken();
    const a = await imap('nobody@contoso.test', app, ['-X', 'EXAMINE INBOX']);
    assert.equal(a.code, 67, a.stderr);
  });

  it('an app-only token (client credentials) opens the mailbox named as the IMAP user', async () => {
    const token = await appOnlyToken();
    for (const mailbox of ['megan@contoso.test', 'orders@contoso.test']) {
      const run = await imap(mailbox, token, ['-X', 'EXAMINE INBOX']);
      assert.equal(run.code, 0, `${mailbox}: ${run.stderr}`);
      assert.match(run.stdout, /\* \d+ EXISTS/);
    }
  });

  it('refuses an expired token over IMAP and SMTP', async () => {
    const control = sandbox.auth.control;
    const ttl = control.settings().accessTokenTtlSeconds;
    control.setAccessTokenTtl(1);
    let imapToken: string;
    let smtpToken: string;
    try {
      imapToken = await signIn('adele@contoso.test', 'imap');
      smtpToken = await signIn('adele@contoso.test', 'smtp');
    } finally {
      control.setAccessTokenTtl(ttl);
    }
    await new Promise((r) => setTimeout(r, 2100));
    const i = await imap('adele@contoso.test', imapToken, ['-X', 'EXAMINE INBOX']);
    assert.equal(i.code, 67, i.stderr);
    const s = await send('adele@contoso.test', smtpToken, 'adele@contoso.test', 'adele@contoso.test', 'expired token');
    assert.equal(s.code, 67, s.stderr);
    assert.ok(
      replies(s).some((l) => l.startsWith('535 ')),
      s.stderr
    );
    assert.deepEqual(control.introspect('imap', imapToken, 'adele@contoso.test'), { active: false, error: 'token expired' });
  });

  it('delivers a message submitted over SMTP to the IMAP inbox', async () => {
    const subject = `Sandbox delivery ${Date.now()}`;
    const s = await send('adele@contoso.test', await tokens.token('adele@contoso.test', 'smtp'), 'adele@contoso.test', 'megan@contoso.test', subject);
    assert.equal(s.code, 0, s.stderr);
    const token = await tokens.token('megan@contoso.test', 'imap');
    const deadline = Date.now() + 20000;
    let found = false;
    while (!found && Date.now() < deadline) {
      const search = await curl([
        '--cacert',
        caCertPath,
        `${imapUrl()}?SUBJECT%20%22${encodeURIComponent(subject)}%22`,
        '-u',
        'megan@contoso.test:',
        '--oauth2-bearer',
        token
      ]);
      found = /^\* SEARCH \d+/m.test(search.stdout);
      if (!found) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(found, `not delivered; postfix log:\n${await fs.readFile(servers.logs.postfix, 'utf8')}`);
  });

  it('answers 5.7.139 at AUTH for a mailbox with SMTP AUTH disabled (megan)', async () => {
    const s = await send(
      'megan@contoso.test',
      await tokens.token('megan@contoso.test', 'smtp'),
      'megan@contoso.test',
      'adele@contoso.test',
      'smtp auth disabled'
    );
    assert.equal(s.code, 67, s.stderr);
    // Postfix's fixed prefix "535 5.7.8 Error: authentication failed:" then Exchange's text.
    assert.ok(
      replies(s).some((l) => /^535 .*5\.7\.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox/.test(l)),
      s.stderr
    );
    // Her IMAP still works.
    const i = await imap('megan@contoso.test', await tokens.token('megan@contoso.test', 'imap'), ['-X', 'EXAMINE INBOX']);
    assert.equal(i.code, 0, i.stderr);
  });

  it('lets a delegate send as the shared mailbox and refuses other senders with 5.7.60', async () => {
    const token = await tokens.token('adele@contoso.test', 'smtp');
    const asShared = await send('adele@contoso.test', token, 'orders@contoso.test', 'adele@contoso.test', 'send as shared');
    assert.equal(asShared.code, 0, asShared.stderr);
    const asOther = await send('adele@contoso.test', token, 'lee@contoso.test', 'adele@contoso.test', 'send as other');
    assert.notEqual(asOther.code, 0);
    assert.ok(
      replies(asOther).some((l) => /^550 5\.7\.60 .*Client does not have permissions to send as this sender/.test(l)),
      asOther.stderr
    );
  });

  it('refuses submission without STARTTLS, without AUTH, and with plaintext mechanisms', async () => {
    const noTls = await send('adele@contoso.test', undefined, 'adele@contoso.test', 'adele@contoso.test', 'no tls', false);
    assert.notEqual(noTls.code, 0);
    assert.ok(
      replies(noTls).some((l) => /^530 5\.7\.0 Must issue a STARTTLS command first/.test(l)),
      noTls.stderr
    );
    const ehloPlain = replies(noTls).filter((l) => /^250[- ]AUTH/.test(l));
    assert.deepEqual(ehloPlain, [], 'AUTH must not be offered before STARTTLS');

    const noAuth = await send('adele@contoso.test', undefined, 'adele@contoso.test', 'adele@contoso.test', 'no auth');
    assert.notEqual(noAuth.code, 0);
    assert.ok(
      replies(noAuth).some((l) => /^530 5\.7\.57 .*Client not authenticated to send mail/.test(l)),
      noAuth.stderr
    );
    const offered = replies(noAuth).filter((l) => /^250[- ]AUTH /.test(l));
    assert.deepEqual(offered, ['250-AUTH XOAUTH2 OAUTHBEARER']);

    const plain = await curl([
      '-v',
      '--ssl-reqd',
      '--cacert',
      caCertPath,
      smtpUrl(),
      '-u',
      'adele@contoso.test:secret',
      '--login-options',
      'AUTH=PLAIN',
      '--mail-from',
      'adele@contoso.test',
      '--mail-rcpt',
      'adele@contoso.test',
      '--upload-file',
      await message('adele@contoso.test', 'adele@contoso.test', 'plain')
    ]);
    assert.notEqual(plain.code, 0, plain.stderr);

    const imapPlain = await curl([
      '-v',
      '--cacert',
      caCertPath,
      imapUrl(),
      '-u',
      'adele@contoso.test:secret',
      '--login-options',
      'AUTH=PLAIN',
      '-X',
      'EXAMINE INBOX'
    ]);
    assert.notEqual(imapPlain.code, 0, imapPlain.stderr);
    // No plaintext IMAP: the only IMAP port speaks TLS from the first byte.
    const cleartext = await curl(['-v', `imap://127.0.0.1:${servers.imap.port}/INBOX`, '-u', 'adele@contoso.test:x', '--max-time', '3']);
    assert.notEqual(cleartext.code, 0);
  });

  it('seeds 1,000 messages that IMAP then lists', async () => {
    const result = await seedFolder({ mailDir: servers.mailDir, user: 'adele@contoso.test', folder: 'Seeded', count: 1000, doveadm: servers.doveadm });
    assert.equal(result.count, 1000);
    const run = await imap('adele@contoso.test', await tokens.token('adele@contoso.test', 'imap'), ['-X', 'EXAMINE Seeded'], 'Seeded');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\* 1000 EXISTS/);
    const lsub = await imap('adele@contoso.test', await tokens.token('adele@contoso.test', 'imap'), ['-X', 'LSUB "" "*"']);
    assert.match(lsub.stdout, /LSUB .* "?Seeded"?/);
  });

  it('stop() leaves no Dovecot or Postfix process behind, and no sandbox folder', async () => {
    // Only this instance's processes: other sandboxes may run beside this one.
    const ours = await servers.processes();
    assert.ok(ours.length >= 4, `expected Dovecot's and Postfix's processes before stop(), got ${ours.join(', ')}`);
    const sandboxDir = sandbox.description.dir;
    assert.ok(existsSync(sandboxDir));
    await sandbox.stop();
    stopped = true;
    const alive = ours.filter(processAlive);
    assert.deepEqual(alive, [], `still running: ${alive.join(', ')}`);
    assert.deepEqual(await servers.processes(), []);
    const pattern = `${servers.instanceName}|${sandboxDir}`;
    const pg = await execFileP('pgrep', ['-a', '-f', pattern]).then(
      (r) => r.stdout,
      () => ''
    );
    assert.equal(pg.trim(), '', pg);
    assert.equal(existsSync(sandboxDir), false, `${sandboxDir} is still there`);
  });
});
