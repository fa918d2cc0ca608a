/**
 * Propagation benchmark: how fast, and in how much memory, a router passes a full-table-shaped IPv4 table from one
 * eBGP peer to another — tsbgpd against BIRD, FRR, GoBGP and OpenBGPD, on the same machine, in the same run.
 *
 *   npm run build && node dist/bench/propagation.js [--prefixes 100000|1000000] [--runs 3]
 *        [--targets tsbgpd,bird,frr,gobgp,openbgpd] [--scenarios propagation,reflection] [--clients 10]
 *        [--rr-prefixes 100000] [--no-withdraw] [--no-floor] [--timeout SECONDS] [--node-flags "--flag …"] [--verbose]
 *
 * Must run as root (network namespaces). Each run starts the target fresh in its own namespace (see
 * `lib/scenario.ts`): a blaster sends the generated table (`lib/full-table.ts`, ~60 % /24, ~3 prefixes per
 * UPDATE), the target re-advertises everything to a sink, and the time is taken from the blaster's first UPDATE to
 * the sink holding every prefix. Figures are medians of the runs; peak RSS is the target's VmHWM (summed over its
 * processes) and CPU its utime + stime, both read when the sink is complete. `floor` is the harness alone (blaster
 * straight into the sink). Withdrawal: the blaster disconnects, timed until the sink holds nothing. Reflection:
 * the blaster and N sinks are route-reflector clients, timed until every sink holds every prefix.
 */
import { installCleanup } from './lib/netns.js';
import { runOnce, type RunResult, type ScenarioName } from './lib/scenario.js';
import { TARGET_NAMES, unavailable, type TargetName } from './lib/targets.js';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

function list<T extends string>(name: string, allowed: readonly T[], fallback: readonly T[]): T[] {
  const text = option(name);
  if (text === undefined) return [...fallback];
  const out = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const x of out) if (!allowed.includes(x as T)) throw new Error(`--${name}: unknown ${JSON.stringify(x)} (one of ${allowed.join(', ')})`);
  return out as T[];
}

const prefixes = Number(option('prefixes') ?? 100_000);
const runs = Math.max(1, Number(option('runs') ?? 3));
const targets = list('targets', TARGET_NAMES, TARGET_NAMES);
const scenarios = list<ScenarioName>('scenarios', ['propagation', 'reflection'], ['propagation', 'reflection']);
const clients = Number(option('clients') ?? 10);
const rrPrefixes = Number(option('rr-prefixes') ?? 100_000);
const withdraw = !flag('no-withdraw');
const floor = !flag('no-floor');
const nodeFlags = (option('node-flags') ?? '').split(/\s+/).filter(Boolean);
const timeoutFor = (n: number): number => 1000 * Number(option('timeout') ?? Math.max(60, Math.ceil((300 * n) / 1e6)));

interface Row {
  readonly target: string;
  readonly prefixes: number;
  readonly results: RunResult[];
  readonly failures: string[];
}

function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const fmt = (x: number | undefined, digits: number): string => (x === undefined ? '–' : x.toFixed(digits));
const mib = (bytes: number | undefined): string => (bytes === undefined ? '–' : (bytes / 1048576).toFixed(0));

function printTable(title: string, rows: readonly Row[], withWithdraw: boolean): void {
  console.log(`\n${title}`);
  const head = ['target', 'prefixes', 'seconds', 'min–max', 'peak RSS MiB', 'CPU s', ...(withWithdraw ? ['withdraw s'] : []), 'runs'];
  const lines = rows.map((r) => {
    const secs = r.results.map((x) => x.seconds);
    const cells = [
      r.target,
      r.prefixes.toLocaleString('en'),
      fmt(median(secs), 2),
      secs.length === 0 ? '–' : `${fmt(Math.min(...secs), 2)}–${fmt(Math.max(...secs), 2)}`,
      mib(median(r.results.flatMap((x) => (x.stats ? [x.stats.peakRss] : [])))),
      fmt(median(r.results.flatMap((x) => (x.stats ? [x.stats.cpuSeconds] : []))), 2),
      ...(withWithdraw ? [fmt(median(r.results.flatMap((x) => (x.withdrawSeconds === undefined ? [] : [x.withdrawSeconds]))), 2)] : []),
      `${r.results.length}/${r.results.length + r.failures.length}`,
    ];
    return cells;
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const row = (cells: readonly string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(' | ')} |`;
  console.log(row(head));
  console.log(`|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const l of lines) console.log(row(l));
  for (const r of rows) for (const f of r.failures) console.log(`  ${r.target} failed: ${f}`);
}

async function measure(scenario: ScenarioName, target: TargetName | 'floor', n: number, routesOut = n): Promise<Row> {
  const row: Row = { target, prefixes: n, results: [], failures: [] };
  for (let i = 0; i < runs; i++) {
    process.stderr.write(`${scenario} ${target} ${n.toLocaleString('en')} run ${i + 1}/${runs} … `);
    try {
      const r = await runOnce({
        scenario,
        target,
        prefixes: n,
        clients,
        withdraw: scenario === 'propagation' && withdraw,
        timeoutMs: timeoutFor(routesOut),
        nodeFlags,
        seed: 1,
        verbose: flag('verbose'),
      });
      row.results.push(r);
      process.stderr.write(`${r.seconds.toFixed(2)} s, ${mib(r.stats?.peakRss)} MiB${r.withdrawSeconds === undefined ? '' : `, withdraw ${r.withdrawSeconds.toFixed(2)} s`}\n`);
    } catch (err) {
      row.failures.push((err as Error).message);
      process.stderr.write(`FAILED\n    ${(err as Error).message}\n`);
    }
  }
  return row;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the propagation benchmark needs root (ip netns)');
  installCleanup();
  const usable = targets.filter((t) => {
    const why = unavailable(t);
    if (why !== undefined) console.log(`skipping ${t}: ${why}`);
    return why === undefined;
  });
  console.log(`tsbgpd propagation benchmark — node ${process.version}, ${runs} run(s) per target, medians`);
  if (scenarios.includes('propagation')) {
    const rows: Row[] = [];
    if (floor) rows.push(await measure('propagation', 'floor', prefixes));
    for (const t of usable) rows.push(await measure('propagation', t, prefixes));
    printTable(`Propagation: blaster → target → sink (eBGP), ${prefixes.toLocaleString('en')} prefixes`, rows, withdraw);
  }
  if (scenarios.includes('reflection')) {
    const rows: Row[] = [];
    for (const t of usable) rows.push(await measure('reflection', t, rrPrefixes, rrPrefixes * clients));
    printTable(`Route reflection: 1 client → target (RR) → ${clients} clients (iBGP), ${rrPrefixes.toLocaleString('en')} prefixes`, rows, false);
  }
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
