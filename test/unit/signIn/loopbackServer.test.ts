import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as os from 'node:os';
import { startLoopbackServer } from '../../../src/signIn/loopbackServer';
import { CancelledError, M365MailError } from '../../../src/core/errors';
import { useEnglish, useGuillemetLanguage } from '../displayLanguage';

function nonLoopbackAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
}

/** Whether this machine can bind ::1 at all (a host without IPv6 cannot). */
function hasIpv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
}

describe('loopback redirect listener', () => {
  it('answers one callback with code and the expected state, then closes', async () => {
    const server = await startLoopbackServer({ path: '/cb' });
    server.expectState('xyz');
    const wait = server.waitForCallback();
    const favicon = await fetch(`http://127.0.0.1:${server.port}/favicon.ico`);
    assert.equal(favicon.status, 404, 'other paths do not end the wait');
    const response = await fetch(`http://127.0.0.1:${server.port}/cb?code=abc&state=xyz`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /Signed in/);
    assert.equal(await wait, `http://127.0.0.1:${server.port}/cb?code=abc&state=xyz`);
    await assert.rejects(fetch(`http://127.0.0.1:${server.port}/cb?code=again&state=xyz`), 'single use: the port is closed');
  });

  it('refuses callbacks with another, no or a not yet known state with 400 and keeps waiting', async () => {
    let refused = 0;
    const server = await startLoopbackServer({ onRefused: () => refused++ });
    const wait = server.waitForCallback();
    let settled = false;
    void wait.then(() => (settled = true));
    const early = await fetch(`http://127.0.0.1:${server.port}/?code=early&state=right`);
    assert.equal(early.status, 400, 'before expectState nothing is accepted');
    server.expectState('right');
    const forged = await fetch(`http://127.0.0.1:${server.port}/?error=access_denied&state=wrong`);
    assert.equal(forged.status, 400);
    assert.match(await forged.text(), /not for this attempt/);
    const stateless = await fetch(`http://127.0.0.1:${server.port}/?code=abc`);
    assert.equal(stateless.status, 400);
    const longer = await fetch(`http://127.0.0.1:${server.port}/?code=abc&state=right2`);
    assert.equal(longer.status, 400);
    assert.equal(refused, 4);
    assert.equal(settled, false, 'a forged callback does not end the sign-in');
    const real = await fetch(`http://127.0.0.1:${server.port}/?code=real&state=right`);
    assert.equal(real.status, 200);
    assert.match(await wait, /code=real/);
  });

  it('passes an error callback with the expected state through and shows it escaped', async () => {
    const server = await startLoopbackServer();
    server.expectState('s');
    const wait = server.waitForCallback();
    const response = await fetch(`http://127.0.0.1:${server.port}/?error=access_denied&error_description=%3Cscript%3Ex%3C/script%3E&state=s`);
    const html = await response.text();
    assert.doesNotMatch(html, /<script>x/);
    assert.match(await wait, /error=access_denied/);
  });

  it('shows its pages in the display language', async () => {
    useGuillemetLanguage();
    try {
      const server = await startLoopbackServer();
      server.expectState('s');
      const response = await fetch(`http://127.0.0.1:${server.port}/?code=c&state=s`);
      assert.match(await response.text(), /<h1>«Signed in»<\/h1>/);
    } finally {
      useEnglish();
    }
  });

  it('answers a localhost redirect on ::1 as well as on 127.0.0.1', async () => {
    const server = await startLoopbackServer();
    server.expectState('s');
    const wait = server.waitForCallback();
    if (await hasIpv6Loopback()) {
      const response = await fetch(`http://[::1]:${server.port}/?code=v6&state=s`);
      assert.equal(response.status, 200);
      assert.match(await wait, /code=v6/);
    } else {
      // Without IPv6 the listener still starts, on 127.0.0.1 alone.
      const response = await fetch(`http://127.0.0.1:${server.port}/?code=v4&state=s`);
      assert.equal(response.status, 200);
      assert.match(await wait, /code=v4/);
    }
  });

  it('listens on loopback only', async function () {
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
