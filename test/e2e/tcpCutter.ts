/**
 * A TCP relay on 127.0.0.1 in front of a server (TLS passes through untouched) that can cut a
 * connection in the middle of a command: once armed, the next bytes a client sends are dropped and
 * both sides are closed, as when a server or a network drops the connection mid-fetch.
 */
import net from 'node:net';

export class TcpCutter {
  private armed = 0;
  private readonly sockets = new Set<net.Socket>();
  /** Connections cut so far. */
  cuts = 0;

  private constructor(
    private readonly server: net.Server,
    readonly port: number
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpCutter> {
    const ref: { cutter?: TcpCutter } = {};
    const server = net.createServer((client) => {
      const upstream = net.connect(target.port, target.host);
      const all = ref.cutter!.sockets;
      all.add(client);
      all.add(upstream);
      const end = () => {
        client.destroy();
        upstream.destroy();
        all.delete(client);
        all.delete(upstream);
      };
      client.on('data', (data) => {
        if (ref.cutter!.armed > 0) {
          ref.cutter!.armed--;
          ref.cutter!.cuts++;
          end();
          return;
        }
        upstream.write(data);
      });
      upstream.on('data', (data) => client.write(data));
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ref.cutter = new TcpCutter(server, (server.address() as net.AddressInfo).port);
    return ref.cutter;
  }

  /** Cuts the next `times` client writes' connections (each write that arrives while armed). */
  arm(times = 1): void {
    this.armed = times;
  }

  disarm(): void {
    this.armed = 0;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
