/**
 * The connection test's "Proxy" report, run when VS Code's proxy (or HTTPS_PROXY) is configured:
 * which proxy, and whether the credential's token endpoint answers through it (the CONNECT status,
 * then any HTTP answer over TLS verified against the trusted CAs). A host in the no-proxy list is
 * reached directly and the step says so. A plain GET: no token request, no credential sent. The
 * agent comes from the host (`route`, the `proxy` chunk), so this file stays Node built-ins only.
 */
import * as l10n from '@vscode/l10n';
import * as https from 'node:https';
import { explainNetworkFailure } from '../../net/networkErrors';
import { watchProxy } from '../../net/proxyErrors';
import { proxyLabel, type ProxyConfig } from '../../net/proxyRoute';
import type { HttpsRoute } from '../../net/proxyAgent';
import type { ConnectionReport, ConnectionTestOptions, StepError } from './report';
import { StepEngine } from './stepEngine';
import { StepFailure } from './stepErrors';

interface ProbeAnswer {
  httpStatus: number;
  connectStatus?: number;
  /** VS Code routed the request: `DIRECT` or the proxy it chose (no credentials). */
  vscodeChoice?: string;
  /** The proxy the request went through, whoever chose it. */
  through?: ProxyConfig;
}

function probe(target: URL, route: HttpsRoute, signal: AbortSignal): Promise<ProbeAnswer> {
  return new Promise((resolve, reject) => {
    const request = https.request(target, { method: 'GET', headers: { accept: 'application/json' }, ...route.tls, agent: route.agent, signal }, (response) => {
      response.resume();
      const refused = proxy.refusal(response.statusCode);
      if (refused) return reject(new StepFailure(refused));
      resolve({ httpStatus: response.statusCode ?? 0, connectStatus: proxy.connectStatus(), vscodeChoice: proxy.vscodeChoice(), through: proxy.through() });
    });
    const proxy = watchProxy(request, route, target.host);
    request.on('error', (error: Error & { code?: string }) => {
      const viaProxy = proxy.failure(error);
      reject(viaProxy ? new StepFailure(viaProxy) : error);
    });
    request.end();
  });
}

export async function testProxyConnection(options: ConnectionTestOptions): Promise<ConnectionReport> {
  const test = options.proxyTest;
  const route = options.route;
  if (!test || !route) throw new Error('a proxy test needs the proxy configuration and its route (options.proxyTest, options.route)');
  const proxyUrl = new URL(test.config.url);
  const target = new URL(test.tokenEndpoint);
  const targetPort = target.port || '443';
  const explain = (failure: { code?: string; message?: string }): StepError => {
    const network = explainNetworkFailure(failure, { name: l10n.t('the token endpoint ({0})', target.host) });
    return network ?? { code: failure.code ?? 'proxy', message: failure.message ?? l10n.t('failed') };
  };
  const engine = new StepEngine(
    'proxy',
    ['proxy'],
    {
      ...options,
      host: proxyUrl.hostname.replace(/^\[|\]$/g, ''),
      port: Number(proxyUrl.port || (proxyUrl.protocol === 'https:' ? 443 : 80)),
      security: 'tls'
    },
    explain
  );
  return engine.run(
    () =>
      engine.step('proxy', async (s, signal) => {
        const chosen = route(target);
        s.proxy = {
          proxy: proxyLabel(test.config),
          source: test.config.source,
          target: `${target.hostname}:${targetPort}`,
          through: Boolean(chosen.proxy),
          strictSslOff: test.config.strictSslOff
        };
        if (chosen.byVsCode) s.proxy = { ...s.proxy, routedBy: 'vscode', support: test.config.support };
        const { through, ...answer } = await probe(target, chosen, signal);
        s.proxy = { ...s.proxy, ...answer };
        // VS Code's choice is the one that counts: it may be the configured proxy, or its own resolution's.
        if (chosen.byVsCode) s.proxy = { ...s.proxy, through: Boolean(through), ...(through ? { proxy: proxyLabel(through), source: through.source } : {}) };
        s.reply = `HTTP ${answer.httpStatus}`;
      }),
    () => undefined
  );
}
