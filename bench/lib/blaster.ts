/**
 * The blaster: a minimal BGP speaker that sends a full-table-shaped UPDATE stream as fast as TCP takes it.
 *
 *   node dist/bench/lib/blaster.js '{"local":"172.30.0.1","remote":"172.30.0.100","asn":65001,"prefixes":1000000}'
 *
 * Before it connects it lays the whole stream out in memory (`benchTable`, then End-of-RIB), so generation is
 * never measured. Once the session is Established it reports `established` and waits for the runner's `go`; it
 * then writes the stream in 1 MiB slices, respecting backpressure, reporting `started` with the time of the first
 * write and `sent` when the kernel has taken the last byte. `close` sends Cease / Administrative Shutdown and
 * disconnects (the withdrawal benchmark), reporting the time. Whatever the target sends back is read and dropped,
 * so that a target that echoes routes (FRR does) is never blocked on this session.
 *
 * Events and times: see `channel.ts`.
 */
import { Buffer } from 'node:buffer';
import { now, onCommand, report } from './channel.js';
import { benchTable } from './table.js';
import { HarnessSession } from './harness-session.js';
import { endOfRib } from './harness-wire.js';

interface BlasterConfig {
  readonly local: string;
  readonly remote: string;
  readonly port?: number;
  readonly asn: number;
  readonly prefixes: number;
  readonly seed?: number;
  /** The first AS of every AS_PATH (default: `asn`, as an eBGP peer must send; iBGP may name another). */
  readonly firstAs?: number;
  /** LOCAL_PREF to send (iBGP). */
  readonly localPref?: number;
}

const SLICE = 1 << 20;

function layOut(config: BlasterConfig): { stream: Buffer; messages: number } {
  const octets = config.local.split('.').map(Number) as [number, number, number, number];
  const parts = benchTable({
    prefixes: config.prefixes,
    seed: config.seed ?? 1,
    firstAs: config.firstAs ?? config.asn,
    nextHop: octets,
    ...(config.localPref === undefined ? {} : { localPref: config.localPref }),
  });
  parts.push(endOfRib());
  return { stream: Buffer.concat(parts), messages: parts.length };
}

function main(): void {
  const config = JSON.parse(process.argv[2] ?? '{}') as BlasterConfig;
  const { stream, messages } = layOut(config);
  report({ event: 'ready', messages, bytes: stream.length });
  let offset = 0;
  let started = false;
  const session = new HarnessSession(
    { local: config.local, remote: config.remote, port: config.port ?? 179, mode: 'connect', asn: config.asn, routerId: config.local },
    {
      established: () => report({ event: 'established' }),
      update: () => {},
      down: (reason, established) => report({ event: established ? 'down' : 'fatal', message: reason }),
    },
  );

  const pump = (): void => {
    while (offset < stream.length) {
      const end = Math.min(offset + SLICE, stream.length);
      const slice = stream.subarray(offset, end);
      offset = end;
      const last = offset === stream.length;
      if (!started) {
        started = true;
        report({ event: 'started', t: now() });
      }
      const ok = session.write(slice, last ? () => report({ event: 'sent', t: now() }) : undefined);
      if (!ok && !last) {
        session.onDrain(pump);
        return;
      }
    }
  };

  onCommand((m) => {
    switch (m.cmd) {
      case 'go':
        pump();
        return;
      case 'close':
        report({ event: 'closed', t: now() });
        session.close();
        return;
      case 'status':
        report({ event: 'status', offset, bytes: stream.length, queued: session.queuedBytes });
        return;
    }
  });
  session.start();
}

main();
