/**
 * The attributes a library user gives when announcing a route, in the words of a router configuration, turned into
 * the wire model's path attributes. The RIB adds what each peer needs on export (AS_PATH prepend, NEXT_HOP self,
 * LOCAL_PREF only toward iBGP), so a user states only what the route carries beyond that.
 */
import {
  Origin,
  AsPathSegmentType,
  parseCommunity,
  parseExtendedCommunity,
  parseLargeCommunity,
  parseIPv4,
  type PathAttribute,
} from '../wire/index.js';

export interface RouteAttributes {
  /** Default `igp`. */
  origin?: 'igp' | 'egp' | 'incomplete';
  /** ASNs placed after ours (our own AS is prepended toward eBGP peers). */
  asPath?: readonly number[];
  /** MULTI_EXIT_DISC. */
  med?: number;
  /** LOCAL_PREF, sent only to iBGP peers (RFC 4271 §5.1.5). */
  localPref?: number;
  /** RFC 1997, e.g. `65000:1`, `no-export`. */
  communities?: readonly string[];
  /** RFC 8092, e.g. `65000:1:2`. */
  largeCommunities?: readonly string[];
  /** RFC 4360, e.g. `rt 65000:100`. */
  extendedCommunities?: readonly string[];
  /**
   * A fixed IPv4 next hop; by default each peer gets our local address of its session. (IPv6 routes always take
   * the session's local IPv6 address.)
   */
  nextHop?: string;
}

const ORIGINS = { igp: Origin.Igp, egp: Origin.Egp, incomplete: Origin.Incomplete } as const;

/** Throws a TypeError naming the field when a value is not valid. */
export function toPathAttributes(a: RouteAttributes = {}): PathAttribute[] {
  const out: PathAttribute[] = [{ kind: 'origin', origin: ORIGINS[a.origin ?? 'igp'] }];
  if (a.origin !== undefined && !(a.origin in ORIGINS)) throw new TypeError(`origin: expected igp, egp or incomplete`);
  const path = a.asPath ?? [];
  for (const asn of path) checkU32(asn, 'asPath');
  out.push({ kind: 'as-path', segments: path.length ? [{ type: AsPathSegmentType.AsSequence, asns: [...path] }] : [] });
  if (a.nextHop !== undefined) {
    if (!parseIPv4(a.nextHop)) throw new TypeError(`nextHop: ${JSON.stringify(a.nextHop)} is not an IPv4 address`);
    out.push({ kind: 'next-hop', nextHop: a.nextHop });
  }
  if (a.med !== undefined) {
    checkU32(a.med, 'med');
    out.push({ kind: 'multi-exit-disc', med: a.med });
  }
  if (a.localPref !== undefined) {
    checkU32(a.localPref, 'localPref');
    out.push({ kind: 'local-pref', localPref: a.localPref });
  }
  if (a.communities?.length) out.push({ kind: 'communities', communities: a.communities.map((c) => wrap('communities', c, parseCommunity)) });
  if (a.extendedCommunities?.length) {
    out.push({
      kind: 'extended-communities',
      communities: a.extendedCommunities.map((c) => wrap('extendedCommunities', c, parseExtendedCommunity)),
    });
  }
  if (a.largeCommunities?.length) {
    out.push({ kind: 'large-community', communities: a.largeCommunities.map((c) => wrap('largeCommunities', c, parseLargeCommunity)) });
  }
  return out;
}

function wrap<T>(field: string, text: string, parse: (s: string) => T): T {
  try {
    return parse(text);
  } catch (err) {
    throw new TypeError(`${field}: ${JSON.stringify(text)}: ${(err as Error).message}`);
  }
}

function checkU32(n: number, field: string): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new TypeError(`${field}: ${n} is not a 32-bit unsigned integer`);
}
