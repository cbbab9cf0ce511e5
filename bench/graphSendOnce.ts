/**
 * Child process: one send of a raw .eml over Microsoft Graph through the product's
 * sendMailOverGraph (`POST /users/{mailbox}/sendMail`, the MIME as base64, `Content-Type:
 * text/plain`; above the raw-MIME limit a draft with its attachment through an upload session,
 * taken apart by the smtp chunk's planDraft as the extension passes it), in a fresh Node so the memory figures are this send's alone. RSS is sampled every
 * 10 ms. The Graph chunk is loaded, the TLS context built and Node's fetch classes (undici, loaded
 * on first use: the transport hands the SDK a `Response`) are loaded before timing, as the extension
 * host has them after its first Graph request; the last is timed on its own.
 */
import fs from 'node:fs';
import { planDraft } from '../src/mail/eml/graphDraft';
import { sendMailOverGraph } from '../src/mail/graph/graphSend';
import { httpsAgentFor } from '../src/net/tlsContext';
import { childMain, ms, quietLogger, readInput, sampleRss } from './lib';

export interface GraphSendInput {
  graphEndpoint: string;
  /** The mailbox it is sent from (`/users/{mailbox}`). */
  mailbox: string;
  appOnly: boolean;
  token: string;
  /** Path of the CA certificate (PEM). */
  ca: string;
  file: string;
  from: string;
  to: string;
}

export interface GraphSendOutput {
  ms: number;
  /** Loading Node's fetch classes (Headers, Response), once per process. */
  fetchClassesMs: number;
  status: number;
  path: string;
  rssBefore: number;
  peakRss: number;
}

childMain(async () => {
  const input = await readInput<GraphSendInput>();
  const extraCa = [fs.readFileSync(input.ca, 'utf8')];
  httpsAgentFor(extraCa);
  const loading = process.hrtime.bigint();
  new Headers();
  new Response(new Uint8Array(0));
  const fetchClassesMs = ms(loading);
  (globalThis as { gc?: () => void }).gc?.();
  const rssBefore = process.memoryUsage.rss();
  const sampler = sampleRss(10);
  const t = process.hrtime.bigint();
  const result = await sendMailOverGraph(
    {
      graphEndpoint: input.graphEndpoint,
      mailbox: input.mailbox,
      appOnly: input.appOnly,
      getAccessToken: () => Promise.resolve(input.token),
      extraCaCertificates: extraCa,
      // The sandbox's upload URLs are on its Graph host, which is always allowed.
      uploadHosts: [],
      logger: quietLogger
    },
    { kind: 'raw', envelope: { from: input.from, to: [input.to] }, raw: { path: input.file } },
    { planDraft }
  );
  const elapsed = ms(t);
  const output: GraphSendOutput = { ms: elapsed, fetchClassesMs, status: result.status, path: result.path, rssBefore, peakRss: sampler.stop() };
  return output;
});
