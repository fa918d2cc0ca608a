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
 * RFC 9687's SendHoldTimer is the mirror image for a peer that keeps talking but stops listening: started on
 * entering Established, restarted whenever what we queued reaches the kernel (`MessagesTransmitted`), and on expiry
 * Send Hold Timer Expired (8/0) and close. It runs in Established only, as §4.3 has it: before that, a peer cannot
 * keep the connection alive without answering us, and the hold timer covers it.
 *
 * Once Established, the per-message events (UPDATE, KEEPALIVE, MessagesTransmitted) are answered with lists built
 * once for the session (`SteadyActions`), shared and frozen, so the steady state allocates nothing.
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
import { DEFAULTS } from './config.js';
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
  /** Set on entering Established. */
  steady: SteadyActions | undefined;
  /**
   * RFC 4724 §4.2: the Established connection this incoming one was accepted alongside, graceful restart having
   * been negotiated on it — a valid OPEN here is the peer back from a restart and replaces that session. Undefined
   * for every other connection (one accepted before the session got Established is an ordinary collision).
   */
  readonly supersedes: number | undefined;
}

/**
 * The answers of an Established connection to its per-message events, built once when it becomes Established (the
 * timer durations are fixed by then): frozen, so they can be returned as they are on every message.
 */
export interface SteadyActions {
  /** UpdateMsg (Event 27): restart the HoldTimer, deliver the UPDATE. */
  readonly update: readonly FsmAction[];
  /** KeepAliveMsg (Event 26): restart the HoldTimer. */
  readonly keepalive: readonly FsmAction[];
  /** MessagesTransmitted: restart the SendHoldTimer (RFC 9687 §4.3). */
  readonly transmitted: readonly FsmAction[];
}

/** What every connection of a peer shares. */
export interface ConnectionEnv {
  readonly config: ResolvedFsmConfig;
  /** The OPEN sent on new connections; the peer FSM swaps it once the Restart State bit no longer applies. */
  localOpen: OpenMessage;
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
      | 'SendHoldTimer_Expires'
      | 'UpdateSent'
      | 'MessagesTransmitted'
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
  'SendHoldTimer_Expires',
  'UpdateSent',
  'MessagesTransmitted',
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

    case 'SendHoldTimer_Expires':
      // RFC 9687 §4.3, Event 29: the NOTIFICATION is optional ("if ... doing so will not delay" the close) and ours
      // is best effort — `close` bounds the flush of a queue the peer is not reading; the close itself is at once.
      if (!conn.timers.delete('SendHold')) return CONTINUE;
      return { kind: 'error', error: errors.sendHoldTimerExpired() };

    case 'UpdateSent':
      // §8.2.2: "Each time the local system sends a KEEPALIVE or UPDATE message, it restarts its KeepaliveTimer".
      if (state === 'Established' && conn.timers.has('Keepalive')) startKeepaliveTimer(env, conn, out);
      return CONTINUE;

    case 'MessagesTransmitted':
      // RFC 9687 §4.3: "Each time the local system sends a BGP message, it restarts the SendHoldTimer".
      if (state === 'Established' && conn.steady) out.push(...conn.steady.transmitted);
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

    case 'KeepAliveMsg': {
      if (state === 'OpenSent') return unexpected(state, 'KEEPALIVE');
      if (state === 'Established' && conn.steady) {
        out.push(...conn.steady.keepalive);
        return CONTINUE;
      }
      restartHoldTimer(conn, out);
      // OpenConfirm is entered only through enterOpenConfirm, which sets `negotiated`.
      const negotiated = conn.negotiated as Negotiated;
      conn.state = 'Established';
      conn.steady = steadyActions(env, conn, negotiated);
      // RFC 9687 §4.3: "starts the SendHoldTimer if the SendHoldTime is non-zero".
      const sendHoldMs = sendHoldTime(env, negotiated);
      if (sendHoldMs > 0) startTimer(conn, 'SendHold', sendHoldMs, out);
      out.push({ type: 'established', conn: conn.id, negotiated });
      return { kind: 'established' };
    }

    case 'UpdateMsg':
      if (state !== 'Established' || !conn.steady) return unexpected(state, 'UPDATE');
      out.push(...conn.steady.update);
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

/**
 * The Established connection's answer to a per-message event, or undefined when `event` needs the general path (any
 * other event or state). Allocates nothing: this is what runs for every UPDATE of a full table.
 */
export function steadyAnswer(conn: Connection, event: ConnectionEvent): readonly FsmAction[] | undefined {
  const steady = conn.steady;
  if (steady === undefined || conn.state !== 'Established') return undefined;
  switch (event.type) {
    case 'UpdateMsg':
      return steady.update;
    case 'KeepAliveMsg':
      return steady.keepalive;
    case 'MessagesTransmitted':
      return steady.transmitted;
    default:
      return undefined;
  }
}

/**
 * RFC 9687 §6: the SendHoldTime, "the greater of 8 minutes or 2 times the negotiated HoldTime" unless configured;
 * §4.3: none at all when "the negotiated HoldTime value is zero" (no KEEPALIVEs, so silence proves nothing).
 */
export function sendHoldTime(env: ConnectionEnv, negotiated: Negotiated): number {
  if (negotiated.holdTime === 0) return 0;
  return env.config.sendHoldMs ?? Math.max(DEFAULTS.minSendHoldTime * 1000, 2 * negotiated.holdTime * 1000);
}

/** The frozen per-message answers of a connection entering Established with `negotiated`. */
function steadyActions(env: ConnectionEnv, conn: Connection, negotiated: Negotiated): SteadyActions {
  const restartHold: FsmAction[] =
    negotiated.holdTime > 0
      ? [freeze({ type: 'start-timer', timer: freeze({ name: 'Hold', conn: conn.id }), ms: negotiated.holdTime * 1000 })]
      : [];
  const sendHoldMs = sendHoldTime(env, negotiated);
  const restartSendHold: FsmAction[] =
    sendHoldMs > 0 ? [freeze({ type: 'start-timer', timer: freeze({ name: 'SendHold', conn: conn.id }), ms: sendHoldMs })] : [];
  return freeze({
    update: freeze([...restartHold, freeze({ type: 'deliver-update', conn: conn.id })]),
    keepalive: freeze(restartHold),
    transmitted: freeze(restartSendHold),
  });
}

const freeze = Object.freeze;

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
