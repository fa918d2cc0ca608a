/**
 * tsbgpd as a benchmark target: one `Speaker` in its own process, configured from a JSON argument, its peers
 * passive (the blaster and the sinks dial in), permit-any in and out, no logging.
 *
 *   node dist/bench/lib/tsbgpd-target.js '{"asn":65000,"routerId":"172.30.0.100","listen":"172.30.0.100",
 *                                          "peers":[{"address":"172.30.0.1","remoteAs":65001}]}'
 *
 * Reports `listening` once bound; answers `status` with the RIB's counters, which the runner prints when a run
 * times out. With `BENCH_ALLOCATIONS=FILE` in the environment it samples every allocation — objects the garbage
 * collector already reclaimed included, which `--heap-prof` leaves out — and writes the profile (Chrome's
 * `.heapprofile` format) to FILE on SIGTERM: who allocates, not only who holds.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import v8 from 'node:v8';
import { Speaker } from '../../lib/speaker/index.js';
import { permitAny } from '../../lib/policy/index.js';
import { onCommand, report } from './channel.js';

interface TargetConfig {
  readonly asn: number;
  readonly routerId: string;
  readonly listen: string;
  readonly peers: readonly { readonly address: string; readonly remoteAs: number; readonly rrClient?: boolean }[];
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as TargetConfig;
  const speaker = new Speaker({ asn: config.asn, routerId: config.routerId, listen: { host: config.listen, port: 179 } });
  for (const p of config.peers) {
    speaker.addPeer({
      address: p.address,
      remoteAs: p.remoteAs,
      passive: true,
      importPolicy: permitAny,
      exportPolicy: permitAny,
      ...(p.rrClient === true ? { routeReflectorClient: true } : {}),
    });
  }
  await speaker.start();
  const allocations = process.env['BENCH_ALLOCATIONS'];
  const inspector = allocations === undefined ? undefined : startAllocationSampling();
  // A normal exit on SIGTERM, so that --cpu-prof / --heap-prof (via --node-flags) write their profiles.
  process.on('SIGTERM', () => {
    if (inspector === undefined || allocations === undefined) process.exit(0);
    inspector.post('HeapProfiler.stopSampling', (err, result) => {
      if (err === null) writeFileSync(allocations, JSON.stringify(result.profile));
      process.exit(0);
    });
  });
  report({ event: 'listening', pid: process.pid });
  onCommand((m) => {
    if (m.cmd === 'status') {
      report({
        event: 'status',
        prefixes: speaker.rib.prefixCount,
        peers: speaker.peers().map((p) => ({ address: p.address, state: p.state, prefixes: p.prefixes })),
        memory: Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, `${(v / 1048576).toFixed(1)} MiB`])),
        heap: Object.fromEntries(
          v8.getHeapSpaceStatistics().map((s) => [s.space_name, `${(s.space_size / 1048576).toFixed(1)}/${(s.space_used_size / 1048576).toFixed(1)} MiB`]),
        ),
        sets: speaker.rib.interner.size,
      });
    } else if (m.cmd === 'stop') {
      void speaker.stop().then(() => process.exit(0));
    }
  });
}

/** V8's sampling heap profiler, counting objects that minor and major collections reclaimed too. */
function startAllocationSampling(): Session {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 16384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  } as never);
  return session;
}

main().catch((err: unknown) => {
  report({ event: 'fatal', message: (err as Error).message });
  process.exit(1);
});
