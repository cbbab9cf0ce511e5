/**
 * Child process: the inbox preview's first page, through the product's ImapSession (the code the
 * webview panel runs, src/webviews/inboxPreview/inboxPreviewPanel.ts) against a minimal imapflow
 * script (the floor) and curl, interleaved run by run so all three see the same server state.
 *
 * Every client fetches the same data items for the newest PAGE_SIZE messages by sequence range
 * (UID, ENVELOPE, FLAGS, RFC822.SIZE, BODYSTRUCTURE: what a row of the preview shows).
 *   cold: new connection (TLS, XOAUTH2), open the folder read-only, fetch the page; the token is
 *         already cached (the product asks its AuthService, which answers from memory)
 *   warm: the same page again on the open connection
 *   next: the page before it on the open connection ("Older messages")
 */
import { ImapFlow } from 'imapflow';
import { ImapSession } from '../src/mail/imap/imapSession';
import { PAGE_SIZE } from '../src/webviews/inboxPreview/protocol';
import type { SandboxDescription } from '@m365-mail/sandbox';
import { childMain, median, ms, quietLogger, readInput, timedCommand } from './lib';
import { productAuth } from './productAuth';

export interface ImapBenchInput {
  description: SandboxDescription;
  folders: Array<{ name: string; count: number }>;
  runs: number;
}

export interface ImapFigures {
  cold: number[];
  warm: number[];
  next: number[];
}

export interface ImapBenchOutput {
  pageSize: number;
  folders: Array<{
    name: string;
    count: number;
    product: ImapFigures & { folderList: number[] };
    floor: ImapFigures;
    curl: { cold: number[] };
    /** Envelopes on the first page and the folder total, as each client saw them (sanity). */
    check: { productPage: number; productTotal: number; floorPage: number; curlPage: number };
  }>;
}

const ITEMS = { uid: true, envelope: true, flags: true, size: true, bodyStructure: true } as const;

async function productRun(open: () => Promise<ImapSession>, getToken: () => Promise<unknown>, folder: string) {
  let t = process.hrtime.bigint();
  await getToken();
  const session = await open();
  const first = await session.envelopes(folder, PAGE_SIZE);
  const cold = ms(t);
  t = process.hrtime.bigint();
  await session.envelopes(folder, PAGE_SIZE);
  const warm = ms(t);
  t = process.hrtime.bigint();
  await session.envelopes(folder, PAGE_SIZE, first.firstSeq - 1);
  const next = ms(t);
  t = process.hrtime.bigint();
  await session.folders();
  const folderList = ms(t);
  await session.close();
  return { cold, warm, next, folderList, page: first.envelopes.length, total: first.total };
}

async function floorRun(d: SandboxDescription, ca: string, user: string, token: string, folder: string) {
  let t = process.hrtime.bigint();
  const client = new ImapFlow({ host: d.imap.host, port: d.imap.port, secure: true, auth: { user, accessToken: token }, tls: { ca }, logger: false });
  await client.connect();
  const mailbox = await client.mailboxOpen(folder, { readOnly: true });
  const end = mailbox.exists;
  const start = Math.max(1, end - PAGE_SIZE + 1);
  let page = 0;
  for await (const _m of client.fetch(`${start}:${end}`, ITEMS)) page++;
  const cold = ms(t);
  t = process.hrtime.bigint();
  for await (const _m of client.fetch(`${start}:${end}`, ITEMS)) void _m;
  const warm = ms(t);
  t = process.hrtime.bigint();
  for await (const _m of client.fetch(`${Math.max(1, start - PAGE_SIZE)}:${start - 1}`, ITEMS)) void _m;
  const next = ms(t);
  await client.logout();
  return { cold, warm, next, page };
}

async function curlRun(d: SandboxDescription, user: string, token: string, folder: string, count: number) {
  const end = count;
  const start = Math.max(1, end - PAGE_SIZE + 1);
  const run = await timedCommand('curl', [
    '-sS',
    '--max-time',
    '60',
    '--cacert',
    d.caCertPath,
    '-u',
    `${user}:`,
    '--oauth2-bearer',
    token,
    `imaps://${d.imap.host}:${d.imap.port}/${encodeURIComponent(folder)}`,
    '-X',
    `FETCH ${start}:${end} (UID ENVELOPE FLAGS RFC822.SIZE BODYSTRUCTURE)`
  ]);
  if (run.code !== 0) throw new Error(`curl failed (${run.code}): ${run.stderr}`);
  const page = (run.stdout.match(/^\* \d+ FETCH /gm) ?? []).length;
  return { cold: run.ms, page };
}

childMain(async () => {
  const input = await readInput<ImapBenchInput>();
  const d = input.description;
  const { auth, def, ca } = await productAuth(d);
  const token = (await auth.getAccessToken(def)).accessToken; // the one token request; later calls are cached
  const user = def.sharedMailbox ?? def.userName ?? '';
  const open = () => ImapSession.open({ host: d.imap.host, port: d.imap.port, user, accessToken: token, extraCaCertificates: [ca], logger: quietLogger });
  const getToken = () => auth.getAccessToken(def);
  const output: ImapBenchOutput = { pageSize: PAGE_SIZE, folders: [] };
  for (const folder of input.folders) {
    // One untimed pass each: Dovecot caches what the first FETCH of these messages parsed.
    await productRun(open, getToken, folder.name);
    await floorRun(d, ca, user, token, folder.name);
    const result: ImapBenchOutput['folders'][number] = {
      name: folder.name,
      count: folder.count,
      product: { cold: [], warm: [], next: [], folderList: [] },
      floor: { cold: [], warm: [], next: [] },
      curl: { cold: [] },
      check: { productPage: 0, productTotal: 0, floorPage: 0, curlPage: 0 }
    };
    for (let i = 0; i < input.runs; i++) {
      // Alternate who goes first, so neither always meets a cache the other just warmed.
      const order = i % 2 ? ['floor', 'product', 'curl'] : ['product', 'floor', 'curl'];
      for (const who of order) {
        if (who === 'product') {
          const r = await productRun(open, getToken, folder.name);
          result.product.cold.push(r.cold);
          result.product.warm.push(r.warm);
          result.product.next.push(r.next);
          result.product.folderList.push(r.folderList);
          result.check.productPage = r.page;
          result.check.productTotal = r.total;
        } else if (who === 'floor') {
          const r = await floorRun(d, ca, user, token, folder.name);
          result.floor.cold.push(r.cold);
          result.floor.warm.push(r.warm);
          result.floor.next.push(r.next);
          result.check.floorPage = r.page;
        } else {
          const r = await curlRun(d, user, token, folder.name, folder.count);
          result.curl.cold.push(r.cold);
          result.check.curlPage = r.page;
        }
      }
    }
    console.error(
      `[imap] ${folder.name}: product cold ${median(result.product.cold).toFixed(1)} ms, floor ${median(result.floor.cold).toFixed(1)} ms, curl ${median(result.curl.cold).toFixed(1)} ms`
    );
    output.folders.push(result);
  }
  auth.dispose();
  return output;
});
