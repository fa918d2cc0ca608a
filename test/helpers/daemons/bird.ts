/**
 * BIRD 2.0 as an interop peer: `bird -f` (foreground) inside a test namespace with its control socket in the
 * instance directory, queried with `birdc -s SOCK`.
 *
 * Config choices (/work/shared/peers.md): `protocol device` (BIRD needs it to learn addresses), no `protocol
 * kernel` so nothing reaches a FIB, and `strict bind yes` with `local ADDR` in every session, else BIRD binds
 * 0.0.0.0:179 and collides with the other daemons of the namespace. A neighbor on `lo` is not "directly
 * connected" for BIRD, so sessions default to `multihop` (received routes then show as "unreachable" — still
 * best and re-advertised); `multihop: false` gives `direct`, for a veth — IPv4 only in practice: on a direct IPv6
 * session BIRD adds its link-local address as a second next hop, which FRR without zebra cannot tie to an
 * interface and treats as a withdrawal (RFC 7606). Originated routes are `blackhole`
 * statics whose attributes are set by the static protocol's import filter.
 *
 * Queries: `birdc(cmd)`, `protocols()` (every protocol with its `show protocols all` details), `peers()` /
 * `peer()` from the BGP ones ("Last error:" gives the last NOTIFICATION as BIRD words it, "Message:" the RFC 9003
 * text; BIRD does not print code numbers), `routes()` from `show route all`.
 */
import { writeFileSync } from 'node:fs';
import type { Netns, NsProcess } from '../netns.js';
import {
  asPathNumbers,
  familyOf,
  identifier,
  localAddressFor,
  normalizeState,
  originFrom,
  peerFamilies,
  toRib,
  waitReady,
  type BgpDaemon,
  type Family,
  type NotificationView,
  type PathView,
  type PeerView,
  type RibView,
  type RouteSpec,
  type SpeakerSpec,
} from './types.js';

export const BIRD = 'bird';
export const BIRDC = 'birdc';

/** bird.conf for `spec`. */
export function birdConfig(spec: SpeakerSpec): string {
  const lines: string[] = ['log stderr all;', `router id ${spec.routerId};`];
  if (spec.debug === true) lines.push('debug protocols all;');
  lines.push('protocol device {}');
  for (const family of ['ipv4', 'ipv6'] as const) {
    const routes = (spec.routes ?? []).filter((r) => familyOf(r.prefix) === family);
    if (routes.length === 0) continue;
    lines.push(`protocol static originate_${family} {`, `  ${family} { import filter {`);
    for (const r of routes) lines.push(...routeAttributes(r));
    lines.push('    accept;', '  }; };');
    for (const r of routes) lines.push(`  route ${r.prefix} blackhole;`);
    lines.push('}');
  }
  for (const p of spec.peers) {
    const local = localAddressFor(spec, p);
    const ibgp = p.as === spec.as;
    lines.push(`protocol bgp ${identifier(p.address)} {`);
    if (p.description !== undefined) lines.push(`  description "${p.description}";`);
    lines.push(`  local ${local} as ${spec.as};`, `  neighbor ${p.address} as ${p.as};`, '  strict bind yes;');
    lines.push(p.multihop === false ? '  direct;' : '  multihop;');
    if (p.passive === true) lines.push('  passive on;');
    if (p.holdTime !== undefined)
      lines.push(`  hold time ${p.holdTime};`, `  keepalive time ${Math.max(1, Math.floor(p.holdTime / 3))};`);
    lines.push(`  connect retry time ${p.connectRetry ?? 5};`);
    if (p.routeReflectorClient === true) {
      if (!ibgp) throw new Error(`route-reflector client ${p.address} must be an iBGP neighbor`);
      lines.push('  rr client;');
    }
    if (p.as4 === false) lines.push('  enable as4 off;');
    const sessionFamily = familyOf(p.address);
    for (const f of peerFamilies(p)) {
      const channel = ['import all;', 'export all;'];
      // A family carried over a session of the other family needs a next hop of its own kind (RFC 4760).
      if (f !== sessionFamily) {
        const own = f === 'ipv4' ? spec.address : spec.address6;
        if (own === undefined) throw new Error(`${f} over an ${sessionFamily} session needs SpeakerSpec.address6`);
        channel.push(`next hop address ${own};`);
      }
      lines.push(`  ${f} { ${channel.join(' ')} };`);
    }
    lines.push('}');
  }
  lines.push(...(spec.extraConfig ?? []), '');
  return lines.join('\n');
}

function routeAttributes(r: RouteSpec): string[] {
  if (r.nextHop !== undefined)
    throw new Error('BIRD helper: RouteSpec.nextHop is not supported (BIRD sets next hop self on eBGP)');
  const set: string[] = [];
  if (r.origin !== undefined)
    set.push(`bgp_origin = ORIGIN_${r.origin === 'incomplete' ? 'INCOMPLETE' : r.origin.toUpperCase()};`);
  // prepend() puts each AS in front, so prepend in reverse to keep the written order.
  for (const as of [...(r.asPath ?? [])].reverse()) set.push(`bgp_path.prepend(${as});`);
  if (r.med !== undefined) set.push(`bgp_med = ${r.med};`);
  if (r.localPref !== undefined) set.push(`bgp_local_pref = ${r.localPref};`);
  for (const c of r.communities ?? []) set.push(`bgp_community.add((${c.split(':').join(',')}));`);
  for (const c of r.largeCommunities ?? []) set.push(`bgp_large_community.add((${c.split(':').join(',')}));`);
  if (set.length === 0) return [];
  return [`    if net = ${r.prefix} then {`, ...set.map((s) => `      ${s}`), '    }'];
}

/** One protocol of `show protocols all`. */
export interface BirdProtocol {
  readonly name: string;
  readonly proto: string;
  readonly table: string;
  readonly state: string;
  readonly info: string;
  /** "Key: value" lines of the details, keys as BIRD prints them ("BGP state", "Neighbor address", …). */
  readonly details: Readonly<Record<string, string>>;
}

export class Bird implements BgpDaemon {
  readonly kind = 'bird' as const;
  readonly logFile: string;
  readonly socket: string;

  private constructor(
    readonly ns: Netns,
    readonly dir: string,
    readonly process: NsProcess,
    readonly spec: SpeakerSpec,
  ) {
    this.logFile = process.logFile;
    this.socket = `${dir}/bird.ctl`;
  }

  static async start(ns: Netns, spec: SpeakerSpec, name = 'bird'): Promise<Bird> {
    const dir = ns.subdir(name);
    const conf = `${dir}/bird.conf`;
    writeFileSync(conf, birdConfig(spec));
    const check = await ns.exec(BIRD, ['-p', '-c', conf]);
    if (check.code !== 0) throw new Error(`bird rejects its config: ${check.stderr.trim()}\n${birdConfig(spec)}`);
    const proc = ns.spawn(BIRD, ['-f', '-c', conf, '-s', `${dir}/bird.ctl`, '-P', `${dir}/bird.pid`], {
      log: `${name}.log`,
    });
    const bird = new Bird(ns, dir, proc, spec);
    ns.onDestroy(() => bird.stop());
    await waitReady(`BIRD (${name})`, proc, async () => (await bird.birdcResult(['show', 'status'])).code === 0);
    return bird;
  }

  /** Run a birdc command ("show route all"); returns its output without the "BIRD x.y ready." banner. */
  async birdc(command: string): Promise<string> {
    const r = await this.birdcResult(splitCommand(command));
    if (r.code !== 0) throw new Error(`birdc ${command} exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout.replace(/^BIRD [^\n]* ready\.\n/, '');
  }

  async protocols(): Promise<BirdProtocol[]> {
    return parseProtocols(await this.birdc('show protocols all'));
  }

  async peers(): Promise<PeerView[]> {
    return (await this.protocols()).filter((p) => p.proto === 'BGP').map(peerView);
  }

  async peer(address: string): Promise<PeerView | undefined> {
    return (await this.peers()).find((p) => p.address === address);
  }

  async routes(family?: Family): Promise<RibView> {
    return toRib(parseRoutes(await this.birdc('show route all')), family);
  }

  async stop(): Promise<void> {
    await this.process.stop(5000);
  }

  private birdcResult(args: readonly string[]) {
    return this.ns.exec(BIRDC, ['-s', this.socket, ...args]);
  }
}

/** birdc takes the command as words; a quoted shutdown message stays one word. */
function splitCommand(command: string): string[] {
  return command.match(/"[^"]*"|\S+/g) ?? [];
}

export function parseProtocols(text: string): BirdProtocol[] {
  const out: BirdProtocol[] = [];
  let current: { head: string[]; details: Record<string, string> } | undefined;
  const flush = (): void => {
    if (current === undefined) return;
    const [name = '', proto = '', table = '', state = '', , ...info] = current.head;
    out.push({ name, proto, table, state, info: info.join(' '), details: current.details });
    current = undefined;
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('Name ') || line.trim() === '') continue;
    if (!/^\s/.test(line)) {
      flush();
      current = { head: line.trim().split(/\s+/), details: {} };
      continue;
    }
    const m = /^\s+([A-Za-z][A-Za-z0-9 -]*?):\s+(.*)$/.exec(line);
    // The first occurrence wins: "State:" and "Table:" repeat per channel, the session lines come first.
    if (m !== null && current !== undefined && current.details[m[1]!] === undefined)
      current.details[m[1]!] = m[2]!.trim();
  }
  flush();
  return out;
}

function peerView(p: BirdProtocol): PeerView {
  const lastError = p.details['Last error'];
  return {
    address: p.details['Neighbor address'] ?? '',
    state: normalizeState(p.details['BGP state'] ?? 'Idle'),
    remoteAs: p.details['Neighbor AS'] === undefined ? undefined : Number(p.details['Neighbor AS']),
    remoteRouterId: p.details['Neighbor ID'],
    lastNotification: lastError === undefined ? undefined : notification(lastError, p.details['Message']),
    raw: p,
  };
}

/** BIRD prefixes the last error with its class: "Received: …" (from the peer), "BGP Error: …" (sent by BIRD). */
function notification(text: string, message: string | undefined): NotificationView | undefined {
  const direction = text.startsWith('Received:') ? 'received' : text.startsWith('BGP Error:') ? 'sent' : undefined;
  if (direction === undefined) return undefined; // a socket error or a local shutdown, not a NOTIFICATION
  return {
    direction,
    code: undefined,
    subcode: undefined,
    text: text.replace(/^[^:]*:\s*/, ''),
    shutdownMessage: message,
  };
}

// 10.1.0.0/24          unreachable [frr 03:08:45.140 from 172.30.0.1] * (100) [AS65001i]
//                      unicast [p2 03:08:45.140 from 10.0.0.2] (100/0) [AS65002i]
const PATH_LINE = /^(\S+)?\s+(\S+)\s+\[(\S+)\s[^\]]*?(?:\sfrom\s(\S+))?\]\s*(\*)?\s*\(\d+(?:\/[^)]*)?\)/;

export function parseRoutes(text: string): PathView[] {
  const out: PathView[] = [];
  let prefix = '';
  let cur: { prefix: string; best: boolean; from: string | undefined; attrs: Record<string, string> } | undefined;
  const flush = (): void => {
    if (cur !== undefined) out.push(pathView(cur.prefix, cur.best, cur.from, cur.attrs));
    cur = undefined;
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('Table ') || line.trim() === '') continue;
    if (line.startsWith('\t')) {
      const m = /^\t(\S+):\s?(.*)$/.exec(line);
      if (m !== null && cur !== undefined) cur.attrs[m[1]!] = m[2]!;
      continue;
    }
    const m = PATH_LINE.exec(line);
    if (m === null) continue;
    flush();
    if (m[1] !== undefined) prefix = m[1];
    cur = { prefix, best: m[5] === '*', from: m[4], attrs: {} };
  }
  flush();
  return out;
}

function pathView(prefix: string, best: boolean, from: string | undefined, a: Record<string, string>): PathView {
  const path = a['BGP.as_path'] ?? '';
  return {
    prefix,
    // "BGP.next_hop: 2001:db8::1 fe80::1" — the global address comes first.
    nextHop: a['BGP.next_hop']?.split(/\s+/)[0],
    asPath: asPathNumbers(path),
    asPathText: path,
    origin: originFrom(a['BGP.origin']),
    med: a['BGP.med'] === undefined ? undefined : Number(a['BGP.med']),
    localPref: a['BGP.local_pref'] === undefined ? undefined : Number(a['BGP.local_pref']),
    communities: tuples(a['BGP.community']),
    largeCommunities: tuples(a['BGP.large_community']),
    best,
    from,
    raw: a,
  };
}

/** "(65004,7) (65004,8)" → ["65004:7", "65004:8"]; "(1, 2, 3)" → ["1:2:3"]. */
function tuples(text: string | undefined): string[] {
  return [...(text ?? '').matchAll(/\(([^)]*)\)/g)].map((m) =>
    m[1]!
      .split(',')
      .map((s) => s.trim())
      .join(':'),
  );
}
