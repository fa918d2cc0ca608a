/**
 * The soak benchmark's flapping peers: several BGP sessions, in one process, that come and go for as long as the
 * runner wants, while the blaster's full table stays held by the target.
 *
 *   node dist/bench/lib/soak-flapper.js '{"remote":"172.30.0.100","expect":1000000,"seed":1,"flapPrefixes":10000,
 *     "peers":[{"local":"172.30.0.11","asn":65101,"routerId":"1.0.0.1","role":"sink"}, …]}'
 *
 * One cycle of a peer: connect (retrying while the target still tears down the previous session), then
 *   - a `sink` takes the full table — the target sends its whole Loc-RIB to a new peer, then End-of-RIB
 *     (RFC 4724 §2), which is how the sink knows it has all of it;
 *   - a `source` sends a small table of its own: the first `flapPrefixes` prefixes of the blaster's table (the same
 *     generator and seed), so the Loc-RIB keeps exactly the blaster's prefixes while the paths come and go. Its BGP
 *     Identifier is lower than the blaster's, so its paths win the last tie-break (RFC 4271 §9.1.2.2 f) and every
 *     source flap changes best paths — churn that the target must send to the sinks that are up;
 * stays up for a random 0.5–3 s, and goes down — with Cease / Administrative Shutdown (RFC 4486) on even cycles,
 * abruptly (TCP RST, no NOTIFICATION: a crashed peer) on odd ones — then waits a random 0.5–3 s and starts over.
 *
 * Commands: `go` starts every peer, `stop` ends them (Cease to the ones up) and reports `stopped` with the totals,
 * `status` reports the counters. Events: `ready`; `cycle` after each flap (how long connecting, the table and the
 * session took, and how it ended); `reset` when the target ended a session itself (not a harness failure: a finding);
 * `fatal` when a peer could not connect at all.
 */
import { Buffer } from 'node:buffer';
import { now, onCommand, report } from './channel.js';
import { HarnessSession } from './harness-session.js';
import { endOfRib, HEADER, walkUpdate } from './harness-wire.js';
import { benchTable } from './table.js';
import { prng } from './full-table.js';

export type FlapperRole = 'sink' | 'source';

export interface FlapperPeer {
  readonly local: string;
  readonly asn: number;
  readonly routerId: string;
  readonly role: FlapperRole;
}

export interface FlapperConfig {
  readonly remote: string;
  readonly port?: number;
  /** Prefixes of the blaster's table (what a sink must at least receive before End-of-RIB). */
  readonly expect: number;
  /** Seed of the blaster's table, so that sources announce its first prefixes. */
  readonly seed: number;
  /** Prefixes a source announces. */
  readonly flapPrefixes: number;
  readonly peers: readonly FlapperPeer[];
  /** Bounds of the random up and down times, ms (default 500 and 3000). */
  readonly minDwellMs?: number;
  readonly maxDwellMs?: number;
  /** Seed of the dwell times and of nothing else. */
  readonly dwellSeed?: number;
}

/** A sink that has not seen End-of-RIB after this long is reported as a reset of ours, and flaps on. */
const TABLE_TIMEOUT_MS = 120_000;
/** How long a peer keeps trying to connect in one cycle before the run is declared broken. */
const CONNECT_TIMEOUT_MS = 60_000;
/** An UPDATE with nothing in it: IPv4 unicast End-of-RIB (RFC 4724 §2). */
const EOR_LENGTH = HEADER + 4;

interface Totals {
  cycles: number;
  cease: number;
  abrupt: number;
  resets: number;
  /** Sum of milliseconds from the first dial to Established, over cycles. */
  connectMs: number;
  /** Sum of milliseconds from Established to the table taken (sink) or handed to the kernel (source). */
  tableMs: number;
  /** Prefixes received (sink, announcements counted) or sent (source), over cycles. */
  prefixes: number;
}

class FlappingPeer {
  readonly totals: Totals = { cycles: 0, cease: 0, abrupt: 0, resets: 0, connectMs: 0, tableMs: 0, prefixes: 0 };
  private session: HarnessSession | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  /** Set while we end the session ourselves, so that its `down` is not taken for the target's doing. */
  private dropping = false;
  private dialAt = 0;
  private upAt = 0;
  private tableAt = 0;
  private received = 0;

  constructor(
    private readonly index: number,
    private readonly peer: FlapperPeer,
    private readonly config: FlapperConfig,
    /** A source's table and End-of-RIB, laid out once. */
    private readonly table: Buffer | null,
    private readonly random: () => number,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Ends the cycle in progress with Cease and starts no other. */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
    this.dropping = true;
    this.session?.close('soak over');
    this.session = null;
  }

  private dwell(): number {
    const min = this.config.minDwellMs ?? 500;
    const max = this.config.maxDwellMs ?? 3000;
    return min + this.random() * (max - min);
  }

  private later(fn: () => void, ms: number): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      fn();
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private connect(): void {
    if (this.stopped) return;
    this.dropping = false;
    this.received = 0;
    this.tableAt = 0;
    this.dialAt = performance.now();
    const { local, asn, routerId } = this.peer;
    const onAnnounced = (): void => {
      this.received++;
    };
    const onWithdrawn = (): void => {};
    const session: HarnessSession = new HarnessSession(
      { local, remote: this.config.remote, port: this.config.port ?? 179, mode: 'connect', asn, routerId, connectTimeoutMs: CONNECT_TIMEOUT_MS },
      {
        established: () => this.established(session),
        update: (buf, start, end) => {
          if (this.session !== session) return;
          if (end - start === EOR_LENGTH) {
            if (this.peer.role === 'sink' && this.tableAt === 0) this.tableTaken();
            return;
          }
          if (!walkUpdate(buf, start, end, onWithdrawn, onAnnounced)) report({ event: 'error', message: `${local}: malformed UPDATE` });
        },
        down: (reason, wasUp) => this.down(session, reason, wasUp),
      },
    );
    this.session = session;
    session.start();
  }

  private established(session: HarnessSession): void {
    if (this.session !== session) return;
    this.upAt = performance.now();
    if (this.peer.role === 'source' && this.table !== null) {
      session.write(this.table, () => {
        if (this.session === session) this.tableTaken();
      });
    } else {
      this.later(() => {
        report({ event: 'reset', peer: this.index, by: 'harness', reason: `no End-of-RIB within ${TABLE_TIMEOUT_MS / 1000} s (${this.received} prefixes)` });
        this.drop();
      }, TABLE_TIMEOUT_MS);
    }
  }

  private tableTaken(): void {
    this.tableAt = performance.now();
    if (this.peer.role === 'sink' && this.received < this.config.expect) {
      report({ event: 'error', message: `${this.peer.local}: End-of-RIB after ${this.received} of ${this.config.expect} prefixes` });
    }
    this.later(() => this.drop(), this.dwell());
  }

  /** Ends the session: Cease on even cycles, a TCP RST on odd ones. */
  private drop(): void {
    const session = this.session;
    if (session === null) return;
    const abrupt = this.totals.cycles % 2 === 1;
    this.dropping = true;
    if (abrupt) session.abort('abrupt flap');
    else session.close('flap');
    this.cycleDone(abrupt ? 'abrupt' : 'cease');
  }

  private cycleDone(how: 'cease' | 'abrupt' | 'reset'): void {
    const end = performance.now();
    const t = this.totals;
    t.cycles++;
    if (how === 'cease') t.cease++;
    else if (how === 'abrupt') t.abrupt++;
    else t.resets++;
    const connectMs = this.upAt - this.dialAt;
    const tableMs = this.tableAt === 0 ? undefined : this.tableAt - this.upAt;
    const prefixes = this.peer.role === 'sink' ? this.received : this.tableAt === 0 ? 0 : this.config.flapPrefixes;
    t.connectMs += connectMs;
    t.tableMs += tableMs ?? 0;
    t.prefixes += prefixes;
    report({
      event: 'cycle',
      t: now(),
      peer: this.index,
      role: this.peer.role,
      n: t.cycles,
      how,
      connectMs: Math.round(connectMs),
      ...(tableMs === undefined ? {} : { tableMs: Math.round(tableMs) }),
      upMs: Math.round(end - this.upAt),
      prefixes,
    });
    this.session = null;
    this.later(() => this.connect(), this.dwell());
  }

  private down(session: HarnessSession, reason: string, wasUp: boolean): void {
    if (this.session !== session || this.dropping) return;
    if (!wasUp) {
      report({ event: 'fatal', message: `${this.peer.local}: ${reason}` });
      this.session = null;
      return;
    }
    // The target ended the session (a NOTIFICATION, a close): a finding about the target, counted; flapping goes on.
    report({ event: 'reset', peer: this.index, by: 'target', reason });
    this.cycleDone('reset');
  }
}

function sourceTable(peer: FlapperPeer, config: FlapperConfig): Buffer {
  const parts = benchTable({
    prefixes: config.flapPrefixes,
    seed: config.seed,
    firstAs: peer.asn,
    nextHop: peer.local.split('.').map(Number) as [number, number, number, number],
  });
  parts.push(endOfRib());
  return Buffer.concat(parts);
}

function main(): void {
  const config = JSON.parse(process.argv[2] ?? '{}') as FlapperConfig;
  const random = prng(config.dwellSeed ?? 7);
  const peers = config.peers.map(
    (p, i) => new FlappingPeer(i, p, config, p.role === 'source' ? sourceTable(p, config) : null, random),
  );
  report({ event: 'ready', peers: peers.length });
  onCommand((m) => {
    switch (m.cmd) {
      case 'go':
        for (const p of peers) p.start();
        return;
      case 'stop':
        for (const p of peers) p.stop();
        report({ event: 'stopped', t: now(), totals: peers.map((p) => p.totals) });
        return;
      case 'status':
        report({ event: 'status', totals: peers.map((p) => p.totals) });
        return;
    }
  });
}

main();
