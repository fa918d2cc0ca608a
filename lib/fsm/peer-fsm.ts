/**
 * The BGP finite state machine of one peer (RFC 4271 §8), sans-IO: `handle(event)` returns the actions to carry
 * out, and nothing here touches a socket, a timer or a clock. Randomness (RFC 4271 §10 jitter) is injected.
 *
 * The peer-level arms live here — Idle, Connect and Active: starting and stopping, the ConnectRetry and IdleHold
 * timers with their backoff, TCP connections in both directions — together with what happens when a connection
 * ends, and connection collision resolution (§6.8). The OpenSent / OpenConfirm / Established arms of each transport
 * connection are in connection.ts. The peer's state is that of its most advanced connection; with none it is
 * Connect while our TCP connection request is outstanding, Idle when stopped or damped, Active otherwise.
 *
 *              start               TCP up              valid OPEN             KEEPALIVE
 *     Idle ─────────▶ Connect ─────────────▶ OpenSent ───────────▶ OpenConfirm ──────────▶ Established
 *      ▲ ▲              │ ▲                     ▲
 *      │ │      refused ▼ │ ConnectRetry        │ the peer connects
 *      │ │            Active ───────────────────┘
 *      │ └── IdleHold expires: automatic start
 *      └──── from OpenSent on: an error, a NOTIFICATION, the hold timer — then IdleHold (damping)
 *
 * Deliberate choices where the RFC leaves room (each with its reason at the line that implements it):
 * - A refused TCP connection goes to Active, not Idle, and the next attempt waits for the running ConnectRetry
 *   timer, whose interval doubles per attempt with jitter (backoff.ts) — MetalLB's reconnect schedule, minus the
 *   thundering herd.
 * - After a session fails, the automatic restart waits IdleHold (DampPeerOscillations, §8.1.1), which also doubles
 *   per failure; both delays start over once a session stays Established for `idleHoldResetTime`.
 * - `passive: true` never initiates (Active forever); the RFC's PassiveTcpEstablishment starts only listen first.
 * - With graceful restart negotiated on the Established session (RFC 4724 §4.2), a new connection from the peer is
 *   accepted, and its valid OPEN — not the SYN, which anyone can send — closes the old session without a
 *   NOTIFICATION, as a failed transport, so that the peer's routes are kept stale.
 * - Our Restart State bit (RFC 4724 §3) holds until the first session reaches Established, not after a flap.
 */
import { CeaseError } from '../wire/constants.js';
import { errors } from '../wire/errors.js';
import type { BgpError } from '../wire/errors.js';
import type { OpenMessage } from '../wire/types.js';
import { backoffDelay } from './backoff.js';
import type { RandomSource } from './backoff.js';
import { REPLACED_BY_RESTART, resolveCollision, restartReplaces } from './collision.js';
import { resolveConfig } from './config.js';
import type { PeerFsmConfig, ResolvedFsmConfig } from './config.js';
import { enterOpenConfirm, enterOpenSent, isConnectionEvent, onConnectionEvent, steadyAnswer } from './connection.js';
import type { Connection, ConnectionEnv } from './connection.js';
import { localOpenFor } from './local-open.js';
import { announcedFamilies } from './negotiate.js';
import type {
  CloseReason,
  ConnectionDirection,
  ConnectionState,
  FsmAction,
  FsmEvent,
  FsmState,
  Negotiated,
  PeerTimerName,
} from './types.js';

export interface PeerFsmOptions {
  /** Jitter source, [0, 1). Default Math.random; tests pass a constant. */
  readonly random?: RandomSource;
}

/** A read-only view of one connection. */
export interface ConnectionInfo {
  readonly conn: number;
  readonly direction: ConnectionDirection;
  readonly state: ConnectionState;
  readonly negotiated: Negotiated | undefined;
}

/** The FSM's state as plain data, for the API and for tests. */
export interface FsmSnapshot {
  readonly state: FsmState;
  /** RFC 4271 §8.1.1: sessions that failed to Idle since the last manual start or the last stable session. */
  readonly connectRetryCounter: number;
  readonly connections: readonly ConnectionInfo[];
  readonly timers: readonly PeerTimerName[];
}

const rank: Readonly<Record<FsmState, number>> = {
  Idle: 0,
  Active: 1,
  Connect: 2,
  OpenSent: 3,
  OpenConfirm: 4,
  Established: 5,
};

export class PeerFsm {
  readonly config: ResolvedFsmConfig;
  readonly #env: ConnectionEnv;
  /**
   * RFC 4724 §3: our OPEN still carries the Restart State bit — configured, and no session with this peer has
   * reached Established since.
   */
  #restartState: boolean;
  /** RFC Idle: neither connecting nor listening. */
  #idle = true;
  /** An automatic restart is allowed (started and not manually stopped). */
  #autoRestart = false;
  /** Set by an AutomaticStop (e.g. too many prefixes): the peer is held down, its connections refused too. */
  #heldDown = false;
  /** The last start asked for PassiveTcpEstablishment; automatic restarts repeat it. */
  #passiveStart = false;
  #connections: Connection[] = [];
  #nextConn = 1;
  readonly #timers = new Set<PeerTimerName>();
  #connectRetryCounter = 0;
  #connectRetryAttempt = 0;
  #idleHoldAttempt = 0;

  constructor(config: PeerFsmConfig, options: PeerFsmOptions = {}) {
    this.config = resolveConfig(config);
    this.#restartState = this.config.capabilities.gracefulRestart?.restarting === true;
    const localOpen = localOpenFor(this.config, this.#restartState);
    this.#env = {
      config: this.config,
      localOpen,
      localFamilies: new Set(announcedFamilies(localOpen)),
      random: options.random ?? Math.random,
    };
  }

  /** The OPEN sent on the next connection (the Restart State bit cleared once a session got Established). */
  get localOpen(): OpenMessage {
    return this.#env.localOpen;
  }

  /** The peer's state (RFC 4271 §8.2.2). */
  get state(): FsmState {
    let best: FsmState | undefined;
    for (const c of this.#connections) if (best === undefined || rank[c.state] > rank[best]) best = c.state;
    return best ?? (this.#idle ? 'Idle' : 'Active');
  }

  /** The negotiated session of the Established connection, if any. */
  get negotiated(): Negotiated | undefined {
    return this.#connections.find((c) => c.state === 'Established')?.negotiated;
  }

  /** One connection's state, e.g. to decide whether its UPDATEs are decoded yet. */
  connection(conn: number): ConnectionInfo | undefined {
    const c = this.#find(conn);
    return c && info(c);
  }

  snapshot(): FsmSnapshot {
    return {
      state: this.state,
      connectRetryCounter: this.#connectRetryCounter,
      connections: this.#connections.map(info),
      timers: [...this.#timers],
    };
  }

  /**
   * Feeds one event; returns the actions to carry out, in order. The list may be shared and frozen (an Established
   * session's answer to an UPDATE, a KEEPALIVE or a transmitted write is built once per session): read it, do not
   * keep or change it.
   */
  handle(event: FsmEvent): readonly FsmAction[] {
    if (isConnectionEvent(event)) {
      // The steady state first: it changes no state, so the general path's bookkeeping has nothing to do.
      const conn = this.#find(event.conn);
      const steady = conn && steadyAnswer(conn, event);
      if (steady !== undefined) return steady;
    }
    const before = this.state;
    const out: FsmAction[] = [];
    this.#dispatch(event, out);
    const after = this.state;
    if (after !== before) out.push({ type: 'state', from: before, to: after });
    return out;
  }

  #dispatch(event: FsmEvent, out: FsmAction[]): void {
    if (isConnectionEvent(event)) {
      this.#onConnectionEvent(event.conn, event, out);
      return;
    }
    switch (event.type) {
      case 'ManualStart':
        return this.#start(out, true, false);
      case 'ManualStart_with_PassiveTcpEstablishment':
        return this.#start(out, true, true);
      case 'AutomaticStart':
        return this.#start(out, false, false);
      case 'AutomaticStart_with_PassiveTcpEstablishment':
        return this.#start(out, false, true);
      case 'ManualStop':
        return this.#manualStop(out, event.error ?? errors.cease(CeaseError.AdministrativeShutdown));
      case 'AutomaticStop':
        return this.#automaticStop(out, event.error ?? errors.cease(CeaseError.Unspecific));
      case 'ConnectRetryTimer_Expires':
        return this.#onConnectRetryExpires(out);
      case 'IdleHoldTimer_Expires':
        // §8.1.1: with DampPeerOscillations the automatic start waits for the IdleHoldTimer.
        if (this.#timers.delete('IdleHold') && this.#autoRestart) this.#start(out, false, this.#passiveStart);
        return;
      case 'IdleHoldResetTimer_Expires':
        // The session has been Established long enough: forget the failures that came before it.
        if (this.#timers.delete('IdleHoldReset')) {
          this.#connectRetryAttempt = 0;
          this.#idleHoldAttempt = 0;
          this.#connectRetryCounter = 0;
        }
        return;
      case 'TcpConnectionConfirmed':
        return this.#onIncoming(out);
      case 'Tcp_CR_Acked':
        return this.#onConnected(event.conn, out);
      case 'TcpConnectionFails':
        return this.#onTcpFails(event.conn, event.detail, out);
      case 'OpenCollisionDump':
        return this.#onCollisionDump(event.conn, out);
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Administrative events (§8.1.2)

  /** Events 1, 3, 4, 5 in Idle; §8.2.2 ignores them in every other state. */
  #start(out: FsmAction[], manual: boolean, passive: boolean): void {
    if (!this.#idle) return;
    if (manual) {
      // An operator's start is a fresh start: no damping carried over.
      this.#connectRetryCounter = 0;
      this.#connectRetryAttempt = 0;
      this.#idleHoldAttempt = 0;
    }
    this.#idle = false;
    this.#autoRestart = true;
    this.#heldDown = false;
    this.#passiveStart = passive;
    this.#stopTimer('IdleHold', out);
    if (this.config.passive) return; // Active, listening only, for good.
    this.#startConnectRetryTimer(out);
    // PassiveTcpEstablishment: listen first, connect when the ConnectRetryTimer expires.
    if (!passive) this.#connect(out);
  }

  /** Event 2: Cease (Administrative Shutdown unless told otherwise) on every connection, and no restart. */
  #manualStop(out: FsmAction[], error: BgpError): void {
    this.#closeAll(out, error);
    this.#autoRestart = false;
    this.#idle = true;
    this.#connectRetryCounter = 0;
    this.#stopTimer('ConnectRetry', out);
    this.#stopTimer('IdleHold', out);
    this.#stopTimer('IdleHoldReset', out);
  }

  /** Event 8 (e.g. too many prefixes): like a failure — Idle, damped, restarted automatically. */
  #automaticStop(out: FsmAction[], error: BgpError): void {
    if (this.#idle) return;
    this.#closeAll(out, error);
    this.#sessionFailed(out);
    this.#heldDown = true;
  }

  #closeAll(out: FsmAction[], error: BgpError): void {
    for (const c of [...this.#connections]) {
      if (c.state === 'Connect') {
        this.#close(c, { kind: 'connect-abandoned', cause: 'stopped' }, out);
      } else {
        out.push({ type: 'send-notification', conn: c.id, error });
        this.#close(c, { kind: 'notification-sent', error }, out);
      }
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Timers (§8.1.3) and TCP events (§8.1.4)

  #onConnectRetryExpires(out: FsmAction[]): void {
    if (!this.#timers.delete('ConnectRetry')) return;
    // Connect: "drops the TCP connection, restarts the ConnectRetryTimer, ... initiates a TCP connection".
    // Active: "restarts the ConnectRetryTimer, initiates a TCP connection, ... changes its state to Connect".
    const pending = this.#connections.find((c) => c.state === 'Connect');
    if (pending) this.#close(pending, { kind: 'connect-abandoned', cause: 'connect-retry' }, out);
    if (this.#idle || this.#connections.length > 0) return;
    this.#startConnectRetryTimer(out);
    this.#connect(out);
  }

  /** Event 17: the peer connected to us. */
  #onIncoming(out: FsmAction[]): void {
    // Idle "refuses" connections (§8.2.2); RFC 4486 names the Cease for a connection accepted then disallowed.
    if (this.#idle) {
      if (this.#autoRestart && !this.#heldDown && this.#timers.has('IdleHold')) {
        // Damping (IdleHold) delays our own attempts, not the peer's: refusing a peer whose damping ran out first
        // would have the two sides bounce off each other's Idle state for ever. Start as for a passive start.
        this.#start(out, false, true);
      } else {
        out.push({ type: 'reject', error: errors.cease(CeaseError.ConnectionRejected, undefined, 'the peer is Idle') });
        return;
      }
    }
    const established = this.#connections.find((c) => c.state === 'Established');
    // RFC 4724 §4.2: with graceful restart negotiated, the peer connecting again is the peer back from a restart.
    // Accepted; its OPEN (in #onOpenAccepted) will replace the old session.
    const restart = established && restartReplaces(this.config.capabilities.gracefulRestart, established.negotiated);
    if (established && !restart && !this.config.collisionWithEstablished) {
      // §6.8: an Established connection wins over a newly created one.
      out.push({
        type: 'reject',
        error: errors.cease(CeaseError.ConnectionCollisionResolution, undefined, 'a session is already Established'),
      });
      return;
    }
    // An incoming connection that never got Established is replaced: the peer keeps one attempt at a time, so the
    // older one is dead or about to be. Our own pending TCP request is kept: when both sides dial at once, the
    // peer may already have accepted it as its incoming connection, and abandoning ours while it abandons its own
    // leaves neither (both sides would close the connection the other kept). §6.8 picks one once OPENs arrive.
    const replaced = this.#connections.filter((c) => c.direction === 'incoming' && c.state !== 'Established');
    for (const c of replaced) this.#dump(c, out);
    const conn = this.#add('incoming', restart ? established.id : undefined);
    out.push({ type: 'accept', conn: conn.id });
    this.#stopTimer('ConnectRetry', out);
    enterOpenSent(this.#env, conn, out);
  }

  /** Event 16: our TCP connection request succeeded. */
  #onConnected(id: number, out: FsmAction[]): void {
    const conn = this.#find(id);
    if (!conn || conn.state !== 'Connect') return;
    this.#stopTimer('ConnectRetry', out);
    enterOpenSent(this.#env, conn, out);
  }

  /** Event 18: a connection failed or the peer closed it. */
  #onTcpFails(id: number, detail: string | undefined, out: FsmAction[]): void {
    const conn = this.#find(id);
    if (!conn) return;
    const state = conn.state;
    this.#close(conn, detail === undefined ? { kind: 'tcp-failure' } : { kind: 'tcp-failure', detail }, out);
    if (this.#connections.length > 0) return;
    switch (state) {
      case 'Connect':
        // Refused or unreachable: Active, listening; the running ConnectRetryTimer schedules the next attempt,
        // so attempts start 1, 2, 4 … s apart however fast they fail.
        return;
      case 'OpenSent':
        // §8.2.2 OpenSent: "closes the BGP connection, restarts the ConnectRetryTimer, continues to listen ...,
        // and changes its state to Active."
        if (!this.config.passive) this.#startConnectRetryTimer(out, false);
        return;
      default:
        this.#sessionFailed(out);
    }
  }

  /** Event 23, from outside: close the connection with Cease 6/7. */
  #onCollisionDump(id: number, out: FsmAction[]): void {
    const conn = this.#find(id);
    if (!conn || conn.state === 'Connect') return;
    this.#dump(conn, out);
    if (this.#connections.length === 0) this.#sessionFailed(out);
  }

  // -------------------------------------------------------------------------------------------------------------
  // BGP message events (§8.1.5), delegated to the connection

  #onConnectionEvent(id: number, event: Parameters<typeof onConnectionEvent>[2], out: FsmAction[]): void {
    const conn = this.#find(id);
    if (!conn || conn.state === 'Connect') return;
    const outcome = onConnectionEvent(this.#env, conn, event, out);
    switch (outcome.kind) {
      case 'continue':
        return;
      case 'open-accepted':
        return this.#onOpenAccepted(conn, outcome.negotiated, out);
      case 'established':
        this.#startTimer('IdleHoldReset', this.config.idleHoldResetMs, out);
        if (this.#restartState) {
          // RFC 4724 §3: the R bit says we have restarted; this peer now knows, and a later session (a flap) is no
          // restart of ours. The OPEN already sent on this session keeps the bit (it is in `negotiated.localOpen`).
          this.#restartState = false;
          this.#env.localOpen = localOpenFor(this.config, false);
        }
        return;
      case 'error':
        out.push({ type: 'send-notification', conn: conn.id, error: outcome.error });
        this.#close(conn, { kind: 'notification-sent', error: outcome.error }, out);
        if (this.#connections.length === 0) this.#sessionFailed(out);
        return;
      case 'notification':
        this.#close(conn, { kind: 'notification-received', notification: outcome.notification }, out);
        // RFC 4271 spares a version error from damping so the sender can retry with a lower version; we speak
        // version 4 only, so there is nothing to retry with, and damping keeps such a peer from looping.
        if (this.#connections.length === 0) this.#sessionFailed(out);
        return;
    }
  }

  /** §6.8: a valid OPEN arrived; settle any collision before answering it. */
  #onOpenAccepted(conn: Connection, negotiated: Negotiated, out: FsmAction[]): void {
    for (const other of [...this.#connections]) {
      if (other === conn || other.state === 'Connect') continue;
      if (other.id === conn.supersedes && other.state === 'Established') {
        // RFC 4724 §4.2: the peer restarted, and the receiving speaker treats it so — the old session is closed
        // without a NOTIFICATION, as a failed transport, and its routes are kept stale until End-of-RIB.
        this.#close(other, REPLACED_BY_RESTART, out);
        continue;
      }
      // Both connections lead to the same peer, so the arriving OPEN's identifier stands for both — which is
      // what lets us resolve against a connection still in OpenSent.
      const loser = resolveCollision({
        localBgpIdentifier: this.config.routerId,
        remoteBgpIdentifier: negotiated.peerBgpIdentifier,
        localAsn: this.config.localAsn,
        remoteAsn: negotiated.peerAsn,
        existing: { direction: other.direction, state: other.state },
        arriving: { direction: conn.direction },
        collisionWithEstablished: this.config.collisionWithEstablished,
      });
      if (loser === 'arriving') {
        this.#dump(conn, out);
        return;
      }
      this.#dump(other, out);
    }
    enterOpenConfirm(this.#env, conn, negotiated, out);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Bookkeeping

  /** The last connection failed: Idle, counted, and — unless stopped — an automatic restart after IdleHold. */
  #sessionFailed(out: FsmAction[]): void {
    this.#connectRetryCounter++;
    this.#idle = true;
    this.#stopTimer('ConnectRetry', out);
    this.#stopTimer('IdleHoldReset', out);
    if (!this.#autoRestart) return;
    this.#startTimer('IdleHold', backoffDelay(this.config.idleHold, this.#idleHoldAttempt++, this.#env.random), out);
  }

  #connect(out: FsmAction[]): void {
    const conn = this.#add('outgoing');
    out.push({ type: 'connect', conn: conn.id });
  }

  #add(direction: ConnectionDirection, supersedes?: number): Connection {
    const conn: Connection = {
      id: this.#nextConn++,
      direction,
      state: 'Connect',
      negotiated: undefined,
      timers: new Set(),
      steady: undefined,
      supersedes,
    };
    this.#connections.push(conn);
    return conn;
  }

  /** Collision loser (RFC 4486 §4: Cease / Connection Collision Resolution). */
  #dump(conn: Connection, out: FsmAction[]): void {
    const error = errors.cease(CeaseError.ConnectionCollisionResolution);
    out.push({ type: 'send-notification', conn: conn.id, error });
    this.#close(conn, { kind: 'notification-sent', error }, out);
  }

  /** Forgets the connection; `close` cancels its timers. An Established one also goes `down`. */
  #close(conn: Connection, reason: CloseReason, out: FsmAction[]): void {
    this.#connections = this.#connections.filter((c) => c !== conn);
    conn.timers.clear();
    out.push({ type: 'close', conn: conn.id, reason });
    if (conn.state === 'Established') {
      out.push({ type: 'down', conn: conn.id, reason });
      this.#stopTimer('IdleHoldReset', out);
    }
  }

  #find(id: number): Connection | undefined {
    for (const c of this.#connections) if (c.id === id) return c;
    return undefined;
  }

  /**
   * Starts the ConnectRetryTimer with the backoff of the next attempt — or, with `advance` false, of the attempt
   * just made: a connection that got through TCP and then failed restarts the timer of the same attempt, so each
   * connect-fail cycle doubles the delay once, not twice.
   */
  #startConnectRetryTimer(out: FsmAction[], advance = true): void {
    const attempt = advance ? this.#connectRetryAttempt++ : Math.max(0, this.#connectRetryAttempt - 1);
    this.#startTimer('ConnectRetry', backoffDelay(this.config.connectRetry, attempt, this.#env.random), out);
  }

  #startTimer(name: PeerTimerName, ms: number, out: FsmAction[]): void {
    this.#timers.add(name);
    out.push({ type: 'start-timer', timer: { name }, ms });
  }

  #stopTimer(name: PeerTimerName, out: FsmAction[]): void {
    if (this.#timers.delete(name)) out.push({ type: 'stop-timer', timer: { name } });
  }
}

function info(c: Connection): ConnectionInfo {
  return { conn: c.id, direction: c.direction, state: c.state, negotiated: c.negotiated };
}
