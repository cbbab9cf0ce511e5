/**
 * Token-endpoint requests for bursts of mail operations, counted by the sandbox's authorization
 * server, and the time getAccessToken adds when the token is cached. Each burst starts from a new
 * credential with no token yet (or, for the "stale" burst, a cached token too close to expiry to
 * use), so exactly one request is needed; more means callers did not share it.
 */
import type { SandboxProcess } from '../test/harness/sandbox';
import { productAuth } from './productAuth';

export interface TokenFigures {
  sequential100: number;
  concurrent50: number;
  concurrentStale50: number;
  cachedCallMicros: number;
  baselineCallMicros: number;
  iterations: number;
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
