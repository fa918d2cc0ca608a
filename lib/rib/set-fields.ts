/**
 * What the RIB reads from an attribute set besides its octets: the `SetFlag` bits computed once when the set is
 * created (which attributes it carries, the loop checks of RFC 4271 §9.1.2 and RFC 4456 §8, RFC 1997's
 * well-known communities), and the values the decision process compares (RFC 4271 §9.1.2.2, RFC 4456 §9), read
 * from the canonical encoding when a prefix has more than one path. Opaque sets (no encoding) are read from their
 * attribute objects. Imports only wire constants.
 */
import {
  AsPathSegmentType,
  AttrType,
  WellKnownCommunity,
  asPathLength,
  ipv4ToNumber,
  parseIPv4,
  type AsPathSegment,
  type PathAttribute,
} from '../wire/index.js';

/** Bits of `AttrStore.flags`. */
export const SetFlag = {
  LocalPref: 1,
  Med: 2,
  OriginatorId: 4,
  /** Carries LOCAL_PREF, ORIGINATOR_ID or CLUSTER_LIST: attributes an eBGP route must not bring in. */
  InternalOnly: 8,
  NoExport: 16,
  NoAdvertise: 32,
  NoExportSubconfed: 64,
  /** RFC 4271 §9.1.2 / RFC 4456 §8: our AS in AS_PATH, our router ID as ORIGINATOR_ID, our CLUSTER_ID listed. */
  Loops: 128,
  /** A received raw block equal to this encoding decoded to this set (4-octet session, NLRI field). */
  RawNlri: 256,
  /** No encoding: kept as objects. */
  Opaque: 512,
  MpReach: 1024,
  NextHop: 2048,
  /** The id is in use. */
  Live: 0x8000,
} as const;

/** Who "we" are, for the loop checks computed when a set is created. */
export interface LoopIdentity {
  readonly localAsn: number;
  readonly routerId: number;
  readonly clusterId: number;
}

/** A dotted quad as an unsigned number (0 when not one). */
function ipv4Value(text: string): number {
  const b = parseIPv4(text);
  return b ? ipv4ToNumber(b, 0) : 0;
}

/** The values of a set the decision process compares (RFC 4271 §9.1.2.2, RFC 4456 §9). */
export class SetFields {
  /** ORIGIN; INCOMPLETE (2) when absent, the least preferred value. */
  origin = 2;
  /** §9.1.2.2 a): AS_SET counts 1, confederation segments 0. */
  asPathLength = 0;
  /** §9.1.2.2 c): the first ASN of the leading AS_SEQUENCE (after confederation segments); 0 for none. */
  neighborAs = 0;
  localPref = 0;
  med = 0;
  originatorId = 0;
  clusterListLength = 0;

  copy(other: SetFields): void {
    this.origin = other.origin;
    this.asPathLength = other.asPathLength;
    this.neighborAs = other.neighborAs;
    this.localPref = other.localPref;
    this.med = other.med;
    this.originatorId = other.originatorId;
    this.clusterListLength = other.clusterListLength;
  }
}

function u32(b: Uint8Array, o: number): number {
  return (((b[o] as number) << 24) | ((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number)) >>> 0;
}

/**
 * Reads a canonical encoding `b[start..end)` (trusted: lengths are not checked again): returns its `SetFlag` bits
 * (without `Live`) and, with `into`, fills in the decision values.
 */
export function fieldsOf(b: Uint8Array, start: number, end: number, me: LoopIdentity, into: SetFields | null): number {
  let flags = 0;
  let origin = 2;
  let pathLength = 0;
  let neighborAs = 0;
  let localPref = 0;
  let med = 0;
  let originatorId = 0;
  let clusterLength = 0;
  for (let pos = start; pos < end; ) {
    const header = (b[pos] as number) & 0x10 ? 4 : 3;
    const type = b[pos + 1] as number;
    const length = header === 4 ? ((b[pos + 2] as number) << 8) | (b[pos + 3] as number) : (b[pos + 2] as number);
    const v = pos + header;
    switch (type) {
      case AttrType.Origin:
        origin = b[v] as number;
        break;
      case AttrType.AsPath: {
        let first = true;
        for (let s = v; s < v + length; ) {
          const segType = b[s] as number;
          const count = b[s + 1] as number;
          for (let i = 0; i < count; i++) if (u32(b, s + 2 + 4 * i) === me.localAsn) flags |= SetFlag.Loops;
          if (segType === AsPathSegmentType.AsSequence) pathLength += count;
          else if (segType === AsPathSegmentType.AsSet) pathLength += 1;
          if (first && segType !== AsPathSegmentType.AsConfedSequence && segType !== AsPathSegmentType.AsConfedSet) {
            first = false;
            if (segType === AsPathSegmentType.AsSequence && count > 0) neighborAs = u32(b, s + 2);
          }
          s += 2 + 4 * count;
        }
        break;
      }
      case AttrType.NextHop:
        flags |= SetFlag.NextHop;
        break;
      case AttrType.MultiExitDisc:
        flags |= SetFlag.Med;
        med = u32(b, v);
        break;
      case AttrType.LocalPref:
        flags |= SetFlag.LocalPref | SetFlag.InternalOnly;
        localPref = u32(b, v);
        break;
      case AttrType.OriginatorId:
        flags |= SetFlag.OriginatorId | SetFlag.InternalOnly;
        originatorId = u32(b, v);
        if (originatorId === me.routerId) flags |= SetFlag.Loops;
        break;
      case AttrType.ClusterList:
        flags |= SetFlag.InternalOnly;
        clusterLength = length >>> 2;
        for (let i = 0; i < length; i += 4) if (u32(b, v + i) === me.clusterId) flags |= SetFlag.Loops;
        break;
      case AttrType.Communities:
        for (let i = 0; i < length; i += 4) {
          const c = u32(b, v + i);
          if (c === WellKnownCommunity.NoExport) flags |= SetFlag.NoExport;
          else if (c === WellKnownCommunity.NoAdvertise) flags |= SetFlag.NoAdvertise;
          else if (c === WellKnownCommunity.NoExportSubconfed) flags |= SetFlag.NoExportSubconfed;
        }
        break;
      case AttrType.MpReachNlri:
        flags |= SetFlag.MpReach;
        break;
      default:
        break;
    }
    pos = v + length;
  }
  if (into !== null) {
    into.origin = origin;
    into.asPathLength = Math.min(0xffff, pathLength);
    into.neighborAs = neighborAs;
    into.localPref = localPref;
    into.med = med;
    into.originatorId = originatorId;
    into.clusterListLength = clusterLength;
  }
  return flags;
}

/** `fieldsOf` for the attribute objects of an opaque set. */
export function fieldsOfObjects(attrs: readonly PathAttribute[], me: LoopIdentity, into: SetFields): number {
  let flags = 0;
  let segments: readonly AsPathSegment[] = [];
  for (const a of attrs) {
    switch (a.kind) {
      case 'origin':
        into.origin = a.origin;
        break;
      case 'as-path':
        segments = a.segments;
        break;
      case 'next-hop':
        flags |= SetFlag.NextHop;
        break;
      case 'multi-exit-disc':
        flags |= SetFlag.Med;
        into.med = a.med >>> 0;
        break;
      case 'local-pref':
        flags |= SetFlag.LocalPref | SetFlag.InternalOnly;
        into.localPref = a.localPref >>> 0;
        break;
      case 'originator-id':
        flags |= SetFlag.OriginatorId | SetFlag.InternalOnly;
        into.originatorId = ipv4Value(a.originatorId);
        if (into.originatorId === me.routerId) flags |= SetFlag.Loops;
        break;
      case 'cluster-list':
        flags |= SetFlag.InternalOnly;
        into.clusterListLength = a.clusterList.length;
        for (const c of a.clusterList) if (ipv4Value(c) === me.clusterId) flags |= SetFlag.Loops;
        break;
      case 'communities':
        for (const c of a.communities) {
          if (c === WellKnownCommunity.NoExport) flags |= SetFlag.NoExport;
          else if (c === WellKnownCommunity.NoAdvertise) flags |= SetFlag.NoAdvertise;
          else if (c === WellKnownCommunity.NoExportSubconfed) flags |= SetFlag.NoExportSubconfed;
        }
        break;
      case 'mp-reach-nlri':
        flags |= SetFlag.MpReach;
        break;
      default:
        break;
    }
  }
  for (const s of segments) if (s.asns.includes(me.localAsn)) flags |= SetFlag.Loops;
  into.asPathLength = Math.min(0xffff, asPathLength(segments));
  into.neighborAs = 0;
  for (const s of segments) {
    if (s.type === AsPathSegmentType.AsConfedSequence || s.type === AsPathSegmentType.AsConfedSet) continue;
    into.neighborAs = s.type === AsPathSegmentType.AsSequence ? (s.asns[0] ?? 0) : 0;
    break;
  }
  return flags;
}
