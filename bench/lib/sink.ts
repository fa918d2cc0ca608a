/**
 * The sink: one or more minimal BGP sessions that count the IPv4 unicast prefixes each holds.
 *
 *   node dist/bench/lib/sink.js '{"mode":"connect","remote":"172.30.0.100","asn":65002,"expect":1000000,
 *                                 "locals":["172.30.0.2"]}'
 *
 * Each session keeps the set of prefixes its peer currently announces: an announcement adds the prefix (again: no
 * change), a withdrawal removes it. Prefixes up to /24 live in a bitmap indexed by (length, network) — 4 MiB for
 * every such prefix, and no allocation per route — longer ones in a Set. `complete` is reported, with its time, when
 * a session first holds `expect` prefixes; `all-complete` when every session has; `empty` / `all-empty` when they
 * are back to none after being complete (the withdrawal benchmark). A session that goes down is reported as
 * `fatal` before completion (the run failed) and counts as empty after it (its routes are gone).
 *
 * Listen mode (`"mode":"listen"`, one local address) stands in for the target: the blaster talks to the sink
 * directly, which measures the harness's own floor.
 */
import { now, onCommand, report } from './channel.js';
import { HarnessSession } from './harness-session.js';
import { walkUpdate } from './harness-wire.js';

interface SinkConfig {
  readonly mode: 'connect' | 'listen';
  /** One session per local address. */
  readonly locals: readonly string[];
  readonly remote: string;
  readonly port?: number;
  readonly asn: number;
  /** Prefixes that make a session complete. */
  readonly expect: number;
}

/** The prefixes one session holds. */
class HeldPrefixes {
  /** Bit (2**len + network >>> (32 - len)) for len ≤ 24. */
  private readonly short = new Uint8Array((1 << 25) / 8);
  private readonly long = new Set<number>();
  count = 0;
  announcements = 0;
  withdrawals = 0;

  announce(addr: number, len: number): void {
    this.announcements++;
    if (len <= 24) {
      const i = (1 << len) + (len === 0 ? 0 : addr >>> (32 - len));
      const byte = i >>> 3;
      const bit = 1 << (i & 7);
      const old = this.short[byte] as number;
      if ((old & bit) === 0) {
        this.short[byte] = old | bit;
        this.count++;
      }
      return;
    }
    const key = len * 4294967296 + addr;
    if (!this.long.has(key)) {
      this.long.add(key);
      this.count++;
    }
  }

  withdraw(addr: number, len: number): void {
    this.withdrawals++;
    if (len <= 24) {
      const i = (1 << len) + (len === 0 ? 0 : addr >>> (32 - len));
      const byte = i >>> 3;
      const bit = 1 << (i & 7);
      const old = this.short[byte] as number;
      if ((old & bit) !== 0) {
        this.short[byte] = old & ~bit;
        this.count--;
      }
      return;
    }
    if (this.long.delete(len * 4294967296 + addr)) this.count--;
  }

  clear(): void {
    this.short.fill(0);
    this.long.clear();
    this.count = 0;
  }
}

function main(): void {
  const config = JSON.parse(process.argv[2] ?? '{}') as SinkConfig;
  const n = config.locals.length;
  const held = config.locals.map(() => new HeldPrefixes());
  const complete: boolean[] = config.locals.map(() => false);
  const empty: boolean[] = config.locals.map(() => false);
  let established = 0;
  let completeCount = 0;
  let emptyCount = 0;

  const checkEmpty = (i: number): void => {
    if (!complete[i] || empty[i] || (held[i] as HeldPrefixes).count !== 0) return;
    empty[i] = true;
    const t = now();
    report({ event: 'empty', session: i, t });
    if (++emptyCount === n) report({ event: 'all-empty', t });
  };

  const sessions = config.locals.map((local, i) => {
    const h = held[i] as HeldPrefixes;
    const onWithdrawn = (addr: number, len: number): void => h.withdraw(addr, len);
    const onAnnounced = (addr: number, len: number): void => h.announce(addr, len);
    return new HarnessSession(
      { local, remote: config.remote, port: config.port ?? 179, mode: config.mode, asn: config.asn, routerId: local },
      {
        established: () => {
          report({ event: 'established', session: i });
          if (++established === n) report({ event: 'all-established' });
        },
        update: (buf, start, end) => {
          if (!walkUpdate(buf, start, end, onWithdrawn, onAnnounced)) report({ event: 'error', message: `session ${i}: malformed UPDATE` });
          if (!complete[i] && h.count >= config.expect) {
            complete[i] = true;
            const t = now();
            report({ event: 'complete', session: i, t, held: h.count });
            if (++completeCount === n) report({ event: 'all-complete', t });
          } else {
            checkEmpty(i);
          }
        },
        down: (reason, wasUp) => {
          if (!complete[i]) {
            report({ event: 'fatal', message: `session ${i} (${local}): ${reason}` });
            return;
          }
          // The session's routes are gone with it (RFC 4271 §9.1: the peer's Adj-RIB-In is dropped).
          h.clear();
          if (wasUp) checkEmpty(i);
        },
      },
    );
  });

  onCommand((m) => {
    if (m.cmd === 'status') {
      report({
        event: 'status',
        held: held.map((h) => h.count),
        announcements: held.map((h) => h.announcements),
        withdrawals: held.map((h) => h.withdrawals),
      });
    } else if (m.cmd === 'close') {
      for (const s of sessions) s.close();
    }
  });
  for (const s of sessions) s.start();
}

main();
