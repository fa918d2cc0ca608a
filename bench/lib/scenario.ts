/**
 * One benchmark run: a fresh namespace, the target started in it, the sink(s) and the blaster around it, the time
 * from the blaster's first UPDATE to the sink holding every prefix, the target's peak RSS and CPU time at that
 * moment, and optionally the time for a full withdrawal. Every wait is bounded; on a failure the helpers' and the
 * target's state is collected for the report, and the namespace is destroyed whatever happens (its directory is
 * kept when the run failed, for the logs).
 *
 * Addressing (all /32s on the namespace's `lo`): the target is 172.30.0.100 (AS 65000), the blaster 172.30.0.1, the
 * sink 172.30.0.2, route-reflector clients 172.30.0.11 and up.
 *   - `propagation`: blaster (eBGP, AS 65001) → target → sink (eBGP, AS 65002);
 *   - `reflection`: blaster and N sinks are iBGP route-reflector clients of the target (RFC 4456);
 *   - target `floor`: no router — the sink listens on the target's address and the blaster talks to it directly.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ChildChannel, secondsBetween } from './channel.js';
import type { PeerSpec, TargetSpec } from './daemon-configs.js';
import { BenchNamespace } from './netns.js';
import { treeStats, type TreeStats } from './proc-stats.js';
import { helperScript, startTarget, type RunningTarget, type TargetName } from './targets.js';

export type ScenarioName = 'propagation' | 'reflection';

export interface RunOptions {
  readonly scenario: ScenarioName;
  readonly target: TargetName | 'floor';
  readonly prefixes: number;
  /** Route-reflector clients that receive (reflection only). */
  readonly clients: number;
  /** Also measure the withdrawal of the whole table when the blaster disconnects (propagation only). */
  readonly withdraw: boolean;
  readonly timeoutMs: number;
  readonly nodeFlags: readonly string[];
  /** Seed of the generated table. */
  readonly seed: number;
  /** Print the target's own view of its state (its `diagnose`) when the sink is complete. */
  readonly verbose: boolean;
}

export interface RunResult {
  readonly seconds: number;
  readonly withdrawSeconds: number | undefined;
  readonly stats: TreeStats | undefined;
}

const TARGET = '172.30.0.100';
const BLASTER = '172.30.0.1';
const SINK = '172.30.0.2';
const TARGET_AS = 65000;
const SETTLE_MS = 1000;

function spawnHelper(ns: BenchNamespace, name: string, config: object): ChildChannel {
  const child = ns.spawn(process.execPath, [helperScript(`${name}.js`), JSON.stringify(config)], `${name}.log`, 'pipe');
  return new ChildChannel(name, child.stdout!, child.stdin!, (line) => process.stderr.write(`  ${name}: ${line}\n`));
}

function clientAddress(i: number): string {
  return `172.30.0.${11 + i}`;
}

export async function runOnce(o: RunOptions): Promise<RunResult> {
  const ns = await BenchNamespace.create();
  let ok = false;
  let target: RunningTarget | undefined;
  let sink: ChildChannel | undefined;
  let blaster: ChildChannel | undefined;
  try {
    const reflection = o.scenario === 'reflection';
    const sinkLocals = reflection ? Array.from({ length: o.clients }, (_, i) => clientAddress(i)) : [SINK];
    for (const a of [TARGET, BLASTER, ...sinkLocals]) await ns.addAddress(a);
    const blasterAs = reflection ? TARGET_AS : 65001;
    const sinkAs = reflection ? TARGET_AS : 65002;
    if (o.target !== 'floor') {
      const peers: PeerSpec[] = [BLASTER, ...sinkLocals].map((address) => ({
        address,
        asn: address === BLASTER ? blasterAs : sinkAs,
        ...(reflection ? { rrClient: true } : {}),
      }));
      const spec: TargetSpec = { asn: TARGET_AS, address: TARGET, peers };
      target = await startTarget(o.target, ns, spec, { nodeFlags: o.nodeFlags });
    }
    sink = spawnHelper(ns, 'sink', {
      mode: o.target === 'floor' ? 'listen' : 'connect',
      locals: o.target === 'floor' ? [TARGET] : sinkLocals,
      remote: TARGET,
      asn: o.target === 'floor' ? TARGET_AS : sinkAs,
      expect: o.prefixes,
    });
    if (o.target !== 'floor') await sink.waitFor('all-established', 60_000);
    blaster = spawnHelper(ns, 'blaster', {
      local: BLASTER,
      remote: TARGET,
      asn: blasterAs,
      prefixes: o.prefixes,
      seed: o.seed,
      ...(reflection ? { firstAs: 65001, localPref: 100 } : {}),
    });
    await blaster.waitFor('ready', 120_000);
    await blaster.waitFor('established', 60_000);
    if (o.target === 'floor') await sink.waitFor('all-established', 10_000);
    // Let the target finish its own start-up exchange (End-of-RIB, first keepalives) before the clock starts.
    await sleep(SETTLE_MS);
    blaster.send({ cmd: 'go' });
    const started = await blaster.waitFor('started', 10_000);
    const complete = await sink.waitFor('all-complete', o.timeoutMs);
    const stats = target === undefined ? undefined : treeStats(target.pid);
    const seconds = secondsBetween(started['t'], complete['t']);
    if (o.verbose && target !== undefined) process.stderr.write(`\n  ${o.target}: ${await target.diagnose()}\n`);
    let withdrawSeconds: number | undefined;
    if (o.withdraw && o.target !== 'floor') {
      blaster.send({ cmd: 'close' });
      const closed = await blaster.waitFor('closed', 10_000);
      const empty = await sink.waitFor('all-empty', o.timeoutMs);
      withdrawSeconds = secondsBetween(closed['t'], empty['t']);
    }
    ok = true;
    return { seconds, withdrawSeconds, stats };
  } catch (err) {
    const details: string[] = [(err as Error).message];
    const sinkStatus = await sink?.status();
    if (sinkStatus !== undefined) details.push(`sink: ${JSON.stringify(sinkStatus)}`);
    const blasterStatus = await blaster?.status();
    if (blasterStatus !== undefined) details.push(`blaster: ${JSON.stringify(blasterStatus)}`);
    if (target !== undefined) details.push(`target: ${await target.diagnose().catch((e: unknown) => String(e))}`);
    details.push(`logs kept in ${ns.dir}`);
    throw new Error(details.join('\n    '));
  } finally {
    await ns.destroy(!ok);
  }
}
