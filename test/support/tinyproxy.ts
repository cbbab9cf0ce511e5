/**
 * Debian's tinyproxy on a free loopback port, for the proxy tests: a real HTTP proxy that speaks
 * CONNECT, optionally asks for Basic credentials (`BasicAuth`), and logs each request it receives.
 * Started in its own process group (stopped with the run, reaped by the next if this one dies).
 * `npm run setup` installs it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canConnect, freePort, startManaged } from '@m365-mail/sandbox';

export const TINYPROXY = '/usr/bin/tinyproxy';

export interface Tinyproxy {
  port: number;
  /** `http://127.0.0.1:PORT`, without credentials. */
  url: string;
  /** The `host:port` of every CONNECT the proxy received so far, in order. */
  connects(): string[];
  stop(): Promise<void>;
}

export async function startTinyproxy(options: { basicAuth?: { user: string; password: string } } = {}): Promise<Tinyproxy> {
  if (!fs.existsSync(TINYPROXY)) throw new Error(`${TINYPROXY} is missing: run \`npm run setup\` (it installs Debian's tinyproxy)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'm365mail-tinyproxy-'));
  // tinyproxy drops to another user when started as root; it must still write its log here.
  fs.chmodSync(dir, 0o777);
  const port = await freePort();
  const logFile = path.join(dir, 'tinyproxy.log');
  const config = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 30',
    `LogFile "${logFile}"`,
    // Connect: one line per request ("Request (file descriptor N): CONNECT host:port HTTP/1.1").
    'LogLevel Connect',
    'MaxClients 50',
    'Allow 127.0.0.1',
    ...(options.basicAuth ? [`BasicAuth ${options.basicAuth.user} ${options.basicAuth.password}`] : [])
  ];
  const configFile = path.join(dir, 'tinyproxy.conf');
  fs.writeFileSync(configFile, `${config.join('\n')}\n`);
  const managed = startManaged('tinyproxy', TINYPROXY, ['-d', '-c', configFile], { dirs: [dir], stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  managed.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (managed.child.exitCode !== null) throw new Error(`tinyproxy exited with ${managed.child.exitCode}: ${stderr.trim()}`);
    if (Date.now() > deadline) throw new Error(`tinyproxy did not listen on ${port} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    connects: () => {
      const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      return [...log.matchAll(/Request \(file descriptor \d+\): CONNECT (\S+) HTTP/g)].map((m) => m[1]!);
    },
    stop: () => managed.stop()
  };
}
