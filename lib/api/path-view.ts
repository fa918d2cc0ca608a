/**
 * One path's attributes (RFC 4271 §5 and the extensions) in readable form for the control API: origin as a word,
 * AS_PATH as FRR prints it, communities as `show bgp` shows them (RFC 1997 names, `RT:65000:100`, `65000:1:2`),
 * the next hop from NEXT_HOP or MP_REACH_NLRI (RFC 4760, RFC 2545 global + link-local). Anything without a field
 * of its own (unknown, malformed, AS4_PATH…) is kept in `otherAttributes` in the `tsbgpd decode` form.
 */
import {
  Origin,
  formatAsPath,
  formatCommunity,
  formatExtendedCommunity,
  formatLargeCommunity,
  type PathAttribute,
} from '../wire/index.js';
import { attributeJson } from '../inspect/index.js';
import type { RoutePathView } from './views.js';

/** Where a path came from and what the decision process made of it — everything but the attributes. */
export type PathContext = Pick<RoutePathView, 'source' | 'peer' | 'peerRouterId' | 'internal' | 'best' | 'multipath' | 'valid' | 'stale' | 'weight'>;

const ORIGIN_WORDS: Readonly<Record<number, RoutePathView['origin']>> = {
  [Origin.Igp]: 'igp',
  [Origin.Egp]: 'egp',
  [Origin.Incomplete]: 'incomplete',
};

/**
 * The view of a path of a prefix of `afi`. The next hop of an IPv6 route is MP_REACH_NLRI's; an IPv4 route's is
 * NEXT_HOP, or MP_REACH_NLRI's when it has none (RFC 8950: an IPv6 next hop for IPv4 NLRI).
 */
export function pathView(afi: 1 | 2, attributes: readonly PathAttribute[], context: PathContext): RoutePathView {
  let nextHop: string | undefined;
  let mpNextHop: readonly string[] | undefined;
  const view: RoutePathView = {
    ...context,
    origin: null,
    asPath: '',
    nextHop: null,
    nextHopLinkLocal: null,
    med: null,
    localPref: null,
    communities: [],
    extendedCommunities: [],
    largeCommunities: [],
    atomicAggregate: false,
    aggregator: null,
    originatorId: null,
    clusterList: [],
    otc: null,
    otherAttributes: [],
  };
  for (const a of attributes) {
    switch (a.kind) {
      case 'origin':
        view.origin = ORIGIN_WORDS[a.origin] ?? null;
        if (view.origin === null) view.otherAttributes.push(attributeJson(a));
        break;
      case 'as-path':
        view.asPath = formatAsPath(a.segments);
        break;
      case 'next-hop':
        nextHop = a.nextHop;
        break;
      case 'mp-reach-nlri':
        // RFC 2545 §3: a global address, then optionally a link-local one. Opaque next hops (families this
        // codec does not decode) have no text form.
        if (a.nextHopBytes === undefined) mpNextHop = a.nextHop;
        else view.otherAttributes.push(attributeJson(a));
        break;
      case 'multi-exit-disc':
        view.med = a.med;
        break;
      case 'local-pref':
        view.localPref = a.localPref;
        break;
      case 'atomic-aggregate':
        view.atomicAggregate = true;
        break;
      case 'aggregator':
        view.aggregator = { asn: a.asn, address: a.address };
        break;
      case 'communities':
        view.communities = a.communities.map(formatCommunity);
        break;
      case 'extended-communities':
        view.extendedCommunities = a.communities.map((c) => formatExtendedCommunity(c, 'display'));
        break;
      case 'large-community':
        view.largeCommunities = a.communities.map(formatLargeCommunity);
        break;
      case 'originator-id':
        view.originatorId = a.originatorId;
        break;
      case 'cluster-list':
        view.clusterList = [...a.clusterList];
        break;
      case 'otc':
        view.otc = a.asn;
        break;
      default:
        view.otherAttributes.push(attributeJson(a));
    }
  }
  if (afi === 1 && nextHop !== undefined) {
    view.nextHop = nextHop;
  } else if (mpNextHop !== undefined) {
    view.nextHop = mpNextHop[0] ?? null;
    view.nextHopLinkLocal = mpNextHop[1] ?? null;
  } else if (nextHop !== undefined) {
    view.nextHop = nextHop;
  }
  return view;
}
