/**
 * Sending a 1 MB .eml over Microsoft Graph: the product's sendMailOverGraph in a fresh Node per
 * run (bench/graphSendOnce.ts) against curl making the same POST (`/users/{mailbox}/sendMail`,
 * `Content-Type: text/plain`, the same base64 body, the same token), alternating. Ours is the call
 * (reading the file, setting the recipients, base64, the request; Node's start-up excluded);
 * curl's is the process, with the body prepared before (curl cannot base64-encode).
 *
 * 8 MB: above Graph's 4 MB request limit a message goes as a draft with its attachment through an
 * upload session (src/mail/graph/graphLargeSend.ts), with a token that has Mail.ReadWrite. The
 * floor is bench/graphDraftFloor.sh: curl making the same requests (the draft's JSON and the upload
 * session's body as the product builds them, the attachment pre-split into the product's chunk
 * size), one process per request, timed in total; the parse into a draft is the product's alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SandboxDescription } from '@m365-mail/sandbox';
import { planDraft } from '../src/mail/eml/graphDraft';
import { UPLOAD_CHUNK_BYTES } from '../src/mail/graph/graphLargeSend';
import { withRecipients } from '../src/mail/graph/mimeRecipients';
import { benchRoot, median, MiB, runChild, timedCommand } from './lib';
import type { GraphSendInput, GraphSendOutput } from './graphSendOnce';
import { writeEml } from './smtp';

export interface GraphSendFigures {
  label: string;
  bytes: number;
  /** `mime` (one sendMail) or `draft` (draft, upload session, send). */
  path: 'mime' | 'draft';
  ours: GraphSendOutput[];
  curl: Array<{ ms: number; maxRssBytes?: number }>;
}

/** Sizes sent over Graph's raw-MIME sendMail (one request, under 4 MB once base64-encoded). */
const SIZES = [['1 MB', 1 * MiB]] as const;

/** Sizes above the raw-MIME limit: a draft, the attachment through an upload session, then send. */
const DRAFT_SIZES = [['8 MB', 8 * MiB]] as const;

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
    const figures: GraphSendFigures = { label, bytes: fs.statSync(file).size, path: 'mime', ours: [], curl: [] };
    results.push(await alternate(figures, ours, curl, runs));
  }
  return results;
}

/** One untimed send each (server-side caches, page cache of the files), then `runs` of each, alternating which goes first. */
async function alternate(
  figures: GraphSendFigures,
  ours: (figures?: GraphSendFigures) => Promise<void>,
  curl: (figures?: GraphSendFigures) => Promise<void>,
  runs: number
): Promise<GraphSendFigures> {
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
    `[graph] send ${figures.label} (${figures.path}): ours ${median(figures.ours.map((o) => o.ms)).toFixed(0)} ms, curl ${median(figures.curl.map((c) => c.ms)).toFixed(0)} ms`
  );
  return figures;
}

/**
 * The draft path at DRAFT_SIZES: the product's send against bench/graphDraftFloor.sh. `target`'s
 * token must carry Mail.ReadWrite.
 */
export async function benchGraphDraftSend(description: SandboxDescription, target: GraphSendTarget, dir: string, runs: number): Promise<GraphSendFigures[]> {
  const from = target.mailbox;
  const to = 'megan@contoso.test';
  const messages = `${description.graph.endpoint}/v1.0/users/${encodeURIComponent(target.mailbox)}/messages`;
  const headers = path.join(dir, 'graph-json-headers.txt');
  fs.writeFileSync(headers, `Authorization: Bearer ${target.token}\r\nContent-Type: application/json\r\n`, { mode: 0o600 });
  const results: GraphSendFigures[] = [];
  for (const [label, bytes] of DRAFT_SIZES) {
    const file = path.join(dir, `graph-draft-${bytes}.eml`);
    writeEml(file, bytes, from, to);
    // The requests' bodies as the product builds them from the same file.
    const plan = await planDraft(fs.readFileSync(file), [to]);
    const attachment = plan.attachments.find((a) => a.upload);
    if (!attachment || plan.attachments.length !== 1) throw new Error(`the ${label} .eml should plan one uploaded attachment`);
    const draft = path.join(dir, `graph-draft-${bytes}.json`);
    fs.writeFileSync(draft, JSON.stringify(plan.message));
    const session = path.join(dir, `graph-session-${bytes}.json`);
    const item = {
      attachmentType: 'file',
      name: attachment.name,
      size: attachment.content.length,
      contentType: attachment.contentType,
      isInline: attachment.isInline
    };
    fs.writeFileSync(session, JSON.stringify({ AttachmentItem: item }));
    const chunks: string[] = [];
    for (let start = 0; start < attachment.content.length; start += UPLOAD_CHUNK_BYTES) {
      const chunk = path.join(dir, `graph-chunk-${bytes}-${chunks.length}.bin`);
      fs.writeFileSync(chunk, attachment.content.subarray(start, start + UPLOAD_CHUNK_BYTES));
      chunks.push(chunk);
    }
    const floorArgs = [
      path.join(benchRoot, 'graphDraftFloor.sh'),
      messages,
      description.caCertPath,
      headers,
      draft,
      session,
      String(attachment.content.length),
      ...chunks
    ];
    const input: GraphSendInput = { graphEndpoint: description.graph.endpoint, ...target, ca: description.caCertPath, file, from, to };
    const curl = async (figures?: GraphSendFigures) => {
      const r = await timedCommand('bash', floorArgs, { measureRss: true });
      if (r.code !== 0 || r.stdout.trim() !== '202') throw new Error(`the curl draft send failed (${r.code}, HTTP ${r.stdout.trim()}): ${r.stderr}`);
      figures?.curl.push({ ms: r.ms, maxRssBytes: r.maxRssBytes });
    };
    const ours = async (figures?: GraphSendFigures) => {
      const r = await runChild<GraphSendOutput>('graphSendOnce.ts', input);
      if (r.status !== 202 || r.path !== 'draft') throw new Error(`sendMailOverGraph answered ${r.status} over ${r.path}`);
      figures?.ours.push(r);
    };
    const figures: GraphSendFigures = { label, bytes: fs.statSync(file).size, path: 'draft', ours: [], curl: [] };
    results.push(await alternate(figures, ours, curl, runs));
  }
  return results;
}
