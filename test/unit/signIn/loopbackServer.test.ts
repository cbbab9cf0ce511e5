import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as os from 'node:os';
import { startLoopbackServer } from '../../../src/signIn/loopbackServer';
import { CancelledError, M365MailError } from '../../../src/core/errors';

function nonLoopbackAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
}

describe('loopback redirect listener', () => {
  it('answers one callback with code and state, then closes', async () => {
    const server = await startLoopbackServer({ path: '/cb' });
    const wait = server.waitForCallback();
    const favicon = await fetch(`http://127.0.0.1:${server.port}/favicon.ico`);
    assert.equal(favicon.status, 404, 'other paths do not end the wait');
    const response = await fetch(`http://127.0.0.1:${server.port}/cb?code=abc&state=xyz`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /Signed in/);
    assert.equal(await wait, `http://127.0.0.1:${server.port}/cb?code=abc&state=xyz`);
    await assert.rejects(fetch(`http://127.0.0.1:${server.port}/cb?code=again&state=xyz`), 'single use: the port is closed');
  });

  it('passes an error callback through and shows it escaped', async () => {
    const server = await startLoopbackServer();
    const wait = server.waitForCallback();
    const response = await fetch(`http://127.0.0.1:${server.port}/?error=access_denied&error_description=%3Cscript%3Ex%3C/script%3E&state=s`);
    const html = await response.text();
    assert.doesNotMatch(html, /<script>x/);
    assert.match(await wait, /error=access_denied/);
  });

  it('listens on 127.0.0.1 only', async function () {
    const other = nonLoopbackAddress();
    if (!other) this.skip(); // A machine without a non-loopback interface has nothing to prove here.
    const server = await startLoopbackServer();
    try {
      await assert.rejects(
        new Promise<void>((resolve, reject) => {
          const socket = net.connect(server.port, other as string, () => {
            socket.destroy();
            resolve();
          });
          socket.once('error', reject);
        })
      );
    } finally {
      server.close();
    }
  });

  it('times out with a typed error', async () => {
    const server = await startLoopbackServer({ timeoutMs: 50 });
    await assert.rejects(server.waitForCallback(), (e: M365MailError) => e.code === 'timeout');
  });

  it('stops on abort as a cancellation', async () => {
    const abort = new AbortController();
    const server = await startLoopbackServer({ signal: abort.signal });
    const wait = server.waitForCallback();
    abort.abort();
    await assert.rejects(wait, CancelledError);
  });
});
