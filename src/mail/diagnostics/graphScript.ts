/**
 * The Microsoft Graph connection test: DNS, TCP and TLS to the cloud's Graph host (the shared
 * steps), the access token (its audience must be the cloud's Graph root; its `scp` or `roles` are
 * recorded), `GET /users/{id}` (the mailbox exists and Graph serves it), `GET mailFolders/inbox`
 * (read access), and the send permission judged from the token: it never sends a message. Plain
 * `node:https` with the same trusted CAs: the Graph SDK lives in a lazy chunk and this test is in
 * the activation bundle. Graph's errors are explained by their `error.code`, as everywhere else.
 */
import * as l10n from '@vscode/l10n';
import * as https from 'node:https';
import { decodeJwtClaims } from '../../core/tokenClaims';
import { httpsAgentFor, tlsOptions } from '../../net/tlsContext';
import { watchProxy } from '../../net/proxyErrors';
import { proxyLabel } from '../../net/proxyRoute';
import type { HttpsRoute } from '../../net/proxyAgent';
import { explainGraphFailure } from '../graph/graphErrors';
import { explainNetworkFailure } from '../../net/networkErrors';
import { graphSteps, type ConnectionReport, type ConnectionStep, type ConnectionTestOptions, type GraphTestOptions, type StepError } from './report';
import { accessToken, connectTcp, handshake, resolveHost } from './sharedSteps';
import { StepEngine } from './stepEngine';
import { fromMailError, StepFailure } from './stepErrors';
import { collectResponse } from '../../net/responseBody';

/** Graph's own application ID, which some tokens carry as their audience instead of the URL. */
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const MAX_REPLY_BYTES = 1024 * 1024;

function get(url: URL, token: string, route: HttpsRoute, signal: AbortSignal): Promise<{ status: number; requestId?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      { method: 'GET', headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, ...route.tls, agent: route.agent, signal },
      (response) => {
        // A proxy that refused the tunnel answers in Graph's place.
        const refused = proxy.refusal(response.statusCode);
        if (refused) {
          response.resume();
          return reject(new StepFailure(refused));
        }
        // A reply is untrusted input: read at most a megabyte, keep the first 64 KiB for the report.
        collectResponse(
          response,
          MAX_REPLY_BYTES,
          (error) => request.destroy(error),
          (collected) =>
            resolve({ status: collected.status, requestId: collected.headers['request-id'], body: collected.body.toString('utf8').slice(0, 64 * 1024) })
        );
        response.on('error', reject);
      }
    );
    const proxy = watchProxy(request, route, url.host);
    request.on('error', (error: Error & { code?: string }) => {
      const viaProxy = proxy.failure(error);
      reject(viaProxy ? new StepFailure(viaProxy) : error);
    });
    request.end();
  });
}

/** Graph's error body, read as the SDK reads it, for the shared explainer. */
function graphFailure(answer: { status: number; requestId?: string; body: string }): {
  statusCode: number;
  code?: string;
  message?: string;
  requestId?: string;
} {
  let error: { code?: unknown; message?: unknown; innerError?: { 'request-id'?: unknown } } | undefined;
  try {
    error = (JSON.parse(answer.body) as { error?: typeof error }).error;
  } catch {
    error = undefined;
  }
  return {
    statusCode: answer.status,
    code: typeof error?.code === 'string' ? error.code : undefined,
    message: typeof error?.message === 'string' ? error.message : undefined,
    requestId: answer.requestId ?? (typeof error?.innerError?.['request-id'] === 'string' ? error.innerError['request-id'] : undefined)
  };
}

/** What the token must hold for an operation: a delegated scope or an app role. */
function permissionFor(graph: GraphTestOptions, operation: 'Read' | 'Send'): string {
  return graph.appOnly ? `Mail.${operation}` : graph.shared ? `Mail.${operation}.Shared` : `Mail.${operation}`;
}

function missingPermission(graph: GraphTestOptions, permission: string, user: string): StepError {
  return graph.appOnly
    ? {
        code: 'graph.missing_role',
        message: l10n.t('The app-only token has no {0} role, so Microsoft Graph will refuse this for {1}.', permission, user),
        nextStep: l10n.t(
          'In the app registration add the Microsoft Graph application permission {0}, grant admin consent, then authorize the credential again.',
          permission
        )
      }
    : {
        code: 'graph.missing_scope',
        message: l10n.t('The token has no {0} scope, so Microsoft Graph will refuse this for {1}.', permission, user),
        nextStep: l10n.t('Add {0} (with the Graph prefix) to the credential\'s scopes ("Edit credential"), consent to it, then authorize again.', permission)
      };
}

export async function testGraphConnection(options: ConnectionTestOptions & { graph: GraphTestOptions }): Promise<ConnectionReport> {
  const graph = options.graph;
  const endpoint = new URL(graph.endpoint);
  const engineOptions = { ...options, host: endpoint.hostname.replace(/^\[|\]$/g, ''), port: Number(endpoint.port || 443), security: 'tls' as const };
  const explain = (failure: { code?: string; message?: string }): StepError => {
    const network = explainNetworkFailure(failure as Error & { code?: string }, { name: `Microsoft Graph (${endpoint.host})` });
    return network
      ? { code: network.code, message: network.message, nextStep: network.nextStep }
      : { code: failure.code ?? 'graph', message: failure.message ?? 'failed' };
  };
  // Direct unless the host hands in a route through VS Code's proxy (and the Graph host is not in the no-proxy list).
  const route: HttpsRoute = options.route?.(endpoint) ?? { agent: httpsAgentFor(options.extraCaCertificates), tls: tlsOptions(options.extraCaCertificates) };
  // VS Code routing a request with a proxy configured picks that proxy too (unless the host is in its no-proxy list).
  const viaProxy = route.proxy ?? (route.byVsCode ? route.configured : undefined);
  const engine = new StepEngine('graph', graphSteps(graph, Boolean(viaProxy)), engineOptions, explain);
  const mailboxPath = `/v1.0/users/${encodeURIComponent(options.user)}`;
  const report = await engine.run(
    async () => {
      if (!viaProxy) {
        const addresses = await engine.step('dns', (s) => resolveHost(engine, s));
        const socket = await engine.step('tcp', (s, signal) => connectTcp(engine, addresses, s, signal));
        const secure = await engine.step('tls', (s) => handshake(engine, socket, s));
        // The requests below open their own connections through the same trust: this one only proved the chain.
        secure.end();
      }

      let claims: { audience?: string; scopes: string[]; roles: string[] } = { scopes: [], roles: [] };
      const token = await engine.step('token', async (s) => {
        const value = await accessToken(engine);
        const decoded = decodeJwtClaims(value);
        claims = { audience: decoded?.audience, scopes: decoded?.scopes ?? [], roles: decoded?.roles ?? [] };
        s.tokenClaims = claims;
        if (decoded && claims.audience !== graph.audience && claims.audience !== GRAPH_APP_ID) {
          throw new StepFailure({
            code: 'graph.wrong_audience',
            message: l10n.t('The token is for {0}, not for Microsoft Graph ({1}).', claims.audience ?? l10n.t('no audience'), graph.audience),
            nextStep: l10n.t('The credential\'s Graph scopes must start with {0}/ ("Edit credential"); then authorize again.', graph.audience)
          });
        }
        return value;
      });

      const request = async (s: ConnectionStep, path: string, signal: AbortSignal) => {
        const answer = await get(new URL(path, endpoint), token, route, signal);
        s.http = { status: answer.status, requestId: answer.requestId };
        s.reply = `${answer.status}${answer.requestId ? ` (request-id ${answer.requestId})` : ''}`;
        if (answer.status >= 400) {
          throw new StepFailure(fromMailError(explainGraphFailure(graphFailure(answer), { appOnly: graph.appOnly, mailbox: options.user })));
        }
        return JSON.parse(answer.body || '{}') as Record<string, unknown>;
      };

      await engine.step('graphUser', (s, signal) => request(s, mailboxPath, signal));
      if (graph.reads) {
        await engine.step('graphInbox', async (s, signal) => {
          const inbox = await request(s, `${mailboxPath}/mailFolders/inbox?$select=id,totalItemCount`, signal);
          s.mailbox = { name: 'inbox', exists: typeof inbox.totalItemCount === 'number' ? inbox.totalItemCount : undefined, readOnly: true };
        });
      }
      if (graph.sends) {
        await engine.step('graphSend', async () => {
          const permission = permissionFor(graph, 'Send');
          const held = graph.appOnly ? claims.roles : claims.scopes;
          // Mail.Send.Shared covers the user's own mailbox too, so either is enough for one's own.
          const enough = held.includes(permission) || (!graph.appOnly && !graph.shared && held.includes('Mail.Send.Shared'));
          if (!enough) throw new StepFailure(missingPermission(graph, permission, options.user));
        });
      }
    },
    () => undefined
  );
  return viaProxy ? { ...report, viaProxy: proxyLabel(viaProxy) } : report;
}
