/**
 * Builds `GET /v1/routes`: the Loc-RIB (RFC 4271 §3.2) with every eligible path, optionally one prefix or the
 * paths learned from one neighbour, or a neighbour's Adj-RIB-In (`received`, as received, with the import
 * outcome) or Adj-RIB-Out (`advertised`, as the peer was sent it). Routes are grouped per family and sorted by
 * address then length, as FRR's table walk prints them.
 *
 * A prefix query is CIDR text (exact match) or a bare address: then the longest prefix containing it, as
 * `show bgp ipv4 unicast 10.8.0.1` does.
 */
import { parseIPv4, parseIPv6, parsePrefix, formatPrefix, type Prefix } from '../wire/index.js';
import { DEFAULT_LOCAL_PREF, LOCAL_WEIGHT, type LocRibEntry } from '../rib/index.js';
import { badRequest } from './errors.js';
import { unicastFamilyId } from './families.js';
import { findPeer } from './peer-views.js';
import { pathView, type PathContext } from './path-view.js';
import type { SpeakerSource } from './source.js';
import type { RouteEntryView, RouteFamilyView, RoutesView, RoutesViewKind } from './views.js';

export interface RoutesQuery {
  /** CIDR (exact) or a bare address (longest match). */
  prefix?: string;
  /** Only paths learned from this neighbour; with `view`, whose Adj-RIB to show. */
  neighbor?: string;
  view?: 'received' | 'advertised';
}

interface Candidate {
  readonly prefix: Prefix;
}

/** The address bytes of a prefix, padded to 16 for IPv6: sort key and containment test in one. */
function addressBytes(p: Prefix): Uint8Array {
  return (p.afi === 1 ? parseIPv4(p.address) : parseIPv6(p.address)) ?? new Uint8Array(p.afi === 1 ? 4 : 16);
}

function contains(p: Prefix, afi: 1 | 2, address: Uint8Array): boolean {
  if (p.afi !== afi) return false;
  const net = addressBytes(p);
  const whole = p.length >>> 3;
  for (let i = 0; i < whole; i++) if (net[i] !== address[i]) return false;
  const rest = p.length & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (((net[whole] as number) ^ (address[whole] as number)) & mask) === 0;
}

/** Keeps the candidates a prefix query selects: exact CIDR, or the longest prefix containing a bare address. */
function select<T extends Candidate>(candidates: readonly T[], query: string): T[] {
  if (query.includes('/')) {
    const wanted = formatPrefix(parsePrefixOr400(query));
    return candidates.filter((c) => formatPrefix(c.prefix) === wanted);
  }
  const v4 = parseIPv4(query);
  const address = v4 ?? parseIPv6(query);
  if (!address) throw badRequest(`not a prefix or address: ${JSON.stringify(query)}`);
  const afi: 1 | 2 = v4 ? 1 : 2;
  let longest = -1;
  for (const c of candidates) if (c.prefix.length > longest && contains(c.prefix, afi, address)) longest = c.prefix.length;
  return candidates.filter((c) => c.prefix.length === longest && contains(c.prefix, afi, address));
}

function parsePrefixOr400(text: string): Prefix {
  try {
    return parsePrefix(text);
  } catch {
    throw badRequest(`not a prefix: ${JSON.stringify(text)}`);
  }
}

function compareAddresses(a: Prefix, b: Prefix): number {
  const x = addressBytes(a);
  const y = addressBytes(b);
  for (let i = 0; i < x.length; i++) {
    const d = (x[i] as number) - (y[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Per family, IPv4 first, routes sorted; families without routes are left out. */
function group(entries: { prefix: Prefix; view: RouteEntryView }[]): RouteFamilyView[] {
  const out: RouteFamilyView[] = [];
  for (const afi of [1, 2] as const) {
    const routes = entries.filter((e) => e.prefix.afi === afi).sort((a, b) => compareAddresses(a.prefix, b.prefix));
    if (routes.length > 0) out.push({ family: unicastFamilyId(afi), routes: routes.map((e) => e.view) });
  }
  return out;
}

export function routesView(source: SpeakerSource, query: RoutesQuery = {}): RoutesView {
  if (query.view !== undefined && query.neighbor === undefined) throw badRequest(`view=${query.view} needs a neighbor`);
  const neighbor = query.neighbor === undefined ? undefined : findPeer(source, query.neighbor);
  const peers = new Map(source.peers().map((s) => [s.address, s]));
  const peerContext = (address: string): Pick<PathContext, 'source' | 'peer' | 'peerRouterId' | 'internal'> => {
    const n = peers.get(address)?.negotiated;
    return { source: 'peer', peer: address, peerRouterId: n?.peerBgpIdentifier ?? null, internal: n?.internal ?? false };
  };
  const entries: { prefix: Prefix; view: RouteEntryView }[] = [];
  const add = (prefix: Prefix, paths: RouteEntryView['paths']): void => {
    if (paths.length > 0) entries.push({ prefix, view: { prefix: formatPrefix(prefix), paths } });
  };
  let kind: RoutesViewKind = 'loc-rib';

  if (query.view === 'received' && neighbor) {
    kind = 'received';
    let rib = source.adjRibIn(neighbor.address);
    if (query.prefix !== undefined) rib = select(rib, query.prefix);
    for (const r of rib) {
      const context: PathContext = { ...peerContext(neighbor.address), best: false, multipath: false, valid: r.accepted, stale: r.stale, weight: 0 };
      add(r.prefix, [pathView(r.prefix.afi, r.received, context)]);
    }
  } else if (query.view === 'advertised' && neighbor) {
    kind = 'advertised';
    let rib = source.adjRibOut(neighbor.address);
    if (query.prefix !== undefined) rib = select(rib, query.prefix);
    // What the peer was sent, next hop and AS_PATH as it received them; weight is never sent.
    const context: PathContext = { source: 'local', peer: null, peerRouterId: null, internal: false, best: true, multipath: false, valid: true, stale: false, weight: 0 };
    for (const r of rib) add(r.prefix, [pathView(r.prefix.afi, r.attributes, context)]);
  } else {
    let loc: LocRibEntry[];
    if (query.prefix === undefined) loc = source.routes();
    else if (query.prefix.includes('/')) loc = source.routes(formatPrefix(parsePrefixOr400(query.prefix)));
    else loc = select(source.routes(), query.prefix);
    for (const entry of loc) {
      const paths: RouteEntryView['paths'] = [];
      for (const p of entry.paths) {
        // Paths denied by import policy or loop detection are not in the table FRR shows (see `received`).
        if (!p.accepted) continue;
        if (neighbor && p.from !== neighbor.address) continue;
        const origin: Pick<PathContext, 'source' | 'peer' | 'peerRouterId' | 'internal'> =
          p.from === null
            ? { source: 'local', peer: null, peerRouterId: null, internal: false }
            : peerContext(p.peerAddress ?? p.from);
        const context: PathContext = { ...origin, best: p.best, multipath: p.multipath, valid: true, stale: p.stale, weight: p.from === null ? LOCAL_WEIGHT : 0 };
        paths.push(pathView(entry.prefix.afi, p.attributes, context));
      }
      add(entry.prefix, paths);
    }
  }

  const families = group(entries);
  let paths = 0;
  for (const e of entries) paths += e.view.paths.length;
  return {
    routerId: source.routerId,
    localAs: source.asn,
    defaultLocalPref: DEFAULT_LOCAL_PREF,
    view: kind,
    neighbor: neighbor?.address ?? null,
    prefix: query.prefix ?? null,
    ribEntries: source.rib.prefixCount,
    families,
    totals: { routes: entries.length, paths },
  };
}
