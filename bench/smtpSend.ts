/**
 * Child process: one send of a raw .eml through the product's sendMail (streamed from the file),
 * in a fresh Node so the memory figures are this send's alone. RSS is sampled every 10 ms.
 */
import fs from 'node:fs';
import { sendMail } from '../src/mail/smtp/smtpClient';
import { tlsOptions } from '../src/net/tlsContext';
import { childMain, ms, quietLogger, readInput, sampleRss } from './lib';

export interface SmtpSendInput {
  host: string;
  port: number;
  user: string;
  token: string;
  /** Path of the CA certificate (PEM). */
  ca: string;
  file: string;
  from: string;
  to: string;
}

export interface SmtpSendOutput {
  ms: number;
  rssBefore: number;
  heapBefore: number;
  peakRss: number;
  heapAfter: number;
  maxRssProcess: number;
  response: string;
}

childMain(async () => {
  const input = await readInput<SmtpSendInput>();
  const extraCa = [fs.readFileSync(input.ca, 'utf8')];
  // The extension host builds its TLS context (Node's roots + the extra CA) once, on its first mail
  // connection, and keeps it (src/net/tlsContext.ts); a fresh process builds it here, untimed.
  tlsOptions(extraCa);
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage();
  const sampler = sampleRss(10);
  const t = process.hrtime.bigint();
  const result = await sendMail(
    { host: input.host, port: input.port, security: 'starttls', user: input.user, accessToken: input.token, extraCaCertificates: extraCa, logger: quietLogger },
    { kind: 'raw', envelope: { from: input.from, to: [input.to] }, raw: { path: input.file } }
  );
  const elapsed = ms(t);
  const peakRss = sampler.stop();
  const output: SmtpSendOutput = {
    ms: elapsed,
    rssBefore: before.rss,
    heapBefore: before.heapUsed,
    peakRss,
    heapAfter: process.memoryUsage().heapUsed,
    maxRssProcess: process.resourceUsage().maxRSS * 1024,
    response: result.response
  };
  return output;
});
