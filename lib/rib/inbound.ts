/**
 * The receive side's attribute rules, applied before a route enters the Adj-RIB-In and before import policy.
 *
 * - RFC 6793 §4.2.3: from an OLD (2-octet) speaker, AS_PATH and AS4_PATH are merged into the path a NEW speaker
 *   would have sent, and AS4_AGGREGATOR replaces an AGGREGATOR of AS_TRANS — unless AGGREGATOR names another AS,
 *   in which case both AS4 attributes are ignored. From a NEW speaker they are ignored (§4.1: a NEW speaker never
 *   sends them to another NEW speaker). The stored set never carries them; `outbound-group.ts` makes them again
 *   for 2-octet peers.
 * - RFC 4760: one UPDATE can carry IPv4 routes in its NLRI field (next hop in NEXT_HOP) and routes of another family
 *   in MP_REACH_NLRI (next hop inside it); each family's routes get the attributes that apply to them.
 * - RFC 4271 §5.1.5: LOCAL_PREF received from an external peer "MUST be ignored". ORIGINATOR_ID and CLUSTER_LIST
 *   (RFC 4456) describe reflection inside the sender's AS and are ignored from eBGP too.
 * Imports only wire helpers and attr-set.
 */
import { AS_TRANS, reconcileAs4Path, type MpReachNlriAttribute, type PathAttribute } from '../wire/index.js';
import { findAttribute, withAttribute } from './attr-set.js';

/** RFC 6793: the attributes of an UPDATE as a NEW speaker understands them. */
export function reconcileFourOctetAs(attrs: readonly PathAttribute[], fourOctetAs: boolean): readonly PathAttribute[] {
  if (fourOctetAs) return attrs; // AS4_PATH / AS4_AGGREGATOR from a NEW speaker are dropped by normalisation
  const as4Path = findAttribute(attrs, 'as4-path');
  const as4Aggregator = findAttribute(attrs, 'as4-aggregator');
  if (as4Path === undefined && as4Aggregator === undefined) return attrs;
  const aggregator = findAttribute(attrs, 'aggregator');
  // "If the AGGREGATOR attribute ... contains an AS number other than AS_TRANS, then ... the AS4_AGGREGATOR and
  // AS4_PATH attributes ... SHALL be ignored" — the route was aggregated by an OLD speaker after the AS4 speaker.
  if (aggregator !== undefined && aggregator.asn !== AS_TRANS) return attrs;
  let out: readonly PathAttribute[] = attrs;
  if (aggregator !== undefined && as4Aggregator !== undefined) {
    out = withAttribute(out, { kind: 'aggregator', asn: as4Aggregator.asn, address: as4Aggregator.address });
  }
  const asPath = findAttribute(attrs, 'as-path');
  if (asPath !== undefined && as4Path !== undefined) {
    out = withAttribute(out, { kind: 'as-path', segments: reconcileAs4Path(asPath.segments, as4Path.segments) });
  }
  return out;
}

/** The attributes of the IPv4 routes of the NLRI field: everything but the MP attributes. */
export function classicFamilyAttributes(attrs: readonly PathAttribute[]): PathAttribute[] {
  return attrs.filter((a) => a.kind !== 'mp-reach-nlri' && a.kind !== 'mp-unreach-nlri');
}

/**
 * The attributes of the routes in `mp`: the next hop is MP_REACH_NLRI's (kept, without its NLRI, by
 * normalisation), so NEXT_HOP — which belongs to the NLRI field's routes — is left out.
 */
export function mpFamilyAttributes(attrs: readonly PathAttribute[], mp: MpReachNlriAttribute): PathAttribute[] {
  const out: PathAttribute[] = attrs.filter((a) => a.kind !== 'next-hop' && a.kind !== 'mp-unreach-nlri' && a.kind !== 'mp-reach-nlri');
  out.push(mp);
  return out;
}

/** `attrs` without LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST: an eBGP route as import policy sees it. */
export function withoutInternalOnlyAttributes(attrs: readonly PathAttribute[]): PathAttribute[] {
  return attrs.filter((a) => a.kind !== 'local-pref' && a.kind !== 'originator-id' && a.kind !== 'cluster-list');
}
