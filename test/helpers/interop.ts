/**
 * Preconditions and bounded waiting for interop tests.
 *
 * - `requireInterop(t, ...daemons)`: the test can run only as root with `ip netns`, and with each daemon's
 *   binaries installed. When something is missing the test is skipped with the reason (`t.plan(0, reason)`, shown
 *   as `# SKIP reason`) — unless `REQUIRE_INTEROP=1` (CI), where it fails instead with the same reason. Returns
 *   whether the test may go on: `if (!requireInterop(t, 'frr', 'bird')) return`.
 * - `waitFor(t, fn, {timeout, interval, what})`: poll `fn` until it returns a value other than
 *   undefined/null/false; on timeout throw an error naming `what` with the last value `fn` returned (as tap's
 *   `found`) and the last error it threw. Never an unbounded loop. Slow successes are noted as tap comments.
 * - `waitEstablished`, `waitRoute`, `waitNoRoute`: the waits almost every interop test makes, over any
 *   `BgpDaemon` handle (and so, later, over tsbgpd's own handle if it implements the same interface).
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DAEMON_BINARIES } from './daemons.js';
import type { BgpDaemon, DaemonKind, PathView, PeerView } from './daemons/types.js';

/** The part of tap's Test used here. */
export interface InteropTest {
  plan(n: number, comment?: string): void;
  fail(message: string): boolean;
  comment(...args: unknown[]): void;
}

export const REQUIRE_INTEROP = (): boolean => process.env['REQUIRE_INTEROP'] === '1';

const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** Absolute path of an executable (absolute paths are checked as given), or undefined. */
export function findBinary(name: string): string | undefined {
  const candidates = name.includes('/')
    ? [name]
    : [...(process.env['PATH'] ?? '').split(delimiter), ...SBIN].filter(Boolean).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return undefined;
}

let netnsProblem: string | null | undefined;

/** Why network namespaces cannot be used here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (netnsProblem === undefined) {
    netnsProblem = null;
    const ip = findBinary('ip');
    if (process.getuid?.() !== 0) netnsProblem = 'interop tests need root (network namespaces)';
    else if (ip === undefined) netnsProblem = 'interop tests need iproute2 (`ip`)';
    else {
      try {
        execFileSync(ip, ['netns', 'list'], { stdio: 'ignore', timeout: 5000 });
      } catch (err) {
        netnsProblem = `\`ip netns\` does not work here: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
  }
  return netnsProblem ?? undefined;
}

/** Why `kind` cannot run here (a missing binary), or undefined. */
export function daemonUnavailable(kind: DaemonKind): string | undefined {
  const info = DAEMON_BINARIES[kind];
  const missing = info.binaries.filter((b) => findBinary(b) === undefined);
  return missing.length === 0 ? undefined : `${info.title} is not installed (missing ${missing.join(', ')})`;
}

/**
 * True when the test can run: root, `ip netns`, and every daemon in `kinds`. Otherwise skips the test with the
 * reason, or fails it when REQUIRE_INTEROP=1, and returns false.
 */
export function requireInterop(t: InteropTest, ...kinds: DaemonKind[]): boolean {
  const reasons = [netnsUnavailable(), ...kinds.map(daemonUnavailable)].filter((r): r is string => r !== undefined);
  if (reasons.length === 0) return true;
  const reason = reasons.join('; ');
  if (REQUIRE_INTEROP()) t.fail(`REQUIRE_INTEROP=1 but ${reason}`);
  else t.plan(0, reason);
  return false;
}

/** `requireInterop` for one daemon (the name the interop tests use). */
export function requireDaemon(t: InteropTest, kind: DaemonKind): boolean {
  return requireInterop(t, kind);
}

export interface WaitOptions {
  /** Milliseconds before giving up (default 20 s). */
  readonly timeout?: number;
  /** Milliseconds between polls (default 200). */
  readonly interval?: number;
  /** What we are waiting for, for the failure message ("FRR to show 10.1.0.0/24"). */
  readonly what: string;
}

export type Found<T> = T | undefined | null | false;

/** Poll `fn` until it returns something other than undefined/null/false; see the file comment. */
export async function waitFor<T>(
  t: InteropTest,
  fn: () => Found<T> | Promise<Found<T>>,
  opts: WaitOptions,
): Promise<T> {
  const timeout = opts.timeout ?? 20_000;
  const interval = opts.interval ?? 200;
  const start = Date.now();
  let last: unknown;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== null && value !== false) {
        const took = Date.now() - start;
        if (took > timeout / 2) t.comment(`slow: waited ${took} ms of ${timeout} for ${opts.what}`);
        return value;
      }
      last = value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() - start + interval > timeout) break;
    await new Promise((r) => setTimeout(r, interval));
  }
  const why =
    lastError instanceof Error
      ? `; last error: ${lastError.message}`
      : lastError === undefined
        ? ''
        : `; last error: ${String(lastError)}`;
  throw Object.assign(new Error(`timed out after ${timeout} ms waiting for ${opts.what}${why}`), { found: last });
}

/** Wait until `daemon` shows its session with `address` Established; returns that view. */
export async function waitEstablished(
  t: InteropTest,
  daemon: BgpDaemon,
  address: string,
  timeout = 30_000,
): Promise<PeerView> {
  let seen: PeerView | undefined;
  return waitFor(
    t,
    async () => {
      seen = await daemon.peer(address);
      return seen?.state === 'Established' ? seen : undefined;
    },
    { timeout, what: `${daemon.kind} to show ${address} Established` },
  ).catch((err: unknown) => {
    throw Object.assign(err instanceof Error ? err : new Error(String(err)), {
      found: seen === undefined ? 'no such neighbor' : { state: seen.state, lastNotification: seen.lastNotification },
    });
  });
}

/** Wait until `daemon`'s RIB has a path for `prefix` (matching `match`, if given); returns that path. */
export async function waitRoute(
  t: InteropTest,
  daemon: BgpDaemon,
  prefix: string,
  match: (p: PathView) => boolean = () => true,
  timeout = 20_000,
): Promise<PathView> {
  let paths: readonly PathView[] = [];
  return waitFor(
    t,
    async () => {
      paths = (await daemon.routes()).get(prefix) ?? [];
      return paths.find(match);
    },
    { timeout, what: `${daemon.kind} to show a matching path for ${prefix}` },
  ).catch((err: unknown) => {
    throw Object.assign(err instanceof Error ? err : new Error(String(err)), {
      found: paths.map(({ raw: _raw, ...p }) => p),
    });
  });
}

/** Wait until `daemon`'s RIB has no path for `prefix`. */
export async function waitNoRoute(t: InteropTest, daemon: BgpDaemon, prefix: string, timeout = 20_000): Promise<void> {
  await waitFor(t, async () => !(await daemon.routes()).has(prefix), {
    timeout,
    what: `${daemon.kind} to drop ${prefix}`,
  });
}
