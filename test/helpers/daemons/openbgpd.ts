/**
 * OpenBGPD (portable 7.7) as an interop peer: `/usr/sbin/bgpd -d` inside a test namespace, queried with
 * `bgpctl -s SOCK -j`.
 *
 * bgpd chroots to `/run/openbgpd`, which only its systemd unit creates; `ip netns exec` gives every command its own
 * mount namespace, so a tmpfs mounted on `/run` by the launching shell is private to this instance (peers.md).
 * Config choices: `fib-update no` (never touch a FIB), `listen on` our addresses only, the control socket in the
 * instance directory, `allow from any` / `allow to any` (OpenBGPD filters everything by default).
 * `enforce neighbor-as yes` stays on: an AS_PATH that does not start with the peer's AS gets 3/11.
 *
 * Queries: `bgpctl(args)` (text), `json(args)` (`-j`), `peers()` / `peer()` from `show neighbor` (the last
 * NOTIFICATION as OpenBGPD words it — `last_error_received` / `last_error_sent` — and `last_shutdown_reason`),
 * `routes()` from `show rib detail` (detail adds the communities).
 */
import { writeFileSync } from 'node:fs';
import type { Netns, NsProcess } from '../netns.js';
import {
  asArray,
  asNumber,
  asObject,
  asPathNumbers,
  asString,
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

export const OPENBGPD = '/usr/sbin/bgpd';
export const BGPCTL = 'bgpctl';

const AFI_NAME: Record<Family, string> = { ipv4: 'IPv4', ipv6: 'IPv6' };

/** bgpd.conf for `spec`, with the control socket at `socket`. */
export function openbgpdConfig(spec: SpeakerSpec, socket: string): string {
  const lines = [`AS ${spec.as}`, `router-id ${spec.routerId}`, 'fib-update no', `listen on ${spec.address}`];
  if (spec.address6 !== undefined) lines.push(`listen on ${spec.address6}`);
  lines.push(`socket "${socket}"`, '');
  for (const r of spec.routes ?? []) lines.push(network(r));
  for (const p of spec.peers) {
    if (p.connectRetry !== undefined)
      throw new Error('OpenBGPD has no per-neighbor ConnectRetryTime (PeerSpec.connectRetry)');
    lines.push('', `neighbor ${p.address} {`, `  remote-as ${p.as}`, `  local-address ${localAddressFor(spec, p)}`);
    if (p.description !== undefined) lines.push(`  descr "${p.description}"`);
    if (p.passive === true) lines.push('  passive');
    if (p.holdTime !== undefined) lines.push(`  holdtime ${p.holdTime}`);
    if (p.multihop === true && p.as !== spec.as) lines.push('  multihop 255');
    if (p.routeReflectorClient === true) lines.push('  route-reflector');
    if (p.as4 === false) lines.push('  announce as-4byte no');
    const families = peerFamilies(p);
    for (const f of ['ipv4', 'ipv6'] as const)
      lines.push(`  announce ${AFI_NAME[f]} ${families.includes(f) ? 'unicast' : 'none'}`);
    lines.push('}');
  }
  lines.push('', 'allow from any', 'allow to any', ...(spec.extraConfig ?? []), '');
  return lines.join('\n');
}

function network(r: RouteSpec): string {
  if (r.asPath !== undefined && r.asPath.length > 0) {
    throw new Error('OpenBGPD helper: RouteSpec.asPath is not supported (OpenBGPD can only prepend its own AS)');
  }
  const set: string[] = [];
  if (r.origin !== undefined) set.push(`origin ${r.origin}`);
  if (r.nextHop !== undefined) set.push(`nexthop ${r.nextHop}`);
  if (r.med !== undefined) set.push(`med ${r.med}`);
  if (r.localPref !== undefined) set.push(`localpref ${r.localPref}`);
  for (const c of r.communities ?? []) set.push(`community ${c}`);
  for (const c of r.largeCommunities ?? []) set.push(`large-community ${c}`);
  return set.length === 0 ? `network ${r.prefix}` : `network ${r.prefix} set { ${set.join(' ')} }`;
}

export class OpenBgpd implements BgpDaemon {
  readonly kind = 'openbgpd' as const;
  readonly logFile: string;
  readonly socket: string;

  private constructor(
    readonly ns: Netns,
    readonly dir: string,
    readonly process: NsProcess,
    readonly spec: SpeakerSpec,
  ) {
    this.logFile = process.logFile;
    this.socket = `${dir}/bgpd.sock`;
  }

  static async start(ns: Netns, spec: SpeakerSpec, name = 'openbgpd'): Promise<OpenBgpd> {
    const dir = ns.subdir(name);
    const conf = `${dir}/bgpd.conf`;
    writeFileSync(conf, openbgpdConfig(spec, `${dir}/bgpd.sock`), { mode: 0o600 });
    const check = await ns.exec(OPENBGPD, ['-n', '-f', conf]);
    if (check.code !== 0)
      throw new Error(
        `OpenBGPD rejects its config: ${check.stderr.trim()}\n${openbgpdConfig(spec, `${dir}/bgpd.sock`)}`,
      );
    const script = `mount -n -t tmpfs -o mode=755,size=1m tmp /run && mkdir -p /run/openbgpd && exec ${OPENBGPD} -d -v -f "$1"`;
    const proc = ns.spawn('sh', ['-c', script, 'sh', conf], { log: `${name}.log` });
    const bgpd = new OpenBgpd(ns, dir, proc, spec);
    ns.onDestroy(() => bgpd.stop());
    await waitReady(`OpenBGPD (${name})`, proc, async () => (await bgpd.bgpctlResult(['show', 'summary'])).code === 0);
    return bgpd;
  }

  /** Run bgpctl against this instance (text output); rejects on a non-zero exit. */
  async bgpctl(args: readonly string[]): Promise<string> {
    const r = await this.bgpctlResult(args);
    if (r.code !== 0) throw new Error(`bgpctl ${args.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  }

  /** `bgpctl -j …`, parsed. */
  async json(args: readonly string[]): Promise<unknown> {
    return parseJson(await this.bgpctl(['-j', ...args]), `bgpctl -j ${args.join(' ')}`);
  }

  async peers(): Promise<PeerView[]> {
    const all = asArray(asObject(await this.json(['show', 'neighbor']))['neighbors']);
    return all.map((n) => peerView(asObject(n)));
  }

  async peer(address: string): Promise<PeerView | undefined> {
    return (await this.peers()).find((p) => p.address === address);
  }

  async routes(family?: Family): Promise<RibView> {
    const rib = asArray(asObject(await this.json(['show', 'rib', 'detail']))['rib']);
    return toRib(
      rib.map((p) => pathView(asObject(p))),
      family,
    );
  }

  async stop(): Promise<void> {
    await this.process.stop(5000);
  }

  private bgpctlResult(args: readonly string[]) {
    return this.ns.exec(BGPCTL, ['-s', this.socket, ...args]);
  }
}

function peerView(n: Record<string, unknown>): PeerView {
  const received = asString(n['last_error_received']);
  const sent = asString(n['last_error_sent']);
  const text = received ?? sent;
  return {
    address: asString(n['remote_addr']) ?? '',
    state: normalizeState(asString(n['state']) ?? 'Idle'),
    remoteAs: asNumber(n['remote_as']),
    remoteRouterId: asString(n['bgpid']),
    lastNotification:
      text === undefined
        ? undefined
        : {
            direction: received !== undefined ? 'received' : 'sent',
            code: undefined,
            subcode: undefined,
            text,
            shutdownMessage: asString(n['last_shutdown_reason']),
          },
    raw: n,
  };
}

function pathView(p: Record<string, unknown>): PathView {
  const path = asString(p['aspath']) ?? '';
  const from = asString(asObject(p['neighbor'])['remote_addr']);
  return {
    prefix: asString(p['prefix']) ?? '',
    nextHop: asString(p['exit_nexthop']),
    asPath: asPathNumbers(path),
    asPathText: path,
    origin: originFrom(asString(p['origin'])),
    med: asNumber(p['metric']),
    localPref: asNumber(p['localpref']),
    communities: asArray(p['communities']).map(String),
    largeCommunities: asArray(p['large_communities']).map(String),
    best: p['best'] === true,
    // Locally originated routes list the neighbor as "???" (described "LOCAL").
    from: from === undefined || from === '???' ? undefined : from,
    raw: p,
  };
}
