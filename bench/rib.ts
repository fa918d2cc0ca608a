/**
 * RIB benchmark, in process and without sockets: the generated table (`lib/table.ts`) received from one eBGP peer
 * through the raw fast path (`Rib.ingestUpdate`), then flushed to another eBGP peer until nothing is pending — the
 * RIB's share of the propagation benchmark, where profiles are easy to read.
 *
 *   npm run build && node [--cpu-prof | --heap-prof] dist/bench/rib.js [--prefixes 1000000] [--runs 3] [--fanout 1] [--interleave 256] [--tables]
 *
 * `--interleave N` flushes after every N UPDATEs received (default 256), as the speaker does; 0 receives all first.
 * Prints per run: ingest and flush seconds (wall), CPU seconds of the process (user + system, GC threads included), UPDATEs and octets produced, and the memory held per route (JS heap
 * plus ArrayBuffers, after a forced GC: run node with --expose-gc). `--fanout N` sends to N eBGP peers with the same codec context
 * (one outbound group).
 */
import { performance } from 'node:perf_hooks';
import { IPV4_UNICAST, createContext } from '../lib/wire/index.js';
import { Rib } from '../lib/rib/index.js';
import { benchTable } from './lib/table.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const prefixes = arg('prefixes', 1_000_000);
const runs = arg('runs', 3);
const fanout = arg('fanout', 1);
/** Flush after every N UPDATEs received, as the speaker interleaves them (0: receive everything first). */
const interleave = arg('interleave', 256);
/** Print the RIB's own count of its tables (`Rib.memoryUse`) per route. */
const printUse = process.argv.includes('--tables');
const ctx = createContext({ fourOctetAs: true });
const bodies = benchTable({ prefixes, firstAs: 65001 }).map((m) => m.subarray(19));
const gc = (globalThis as { gc?: () => void }).gc;

/** JS heap plus ArrayBuffers (the RIB's typed arrays live outside the heap). */
function heapUsed(): number {
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function once(): void {
  const before = heapUsed();
  const rib = new Rib({ localAsn: 65000, routerId: '172.30.0.100' });
  rib.addPeer({ id: 'in', address: '172.30.0.1', asn: 65001 });
  rib.peerUp('in', { families: [IPV4_UNICAST], txContext: ctx, routerId: '172.30.0.1', localAddress: { ipv4: '172.30.0.100' } });
  const outs: string[] = [];
  for (let i = 0; i < fanout; i++) {
    const id = `out${i}`;
    outs.push(id);
    rib.addPeer({ id, address: `172.30.1.${i + 1}`, asn: 65002 + i });
    rib.peerUp(id, { families: [IPV4_UNICAST], txContext: ctx, routerId: `172.30.1.${i + 1}`, localAddress: { ipv4: '172.30.0.100' } });
    while (rib.hasPending(id)) rib.flush(id);
  }
  let updates = 0;
  let octets = 0;
  let flushMs = 0;
  const drain = (): void => {
    const t0 = performance.now();
    for (const id of outs) {
      // As the speaker does: messages laid end to end, 64 KiB per batch.
      for (let out = rib.flushBatch(id, { maxBytes: 65536 }); out !== null; out = rib.flushBatch(id, { maxBytes: 65536 })) {
        updates += out.messages;
        octets += out.bytes.length;
      }
    }
    flushMs += performance.now() - t0;
  };
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < bodies.length; i++) {
    rib.ingestUpdate('in', bodies[i] as Uint8Array, ctx);
    if (interleave > 0 && i % interleave === interleave - 1) drain();
  }
  const heldHeap = heapUsed();
  drain();
  const ingestMs = performance.now() - t - flushMs;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const afterHeap = heapUsed();
  const sent = outs.reduce((s, id) => s + rib.counters(id).sent, 0);
  if (sent !== prefixes * fanout) throw new Error(`sent ${sent} routes, expected ${prefixes * fanout}`);
  if (printUse) {
    const use = rib.memoryUse();
    const total = Object.values(use).reduce((a, b) => a + b, 0);
    const parts = Object.entries(use).map(([k, v]) => `${k} ${(v / prefixes).toFixed(1)}`);
    console.log(`  tables ${(total / prefixes).toFixed(1)} octets/route: ${parts.join(', ')}`);
  }
  const perRoute = (bytes: number): string => (gc === undefined ? '–' : ((bytes - before) / prefixes).toFixed(0));
  console.log(
    `ingest ${(ingestMs / 1000).toFixed(3)} s  flush ${(flushMs / 1000).toFixed(3)} s  total ${((ingestMs + flushMs) / 1000).toFixed(3)} s  ` +
      `CPU ${cpuSeconds.toFixed(3)} s  ` +
      `${updates.toLocaleString('en')} UPDATEs ${(octets / 1048576).toFixed(1)} MiB  ` +
      `memory/route after ingest ${perRoute(heldHeap)} B, after flush ${perRoute(afterHeap)} B  sets ${rib.interner.size.toLocaleString('en')}  rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`,
  );
}

console.log(`tsbgpd RIB benchmark — ${prefixes.toLocaleString('en')} prefixes in ${bodies.length.toLocaleString('en')} UPDATEs, fan-out ${fanout}, node ${process.version}`);
for (let r = 0; r < runs; r++) once();
