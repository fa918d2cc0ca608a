/**
 * tsbgpd as the soak benchmark's target: one `Speaker` in its own process, built as `tsbgpd-target.ts` builds it
 * (passive peers, permit-any in and out, no logging), which reports its own health once a second so that the runner
 * sees memory and responsiveness from the inside rather than guessing them from /proc.
 *
 *   node dist/bench/lib/soak-target.js '{"asn":65000,"routerId":"172.30.0.100","listen":"172.30.0.100",
 *                                        "peers":[{"address":"172.30.0.1","remoteAs":65001}]}'
 *
 * Reports `listening` once bound, then a `sample` line every second: resident memory and the V8 heap
 * (`process.memoryUsage()`; the RIB's typed arrays count under `arrayBuffers`, not `heapUsed`), the event-loop delay
 * of the last second (`perf_hooks.monitorEventLoopDelay`, reset after each sample: p50, p99 and max, in ms beyond the
 * monitor's 10 ms timer), the
 * milliseconds spent in garbage collection in that second, and the routing state — Loc-RIB prefixes, paths (the sum
 * of every peer's received prefixes, i.e. the Adj-RIBs-In), sessions Established, and session ups and downs so far.
 * `gc` (when node runs with `--expose-gc`) collects garbage fully and reports the memory left — what is really
 * held, which the runner compares before and after the flapping. `stop` stops the speaker (Cease to every peer)
 * and exits.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { Speaker } from '../../lib/speaker/index.js';
import { permitAny } from '../../lib/policy/index.js';
import { now, onCommand, report } from './channel.js';

interface SoakTargetConfig {
  readonly asn: number;
  readonly routerId: string;
  readonly listen: string;
  readonly peers: readonly { readonly address: string; readonly remoteAs: number }[];
}

/**
 * The timer granularity of the delay monitor, ms: Node's default, fine enough for delays worth reporting. The
 * histogram records the time between the monitor's timer ticks, the resolution included (an idle loop reads ~10
 * ms), so the resolution is taken off: what is reported is how late the loop ran the timer.
 */
const ELD_RESOLUTION_MS = 10;
const SAMPLE_MS = 1000;
const MiB = 1048576;

/** A histogram value (ns) as the delay beyond the resolution, ms. */
const lateMs = (ns: number): number => Math.max(0, Math.round(ns / 1e4) / 100 - ELD_RESOLUTION_MS);
const mib = (bytes: number): number => Math.round((bytes / MiB) * 10) / 10;

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as SoakTargetConfig;
  const speaker = new Speaker({ asn: config.asn, routerId: config.routerId, listen: { host: config.listen, port: 179 } });
  for (const p of config.peers) {
    speaker.addPeer({ address: p.address, remoteAs: p.remoteAs, passive: true, importPolicy: permitAny, exportPolicy: permitAny });
  }
  let ups = 0;
  let downs = 0;
  speaker.on('peerUp', () => ups++);
  speaker.on('peerDown', () => downs++);
  await speaker.start();

  const delay = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  delay.enable();
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  gc.observe({ entryTypes: ['gc'] });

  const sample = (): void => {
    const m = process.memoryUsage();
    let paths = 0;
    let up = 0;
    for (const p of speaker.peers()) {
      paths += p.prefixes.received;
      if (p.state === 'Established') up++;
    }
    report({
      event: 'sample',
      t: now(),
      rss: mib(m.rss),
      heapUsed: mib(m.heapUsed),
      heapTotal: mib(m.heapTotal),
      arrayBuffers: mib(m.arrayBuffers),
      // An empty histogram (the loop was blocked for the whole second) has only sentinel values: read as the second.
      eldP50: delay.count === 0 ? SAMPLE_MS : lateMs(delay.percentile(50)),
      eldP99: delay.count === 0 ? SAMPLE_MS : lateMs(delay.percentile(99)),
      eldMax: delay.count === 0 ? SAMPLE_MS : lateMs(delay.max),
      gcMs: Math.round(gcMs * 10) / 10,
      prefixes: speaker.rib.prefixCount,
      paths,
      up,
      ups,
      downs,
    });
    delay.reset();
    gcMs = 0;
  };
  const timer = setInterval(sample, SAMPLE_MS);

  process.on('SIGTERM', () => process.exit(0));
  report({ event: 'listening', pid: process.pid });
  onCommand((m) => {
    if (m.cmd === 'status') {
      report({ event: 'status', prefixes: speaker.rib.prefixCount, peers: speaker.peers().map((p) => ({ address: p.address, state: p.state, prefixes: p.prefixes, flaps: p.flaps })) });
    } else if (m.cmd === 'gc') {
      const collect = (globalThis as { gc?: () => void }).gc;
      if (collect === undefined) {
        report({ event: 'gc', available: false });
        return;
      }
      // Twice: the first collection can leave garbage that only a finaliser of the first made unreachable.
      collect();
      collect();
      const after = process.memoryUsage();
      report({ event: 'gc', available: true, rss: mib(after.rss), heapUsed: mib(after.heapUsed), arrayBuffers: mib(after.arrayBuffers) });
    } else if (m.cmd === 'stop') {
      clearInterval(timer);
      gc.disconnect();
      delay.disable();
      void speaker.stop().then(() => process.exit(0));
    }
  });
}

main().catch((err: unknown) => {
  report({ event: 'fatal', message: (err as Error).message });
  process.exit(1);
});
