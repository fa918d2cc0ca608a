/**
 * One transport connection's part of the FSM: the OpenSent, OpenConfirm and Established arms of RFC 4271 §8.2.2,
 * with the RFC 6608 answer to every message a state does not expect.
 *
 *                    valid OPEN                   KEEPALIVE
 *     OpenSent ───────────────────▶ OpenConfirm ─────────────▶ Established
 *       │ KEEPALIVE/UPDATE/RR → 5/1   │ OPEN/UPDATE/RR → 5/2      │ OPEN → 5/3
 *       │ bad OPEN → 2/x              │ Hold expires → 4/0        │ bad UPDATE → 3/x, Hold expires → 4/0
 *
 * The session is Established only when the peer's KEEPALIVE arrives in OpenConfirm — never merely because we sent
 * ours (MetalLB's native speaker declares the session up after sending one). The hold timer runs from the moment
 * our OPEN is sent (4 minutes until the peer's OPEN says otherwise), and its expiry in any of these states sends
 * Hold Timer Expired (4/0) — the check MetalLB never made.
 *
 * These functions decide and emit actions for their connection only; what a failure means for the peer (Idle and
 * damping, or another connection carrying on) and collision resolution belong to peer-fsm.ts, which is told
 * through the returned `ConnectionOutcome`. Pure apart from mutating the connection record passed in.
 */
import { FsmError, RouteRefreshSubtype, familyKey } from '../wire/constants.js';
import { errors } from '../wire/errors.js';
import type { BgpError } from '../wire/errors.js';
import type { NotificationMessage, OpenMessage } from '../wire/types.js';
import { jitter } from './backoff.js';
import type { RandomSource } from './backoff.js';
import type { ResolvedFsmConfig } from './config.js';
import { negotiate } from './negotiate.js';
import { checkOpen } from './open-checks.js';
import type {
  ConnectionDirection,
  ConnectionState,
  ConnectionTimerName,
  FsmAction,
  FsmEvent,
  Negotiated,
} from './types.js';

/** The FSM's record of one transport connection. */
export interface Connection {
  readonly id: number;
  readonly direction: ConnectionDirection;
  state: ConnectionState;
  /** Set when the peer's OPEN on this connection is accepted. */
  negotiated: Negotiated | undefined;
  /** Timers of this connection that are running. */
  readonly timers: Set<ConnectionTimerName>;
}

/** What every connection of a peer shares. */
export interface ConnectionEnv {
  readonly config: ResolvedFsmConfig;
  readonly localOpen: OpenMessage;
  /** Families we announced, as `familyKey` numbers: a ROUTE-REFRESH for any other is ignored (RFC 2918 §4). */
  readonly localFamilies: ReadonlySet<number>;
  readonly random: RandomSource;
}

/** The events a connection handles itself. */
export type ConnectionEvent = Extract<
  FsmEvent,
  {
    type:
      | 'HoldTimer_Expires'
      | 'KeepaliveTimer_Expires'
      | 'UpdateSent'
      | 'BGPOpen'
      | 'BGPHeaderErr'
      | 'BGPOpenMsgErr'
      | 'NotifMsgVerErr'
      | 'NotifMsg'
      | 'KeepAliveMsg'
      | 'UpdateMsg'
      | 'UpdateMsgErr'
      | 'RouteRefreshMsg'
      | 'RouteRefreshMsgErr';
  }
>;

/** What happened to the connection, for the peer to act on. */
export type ConnectionOutcome =
  | { readonly kind: 'continue' }
  /** A valid OPEN in OpenSent: the peer resolves collisions, then calls `enterOpenConfirm` (or dumps it). */
  | { readonly kind: 'open-accepted'; readonly negotiated: Negotiated }
  /** The peer's KEEPALIVE arrived in OpenConfirm; `established` has been emitted. */
  | { readonly kind: 'established' }
  /** Send this NOTIFICATION and close the connection. */
  | { readonly kind: 'error'; readonly error: BgpError }
  /** The peer sent a NOTIFICATION: close without answering (RFC 4271 §4.5). */
  | { readonly kind: 'notification'; readonly notification: NotificationMessage };

const CONTINUE: ConnectionOutcome = { kind: 'continue' };

/** Connection events by name, to tell them from peer events. */
export const connectionEventTypes: ReadonlySet<FsmEvent['type']> = new Set<ConnectionEvent['type']>([
  'HoldTimer_Expires',
  'KeepaliveTimer_Expires',
  'UpdateSent',
  'BGPOpen',
  'BGPHeaderErr',
  'BGPOpenMsgErr',
  'NotifMsgVerErr',
  'NotifMsg',
  'KeepAliveMsg',
  'UpdateMsg',
  'UpdateMsgErr',
  'RouteRefreshMsg',
  'RouteRefreshMsgErr',
]);

export function isConnectionEvent(event: FsmEvent): event is ConnectionEvent {
  return connectionEventTypes.has(event.type);
}

/** The TCP connection is up (either direction): send our OPEN and wait at most the OpenSent hold time for theirs. */
export function enterOpenSent(env: ConnectionEnv, conn: Connection, out: FsmAction[]): void {
  conn.state = 'OpenSent';
  out.push({ type: 'send-open', conn: conn.id, open: env.localOpen });
  // §8.2.2: "sets the HoldTimer to a large value ... A HoldTimer value of 4 minutes is suggested."
  startTimer(conn, 'Hold', env.config.openHoldMs, out);
}

/** The peer's OPEN is accepted and survived collision resolution: acknowledge it with a KEEPALIVE. */
export function enterOpenConfirm(env: ConnectionEnv, conn: Connection, negotiated: Negotiated, out: FsmAction[]): void {
  conn.state = 'OpenConfirm';
  conn.negotiated = negotiated;
  out.push({ type: 'send-keepalive', conn: conn.id });
  if (negotiated.holdTime === 0) {
    // §8.2.2: "If the negotiated hold time value is zero, then the HoldTimer and KeepaliveTimer are not started."
    stopTimer(conn, 'Hold', out);
    return;
  }
  startKeepaliveTimer(env, conn, out);
  startTimer(conn, 'Hold', negotiated.holdTime * 1000, out);
}

/** Handles `event` on `conn`, which is in OpenSent, OpenConfirm or Established. */
export function onConnectionEvent(
  env: ConnectionEnv,
  conn: Connection,
  event: ConnectionEvent,
  out: FsmAction[],
): ConnectionOutcome {
  const state = conn.state;
  switch (event.type) {
    case 'HoldTimer_Expires':
      if (!conn.timers.delete('Hold')) return CONTINUE;
      return { kind: 'error', error: errors.holdTimerExpired() };

    case 'KeepaliveTimer_Expires':
      if (!conn.timers.delete('Keepalive')) return CONTINUE;
      out.push({ type: 'send-keepalive', conn: conn.id });
      startKeepaliveTimer(env, conn, out);
      return CONTINUE;

    case 'UpdateSent':
      // §8.2.2: "Each time the local system sends a KEEPALIVE or UPDATE message, it restarts its KeepaliveTimer".
      if (state === 'Established' && conn.timers.has('Keepalive')) startKeepaliveTimer(env, conn, out);
      return CONTINUE;

    case 'BGPOpen': {
      if (state !== 'OpenSent') return unexpected(state, 'OPEN');
      const error = checkOpen(env.config, env.localOpen, event.open);
      if (error) return { kind: 'error', error };
      return { kind: 'open-accepted', negotiated: negotiate(env.config, env.localOpen, event.open) };
    }

    case 'BGPOpenMsgErr':
      // An OPEN after OpenSent is unexpected whether or not it decodes (RFC 6608).
      return state === 'OpenSent' ? { kind: 'error', error: event.error } : unexpected(state, 'OPEN');

    case 'BGPHeaderErr':
      return { kind: 'error', error: event.error };

    case 'NotifMsg':
    case 'NotifMsgVerErr':
      return { kind: 'notification', notification: event.notification };

    case 'KeepAliveMsg':
      if (state === 'OpenSent') return unexpected(state, 'KEEPALIVE');
      restartHoldTimer(conn, out);
      if (state === 'Established') return CONTINUE;
      conn.state = 'Established';
      // OpenConfirm is entered only through enterOpenConfirm, which sets `negotiated`.
      out.push({ type: 'established', conn: conn.id, negotiated: conn.negotiated as Negotiated });
      return { kind: 'established' };

    case 'UpdateMsg':
      if (state !== 'Established') return unexpected(state, 'UPDATE');
      restartHoldTimer(conn, out);
      out.push({ type: 'deliver-update', conn: conn.id, update: event.update });
      return CONTINUE;

    case 'UpdateMsgErr':
      return state === 'Established' ? { kind: 'error', error: event.error } : unexpected(state, 'UPDATE');

    case 'RouteRefreshMsg': {
      if (state !== 'Established') return unexpected(state, 'ROUTE-REFRESH');
      // A ROUTE-REFRESH shows the peer alive as much as a KEEPALIVE does.
      restartHoldTimer(conn, out);
      const { afi, safi, subtype } = event.message;
      // RFC 2918 §4: a family "that the speaker didn't advertise ... the speaker shall ignore such a message";
      // RFC 7313 §5: a subtype other than 0, 1 or 2 "MUST" be ignored.
      const known =
        subtype === RouteRefreshSubtype.Normal ||
        subtype === RouteRefreshSubtype.BeginningOfRouteRefresh ||
        subtype === RouteRefreshSubtype.EndOfRouteRefresh;
      if (known && env.localFamilies.has(familyKey(afi, safi))) {
        out.push({ type: 'deliver-route-refresh', conn: conn.id, message: event.message });
      }
      return CONTINUE;
    }

    case 'RouteRefreshMsgErr':
      return state === 'Established' ? { kind: 'error', error: event.error } : unexpected(state, 'ROUTE-REFRESH');
  }
}

/**
 * RFC 6608 §3: the FSM error subcode of the state that did not expect the message. (Connect never gets here:
 * peer-fsm.ts routes no message to a connection whose TCP handshake is still outstanding.)
 */
const unexpectedSubcode: Readonly<Record<ConnectionState, (typeof FsmError)[keyof typeof FsmError]>> = {
  Connect: FsmError.UnspecifiedError,
  OpenSent: FsmError.UnexpectedMessageInOpenSent,
  OpenConfirm: FsmError.UnexpectedMessageInOpenConfirm,
  Established: FsmError.UnexpectedMessageInEstablished,
};

function unexpected(state: ConnectionState, message: string): ConnectionOutcome {
  return { kind: 'error', error: errors.fsmError(unexpectedSubcode[state], `${message} in ${state}`) };
}

/** §8.2.2: every KEEPALIVE or UPDATE restarts the HoldTimer, "if the negotiated HoldTime value is non-zero". */
function restartHoldTimer(conn: Connection, out: FsmAction[]): void {
  const hold = conn.negotiated?.holdTime ?? 0;
  if (hold > 0) startTimer(conn, 'Hold', hold * 1000, out);
}

/** RFC 4271 §10 recommends jitter on the KeepaliveTimer; drawn anew each time it is set. */
function startKeepaliveTimer(env: ConnectionEnv, conn: Connection, out: FsmAction[]): void {
  const seconds = conn.negotiated?.keepaliveTime ?? 0;
  if (seconds > 0) startTimer(conn, 'Keepalive', jitter(seconds * 1000, env.random), out);
}

export function startTimer(conn: Connection, name: ConnectionTimerName, ms: number, out: FsmAction[]): void {
  conn.timers.add(name);
  out.push({ type: 'start-timer', timer: { name, conn: conn.id }, ms });
}

export function stopTimer(conn: Connection, name: ConnectionTimerName, out: FsmAction[]): void {
  if (conn.timers.delete(name)) out.push({ type: 'stop-timer', timer: { name, conn: conn.id } });
}
