/**
 * Real mail servers for the sandbox: Dovecot (IMAP over implicit TLS, LMTP, SASL for Postfix) and
 * Postfix (submission with STARTTLS), both Debian's packages, run from configurations generated into
 * a directory of the caller's, on loopback ports chosen at start. Access tokens are checked by
 * Dovecot's `oauth2` passdb against the sandbox authorization server's introspection endpoint.
 *
 * Token validation contract (shared with the authorization server): Dovecot calls
 * `POST <introspectionUrl(service)>?user=<login user>` with the form body `token=<access token>`
 * and expects `{"active":true,"username":"<login user>"}` or `{"active":false,"error":"..."}`.
 * `service` is `imap` for IMAP logins and `smtp` for submission (Postfix asks Dovecot's auth).
 *
 * How that is achieved with Dovecot 2.3.19 (checked on this machine):
 * - `introspection_url` is used verbatim: no `%u`/`%s` expansion (a `%` in it even panics the auth
 *   process: "Invalid HTTP URL: Expecting hex digit after '%'"). So every (service, mailbox) pair gets
 *   its own oauth2 passdb file whose URL already carries `?user=<mailbox>`; the passdb is chosen by
 *   `username_filter` (the login user) inside a `protocol imap { }` / `protocol smtp { }` block
 *   (the auth process applies protocol filters by the request's service, and Postfix's requests
 *   carry `service=smtp`).
 * - Dovecot compares the introspected `username` (username_attribute) with the login user after
 *   `username_format` (%Lu): the server must answer the login user (the mailbox), not the token's
 *   own user, for a delegate opening a shared mailbox.
 * - Only the fixture mailboxes exist: other login users fall through to a passdb with a random
 *   password (refused as a bad credential, not a temporary failure); the userdb is a passwd-file
 *   with the fixture mailboxes only (LMTP refuses other recipients; Postfix refuses them at RCPT).
 */

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { canConnect, freePort } from '../ports';
import { processAlive } from '../processes';
import { SANDBOX_TENANT, SANDBOX_USERS } from './fixtures';
import { doveadm } from './seeder';

const execFileP = promisify(execFile);

export type MailServiceName = 'imap' | 'smtp';

export interface MailServersOptions {
  /** A directory of the caller's (created if missing); configuration, state, logs and mail go here. */
  dir: string;
  tls: { caCertPath: string; certPath: string; keyPath: string };
  /** The introspection endpoint for a service, without query (the user is appended as `?user=`). */
  introspectionUrl: (service: MailServiceName) => string;
}

export interface Endpoint {
  host: '127.0.0.1';
  port: number;
}

export interface MailServers {
  /** IMAP over implicit TLS (no plaintext IMAP port). */
  imap: Endpoint;
  /** Submission with STARTTLS required. */
  smtp: Endpoint;
  /** Maildir root: `<mailDir>/<mailbox address>` is a Maildir++ (folders `.Name`). */
  mailDir: string;
  /** The uid/gid that owns the mail (Dovecot refuses uid 0). */
  mailUid: number;
  mailGid: number;
  /** The generated Dovecot configuration (for `doveadm -c`). */
  dovecotConfig: string;
  /** Postfix's configuration directory (`postfix -c`, `sendmail -C`: the local submission the Graph service uses). */
  postfixConfigDir: string;
  /** Log files, for diagnostics. */
  logs: { dovecot: string; postfix: string };
  /** Dovecot's instance name (its processes are called `dovecot-<instance>/...`). */
  instanceName: string;
  /** Pids of every process of these servers (both process groups of Postfix, Dovecot's group). */
  processes(): Promise<number[]>;
  /** The process groups to kill if this process dies without calling stop() (see ../processes.ts). */
  processGroups(): number[];
  /** Runs `doveadm -c <config> ...args`; resolves stdout. */
  doveadm(args: string[]): Promise<string>;
  /** Stops both servers; resolves when no process of theirs is left. */
  stop(): Promise<void>;
}

/** Exchange Online's answer when SMTP AUTH is switched off for a mailbox. */
export const SMTP_AUTH_DISABLED_TEXT =
  '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.';
/** Exchange Online's answer to a sender the authenticated user may not send as. */
export const SEND_AS_DENIED_REPLY = '550 5.7.60 SMTP; Client does not have permissions to send as this sender';
/** Exchange Online's answer to an unauthenticated MAIL FROM on submission. */
export const NOT_AUTHENTICATED_REPLY = '530 5.7.57 Client not authenticated to send mail';

const MAIL_USER = 'mail';

async function lookupId(name: string): Promise<{ uid: number; gid: number }> {
  const { stdout: uid } = await execFileP('id', ['-u', name]);
  const { stdout: gid } = await execFileP('id', ['-g', name]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, logFile?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  let log = '';
  if (logFile) log = await fs.readFile(logFile, 'utf8').catch(() => '');
  throw new Error(`${what} did not come up within ${timeoutMs} ms${log ? `\n--- ${logFile} ---\n${log.slice(-4000)}` : ''}`);
}

/** Pids of every process in the process group (Postfix's and Dovecot's children included). */
async function groupPids(pgid: number): Promise<number[]> {
  try {
    const { stdout } = await execFileP('ps', ['-o', 'pid=', '-g', String(pgid)]);
    return stdout
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
  } catch {
    return []; // ps exits 1 when no process matches
  }
}

async function stopGroup(child: (Pick<ChildProcess, 'pid'> & Partial<ChildProcess>) | undefined, gracefulMs: number): Promise<void> {
  if (!child?.pid) return;
  const pgid = child.pid;
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  const deadline = Date.now() + gracefulMs;
  while (Date.now() < deadline && (await groupPids(pgid)).length > 0) {
    await new Promise((r) => setTimeout(r, 50));
  }
  if ((await groupPids(pgid)).length > 0) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* gone */
    }
    while ((await groupPids(pgid)).length > 0) await new Promise((r) => setTimeout(r, 50));
  }
  if (child.once && child.exitCode === null && child.signalCode === null && processAlive(pgid)) {
    await new Promise((r) => child.once!('exit', r));
  }
}

function dovecotConfig(p: {
  dir: string;
  baseDir: string;
  mailDir: string;
  homeDir: string;
  imapPort: number;
  tls: MailServersOptions['tls'];
  usersFile: string;
  passdbFiles: Record<MailServiceName, Record<string, string>>;
  fallbackPassword: string;
  mailUid: number;
  instance: string;
}): string {
  const passdbs = (service: MailServiceName): string =>
    Object.entries(p.passdbFiles[service])
      .map(
        ([user, file]) => `  passdb {
    driver = oauth2
    mechanisms = xoauth2 oauthbearer
    username_filter = ${user}
    args = ${file}
  }`
      )
      .join('\n');
  const fallback = `# Any other login user (or a failed token): refused as a bad credential, not a temporary failure.
passdb {
  driver = static
  args = password=${p.fallbackPassword}
}`;
  return `# Generated by @m365-mail/sandbox (src/server/mailServers.ts): the M365 Mail sandbox's Dovecot.
instance_name = ${p.instance}
base_dir = ${p.baseDir}
state_dir = ${path.join(p.dir, 'dovecot', 'state')}
log_path = ${path.join(p.dir, 'dovecot.log')}
info_log_path = ${path.join(p.dir, 'dovecot.log')}
debug_log_path = ${path.join(p.dir, 'dovecot.log')}
import_environment = TZ M365_SANDBOX_SMTP_AUTH_DISABLED
protocols = imap lmtp
listen = 127.0.0.1
shutdown_clients = yes
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = ${p.mailUid}

ssl = required
ssl_cert = <${p.tls.certPath}
ssl_key = <${p.tls.keyPath}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes

auth_mechanisms = xoauth2 oauthbearer
auth_verbose = yes
auth_failure_delay = 0
auth_cache_size = 0
auth_username_format = %Lu
postmaster_address = postmaster@${SANDBOX_TENANT.domain}
hostname = mail.${SANDBOX_TENANT.domain}

mail_location = maildir:${p.mailDir}/%u
mail_home = ${p.homeDir}/%u
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox "Sent Items" {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox "Deleted Items" {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox "Junk Email" {
    special_use = \\Junk
    auto = subscribe
  }
}

service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${p.imapPort}
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    port = 0
  }
}
service submission-login {
  inet_listener submission {
    port = 0
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0666
  }
}
# No growing delays after failed logins (Dovecot's auth penalty, up to 15 s): tests fail on purpose.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}

# Passdbs inside a protocol block come first for that service; the global ones are appended.
protocol imap {
${passdbs('imap')}
}
protocol smtp {
${passdbs('smtp')}
}
${fallback}
userdb {
  driver = passwd-file
  args = username_format=%Lu ${p.usersFile}
}
`;
}

function postfixMainCf(p: {
  dir: string;
  etcDir: string;
  spoolDir: string;
  dataDir: string;
  tls: MailServersOptions['tls'];
  lmtpSocket: string;
  authSocket: string;
}): string {
  const t = (name: string): string => `texthash:${path.join(p.etcDir, name)}`;
  return `# Generated by @m365-mail/sandbox (src/server/mailServers.ts): the M365 Mail sandbox's Postfix.
compatibility_level = 3.6
queue_directory = ${p.spoolDir}
data_directory = ${p.dataDir}
mail_owner = postfix
setgid_group = postdrop
maillog_file = ${path.join(p.dir, 'postfix.log')}
maillog_file_prefixes = ${p.dir}
myhostname = mail.${SANDBOX_TENANT.domain}
mydomain = ${SANDBOX_TENANT.domain}
myorigin = $mydomain
mydestination =
mynetworks = 127.0.0.1/32
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
biff = no
alias_maps =
alias_database =
local_recipient_maps =
relay_domains =
smtpd_banner = $myhostname Microsoft ESMTP MAIL Service ready (M365 Mail sandbox)
append_dot_mydomain = no
message_size_limit = 36700160

# Mailboxes of the tenant are delivered to Dovecot over LMTP; nothing else exists.
virtual_mailbox_domains = ${SANDBOX_TENANT.domain}
virtual_mailbox_maps = ${t('mailboxes')}
virtual_alias_maps =
virtual_transport = lmtp:unix:${p.lmtpSocket}
# Mail to other domains (authenticated users only) leaves nowhere: the sandbox is offline.
default_transport = discard:sandbox is offline
relay_transport = discard:sandbox is offline

# Submission: STARTTLS first, then SASL (XOAUTH2 / OAUTHBEARER through Dovecot's auth).
smtpd_tls_security_level = encrypt
smtpd_tls_auth_only = yes
smtpd_tls_cert_file = ${p.tls.certPath}
smtpd_tls_key_file = ${p.tls.keyPath}
smtpd_tls_CAfile = ${p.tls.caCertPath}
smtpd_tls_mandatory_protocols = >=TLSv1.2
smtpd_tls_loglevel = 1
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = ${p.authSocket}
smtpd_sasl_security_options = noanonymous
smtpd_sasl_tls_security_options = noanonymous
smtpd_sasl_authenticated_header = no
broken_sasl_auth_clients = no

# Decide at MAIL FROM, as Exchange does (530 5.7.57 without AUTH, 550 5.7.60 for Send As).
smtpd_delay_reject = no
smtpd_restriction_classes = ${SANDBOX_USERS.map((u) => sendAsClass(u.upn)).join(' ')}
${SANDBOX_USERS.map((u) => `${sendAsClass(u.upn)} = check_sender_access ${t(`sendas-${u.upn}`)}, check_sender_access static:{${SEND_AS_DENIED_REPLY}}`).join(
  '\n'
)}
smtpd_client_restrictions =
smtpd_helo_restrictions =
smtpd_sender_restrictions = check_sasl_access ${t('sasl-classes')}, check_client_access static:{${NOT_AUTHENTICATED_REPLY}}
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = permit_sasl_authenticated, check_client_access static:{${NOT_AUTHENTICATED_REPLY}}
smtpd_data_restrictions = reject_unauth_pipelining
`;
}

function sendAsClass(upn: string): string {
  return `sendas_${upn.split('@')[0]!.replace(/[^a-z0-9]/gi, '_')}`;
}

function postfixMasterCf(smtpPort: number): string {
  // No chroot (n), so absolute socket paths into Dovecot's base_dir work.
  return `# Generated by @m365-mail/sandbox (src/server/mailServers.ts). Only the submission port listens on the network.
127.0.0.1:${smtpPort} inet n - n - - smtpd
  -o syslog_name=postfix/submission
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;
}

export async function startMailServers(options: MailServersOptions): Promise<MailServers> {
  const dir = path.resolve(options.dir);
  await fs.mkdir(dir, { recursive: true });
  // Dovecot's mail processes (uid mail) and Postfix (uid postfix) must traverse it.
  await fs.chmod(dir, 0o755);
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    if (((await fs.stat(d)).mode & 0o001) === 0) {
      throw new Error(`${d} must be searchable by others (o+x): Postfix and Dovecot's mail processes run as other users`);
    }
    if (path.dirname(d) === d) break;
  }
  const { uid: mailUid, gid: mailGid } = await lookupId(MAIL_USER);

  const dovecotDir = path.join(dir, 'dovecot');
  // A short base_dir: unix socket paths are limited to 107 bytes.
  const baseDir = path.join(dovecotDir, 'run');
  const mailDir = path.join(dir, 'mail');
  const homeDir = path.join(dir, 'home');
  for (const d of [dovecotDir, baseDir, path.join(dovecotDir, 'state'), mailDir, homeDir]) {
    await fs.mkdir(d, { recursive: true });
  }
  await fs.chown(mailDir, mailUid, mailGid);
  await fs.chown(homeDir, mailUid, mailGid);
  if (path.join(baseDir, 'auth-postfix').length > 100) {
    throw new Error(`The sandbox directory's path is too long for unix sockets: ${dir}`);
  }

  const [imapPort, smtpPort] = [await freePort(), await freePort()];
  const instance = `m365sandbox-${randomBytes(4).toString('hex')}`;

  // Mailboxes (userdb): the fixture users only.
  const usersFile = path.join(dovecotDir, 'users');
  await fs.writeFile(
    usersFile,
    SANDBOX_USERS.map((u) => `${u.upn.toLowerCase()}::${mailUid}:${mailGid}::${path.join(homeDir, u.upn.toLowerCase())}::\n`).join('')
  );

  // One oauth2 passdb per (service, mailbox): the URL carries the mailbox (see the header comment).
  const passdbFiles: Record<MailServiceName, Record<string, string>> = { imap: {}, smtp: {} };
  for (const service of ['imap', 'smtp'] as const) {
    for (const user of SANDBOX_USERS) {
      const upn = user.upn.toLowerCase();
      const url = new URL(options.introspectionUrl(service));
      url.searchParams.set('user', upn);
      const file = path.join(dovecotDir, `oauth2-${service}-${upn}.conf.ext`);
      const lines = [
        'introspection_mode = post',
        // URLSearchParams writes '@' as %40; Dovecot uses the URL as is (no variable expansion).
        `introspection_url = ${url.toString()}`,
        'username_attribute = username',
        'active_attribute = active',
        'active_value = true',
        `tls_ca_cert_file = ${options.tls.caCertPath}`,
        'timeout_msecs = 10000'
      ];
      if (service === 'smtp' && user.smtpAuthDisabled) {
        // A valid token still fails, with Exchange's reason. Dovecot passes `reason` in its FAIL reply;
        // Postfix prints it after its fixed prefix: "535 5.7.8 Error: authentication failed: <reason>".
        // The text has spaces, which passdb templates cannot hold, so it comes from the environment.
        lines.push('pass_attrs = reason=%{env:M365_SANDBOX_SMTP_AUTH_DISABLED}');
      }
      await fs.writeFile(file, lines.join('\n') + '\n');
      passdbFiles[service][upn] = file;
    }
  }
  const dovecotConf = path.join(dovecotDir, 'dovecot.conf');
  let conf = dovecotConfig({
    dir,
    baseDir,
    mailDir,
    homeDir,
    imapPort,
    tls: options.tls,
    usersFile,
    passdbFiles,
    fallbackPassword: randomBytes(24).toString('hex'),
    mailUid,
    instance
  });
  // The SMTP-AUTH-disabled mailboxes: token checked, then the lookup fails (result_success = return-fail).
  for (const user of SANDBOX_USERS.filter((u) => u.smtpAuthDisabled)) {
    const file = passdbFiles.smtp[user.upn.toLowerCase()]!;
    conf = conf.replace(`    args = ${file}\n`, `    args = ${file}\n    result_success = return-fail\n`);
  }
  await fs.writeFile(dovecotConf, conf);

  const logs = { dovecot: path.join(dir, 'dovecot.log'), postfix: path.join(dir, 'postfix.log') };
  const etcDir = path.join(dir, 'postfix', 'etc');
  await fs.writeFile(logs.dovecot, '', { flag: 'a' });

  const env = { ...process.env, M365_SANDBOX_SMTP_AUTH_DISABLED: SMTP_AUTH_DISABLED_TEXT };
  const dovecot = spawn('dovecot', ['-F', '-c', dovecotConf], {
    detached: true, // its own process group: stop() signals the whole group
    stdio: ['ignore', 'ignore', 'pipe'],
    env
  });
  let dovecotStderr = '';
  dovecot.stderr?.on('data', (d: Buffer) => (dovecotStderr += d.toString()));

  let postfix: ChildProcess | undefined;
  let postfixMasterPid: number | undefined;
  const stop = async (): Promise<void> => {
    // `postfix start-fg` runs `master -s`, which calls setsid(): its own session and process group
    // (pgid = master's pid), not the wrapper's. Signal both groups.
    if (postfixMasterPid) await stopGroup({ pid: postfixMasterPid }, 10000);
    await stopGroup(postfix, 10000);
    await stopGroup(dovecot, 10000);
  };

  try {
    await waitFor(
      'Dovecot',
      async () => {
        if (dovecot.exitCode !== null) throw new Error(`dovecot exited ${dovecot.exitCode}: ${dovecotStderr}`);
        return canConnect(imapPort);
      },
      15000,
      logs.dovecot
    );

    // Postfix: its own config, queue and data directories.
    const pfDir = path.join(dir, 'postfix');
    const spoolDir = path.join(pfDir, 'spool');
    const dataDir = path.join(pfDir, 'data');
    await fs.mkdir(etcDir, { recursive: true });
    await fs.mkdir(spoolDir, { recursive: true });
    await fs.mkdir(dataDir, { recursive: true });
    const pf = await lookupId('postfix');
    await fs.chown(dataDir, pf.uid, pf.gid);
    await fs.writeFile(
      path.join(etcDir, 'main.cf'),
      postfixMainCf({
        dir,
        etcDir,
        spoolDir,
        dataDir,
        tls: options.tls,
        lmtpSocket: path.join(baseDir, 'lmtp'),
        authSocket: path.join(baseDir, 'auth-postfix')
      })
    );
    await fs.writeFile(path.join(etcDir, 'master.cf'), postfixMasterCf(smtpPort));
    await fs.writeFile(path.join(etcDir, 'mailboxes'), SANDBOX_USERS.map((u) => `${u.upn.toLowerCase()} OK\n`).join(''));
    await fs.writeFile(path.join(etcDir, 'sasl-classes'), SANDBOX_USERS.map((u) => `${u.upn.toLowerCase()} ${sendAsClass(u.upn)}\n`).join(''));
    for (const u of SANDBOX_USERS) {
      const allowed = [u.upn, ...u.delegateOf].map((a) => `${a.toLowerCase()} OK\n`).join('');
      await fs.writeFile(path.join(etcDir, `sendas-${u.upn}`), allowed);
    }
    // Creates the queue directories with Postfix's ownership, and checks the configuration.
    await execFileP('postfix', ['-c', etcDir, 'check']).catch((e: { stderr?: string }) => {
      throw new Error(`postfix check failed: ${e.stderr ?? String(e)}`);
    });
    postfix = spawn('postfix', ['-c', etcDir, 'start-fg'], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, MAIL_CONFIG: etcDir }
    });
    let postfixStderr = '';
    postfix.stderr?.on('data', (d: Buffer) => (postfixStderr += d.toString()));
    const pfChild = postfix;
    await waitFor(
      'Postfix',
      async () => {
        if (pfChild.exitCode !== null) throw new Error(`postfix exited ${pfChild.exitCode}: ${postfixStderr}`);
        return canConnect(smtpPort);
      },
      15000,
      logs.postfix
    );
    const pidFile = path.join(spoolDir, 'pid', 'master.pid');
    await waitFor('Postfix master pid file', async () => (await fs.readFile(pidFile, 'utf8').catch(() => '')).trim() !== '', 5000);
    postfixMasterPid = Number((await fs.readFile(pidFile, 'utf8')).trim());
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    imap: { host: '127.0.0.1', port: imapPort },
    smtp: { host: '127.0.0.1', port: smtpPort },
    mailDir,
    mailUid,
    mailGid,
    dovecotConfig: dovecotConf,
    postfixConfigDir: etcDir,
    instanceName: instance,
    logs,
    processGroups: () => [dovecot.pid, postfix?.pid, postfixMasterPid].filter((p): p is number => !!p),
    async processes(): Promise<number[]> {
      const groups = [dovecot.pid, postfix?.pid, postfixMasterPid].filter((p): p is number => !!p);
      const pids = new Set<number>();
      for (const g of groups) for (const p of await groupPids(g)) pids.add(p);
      return [...pids];
    },
    doveadm: (args: string[]) => doveadm(dovecotConf, args),
    stop
  };
}
