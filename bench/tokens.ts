/**
 * Token-endpoint requests for bursts of mail operations, counted by the sandbox's authorization
 * server, and the time getAccessToken adds when the token is cached. Each burst starts from a new
 * credential with no token yet (or, for the "stale" burst, a cached token too close to expiry to
 * use), so exactly one request is needed; more means callers did not share it.
 *
 * Across both resources: a credential that sends over Microsoft Graph and reads over IMAP needs a
 * token for each (Exchange, Graph); a burst of 50 operations, half of each, must make one request
 * per resource, counted per resource by the server. Once for client credentials (no token yet),
 * once for a signed-in user whose tokens are too close to expiry, so both come from the one
 * refresh token, which the server rotates (a refresh token spent twice would show as an extra
 * request or a failure).
 */
import { decodeJwtClaims } from '../src/core/tokenClaims';
import type { TokenResource } from '../src/core/model';
import type { SandboxProcess } from '../test/harness/sandbox';
import { productAuth, type ProductAuth } from './productAuth';

export interface TokenFigures {
  sequential100: number;
  concurrent50: number;
  concurrentStale50: number;
  cachedCallMicros: number;
  baselineCallMicros: number;
  iterations: number;
}

export interface BothResourcesBurst {
  grant: 'clientCredentials' | 'refreshToken';
  operations: number;
  /** Token endpoint requests during the burst, per resource the server saw asked for. */
  byResource: Record<string, number>;
  /** The audiences of the tokens the operations got, per resource they asked for. */
  audiences: Record<TokenResource, string[]>;
}

async function total(sandbox: SandboxProcess): Promise<number> {
  return (await sandbox.control.stats()).total;
}

export async function benchTokens(sandbox: SandboxProcess, iterations = 200_000): Promise<TokenFigures> {
  // 100 sequential operations, each asking for a token first.
  const seq = await productAuth(sandbox.description);
  let before = await total(sandbox);
  for (let i = 0; i < 100; i++) await seq.auth.getAccessToken(seq.def);
  const sequential100 = (await total(sandbox)) - before;

  // 50 concurrent operations.
  const conc = await productAuth(sandbox.description);
  before = await total(sandbox);
  await Promise.all(Array.from({ length: 50 }, () => conc.auth.getAccessToken(conc.def)));
  const concurrent50 = (await total(sandbox)) - before;

  // 50 concurrent operations when the cached token is inside the engine's 5-minute expiry margin.
  await sandbox.control.setAccessTokenTtl(60);
  const stale = await productAuth(sandbox.description);
  try {
    await stale.auth.getAccessToken(stale.def); // caches a token that is already too old to use
    before = await total(sandbox);
    await Promise.all(Array.from({ length: 50 }, () => stale.auth.getAccessToken(stale.def)));
  } finally {
    await sandbox.control.setAccessTokenTtl(3600);
  }
  const concurrentStale50 = (await total(sandbox)) - before;

  // Time added per call with the token cached, against awaiting an already-resolved value.
  const warm = seq;
  for (let i = 0; i < 10_000; i++) await warm.auth.getAccessToken(warm.def);
  let t = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await warm.auth.getAccessToken(warm.def);
  const cachedCallMicros = Number(process.hrtime.bigint() - t) / 1e3 / iterations;
  const token = { accessToken: 'x' };
  const bare = () => Promise.resolve(token);
  for (let i = 0; i < 10_000; i++) await bare();
  t = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await bare();
  const baselineCallMicros = Number(process.hrtime.bigint() - t) / 1e3 / iterations;

  for (const p of [seq, conc, stale]) p.auth.dispose();
  return { sequential100, concurrent50, concurrentStale50, cachedCallMicros, baselineCallMicros, iterations };
}

/** 50 concurrent operations, alternately Exchange (IMAP) and Graph (sendMail), on one credential. */
async function burst(sandbox: SandboxProcess, product: ProductAuth, grant: BothResourcesBurst['grant'], operations = 50): Promise<BothResourcesBurst> {
  const before = (await sandbox.control.stats()).byResource;
  const resources: TokenResource[] = Array.from({ length: operations }, (_, i) => (i % 2 ? 'graph' : 'exchange'));
  const tokens = await Promise.all(resources.map((resource) => product.auth.getAccessToken(product.def, { resource })));
  const after = (await sandbox.control.stats()).byResource;
  const byResource = Object.fromEntries(
    Object.entries(after)
      .map(([resource, n]) => [resource, n - (before[resource] ?? 0)] as const)
      .filter(([, n]) => n > 0)
  );
  const audiences: Record<TokenResource, string[]> = { exchange: [], graph: [] };
  tokens.forEach((token, i) => {
    const audience = decodeJwtClaims(token.accessToken)?.audience ?? '(none)';
    const seen = audiences[resources[i]!];
    if (!seen.includes(audience)) seen.push(audience);
  });
  product.auth.dispose();
  return { grant, operations, byResource, audiences };
}

export async function benchTokensBothResources(sandbox: SandboxProcess): Promise<BothResourcesBurst[]> {
  const transports = { sendTransport: 'graph', readTransport: 'imap' } as const;
  const app = await burst(sandbox, await productAuth(sandbox.description, { transports }), 'clientCredentials');
  const settings = await sandbox.control.settings();
  await sandbox.control.updateSettings({ accessTokenTtlSeconds: 60, rotateRefreshTokens: true });
  try {
    // Signed in with tokens inside the engine's 5-minute expiry margin: every operation needs a refresh.
    const user = await productAuth(sandbox.description, { credential: 'sandbox-adele', transports });
    return [app, await burst(sandbox, user, 'refreshToken')];
  } finally {
    await sandbox.control.updateSettings({ accessTokenTtlSeconds: settings.accessTokenTtlSeconds, rotateRefreshTokens: settings.rotateRefreshTokens });
  }
}
