/**
 * Child process: memory of a Node process running the product's inbox-preview session, before the
 * first connection (modules loaded) and after paging through every benchmark folder with the
 * session still open (as while the panel is open), then after closing it.
 */
import { ImapSession } from '../src/mail/imap/imapSession';
import { PAGE_SIZE } from '../src/webviews/inboxPreview/protocol';
import type { SandboxDescription } from '@m365-mail/sandbox';
import { childMain, quietLogger, readInput, sampleRss } from './lib';
import { productAuth } from './productAuth';

export interface ImapMemoryOutput {
  before: { rss: number; heapUsed: number };
  open: { rss: number; heapUsed: number };
  closed: { rss: number; heapUsed: number };
  peakRss: number;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const snapshot = () => {
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
};

childMain(async () => {
  const input = await readInput<{ description: SandboxDescription; folders: Array<{ name: string }> }>();
  const d = input.description;
  const { auth, def, ca } = await productAuth(d);
  const token = (await auth.getAccessToken(def)).accessToken;
  const before = snapshot();
  const sampler = sampleRss(10);
  const session = await ImapSession.open({
    host: d.imap.host,
    port: d.imap.port,
    user: def.userName ?? '',
    accessToken: token,
    extraCaCertificates: [ca],
    logger: quietLogger
  });
  await session.folders();
  for (const folder of input.folders) {
    const first = await session.envelopes(folder.name, PAGE_SIZE);
    await session.envelopes(folder.name, PAGE_SIZE, first.firstSeq - 1);
  }
  const open = snapshot();
  await session.close();
  const peakRss = sampler.stop();
  const closed = snapshot();
  auth.dispose();
  const output: ImapMemoryOutput = { before, open, closed, peakRss };
  return output;
});
