// Conformance against tshark: every message of every real-router capture in fixtures/pcap (picked up by name, so a
// new scenario is checked as soon as it lands) is decoded by `decodeCapture` without an exception, re-encoded byte
// for byte (`verify`: 0 mismatched), and compared field by field with tshark 4.0's dissection of the same frame
// (test/helpers/tshark-oracle.ts), paired by frame number and order within the frame.
//
// Compared: endpoints, type, length. OPEN: version, My AS, hold time, identifier, optional parameter layout,
// capability codes in order, each capability's length and value as far as tshark decodes it (raw octets where it
// does not: BGP Role 9, LLGR 71). UPDATE: withdrawn routes and NLRI with ADD-PATH path ids, attribute codes in
// order, each attribute's flags and length (lengths computed by hand from the RFC layouts), and the values of
// ORIGIN, AS_PATH / AS4_PATH (with the ASN width tshark read, `as2` / `as4`), NEXT_HOP, MED, LOCAL_PREF,
// AGGREGATOR / AS4_AGGREGATOR, COMMUNITIES, ORIGINATOR_ID, CLUSTER_LIST, MP_REACH / MP_UNREACH (family, next hop
// octets and text incl. link-local, reserved octet, prefixes, FlowSpec NLRI octets), extended communities (type,
// sub-type, value fields) and large communities; also the `announced` / `withdrawn` lists `tsbgpd decode` prints.
// NOTIFICATION: code, subcode, data, RFC 9003 text, bad peer AS. ROUTE-REFRESH: AFI, SAFI, subtype.
// The comparison is itself checked: changing any single value of tshark's view must produce a difference.
//
// Gaps of tshark 4.0, filled by hand in beyond-tshark.test.ts: messages over 4096 octets (RFC 8654) show only the
// header, so here only their length and tshark's reassembled octets are compared; the BGP Role capability and the
// OTC attribute (RFC 9234) are not decoded (the role octet is compared raw, OTC by code, flags and length only);
// when tshark's heuristic cannot tell an AS_PATH's ASN width it shows no segments, and only the attribute length
// at the width both OPENs negotiated (RFC 6793) is compared.
import { readdirSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import t from 'tap';
import { decodeCapture, type DecodedLine, type VerifySummary } from '../../lib/inspect/index.js';
import {
  attributeTypeCode,
  type Capability,
  type NotificationMessage,
  type OpenMessage,
  type PathAttribute,
  type Prefix,
  type UpdateMessage,
} from '../../lib/wire/index.js';
import {
  addressBytes,
  canonicalAddress,
  canonicalPrefix,
  oracleFileFor,
  readTsharkOracle,
  type OracleAttribute,
  type OracleCapability,
  type OracleMessage,
  type OracleOpen,
  type OraclePrefixList,
  type OracleUpdate,
} from '../helpers/tshark-oracle.js';

const PCAP_DIR = new URL('../../fixtures/pcap/', import.meta.url);
const captures = readdirSync(PCAP_DIR)
  .filter((f) => /\.pcap(?:ng)?$/.test(f))
  .sort();

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const concat = (parts: readonly Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

/** Counts every field compared and keeps every difference, so one run reports all of them. */
class Ledger {
  readonly counts = new Map<string, number>();
  readonly differences: string[] = [];
  /** Prefixes tshark shows with an RFC 7911 path id that `tsbgpd decode` prints without it (a known lib gap). */
  readonly pathIdsNotPrinted: string[] = [];
  check(at: string, field: string, tshark: unknown, tsbgpd: unknown): boolean {
    this.counts.set(field, (this.counts.get(field) ?? 0) + 1);
    const a = tshark instanceof Uint8Array ? hex(tshark) : tshark;
    const b = tsbgpd instanceof Uint8Array ? hex(tsbgpd) : tsbgpd;
    if (isDeepStrictEqual(a, b)) return true;
    this.differences.push(`${at} ${field}: tshark ${JSON.stringify(a)}, tsbgpd ${JSON.stringify(b)}`);
    return false;
  }
  get total(): number {
    return [...this.counts.values()].reduce((x, y) => x + y, 0);
  }
}

/** `addr:port` / `[addr]:port` in canonical address text. */
function endpoint(s: string): string {
  const m = /^\[(.+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
  return m
    ? s.startsWith('[')
      ? `[${canonicalAddress(m[1] ?? '')}]:${m[2]}`
      : `${canonicalAddress(m[1] ?? '')}:${m[2]}`
    : s;
}

const prefixText = (p: Prefix): string => canonicalPrefix(p.address, p.length, p.pathId);

/** Prefixes in wire order, unless tshark merged identical NLRI keys and lost it. */
function checkPrefixes(l: Ledger, at: string, field: string, o: OraclePrefixList, ours: readonly Prefix[]): void {
  const mine = ours.map(prefixText);
  if (o.ordered) l.check(at, field, o.prefixes, mine);
  else l.check(at, `${field} (as a set)`, [...o.prefixes].sort(), [...mine].sort());
}

// ---------------------------------------------------------------------------------------------------------------
// OPEN

/** Our capability in the oracle's terms; `length` and `raw` are computed by hand from the RFC layouts. */
function capabilityView(c: Capability): Partial<Record<keyof OracleCapability, unknown>> {
  const u24 = (n: number): number[] => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  switch (c.kind) {
    case 'multiprotocol':
      return { length: 4, afi: c.afi, safi: c.safi, reserved: c.reserved ?? 0 };
    case 'route-refresh':
    case 'enhanced-route-refresh':
    case 'extended-message':
      return { length: 0, raw: new Uint8Array() };
    case 'four-octet-as':
      return { length: 4, asn: c.asn };
    case 'add-path':
      return {
        length: 4 * c.families.length,
        addPath: c.families.map((f) => ({ afi: f.afi, safi: f.safi, mode: f.mode })),
      };
    case 'extended-next-hop':
      return {
        length: 6 * c.entries.length,
        extendedNextHop: c.entries.map((e) => ({ afi: e.afi, safi: e.safi, nextHopAfi: e.nextHopAfi })),
      };
    case 'graceful-restart':
      return {
        length: 2 + 4 * c.families.length,
        restartFlags: c.restartFlags & 0xc, // tshark names R and N only
        restartTime: c.restartTime,
        gracefulRestart: c.families.map((f) => ({ afi: f.afi, safi: f.safi, flags: f.flags })),
      };
    case 'fqdn':
      return {
        length: 2 + Buffer.byteLength(c.hostname) + Buffer.byteLength(c.domainName),
        hostname: c.hostname,
        domainName: c.domainName,
      };
    case 'role': // RFC 9234 §4.1: one octet
      return { length: 1, raw: Uint8Array.of(c.role) };
    case 'long-lived-graceful-restart': // RFC 9494: AFI(2) SAFI(1) Flags(1) Long-lived Stale Time(3) per family
      return {
        length: 7 * c.families.length,
        raw: Uint8Array.from(
          c.families.flatMap((f) => [f.afi >> 8, f.afi & 0xff, f.safi, f.flags, ...u24(f.staleTime)]),
        ),
      };
    case 'unknown':
      return { length: c.value.length, raw: c.value };
  }
}

function checkOpen(l: Ledger, at: string, o: OracleOpen, m: OpenMessage): void {
  l.check(at, 'open.version', o.version, m.version);
  l.check(at, 'open.myAs', o.myAs, m.myAs);
  l.check(at, 'open.holdTime', o.holdTime, m.holdTime);
  l.check(at, 'open.identifier', o.identifier, canonicalAddress(m.bgpIdentifier));
  const layout = (m.parameters ?? [{ kind: 'capabilities' as const, capabilities: m.capabilities }]).map((p) =>
    p.kind === 'capabilities' ? [2, p.capabilities.map((c) => c.code)] : [p.type, []],
  );
  l.check(
    at,
    'open.parameters',
    o.parameters.map((p) => [p.type, p.capabilities.map((c) => c.code)]),
    layout,
  );
  const caps = o.parameters.flatMap((p) => p.capabilities);
  if (
    !l.check(
      at,
      'open.capability-codes',
      caps.map((c) => c.code),
      m.capabilities.map((c) => c.code),
    )
  )
    return;
  caps.forEach((oc, i) => {
    const ours = m.capabilities[i];
    if (!ours) return;
    const view = capabilityView(ours);
    for (const [key, value] of Object.entries(oc)) {
      if (key === 'code') continue;
      l.check(at, `capability ${oc.code} ${key}`, value, view[key as keyof OracleCapability]);
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// UPDATE

/** Where tshark's extended-community value fields sit in the 8 octets (RFC 4360 §3, RFC 8955 §7). */
const extFieldReaders: Record<string, (c: DataView) => number | string> = {
  as2: (c) => c.getUint16(2),
  an4: (c) => c.getUint32(4),
  as4: (c) => c.getUint32(2),
  an2: (c) => c.getUint16(6),
  ipv4: (c) => [2, 3, 4, 5].map((i) => c.getUint8(i)).join('.'),
  rateLimit: (c) => c.getFloat32(4),
  dscp: (c) => c.getUint8(7) & 0x3f,
  sample: (c) => (c.getUint8(7) >> 1) & 1,
  terminal: (c) => c.getUint8(7) & 1,
};

function checkMpReach(l: Ledger, at: string, oa: OracleAttribute, a: PathAttribute): void {
  const o = oa.mpReach;
  if (!o || a.kind !== 'mp-reach-nlri') return;
  l.check(at, 'MP_REACH family', [o.afi, o.safi], [a.afi, a.safi]);
  const ourNextHop = a.nextHopBytes ?? concat(a.nextHop.map(addressBytes));
  if (o.nextHopBytes) l.check(at, 'MP_REACH next hop octets', o.nextHopBytes, ourNextHop);
  if (o.reserved !== undefined) l.check(at, 'MP_REACH reserved octet', o.reserved, a.reserved ?? 0);
  if (o.nextHops) l.check(at, 'MP_REACH next hops', o.nextHops, a.nextHop.map(canonicalAddress));
  if (a.nlriBytes) {
    l.check(at, 'MP_REACH opaque NLRI octets', concat(o.flowspec), a.nlriBytes);
    l.check(at, 'MP_REACH NLRI', o.nlri.prefixes, []);
  } else {
    checkPrefixes(l, at, 'MP_REACH NLRI', o.nlri, a.nlri);
    if (o.flowspec.length > 0)
      l.check(at, 'MP_REACH FlowSpec NLRI decoded as prefixes', concat(o.flowspec), a.nlri.map(prefixText));
  }
}

function checkMpUnreach(l: Ledger, at: string, oa: OracleAttribute, a: PathAttribute): void {
  const o = oa.mpUnreach;
  if (!o || a.kind !== 'mp-unreach-nlri') return;
  l.check(at, 'MP_UNREACH family', [o.afi, o.safi], [a.afi, a.safi]);
  if (a.withdrawnBytes) {
    l.check(at, 'MP_UNREACH opaque NLRI octets', concat(o.flowspec), a.withdrawnBytes);
    l.check(at, 'MP_UNREACH withdrawn', o.withdrawn.prefixes, []);
  } else {
    checkPrefixes(l, at, 'MP_UNREACH withdrawn', o.withdrawn, a.withdrawn);
    if (o.flowspec.length > 0)
      l.check(at, 'MP_UNREACH FlowSpec NLRI decoded as prefixes', concat(o.flowspec), a.withdrawn.map(prefixText));
  }
}

/** Octets of an NLRI field: length octet, the prefix's significant octets, a path id under ADD-PATH (RFC 7911). */
const nlriOctets = (ps: readonly Prefix[]): number =>
  ps.reduce((n, p) => n + 1 + Math.ceil(p.length / 8) + (p.pathId === undefined ? 0 : 4), 0);

/** The attribute's value length, computed by hand from the RFC layouts (undefined where it needs the ASN width). */
function valueLength(a: PathAttribute, asWidth: number | undefined): number | undefined {
  switch (a.kind) {
    case 'origin':
      return 1;
    case 'as-path':
    case 'as4-path': {
      // RFC 4271 §4.3 / RFC 6793: each segment is type, count, then the ASNs at the session's width (AS4_PATH: 4).
      const width = a.kind === 'as4-path' ? 4 : asWidth;
      const asns = a.segments.reduce((n, s) => n + s.asns.length, 0);
      return width === undefined ? undefined : 2 * a.segments.length + width * asns;
    }
    case 'aggregator':
      return asWidth === undefined ? undefined : asWidth + 4;
    case 'atomic-aggregate':
      return 0;
    case 'next-hop':
    case 'multi-exit-disc':
    case 'local-pref':
    case 'originator-id':
    case 'otc':
      return 4;
    case 'as4-aggregator':
      return 8;
    case 'communities':
      return 4 * a.communities.length;
    case 'cluster-list':
      return 4 * a.clusterList.length;
    case 'extended-communities':
      return 8 * a.communities.length;
    case 'large-community':
      return 12 * a.communities.length;
    case 'mp-reach-nlri': // RFC 4760 §3: AFI, SAFI, next hop length, next hop, reserved, NLRI
      return (
        5 + (a.nextHopBytes ?? concat(a.nextHop.map(addressBytes))).length + (a.nlriBytes?.length ?? nlriOctets(a.nlri))
      );
    case 'mp-unreach-nlri':
      return 3 + (a.withdrawnBytes?.length ?? nlriOctets(a.withdrawn));
    case 'unknown':
    case 'malformed':
      return a.value.length;
  }
}

function checkAttribute(
  l: Ledger,
  at: string,
  oa: OracleAttribute,
  a: PathAttribute,
  asWidth: number | undefined,
): void {
  const name = `attribute ${oa.code}`;
  l.check(at, `${name} flags`, oa.flags, a.flags);
  const length = valueLength(a, asWidth);
  if (length !== undefined) l.check(at, `${name} length`, oa.length, length);
  switch (a.kind) {
    case 'origin':
      l.check(at, 'ORIGIN', oa.origin, a.origin);
      break;
    case 'as-path':
    case 'as4-path': {
      const asns = a.segments.reduce((n, s) => n + s.asns.length, 0);
      if (oa.asPath) {
        const ourWidth = asns === 0 ? undefined : (oa.length - 2 * a.segments.length) / asns;
        const view = a.segments.map((s) => ({ type: s.type, width: ourWidth, asns: [...s.asns] }));
        l.check(
          at,
          `${name} segments`,
          oa.asPath.map((s) => ({ ...s, width: s.asns.length === 0 ? undefined : s.width })),
          view,
        );
      }
      break;
    }
    case 'next-hop':
      l.check(at, 'NEXT_HOP', oa.nextHop, canonicalAddress(a.nextHop));
      break;
    case 'multi-exit-disc':
      l.check(at, 'MULTI_EXIT_DISC', oa.med, a.med);
      break;
    case 'local-pref':
      l.check(at, 'LOCAL_PREF', oa.localPref, a.localPref);
      break;
    case 'aggregator':
    case 'as4-aggregator':
      l.check(at, name, oa.aggregator, { asn: a.asn, address: canonicalAddress(a.address) });
      break;
    case 'communities':
      l.check(
        at,
        'COMMUNITIES (as a set: tshark lists well-known ones apart)',
        oa.communities,
        [...a.communities].sort((x, y) => x - y),
      );
      break;
    case 'originator-id':
      l.check(at, 'ORIGINATOR_ID', oa.originatorId, canonicalAddress(a.originatorId));
      break;
    case 'cluster-list':
      l.check(at, 'CLUSTER_LIST', oa.clusterList, a.clusterList.map(canonicalAddress));
      break;
    case 'mp-reach-nlri':
      checkMpReach(l, at, oa, a);
      break;
    case 'mp-unreach-nlri':
      checkMpUnreach(l, at, oa, a);
      break;
    case 'extended-communities': {
      const theirs = oa.extCommunities ?? [];
      if (!l.check(at, 'EXTENDED_COMMUNITIES count', theirs.length, a.communities.length)) break;
      theirs.forEach((oc, i) => {
        const c = a.communities[i] ?? new Uint8Array(8);
        const view = new DataView(c.buffer, c.byteOffset, c.byteLength);
        l.check(at, 'extended community type', oc.type, c[0]);
        if (oc.subtype !== undefined) l.check(at, 'extended community sub-type', oc.subtype, c[1]);
        for (const [field, value] of Object.entries(oc.fields)) {
          const read = extFieldReaders[field];
          const mine = read ? read(view) : undefined;
          const round = (v: unknown): unknown =>
            typeof v === 'number' && field === 'rateLimit' ? Number(v.toPrecision(6)) : v;
          l.check(at, `extended community ${field}`, round(value), round(mine));
        }
      });
      break;
    }
    case 'large-community':
      l.check(
        at,
        'LARGE_COMMUNITY',
        oa.largeCommunities,
        a.communities.map((c) => [...c]),
      );
      break;
    default: // ATOMIC_AGGREGATE has no value; OTC (RFC 9234) and unknown types: tshark shows none (OTC: by hand)
      break;
  }
}

/**
 * What `tsbgpd decode` prints as `announced` / `withdrawn`: every decoded prefix, the classic field first, then
 * each MP_REACH / MP_UNREACH in attribute order. Entries are read as `address/length` plus whatever follows.
 */
function checkPrinted(l: Ledger, at: string, o: OracleUpdate, json: DecodedLine['json']): void {
  const lists = {
    announced: [o.nlri, ...o.attributes.flatMap((a) => (a.mpReach ? [a.mpReach.nlri] : []))],
    withdrawn: [o.withdrawn, ...o.attributes.flatMap((a) => (a.mpUnreach ? [a.mpUnreach.withdrawn] : []))],
  };
  for (const [field, parts] of Object.entries(lists)) {
    const printed = json[field];
    if (!Array.isArray(printed) || !printed.every((x): x is string => typeof x === 'string')) {
      l.check(at, `printed ${field}`, 'a list of prefixes', printed);
      continue;
    }
    const CIDR = /^([0-9a-f.:]+)\/(\d+)/i;
    const cidr = (p: string): string => {
      const m = CIDR.exec(p);
      return m ? canonicalPrefix(m[1] ?? '', Number(m[2])) : p;
    };
    const theirs = parts.flatMap((x) => x.prefixes);
    const ordered = parts.every((x) => x.ordered);
    const plain = theirs.map((p) => p.replace(/#\d+$/, ''));
    const mine = printed.map(cidr);
    l.check(at, `printed ${field}`, ordered ? plain : [...plain].sort(), ordered ? mine : [...mine].sort());
    // RFC 7911 path ids are printed index for index in `announcedPathIds` / `withdrawnPathIds`.
    const ids = json[`${field}PathIds`];
    theirs.forEach((p, i) => {
      const id = /#(\d+)$/.exec(p)?.[1];
      const printedId = Array.isArray(ids) ? ids[i] : undefined;
      if (id !== undefined && ordered && printedId !== Number(id)) {
        l.pathIdsNotPrinted.push(`${at} ${field}: ${p} printed with path id ${JSON.stringify(printedId)}`);
      }
    });
  }
}

function checkUpdate(l: Ledger, at: string, o: OracleUpdate, m: UpdateMessage, asWidth: number | undefined): void {
  checkPrefixes(l, at, 'withdrawn routes', o.withdrawn, m.withdrawn);
  checkPrefixes(l, at, 'NLRI', o.nlri, m.nlri);
  const codes = o.attributes.map((a) => a.code);
  if (!l.check(at, 'attribute codes', codes, m.attributes.map(attributeTypeCode))) return;
  o.attributes.forEach((oa, i) => {
    const a = m.attributes[i];
    if (a) checkAttribute(l, at, oa, a, asWidth);
  });
}

function checkNotification(
  l: Ledger,
  at: string,
  o: NonNullable<OracleMessage['notification']>,
  m: NotificationMessage,
): void {
  l.check(at, 'NOTIFICATION code', o.code, m.code);
  if (o.subcode !== undefined) l.check(at, 'NOTIFICATION subcode', o.subcode, m.subcode);
  if (o.data) l.check(at, 'NOTIFICATION data', o.data, m.data);
  if (o.communication !== undefined)
    l.check(at, 'NOTIFICATION shutdown communication', o.communication, m.shutdownMessage);
  if (o.badPeerAs !== undefined) {
    const d = new DataView(m.data.buffer, m.data.byteOffset, m.data.byteLength);
    l.check(
      at,
      'NOTIFICATION bad peer AS',
      o.badPeerAs,
      m.data.length === 4 ? d.getUint32(0) : m.data.length === 2 ? d.getUint16(0) : undefined,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// One capture

/** RFC 6793: the ASN width of AS_PATH is 4 when both OPENs (as tshark read them) carry capability 65. */
class Sessions {
  private readonly opens = new Map<string, OracleOpen>();
  record(o: OracleMessage): void {
    if (o.open) this.opens.set(`${o.src}>${o.dst}`, o.open);
  }
  asWidth(o: OracleMessage): number | undefined {
    const a = this.opens.get(`${o.src}>${o.dst}`);
    const b = this.opens.get(`${o.dst}>${o.src}`);
    if (!a || !b) return undefined;
    const has65 = (x: OracleOpen): boolean => x.parameters.some((p) => p.capabilities.some((c) => c.code === 65));
    return has65(a) && has65(b) ? 4 : 2;
  }
}

/** One of our messages, tshark's view of it, and the ASN width the session's OPENs negotiated. */
interface Pair {
  readonly line: DecodedLine;
  readonly oracle: OracleMessage;
  readonly asWidth: number | undefined;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  const first = needle[0] ?? 0;
  for (
    let i = haystack.indexOf(first);
    i >= 0 && i + needle.length <= haystack.length;
    i = haystack.indexOf(first, i + 1)
  ) {
    if (needle.every((b, j) => haystack[i + j] === b)) return i;
  }
  return -1;
}

function checkPair(l: Ledger, { line, oracle: o, asWidth }: Pair): void {
  const at = `frame ${o.frame}#${o.index}`;
  l.check(at, 'endpoints', [o.src, o.dst], [endpoint(String(line.json.src)), endpoint(String(line.json.dst))]);
  const bytes = line.bytes ?? new Uint8Array();
  l.check(at, 'length', o.length, bytes.length);
  if (o.type === undefined) {
    // tshark 4.0 stops at a length over 4096 (RFC 8654): only the reassembled octets remain to compare.
    if (o.reassembled) l.check(at, "octets found in tshark's reassembly", true, indexOf(o.reassembled, bytes) >= 0);
    return;
  }
  l.check(at, 'type', o.type, bytes[18]);
  const m = line.message;
  if (line.verdict === 'malformed' || !m) {
    l.check(at, 'malformed', o.malformed, true);
    return;
  }
  if (m.type === 1 && o.open) checkOpen(l, at, o.open, m);
  else if (m.type === 2 && o.update) {
    checkUpdate(l, at, o.update, m, asWidth);
    checkPrinted(l, at, o.update, line.json);
  } else if (m.type === 3 && o.notification) checkNotification(l, at, o.notification, m);
  else if (m.type === 5 && o.routeRefresh) {
    l.check(at, 'ROUTE-REFRESH', o.routeRefresh, { afi: m.afi, safi: m.safi, subtype: m.subtype });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The comparison must not be vacuous: change any one value tshark showed, and it has to notice.

/** Oracle fields that are not values of the message: pairing keys, parser notes, order hints. */
const NOT_VALUES = new Set(['frame', 'index', 'unrecognised', 'malformed', 'ordered']);

/** Paths to every value of an oracle message (arrays: their length, and every element — the ends of long ones). */
function* valuePaths(v: unknown, path: readonly (string | number)[] = []): Generator<(string | number)[]> {
  if (v instanceof Uint8Array) {
    if (v.length > 0) yield [...path];
  } else if (Array.isArray(v)) {
    if (v.length > 0) yield [...path, 'length'];
    const picks = v.length <= 64 ? v.keys() : [0, v.length - 1].values();
    for (const i of picks) yield* valuePaths(v[i], [...path, i]);
  } else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) if (!NOT_VALUES.has(k)) yield* valuePaths(x, [...path, k]);
  } else {
    yield [...path];
  }
}

/** A copy of `o` with the value at `path` changed (a number incremented, text extended, an octet flipped, an array shortened). */
function mutated(o: OracleMessage, path: readonly (string | number)[]): OracleMessage {
  type Node = Record<string | number, unknown>;
  const copy = structuredClone(o) as unknown as Node;
  const holder = path.slice(0, -1).reduce<Node>((node, key) => node[key] as Node, copy);
  const leaf = path.at(-1) ?? '';
  const value = holder[leaf];
  if (Array.isArray(holder) && leaf === 'length') holder.pop();
  else if (value instanceof Uint8Array) value[0] = (value[0] ?? 0) ^ 0xff;
  else if (typeof value === 'number') holder[leaf] = value + 1;
  else if (typeof value === 'string') holder[leaf] = `${value}~`;
  else if (typeof value === 'boolean') holder[leaf] = !value;
  return copy as unknown as OracleMessage;
}

function undetectedMutations(pairs: readonly Pair[]): { tried: number; undetected: string[] } {
  let tried = 0;
  const undetected = new Set<string>();
  for (const pair of pairs) {
    for (const path of valuePaths(pair.oracle)) {
      const probe = new Ledger();
      checkPair(probe, { ...pair, oracle: mutated(pair.oracle, path) });
      tried++;
      if (probe.differences.length === 0) undetected.add(path.map((k) => (typeof k === 'number' ? '[]' : k)).join('.'));
    }
  }
  return { tried, undetected: [...undetected].sort() };
}

// ---------------------------------------------------------------------------------------------------------------

function byFrame<T>(items: readonly T[], frame: (x: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const x of items) out.set(frame(x), [...(out.get(frame(x)) ?? []), x]);
  return out;
}

t.ok(captures.length > 0, 'fixtures/pcap holds captures');

for (const file of captures) {
  const scenario = file.replace(/\.pcap(?:ng)?$/, '');
  t.test(scenario, async (t) => {
    const path = new URL(file, PCAP_DIR).pathname;
    const oracleFile = oracleFileFor(path);
    if (!oracleFile) {
      t.fail(`${file} has no tshark oracle beside it`);
      return;
    }
    const oracle = readTsharkOracle(oracleFile);
    const summary: VerifySummary = { messages: 0, exact: 0, malformed: 0, mismatched: 0 };
    let lines: DecodedLine[] = [];
    t.doesNotThrow(() => {
      lines = [...decodeCapture(readFileSync(path), { verify: true }, summary)];
    }, 'every event decodes without an exception');
    const events = lines.filter((x) => x.json.event !== undefined);
    t.same(
      events.map((x) => x.json),
      [],
      'no capture gaps or junk',
    );
    const messages = lines.filter((x) => x.json.event === undefined);
    t.same(
      messages.filter((x) => x.json.error !== undefined).map((x) => x.json),
      [],
      'no message is malformed',
    );
    t.same(
      messages.filter((x) => x.json.contextGuessed !== undefined).map((x) => x.json.frame),
      [],
      "every UPDATE is decoded in the context its session's OPENs negotiated, none guessed",
    );
    t.equal(summary.mismatched, 0, 'verify: 0 mismatched');
    t.same(
      messages.filter((x) => x.verdict === 'mismatch').map((x) => ({ frame: x.json.frame, mismatch: x.json.mismatch })),
      [],
      'every message re-encodes byte for byte',
    );

    const ours = byFrame(messages, (x) => Number(x.json.frame));
    const theirs = byFrame(oracle, (x) => x.frame);
    const ledger = new Ledger();
    const sessions = new Sessions();
    const pairs: Pair[] = [];
    for (const frame of [...new Set([...ours.keys(), ...theirs.keys()])].sort((a, b) => a - b)) {
      const a = ours.get(frame) ?? [];
      const b = theirs.get(frame) ?? [];
      ledger.check(`frame ${frame}`, 'messages in frame', b.length, a.length);
      for (let i = 0; i < Math.min(a.length, b.length); i++) {
        const o = b[i] as OracleMessage;
        sessions.record(o);
        pairs.push({ line: a[i] as DecodedLine, oracle: o, asWidth: sessions.asWidth(o) });
      }
    }
    pairs.forEach((p) => checkPair(ledger, p));
    t.equal(pairs.length, oracle.length, `all ${oracle.length} messages tshark shows are paired`);
    t.ok(pairs.length > 0, 'the capture holds BGP messages');
    t.same(ledger.differences, [], `${pairs.length} messages, ${ledger.total} fields agree with tshark`);
    t.same(ledger.pathIdsNotPrinted, [], '`tsbgpd decode` prints the path id of every ADD-PATH prefix');
    const { tried, undetected } = undetectedMutations(pairs);
    t.same(undetected, [], `each of ${tried} single-value changes to tshark's view is caught`);

    const unrecognised = [...new Set(oracle.flatMap((m) => m.unrecognised))];
    const fields = [...ledger.counts].map(([k, n]) => `${k} ×${n}`).join(', ');
    t.comment(`${scenario}: ${pairs.length} messages checked, ${ledger.total} fields compared (${fields})`);
    if (unrecognised.length > 0) t.comment(`${scenario}: tshark fields not compared: ${unrecognised.join('; ')}`);
  });
}
