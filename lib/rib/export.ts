/**
 * What a route looks like when it leaves: the advertisement rules of RFC 4271 §9.2 and §5.1, RFC 4456 §6 and §8
 * (route reflection), and RFC 1997's well-known communities. Pure functions of the route, its source and the
 * kind of peer it goes to; `outbound-group.ts` memoises them per attribute set.
 *
 * Export runs in two halves around the export policy, as FRR does it, so that a route map sees the route as the
 * peer will get it except for what the speaker adds last:
 * - `exportBase` (before policy): well-known communities; to eBGP drop LOCAL_PREF, ORIGINATOR_ID, CLUSTER_LIST and a
 *   learned MED; to iBGP add the default LOCAL_PREF and, when reflecting, ORIGINATOR_ID and our CLUSTER_ID.
 * - `exportFinal` (after policy): to eBGP prepend our AS and set the next hop to ourselves (unless the policy set
 *   one); to iBGP keep the next hop (§5.1.3) unless next-hop-self is configured or the route has none; put the
 *   next hop where the family wants it (NEXT_HOP for IPv4, MP_REACH_NLRI for IPv6).
 */
import { AsPathSegmentType, type AsPathSegment, type PathAttribute } from '../wire/index.js';
import { DEFAULT_LOCAL_PREF, findAttribute, withAttribute, withoutKinds } from './attr-set.js';
import { SetFlag } from './attr-store.js';

/** What export needs to know about the peer a route was learned from. */
export interface ExportSource {
  /** The peer is in our AS. */
  readonly ibgp: boolean;
  /** RFC 4456: the peer is a route-reflector client of ours. */
  readonly rrClient: boolean;
  /** Its BGP Identifier (RFC 4456 §8: the ORIGINATOR_ID we add when reflecting its routes), as text and number. */
  readonly routerId: string;
  readonly routerIdNumber: number;
}

/** The kind of peer a route goes to, and our addresses on its session. */
export interface ExportTarget {
  readonly ibgp: boolean;
  readonly rrClient: boolean;
  /** iBGP only: announce ourselves as next hop (FRR `next-hop-self`). eBGP always does. */
  readonly nextHopSelf: boolean;
  readonly localAddress4: string | undefined;
  readonly localAddress6: string | undefined;
}

/** What export needs to know about this speaker. */
export interface ExportSpeaker {
  readonly localAsn: number;
  /** RFC 4456 §7: the CLUSTER_ID, by default the BGP Identifier. */
  readonly clusterId: string;
}

/**
 * RFC 4271 §9.2 and RFC 4456 §6: may a route learned from `source` (null: originated here) be advertised to a peer
 * of this kind? Split horizon for the very same peer is checked per peer, not here.
 *   - originated here or learned from eBGP: to every peer;
 *   - learned from iBGP: to every eBGP peer; to iBGP peers only by reflection — a client's route to clients and
 *     non-clients, a non-client's route to clients only ("iBGP-learned routes are not sent to iBGP peers").
 */
export function mayAdvertise(source: ExportSource | null, target: ExportTarget): boolean {
  if (source === null || !source.ibgp || !target.ibgp) return true;
  return source.rrClient || target.rrClient;
}

/**
 * The route as export policy sees it, or null when RFC 1997 forbids advertising it to this kind of peer
 * (NO_ADVERTISE: to no peer; NO_EXPORT and, without confederations, NO_EXPORT_SUBCONFED: to no eBGP peer).
 * `attributes` is the canonical list of the route's set and `flags` its `SetFlag` bits.
 */
export function exportBase(
  attributes: readonly PathAttribute[],
  flags: number,
  source: ExportSource | null,
  target: ExportTarget,
  speaker: ExportSpeaker,
): PathAttribute[] | null {
  if (flags & SetFlag.NoAdvertise) return null;
  if (!target.ibgp && flags & (SetFlag.NoExport | SetFlag.NoExportSubconfed)) return null;
  if (!target.ibgp) {
    // §5.1.5: LOCAL_PREF "MUST NOT" go to external peers; RFC 4456 attributes stay inside the AS; §5.1.4: a MED
    // "received from a neighboring AS MUST NOT be propagated to other neighboring ASes".
    return source === null
      ? withoutKinds(attributes, 'local-pref', 'originator-id', 'cluster-list')
      : withoutKinds(attributes, 'local-pref', 'originator-id', 'cluster-list', 'multi-exit-disc');
  }
  let attrs: PathAttribute[] = attributes.slice();
  // §5.1.5: a speaker "MUST include this attribute in UPDATE messages it sends to internal peers".
  if ((flags & SetFlag.LocalPref) === 0) attrs.push({ kind: 'local-pref', localPref: DEFAULT_LOCAL_PREF });
  if (source !== null && source.ibgp) {
    // RFC 4456 §8: "the ORIGINATOR_ID ... created by an RR ... if one does not already exist"; "When an RR
    // reflects a route, it MUST prepend the local CLUSTER_ID to the CLUSTER_LIST."
    if ((flags & SetFlag.OriginatorId) === 0) attrs.push({ kind: 'originator-id', originatorId: source.routerId });
    const clusterList = findAttribute(attributes, 'cluster-list')?.clusterList ?? [];
    attrs = withAttribute(attrs, { kind: 'cluster-list', clusterList: [speaker.clusterId, ...clusterList] });
  }
  return attrs;
}

/** §5.1.2: our AS first in the path — into the leading AS_SEQUENCE, or a new one; confederation segments go. */
export function prependAs(segments: readonly AsPathSegment[], asn: number): AsPathSegment[] {
  const kept = segments.filter((s) => s.type === AsPathSegmentType.AsSequence || s.type === AsPathSegmentType.AsSet);
  const first = kept[0];
  if (first !== undefined && first.type === AsPathSegmentType.AsSequence && first.asns.length < 255) {
    return [{ type: AsPathSegmentType.AsSequence, asns: [asn, ...first.asns] }, ...kept.slice(1)];
  }
  return [{ type: AsPathSegmentType.AsSequence, asns: [asn] }, ...kept];
}

/** The next hop text of a list for a family (NEXT_HOP for IPv4 routes, else MP_REACH_NLRI's first). */
function nextHopOf(attrs: readonly PathAttribute[], afi: 1 | 2): string | undefined {
  if (afi === 1) {
    const nh = findAttribute(attrs, 'next-hop');
    if (nh !== undefined) return nh.nextHop;
  }
  const mp = findAttribute(attrs, 'mp-reach-nlri');
  return mp !== undefined && mp.afi === afi ? mp.nextHop[0] : undefined;
}

/**
 * The route as the peer gets it, after policy. `base` is what policy was given: a next hop that policy changed is
 * kept even on eBGP. Null when the route needs a next hop of ours that the session does not have.
 */
export function exportFinal(
  attrs: readonly PathAttribute[],
  base: readonly PathAttribute[],
  afi: 1 | 2,
  target: ExportTarget,
  speaker: ExportSpeaker,
): PathAttribute[] | null {
  let out: PathAttribute[] = attrs.slice();
  const current = nextHopOf(attrs, afi);
  let self: boolean;
  if (!target.ibgp) {
    const asPath = findAttribute(attrs, 'as-path');
    out = withAttribute(withoutKinds(out, 'local-pref'), {
      kind: 'as-path',
      segments: prependAs(asPath?.segments ?? [], speaker.localAsn),
    });
    self = current === undefined || current === nextHopOf(base, afi);
  } else {
    self = target.nextHopSelf || current === undefined;
  }
  if (afi === 1) {
    const nh = self ? target.localAddress4 : current;
    if (nh === undefined) return null;
    const mp = findAttribute(out, 'mp-reach-nlri');
    // An IPv4 route whose next hop is IPv6 (RFC 8950) keeps it in MP_REACH_NLRI when the next hop is kept.
    if (!self && mp !== undefined && mp.afi === 1 && findAttribute(out, 'next-hop') === undefined) return out;
    return withAttribute(withoutKinds(out, 'mp-reach-nlri'), { kind: 'next-hop', nextHop: nh });
  }
  const nh = self ? target.localAddress6 : current;
  if (nh === undefined) return null;
  const mp = findAttribute(out, 'mp-reach-nlri');
  const nextHop = !self && mp !== undefined && mp.afi === 2 ? mp.nextHop : [nh];
  return withAttribute(withoutKinds(out, 'next-hop'), { kind: 'mp-reach-nlri', afi: 2, safi: 1, nextHop, nlri: [] });
}
