import * as assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ClientRequest } from 'node:http';
import {
  leftToVsCode,
  normalizeProxyUrl,
  proxyFor,
  proxyLabel,
  proxySupportOf,
  proxyUrlOfResolution,
  resolveProxyConfig,
  type ProxyConfig,
  type ProxySupport
} from '../../../src/net/proxyRoute';
import { explainProxyFailure, explainProxyRefusal, mailPortsNote, watchProxy } from '../../../src/net/proxyErrors';

const config = (noProxy: string[]): ProxyConfig => ({ url: 'http://proxy.corp:3128/', source: 'http.proxy', noProxy, strictSslOff: false, support: 'off' });
const via = (url: string, noProxy: string[]) => proxyFor(new URL(url), config(noProxy)) !== undefined;

describe('proxy settings resolution', () => {
  it('prefers http.proxy over HTTPS_PROXY, and HTTPS_PROXY over HTTP_PROXY', () => {
    const env = { HTTPS_PROXY: 'http://env-https:8080', HTTP_PROXY: 'http://env-http:8080' };
    assert.deepEqual(
      [
        resolveProxyConfig({ proxy: 'http://setting:3128', env })?.url,
        resolveProxyConfig({ env })?.url,
        resolveProxyConfig({ env: { HTTP_PROXY: 'http://env-http:8080' } })?.url
      ],
      ['http://setting:3128/', 'http://env-https:8080/', 'http://env-http:8080/']
    );
    assert.equal(resolveProxyConfig({ proxy: 'http://setting:3128', env })?.source, 'http.proxy');
    assert.equal(resolveProxyConfig({ env })?.source, 'HTTPS_PROXY');
  });

  it('reads the environment in either case, lower case first (as curl and proxy-from-env do)', () => {
    assert.equal(resolveProxyConfig({ env: { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' } })?.url, 'http://lower:1/');
    assert.deepEqual(resolveProxyConfig({ env: { HTTPS_PROXY: 'http://p:1', no_proxy: 'a.example, b.example' } })?.noProxy, ['a.example', 'b.example']);
  });

  it('is off without a proxy, with a blank setting and no environment, and for a URL it cannot use', () => {
    assert.equal(resolveProxyConfig({ env: {} }), undefined);
    assert.equal(resolveProxyConfig({ proxy: '   ', env: {} }), undefined);
    assert.equal(resolveProxyConfig({ proxy: 'socks5://proxy:1080', env: {} }), undefined);
    assert.equal(normalizeProxyUrl('proxy.corp:3128'), 'http://proxy.corp:3128/');
    assert.equal(normalizeProxyUrl('ftp://proxy'), undefined);
  });

  it('joins http.noProxy and NO_PROXY, and keeps http.proxyAuthorization and proxyStrictSSL', () => {
    const resolved = resolveProxyConfig({
      proxy: 'http://p:1',
      noProxy: ['intranet.corp'],
      authorization: 'Basic dXNlcjpwYXNz',
      strictSsl: false,
      env: { NO_PROXY: 'localhost,.internal' }
    });
    assert.deepEqual(resolved?.noProxy, ['intranet.corp', 'localhost', '.internal']);
    assert.equal(resolved?.authorization, 'Basic dXNlcjpwYXNz');
    assert.equal(resolved?.strictSslOff, true);
    assert.equal(resolveProxyConfig({ proxy: 'http://p:1', authorization: null, env: {} })?.authorization, undefined);
  });
});

describe('no-proxy patterns (proxy-from-env semantics)', () => {
  it('a name matches itself only, in any case', () => {
    assert.equal(via('https://login.example.com/x', ['login.example.com']), false);
    assert.equal(via('https://LOGIN.example.com/x', ['login.EXAMPLE.com']), false);
    assert.equal(via('https://sub.login.example.com/x', ['login.example.com']), true);
    assert.equal(via('https://example.com/x', ['ample.com']), true);
  });

  it('a leading dot or "*." matches the subdomains, not the name itself; "*" matches every host', () => {
    assert.equal(via('https://a.corp.example/x', ['.corp.example']), false);
    assert.equal(via('https://corp.example/x', ['.corp.example']), true);
    assert.equal(via('https://a.b.corp.example/x', ['*.corp.example']), false);
    assert.equal(via('https://corp.example/x', ['*.corp.example']), true);
    assert.equal(via('https://anything.example/x', ['*']), false);
  });

  it('a port narrows an entry to that port (443 when the URL has none)', () => {
    assert.equal(via('https://host.example/x', ['host.example:443']), false);
    assert.equal(via('https://host.example:8443/x', ['host.example:443']), true);
    assert.equal(via('https://host.example:8443/x', ['host.example:8443']), false);
  });

  it('matches IP addresses, IPv6 with or without brackets', () => {
    assert.equal(via('https://127.0.0.1:9443/x', ['127.0.0.1']), false);
    assert.equal(via('https://[::1]:9443/x', ['::1']), false);
    assert.equal(via('https://[::1]:9443/x', ['[::1]:9443']), false);
    assert.equal(via('https://[::1]:9443/x', ['[::1]:443']), true);
  });

  it('an empty list sends everything through the proxy', () => {
    assert.equal(via('https://localhost/x', []), true);
    assert.equal(proxyFor(new URL('https://a.example'), undefined), undefined);
  });
});

describe('proxy failures', () => {
  const withUser: ProxyConfig = { ...config([]), url: 'http://alice:s3cret@proxy.corp:3128/' };

  it('never shows the proxy credentials', () => {
    assert.equal(proxyLabel(withUser), 'http://proxy.corp:3128');
    const texts = [
      explainProxyRefusal(407, withUser, 'login.example:443'),
      explainProxyFailure({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, withUser, 'h:443', undefined)
    ];
    for (const explained of texts) assert.doesNotMatch(JSON.stringify(explained), /alice|s3cret/);
  });

  it('explains 407 by whether credentials were given', () => {
    assert.equal(explainProxyRefusal(407, withUser, 'h:443').code, 'proxy.auth_required');
    assert.match(explainProxyRefusal(407, withUser, 'h:443').message, /did not accept the credentials/);
    assert.match(explainProxyRefusal(407, config([]), 'h:443').message, /requires authentication .* none is configured/);
    assert.match(explainProxyRefusal(407, config([]), 'h:443').nextStep, /http\.proxyAuthorization/);
    assert.equal(explainProxyRefusal(403, config([]), 'h:443').code, 'proxy.refused');
    // tinyproxy answers a wrong password with 401: a CONNECT's answer is always the proxy's.
    assert.equal(explainProxyRefusal(401, withUser, 'h:443').code, 'proxy.auth_required');
  });

  it('blames the proxy for a failure before CONNECT was answered, the origin for one after', () => {
    assert.equal(explainProxyFailure({ code: 'ECONNREFUSED' }, config([]), 'h:443', undefined)?.code, 'proxy.unreachable');
    assert.equal(explainProxyFailure({ code: 'ECONNRESET' }, config([]), 'h:443', 200), undefined);
    assert.equal(
      explainProxyFailure({ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }, config([]), 'h:443', undefined),
      undefined
    );
  });

  it('tells IMAP and SMTP users that the proxy does not carry them, and names Graph only where it can be used', () => {
    assert.match(mailPortsNote('IMAP', 993, true), /IMAP and SMTP do not go through it.*Microsoft Graph goes through the proxy/);
    assert.doesNotMatch(mailPortsNote('SMTP', 587, false), /Graph/);
  });
});

describe("VS Code's extension-host proxy patch (http.proxySupport)", () => {
  it('reads http.proxySupport as VS Code does: unset or unknown is off', () => {
    assert.deepEqual(
      ['on', 'fallback', 'override', 'off', undefined, 'bogus'].map((value) => proxySupportOf(value)),
      ['on', 'fallback', 'override', 'off', 'off', 'off']
    );
    assert.equal(resolveProxyConfig({ proxy: 'http://p:1', support: 'on', env: {} })?.support, 'on');
  });

  it('leaves the route to VS Code without a proxy of ours, and under override and fallback; our agent routes under on and off', () => {
    const withSupport = (support: ProxySupport) => ({ ...config([]), support });
    assert.deepEqual(
      [undefined, withSupport('override'), withSupport('fallback'), withSupport('on'), withSupport('off')].map((c) => leftToVsCode(c)),
      [true, true, true, false, false]
    );
  });

  it('reads the resolution @vscode/proxy-agent reports into a proxy URL without credentials; DIRECT is none', () => {
    assert.deepEqual(
      ['PROXY user:secret@proxy.corp:3128', 'HTTPS proxy.corp:443; DIRECT', 'SOCKS5 s:1080', 'DIRECT', '', undefined, 'BOGUS x:1'].map(proxyUrlOfResolution),
      ['http://proxy.corp:3128', 'https://proxy.corp', 'socks://s:1080', undefined, undefined, undefined, undefined]
    );
  });

  it("explains a failure by the proxy VS Code chose: the configured one's source, else VS Code's system resolution", () => {
    const watched = (configured: ProxyConfig | undefined, resolution: string) => {
      const request = new EventEmitter() as unknown as ClientRequest;
      const watch = watchProxy(request, { byVsCode: true, configured }, 'login.example:443');
      const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:3128'), { code: 'ECONNREFUSED' });
      request.emit('proxy', { proxy: resolution, error: refused });
      return watch;
    };
    const fromSetting = watched(config([]), 'PROXY proxy.corp:3128');
    assert.equal(fromSetting.through()?.source, 'http.proxy');
    assert.match(
      fromSetting.failure(new Error('Failed to establish a socket connection to proxies'))?.message ?? '',
      /proxy\.corp:3128 \(from http\.proxy\) cannot be reached.*ECONNREFUSED/
    );
    const fromSystem = watched(undefined, 'PROXY pac-chosen.corp:8080');
    assert.equal(fromSystem.vscodeChoice(), 'http://pac-chosen.corp:8080');
    assert.match(fromSystem.failure(new Error('x'))?.message ?? '', /from VS Code's system proxy resolution/);
    const direct = watched(undefined, 'DIRECT');
    assert.equal(direct.through(), undefined);
    assert.equal(direct.vscodeChoice(), 'DIRECT');
  });

  it("takes an answer on a socket that is not TLS, when VS Code chose a proxy, for the proxy's refusal (its replayed CONNECT answer)", () => {
    const request = new EventEmitter() as unknown as ClientRequest;
    const watch = watchProxy(request, { byVsCode: true }, 'login.example:443');
    request.emit('proxy', { proxy: 'PROXY proxy.corp:3128' });
    request.emit('socket', { encrypted: false });
    assert.equal(watch.refusal(407)?.code, 'proxy.auth_required');
    const tls = new EventEmitter() as unknown as ClientRequest;
    const tunnelled = watchProxy(tls, { byVsCode: true }, 'login.example:443');
    tls.emit('proxy', { proxy: 'PROXY proxy.corp:3128' });
    tls.emit('socket', { encrypted: true });
    assert.equal(tunnelled.refusal(407), undefined, "over TLS the answer is the origin's");
    // VS Code never sends http.proxyAuthorization: a 407 is not "the credentials given" refused.
    const withHeader = new EventEmitter() as unknown as ClientRequest;
    const configured = { ...config([]), url: 'http://proxy.corp:3128/', authorization: 'Basic c2VjcmV0' };
    const header = watchProxy(withHeader, { byVsCode: true, configured }, 'login.example:443');
    withHeader.emit('proxy', { proxy: 'PROXY proxy.corp:3128' });
    withHeader.emit('socket', {});
    assert.match(header.refusal(407)?.message ?? '', /\(from http\.proxy\) requires authentication .* and none is configured/);
  });
});
