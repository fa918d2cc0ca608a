/**
 * The Speaker's public vocabulary: what a caller configures (`SpeakerOptions`, `PeerConfig`, peer groups and listen
 * ranges), what it reads back about a peer (`PeerStatus`: FSM state, RFC 4271 §8, counters, what the OPENs
 * negotiated, RFC 8212 policy verdicts) and the events it hears (`SpeakerEvents`). Types only; the Speaker
 * (`speaker.ts`) and the per-peer code (`peer-entry.ts`, `session-wiring.ts`, `pump.ts`) use them, and `index.ts`
 * exports them.
 */
import type { BgpError, NotificationMessage, UpdateMessage } from '../wire/index.js';
import type { AdvertisedCapabilities, FamilyRef, FsmState, Negotiated, RemoteAs } from '../fsm/index.js';
import type { Clock, Connector, Logger, MessageCounts, NotificationRecord } from '../session/index.js';
import type { Policy } from '../policy/index.js';

export interface SpeakerOptions {
  /** Our AS number (4-octet values allowed). */
  asn: number;
  /** Our BGP Identifier. */
  routerId: string;
  /** Where to accept connections; `false` for none. Default `{ host: '::', port: 179 }`. */
  listen?: { host?: string; port?: number } | false;
  logger?: Logger;
  clock?: Clock;
  connector?: Connector;
  /** Random source for timer jitter (tests). */
  random?: () => number;
  /** RFC 4456 CLUSTER_ID (default: routerId). */
  clusterId?: string;
  /** ECMP paths kept in the Loc-RIB view (FRR `maximum-paths`, default 1). */
  maximumPaths?: number;
  alwaysCompareMed?: boolean;
  /**
   * RFC 8212: eBGP peers without a policy neither accept nor send routes (default true, as FRR's
   * `bgp ebgp-requires-policy`; pfSense's "Disable eBGP Require Policy" sets it false).
   */
  ebgpRequiresPolicy?: boolean;
  /** Most dynamic neighbours accepted from listen ranges at once (FRR `bgp listen limit`, default 100). */
  listenLimit?: number;
  /**
   * RFC 4724 receiving speaker: seconds a restarted peer's stale routes wait for its End-of-RIB once its session is
   * back (FRR `bgp graceful-restart stalepath-time`, default 360).
   */
  stalePathTime?: number;
}

export type FamilyName = 'ipv4-unicast' | 'ipv6-unicast';

export interface PeerConfig {
  address: string;
  /** Default 179. */
  port?: number;
  /** The peer's AS, or `internal`/`external`/`any` for dynamic neighbours; may come from the peer group. */
  remoteAs?: RemoteAs;
  /** Wait for the peer to connect; never dial. */
  passive?: boolean;
  /** Bind outgoing connections to this local address. */
  localAddress?: string;
  /** Seconds (default 90). */
  holdTime?: number;
  /**
   * Seconds a peer may go without taking any of our bytes before the session is reset with 8/0 (RFC 9687 Send
   * Hold Timer); default the greater of 8 minutes and twice the hold time, 0 off.
   */
  sendHoldTime?: number;
  keepaliveTime?: number;
  /** Seconds: ceiling of the reconnect backoff (default 120). */
  connectRetryTime?: number;
  /** Default `['ipv4-unicast']`. */
  families?: readonly (FamilyName | FamilyRef)[];
  /** RFC 4456: this iBGP peer is a route-reflector client. */
  routeReflectorClient?: boolean;
  /** iBGP: rewrite the next hop to ourselves. */
  nextHopSelf?: boolean;
  /** Inbound route map (policy function). */
  importPolicy?: Policy;
  /** Outbound route map (policy function). */
  exportPolicy?: Policy;
  /**
   * The peer group this peer belongs to (FRR `neighbor X peer-group NAME`): its settings apply wherever the peer's
   * own leave a field unset, and its members share outbound policy and encodings.
   */
  peerGroup?: string;
  /** RFC 4486: reset with Cease 6/1 when the peer sends more routes than this. */
  maxPrefix?: number;
  /** Capabilities beyond the defaults (route refresh, 4-octet AS). */
  capabilities?: AdvertisedCapabilities;
  description?: string;
}

/** Settings shared by the members of a peer group (every `PeerConfig` field but the address). */
export type PeerGroupConfig = Omit<PeerConfig, 'address' | 'peerGroup'>;

/** A listen range: connections from inside `prefix` become dynamic neighbours of `peerGroup`. */
export interface ListenRangeConfig {
  prefix: string;
  peerGroup: string;
}

/** What `peer()`/`peers()` report. */
export interface PeerStatus {
  address: string;
  /** Accepted from a listen range rather than configured. */
  dynamic: boolean;
  port: number;
  remoteAs: RemoteAs | undefined;
  /** The AS the peer announced, once a session came up. */
  peerAsn: number | undefined;
  state: FsmState;
  description: string | undefined;
  peerGroup: string | undefined;
  /** Seconds since the last state change into or out of Established. */
  upDownSeconds: number;
  negotiated: Negotiated | undefined;
  localEndpoint: { address: string; port: number } | undefined;
  messages: { received: MessageCounts; sent: MessageCounts };
  prefixes: { received: number; accepted: number; sent: number };
  lastNotificationSent: NotificationRecord | undefined;
  lastNotificationReceived: NotificationRecord | undefined;
  lastDownReason: string | undefined;
  flaps: number;
  /** Why routes are held back by policy (`rfc8212-no-policy`: RFC 8212 and no policy on an eBGP session). */
  policyBlocked: { in?: string; out?: string };
}

export interface SpeakerEvents {
  peerUp: [address: string, negotiated: Negotiated];
  peerDown: [address: string, reason: string];
  peerState: [address: string, from: FsmState, to: FsmState];
  update: [address: string, update: UpdateMessage];
  notificationReceived: [address: string, notification: NotificationMessage];
  notificationSent: [address: string, error: BgpError];
  /**
   * UPDATE propagation latency toward one peer: seconds from the first route change queued for it (an UPDATE
   * received and decided, a route announced or withdrawn) until its queue was drained onto the session. One
   * observation per burst; a burst that sends the whole table (session start, route refresh) is not one: it
   * measures the table, not a change.
   */
  updatesPropagated: [address: string, seconds: number];
}
