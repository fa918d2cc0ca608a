/**
 * The control API's JSON: what `GET /v1/summary`, `/v1/neighbors` and `/v1/routes` return and what the `show`
 * renderers read. Plain data, stable field names, documented field by field in docs/control-api.md.
 *
 * Conventions: every field is always present (absent values are `null`, never missing keys); prefixes are CIDR
 * text, addresses text; families are ids like `ipv4-unicast`; durations are whole seconds; instants are ISO 8601
 * UTC strings. The text of `show` is rendered from these values alone, so `--json` and the tables always agree.
 */
import type { Json } from '../inspect/index.js';
import type { PeerStatus } from '../speaker/index.js';

/** RFC 4271 §8.2.2 state names, as the speaker reports them. */
export type PeerStateName = PeerStatus['state'];
/** The configured remote AS: a number, `internal`/`external`/`any` (dynamic neighbours), or null when unset. */
export type RemoteAsView = NonNullable<PeerStatus['remoteAs']> | null;

export interface PrefixCountsView {
  /** Routes in the peer's Adj-RIB-In. */
  received: number;
  /** Of those, the ones that passed import policy and loop detection. */
  accepted: number;
  /** Routes in the peer's Adj-RIB-Out (advertised and not withdrawn). */
  sent: number;
}

/** Why a direction carries no routes: `rfc8212-no-policy` (RFC 8212) or another policy deny reason. */
export interface PolicyBlockedView {
  in: string | null;
  out: string | null;
}

// ---------------------------------------------------------------------------------------------------------------
// GET /v1/summary

export interface SummaryView {
  routerId: string;
  localAs: number;
  /** Prefixes in the Loc-RIB, all families. */
  ribEntries: number;
  peers: SummaryPeerView[];
}

export interface SummaryPeerView {
  address: string;
  /** Accepted from a listen range rather than configured (FRR marks it `*`). */
  dynamic: boolean;
  port: number;
  remoteAs: RemoteAsView;
  /** The AS the peer announced in the OPEN of the session that is up; null while none is. */
  peerAs: number | null;
  description: string | null;
  peerGroup: string | null;
  state: PeerStateName;
  /** Seconds since the session came up (Established) or went down; null when it has never come up. */
  upDownSeconds: number | null;
  messages: { received: number; sent: number };
  /** Messages waiting to be processed: always 0, input is handled as it arrives. */
  inQueue: number;
  /** Route announcements and withdrawals waiting to be sent to the peer. */
  outQueue: number;
  prefixes: PrefixCountsView;
  policyBlocked: PolicyBlockedView;
}

// ---------------------------------------------------------------------------------------------------------------
// GET /v1/neighbors, /v1/neighbors/:addr

export interface NeighborsView {
  routerId: string;
  localAs: number;
  neighbors: NeighborView[];
}

export interface MessageCountsView {
  open: number;
  update: number;
  notification: number;
  keepalive: number;
  routeRefresh: number;
  total: number;
}

export interface NotificationView {
  code: number;
  subcode: number;
  /** "Cease / Administrative Shutdown". */
  name: string;
  /** RFC 9003 shutdown communication. */
  shutdownMessage: string | null;
  at: string;
  agoSeconds: number;
}

export interface FamilyPrefixesView extends PrefixCountsView {
  family: string;
}

export interface TimersView {
  /** Negotiated (RFC 4271 §4.2: the smaller of the two OPENs); null while no session is up. */
  holdTime: number | null;
  keepaliveTime: number | null;
  /** What we offer in our OPEN; null when not known. */
  configuredHoldTime: number | null;
  configuredKeepaliveTime: number | null;
}

/** One capability of an OPEN (RFC 5492), families as ids. */
export type CapabilityView =
  | { name: 'multiprotocol'; code: 1; family: string }
  | { name: 'route-refresh'; code: number }
  | { name: 'extended-next-hop'; code: 5; entries: { family: string; nextHopAfi: number }[] }
  | { name: 'extended-message'; code: 6 }
  | { name: 'role'; code: 9; role: string }
  | {
      name: 'graceful-restart';
      code: 64;
      restartTime: number;
      restarting: boolean;
      notification: boolean;
      families: { family: string; forwardingPreserved: boolean }[];
    }
  | { name: 'four-octet-as'; code: 65; asn: number }
  | { name: 'add-path'; code: 69; families: { family: string; mode: 'receive' | 'send' | 'both' | number }[] }
  | { name: 'enhanced-route-refresh'; code: 70 }
  | {
      name: 'long-lived-graceful-restart';
      code: 71;
      families: { family: string; forwardingPreserved: boolean; staleTime: number }[];
    }
  | { name: 'fqdn'; code: 73; hostname: string; domainName: string }
  | { name: 'unknown'; code: number; value: string; malformed: boolean };

export interface NegotiatedView {
  fourOctetAs: boolean;
  routeRefresh: boolean;
  enhancedRouteRefresh: boolean;
  extendedMessage: boolean;
  families: string[];
  addPath: { send: string[]; receive: string[] };
  /** RFC 4724 as the peer advertised it. */
  gracefulRestart: { restartTime: number; restarting: boolean; notification: boolean; families: string[] } | null;
  extendedNextHop: { family: string; nextHopAfi: number }[];
  role: { local: string | null; peer: string | null };
}

export interface CapabilitiesView {
  advertised: CapabilityView[];
  received: CapabilityView[];
  negotiated: NegotiatedView;
}

export interface EndpointView {
  address: string;
  port: number;
}

export interface NeighborView {
  address: string;
  dynamic: boolean;
  port: number;
  remoteAs: RemoteAsView;
  peerAs: number | null;
  localAs: number;
  /** iBGP or eBGP, once known. */
  link: 'internal' | 'external' | null;
  description: string | null;
  peerGroup: string | null;
  /** The peer's BGP Identifier. */
  routerId: string | null;
  localRouterId: string;
  state: PeerStateName;
  upDownSeconds: number | null;
  connections: { established: number; dropped: number };
  timers: TimersView;
  /** Of the session that is up; null while none is. */
  capabilities: CapabilitiesView | null;
  messages: { sent: MessageCountsView; received: MessageCountsView };
  queues: { in: number; out: number };
  lastNotificationSent: NotificationView | null;
  lastNotificationReceived: NotificationView | null;
  /** Why the last session ended; `agoSeconds` is null when the time is not known (a session is up again). */
  lastReset: { reason: string; agoSeconds: number | null } | null;
  /** Prefix counts per negotiated family. */
  families: FamilyPrefixesView[];
  prefixes: PrefixCountsView;
  policyBlocked: PolicyBlockedView;
  /** Our end of the session that is up. */
  localHost: EndpointView | null;
}

// ---------------------------------------------------------------------------------------------------------------
// GET /v1/routes

export type RoutesViewKind = 'loc-rib' | 'received' | 'advertised';

export interface RoutePathView {
  /** `local`: originated by this speaker; `peer`: learned from `peer`. */
  source: 'local' | 'peer';
  peer: string | null;
  peerRouterId: string | null;
  /** Learned over iBGP. */
  internal: boolean;
  best: boolean;
  multipath: boolean;
  /** Passed import policy and loop detection (always true in the Loc-RIB and advertised views). */
  valid: boolean;
  /** RFC 4724 §4.2: kept from a restarting peer, not yet sent again (FRR's status `S`). */
  stale: boolean;
  origin: 'igp' | 'egp' | 'incomplete' | null;
  /** FRR's text: `65001 65002 {65003,65004}`; empty for a path with no ASes. */
  asPath: string;
  /** NEXT_HOP, or the first next hop of MP_REACH_NLRI (RFC 2545: the global address); null for "ourselves". */
  nextHop: string | null;
  /** RFC 2545: the link-local next hop, when one came with the global one. */
  nextHopLinkLocal: string | null;
  med: number | null;
  localPref: number | null;
  /** FRR's weight: 32768 for a route this speaker originates (preferred first), 0 for learned ones. */
  weight: number;
  communities: string[];
  extendedCommunities: string[];
  largeCommunities: string[];
  atomicAggregate: boolean;
  aggregator: { asn: number; address: string } | null;
  originatorId: string | null;
  clusterList: string[];
  /** RFC 9234 Only to Customer. */
  otc: number | null;
  /** Every other attribute (unknown, malformed, AS4_PATH…) in the form of `tsbgpd decode`. */
  otherAttributes: Json[];
}

export interface RouteEntryView {
  prefix: string;
  paths: RoutePathView[];
}

export interface RouteFamilyView {
  family: string;
  routes: RouteEntryView[];
}

export interface RoutesView {
  routerId: string;
  localAs: number;
  /** LOCAL_PREF the decision process assumes when a path carries none. */
  defaultLocalPref: number;
  view: RoutesViewKind;
  neighbor: string | null;
  /** The prefix asked for (as given), or null for the whole table. */
  prefix: string | null;
  /** Prefixes in the Loc-RIB, all families. */
  ribEntries: number;
  families: RouteFamilyView[];
  totals: { routes: number; paths: number };
}
