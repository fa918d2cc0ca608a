/**
 * Session benchmark: the per-UPDATE cost of the session layer alone — framing, the FSM, timers, counters — without
 * a RIB. One `PeerSession` over a loopback socket to an in-process peer that sends the generated full table
 * (`lib/full-table.ts`); the session hands every UPDATE to a `rawUpdate` listener that only counts it (as the
 * Speaker's fast path would, minus the RIB). Then the other direction: the session sends the same table back in
 * 64 KiB batches through `sendUpdateBatch`, waiting for `writable` as the Speaker's pump does, to a peer that reads
 * and discards.
 *
 *   npm run build && node dist/bench/session.js [--prefixes 1000000] [--runs 5] [--messages-per-turn 256]
 *
 * Prints per run and as medians: seconds (wall) and CPU seconds (user + system, the in-process peer included) of
 * each direction, and the garbage collector's work — scavenges (each one a young generation's worth of
 * allocation) and milliseconds in GC — which is where per-message allocation shows.
 */
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { PerformanceObserver, constants as perfConstants, performance, type PerformanceEntry } from 'node:perf_hooks';
import { PeerSession } from '../lib/session/index.js';
import { fullTableStream } from './lib/full-table.js';
import { KEEPALIVE, openMessage } from './lib/harness-wire.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const prefixes = arg('prefixes', 1_000_000);
const runs = arg('runs', 5);
/** `PeerSessionOptions.messagesPerTurn`; unset, the session's default. */
const messagesPerTurn = process.argv.includes('--messages-per-turn') ? arg('messages-per-turn', 256) : undefined;
const BATCH_BYTES = 64 * 1024;

const { stream, messages } = fullTableStream({ prefixes, firstAs: 65001 });

/** Slices of `stream` holding whole messages, at most `max` octets each (the Speaker's batches). */
function batches(max: number): { bytes: Uint8Array; count: number }[] {
  const out: { bytes: Uint8Array; count: number }[] = [];
  let start = 0;
  let at = 0;
  let count = 0;
  while (at < stream.length) {
    const length = stream.readUInt16BE(at + 16);
    if (at + length - start > max && count > 0) {
      out.push({ bytes: stream.subarray(start, at), count });
      start = at;
      count = 0;
    }
    at += length;
    count++;
  }
  if (count > 0) out.push({ bytes: stream.subarray(start, at), count });
  return out;
}
const outBatches = batches(BATCH_BYTES);

interface Gc {
  scavenges: number;
  ms: number;
}
const gc: Gc = { scavenges: 0, ms: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.ms += e.duration;
    const kind = (e as PerformanceEntry & { readonly detail?: { readonly kind?: number } }).detail?.kind;
    if (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) gc.scavenges++;
  }
}).observe({ entryTypes: ['gc'] });

interface Phase {
  seconds: number;
  cpu: number;
  scavenges: number;
  gcMs: number;
}

async function measure(run: () => Promise<void>): Promise<Phase> {
  const gc0 = { ...gc };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await new Promise((resolve) => setImmediate(resolve)); // let the observer see the last collections
  return { seconds, cpu: (cpu.user + cpu.system) / 1e6, scavenges: gc.scavenges - gc0.scavenges, gcMs: gc.ms - gc0.ms };
}

async function once1(): Promise<{ receive: Phase; send: Phase }> {
  const server = createServer();
  server.listen({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const session = new PeerSession({
    address: '127.0.0.1',
    port,
    fsm: { localAsn: 65000, routerId: '10.0.0.1', remoteAs: 65001 },
    ...(messagesPerTurn !== undefined ? { messagesPerTurn } : {}),
  });
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  session.start();
  const [peer] = await accepted;
  let received = 0;
  peer.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  peer.write(openMessage(65001, '10.0.0.2', 90));
  peer.write(KEEPALIVE);
  await once(session, 'established');

  let updates = 0;
  let done: () => void = () => undefined;
  session.on('rawUpdate', (message) => {
    if (++updates === messages) done();
    return message.length;
  });
  const receive = await measure(
    () =>
      new Promise<void>((resolve) => {
        done = resolve;
        peer.write(stream);
      }),
  );

  const before = received;
  const total = stream.length;
  const send = await measure(
    () =>
      new Promise<void>((resolve) => {
        let next = 0;
        const pump = (): void => {
          while (next < outBatches.length) {
            const b = outBatches[next++] as { bytes: Uint8Array; count: number };
            if (!session.sendUpdateBatch(b.bytes, b.count)) return;
          }
        };
        session.on('writable', pump);
        const check = (): void => {
          if (received - before >= total) resolve();
          else setImmediate(check);
        };
        pump();
        check();
      }),
  );
  await session.stop();
  peer.destroy();
  server.close();
  return { receive, send };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const fmt = (p: Phase): string =>
  `${p.seconds.toFixed(3)} s, CPU ${p.cpu.toFixed(3)} s, ${p.scavenges} scavenges, GC ${p.gcMs.toFixed(0)} ms`;

console.log(`session benchmark — node ${process.version}, ${messages.toLocaleString('en')} UPDATEs (${prefixes.toLocaleString('en')} prefixes, ${(stream.length / 1048576).toFixed(1)} MiB)`);
const results: { receive: Phase; send: Phase }[] = [];
for (let i = 0; i < runs; i++) {
  const r = await once1();
  results.push(r);
  console.log(`run ${i + 1}/${runs}: receive ${fmt(r.receive)} | send ${fmt(r.send)}`);
}
for (const dir of ['receive', 'send'] as const) {
  const ps = results.map((r) => r[dir]);
  console.log(
    `median ${dir}: ${fmt({
      seconds: median(ps.map((p) => p.seconds)),
      cpu: median(ps.map((p) => p.cpu)),
      scavenges: median(ps.map((p) => p.scavenges)),
      gcMs: median(ps.map((p) => p.gcMs)),
    })}`,
  );
}
