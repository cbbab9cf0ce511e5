/**
 * A look-alike IMAP server on loopback, as an attacker would run behind a tampered definition
 * file: implicit TLS with a certificate the client trusts (the sandbox's own, from the sandbox CA),
 * a greeting that advertises XOAUTH2, and a record of every line it receives. It grants nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { SandboxDescription } from '@m365-mail/sandbox';

export class DecoyImap {
  /** Every line clients sent, in order. */
  readonly received: string[] = [];
  connections = 0;

  private constructor(
    private readonly server: tls.Server,
    readonly port: number
  ) {}

  static async start(sandbox: SandboxDescription): Promise<DecoyImap> {
    const ref: { decoy?: DecoyImap } = {};
    const server = tls.createServer(
      {
        cert: fs.readFileSync(sandbox.serverCertPath),
        key: fs.readFileSync(path.join(path.dirname(sandbox.serverCertPath), 'server.key'))
      },
      (socket) => {
        const decoy = ref.decoy!;
        decoy.connections++;
        socket.write('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] IMAP ready\r\n');
        let buffer = '';
        socket.on('data', (chunk) => {
          buffer += chunk.toString('latin1');
          let end: number;
          while ((end = buffer.indexOf('\r\n')) >= 0) {
            const line = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            decoy.received.push(line);
            const [tag, command] = line.split(' ');
            if (/^capability$/i.test(command ?? '')) socket.write(`* CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2\r\n${tag} OK done\r\n`);
            else if (/^logout$/i.test(command ?? '')) socket.end(`* BYE\r\n${tag} OK bye\r\n`);
            else socket.write(`${tag} NO not here\r\n`);
          }
        });
        socket.on('error', () => undefined);
      }
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ref.decoy = new DecoyImap(server, (server.address() as AddressInfo).port);
    return ref.decoy;
  }

  /** Lines that carried an authentication (XOAUTH2 sends the token in them). */
  authentications(): string[] {
    return this.received.filter((line) => /\bAUTHENTICATE\b/i.test(line));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
