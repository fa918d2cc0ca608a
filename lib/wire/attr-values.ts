/**
 * Descriptors of the path attributes whose values are fixed fields or lists: ORIGIN, AS_PATH, NEXT_HOP,
 * MULTI_EXIT_DISC, LOCAL_PREF, ATOMIC_AGGREGATE, AGGREGATOR (RFC 4271 §4.3, §5.1), COMMUNITIES (RFC 1997),
 * ORIGINATOR_ID and CLUSTER_LIST (RFC 4456 §8), EXTENDED_COMMUNITIES (RFC 4360), AS4_PATH and AS4_AGGREGATOR
 * (RFC 6793), LARGE_COMMUNITY (RFC 8092) and OTC (RFC 9234 §5). MP_REACH_NLRI / MP_UNREACH_NLRI are in `mp-nlri.ts`.
 *
 * Each descriptor carries the RFC 7606 approach for its malformations:
 * - treat-as-withdraw: ORIGIN §7.1, AS_PATH §7.2, NEXT_HOP §7.3, MED §7.4, LOCAL_PREF §7.5 (the codec cannot tell
 *   an internal from an external peer, so it uses the internal-peer rule; ignoring LOCAL_PREF from an external
 *   peer is the RIB's job), COMMUNITIES §7.8, ORIGINATOR_ID §7.9, CLUSTER_LIST §7.10, EXTENDED_COMMUNITIES §7.14,
 *   LARGE_COMMUNITY (RFC 8092 §6), OTC (RFC 9234 §5);
 * - attribute discard: ATOMIC_AGGREGATE §7.6, AGGREGATOR §7.7, AS4_PATH and AS4_AGGREGATOR (RFC 6793 §6).
 * RFC 7607 §2: an AS number 0 in AS_PATH, AS4_PATH, AGGREGATOR or AS4_AGGREGATOR makes the attribute malformed.
 * Imports only its siblings.
 */
import { AS_TRANS, AttrFlag, AttrType, Origin, UpdateMessageError } from './constants.js';
import { ErrorAction } from './errors.js';
import { formatIPv4 } from './address.js';
import { ipv4OctetsInto } from './nlri.js';
import { decodeAsPathSegments, encodeAsPathSegments } from './as-path.js';
import {
  decodeCommunityValues,
  decodeExtendedCommunityValues,
  decodeLargeCommunityValues,
  encodeCommunityValues,
  encodeExtendedCommunityValues,
  encodeLargeCommunityValues,
} from './communities.js';
import { AttributeFault, fault, type AttributeDescriptor } from './attr-codec.js';
import type {
  AggregatorAttribute,
  As4AggregatorAttribute,
  As4PathAttribute,
  AsPathAttribute,
  AsPathSegment,
  AtomicAggregateAttribute,
  ClusterListAttribute,
  CommunitiesAttribute,
  ExtendedCommunitiesAttribute,
  LargeCommunityAttribute,
  LocalPrefAttribute,
  MultiExitDiscAttribute,
  NextHopAttribute,
  OriginAttribute,
  OriginatorIdAttribute,
  OtcAttribute,
} from './types.js';

const WELL_KNOWN = AttrFlag.Transitive;
const OPTIONAL = AttrFlag.Optional;
const OPTIONAL_TRANSITIVE = AttrFlag.Optional | AttrFlag.Transitive;
const EMPTY = new Uint8Array(0);

function u32(buf: Uint8Array, o: number): number {
  return (buf[o] as number) * 0x1000000 + (((buf[o + 1] as number) << 16) | ((buf[o + 2] as number) << 8) | (buf[o + 3] as number));
}

function u32Bytes(n: number, field: string): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`${field}: ${n} is not a 32-bit unsigned integer`);
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** A dotted quad's 4 octets; a TypeError naming the field otherwise (values built by the caller). */
function ipv4Bytes(text: string, field: string): Uint8Array {
  const out = new Uint8Array(4);
  if (!ipv4OctetsInto(text, out)) throw new TypeError(`${field}: not an IPv4 address: ${JSON.stringify(text)}`);
  return out;
}

function hasAsZero(segments: readonly AsPathSegment[]): boolean {
  for (const s of segments) for (const asn of s.asns) if (asn === 0) return true;
  return false;
}

export const origin: AttributeDescriptor<OriginAttribute> = {
  typeCode: AttrType.Origin,
  kind: 'origin',
  flags: WELL_KNOWN,
  malformed: ErrorAction.TreatAsWithdraw,
  decode(buf, start, end, flags) {
    if (end - start !== 1) return fault.length(`length ${end - start}, expected 1`);
    const value = buf[start] as number;
    // RFC 4271 §6.3: "If the ORIGIN attribute has an undefined value, then the Error Sub-code MUST be set to
    // Invalid Origin Attribute."
    if (value > Origin.Incomplete) return new AttributeFault(UpdateMessageError.InvalidOriginAttribute, `undefined value ${value}`);
    return { kind: 'origin', flags, origin: value };
  },
  encode(a) {
    if (!Number.isInteger(a.origin) || a.origin < 0 || a.origin > 255) throw new RangeError(`ORIGIN: invalid value ${a.origin}`);
    return Uint8Array.of(a.origin);
  },
};

export const asPath: AttributeDescriptor<AsPathAttribute> = {
  typeCode: AttrType.AsPath,
  kind: 'as-path',
  flags: WELL_KNOWN,
  malformed: ErrorAction.TreatAsWithdraw,
  decode(buf, start, end, flags, ctx) {
    // RFC 6793 §4.1: 4-octet ASNs once both sides sent the capability; an empty AS_PATH is valid (RFC 7606 §4).
    const segments = decodeAsPathSegments(buf, start, end, ctx.fourOctetAs ? 4 : 2);
    if (typeof segments === 'string') return new AttributeFault(UpdateMessageError.MalformedAsPath, segments);
    if (hasAsZero(segments)) return new AttributeFault(UpdateMessageError.MalformedAsPath, 'AS number 0 (RFC 7607)');
    return { kind: 'as-path', flags, segments };
  },
  encode(a, ctx) {
    return encodeAsPathSegments(a.segments, ctx.fourOctetAs ? 4 : 2);
  },
};

export const nextHop: AttributeDescriptor<NextHopAttribute> = {
  typeCode: AttrType.NextHop,
  kind: 'next-hop',
  flags: WELL_KNOWN,
  malformed: ErrorAction.TreatAsWithdraw,
  decode(buf, start, end, flags) {
    if (end - start !== 4) return fault.length(`length ${end - start}, expected 4`);
    // RFC 4271 §6.3: syntactic correctness means "a valid IP host address": not 0.0.0.0, not multicast or class E
    // (224/3), not broadcast. (Whether it is the receiver's own address or on a shared subnet — RFC 4271 §5.1.3's
    // semantic checks — is not checked by any layer yet.)
    const first = buf[start] as number;
    if (first >= 224 || u32(buf, start) === 0) {
      return new AttributeFault(UpdateMessageError.InvalidNextHopAttribute, `${formatIPv4(buf, start)} is not a host address`);
    }
    return { kind: 'next-hop', flags, nextHop: formatIPv4(buf, start) };
  },
  encode(a) {
    return ipv4Bytes(a.nextHop, 'NEXT_HOP');
  },
};

export const multiExitDisc: AttributeDescriptor<MultiExitDiscAttribute> = {
  typeCode: AttrType.MultiExitDisc,
  kind: 'multi-exit-disc',
  flags: OPTIONAL,
  malformed: ErrorAction.TreatAsWithdraw,
  decode(buf, start, end, flags) {
    if (end - start !== 4) return fault.length(`length ${end - start}, expected 4`);
    return { kind: 'multi-exit-disc', flags, med: u32(buf, start) };
  },
  encode(a) {
    return u32Bytes(a.med, 'MULTI_EXIT_DISC');
  },
};

export const localPref: AttributeDescriptor<LocalPrefAttribute> = {
  typeCode: AttrType.LocalPref,
  kind: 'local-pref',
  flags: WELL_KNOWN,
  malformed: ErrorAction.TreatAsWithdraw,
  decode(buf, start, end, flags) {
    if (end - start !== 4) return fault.length(`length ${end - start}, expected 4`);
    return { kind: 'local-pref', flags, localPref: u32(buf, start) };
  },
  encode(a) {
    return u32Bytes(a.localPref, 'LOCAL_PREF');
  },
};

export const atomicAggregate: AttributeDescriptor<AtomicAggregateAttribute> = {
  typeCode: AttrType.AtomicAggregate,
  kind: 'atomic-aggregate',
  flags: WELL_KNOWN,
  malformed: ErrorAction.AttributeDiscard,
  decode(_buf, start, end, flags) {
    if (end !== start) return fault.length(`length ${end - start}, expected 0`);
    return { kind: 'atomic-aggregate', flags };
  },
  encode() {
    return EMPTY;
  },
};

export const aggregator: AttributeDescriptor<AggregatorAttribute> = {
  typeCode: AttrType.Aggregator,
  kind: 'aggregator',
  flags: OPTIONAL_TRANSITIVE,
  malformed: ErrorAction.AttributeDiscard,
  decode(buf, start, end, flags, ctx) {
    // RFC 7606 §7.7: malformed unless 6 octets (2-octet ASN) or 8 (both sides sent the 4-octet AS capability).
    const asnSize = ctx.fourOctetAs ? 4 : 2;
    if (end - start !== asnSize + 4) return fault.length(`length ${end - start}, expected ${asnSize + 4}`);
    const asn = asnSize === 4 ? u32(buf, start) : ((buf[start] as number) << 8) | (buf[start + 1] as number);
    if (asn === 0) return fault.optional('AS number 0 (RFC 7607)');
    return { kind: 'aggregator', flags, asn, address: formatIPv4(buf, start + asnSize) };
  },
  encode(a, ctx) {
    const addr = ipv4Bytes(a.address, 'AGGREGATOR address');
    if (ctx.fourOctetAs) {
      const out = new Uint8Array(8);
      out.set(u32Bytes(a.asn, 'AGGREGATOR ASN'), 0);
      out.set(addr, 4);
      return out;
    }
    u32Bytes(a.asn, 'AGGREGATOR ASN');
    // RFC 6793 §4.2.2: a 4-octet ASN becomes AS_TRANS in the 2-octet field (the caller adds AS4_AGGREGATOR).
    const two = a.asn > 0xffff ? AS_TRANS : a.asn;
    return Uint8Array.of(two >>> 8, two & 0xff, ...addr);
  },
};

export const communities: AttributeDescriptor<CommunitiesAttribute> = {
  typeCode: AttrType.Communities,
  kind: 'communities',
  flags: OPTIONAL_TRANSITIVE,
  malformed: ErrorAction.TreatAsWithdraw,
  decode(buf, start, end, flags) {
    const values = decodeCommunityValues(buf, start, end);
    if (typeof values === 'string') return fault.length(values);
    return { kind: 'communities', flags, communities: values };
  },
  encode(a) {
    return encodeCommunityValues(a.communities);
  },
};

export const originatorId: AttributeDescriptor<OriginatorIdAttribute> = {
  typeCode: AttrType.OriginatorId,
  kind: 'originator-id',
  flags: OPTIONAL,
  malformed: ErrorAction.TreatAsWithdraw,
  decode(buf, start, end, flags) {
    if (end - start !== 4) return fault.length(`length ${end - start}, expected 4`);
    return { kind: 'originator-id', flags, originatorId: formatIPv4(buf, start) };
  },
  encode(a) {
    return ipv4Bytes(a.originatorId, 'ORIGINATOR_ID');
  },
};

export const clusterList: AttributeDescriptor<ClusterListAttribute> = {
  typeCode: AttrType.ClusterList,
  kind: 'cluster-list',
  flags: OPTIONAL,
  malformed: ErrorAction.TreatAsWithdraw,
  decode(buf, start, end, flags) {
    const len = end - start;
    if (len === 0 || len % 4 !== 0) return fault.length(`length ${len} is not a non-zero multiple of 4`);
    const ids = new Array<string>(len >>> 2);
    for (let i = 0, o = start; o < end; i++, o += 4) ids[i] = formatIPv4(buf, o);
    return { kind: 'cluster-list', flags, clusterList: ids };
  },
  encode(a) {
    const out = new Uint8Array(a.clusterList.length * 4);
    a.clusterList.forEach((id, i) => out.set(ipv4Bytes(id, 'CLUSTER_LIST'), i * 4));
    return out;
  },
};

export const extendedCommunities: AttributeDescriptor<ExtendedCommunitiesAttribute> = {
  typeCode: AttrType.ExtendedCommunities,
  kind: 'extended-communities',
  flags: OPTIONAL_TRANSITIVE,
  malformed: ErrorAction.TreatAsWithdraw,
  decode(buf, start, end, flags) {
    const values = decodeExtendedCommunityValues(buf, start, end);
    if (typeof values === 'string') return fault.length(values);
    return { kind: 'extended-communities', flags, communities: values };
  },
  encode(a) {
    return encodeExtendedCommunityValues(a.communities);
  },
};

export const as4Path: AttributeDescriptor<As4PathAttribute> = {
  typeCode: AttrType.As4Path,
  kind: 'as4-path',
  flags: OPTIONAL_TRANSITIVE,
  malformed: ErrorAction.AttributeDiscard,
  decode(buf, start, end, flags) {
    // RFC 7606 §4: only AS_PATH and ATOMIC_AGGREGATE may be empty. Confederation segments are not malformed here:
    // RFC 6793 §6 has the receiver drop those segments and go on, which `reconcileAs4Path` does.
    if (end === start) return fault.optional('empty AS4_PATH');
    const segments = decodeAsPathSegments(buf, start, end, 4);
    if (typeof segments === 'string') return fault.optional(segments);
    if (hasAsZero(segments)) return fault.optional('AS number 0 (RFC 7607)');
    return { kind: 'as4-path', flags, segments };
  },
  encode(a) {
    return encodeAsPathSegments(a.segments, 4);
  },
};

export const as4Aggregator: AttributeDescriptor<As4AggregatorAttribute> = {
  typeCode: AttrType.As4Aggregator,
  kind: 'as4-aggregator',
  flags: OPTIONAL_TRANSITIVE,
  malformed: ErrorAction.AttributeDiscard,
  decode(buf, start, end, flags) {
    if (end - start !== 8) return fault.length(`length ${end - start}, expected 8`);
    const asn = u32(buf, start);
    if (asn === 0) return fault.optional('AS number 0 (RFC 7607)');
    return { kind: 'as4-aggregator', flags, asn, address: formatIPv4(buf, start + 4) };
  },
  encode(a) {
    const out = new Uint8Array(8);
    out.set(u32Bytes(a.asn, 'AS4_AGGREGATOR ASN'), 0);
    out.set(ipv4Bytes(a.address, 'AS4_AGGREGATOR address'), 4);
    return out;
  },
};

export const largeCommunity: AttributeDescriptor<LargeCommunityAttribute> = {
  typeCode: AttrType.LargeCommunity,
  kind: 'large-community',
  flags: OPTIONAL_TRANSITIVE,
  malformed: ErrorAction.TreatAsWithdraw,
  decode(buf, start, end, flags) {
    const values = decodeLargeCommunityValues(buf, start, end);
    if (typeof values === 'string') return fault.length(values);
    return { kind: 'large-community', flags, communities: values };
  },
  encode(a) {
    return encodeLargeCommunityValues(a.communities);
  },
};

export const otc: AttributeDescriptor<OtcAttribute> = {
  typeCode: AttrType.Otc,
  kind: 'otc',
  flags: OPTIONAL_TRANSITIVE,
  malformed: ErrorAction.TreatAsWithdraw,
  decode(buf, start, end, flags) {
    // RFC 9234 §5: "If the OTC Attribute is received with a length other than 4 octets, it is malformed" and the
    // UPDATE is handled as treat-as-withdraw.
    if (end - start !== 4) return fault.length(`length ${end - start}, expected 4`);
    return { kind: 'otc', flags, asn: u32(buf, start) };
  },
  encode(a) {
    return u32Bytes(a.asn, 'OTC');
  },
};
