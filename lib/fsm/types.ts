/**
 * The vocabulary between the FSM and the session layer: states, events in, actions out (RFC 4271 §8.1, §8.2).
 *
 * The FSM is sans-IO: the session layer turns sockets, timers and decoded messages into `FsmEvent`s, hands them to
 * `PeerFsm.handle`, and carries out the returned `FsmAction`s in order. Nothing here reads a clock or a socket.
 *
 * Connections are named by small integers that the FSM allocates (`connect` and `accept` actions): during a
 * connection collision (§6.8) one peer has two transport connections, each in its own OpenSent / OpenConfirm /
 * Established sub-state — RFC 4271 §8 runs one FSM per connection for the same reason. Events that concern one
 * connection carry its `conn`; events for a connection the FSM has already closed are ignored, so a late socket
 * event can never resurrect it.
 *
 * Event names are the RFC's (§8.1.2–§8.1.5), with ROUTE-REFRESH (RFC 2918), `UpdateSent` (§8.2.2: "each time the
 * local system sends a KEEPALIVE or UPDATE message, it restarts its KeepaliveTimer"), the SendHoldTimer of RFC 9687
 * with `MessagesTransmitted` (its "each time the local system sends a BGP message", counted when the bytes leave for
 * the kernel) and the IdleHold timers of the optional DampPeerOscillations attribute (§8.1.1) added.
 *
 * The steady state of an Established session — an UPDATE or KEEPALIVE in, a write taken by the kernel — is the one
 * path that runs per message, so its action lists are built once per session and returned shared and frozen: the
 * FSM still decides every step, but the hot path allocates nothing. Imports only wire types.
 */
import type { BgpError } from '../wire/errors.js';
import type {
  CodecContext,
  NotificationMessage,
  OpenMessage,
  RouteRefreshMessage,
  UpdateMessage,
} from '../wire/types.js';

/** RFC 4271 §8.2.2: the six states, spelled as the RFC spells them. */
export type FsmState = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

/** The state of one transport connection: `Connect` while our TCP connection request is outstanding. */
export type ConnectionState = 'Connect' | 'OpenSent' | 'OpenConfirm' | 'Established';

/** Who opened the transport connection — the input of collision resolution (§6.8). */
export type ConnectionDirection = 'outgoing' | 'incoming';

/** Timers that belong to the peer (one each). */
export type PeerTimerName = 'ConnectRetry' | 'IdleHold' | 'IdleHoldReset';
/** Timers that belong to one transport connection; `SendHold` is RFC 9687's SendHoldTimer. */
export type ConnectionTimerName = 'Hold' | 'Keepalive' | 'SendHold';

/**
 * A timer the session layer runs on the FSM's behalf. `IdleHold` delays the automatic restart after an error
 * (DampPeerOscillations, §8.1.1); `IdleHoldReset` fires once a session has stayed Established long enough to
 * forget past failures (the growth of ConnectRetry and IdleHold starts over).
 */
export type TimerRef =
  | { readonly name: PeerTimerName }
  | { readonly name: ConnectionTimerName; readonly conn: number };

// ---------------------------------------------------------------------------------------------------------------
// Events (RFC 4271 §8.1.2 administrative, §8.1.3 timer, §8.1.4 TCP, §8.1.5 BGP message based)

export type FsmEvent =
  // Administrative (§8.1.2). ManualStop and AutomaticStop may carry the Cease to send (RFC 4486, RFC 9003 text).
  | { readonly type: 'ManualStart' }
  | { readonly type: 'ManualStop'; readonly error?: BgpError }
  | { readonly type: 'AutomaticStart' }
  | { readonly type: 'ManualStart_with_PassiveTcpEstablishment' }
  | { readonly type: 'AutomaticStart_with_PassiveTcpEstablishment' }
  | { readonly type: 'AutomaticStop'; readonly error?: BgpError }
  // Timers (§8.1.3).
  | { readonly type: 'ConnectRetryTimer_Expires' }
  | { readonly type: 'IdleHoldTimer_Expires' }
  | { readonly type: 'IdleHoldResetTimer_Expires' }
  | { readonly type: 'HoldTimer_Expires'; readonly conn: number }
  | { readonly type: 'KeepaliveTimer_Expires'; readonly conn: number }
  /** RFC 9687 §4.2, Event 29: nothing we queued has reached the peer for SendHoldTime. */
  | { readonly type: 'SendHoldTimer_Expires'; readonly conn: number }
  // TCP (§8.1.4). Node's listener reports only completed handshakes, so Events 14/15 (the SYN stage) never reach
  // the FSM: an incoming connection is `TcpConnectionConfirmed`, answered with `accept` or `reject`.
  | { readonly type: 'Tcp_CR_Acked'; readonly conn: number }
  | { readonly type: 'TcpConnectionConfirmed' }
  | { readonly type: 'TcpConnectionFails'; readonly conn: number; readonly detail?: string }
  // BGP messages (§8.1.5) and ROUTE-REFRESH (RFC 2918, RFC 7313).
  | { readonly type: 'BGPOpen'; readonly conn: number; readonly open: OpenMessage }
  | { readonly type: 'BGPHeaderErr'; readonly conn: number; readonly error: BgpError }
  | { readonly type: 'BGPOpenMsgErr'; readonly conn: number; readonly error: BgpError }
  | { readonly type: 'OpenCollisionDump'; readonly conn: number }
  | { readonly type: 'NotifMsgVerErr'; readonly conn: number; readonly notification: NotificationMessage }
  | { readonly type: 'NotifMsg'; readonly conn: number; readonly notification: NotificationMessage }
  | { readonly type: 'KeepAliveMsg'; readonly conn: number }
  | { readonly type: 'UpdateMsg'; readonly conn: number; readonly update: UpdateMessage }
  | { readonly type: 'UpdateMsgErr'; readonly conn: number; readonly error: BgpError }
  | { readonly type: 'RouteRefreshMsg'; readonly conn: number; readonly message: RouteRefreshMessage }
  | { readonly type: 'RouteRefreshMsgErr'; readonly conn: number; readonly error: BgpError }
  | { readonly type: 'UpdateSent'; readonly conn: number }
  /**
   * The transport handed messages we queued on `conn` to the kernel: RFC 9687 §4.3's "sends a BGP message", which
   * restarts the SendHoldTimer. Queueing is not sending — a peer that does not read lets us queue for ever.
   */
  | { readonly type: 'MessagesTransmitted'; readonly conn: number };

export type FsmEventType = FsmEvent['type'];

// ---------------------------------------------------------------------------------------------------------------
// Actions

/** Why a transport connection was closed; `down` repeats it for a session that had been Established. */
export type CloseReason =
  /** We sent this NOTIFICATION (an error we found, a Cease, a collision dump). */
  | { readonly kind: 'notification-sent'; readonly error: BgpError }
  /** The peer sent this NOTIFICATION. */
  | { readonly kind: 'notification-received'; readonly notification: NotificationMessage }
  /** The transport failed or the peer closed it. */
  | { readonly kind: 'tcp-failure'; readonly detail?: string }
  /** Our TCP connection request was abandoned: stopped, timed out (ConnectRetry) or superseded by an incoming one. */
  | { readonly kind: 'connect-abandoned'; readonly cause: 'stopped' | 'connect-retry' | 'superseded' };

/**
 * What the session layer must do, in the order given. `close` ends a connection after flushing what was queued on
 * it (so a NOTIFICATION sent just before goes out) and cancels that connection's Hold and Keepalive timers;
 * closing an unknown connection is a no-op. `start-timer` (re)starts: a running timer of the same name restarts.
 */
export type FsmAction =
  /** Open a TCP connection to the peer and report it as `conn` (Tcp_CR_Acked / TcpConnectionFails). */
  | { readonly type: 'connect'; readonly conn: number }
  /** Keep the incoming connection just offered by TcpConnectionConfirmed, from now on known as `conn`. */
  | { readonly type: 'accept'; readonly conn: number }
  /** Refuse the incoming connection just offered: send this NOTIFICATION on it, then close it. */
  | { readonly type: 'reject'; readonly error: BgpError }
  | { readonly type: 'send-open'; readonly conn: number; readonly open: OpenMessage }
  | { readonly type: 'send-keepalive'; readonly conn: number }
  | { readonly type: 'send-notification'; readonly conn: number; readonly error: BgpError }
  | { readonly type: 'close'; readonly conn: number; readonly reason: CloseReason }
  | { readonly type: 'start-timer'; readonly timer: TimerRef; readonly ms: number }
  | { readonly type: 'stop-timer'; readonly timer: TimerRef }
  /** The peer's state changed; always the last action of the step that changed it. */
  | { readonly type: 'state'; readonly from: FsmState; readonly to: FsmState }
  /** The session is up: the peer's KEEPALIVE arrived in OpenConfirm. Install `negotiated.rx`/`tx` now. */
  | { readonly type: 'established'; readonly conn: number; readonly negotiated: Negotiated }
  /** An Established session ended (after its `close`): withdraw what was learned from it. */
  | { readonly type: 'down'; readonly conn: number; readonly reason: CloseReason }
  /**
   * Hand the UPDATE of the event being handled (`UpdateMsg`) to the RIB. The action names no message, so that one
   * frozen list per session serves every UPDATE (see the file comment).
   */
  | { readonly type: 'deliver-update'; readonly conn: number }
  | { readonly type: 'deliver-route-refresh'; readonly conn: number; readonly message: RouteRefreshMessage };

export type FsmActionType = FsmAction['type'];

// ---------------------------------------------------------------------------------------------------------------
// The negotiated session (built by negotiate.ts when the peer's OPEN is accepted)

export interface FamilyRef {
  readonly afi: number;
  readonly safi: number;
}

/** RFC 4724 §3 as the peer advertised it. */
export interface PeerGracefulRestart {
  /** Seconds. */
  readonly restartTime: number;
  /** The R bit: the peer has restarted and is asking us to keep its routes. */
  readonly restarting: boolean;
  /** RFC 8538's N bit: the peer supports graceful restart on NOTIFICATION. */
  readonly notification: boolean;
  /** Families for which the peer can preserve forwarding state, with the F bit. */
  readonly families: readonly (FamilyRef & { readonly forwardingPreserved: boolean })[];
}

/** RFC 9494 as the peer advertised it (only when it also advertised graceful restart). */
export interface PeerLongLivedGracefulRestart {
  readonly families: readonly (FamilyRef & { readonly forwardingPreserved: boolean; readonly staleTime: number })[];
}

/** Everything the two OPENs agreed on, for the life of one session. */
export interface Negotiated {
  readonly localAsn: number;
  /** The peer's ASN: its 4-octet AS capability's when present, else My Autonomous System (RFC 6793 §4.1). */
  readonly peerAsn: number;
  readonly peerBgpIdentifier: string;
  /** iBGP: the peer is in our AS. */
  readonly internal: boolean;
  /** Seconds; 0 means neither side sends KEEPALIVEs nor runs a hold timer (RFC 4271 §4.2). */
  readonly holdTime: number;
  /** Seconds between our KEEPALIVEs (before jitter); 0 when `holdTime` is 0. */
  readonly keepaliveTime: number;
  /** RFC 6793: both sides sent the 4-octet AS capability. */
  readonly fourOctetAs: boolean;
  /** RFC 4760: families both sides announced, in our configuration's order, as `familyKey` numbers. */
  readonly families: readonly number[];
  /** RFC 7911, per direction: families whose NLRI carry Path Identifiers. */
  readonly addPath: { readonly send: ReadonlySet<number>; readonly receive: ReadonlySet<number> };
  /** RFC 8654: both sides sent the Extended Message capability. */
  readonly extendedMessage: boolean;
  /** RFC 2918: the peer accepts ROUTE-REFRESH (it sent code 2 or the pre-standard 128). */
  readonly routeRefresh: boolean;
  /** RFC 7313: both sides sent Enhanced Route Refresh. */
  readonly enhancedRouteRefresh: boolean;
  readonly gracefulRestart: PeerGracefulRestart | undefined;
  readonly longLivedGracefulRestart: PeerLongLivedGracefulRestart | undefined;
  /** RFC 8950: (afi, safi, next-hop AFI) triples both sides announced. */
  readonly extendedNextHop: readonly (FamilyRef & { readonly nextHopAfi: number })[];
  /** draft-walton-bgp-hostname-capability: the peer's names, if it sent them. */
  readonly peerFqdn: { readonly hostname: string; readonly domainName: string } | undefined;
  /** RFC 9234 roles (BgpRole values) of each side, when announced. */
  readonly role: { readonly local: number | undefined; readonly peer: number | undefined };
  /** How to decode what this peer sends. */
  readonly rx: CodecContext;
  /** How to encode what we send to this peer. */
  readonly tx: CodecContext;
  readonly localOpen: OpenMessage;
  readonly peerOpen: OpenMessage;
}

const peerTimerSlot: Readonly<Record<PeerTimerName, number>> = { ConnectRetry: 0, IdleHold: 1, IdleHoldReset: 2 };
const connectionTimerSlot: Readonly<Record<ConnectionTimerName, number>> = { Hold: 1, Keepalive: 2, SendHold: 3 };

/**
 * A small integer per timer, for keying the session layer's timer table without building a string per restart:
 * peer timers are 0–2, connection `c`'s are 4c+1 … 4c+3 (connections are numbered from 1).
 */
export function timerSlot(timer: TimerRef): number {
  return 'conn' in timer ? timer.conn * 4 + connectionTimerSlot[timer.name] : peerTimerSlot[timer.name];
}

/** The event the session layer feeds back when `timer` fires. */
export function timerExpiredEvent(timer: TimerRef): FsmEvent {
  switch (timer.name) {
    case 'ConnectRetry':
      return { type: 'ConnectRetryTimer_Expires' };
    case 'IdleHold':
      return { type: 'IdleHoldTimer_Expires' };
    case 'IdleHoldReset':
      return { type: 'IdleHoldResetTimer_Expires' };
    case 'Hold':
      return { type: 'HoldTimer_Expires', conn: timer.conn };
    case 'Keepalive':
      return { type: 'KeepaliveTimer_Expires', conn: timer.conn };
    case 'SendHold':
      return { type: 'SendHoldTimer_Expires', conn: timer.conn };
  }
}
