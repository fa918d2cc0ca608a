/**
 * The last resort behind `Netns.destroy()`: whatever happens to a test, no namespace of ours and no process in one
 * outlives it.
 * - Every live namespace is registered here. On process 'exit' and on SIGINT/SIGTERM/SIGHUP/SIGALRM (SIGALRM is
 *   how tap ends a test file that timed out) each is destroyed synchronously: SIGKILL to every pid
 *   `ip netns pids` lists, then `ip netns del`. Work directories are kept for the post-mortem.
 * - A test process killed with SIGKILL runs nothing, so the first namespace a process creates first sweeps every
 *   `tsbgp-<pid>-<n>` namespace and `/tmp/tsbgp-<pid>-<n>` directory whose pid is no longer a live node process.
 * Other test files running in parallel are live node processes: their namespaces are left alone.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killQuietly } from './ns-process.js';

/** `tsbgp-<pid>-<n>`: the pid of the test process that made it, and its counter. */
export const NAME_RE = /^tsbgp-(\d+)-(\d+)$/;

/** What the registry needs from a namespace. */
export interface Destroyable {
  destroySync(): void;
}

const live = new Set<Destroyable>();
let installed = false;
let swept = false;

/** Track a namespace until it is destroyed; installs the handlers and sweeps stale namespaces on first use. */
export function registerLive(ns: Destroyable): void {
  if (!installed) {
    installed = true;
    installLastResort();
  }
  if (!swept) {
    swept = true;
    sweepStale();
  }
  live.add(ns);
}

export function unregisterLive(ns: Destroyable): void {
  live.delete(ns);
}

function destroyAllSync(): void {
  for (const ns of [...live]) ns.destroySync();
}

function installLastResort(): void {
  process.on('exit', destroyAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGALRM'] as const) {
    const onSignal = (): void => {
      destroyAllSync();
      // Step aside and let the signal take its normal course: tap's signal-exit handler (called right after us,
      // in this same emit) sees only its own listener and reports the timeout; with no other listener, re-raise.
      process.removeListener(sig, onSignal);
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.prependListener(sig, onSignal);
  }
}

/** Delete `tsbgp-<pid>-<n>` namespaces (and work directories) whose pid is no longer a live node process. */
export function sweepStale(): string[] {
  const removed: string[] = [];
  let names: string[] = [];
  try {
    names = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 5000 })
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '');
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = NAME_RE.exec(name);
    if (m === null || isLiveNode(Number(m[1]))) continue;
    killNamespaceSync(name);
    removed.push(name);
  }
  for (const entry of safeReaddir(tmpdir())) {
    const m = NAME_RE.exec(entry);
    if (m !== null && !isLiveNode(Number(m[1]))) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  }
  return removed;
}

function isLiveNode(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A recycled pid that is not node cannot be the test process that made the namespace.
    return /node/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
}

export function killNamespaceSync(name: string): void {
  for (let i = 0; i < 10; i++) {
    let pids: number[] = [];
    try {
      pids = parsePids(execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8', timeout: 5000 }));
    } catch {
      break;
    }
    if (pids.length === 0) break;
    for (const pid of pids) killQuietly(pid, 'SIGKILL');
    // Give the kernel a moment to reap them before asking again.
    sleepSync(50);
  }
  try {
    execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore', timeout: 5000 });
  } catch {
    // already gone
  }
}

export function parsePids(text: string): number[] {
  return text
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Block the thread for `ms` (only in this synchronous path). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
