/**
 * Export on the octets: the rules of `export.ts` applied to a set's canonical encoding directly, for the cases a
 * full table is made of — IPv4 unicast, no export policy. eBGP (RFC 4271 §5.1.2–§5.1.5): drop LOCAL_PREF,
 * ORIGINATOR_ID, CLUSTER_LIST and a learned MULTI_EXIT_DISC, prepend our AS to AS_PATH, write our NEXT_HOP. iBGP:
 * add LOCAL_PREF when absent; when reflecting (RFC 4456 §8) add ORIGINATOR_ID when absent and prepend our
 * CLUSTER_ID to CLUSTER_LIST; NEXT_HOP kept or set to ours. Everything else is copied as is.
 *
 * Canonical in, canonical out: attributes stay in ascending type order, inserted ones take their place in it, and
 * flags are the encoder's (the well-known or optional bits of the type, Extended Length exactly when the value
 * exceeds 255 octets), so the result is the octets `encodeAttributes(normaliseAttributes(exportFinal(…)))` would
 * produce — the test suite checks that equivalence — without building an attribute object. Anything unusual
 * (MP_REACH_NLRI, confederation segments, no AS_PATH to prepend to, no NEXT_HOP to keep) answers -1 and the
 * caller takes the object path. Imports only wire constants.
 */
import { AttrFlag, AttrType, AsPathSegmentType } from '../wire/index.js';

/** What to do to a set's attributes on the way out. */
export interface BytePlan {
  /** Bit `1 << type` for each attribute type to leave out. */
  drop: number;
  /** Our AS to prepend to AS_PATH (eBGP), or -1. */
  prependAs: number;
  /** The NEXT_HOP to write (an IPv4 address as an unsigned number), or -1 to keep the set's own. */
  nextHop: number;
  /** LOCAL_PREF to add when the set has none, or -1. */
  localPref: number;
  /** ORIGINATOR_ID to add when the set has none, or -1. */
  originatorId: number;
  /** CLUSTER_ID to prepend to CLUSTER_LIST (creating it when absent), or -1. */
  clusterId: number;
}

const WELL_KNOWN = AttrFlag.Transitive;
const OPTIONAL = AttrFlag.Optional;

function putU32(out: Uint8Array, o: number, n: number): void {
  out[o] = n >>> 24;
  out[o + 1] = (n >>> 16) & 0xff;
  out[o + 2] = (n >>> 8) & 0xff;
  out[o + 3] = n & 0xff;
}

/** Writes an attribute header for a value of `length` octets; returns the offset of the value. */
function putHeader(out: Uint8Array, o: number, flags: number, type: number, length: number): number {
  if (length > 255) {
    out[o] = flags | AttrFlag.ExtendedLength;
    out[o + 1] = type;
    out[o + 2] = length >>> 8;
    out[o + 3] = length & 0xff;
    return o + 4;
  }
  out[o] = flags & ~AttrFlag.ExtendedLength;
  out[o + 1] = type;
  out[o + 2] = length;
  return o + 3;
}

/**
 * Rewrites the canonical attributes `src[start..end)` by `plan` into `out` (from offset 0); returns the length
 * written, or -1 when this case needs the object path (or `out` is too small).
 */
export function rewriteAttributes(src: Uint8Array, start: number, end: number, plan: BytePlan, out: Uint8Array): number {
  const r = rewrite;
  r.out = out;
  r.o = 0;
  r.plan = plan;
  r.sawNextHop = false;
  r.sawLocalPref = false;
  r.sawOriginator = false;
  r.sawCluster = false;
  let sawAsPath = false;
  for (let pos = start; pos < end; ) {
    const flags = src[pos] as number;
    const header = flags & AttrFlag.ExtendedLength ? 4 : 3;
    const type = src[pos + 1] as number;
    const length = header === 4 ? ((src[pos + 2] as number) << 8) | (src[pos + 3] as number) : (src[pos + 2] as number);
    const v = pos + header;
    pos = v + length;
    if (type === AttrType.MpReachNlri) return -1;
    if (!insertBelow(r, type)) return -1;
    if (type < 32 && plan.drop & (1 << type)) {
      if (type === AttrType.NextHop) r.sawNextHop = true;
      continue;
    }
    let o = r.o;
    switch (type) {
      case AttrType.AsPath: {
        sawAsPath = true;
        if (plan.prependAs < 0) break;
        // §5.1.2: our AS goes first, into the leading AS_SEQUENCE when it has room, else in a new one.
        const firstType = length >= 2 ? (src[v] as number) : -1;
        const firstCount = length >= 2 ? (src[v + 1] as number) : 0;
        for (let s = v; s < v + length; s += 2 + 4 * (src[s + 1] as number)) {
          const t = src[s] as number;
          if (t === AsPathSegmentType.AsConfedSequence || t === AsPathSegmentType.AsConfedSet) return -1;
        }
        const into = firstType === AsPathSegmentType.AsSequence && firstCount < 255;
        const valueLength = length + (into ? 4 : 6);
        if (o + 4 + valueLength > out.length) return -1;
        o = putHeader(out, o, flags, type, valueLength);
        out[o] = AsPathSegmentType.AsSequence;
        out[o + 1] = into ? firstCount + 1 : 1;
        putU32(out, o + 2, plan.prependAs);
        // Into the leading AS_SEQUENCE: the rest of its ASNs and the other segments follow; else all segments do.
        for (let i = into ? v + 2 : v, j = o + 6; i < v + length; i++, j++) out[j] = src[i] as number;
        r.o = o + valueLength;
        continue;
      }
      case AttrType.NextHop:
        r.sawNextHop = true;
        if (plan.nextHop < 0) break;
        if (o + 7 > out.length) return -1;
        o = putHeader(out, o, flags, type, 4);
        putU32(out, o, plan.nextHop);
        r.o = o + 4;
        continue;
      case AttrType.LocalPref:
        r.sawLocalPref = true;
        break;
      case AttrType.OriginatorId:
        r.sawOriginator = true;
        break;
      case AttrType.ClusterList: {
        r.sawCluster = true;
        if (plan.clusterId < 0) break;
        // RFC 4456 §8: "it MUST prepend the local CLUSTER_ID to the CLUSTER_LIST".
        if (o + 4 + length + 4 > out.length) return -1;
        o = putHeader(out, o, flags, type, length + 4);
        putU32(out, o, plan.clusterId);
        for (let i = v, j = o + 4; i < v + length; i++, j++) out[j] = src[i] as number;
        r.o = o + length + 4;
        continue;
      }
      default:
        break;
    }
    if (o + header + length > out.length) return -1;
    for (let i = pos - header - length; i < pos; i++) out[o++] = src[i] as number;
    r.o = o;
  }
  if (!insertBelow(r, 256)) return -1;
  if (plan.prependAs >= 0 && !sawAsPath) return -1;
  return r.o;
}

/** The state of one `rewriteAttributes` call (one at a time: no closure, no allocation per call). */
const rewrite = {
  out: new Uint8Array(0) as Uint8Array,
  o: 0,
  plan: undefined as unknown as BytePlan,
  sawNextHop: false,
  sawLocalPref: false,
  sawOriginator: false,
  sawCluster: false,
};

/**
 * Writes the attributes the plan inserts whose type is below `type` and that have not been written or seen yet —
 * inserted attributes take their place in ascending order. False when the case needs the object path.
 */
function insertBelow(r: typeof rewrite, type: number): boolean {
  const plan = r.plan;
  const out = r.out;
  if (type > AttrType.NextHop && !r.sawNextHop) {
    r.sawNextHop = true;
    if (plan.nextHop < 0) return false; // no NEXT_HOP to keep
    if (r.o + 7 > out.length) return false;
    r.o = putHeader(out, r.o, WELL_KNOWN, AttrType.NextHop, 4);
    putU32(out, r.o, plan.nextHop);
    r.o += 4;
  }
  if (type > AttrType.LocalPref && !r.sawLocalPref) {
    r.sawLocalPref = true;
    if (plan.localPref >= 0 && (plan.drop & (1 << AttrType.LocalPref)) === 0) {
      if (r.o + 7 > out.length) return false;
      r.o = putHeader(out, r.o, WELL_KNOWN, AttrType.LocalPref, 4);
      putU32(out, r.o, plan.localPref);
      r.o += 4;
    }
  }
  if (type > AttrType.OriginatorId && !r.sawOriginator) {
    r.sawOriginator = true;
    if (plan.originatorId >= 0) {
      if (r.o + 7 > out.length) return false;
      r.o = putHeader(out, r.o, OPTIONAL, AttrType.OriginatorId, 4);
      putU32(out, r.o, plan.originatorId);
      r.o += 4;
    }
  }
  if (type > AttrType.ClusterList && !r.sawCluster) {
    r.sawCluster = true;
    if (plan.clusterId >= 0) {
      if (r.o + 7 > out.length) return false;
      r.o = putHeader(out, r.o, OPTIONAL, AttrType.ClusterList, 4);
      putU32(out, r.o, plan.clusterId);
      r.o += 4;
    }
  }
  return true;
}
