/**
 * The announcer benchmark's rig: one namespace holding the seed's pfSense (FRR bgpd, no zebra, configured as
 * pfSense's FRR package writes it — /work/shared/metallb.md), an observer (`announcer-observer.ts`) and one node
 * running the real `tsbgpd run` (dist/bin/tsbgpd.js) with a watched configuration directory, a state file and a
 * status file. The node has two BGPPeers, FRR and the observer; both are sent every Service's /32.
 *
 *   172.30.0.1   FRR, AS 65100, router-id 192.168.3.1, peer group rubrik-metallb
 *   172.30.0.2   observer, AS 65200 (it listens: tsbgpd run only dials)
 *   172.30.0.11  the node, AS 65101
 *
 * Also here: the seed's YAML with the benchmark's addresses, a generator for N Services, and `vtysh` queries.
 * Files in the configuration directory are replaced by rename (a hidden temporary file first), as kubectl and
 * editors save, so the node's watcher sees each change once and whole.
 */
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChildChannel } from './channel.js';
import { execCommand, type BenchNamespace } from './netns.js';

export const FRR_ADDRESS = '172.30.0.1';
export const OBSERVER_ADDRESS = '172.30.0.2';
export const NODE_ADDRESS = '172.30.0.11';
const FRR_AS = 65100;
const OBSERVER_AS = 65200;
const NODE_AS = 65101;
const POOL = 'rubrik-address-pool';

const FRR_BGPD = '/usr/lib/frr/bgpd';
const VTYSH = '/usr/bin/vtysh';
const TSBGPD_CLI = fileURLToPath(new URL('../../bin/tsbgpd.js', import.meta.url));
const OBSERVER = fileURLToPath(new URL('./announcer-observer.js', import.meta.url));

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** What the rig needs and does not find, in words for the user. */
export function missing(): string[] {
  const needs: [string, string][] = [
    [FRR_BGPD, 'FRR bgpd (apt-get install frr)'],
    [VTYSH, 'vtysh (apt-get install frr)'],
    [TSBGPD_CLI, 'dist/bin/tsbgpd.js (npx tsc -p .)'],
    [OBSERVER, 'dist/bench/lib/announcer-observer.js (npx tsc -p .)'],
  ];
  return needs.filter(([path]) => !isFile(path)).map(([, what]) => what);
}

// ---------------------------------------------------------------------------------------------------------------
// Configuration text.

/** pfSense's bgpd.conf for the seed's GUI steps (route map before `router bgp`, peer group, ECMP), no zebra. */
export function pfsenseConfig(nodes: readonly string[]): string {
  return [
    'frr defaults traditional',
    'hostname pfsense',
    'log stdout warnings',
    'bgp route-map delay-timer 0',
    '!',
    'route-map Permit-Any permit 100',
    'exit',
    '!',
    `router bgp ${FRR_AS}`,
    ' bgp router-id 192.168.3.1',
    ' no bgp ebgp-requires-policy',
    ' neighbor rubrik-metallb peer-group',
    ` neighbor rubrik-metallb remote-as ${NODE_AS}`,
    ...nodes.map((a) => ` neighbor ${a} peer-group rubrik-metallb`),
    ' address-family ipv4 unicast',
    '  maximum-paths 4',
    '  neighbor rubrik-metallb activate',
    '  neighbor rubrik-metallb route-map Permit-Any in',
    '  neighbor rubrik-metallb route-map Permit-Any out',
    ' exit-address-family',
    'exit',
    '',
  ].join('\n');
}

/** The seed's pool and advertisement, and one BGPPeer each for FRR and the observer. */
export function metallbYaml(): string {
  const peer = (name: string, asn: number, address: string): string =>
    `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: ${name} }
spec: { myASN: ${NODE_AS}, peerASN: ${asn}, peerAddress: ${address}, sourceAddress: ${NODE_ADDRESS} }
`;
  return [
    `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: ${POOL}, namespace: metallb-system }
spec: { addresses: [10.8.0.0/16] }
`,
    `apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: bgp-advertisement }
spec: { ipAddressPools: [${POOL}], aggregationLength: 32 }
`,
    peer('pfsense-peer', FRR_AS, FRR_ADDRESS),
    peer('observer-peer', OBSERVER_AS, OBSERVER_ADDRESS),
  ].join('---\n');
}

/** `count` LoadBalancer Services like the seed's guestbook-ui, named `<stem>-<i>`, as one multi-document YAML. */
export function servicesYaml(stem: string, count: number): string {
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    docs.push(`apiVersion: v1
kind: Service
metadata:
  name: ${stem}-${i}
  namespace: example
  annotations: { metallb.universe.tf/address-pool: ${POOL} }
spec: { type: LoadBalancer, ports: [{ port: 80, targetPort: 80 }], selector: { app: ${stem}-${i} } }
`);
  }
  return docs.join('---\n');
}

// ---------------------------------------------------------------------------------------------------------------
// The rig.

export interface RigOptions {
  /** Flags for node itself, before the script (`--cpu-prof --cpu-prof-dir=DIR`). */
  readonly nodeFlags?: readonly string[];
  /** false: run without `--status-file` (default: with one, `status.yaml`). */
  readonly statusFile?: boolean;
}

export class AnnouncerRig {
  readonly frrDir: string;
  readonly nodeDir: string;
  readonly configDir: string;
  readonly controlSocket: string;

  private constructor(
    readonly ns: BenchNamespace,
    readonly observer: ChildChannel,
  ) {
    this.frrDir = ns.subdir('frr');
    this.nodeDir = ns.subdir('node');
    this.configDir = ns.subdir('node/config');
    this.controlSocket = join(this.nodeDir, 'control.sock');
  }

  /**
   * FRR, the observer and the node, in that order (the node only dials, with a backoff after a refusal); resolves
   * when both of the node's sessions are Established.
   */
  static async start(ns: BenchNamespace, log: (line: string) => void, options: RigOptions = {}): Promise<AnnouncerRig> {
    for (const a of [FRR_ADDRESS, OBSERVER_ADDRESS, NODE_ADDRESS]) await ns.addAddress(a);
    const frrDir = ns.subdir('frr');
    writeFileSync(join(frrDir, 'bgpd.conf'), pfsenseConfig([NODE_ADDRESS]));
    await ns.exec('chown', ['-R', 'frr:frr', frrDir]);
    ns.spawn(
      FRR_BGPD,
      ['-f', join(frrDir, 'bgpd.conf'), '-i', join(frrDir, 'bgpd.pid'), '--vty_socket', frrDir, '-Z', '-P', '0', '-l', FRR_ADDRESS, '-u', 'frr', '-g', 'frr'],
      'frr.log',
      'log',
    );
    const child = ns.spawn(process.execPath, [OBSERVER, JSON.stringify({ local: OBSERVER_ADDRESS, asn: OBSERVER_AS })], 'observer.log', 'pipe');
    const observer = new ChildChannel('observer', child.stdout!, child.stdin!, log);
    const rig = new AnnouncerRig(ns, observer);
    await observer.waitFor('listening', 10_000);
    await rig.waitFrr(async () => (await rig.vtysh('show bgp summary json')).code === 0, 15_000, 'FRR to answer vtysh');

    rig.writeConfig('metallb.yaml', metallbYaml());
    ns.spawn(
      process.execPath,
      [
        ...(options.nodeFlags ?? []),
        TSBGPD_CLI,
        'run',
        '--config',
        rig.configDir,
        '--node',
        'node1',
        '--router-id',
        NODE_ADDRESS,
        '--state-file',
        join(rig.nodeDir, 'state.json'),
        ...(options.statusFile === false ? [] : ['--status-file', join(rig.nodeDir, 'status.yaml')]),
        '--control',
        rig.controlSocket,
      ],
      'node/tsbgpd.log',
      'log',
    );
    await observer.waitFor('established', 30_000);
    await rig.waitFrr(async () => (await rig.frrPrefixes()) !== undefined, 30_000, 'FRR to have the node Established');
    return rig;
  }

  /** Replace (or create) a file of the node's configuration directory in one rename. */
  writeConfig(name: string, text: string): void {
    const tmp = join(this.configDir, `.${name}.tmp`);
    writeFileSync(tmp, text);
    renameSync(tmp, join(this.configDir, name));
  }

  /** A temporary file ready to be renamed into place by `commit`: the benchmark times the rename alone. */
  stage(name: string, text: string): () => void {
    const tmp = join(this.configDir, `.${name}.tmp`);
    writeFileSync(tmp, text);
    return () => renameSync(tmp, join(this.configDir, name));
  }

  deleteConfig(name: string): void {
    rmSync(join(this.configDir, name));
  }

  vtysh(command: string): ReturnType<typeof execCommand> {
    // The vty socket is a unix socket: vtysh reaches it from the root namespace, and no packet leaves.
    return execCommand(VTYSH, ['--vty_socket', this.frrDir, '-d', 'bgpd', '-c', command], 10_000);
  }

  async vtyshJson(command: string): Promise<unknown> {
    const r = await this.vtysh(command);
    if (r.code !== 0) throw new Error(`vtysh ${command}: exit ${r.code}: ${r.stderr.trim()}`);
    return JSON.parse(r.stdout) as unknown;
  }

  /** Prefixes FRR has accepted from the node, or undefined while the session is not Established. */
  async frrPrefixes(): Promise<number | undefined> {
    const summary = (await this.vtyshJson('show bgp ipv4 unicast summary json')) as {
      peers?: Record<string, { state?: string; pfxRcd?: number }>;
    };
    const peer = summary.peers?.[NODE_ADDRESS];
    return peer?.state === 'Established' ? (peer.pfxRcd ?? 0) : undefined;
  }

  /** The next hops of FRR's paths for `prefix` (`show bgp ipv4 unicast json`); empty when it has none. */
  async frrNextHops(prefix: string): Promise<string[]> {
    const table = (await this.vtyshJson('show bgp ipv4 unicast json')) as {
      routes?: Record<string, { nexthops?: { ip?: string }[] }[]>;
    };
    return (table.routes?.[prefix] ?? []).map((p) => p.nexthops?.[0]?.ip ?? '');
  }

  /** The node's `GET /v1/services` (what `tsbgpd services --json` prints). */
  async services(): Promise<{ name: string; ingress: { ip: string }[] }[]> {
    const r = await execCommand(process.execPath, [TSBGPD_CLI, 'services', '--socket', this.controlSocket, '--json'], 30_000);
    if (r.code !== 0) throw new Error(`tsbgpd services: exit ${r.code}: ${r.stderr.trim()}`);
    return (JSON.parse(r.stdout) as { services: { name: string; ingress: { ip: string }[] }[] }).services;
  }

  private async waitFrr(ok: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      try {
        if (await ok()) return;
      } catch (err) {
        last = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}${last ? ` (${last})` : ''}`);
  }
}
