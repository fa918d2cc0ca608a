/**
 * Attribute lists in canonical form, and small helpers to read and replace attributes by kind.
 *
 * BIRD and OpenBGPD store a path's attributes once per distinct set and let every prefix share it (here: the
 * `AttrStore`). What is stored is the canonical form of the list — one attribute per type code, in ascending type
 * order as RFC 4271 §5 asks senders to use, MP_REACH_NLRI without its NLRI, MP_UNREACH_NLRI and the RFC 6793
 * transition attributes removed, flags left to the encoder — so that two lists that mean the same encode to the
 * same octets. `canonicalKey` is the same identity as text, for the rare set that cannot be encoded.
 *
 * Owns: normalisation (`normaliseAttributes`), the canonical key and the attribute helpers. Imports only wire
 * types and constants.
 */
import { Buffer } from 'node:buffer';
import {
  AttrFlag,
  AttrType,
  ipv4ToNumber,
  parseIPv4,
  type AsPathSegment,
  type MpReachNlriAttribute,
  type PathAttribute,
} from '../wire/index.js';

/** RFC 4271 §5.1.5 leaves the default degree of preference to the implementation; FRR, BIRD and Cisco use 100. */
export const DEFAULT_LOCAL_PREF = 100;

const kindCode: Readonly<Record<string, number>> = {
  origin: AttrType.Origin,
  'as-path': AttrType.AsPath,
  'next-hop': AttrType.NextHop,
  'multi-exit-disc': AttrType.MultiExitDisc,
  'local-pref': AttrType.LocalPref,
  'atomic-aggregate': AttrType.AtomicAggregate,
  aggregator: AttrType.Aggregator,
  communities: AttrType.Communities,
  'originator-id': AttrType.OriginatorId,
  'cluster-list': AttrType.ClusterList,
  'mp-reach-nlri': AttrType.MpReachNlri,
  'mp-unreach-nlri': AttrType.MpUnreachNlri,
  'extended-communities': AttrType.ExtendedCommunities,
  'as4-path': AttrType.As4Path,
  'as4-aggregator': AttrType.As4Aggregator,
  'large-community': AttrType.LargeCommunity,
  otc: AttrType.Otc,
};

/** The attribute type code of an attribute value. */
export function typeCodeOf(a: PathAttribute): number {
  return a.kind === 'unknown' || a.kind === 'malformed' ? a.typeCode : (kindCode[a.kind] as number);
}

/** The first attribute of a kind, typed. */
export function findAttribute<K extends PathAttribute['kind']>(
  attrs: readonly PathAttribute[],
  kind: K,
): Extract<PathAttribute, { kind: K }> | undefined {
  for (const a of attrs) if (a.kind === kind) return a as Extract<PathAttribute, { kind: K }>;
  return undefined;
}

/** A copy of `attrs` without the attributes of the given kinds. */
export function withoutKinds(attrs: readonly PathAttribute[], ...kinds: PathAttribute['kind'][]): PathAttribute[] {
  return attrs.filter((a) => !kinds.includes(a.kind));
}

/** A copy of `attrs` with `attr` in place of any attribute of its kind (appended when there was none). */
export function withAttribute(attrs: readonly PathAttribute[], attr: PathAttribute): PathAttribute[] {
  const out = attrs.filter((a) => a.kind !== attr.kind);
  out.push(attr);
  return out;
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const segmentsText = (segments: readonly AsPathSegment[]): string =>
  segments.map((s) => `${s.type}:${s.asns.join(',')}`).join('|');

/** The part of the canonical key for one attribute: everything that the attribute means, no flags but Partial. */
function attributeKey(a: PathAttribute): string {
  switch (a.kind) {
    case 'origin':
      return `1=${a.origin}`;
    case 'as-path':
      return `2=${segmentsText(a.segments)}`;
    case 'next-hop':
      return `3=${a.nextHop}`;
    case 'multi-exit-disc':
      return `4=${a.med}`;
    case 'local-pref':
      return `5=${a.localPref}`;
    case 'atomic-aggregate':
      return '6=';
    case 'aggregator':
      return `7=${a.asn}@${a.address}`;
    case 'communities':
      return `8=${a.communities.join(',')}`;
    case 'originator-id':
      return `9=${a.originatorId}`;
    case 'cluster-list':
      return `10=${a.clusterList.join(',')}`;
    case 'mp-reach-nlri':
      return `14=${a.afi}/${a.safi}/${a.nextHop.join(',')}/${a.nextHopBytes ? hex(a.nextHopBytes) : ''}`;
    case 'mp-unreach-nlri':
      return `15=${a.afi}/${a.safi}`;
    case 'extended-communities':
      return `16=${a.communities.map(hex).join(',')}`;
    case 'as4-path':
      return `17=${segmentsText(a.segments)}`;
    case 'as4-aggregator':
      return `18=${a.asn}@${a.address}`;
    case 'large-community':
      return `32=${a.communities.map((c) => c.join(':')).join(',')}`;
    case 'otc':
      return `35=${a.asn}`;
    case 'unknown':
    case 'malformed':
      return `${a.typeCode}=${(a.flags ?? 0) & 0xe0}/${hex(a.value)}`;
  }
}

/**
 * The canonical form of an attribute list, as stored in the RIB:
 * - one attribute per type code (the first wins), in ascending type order;
 * - MP_REACH_NLRI keeps family and next hop(s) but no NLRI; MP_UNREACH_NLRI, AS4_PATH, AS4_AGGREGATOR and
 *   malformed attributes are dropped (the inbound stage has already merged RFC 6793's attributes);
 * - known attributes lose their received flags, so the encoder chooses correct ones (an AS_PATH that grew past
 *   255 octets needs Extended Length);
 * - RFC 4271 §5: an unrecognised optional non-transitive attribute is "quietly ignored and not passed along"; an
 *   unrecognised optional transitive one is kept "with the Partial bit set to 1".
 */
export function normaliseAttributes(attrs: readonly PathAttribute[]): PathAttribute[] {
  const out: PathAttribute[] = [];
  const seen = new Set<number>();
  for (const a of attrs) {
    const code = typeCodeOf(a);
    if (seen.has(code)) continue;
    seen.add(code);
    switch (a.kind) {
      case 'mp-unreach-nlri':
      case 'as4-path':
      case 'as4-aggregator':
      case 'malformed':
        continue;
      case 'mp-reach-nlri': {
        const mp: MpReachNlriAttribute = a.nextHopBytes
          ? { kind: a.kind, afi: a.afi, safi: a.safi, nextHop: a.nextHop, nlri: [], nextHopBytes: a.nextHopBytes }
          : { kind: a.kind, afi: a.afi, safi: a.safi, nextHop: a.nextHop, nlri: [] };
        out.push(mp);
        continue;
      }
      case 'unknown': {
        const flags = a.flags ?? AttrFlag.Optional | AttrFlag.Transitive;
        if ((flags & AttrFlag.Optional) === 0 || (flags & AttrFlag.Transitive) === 0) continue;
        out.push({ kind: 'unknown', typeCode: a.typeCode, value: a.value, flags: (flags | AttrFlag.Partial) & 0xe0 });
        continue;
      }
      default: {
        if (a.flags === undefined) {
          out.push(a);
        } else {
          const { flags: _flags, ...rest } = a;
          out.push(rest as PathAttribute);
        }
      }
    }
  }
  out.sort((x, y) => typeCodeOf(x) - typeCodeOf(y));
  return out;
}

/** The canonical key of a normalised attribute list: equal keys mean equal attribute sets. */
export function canonicalKey(normalised: readonly PathAttribute[]): string {
  let key = '';
  for (const a of normalised) key += `${attributeKey(a)};`;
  return key;
}

/** A dotted quad as an unsigned number (0 when the text is not one — only for ordering). */
export function ipv4Number(text: string): number {
  const b = parseIPv4(text);
  return b ? ipv4ToNumber(b, 0) : 0;
}
