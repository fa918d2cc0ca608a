/**
 * The RIB's public types: its options, the peers it is told about, the policy hooks it calls, and the views its
 * read API returns. Plain data, documented for the speaker and API layers. Imports only wire types.
 */
import type { CodecContext, PathAttribute, Prefix } from '../wire/index.js';

/** A route as policy sees it. */
export interface RouteInput {
  readonly prefix: Prefix;
  readonly attributes: readonly PathAttribute[];
}

/**
 * An import or export policy (a route map): the attributes to use — the same array when nothing changes, which
 * lets the RIB reuse its interned set without looking the result up — or null to deny the route.
 */
export type RoutePolicy = (route: RouteInput, peer: PeerInfo) => readonly PathAttribute[] | null;
export type ImportPolicy = RoutePolicy;
export type ExportPolicy = RoutePolicy;

/**
 * What `Rib.refreshOut` sends: the whole Adj-RIB-Out (`'adj-rib-out'`: the peer asked with a ROUTE-REFRESH, RFC
 * 2918), or only what changed since it was sent (`'changes'`: our export policy changed). Either way a route the
 * peer was sent and no longer gets is withdrawn.
 */
export type RefreshOutScope = 'adj-rib-out' | 'changes';

/** Construction options of a `Rib`. */
export interface RibOptions {
  /** Our AS number (4-octet values allowed). */
  readonly localAsn: number;
  /** Our BGP Identifier (dotted quad). */
  readonly routerId: string;
  /** RFC 4456 §7 CLUSTER_ID; defaults to `routerId`. */
  readonly clusterId?: string;
  /** Size of the ECMP set reported by `locRib` (FRR `maximum-paths`); default 1. */
  readonly maximumPaths?: number;
  /** Compare MED across neighbouring ASes (FRR `bgp always-compare-med`); default false. */
  readonly alwaysCompareMed?: boolean;
}

/** Our addresses on a peer's session, used as next hop when we announce ourselves (eBGP, next-hop-self, local routes). */
export interface LocalAddresses {
  readonly ipv4?: string;
  readonly ipv6?: string;
}

/** A configured peer. iBGP or eBGP follows from `asn` compared with the RIB's `localAsn`. */
export interface PeerInfo {
  /** Unique id (the speaker's choice, e.g. `192.168.3.1`). */
  readonly id: string;
  /** The peer's address: the last tie-break of the decision process. */
  readonly address: string;
  readonly asn: number;
  /** The peer's BGP Identifier, if known before the session comes up (`peerUp` may supply it). */
  readonly routerId?: string;
  /** RFC 4456: the peer is a route-reflector client of ours (iBGP only). */
  readonly routeReflectorClient?: boolean;
  /** Our addresses for next-hop-self; `peerUp` may supply them from the socket. */
  readonly localAddress?: LocalAddresses;
  /** iBGP: announce ourselves as next hop on every route (FRR `next-hop-self`). */
  readonly nextHopSelf?: boolean;
  /** Applied to every route received from the peer; absent = accept all unchanged. */
  readonly importPolicy?: ImportPolicy;
  /** Applied to every route sent to the peer; absent = send all unchanged. */
  readonly exportPolicy?: ExportPolicy;
  /**
   * Peers with the same `outboundGroup` name and the same export policy function share export work (FRR peer
   * groups); their policy is then called once per route for the whole group with one member's `PeerInfo`, so it
   * must not depend on which member. Without a name, peers with an export policy are never grouped; peers
   * without one are grouped automatically.
   */
  readonly outboundGroup?: string;
  /** The codec context for what we send, if known before the session comes up (`peerUp` may supply it). */
  readonly txContext?: CodecContext;
  /** RFC 4486 Cease/1: report (event `max-prefix`) when the peer's Adj-RIB-In grows past this many routes. */
  readonly maxPrefix?: number;
}

/** What the session negotiated, given to `Rib.peerUp`. */
export interface NegotiatedSession {
  /** Families (`familyKey(afi, safi)`) both sides announced; routes of other families are neither sent nor kept. */
  readonly families: readonly number[];
  /** The codec context for what we send (4-octet AS, ADD-PATH, extended messages). */
  readonly txContext?: CodecContext;
  /** The peer's BGP Identifier from its OPEN. */
  readonly routerId?: string;
  /** Our addresses on the session (next-hop-self). */
  readonly localAddress?: LocalAddresses;
}

/** One path of a Loc-RIB entry. */
export interface PathView {
  /** Peer id it was learned from, or null for a route this speaker originates. */
  readonly from: string | null;
  readonly peerAddress: string | null;
  /** Chosen by the decision process (RFC 4271 §9.1.2). */
  readonly best: boolean;
  /** Part of the ECMP set (more than one member). */
  readonly multipath: boolean;
  /** Passed import policy and loop detection. */
  readonly accepted: boolean;
  /** Attributes after import policy (as received when not accepted). */
  readonly attributes: readonly PathAttribute[];
  /** Attributes as received (after RFC 6793 reconciliation). */
  readonly received: readonly PathAttribute[];
  /** RFC 4724 §4.2: kept from a restarting peer and not yet sent again (FRR's status `S`). */
  readonly stale: boolean;
}

/** A prefix of the Loc-RIB with all its paths, best first. */
export interface LocRibEntry {
  readonly prefix: Prefix;
  readonly paths: readonly PathView[];
}

/** A route of a peer's Adj-RIB-In. */
export interface AdjRibInEntry {
  readonly prefix: Prefix;
  /** As received. */
  readonly received: readonly PathAttribute[];
  readonly accepted: boolean;
  /** After import policy, when accepted. */
  readonly attributes: readonly PathAttribute[] | null;
  /** RFC 4724 §4.2: kept from a restarting peer and not yet sent again. */
  readonly stale: boolean;
}

/** A route of a peer's Adj-RIB-Out: what it was sent (the peer's view, next hop and AS_PATH included). */
export interface AdjRibOutEntry {
  readonly prefix: Prefix;
  readonly attributes: readonly PathAttribute[];
}

/** Per-peer route counts for `show bgp summary` and metrics. */
export interface PeerCounters {
  /** Routes in the Adj-RIB-In. */
  readonly received: number;
  /** Of those, eligible for the decision process. */
  readonly accepted: number;
  /** Routes in the Adj-RIB-Out (advertised and not withdrawn). */
  readonly sent: number;
  /** Routes waiting to be sent (announcements and withdrawals). */
  readonly pending: number;
  /** UPDATE messages produced by `flush`, End-of-RIB included. */
  readonly updatesSent: number;
  /** Of `received`, routes kept stale from a restarting peer (RFC 4724 §4.2). */
  readonly stale: number;
}

/** Octets held by the RIB's tables, by structure (see `Rib.memoryUse`). */
export interface RibMemoryUse {
  /** Prefix keys, reference counts and the IPv4 hash table. */
  readonly prefixIndex: number;
  /** Loc-RIB heads and the path arrays (Adj-RIBs-In). */
  readonly paths: number;
  /** Per-set fields and the attribute-set hash table. */
  readonly attributeSets: number;
  /** Pages of canonical attribute encodings. */
  readonly attributeArena: number;
  /** Every peer's Adj-RIB-Out (sent sets, queues). */
  readonly adjRibOut: number;
  /** Outbound groups' export memos. */
  readonly exportMemo: number;
}

/** How much one `flush` call may produce, so that one peer's table does not starve the event loop. */
export interface FlushBudget {
  /** Default 64 messages. */
  readonly maxMessages?: number;
  /** Default unlimited. */
  readonly maxBytes?: number;
}

/** Events of the RIB. */
export interface RibEvents {
  /** The peer has UPDATEs to send: call `flush(peerId)` (again, while `hasPending(peerId)`). */
  outbound: (peerId: string) => void;
  /** RFC 4486: the peer's Adj-RIB-In exceeded its `maxPrefix`; the session should send Cease / 1. */
  'max-prefix': (peerId: string, received: number, limit: number) => void;
  /**
   * The peer sent End-of-RIB for `family` (familyKey; RFC 4724 §2). Its stale routes of that family, if any, are
   * already gone; `staleRemaining` is how many stale routes it still has in other families.
   */
  'end-of-rib': (peerId: string, family: number, staleRemaining: number) => void;
}
