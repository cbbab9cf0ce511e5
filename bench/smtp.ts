/**
 * Sending a 1 MB and a 25 MB .eml: the product's sendMail (raw, streamed from the file) in a fresh
 * Node per run (bench/smtpSend.ts), against curl uploading the same file over SMTP with the same
 * token, alternating. Ours is the sendMail call (Node's start-up excluded); curl's is the process
 * (its start-up is a few ms). Memory: our RSS growth over the send (sampled every 10 ms) and
 * curl's peak RSS (/usr/bin/time).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SandboxDescription } from '@m365-mail/sandbox';
import { median, MiB, runChild, timedCommand } from './lib';
import type { SmtpSendInput, SmtpSendOutput } from './smtpSend';

export interface SmtpFigures {
  label: string;
  bytes: number;
  ours: SmtpSendOutput[];
  curl: Array<{ ms: number; maxRssBytes?: number }>;
}

/** A message of about `bytes`: headers, a text part and a base64 attachment of random data. */
export function writeEml(file: string, bytes: number, from: string, to: string): void {
  const boundary = '=_bench_boundary';
  const head = [
    `From: <${from}>`,
    `To: <${to}>`,
    `Subject: M365 Mail benchmark ${Math.round(bytes / MiB)} MB`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <bench.${bytes}.${Date.now()}@contoso.test>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Benchmark message with a large attachment.',
    `--${boundary}`,
    'Content-Type: application/octet-stream; name="data.bin"',
    'Content-Disposition: attachment; filename="data.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    ''
  ].join('\r\n');
  const tail = `\r\n--${boundary}--\r\n`;
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, head);
    let written = Buffer.byteLength(head) + Buffer.byteLength(tail);
    // 76-character base64 lines + CRLF: 57 bytes of data per 78 bytes of file.
    while (written < bytes) {
      const lines = Math.min(10_000, Math.ceil((bytes - written) / 78));
      const b64 = randomBytes(57 * lines).toString('base64');
      const text = b64.replace(/.{76}/g, '$&\r\n');
      fs.writeSync(fd, text);
      written += Buffer.byteLength(text);
    }
    fs.writeSync(fd, tail);
  } finally {
    fs.closeSync(fd);
  }
}

export async function benchSmtp(description: SandboxDescription, token: string, user: string, dir: string, runs: number): Promise<SmtpFigures[]> {
  const from = user;
  const to = 'megan@contoso.test';
  const results: SmtpFigures[] = [];
  for (const [label, bytes] of [
    ['1 MB', 1 * MiB],
    ['25 MB', 25 * MiB]
  ] as const) {
    const file = path.join(dir, `bench-${bytes}.eml`);
    writeEml(file, bytes, from, to);
    const input: SmtpSendInput = { host: description.smtp.host, port: description.smtp.port, user, token, ca: description.caCertPath, file, from, to };
    const curlArgs = [
      '-sS',
      '--max-time',
      '120',
      '--url',
      `smtp://${description.smtp.host}:${description.smtp.port}`,
      '--ssl-reqd',
      '--cacert',
      description.caCertPath,
      '--mail-from',
      from,
      '--mail-rcpt',
      to,
      '--upload-file',
      file,
      '-u',
      `${user}:`,
      '--oauth2-bearer',
      token
    ];
    const figures: SmtpFigures = { label, bytes: fs.statSync(file).size, ours: [], curl: [] };
    // One untimed send each (server-side caches, page cache of the file).
    await runChild<SmtpSendOutput>('smtpSend.ts', input);
    await timedCommand('curl', curlArgs);
    for (let i = 0; i < runs; i++) {
      const ours = () => runChild<SmtpSendOutput>('smtpSend.ts', input).then((r) => void figures.ours.push(r));
      const curl = async () => {
        const r = await timedCommand('curl', curlArgs, { measureRss: true });
        if (r.code !== 0) throw new Error(`curl send failed (${r.code}): ${r.stderr}`);
        figures.curl.push({ ms: r.ms, maxRssBytes: r.maxRssBytes });
      };
      if (i % 2) {
        await curl();
        await ours();
      } else {
        await ours();
        await curl();
      }
    }
    console.log(`[smtp] ${label}: ours ${median(figures.ours.map((o) => o.ms)).toFixed(0)} ms, curl ${median(figures.curl.map((c) => c.ms)).toFixed(0)} ms`);
    results.push(figures);
  }
  return results;
}
