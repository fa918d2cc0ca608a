/**
 * The announcer benchmark's observer: a minimal BGP speaker that accepts one session from `tsbgpd run` (which only
 * dials, like MetalLB's speaker), timestamps every UPDATE as it arrives and keeps the set of IPv4 prefixes the
 * node currently announces to it.
 *
 *   node dist/bench/lib/announcer-observer.js '{"local":"172.30.0.2","asn":65200}'
 *
 * Its OPEN offers what `harness-wire.ts` offers — Multiprotocol IPv4 unicast, route refresh, 4-octet AS — and no
 * Extended Message capability (RFC 8654), so every UPDATE it is sent must fit RFC 4271 §4's 4096 octets: the
 * observer counts those that do not, which is how the benchmark checks that 10,000 withdrawals arrive split.
 *
 * Commands (JSON lines on stdin, `channel.ts`):
 * - `{"cmd":"mark","id":N}`: start a new window of statistics (UPDATEs, largest UPDATE, announced and withdrawn
 *   entries, UPDATEs over 4096 octets, malformed ones, first and last arrival); answered `marked:N`.
 * - `{"cmd":"wait","id":N,"held":K}` / `"has":"10.8.0.0/32"` / `"lacks":"10.8.0.0/32"`: answered `reached:N`
 *   (with `at`, the arrival time of the UPDATE that made it true, or now if it already was, and the window's
 *   statistics) as soon as the condition holds. Event names carry the id because the runner's channel matches
 *   events by name and keeps every one it has seen.
 * - `{"cmd":"status"}`: the session state and the statistics.
 * Events: `established`; `fatal` when the session goes down (the benchmark run failed).
 */
import { now, onCommand, report } from './channel.js';
import { HarnessSession } from './harness-session.js';
import { HEADER, walkUpdate } from './harness-wire.js';

interface ObserverConfig {
  readonly local: string;
  readonly asn: number;
  readonly port?: number;
}

/** RFC 4271 §4: the largest message without the Extended Message capability. */
const MAX_MESSAGE = 4096;

interface Window {
  updates: number;
  maxBytes: number;
  announced: number;
  withdrawn: number;
  oversize: number;
  malformed: number;
  firstAt: string | null;
  lastAt: string | null;
}

const emptyWindow = (): Window => ({ updates: 0, maxBytes: 0, announced: 0, withdrawn: 0, oversize: 0, malformed: 0, firstAt: null, lastAt: null });

type Condition = { readonly held: number } | { readonly has: number } | { readonly lacks: number };

interface Waiter {
  readonly id: string;
  readonly condition: Condition;
}

/** `a.b.c.d/len` → len × 2³² + address: one number per prefix, exact below 2⁵³. */
function prefixKey(text: string): number {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(text);
  if (m === null) throw new Error(`not an IPv4 prefix: ${text}`);
  const [a, b, c, d, len] = m.slice(1).map(Number) as [number, number, number, number, number];
  if ([a, b, c, d].some((o) => o > 255) || len > 32) throw new Error(`not an IPv4 prefix: ${text}`);
  return len * 2 ** 32 + (((a << 24) >>> 0) + (b << 16) + (c << 8) + d);
}

const config = JSON.parse(process.argv[2] ?? '{}') as ObserverConfig;
const held = new Set<number>();
let window = emptyWindow();
let waiters: Waiter[] = [];
let established = false;

function holds(c: Condition): boolean {
  if ('held' in c) return held.size === c.held;
  if ('has' in c) return held.has(c.has);
  return !held.has(c.lacks);
}

function settle(at: string): void {
  if (waiters.length === 0) return;
  waiters = waiters.filter((w) => {
    if (!holds(w.condition)) return true;
    report({ event: `reached:${String(w.id)}`, at, held: held.size, stats: { ...window } });
    return false;
  });
}

const session = new HarnessSession(
  { local: config.local, remote: '', port: config.port ?? 179, mode: 'listen', asn: config.asn, routerId: config.local, holdTime: 240 },
  {
    established: () => {
      established = true;
      report({ event: 'established', at: now() });
    },
    update: (buf, start, end) => {
      const at = now();
      const bytes = end - start;
      window.updates++;
      window.maxBytes = Math.max(window.maxBytes, bytes);
      if (bytes > MAX_MESSAGE) window.oversize++;
      window.firstAt ??= at;
      window.lastAt = at;
      const ok = walkUpdate(
        buf,
        start,
        end,
        (addr, len) => {
          window.withdrawn++;
          held.delete(len * 2 ** 32 + addr);
        },
        (addr, len) => {
          window.announced++;
          held.add(len * 2 ** 32 + addr);
        },
      );
      if (!ok || bytes < HEADER + 4) window.malformed++;
      settle(at);
    },
    down: (reason, wasUp) => {
      established = false;
      report({ event: 'fatal', message: `observer session ${wasUp ? 'went down' : 'never came up'}: ${reason}` });
    },
  },
);
session.start();
report({ event: 'listening', at: now() });

onCommand((m) => {
  switch (m.cmd) {
    case 'mark':
      window = emptyWindow();
      report({ event: `marked:${String(m['id'])}` });
      return;
    case 'wait': {
      const condition: Condition =
        typeof m['held'] === 'number'
          ? { held: m['held'] }
          : typeof m['has'] === 'string'
            ? { has: prefixKey(m['has']) }
            : typeof m['lacks'] === 'string'
              ? { lacks: prefixKey(m['lacks']) }
              : (() => {
                  throw new Error('wait needs held, has or lacks');
                })();
      waiters.push({ id: String(m['id']), condition });
      settle(now());
      return;
    }
    case 'status':
      report({ event: 'status', established, held: held.size, stats: { ...window } });
      return;
    default:
      report({ event: 'error', message: `unknown command ${String(m.cmd)}` });
  }
});
