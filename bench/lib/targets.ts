/**
 * The benchmark targets: how to start each router inside a benchmark namespace, which process to measure, and
 * which command shows its state when a run goes wrong. tsbgpd runs as `tsbgpd-target.js` (a `Speaker` in its own
 * node process); the daemons with the configurations of `daemon-configs.ts` and the command lines of
 * /work/shared/peers.md. A target whose binary is missing is reported as unavailable, not as a failure.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ChildChannel } from './channel.js';
import { birdConfig, frrConfig, gobgpConfig, openbgpdConfig, type TargetSpec } from './daemon-configs.js';
import type { BenchNamespace } from './netns.js';

export const TARGET_NAMES = ['tsbgpd', 'bird', 'frr', 'gobgp', 'openbgpd'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export interface RunningTarget {
  /** The process whose tree is measured. */
  readonly pid: number;
  /** One line of state for a failure report (the daemon's own summary command). */
  diagnose(): Promise<string>;
}

export interface TargetOptions {
  /** Extra node flags for tsbgpd (e.g. `--max-semi-space-size=32`). */
  readonly nodeFlags: readonly string[];
}

const BINARIES: Record<TargetName, string> = {
  tsbgpd: process.execPath,
  bird: '/usr/sbin/bird',
  frr: '/usr/lib/frr/bgpd',
  gobgp: '/usr/bin/gobgpd',
  openbgpd: '/usr/sbin/bgpd',
};

/** Why a target cannot run here, or undefined when it can. */
export function unavailable(name: TargetName): string | undefined {
  const bin = BINARIES[name];
  if (!existsSync(bin)) return `${bin} not installed`;
  if (name === 'tsbgpd' && !existsSync(helperScript('tsbgpd-target.js'))) return 'dist/bench/lib/tsbgpd-target.js missing: npm run build';
  return undefined;
}

/** A compiled helper next to this file (dist/bench/lib/). */
export function helperScript(name: string): string {
  return fileURLToPath(new URL(`./${name}`, import.meta.url));
}

function pidOf(pid: number | undefined, name: string): number {
  if (pid === undefined) throw new Error(`${name} did not start`);
  return pid;
}

async function cli(ns: BenchNamespace, command: string, args: readonly string[]): Promise<string> {
  const r = await ns.exec(command, args, 5000);
  return (r.stdout || r.stderr).trim().split('\n').slice(0, 40).join('\n');
}

export async function startTarget(name: TargetName, ns: BenchNamespace, spec: TargetSpec, options: TargetOptions): Promise<RunningTarget> {
  const dir = ns.subdir(name);
  switch (name) {
    case 'tsbgpd': {
      const config = { asn: spec.asn, routerId: spec.address, listen: spec.address, peers: spec.peers.map((p) => ({ address: p.address, remoteAs: p.asn, ...(p.rrClient === true ? { rrClient: true } : {}) })) };
      const child = ns.spawn(process.execPath, [...options.nodeFlags, helperScript('tsbgpd-target.js'), JSON.stringify(config)], 'tsbgpd.log', 'pipe');
      const channel = new ChildChannel('tsbgpd', child.stdout!, child.stdin!, (l) => process.stderr.write(`tsbgpd: ${l}\n`));
      await channel.waitFor('listening', 30_000);
      return {
        pid: pidOf(child.pid, name),
        diagnose: async () => JSON.stringify((await channel.status()) ?? 'no answer'),
      };
    }
    case 'bird': {
      const conf = `${dir}/bird.conf`;
      writeFileSync(conf, birdConfig(spec));
      const child = ns.spawn(BINARIES.bird, ['-f', '-c', conf, '-s', `${dir}/bird.ctl`, '-P', `${dir}/bird.pid`], 'bird.log', 'log');
      return { pid: pidOf(child.pid, name), diagnose: () => cli(ns, 'birdc', ['-s', `${dir}/bird.ctl`, 'show', 'protocols']) };
    }
    case 'frr': {
      const conf = `${dir}/bgpd.conf`;
      writeFileSync(conf, frrConfig(spec));
      // bgpd drops to user frr, then creates its vty socket in the directory and reads the config as that user.
      await ns.exec('chown', ['-R', 'frr:frr', dir]);
      const child = ns.spawn(
        BINARIES.frr,
        ['-f', conf, '-i', `${dir}/bgpd.pid`, '--vty_socket', dir, '-Z', '-P', '0', '-l', spec.address, '-u', 'frr', '-g', 'frr'],
        'frr.log',
        'log',
      );
      return { pid: pidOf(child.pid, name), diagnose: () => cli(ns, 'vtysh', ['--vty_socket', dir, '-d', 'bgpd', '-c', 'show bgp summary']) };
    }
    case 'gobgp': {
      const conf = `${dir}/gobgpd.toml`;
      writeFileSync(conf, gobgpConfig(spec));
      const api = `unix://${dir}/gobgp.sock`;
      const child = ns.spawn(BINARIES.gobgp, ['-f', conf, '-t', 'toml', '--api-hosts', api, '--pprof-disable', '-l', 'warn'], 'gobgp.log', 'log');
      return { pid: pidOf(child.pid, name), diagnose: () => cli(ns, 'gobgp', ['--target', api, 'neighbor']) };
    }
    case 'openbgpd': {
      const conf = `${dir}/bgpd.conf`;
      const socket = `${dir}/bgpd.sock`;
      writeFileSync(conf, openbgpdConfig(spec, socket), { mode: 0o600 });
      // bgpd chroots to /run/openbgpd: a private tmpfs in the mount namespace `ip netns exec` gives this command.
      const script = `mount -n -t tmpfs -o mode=755,size=1m tmp /run && mkdir -p /run/openbgpd && exec ${BINARIES.openbgpd} -d -f "$1"`;
      const child = ns.spawn('sh', ['-c', script, 'sh', conf], 'openbgpd.log', 'log');
      return { pid: pidOf(child.pid, name), diagnose: () => cli(ns, 'bgpctl', ['-s', socket, 'show', 'summary']) };
    }
  }
}
