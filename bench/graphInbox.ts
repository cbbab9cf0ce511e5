/**
 * Child process: the inbox preview's first page over Microsoft Graph, through the product's
 * GraphMailboxReader (what src/webviews/inboxPreview/mailboxReaders.ts hands the panel for a
 * credential that reads over Graph; the panel calls `page(folder, PAGE_SIZE)`), against a minimal
 * node:https script that sends the same requests (the floor), interleaved run by run.
 *
 * The floor replays the URLs the reader sent in an untimed pass, so both ask the same: the folder's
 * messages (`$select` of envelope fields, `$top`, `$orderby`) and, at the same time, the folder's
 * `totalItemCount`. Both send each request on a new connection, as the product's HTTPS agent does
 * (no keep-alive, src/net/tlsContext.ts), with the TLS session cache of one agent; a second floor
 * keeps its connections alive, to show what that policy costs.
 *   first: a new reader, the first page (the token is cached: the engine answers from memory)
 *   next:  the page after it, following `@odata.nextLink` as given
 */
import https from 'node:https';
import type { SandboxDescription } from '@m365-mail/sandbox';
import { GraphMailboxReader } from '../src/mail/graph/graphReader';
import { PAGE_SIZE } from '../src/webviews/inboxPreview/protocol';
import { childMain, median, ms, quietLogger, readInput } from './lib';
import { productAuth } from './productAuth';

export interface GraphInboxInput {
  description: SandboxDescription;
  folders: Array<{ name: string; count: number }>;
  runs: number;
}

export interface GraphInboxFigures {
  first: number[];
  next: number[];
}

export interface GraphInboxOutput {
  pageSize: number;
  folders: Array<{
    name: string;
    count: number;
    product: GraphInboxFigures;
    floor: GraphInboxFigures;
    floorKeepAlive: GraphInboxFigures;
    /** The requests of the reader's first page, as it sent them (method and URL). */
    requests: string[];
    /** Messages on the first page and the folder total, as each client saw them (sanity). */
    check: { productPage: number; productTotal: number; floorPage: number; floorTotal: number };
  }>;
}

interface Collection {
  value?: unknown[];
  '@odata.nextLink'?: string;
  totalItemCount?: number;
}

/** One GET with node:https: the token, JSON back, nothing else. */
function getJson(url: string, token: string, agent: https.Agent): Promise<Collection> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { agent, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) return reject(new Error(`GET ${url}: ${res.statusCode} ${body.slice(0, 300)}`));
          resolve(JSON.parse(body) as Collection);
        });
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

async function floorRun(urls: { list: string; folder: string }, token: string, agent: https.Agent) {
  let t = process.hrtime.bigint();
  const [page, folder] = await Promise.all([getJson(urls.list, token, agent), getJson(urls.folder, token, agent)]);
  const first = ms(t);
  const nextLink = page['@odata.nextLink'];
  if (!nextLink) throw new Error('the floor got no @odata.nextLink');
  t = process.hrtime.bigint();
  await getJson(nextLink, token, agent);
  const next = ms(t);
  return { first, next, page: page.value?.length ?? 0, total: folder.totalItemCount ?? -1 };
}

childMain(async () => {
  const input = await readInput<GraphInboxInput>();
  const d = input.description;
  const { auth, def, ca } = await productAuth(d, { transports: { sendTransport: 'graph', readTransport: 'graph' } });
  const token = (await auth.getAccessToken(def, { resource: 'graph' })).accessToken; // the one token request; later calls are cached
  const mailbox = def.sharedMailbox ?? def.userName ?? '';
  const reader = (requests?: string[]) =>
    new GraphMailboxReader({
      graphEndpoint: d.graph.endpoint,
      getAccessToken: async () => (await auth.getAccessToken(def, { resource: 'graph' })).accessToken,
      extraCaCertificates: [ca],
      logger: quietLogger,
      mailbox,
      appOnly: def.grant === 'clientCredentials',
      onRequest: requests ? (method, url) => requests.push(`${method} ${url}`) : undefined
    });
  const productRun = async (folderId: string, requests?: string[]) => {
    let t = process.hrtime.bigint();
    const graph = reader(requests);
    const first = await graph.page(folderId, PAGE_SIZE);
    const firstMs = ms(t);
    if (first.next?.kind !== 'graph') throw new Error('the reader got no next page');
    t = process.hrtime.bigint();
    await graph.page(folderId, PAGE_SIZE, first.next);
    const next = ms(t);
    await graph.close();
    return { first: firstMs, next, page: first.envelopes.length, total: first.total ?? -1 };
  };
  const { folders } = await reader().folders();
  // Same CA list and session cache policy as the product's agent, which never keeps a connection.
  const newConnections = new https.Agent({ keepAlive: false, ca });
  const keepAlive = new https.Agent({ keepAlive: true, ca });
  const output: GraphInboxOutput = { pageSize: PAGE_SIZE, folders: [] };
  for (const folder of input.folders) {
    const folderId = folders.find((f) => f.label === folder.name)?.path;
    if (!folderId) throw new Error(`Graph lists no folder ${folder.name}: ${folders.map((f) => f.label).join(', ')}`);
    // One untimed pass: the reader's requests, which the floor replays, and Dovecot's caches warmed for all.
    const requests: string[] = [];
    await productRun(folderId, requests);
    const urlOf = (pattern: RegExp) => {
      const found = requests.slice(0, 2).find((r) => pattern.test(r));
      if (!found) throw new Error(`no request like ${String(pattern)} in ${requests.join(', ')}`);
      return found.slice(found.indexOf(' ') + 1);
    };
    const urls = { list: urlOf(/\/messages\?/), folder: urlOf(/\/mailFolders\/[^/]+\?/) };
    await floorRun(urls, token, newConnections);
    await floorRun(urls, token, keepAlive);
    const result: GraphInboxOutput['folders'][number] = {
      name: folder.name,
      count: folder.count,
      product: { first: [], next: [] },
      floor: { first: [], next: [] },
      floorKeepAlive: { first: [], next: [] },
      requests: requests.slice(0, 2),
      check: { productPage: 0, productTotal: 0, floorPage: 0, floorTotal: 0 }
    };
    for (let i = 0; i < input.runs; i++) {
      // Alternate who goes first, so neither always meets a cache the other just warmed.
      const order = i % 2 ? ['floor', 'keepAlive', 'product'] : ['product', 'floor', 'keepAlive'];
      for (const who of order) {
        if (who === 'product') {
          const r = await productRun(folderId);
          result.product.first.push(r.first);
          result.product.next.push(r.next);
          result.check.productPage = r.page;
          result.check.productTotal = r.total;
        } else {
          const r = await floorRun(urls, token, who === 'floor' ? newConnections : keepAlive);
          const into = who === 'floor' ? result.floor : result.floorKeepAlive;
          into.first.push(r.first);
          into.next.push(r.next);
          result.check.floorPage = r.page;
          result.check.floorTotal = r.total;
        }
      }
    }
    console.error(
      `[graph] ${folder.name}: product first ${median(result.product.first).toFixed(1)} ms, floor ${median(result.floor.first).toFixed(1)} ms, keep-alive floor ${median(result.floorKeepAlive.first).toFixed(1)} ms`
    );
    output.folders.push(result);
  }
  keepAlive.destroy();
  auth.dispose();
  return output;
});
