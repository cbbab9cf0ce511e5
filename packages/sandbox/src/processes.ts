/**
 * Child processes that must never outlive whoever started them (the sandbox's daemons, the sandbox
 * itself, and the test harness's code-server and browser): each is started in its own process group
 * and recorded in a marker file; stopping kills the whole group. A run that crashed (kill -9, CI
 * timeout) leaves its marker behind, and the next run reaps what is still alive from it.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// One folder for every supervisor in the repository, so that any of them reaps what another left.
const markerDir = path.join(os.tmpdir(), 'm365-mail-processes');

export interface ManagedProcess {
  readonly child: ChildProcess;
  readonly name: string;
  stop(): Promise<void>;
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Kills process groups recorded by earlier runs whose owner process is dead. */
export function reapStale(): string[] {
  const reaped: string[] = [];
  if (!fs.existsSync(markerDir)) return reaped;
  for (const file of fs.readdirSync(markerDir)) {
    const full = path.join(markerDir, file);
    try {
      const marker = JSON.parse(fs.readFileSync(full, 'utf8')) as { owner: number; pid: number; name: string; dirs?: string[] };
      if (processAlive(marker.owner)) continue;
      if (processAlive(marker.pid)) {
        killGroup(marker.pid, 'SIGKILL');
        reaped.push(`${marker.name} (pid ${marker.pid})`);
      }
      for (const dir of marker.dirs ?? []) fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(full, { force: true });
    } catch {
      fs.rmSync(full, { force: true });
    }
  }
  return reaped;
}

/**
 * Records process groups started by someone else (daemons that set up their own sessions, such as
 * Postfix's master) so that a later run reaps them if this one dies before it stops them.
 * Returns the function that forgets them after a clean stop.
 */
export function recordGroups(name: string, pgids: number[], dirs: string[] = []): () => void {
  fs.mkdirSync(markerDir, { recursive: true });
  const files = pgids.map((pid, i) => {
    const file = path.join(markerDir, `${process.pid}-${pid}.json`);
    // The folders are listed once, on the last marker, so they go only after every group is dead.
    fs.writeFileSync(file, JSON.stringify({ owner: process.pid, pid, name, dirs: i === pgids.length - 1 ? dirs : [] }));
    return file;
  });
  return () => files.forEach((f) => fs.rmSync(f, { force: true }));
}

/** What runs, with the signal the exit hook sends its group. */
const live = new Map<ManagedProcess, NodeJS.Signals>();

export interface ManagedOptions extends SpawnOptions {
  /** Removed when the process stops (also by a later reap). */
  dirs?: string[];
  /** How long `stop()` waits after SIGTERM before SIGKILL. Default 5 s. */
  killAfterMs?: number;
  /**
   * What this process sends the group when it exits without having stopped it. Default SIGKILL; a
   * child that cleans up after itself (the sandbox stops its daemons) gets SIGTERM instead.
   */
  exitSignal?: NodeJS.Signals;
}

/** Starts `command` in its own process group. */
export function startManaged(name: string, command: string, args: string[], options: ManagedOptions = {}): ManagedProcess {
  fs.mkdirSync(markerDir, { recursive: true });
  const { dirs = [], killAfterMs = 5000, exitSignal = 'SIGKILL', ...spawnOptions } = options;
  const child = spawn(command, args, { ...spawnOptions, detached: true });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${name}`);
  const marker = path.join(markerDir, `${process.pid}-${pid}.json`);
  fs.writeFileSync(marker, JSON.stringify({ owner: process.pid, pid, name, dirs }));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const managed: ManagedProcess = {
    child,
    name,
    async stop() {
      live.delete(managed);
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(pid, 'SIGTERM');
        const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), killAfterMs);
        await exited;
        clearTimeout(timer);
      }
      // The leader may be gone while its group lives on (code-server's extension host).
      killGroup(pid, 'SIGKILL');
      for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(marker, { force: true });
    }
  };
  live.set(managed, exitSignal);
  return managed;
}

/** Stops everything this process started; called on exit and on SIGINT/SIGTERM. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live.keys()].map((p) => p.stop()));
}

let hooked = false;
/** `signals: false` leaves Ctrl+C to the caller (the demo stops its servers in order), keeping the exit hook. */
export function stopAllOnExit(options: { signals?: boolean } = {}): void {
  if (hooked) return;
  hooked = true;
  for (const signal of options.signals === false ? [] : (['SIGINT', 'SIGTERM', 'SIGHUP'] as const)) {
    process.once(signal, () => {
      void stopAll().finally(() => process.exit(130));
    });
  }
  process.once('exit', () => {
    // Synchronous last resort: no awaiting possible here.
    for (const [p, signal] of live) {
      if (p.child.pid) killGroup(p.child.pid, signal);
    }
  });
}
