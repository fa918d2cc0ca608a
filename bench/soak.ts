/**
 * Soak benchmark (not a test): tsbgpd holds a full table while peers flap around it for minutes, and its memory and
 * event-loop delay must stay flat — a leak or a slow path that grows with churn shows up here, not in a 2-second run.
 *
 *   npm run build && node dist/bench/soak.js [--minutes 5] [--prefixes 1000000] [--flappers 4] [--sinks 2]
 *        [--flap-prefixes 10000] [--window 30] [--seed 1] [--node-flags "--flag …"]
 *
 * Must run as root (a network namespace, as `propagation.ts`; see `lib/netns.ts`). In a fresh namespace: the
 * target (`lib/soak-target.ts`, a `Speaker` reporting RSS, heap and event-loop delay once a second); the blaster
 * (`lib/blaster.ts`) loads the generated table (`lib/full-table.ts`, via `lib/table.ts`) and stays up; once the
 * target holds every prefix and has idled 10 s, the flappers (`lib/soak-flapper.ts`) start — half of them sinks that
 * take the full table, half sources that announce a small table of their own (the blaster's first prefixes, winning
 * best path), each going down after a random 0.5–3 s, alternately with Cease and with a TCP RST, and coming back
 * after a random 0.5–3 s — for `--minutes`. Every `--window` seconds a row of the time series is printed; at the
 * end the flappers stop and the target must be back to the blaster's table alone; the verdict compares the first
 * minute of flapping with the last, and a full garbage collection in the target before and after the flapping
 * (node's `--expose-gc`, called only then) shows what it really holds.
 *
 * Exits non-zero only when the harness could not do its job — a process died, a session could not be set up, the
 * blaster's session (the held table) went down — never because of the figures.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ChildChannel, now, secondsBetween, type Message } from './lib/channel.js';
import { BenchNamespace, installCleanup } from './lib/netns.js';
import type { FlapperConfig, FlapperPeer, FlapperRole } from './lib/soak-flapper.js';
import { formatRow, formatVerdict, median, ROW_HEADER, verdict, windowRow, type SoakSample } from './lib/soak-series.js';
import { helperScript } from './lib/targets.js';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function positive(name: string, fallback: number): number {
  const text = option(name);
  const n = text === undefined ? fallback : Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: expected a positive number, got ${JSON.stringify(text)}`);
  return n;
}

const minutes = positive('minutes', 5);
const prefixes = Math.round(positive('prefixes', 1_000_000));
const flappers = Math.round(positive('flappers', 4));
const flapPrefixes = Math.round(positive('flap-prefixes', 10_000));
/** How many of the flappers take the full table (the rest send their own); default half, rounded up. */
const sinkCount = ((): number => {
  const text = option('sinks');
  if (text === undefined) return Math.ceil(flappers / 2);
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > flappers) throw new Error(`--sinks: expected 0 to ${flappers}, got ${JSON.stringify(text)}`);
  return n;
})();
const windowSeconds = positive('window', 30);
const seed = Math.round(positive('seed', 1));
const nodeFlags = (option('node-flags') ?? '').split(/\s+/).filter(Boolean);

const TARGET = '172.30.0.100';
const TARGET_AS = 65000;
const BLASTER = '172.30.0.1';
const BLASTER_AS = 65001;
/** What the verdict allows the event-loop delay p99 beyond twice the first minute's: noise, not a trend. */
const ELD_SLACK_MS = 5;
const SETTLE_SECONDS = 10;
const LOAD_TIMEOUT_MS = 600_000;

/** Sinks and sources alternate while both kinds are left, then the rest are of the kind left over. */
function assignRoles(total: number, sinks: number): FlapperRole[] {
  const out: FlapperRole[] = [];
  let sinksLeft = sinks;
  let sourcesLeft = total - sinks;
  for (let i = 0; i < total; i++) {
    const sink = sinksLeft > 0 && (sourcesLeft === 0 || i % 2 === 0);
    out.push(sink ? 'sink' : 'source');
    if (sink) sinksLeft--;
    else sourcesLeft--;
  }
  return out;
}

const roles = assignRoles(flappers, sinkCount);
const flapperPeers: FlapperPeer[] = Array.from({ length: flappers }, (_, i) => ({
  local: `172.30.0.${11 + i}`,
  asn: 65101 + i,
  // Below the blaster's 172.30.0.1, so that a source's paths win the BGP Identifier tie-break.
  routerId: `1.0.0.${1 + i}`,
  role: roles[i] ?? 'source',
}));

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** A harness failure: the run cannot go on. Set by whatever notices it; checked once a second. */
let failure: string | undefined;
const fail = (why: string): void => {
  failure ??= why;
};

function spawn(ns: BenchNamespace, script: string, config: object, args: readonly string[] = []): ChildChannel {
  const child = ns.spawn(process.execPath, [...args, helperScript(`${script}.js`), JSON.stringify(config)], `${script}.log`, 'pipe');
  child.on('exit', (code, signal) => fail(`${script} exited (${signal ?? code})`));
  return new ChildChannel(script, child.stdout!, child.stdin!, (line) => log(`  ${script}: ${line}`));
}

interface RawSample extends Omit<SoakSample, 'at'> {
  readonly t: string;
}

function toSample(m: Message): RawSample {
  const n = (k: string): number => Number(m[k] ?? 0);
  return {
    t: String(m['t']),
    rss: n('rss'),
    heapUsed: n('heapUsed'),
    arrayBuffers: n('arrayBuffers'),
    eldP50: n('eldP50'),
    eldP99: n('eldP99'),
    eldMax: n('eldMax'),
    gcMs: n('gcMs'),
    prefixes: n('prefixes'),
    paths: n('paths'),
    up: n('up'),
    downs: n('downs'),
  };
}

/** Waits `ms`, a second at a time, giving up as soon as a failure is known. */
async function hold(ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (failure !== undefined) throw new Error(failure);
    await sleep(Math.min(1000, until - Date.now()));
  }
  if (failure !== undefined) throw new Error(failure);
}

/**
 * Waits until `test` holds for the newest sample, logging the newest one every 10 s; rejects after `timeoutMs` or
 * on a failure.
 */
async function sampleWhere(samples: readonly RawSample[], test: (s: RawSample) => boolean, timeoutMs: number, what: string): Promise<RawSample> {
  const started = Date.now();
  let logged = started;
  for (;;) {
    const last = samples[samples.length - 1];
    if (last !== undefined && test(last)) return last;
    if (failure !== undefined) throw new Error(failure);
    if (Date.now() - started > timeoutMs) throw new Error(`${what} within ${timeoutMs / 1000} s (last sample: ${JSON.stringify(last)})`);
    if (Date.now() - logged >= 10_000) {
      logged = Date.now();
      log(`soak: … ${last?.prefixes ?? 0} prefixes, ${last?.up ?? 0} session(s) up, RSS ${last?.rss ?? 0} MiB`);
    }
    await sleep(250);
  }
}

interface CycleStats {
  count: number;
  tableMs: number[];
  connectMs: number[];
}

async function main(): Promise<void> {
  installCleanup();
  const ns = await BenchNamespace.create();
  let ok = false;
  let flapper: ChildChannel | undefined;
  try {
    for (const a of [TARGET, BLASTER, ...flapperPeers.map((p) => p.local)]) await ns.addAddress(a);
    const samples: RawSample[] = [];
    const target = spawn(
      ns,
      'soak-target',
      {
        asn: TARGET_AS,
        routerId: TARGET,
        listen: TARGET,
        peers: [{ address: BLASTER, remoteAs: BLASTER_AS }, ...flapperPeers.map((p) => ({ address: p.local, remoteAs: p.asn }))],
      },
      // --expose-gc only makes `gc()` callable (the `gc` command); nothing calls it while measuring.
      ['--expose-gc', ...nodeFlags],
    );
    target.onEvent((m) => {
      if (m.event === 'sample') samples.push(toSample(m));
    });
    await target.waitFor('listening', 30_000);
    /** Memory left after a full collection in the target: what it really holds at that moment. */
    const collected = async (): Promise<Message | undefined> => {
      const seen = new Promise<Message>((resolve) => target.onEvent((m) => m.event === 'gc' && resolve(m)));
      target.send({ cmd: 'gc' });
      const m = await Promise.race([seen, sleep(30_000).then(() => undefined)]);
      return m?.['available'] === true ? m : undefined;
    };

    log(`soak: loading ${prefixes} prefixes from the blaster …`);
    const blaster = spawn(ns, 'blaster', { local: BLASTER, remote: TARGET, asn: BLASTER_AS, prefixes, seed });
    blaster.onEvent((m) => {
      if (m.event === 'down' || m.event === 'fatal') fail(`the blaster's session went down (${String(m['message'])}): the held table is gone`);
    });
    await blaster.waitFor('ready', 300_000);
    log('soak: the blaster has laid out its table; connecting');
    await blaster.waitFor('established', 60_000);
    blaster.send({ cmd: 'go' });
    const started = await blaster.waitFor('started', 10_000);
    const loaded = await sampleWhere(samples, (s) => s.prefixes >= prefixes, LOAD_TIMEOUT_MS, `the target did not hold ${prefixes} prefixes`);
    log(`soak: table held after ${secondsBetween(started['t'], loaded.t).toFixed(1)} s; settling ${SETTLE_SECONDS} s`);
    const heldBefore = await collected();
    await hold(SETTLE_SECONDS * 1000);

    const config: FlapperConfig = { remote: TARGET, expect: prefixes, seed, flapPrefixes, peers: flapperPeers };
    flapper = spawn(ns, 'soak-flapper', config);
    const cycles: Record<'sink' | 'source', CycleStats> = {
      sink: { count: 0, tableMs: [], connectMs: [] },
      source: { count: 0, tableMs: [], connectMs: [] },
    };
    const resets: string[] = [];
    flapper.onEvent((m) => {
      if (m.event === 'fatal') fail(`a flapping peer could not connect: ${String(m['message'])}`);
      else if (m.event === 'reset') resets.push(`peer ${String(m['peer'])} by ${String(m['by'])}: ${String(m['reason'])}`);
      else if (m.event === 'cycle') {
        const c = cycles[m['role'] === 'sink' ? 'sink' : 'source'];
        c.count++;
        c.connectMs.push(Number(m['connectMs']));
        if (m['tableMs'] !== undefined) c.tableMs.push(Number(m['tableMs']));
      }
    });
    await flapper.waitFor('ready', 60_000);

    const baselineFrom = samples.length - SETTLE_SECONDS;
    const flapStart = now();
    const flapsBefore = samples[samples.length - 1]?.downs ?? 0;
    const at = (s: RawSample): SoakSample => ({ ...s, at: secondsBetween(flapStart, s.t) });
    flapper.send({ cmd: 'go' });
    const sinks = flapperPeers.filter((p) => p.role === 'sink').length;
    const header =
      `soak: ${prefixes} prefixes held from the blaster; ${flappers} flapping peers (${sinks} taking the full table, ` +
      `${flappers - sinks} sending ${flapPrefixes} prefixes), ${minutes} min, a row every ${windowSeconds} s`;
    process.stdout.write(`\n${header}\n\n${ROW_HEADER}\n`);
    const before = windowRow(samples.slice(Math.max(0, baselineFrom)).map(at), 0, flapsBefore);
    if (before !== undefined) process.stdout.write(`${formatRow(before, 'before')}\n`);

    const seconds = minutes * 60;
    let lostPrefixes = 0;
    for (let end = windowSeconds; end <= seconds + 1e-9; end += windowSeconds) {
      await hold(Math.max(0, (end - secondsBetween(flapStart, now())) * 1000 + 200));
      const win = samples.map(at).filter((s) => s.at > end - windowSeconds && s.at <= end);
      lostPrefixes = Math.max(lostPrefixes, ...win.map((s) => prefixes - s.prefixes));
      const row = windowRow(win, end, flapsBefore);
      if (row === undefined) throw new Error(`no sample from the target in the window ending at ${end} s`);
      process.stdout.write(`${formatRow(row)}\n`);
    }

    flapper.send({ cmd: 'stop' });
    const stopped = await flapper.waitFor('stopped', 10_000);
    // The flappers' sessions close; the target withdraws their paths and must be back to the blaster's table.
    const settled = await sampleWhere(
      samples,
      (s) => secondsBetween(stopped['t'], s.t) > 2 && s.up === 1,
      30_000,
      'the flappers\' sessions did not all go down',
    ).catch(() => samples[samples.length - 1]);
    await hold(5000);
    const after = windowRow(samples.filter((s) => secondsBetween(settled?.t ?? stopped['t'], s.t) > 0).map(at), seconds, flapsBefore);
    if (after !== undefined) process.stdout.write(`${formatRow(after, 'after')}\n`);
    const heldAfter = await collected();

    const v = verdict(samples.map(at), seconds, ELD_SLACK_MS);
    const lines: string[] = [''];
    for (const role of ['sink', 'source'] as const) {
      const c = cycles[role];
      const table = c.tableMs.length === 0 ? '' : `, ${role === 'sink' ? 'full table taken' : 'table sent'} in median ${(median(c.tableMs) / 1000).toFixed(2)} s (worst ${(Math.max(...c.tableMs) / 1000).toFixed(2)} s)`;
      lines.push(`${role} cycles: ${c.count}, connect in median ${median(c.connectMs).toFixed(0)} ms${table}`);
    }
    lines.push(`sessions reset by the target or the harness: ${resets.length}${resets.length === 0 ? '' : ` — ${resets.slice(0, 3).join('; ')}`}`);
    lines.push(`Loc-RIB prefixes while flapping: ${lostPrefixes <= 0 ? `always ${prefixes}` : `${lostPrefixes} short of ${prefixes} at worst`}`);
    if (after !== undefined) {
      const back = after.prefixes === prefixes && after.paths === prefixes && after.up === 1;
      lines.push(`after the flappers left: ${after.prefixes} prefixes, ${after.paths} paths, ${after.up} session(s) up — ${back ? 'back to the blaster\'s table alone' : 'NOT back to the blaster\'s table alone'}`);
      if (before !== undefined) lines.push(`RSS before flapping ${before.rss.toFixed(1)} MiB, after ${after.rss.toFixed(1)} MiB (${(((after.rss - before.rss) / before.rss) * 100).toFixed(1)} %)`);
    }
    if (heldBefore !== undefined && heldAfter !== undefined) {
      const field = (m: Message, k: string): string => Number(m[k]).toFixed(1);
      lines.push(
        `after a full GC, before flapping → after: RSS ${field(heldBefore, 'rss')} → ${field(heldAfter, 'rss')} MiB, ` +
          `heap ${field(heldBefore, 'heapUsed')} → ${field(heldAfter, 'heapUsed')} MiB, buffers ${field(heldBefore, 'arrayBuffers')} → ${field(heldAfter, 'arrayBuffers')} MiB`,
      );
    }
    lines.push(v === undefined ? 'verdict: needs at least 2 minutes of flapping' : formatVerdict(v));
    process.stdout.write(`${lines.join('\n')}\n`);
    target.send({ cmd: 'stop' });
    ok = true;
  } catch (err) {
    const details = [(err as Error).message];
    const status = await flapper?.status();
    if (status !== undefined) details.push(`flapper: ${JSON.stringify(status)}`);
    details.push(`logs kept in ${ns.dir}`);
    throw new Error(details.join('\n    '));
  } finally {
    await ns.destroy(!ok);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`soak: harness failure: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
