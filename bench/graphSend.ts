/**
 * Sending a 1 MB .eml over Microsoft Graph: the product's sendMailOverGraph in a fresh Node per
 * run (bench/graphSendOnce.ts) against curl making the same POST (`/users/{mailbox}/sendMail`,
 * `Content-Type: text/plain`, the same base64 body, the same token), alternating. Ours is the call
 * (reading the file, setting the recipients, base64, the request; Node's start-up excluded);
 * curl's is the process, with the body prepared before (curl cannot base64-encode).
 *
 * 8 MB: above Graph's 4 MB request limit a message goes as a draft with its attachment through an
 * upload session; that path comes from another branch, which adds its size to SIZES. Until then
 * PENDING_SIZES gives it a row that says so.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SandboxDescription } from '@m365-mail/sandbox';
import { withRecipients } from '../src/mail/graph/mimeRecipients';
import { median, MiB, runChild, timedCommand } from './lib';
import type { GraphSendInput, GraphSendOutput } from './graphSendOnce';
import { writeEml } from './smtp';

export interface GraphSendFigures {
  label: string;
  bytes: number;
  ours: GraphSendOutput[];
  curl: Array<{ ms: number; maxRssBytes?: number }>;
}

/** Sizes sent over Graph's raw-MIME sendMail (one request, under 4 MB once base64-encoded). */
const SIZES = [['1 MB', 1 * MiB]] as const;

/** Sizes with a row but no figure yet, and why. */
export const PENDING_SIZES = [
  { label: '8 MB', bytes: 8 * MiB, reason: 'needs the upload-session path (a draft, then the attachment in chunks under 4 MB), not built yet' }
];

export interface GraphSendTarget {
  token: string;
  /** `/users/{mailbox}` */
  mailbox: string;
  appOnly: boolean;
}

export async function benchGraphSend(description: SandboxDescription, target: GraphSendTarget, dir: string, runs: number): Promise<GraphSendFigures[]> {
  const from = target.mailbox;
  const to = 'megan@contoso.test';
  const url = `${description.graph.endpoint}/v1.0/users/${encodeURIComponent(target.mailbox)}/sendMail`;
  // The token goes in a header file, not on curl's command line.
  const headers = path.join(dir, 'graph-headers.txt');
  fs.writeFileSync(headers, `Authorization: Bearer ${target.token}\r\nContent-Type: text/plain\r\n`, { mode: 0o600 });
  const results: GraphSendFigures[] = [];
  for (const [label, bytes] of SIZES) {
    const file = path.join(dir, `graph-${bytes}.eml`);
    writeEml(file, bytes, from, to);
    // What the product posts: the file with its recipients set to the chosen ones, base64.
    const body = path.join(dir, `graph-${bytes}.b64`);
    fs.writeFileSync(body, withRecipients(fs.readFileSync(file), [to]).toString('base64'));
    const input: GraphSendInput = { graphEndpoint: description.graph.endpoint, ...target, ca: description.caCertPath, file, from, to };
    const curlArgs = [
      '-sS',
      '--max-time',
      '120',
      '--cacert',
      description.caCertPath,
      '-H',
      `@${headers}`,
      '--data-binary',
      `@${body}`,
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      url
    ];
    const curl = async (figures?: GraphSendFigures) => {
      const r = await timedCommand('curl', curlArgs, { measureRss: true });
      if (r.code !== 0 || r.stdout.trim() !== '202') throw new Error(`curl sendMail failed (${r.code}, HTTP ${r.stdout.trim()}): ${r.stderr}`);
      figures?.curl.push({ ms: r.ms, maxRssBytes: r.maxRssBytes });
    };
    const ours = async (figures?: GraphSendFigures) => {
      const r = await runChild<GraphSendOutput>('graphSendOnce.ts', input);
      if (r.status !== 202 || r.path !== 'mime') throw new Error(`sendMailOverGraph answered ${r.status} over ${r.path}`);
      figures?.ours.push(r);
    };
    const figures: GraphSendFigures = { label, bytes: fs.statSync(file).size, ours: [], curl: [] };
    // One untimed send each (server-side caches, page cache of the files).
    await ours();
    await curl();
    for (let i = 0; i < runs; i++) {
      if (i % 2) {
        await curl(figures);
        await ours(figures);
      } else {
        await ours(figures);
        await curl(figures);
      }
    }
    console.log(
      `[graph] send ${label}: ours ${median(figures.ours.map((o) => o.ms)).toFixed(0)} ms, curl ${median(figures.curl.map((c) => c.ms)).toFixed(0)} ms`
    );
    results.push(figures);
  }
  return results;
}
