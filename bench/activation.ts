/**
 * Activation in a real VS Code (code-server) with the packaged VSIX, as a user meets it: open the
 * workbench, click the M365 Mail activity-bar entry (the view activates the extension), read
 * "activate() took N ms" from the product's log (test/e2e/welcome.test.ts does the same). Also the
 * extension host's RSS before and after activation (Linux /proc), and the sizes of what activation
 * loads (extension/dist/extension.js) against the whole bundle, read from the VSIX itself.
 */
import fs from 'node:fs';
import { Workbench } from '../test/e2e/workbench';

export interface VsixSizes {
  vsixBytes: number;
  /** Uncompressed sizes inside the VSIX. */
  extensionJs: number;
  chunks: Record<string, number>;
  chunksTotal: number;
  webviews: number;
  mapsShipped: number;
}

/** Entries of a zip (the VSIX) with their uncompressed sizes, from its central directory. */
export function zipEntries(file: string): Map<string, number> {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip`);
  const entries = new Map<string, number>();
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory');
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    entries.set(buf.toString('utf8', p + 46, p + 46 + nameLen), size);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

export function vsixSizes(vsix: string): VsixSizes {
  const entries = zipEntries(vsix);
  const chunks: Record<string, number> = {};
  let webviews = 0;
  let maps = 0;
  for (const [name, size] of entries) {
    if (name.endsWith('.map')) maps += size;
    else if (/^extension\/dist\/chunks\/[^/]+\.js$/.test(name)) chunks[name.replace(/^.*\//, '')] = size;
    else if (name.startsWith('extension/dist/webviews/')) webviews += size;
  }
  const extensionJs = entries.get('extension/dist/extension.js');
  if (extensionJs === undefined) throw new Error(`${vsix} has no extension/dist/extension.js`);
  return { vsixBytes: fs.statSync(vsix).size, extensionJs, chunks, chunksTotal: Object.values(chunks).reduce((a, b) => a + b, 0), webviews, mapsShipped: maps };
}

/** RSS (bytes) of the extension host below `rootPid` (code-server), from /proc. */
function extensionHostRss(rootPid: number): number | undefined {
  if (!fs.existsSync('/proc')) return undefined;
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const below = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 20; p = parents.get(p) ?? 0, hops++) if (p === rootPid) return true;
    return false;
  };
  for (const pid of parents.keys()) {
    if (!below(pid)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!/extensionHost/.test(cmd)) continue;
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
      if (kb) return Number(kb) * 1024;
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}

export interface ActivationRun {
  activateMs: number;
  /** From the click on the activity-bar entry until the log line is in the log file (includes VS Code's log flushing; indicative only). */
  clickToLogMs: number;
  exthostRssBefore?: number;
  exthostRssAfter?: number;
}

export async function activationRun(vsix: string): Promise<ActivationRun> {
  const workbench = await Workbench.open({ vsixes: [vsix], name: 'bench-activation' });
  try {
    // Let the extension host settle (it starts with the workbench; M365 Mail is not active yet).
    await workbench.page.waitForTimeout(5000);
    const pid = workbench.server.process.child.pid ?? 0;
    const exthostRssBefore = extensionHostRss(pid);
    const clicked = Date.now();
    await workbench.openViewContainer('M365 Mail');
    const deadline = Date.now() + 60_000;
    let match: RegExpExecArray | null = null;
    while (!(match = /activate\(\) took ([\d.]+) ms/.exec(workbench.productLog())) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!match) throw new Error('the product log never said "activate() took"');
    const clickToLogMs = Date.now() - clicked;
    await workbench.page.waitForTimeout(1500);
    const exthostRssAfter = extensionHostRss(pid);
    return { activateMs: Number(match[1]), clickToLogMs, exthostRssBefore, exthostRssAfter };
  } finally {
    await workbench.close();
  }
}
