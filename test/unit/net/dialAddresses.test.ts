/**
 * Dialling every address of a host in turn, against real loopback sockets: 127.0.0.1 and 127.0.0.2
 * both reach the loopback interface on Linux, so one can refuse while the other listens on the same
 * port. A hanging attempt is a socket that is never connected (our own dialler hook).
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { DialError, dialAddresses, interleaveFamilies } from '../../../src/net/dialAddresses';

function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

/** A server on 127.0.0.2 whose port is free on 127.0.0.1 (checked by binding it there once). */
async function listenOnSecondLoopback(): Promise<{ server: net.Server; port: number }> {
  for (;;) {
    const server = net.createServer((socket) => socket.end());
    await listen(server, 0, '127.0.0.2');
    const port = (server.address() as net.AddressInfo).port;
    const probe = net.createServer();
    try {
      await listen(probe, port, '127.0.0.1');
      await new Promise((r) => probe.close(r));
      return { server, port };
    } catch {
      await new Promise((r) => server.close(r));
    }
  }
}

describe('net: dialling each address in turn', () => {
  let server: net.Server;
  let port: number;
  const sockets: net.Socket[] = [];

  before(async () => ({ server, port } = await listenOnSecondLoopback()));
  after(() => new Promise((r) => server.close(r)));
  afterEach(() => sockets.splice(0).forEach((s) => s.destroy()));

  it('moves past a refused address to the one that answers, and says which failed and why', async () => {
    const { socket, attempts } = await dialAddresses(['127.0.0.1', '127.0.0.2'], { port, attemptTimeoutMs: 5000, onSocket: (s) => sockets.push(s) });
    assert.equal(socket.remoteAddress, '127.0.0.2');
    assert.equal(attempts.length, 2);
    assert.equal(attempts[0]!.address, '127.0.0.1');
    assert.equal(attempts[0]!.code, 'ECONNREFUSED');
    assert.match(attempts[0]!.message ?? '', /ECONNREFUSED/);
    assert.deepEqual({ address: attempts[1]!.address, code: attempts[1]!.code }, { address: '127.0.0.2', code: undefined });
    assert.equal(sockets.length, 2, 'each attempt opened its own socket');
    assert.ok(sockets[0]!.destroyed, 'the failed attempt is closed');
  });

  it('gives up on an address that does not answer within its share of time, then tries the next', async () => {
    const { socket, attempts } = await dialAddresses(['192.0.2.1', '127.0.0.2'], {
      port,
      attemptTimeoutMs: 50,
      // 192.0.2.1 (TEST-NET-1) stands for a black-holed address: its socket never connects.
      connect: (address, p) => (address === '192.0.2.1' ? new net.Socket() : net.connect({ host: address, port: p })),
      onSocket: (s) => sockets.push(s)
    });
    assert.equal(socket.remoteAddress, '127.0.0.2');
    assert.equal(attempts[0]!.code, 'ETIMEDOUT');
    assert.ok(attempts[0]!.durationMs >= 45, `waited ${attempts[0]!.durationMs} ms`);
    assert.ok(sockets[0]!.destroyed);
  });

  it('fails with every attempt when no address answers, coded so the classifier can explain it', async () => {
    await assert.rejects(dialAddresses(['127.0.0.1', '127.0.0.3'], { port, attemptTimeoutMs: 5000 }), (error: DialError) => {
      assert.ok(error instanceof DialError);
      assert.equal(error.code, 'ECONNREFUSED');
      assert.deepEqual(
        error.attempts.map((a) => [a.address, a.code]),
        [
          ['127.0.0.1', 'ECONNREFUSED'],
          ['127.0.0.3', 'ECONNREFUSED']
        ]
      );
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port} ECONNREFUSED, 127\\.0\\.0\\.3:${port} ECONNREFUSED`));
      return true;
    });
  });

  it('stops at once when cancelled, without trying the next address', async () => {
    const controller = new AbortController();
    const tried: string[] = [];
    const dialling = dialAddresses(['192.0.2.1', '127.0.0.2'], {
      port,
      attemptTimeoutMs: 60_000,
      signal: controller.signal,
      connect: (address) => {
        tried.push(address);
        return new net.Socket();
      },
      onSocket: (s) => {
        sockets.push(s);
        queueMicrotask(() => controller.abort());
      }
    });
    await assert.rejects(dialling, (error: DialError) => error.code === 'ECONNABORTED');
    assert.deepEqual(tried, ['192.0.2.1']);
  });

  it("records the caller's coded reason for ending an attempt (its step timed out)", async () => {
    const controller = new AbortController();
    const dialling = dialAddresses(['192.0.2.1'], {
      port,
      attemptTimeoutMs: 60_000,
      signal: controller.signal,
      connect: () => new net.Socket(),
      onSocket: () => queueMicrotask(() => controller.abort(Object.assign(new Error('No answer within 1 s (timed out).'), { code: 'ETIMEDOUT' })))
    });
    await assert.rejects(dialling, (error: DialError) => {
      assert.deepEqual(
        error.attempts.map((a) => a.code),
        ['ETIMEDOUT']
      );
      return error.code === 'ETIMEDOUT';
    });
  });

  it('interleaves the families, starting with the first address', () => {
    assert.deepEqual(interleaveFamilies(['2001:db8::1', '2001:db8::2', '192.0.2.1', '192.0.2.2']), ['2001:db8::1', '192.0.2.1', '2001:db8::2', '192.0.2.2']);
    assert.deepEqual(interleaveFamilies(['192.0.2.1', '192.0.2.2', '2001:db8::1']), ['192.0.2.1', '2001:db8::1', '192.0.2.2']);
    assert.deepEqual(interleaveFamilies([]), []);
  });
});
