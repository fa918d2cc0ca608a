/**
 * GoBGP 3 as an interop peer: `gobgpd -t toml` inside a test namespace, driven with the `gobgp` CLI.
 *
 * GoBGP's gRPC API listens on every address and its pprof on 127.0.0.1:6060 by default; here the API is a unix
 * socket in the instance directory (`--api-hosts unix://…`, the CLI's `--target unix://…`) and pprof is off, so
 * parallel instances never collide and no control traffic uses TCP at all. `local-address-list` sets the BGP
 * listen address. GoBGP originates nothing from its config file: `spec.routes` and `addRoute()` go through
 * `gobgp global rib add`.
 *
 * Queries: `cli(args)`, `json(args)` (`-j`), `neighbors()` (raw JSON), `peers()` / `peer()` (GoBGP's JSON has no
 * record of the last NOTIFICATION, so `lastNotification` is undefined), `routes()` from `gobgp global rib -j`.
 */
import { writeFileSync } from 'node:fs';
import type { Netns, NsProcess } from '../netns.js';
import {
  asArray,
  asNumber,
  asObject,
  asString,
  communityText,
  familyOf,
  localAddressFor,
  normalizeState,
  originFrom,
  parseJson,
  peerFamilies,
  toRib,
  waitReady,
  type BgpDaemon,
  type BgpState,
  type Family,
  type PathView,
  type PeerView,
  type RibView,
  type RouteSpec,
  type SpeakerSpec,
} from './types.js';

export const GOBGPD = 'gobgpd';
export const GOBGP = 'gobgp';

/** gobgpd.toml for `spec`. */
export function gobgpConfig(spec: SpeakerSpec): string {
  const listen = [spec.address, ...(spec.address6 !== undefined ? [spec.address6] : [])];
  const lines = [
    '[global.config]',
    `  as = ${spec.as}`,
    `  router-id = "${spec.routerId}"`,
    `  local-address-list = [${listen.map((a) => `"${a}"`).join(', ')}]`,
  ];
  for (const p of spec.peers) {
    if (p.as4 === false) throw new Error('GoBGP cannot disable the 4-octet AS capability (PeerSpec.as4)');
    lines.push(
      '',
      '[[neighbors]]',
      '  [neighbors.config]',
      `    neighbor-address = "${p.address}"`,
      `    peer-as = ${p.as}`,
    );
    if (p.description !== undefined) lines.push(`    description = "${p.description}"`);
    lines.push('  [neighbors.transport.config]', `    local-address = "${localAddressFor(spec, p)}"`);
    if (p.passive === true) lines.push('    passive-mode = true');
    lines.push('  [neighbors.timers.config]', `    connect-retry = ${p.connectRetry ?? 5}`);
    if (p.holdTime !== undefined) {
      lines.push(
        `    hold-time = ${p.holdTime}`,
        `    keepalive-interval = ${Math.max(1, Math.floor(p.holdTime / 3))}`,
      );
    }
    if (p.routeReflectorClient === true) {
      lines.push(
        '  [neighbors.route-reflector.config]',
        '    route-reflector-client = true',
        `    route-reflector-cluster-id = "${spec.routerId}"`,
      );
    }
    if (p.multihop === true && p.as !== spec.as)
      lines.push('  [neighbors.ebgp-multihop.config]', '    enabled = true', '    multihop-ttl = 255');
    for (const f of peerFamilies(p)) {
      lines.push(
        '  [[neighbors.afi-safis]]',
        '    [neighbors.afi-safis.config]',
        `      afi-safi-name = "${f}-unicast"`,
      );
    }
  }
  lines.push(...(spec.extraConfig ?? []), '');
  return lines.join('\n');
}

/** The `gobgp global rib add` words for a route. */
export function ribAddArgs(r: RouteSpec): string[] {
  const args = ['-a', familyOf(r.prefix), r.prefix];
  if (r.origin !== undefined) args.push('origin', r.origin);
  if (r.asPath !== undefined && r.asPath.length > 0) args.push('aspath', r.asPath.join(' '));
  if (r.nextHop !== undefined) args.push('nexthop', r.nextHop);
  if (r.med !== undefined) args.push('med', String(r.med));
  if (r.localPref !== undefined) args.push('local-pref', String(r.localPref));
  if (r.communities !== undefined && r.communities.length > 0) args.push('community', r.communities.join(','));
  if (r.largeCommunities !== undefined && r.largeCommunities.length > 0)
    args.push('large-community', r.largeCommunities.join(','));
  return args;
}

const SESSION_STATES: readonly BgpState[] = [
  'Idle',
  'Idle',
  'Connect',
  'Active',
  'OpenSent',
  'OpenConfirm',
  'Established',
];

export class GoBgp implements BgpDaemon {
  readonly kind = 'gobgp' as const;
  readonly logFile: string;
  /** The API endpoint, for the CLI's `--target`. */
  readonly target: string;

  private constructor(
    readonly ns: Netns,
    readonly dir: string,
    readonly process: NsProcess,
    readonly spec: SpeakerSpec,
  ) {
    this.logFile = process.logFile;
    this.target = `unix://${dir}/gobgp.sock`;
  }

  static async start(ns: Netns, spec: SpeakerSpec, name = 'gobgp'): Promise<GoBgp> {
    const dir = ns.subdir(name);
    const conf = `${dir}/gobgpd.toml`;
    writeFileSync(conf, gobgpConfig(spec));
    const proc = ns.spawn(
      GOBGPD,
      ['-f', conf, '-t', 'toml', '--api-hosts', `unix://${dir}/gobgp.sock`, '--pprof-disable'],
      { log: `${name}.log` },
    );
    const gobgp = new GoBgp(ns, dir, proc, spec);
    ns.onDestroy(() => gobgp.stop());
    // gobgpd reads its config after the API is up: wait until the global AS is the configured one.
    await waitReady(`gobgpd (${name})`, proc, async () => {
      const r = await gobgp.cliResult(['global', '-j']);
      return r.code === 0 && asNumber(asObject(parseJson(r.stdout, 'gobgp global -j'))['asn']) === spec.as;
    });
    for (const r of spec.routes ?? []) await gobgp.addRoute(r);
    return gobgp;
  }

  /** Run the gobgp CLI against this instance; rejects on a non-zero exit. */
  async cli(args: readonly string[]): Promise<string> {
    const r = await this.cliResult(args);
    if (r.code !== 0) throw new Error(`gobgp ${args.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  }

  /** `gobgp -j …`, parsed. */
  async json(args: readonly string[]): Promise<unknown> {
    return parseJson(await this.cli(['-j', ...args]), `gobgp -j ${args.join(' ')}`);
  }

  /** `gobgp neighbor -j`: GoBGP's own records. */
  async neighbors(): Promise<Record<string, unknown>[]> {
    return asArray(await this.json(['neighbor'])).map(asObject);
  }

  async peers(): Promise<PeerView[]> {
    return (await this.neighbors()).map(peerView);
  }

  async peer(address: string): Promise<PeerView | undefined> {
    return (await this.peers()).find((p) => p.address === address);
  }

  async routes(family?: Family): Promise<RibView> {
    const paths: PathView[] = [];
    for (const f of family === undefined ? (['ipv4', 'ipv6'] as const) : [family]) {
      const table = asObject(await this.json(['global', 'rib', '-a', f]));
      for (const [prefix, list] of Object.entries(table))
        for (const p of asArray(list)) paths.push(pathView(prefix, asObject(p)));
    }
    return toRib(paths);
  }

  /** Originate a route (`gobgp global rib add`). */
  async addRoute(route: RouteSpec): Promise<void> {
    await this.cli(['global', 'rib', 'add', ...ribAddArgs(route)]);
  }

  /** Withdraw a route this instance originated. */
  async deleteRoute(prefix: string): Promise<void> {
    await this.cli(['global', 'rib', 'del', '-a', familyOf(prefix), prefix]);
  }

  async stop(): Promise<void> {
    await this.process.stop(5000);
  }

  private cliResult(args: readonly string[]) {
    return this.ns.exec(GOBGP, ['--target', this.target, ...args]);
  }
}

function peerView(n: Record<string, unknown>): PeerView {
  const conf = asObject(n['conf']);
  const state = asObject(n['state']);
  const s = state['session_state'];
  return {
    address: asString(conf['neighbor_address']) ?? asString(state['neighbor_address']) ?? '',
    // The JSON carries the gRPC enum: a number in GoBGP 3, its name ("ESTABLISHED") in older builds.
    state: typeof s === 'number' ? (SESSION_STATES[s] ?? 'Idle') : normalizeState(asString(s) ?? 'Idle'),
    remoteAs: asNumber(state['peer_asn']) ?? asNumber(conf['peer_asn']),
    remoteRouterId: asString(state['router_id']),
    lastNotification: undefined,
    raw: n,
  };
}

function pathView(prefix: string, p: Record<string, unknown>): PathView {
  let nextHop: string | undefined;
  let asPath: number[] = [];
  let origin: PathView['origin'];
  let med: number | undefined;
  let localPref: number | undefined;
  let communities: string[] = [];
  let largeCommunities: string[] = [];
  for (const attr of asArray(p['attrs']).map(asObject)) {
    switch (asNumber(attr['type'])) {
      case 1: // ORIGIN
        origin = originFrom(asNumber(attr['value']));
        break;
      case 2: // AS_PATH
        asPath = asArray(attr['as_paths']).flatMap((seg) => asArray(asObject(seg)['asns']).map(Number));
        break;
      case 3: // NEXT_HOP
        nextHop = asString(attr['nexthop']);
        break;
      case 4: // MULTI_EXIT_DISC
        med = asNumber(attr['metric']);
        break;
      case 5: // LOCAL_PREF
        localPref = asNumber(attr['value']);
        break;
      case 8: // COMMUNITIES
        communities = asArray(attr['communities']).map((c) => communityText(Number(c)));
        break;
      case 14: // MP_REACH_NLRI
        nextHop = asString(attr['nexthop']) ?? nextHop;
        break;
      case 32: // LARGE_COMMUNITY
        largeCommunities = asArray(attr['value'])
          .map(asObject)
          .map((c) => `${String(c['ASN'])}:${String(c['LocalData1'])}:${String(c['LocalData2'])}`);
        break;
    }
  }
  return {
    prefix,
    nextHop,
    asPath,
    asPathText: asPath.join(' '),
    origin,
    med,
    localPref,
    communities,
    largeCommunities,
    best: p['best'] === true,
    from: asString(p['neighbor-ip']),
    raw: p,
  };
}
