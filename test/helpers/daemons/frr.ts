/**
 * FRR bgpd (8.4) as an interop peer: `/usr/lib/frr/bgpd -Z` (no zebra, so nothing can reach a FIB) inside a test
 * namespace, its vty socket in the instance directory, queried with `vtysh --vty_socket DIR -d bgpd`.
 *
 * Config choices, all from /work/shared/peers.md: RFC 8212 off unless `rfc8212` (then `permitAny` route maps make
 * a session usable); `no bgp network import-check` because without zebra no prefix is "in the RIB"; route maps
 * defined before `router bgp` and `bgp route-map delay-timer 0`, else FRR sends a ROUTE-REFRESH about 5 s in;
 * `no bgp default ipv4-unicast` so each family is activated only where a PeerSpec asks for it. Originated routes
 * are `network` statements with a route map per route carrying its attributes.
 *
 * Queries: `vtysh(cmd)`, `json(cmd)`, `configure(lines)`, `peer(addr)` / `neighbor(addr)` (state and the last
 * NOTIFICATION with code/subcode from `lastErrorCodeSubcode`, RFC 9003 message from `lastShutdownDescription`),
 * `routes(family)` from `show bgp <afi> unicast json detail` (one header object, then the paths, per prefix).
 */
import { writeFileSync } from 'node:fs';
import type { Netns, NsProcess } from '../netns.js';
import {
  asArray,
  asNumber,
  asObject,
  asString,
  familyOf,
  localAddressFor,
  normalizeState,
  originFrom,
  parseJson,
  peerFamilies,
  toRib,
  waitReady,
  type BgpDaemon,
  type Family,
  type PathView,
  type PeerView,
  type RibView,
  type RouteSpec,
  type SpeakerSpec,
} from './types.js';

export const FRR_BGPD = '/usr/lib/frr/bgpd';
export const VTYSH = 'vtysh';

const AFI: Record<Family, string> = { ipv4: 'ipv4', ipv6: 'ipv6' };

/** The bgpd.conf for `spec`. */
export function frrConfig(spec: SpeakerSpec, name = 'frr'): string {
  const lines: string[] = [
    'frr defaults traditional',
    `hostname ${name}`,
    `log stdout ${spec.debug === true ? 'debugging' : 'informational'}`,
  ];
  if (spec.debug === true) lines.push('debug bgp neighbor-events', 'debug bgp updates in', 'debug bgp updates out');
  lines.push('bgp route-map delay-timer 0', '!');
  // Route maps first: referenced before definition, FRR re-evaluates later and refreshes the session.
  lines.push('route-map PERMIT-ANY permit 10', 'exit', '!');
  const routes = spec.routes ?? [];
  routes.forEach((r, i) => lines.push(...originateMap(r, i + 1), '!'));

  lines.push(`router bgp ${spec.as}`, ` bgp router-id ${spec.routerId}`);
  if (spec.rfc8212 !== true) lines.push(' no bgp ebgp-requires-policy');
  lines.push(' no bgp network import-check', ' no bgp default ipv4-unicast');
  for (const p of spec.peers) {
    if (p.as4 === false) throw new Error('FRR cannot disable only the 4-octet AS capability (PeerSpec.as4)');
    const n = ` neighbor ${p.address}`;
    lines.push(`${n} remote-as ${p.as}`, `${n} update-source ${localAddressFor(spec, p)}`);
    if (p.description !== undefined) lines.push(`${n} description ${p.description}`);
    if (p.passive === true) lines.push(`${n} passive`);
    if (p.holdTime !== undefined) lines.push(`${n} timers ${Math.floor(p.holdTime / 3)} ${p.holdTime}`);
    lines.push(`${n} timers connect ${p.connectRetry ?? 5}`);
    if (p.multihop === true && p.as !== spec.as) lines.push(`${n} ebgp-multihop 255`);
  }
  for (const family of ['ipv4', 'ipv6'] as const) {
    const peers = spec.peers.filter((p) => peerFamilies(p).includes(family));
    const originated = routes.map((r, i) => [r, i + 1] as const).filter(([r]) => familyOf(r.prefix) === family);
    if (peers.length === 0 && originated.length === 0) continue;
    lines.push(` address-family ${AFI[family]} unicast`);
    for (const [r, i] of originated) lines.push(`  network ${r.prefix} route-map ORIGINATE-${i}`);
    for (const p of peers) {
      const n = `  neighbor ${p.address}`;
      lines.push(`${n} activate`);
      if (p.routeReflectorClient === true) lines.push(`${n} route-reflector-client`);
      if (p.permitAny === true) lines.push(`${n} route-map PERMIT-ANY in`, `${n} route-map PERMIT-ANY out`);
    }
    lines.push(' exit-address-family');
  }
  lines.push('exit', '!', ...(spec.extraConfig ?? []), '');
  return lines.join('\n');
}

function originateMap(r: RouteSpec, i: number): string[] {
  const set: string[] = [];
  if (r.origin !== undefined) set.push(`set origin ${r.origin}`);
  if (r.asPath !== undefined && r.asPath.length > 0) set.push(`set as-path prepend ${r.asPath.join(' ')}`);
  if (r.med !== undefined) set.push(`set metric ${r.med}`);
  if (r.localPref !== undefined) set.push(`set local-preference ${r.localPref}`);
  if (r.communities !== undefined && r.communities.length > 0) set.push(`set community ${r.communities.join(' ')}`);
  if (r.largeCommunities !== undefined && r.largeCommunities.length > 0)
    set.push(`set large-community ${r.largeCommunities.join(' ')}`);
  if (r.nextHop !== undefined) {
    set.push(familyOf(r.nextHop) === 'ipv4' ? `set ip next-hop ${r.nextHop}` : `set ipv6 next-hop global ${r.nextHop}`);
  }
  return [`route-map ORIGINATE-${i} permit 10`, ...set.map((s) => ` ${s}`), 'exit'];
}

export class Frr implements BgpDaemon {
  readonly kind = 'frr' as const;
  readonly logFile: string;

  private constructor(
    readonly ns: Netns,
    readonly dir: string,
    readonly process: NsProcess,
    readonly spec: SpeakerSpec,
  ) {
    this.logFile = process.logFile;
  }

  /** Start bgpd in `ns` and wait until vtysh answers. `name` names the instance directory and the hostname. */
  static async start(ns: Netns, spec: SpeakerSpec, name = 'frr'): Promise<Frr> {
    const dir = ns.subdir(name);
    const conf = `${dir}/bgpd.conf`;
    writeFileSync(conf, frrConfig(spec, name));
    // bgpd drops to user frr, then creates bgpd.vty and reads its config as that user.
    await ns.run('chown', ['-R', 'frr:frr', dir]);
    const listen = [spec.address, ...(spec.address6 !== undefined ? [spec.address6] : [])].flatMap((a) => ['-l', a]);
    const proc = ns.spawn(
      FRR_BGPD,
      ['-f', conf, '-i', `${dir}/bgpd.pid`, '--vty_socket', dir, '-Z', '-P', '0', ...listen, '-u', 'frr', '-g', 'frr'],
      { log: `${name}.log` },
    );
    const frr = new Frr(ns, dir, proc, spec);
    ns.onDestroy(() => frr.stop());
    await waitReady(
      `FRR bgpd (${name})`,
      proc,
      async () => (await frr.vtyshResult(['show bgp summary json'])).code === 0,
    );
    return frr;
  }

  /** Run vtysh commands (each a `-c`); rejects when vtysh reports an error. */
  async vtysh(...commands: string[]): Promise<string> {
    const r = await this.vtyshResult(commands);
    if (r.code !== 0)
      throw new Error(`vtysh ${commands.join(' ; ')} exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  }

  /** A `show … json` command, parsed (`json` is appended when missing). */
  async json(command: string): Promise<unknown> {
    const cmd = /\bjson\b/.test(command) ? command : `${command} json`;
    return parseJson(await this.vtysh(cmd), `vtysh ${cmd}`);
  }

  /** Apply configuration lines (`configure terminal`, then each line as its own `-c`). */
  async configure(lines: readonly string[]): Promise<string> {
    return this.vtysh('configure terminal', ...lines);
  }

  async peers(): Promise<PeerView[]> {
    const all = asObject(await this.json('show bgp neighbors json'));
    return Object.entries(all).map(([address, n]) => peerView(address, asObject(n)));
  }

  async peer(address: string): Promise<PeerView | undefined> {
    const n = asObject(await this.json(`show bgp neighbors ${address} json`))[address];
    return n === undefined ? undefined : peerView(address, asObject(n));
  }

  /** Alias of `peer`, in FRR's own word. */
  neighbor(address: string): Promise<PeerView | undefined> {
    return this.peer(address);
  }

  async routes(family?: Family): Promise<RibView> {
    const families = family === undefined ? (['ipv4', 'ipv6'] as const) : [family];
    const paths: PathView[] = [];
    for (const f of families) {
      const table = asObject(await this.json(`show bgp ${AFI[f]} unicast json detail`));
      for (const [prefix, entries] of Object.entries(asObject(table['routes']))) {
        // The first element describes the prefix (advertisedTo, …); the paths follow.
        for (const p of asArray(entries))
          if (asObject(p)['aspath'] !== undefined) paths.push(pathView(prefix, asObject(p)));
      }
    }
    return toRib(paths);
  }

  async stop(): Promise<void> {
    await this.process.stop(5000);
  }

  private vtyshResult(commands: readonly string[]) {
    return this.ns.exec(VTYSH, ['--vty_socket', this.dir, '-d', 'bgpd', ...commands.flatMap((c) => ['-c', c])]);
  }
}

function peerView(address: string, n: Record<string, unknown>): PeerView {
  const codes = asString(n['lastErrorCodeSubcode']);
  const dueTo = asString(n['lastResetDueTo']) ?? '';
  return {
    address,
    state: normalizeState(asString(n['bgpState']) ?? 'Idle'),
    remoteAs: asNumber(n['remoteAs']),
    remoteRouterId: asString(n['remoteRouterId']),
    lastNotification:
      codes === undefined
        ? undefined
        : {
            // "%02X%02X" of code and subcode.
            code: Number.parseInt(codes.slice(0, 2), 16),
            subcode: Number.parseInt(codes.slice(2, 4), 16),
            direction: /received/i.test(dueTo) ? 'received' : /send|sent/i.test(dueTo) ? 'sent' : undefined,
            text: asString(n['lastNotificationReason']) ?? '',
            shutdownMessage: asString(n['lastShutdownDescription']),
          },
    raw: n,
  };
}

function pathView(prefix: string, p: Record<string, unknown>): PathView {
  const aspath = asObject(p['aspath']);
  const asPath = asArray(aspath['segments']).flatMap((s) => asArray(asObject(s)['list']).map(Number));
  const hops = asArray(p['nexthops']).map(asObject);
  // An IPv6 path lists the global next hop first and the link-local one after it.
  const hop = hops.find((h) => asString(h['scope']) !== 'link-local') ?? hops[0];
  const peerId = asString(asObject(p['peer'])['peerId']);
  const local = p['sourced'] === true || p['local'] === true || peerId === '0.0.0.0' || peerId === '::';
  return {
    prefix,
    nextHop: hop === undefined ? undefined : asString(hop['ip']),
    asPath,
    asPathText: asString(aspath['string']) ?? '',
    origin: originFrom(asString(p['origin'])),
    med: asNumber(p['metric']),
    localPref: asNumber(p['locPrf'] ?? p['localpref'] ?? p['localPref']),
    communities: asArray(asObject(p['community'])['list']).map(String),
    largeCommunities: asArray(asObject(p['largeCommunity'])['list']).map(String),
    best: asObject(p['bestpath'])['overall'] === true,
    from: local ? undefined : peerId,
    raw: p,
  };
}
