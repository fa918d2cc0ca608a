/**
 * Announcer benchmark: how fast `tsbgpd run` turns a Service manifest into a route — on the wire and in the
 * router's table — and how it copes with 10,000 Services at once.
 *
 *   npx tsc -p . && node dist/bench/announcer.js [--runs 3] [--services 10000] [--singles 5] [--timeout 180]
 *        [--no-status-file] [--keep-logs] [--node-flags "--cpu-prof --cpu-prof-dir=/tmp/prof"]
 *
 * Must run as root (network namespaces). Each run builds a fresh rig (`lib/announcer-rig.ts`): the seed's pfSense
 * (FRR, no zebra), an observer that timestamps every UPDATE it is sent (`lib/announcer-observer.ts`), and one node
 * running the real CLI with the seed's pool and advertisement and a BGPPeer for each. Times are CLOCK_MONOTONIC,
 * shared by every process, from the rename that makes a file appear (or the unlink that removes it):
 * - one Service (`--singles` times a run, each in a file of its own, into an empty pool): to the UPDATE carrying
 *   its /32 at the observer, and to the /32 in FRR's `show bgp ipv4 unicast json` (polled back to back: a poll is a
 *   vtysh process, ~10–30 ms, which bounds the resolution); then its file is deleted: to the withdrawal at the
 *   observer, and to FRR dropping the /32;
 * - `--services` Services in one file: to the first UPDATE and to the observer holding every /32, and to FRR's
 *   prefix count for the node reaching it (polled every 50 ms); `tsbgpd services` must then list that many
 *   distinct addresses;
 * - one more Service while those are in place (each change re-reads the whole configuration), and its deletion;
 * - the big file deleted: to the observer holding none and FRR counting none.
 * Correctness is checked, not assumed: the observer offers no Extended Message capability, so every UPDATE must
 * fit 4096 octets (RFC 4271 §4) — MetalLB's native speaker sends all withdrawals in one unsplit UPDATE, which
 * breaks above ~814 /32s — and the windows must hold exactly `--services` announced and withdrawn entries.
 * Figures are medians: over every sample for the single Service, over the runs for the rest.
 */
import { secondsBetween, now } from './lib/channel.js';
import { AnnouncerRig, missing, servicesYaml } from './lib/announcer-rig.js';
import { BenchNamespace, installCleanup } from './lib/netns.js';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function count(name: string, fallback: number, min: number, max: number): number {
  const text = option(name);
  const n = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name}: expected an integer ${min}..${max}, got ${JSON.stringify(text)}`);
  return n;
}

const runs = count('runs', 3, 1, 100);
/** One /32 each from 10.8.0.0/16, with one address left for the Service added on top. */
const bulk = count('services', 10_000, 1, 65_535);
const singles = count('singles', 5, 1, 1000);
const timeoutMs = 1000 * count('timeout', 180, 10, 3600);
/** Node flags for `tsbgpd run` (a profile: `--cpu-prof --cpu-prof-dir=DIR`, written when it exits on SIGTERM). */
const nodeFlags = (option('node-flags') ?? '').split(/\s+/).filter(Boolean);
/** Keep each run's work directory (configs, the node's log, FRR's log) even when it succeeds. */
const keepLogs = process.argv.includes('--keep-logs');
/** Run the node without `--status-file`: the file's cost on its own (it is rewritten after every change). */
const statusFile = !process.argv.includes('--no-status-file');
/** RFC 4271 §4. */
const MAX_MESSAGE = 4096;

/** The `index`-th address of 10.8.0.0/16 as a /32: what the Service allocated after `index` others gets. */
function poolPrefix(index: number): string {
  return `10.8.${index >> 8}.${index & 0xff}/32`;
}

interface WindowStats {
  readonly updates: number;
  readonly maxBytes: number;
  readonly announced: number;
  readonly withdrawn: number;
  readonly oversize: number;
  readonly malformed: number;
  /** Arrival of the window's first and last UPDATE (channel times), null when none came. */
  readonly firstAt: string | null;
  readonly lastAt: string | null;
}

/** One Service added, then deleted: milliseconds. */
interface ServiceSample {
  readonly wire: number;
  readonly frr: number;
  readonly withdrawWire: number;
  readonly withdrawFrr: number;
}

interface BulkResult {
  /** From the file change to the first UPDATE at the observer: reading, checking and allocating happen here. */
  readonly firstSeconds: number;
  readonly wireSeconds: number;
  readonly frrSeconds: number;
  readonly stats: WindowStats;
}

interface RunResult {
  readonly singles: readonly ServiceSample[];
  readonly announce: BulkResult;
  /** One more Service while the bulk is in place. */
  readonly onTop: ServiceSample;
  readonly withdraw: BulkResult;
  readonly allocated: number;
}

let waitId = 0;

/** Poll `test` back to back (or every `intervalMs`) until it holds; the time the successful poll returned. */
async function pollUntil(test: () => Promise<boolean>, intervalMs: number, what: string): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await test().catch(() => false)) return now();
    if (intervalMs > 0) await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

/** Start a new statistics window at the observer and wait until it has. */
async function mark(rig: AnnouncerRig): Promise<void> {
  const id = ++waitId;
  rig.observer.send({ cmd: 'mark', id });
  await rig.observer.waitFor(`marked:${id}`, 5000);
}

/** Ask the observer to report when `condition` holds; resolves with the time and the window's statistics. */
async function observe(rig: AnnouncerRig, condition: Record<string, string | number>): Promise<{ at: string; stats: WindowStats }> {
  const id = ++waitId;
  rig.observer.send({ cmd: 'wait', id, ...condition });
  const m = await rig.observer.waitFor(`reached:${id}`, timeoutMs);
  return { at: String(m['at']), stats: m['stats'] as WindowStats };
}

const ms = (from: string, to: string): number => secondsBetween(from, to) * 1000;

/** A Service in a file of its own, expected at `prefix`; timed to the wire and to FRR, both ways. */
async function oneService(rig: AnnouncerRig, name: string, prefix: string): Promise<ServiceSample> {
  const file = `${name}.yaml`;
  const commit = rig.stage(file, servicesYaml(name, 1));
  await mark(rig);
  const t0 = now();
  commit();
  const [wire, frr] = await Promise.all([
    observe(rig, { has: prefix }),
    pollUntil(async () => (await rig.frrNextHops(prefix)).length === 1, 0, `FRR to have ${prefix}`),
  ]);

  await mark(rig);
  const t1 = now();
  rig.deleteConfig(file);
  const [gone, frrGone] = await Promise.all([
    observe(rig, { lacks: prefix }),
    pollUntil(async () => (await rig.frrNextHops(prefix)).length === 0, 0, `FRR to drop ${prefix}`),
  ]);
  return { wire: ms(t0, wire.at), frr: ms(t0, frr), withdrawWire: ms(t1, gone.at), withdrawFrr: ms(t1, frrGone) };
}

function bulkResult(t0: string, wire: { at: string; stats: WindowStats }, frr: string): BulkResult {
  const first = wire.stats.firstAt ?? wire.at;
  return { firstSeconds: secondsBetween(t0, first), wireSeconds: secondsBetween(t0, wire.at), frrSeconds: secondsBetween(t0, frr), stats: wire.stats };
}

async function bulkRun(rig: AnnouncerRig): Promise<Omit<RunResult, 'singles'>> {
  const commit = rig.stage('bulk.yaml', servicesYaml('svc', bulk));
  await mark(rig);
  const t0 = now();
  commit();
  const [wire, frr] = await Promise.all([
    observe(rig, { held: bulk }),
    pollUntil(async () => (await rig.frrPrefixes()) === bulk, 50, `FRR to count ${bulk} prefixes from the node`),
  ]);
  const announce = bulkResult(t0, wire, frr);
  const services = await rig.services();
  const addresses = new Set(services.flatMap((s) => s.ingress.map((i) => i.ip)));
  if (services.length !== bulk || addresses.size !== bulk) {
    throw new Error(`tsbgpd services: ${services.length} services with ${addresses.size} distinct addresses, expected ${bulk}`);
  }

  const onTop = await oneService(rig, 'on-top', poolPrefix(bulk));

  await mark(rig);
  const t1 = now();
  rig.deleteConfig('bulk.yaml');
  const [gone, frrGone] = await Promise.all([
    observe(rig, { held: 0 }),
    pollUntil(async () => (await rig.frrPrefixes()) === 0, 50, 'FRR to count no prefix from the node'),
  ]);
  return { announce, onTop, withdraw: bulkResult(t1, gone, frrGone), allocated: addresses.size };
}

async function runOnce(index: number): Promise<RunResult> {
  const ns = await BenchNamespace.create();
  let ok = false;
  try {
    const rig = await AnnouncerRig.start(ns, (line) => process.stderr.write(`observer: ${line}\n`), { nodeFlags, statusFile });
    const samples: ServiceSample[] = [];
    // Each single Service is deleted before the next: every one gets the pool's first address.
    for (let i = 0; i < singles; i++) samples.push(await oneService(rig, `single-${i}`, poolPrefix(0)));
    const result = { singles: samples, ...(await bulkRun(rig)) };
    ok = true;
    return result;
  } catch (err) {
    throw new Error(`run ${index + 1}: ${(err as Error).message} (logs kept in ${ns.dir})`);
  } finally {
    await ns.destroy(!ok || keepLogs);
    if (ok && keepLogs) process.stderr.write(`(logs in ${ns.dir}) `);
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function printTable(head: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((l) => (l[i] as string).length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

function timing(label: string, xs: readonly number[], unit: 'ms' | 's'): string[] {
  const digits = unit === 'ms' ? 0 : 2;
  return [label, `${median(xs).toFixed(digits)} ${unit}`, `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`, String(xs.length)];
}

function problemsOf(r: RunResult, run: number): string[] {
  const out: string[] = [];
  if (r.allocated !== bulk) out.push(`run ${run}: ${r.allocated} distinct addresses allocated, expected ${bulk}`);
  for (const [what, w, field] of [
    ['announce', r.announce, 'announced'],
    ['withdraw', r.withdraw, 'withdrawn'],
  ] as const) {
    if (w.stats.oversize > 0) out.push(`run ${run} ${what}: ${w.stats.oversize} UPDATEs over ${MAX_MESSAGE} octets`);
    if (w.stats.malformed > 0) out.push(`run ${run} ${what}: ${w.stats.malformed} malformed UPDATEs`);
    if (w.stats[field] !== bulk) out.push(`run ${run} ${what}: ${w.stats[field]} ${field} entries, expected ${bulk}`);
  }
  return out;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the announcer benchmark needs root (ip netns)');
  const absent = missing();
  if (absent.length > 0) throw new Error(`missing: ${absent.join('; ')}`);
  installCleanup();
  const n = bulk.toLocaleString('en');
  console.log(
    `tsbgpd announcer benchmark — node ${process.version}, ${runs} run(s), ${singles} single Service(s) a run, ` +
      `${n} Services in bulk, ${statusFile ? 'with' : 'without'} --status-file`,
  );
  const results: RunResult[] = [];
  for (let i = 0; i < runs; i++) {
    process.stderr.write(`run ${i + 1}/${runs} … `);
    const r = await runOnce(i);
    results.push(r);
    process.stderr.write(
      `1 Service ${median(r.singles.map((s) => s.wire)).toFixed(0)} ms; ${n} announced ${r.announce.wireSeconds.toFixed(2)} s, ` +
        `1 more ${(r.onTop.wire / 1000).toFixed(2)} s, withdrawn ${r.withdraw.wireSeconds.toFixed(2)} s\n`,
    );
  }
  const singleSamples = results.flatMap((r) => r.singles);
  const each = (f: (r: RunResult) => number): number[] => results.map(f);
  console.log('\nTimes from the Service file appearing (rename) or disappearing (unlink)');
  printTable(
    ['event', 'median', 'min–max', 'samples'],
    [
      timing('1 Service → its UPDATE at the observer', singleSamples.map((s) => s.wire), 'ms'),
      timing('1 Service → its /32 in FRR (vtysh poll)', singleSamples.map((s) => s.frr), 'ms'),
      timing('1 Service deleted → withdrawal at the observer', singleSamples.map((s) => s.withdrawWire), 'ms'),
      timing('1 Service deleted → gone from FRR', singleSamples.map((s) => s.withdrawFrr), 'ms'),
      timing(`${n} Services → first UPDATE at the observer`, each((r) => r.announce.firstSeconds), 's'),
      timing(`${n} Services → all announced at the observer`, each((r) => r.announce.wireSeconds), 's'),
      timing(`${n} Services → all in FRR (prefix count)`, each((r) => r.announce.frrSeconds), 's'),
      timing(`1 more Service (${n} in place) → its UPDATE`, each((r) => r.onTop.wire / 1000), 's'),
      timing(`1 more Service (${n} in place) → in FRR`, each((r) => r.onTop.frr / 1000), 's'),
      timing(`1 more Service (${n} in place) deleted → withdrawal`, each((r) => r.onTop.withdrawWire / 1000), 's'),
      timing(`${n} Services deleted → first UPDATE at the observer`, each((r) => r.withdraw.firstSeconds), 's'),
      timing(`${n} Services deleted → all withdrawn at the observer`, each((r) => r.withdraw.wireSeconds), 's'),
      timing(`${n} Services deleted → FRR holds none`, each((r) => r.withdraw.frrSeconds), 's'),
    ],
  );
  console.log(`\nUPDATEs the observer received (it offers no Extended Message capability: each must be ≤ ${MAX_MESSAGE} octets)`);
  const rows: string[][] = [];
  for (const [i, r] of results.entries()) {
    for (const [what, w] of [
      ['announce', r.announce],
      ['withdraw', r.withdraw],
    ] as const) {
      const s = w.stats;
      rows.push([`run ${i + 1} ${what}`, String(s.updates), String(s.maxBytes), String(s.announced), String(s.withdrawn), String(s.oversize), String(s.malformed)]);
    }
  }
  printTable(['window', 'UPDATEs', 'largest', 'announced', 'withdrawn', `> ${MAX_MESSAGE}`, 'malformed'], rows);
  const problems = results.flatMap((r, i) => problemsOf(r, i + 1));
  if (problems.length > 0) {
    console.log(`\nFAILED checks:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log(`\nchecks: every run allocated ${n} distinct addresses; every UPDATE ≤ ${MAX_MESSAGE} octets; exactly ${n} /32s announced and ${n} withdrawn`);
  }
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
