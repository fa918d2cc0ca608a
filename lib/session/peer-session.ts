/**
 * One BGP peer on the network: the pure FSM of lib/fsm driven by sockets and timers.
 *
 * The FSM decides; this class carries out. Sockets, timers and decoded messages become `FsmEvent`s; the actions
 * that come back (connect, send, close, start a timer, established, down, deliver an UPDATE) are executed in
 * order. Events that arise while actions run (a socket closing as we close it) are queued and fed afterwards, so
 * the FSM never sees re-entrant calls. Every error is answered with its NOTIFICATION before the socket closes —
 * the FSM emits the `send-notification` before the `close`, and `Connection.close` flushes before ending.
 */
import { EventEmitter } from 'node:events';
import { connect as netConnect } from 'node:net';
import {
  BgpError,
  createContext,
  decodeMessage,
  decodeUpdate,
  encodeMessage,
  HEADER_LENGTH,
  notificationFor,
  MessageType,
  type BgpMessage,
  type CodecContext,
  type NotificationMessage,
  type PathAttribute,
  type Prefix,
  type RouteRefreshMessage,
  type UpdateMessage,
} from '../wire/index.js';
import {
  PeerFsm,
  decodeErrorEvent,
  messageEvent,
  timerExpiredEvent,
  timerKey,
  type CloseReason,
  type FsmAction,
  type FsmEvent,
  type FsmState,
  type Negotiated,
  type PeerFsmConfig,
} from '../fsm/index.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { Connection, type Transport } from './connection.js';
import { PeerCounters, notificationRecord } from './counters.js';
import { silentLogger, type Logger } from './log.js';

/** Opens an outgoing transport connection; the default uses node:net. */
export type Connector = (options: { host: string; port: number; localAddress?: string }) => Transport & {
  once(event: 'connect', fn: () => void): unknown;
  once(event: 'error', fn: (err: Error) => void): unknown;
};

export const netConnector: Connector = (o) => {
  const socket = netConnect({ host: o.host, port: o.port, noDelay: true, ...(o.localAddress ? { localAddress: o.localAddress } : {}) });
  return socket;
};

export interface PeerSessionOptions {
  /** The peer's address (where we connect, and whose incoming connections we take). */
  address: string;
  /** The peer's TCP port (default 179). */
  port?: number;
  /** Local address to bind outgoing connections to. */
  localAddress?: string;
  fsm: PeerFsmConfig;
  clock?: Clock;
  connector?: Connector;
  logger?: Logger;
  /** Random source for timer jitter (tests). */
  random?: () => number;
  /** Inbound messages handled per event-loop turn. */
  messagesPerTurn?: number;
  /**
   * Outbound bytes queued beyond which a peer that does not read is disconnected. No NOTIFICATION is sent: it
   * would only join the queue the peer is not reading.
   */
  maxQueuedBytes?: number;
}

export interface PeerSessionEvents {
  state: [from: FsmState, to: FsmState];
  established: [negotiated: Negotiated, local: { address: string; port: number }];
  /** The Established session ended; `reason` is human-readable, `close` the FSM's structured reason. */
  down: [reason: string, close: CloseReason];
  update: [update: UpdateMessage];
  /**
   * An UPDATE on the Established session, undecoded: the whole message (header included; a view into the socket's
   * chunk — copy what you keep) and the negotiated receive context. While this event has listeners the session
   * does not decode UPDATEs itself; a listener that finds a session-reset error (RFC 7606) throws its `BgpError`,
   * and the session ends as it would on a decoding error (NOTIFICATION, Event 28). `update` is still emitted,
   * decoded after the listeners ran, when it has listeners too.
   */
  rawUpdate: [message: Uint8Array, ctx: CodecContext];
  routeRefresh: [message: RouteRefreshMessage];
  /** The outbound queue can take more (after backpressure). */
  writable: [];
  notificationSent: [error: BgpError];
  notificationReceived: [notification: NotificationMessage];
}

const defaultContext = createContext();

export class PeerSession extends EventEmitter<PeerSessionEvents> {
  readonly address: string;
  readonly port: number;
  readonly localAddress: string | undefined;
  readonly fsm: PeerFsm;
  readonly counters = new PeerCounters();
  private readonly clock: Clock;
  private readonly connector: Connector;
  private readonly log: Logger;
  private readonly messagesPerTurn: number;
  private readonly maxQueuedBytes: number;
  private readonly connections = new Map<number, Connection>();
  private readonly timers = new Map<string, TimerHandle>();
  /** Hold timers that fired and wait one poll phase before they count (see `start-timer`). */
  private readonly expiring = new Map<string, object>();
  private readonly queue: FsmEvent[] = [];
  private running = false;
  /** The socket offered by the listener while `TcpConnectionConfirmed` is being handled. */
  private offered: Transport | undefined;
  private establishedConn: number | undefined;
  private txContext: CodecContext = defaultContext;
  private stopped = false;

  constructor(options: PeerSessionOptions) {
    super();
    this.address = options.address;
    this.port = options.port ?? 179;
    this.localAddress = options.localAddress;
    this.clock = options.clock ?? systemClock;
    this.connector = options.connector ?? netConnector;
    this.log = options.logger ?? silentLogger;
    this.messagesPerTurn = options.messagesPerTurn ?? 256;
    this.maxQueuedBytes = options.maxQueuedBytes ?? 64 * 1024 * 1024;
    this.fsm = new PeerFsm(options.fsm, options.random ? { random: options.random } : {});
  }

  get state(): FsmState {
    return this.fsm.state;
  }

  get negotiated(): Negotiated | undefined {
    return this.fsm.negotiated;
  }

  /** The established connection's local endpoint (our next hop toward this peer). */
  get localEndpoint(): { address: string; port: number } | undefined {
    const c = this.establishedConn === undefined ? undefined : this.connections.get(this.establishedConn);
    return c ? { address: c.localAddress, port: c.localPort } : undefined;
  }

  /** Bytes queued toward the peer and not yet taken by the kernel. */
  get queuedBytes(): number {
    const c = this.establishedConn === undefined ? undefined : this.connections.get(this.establishedConn);
    return c ? c.queuedBytes : 0;
  }

  /** Starts the peer (ManualStart, or the passive variant for a passive peer). */
  start(): void {
    this.stopped = false;
    this.feed(this.fsm.config.passive ? { type: 'ManualStart_with_PassiveTcpEstablishment' } : { type: 'ManualStart' });
  }

  /**
   * Stops the peer: Cease (Administrative Shutdown by default, RFC 4486) with an optional RFC 9003 message, then
   * close. Resolves when every connection is closed.
   */
  stop(error?: BgpError): Promise<void> {
    this.stopped = true;
    this.feed(error ? { type: 'ManualStop', error } : { type: 'ManualStop' });
    for (const h of this.timers.values()) h.cancel();
    this.timers.clear();
    this.expiring.clear();
    return this.whenClosed();
  }

  /** Resets an established session (e.g. a max-prefix Cease) and lets the FSM restart it automatically later. */
  reset(error: BgpError): void {
    this.feed({ type: 'AutomaticStop', error });
  }

  private whenClosed(): Promise<void> {
    if (this.connections.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.connections.size === 0) resolve();
        else setTimeout(check, 10);
      };
      check();
    });
  }

  /** An incoming connection from this peer's address, handed over by the listener. */
  offerConnection(socket: Transport): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    this.offered = socket;
    try {
      this.feed({ type: 'TcpConnectionConfirmed' });
    } finally {
      if (this.offered) {
        // Neither accepted nor rejected (e.g. the FSM is Idle): drop it.
        this.offered.destroy();
        this.offered = undefined;
      }
    }
  }

  /**
   * Sends `count` encoded UPDATE messages laid end to end in `bytes` (one socket write for the batch) on the
   * Established session. Returns false when the caller should wait for `'writable'` before sending more
   * (backpressure), or when no session is up.
   */
  sendUpdateBatch(bytes: Uint8Array, count: number): boolean {
    const conn = this.establishedConn;
    const c = conn === undefined ? undefined : this.connections.get(conn);
    if (!c || conn === undefined) return false;
    const ok = c.send(bytes);
    for (let i = 0; i < count; i++) this.counters.countSent(MessageType.Update);
    if (count > 0) this.feed({ type: 'UpdateSent', conn });
    return ok && !c.isClosed;
  }

  /** Sends a ROUTE-REFRESH (RFC 2918) for a family on the Established session. */
  sendRouteRefresh(afi: number, safi: number, subtype = 0): boolean {
    const conn = this.establishedConn;
    const c = conn === undefined ? undefined : this.connections.get(conn);
    if (!c) return false;
    this.counters.countSent(MessageType.RouteRefresh);
    return c.send(encodeMessage({ type: 5, afi, safi, subtype }, this.txContext));
  }

  // -------------------------------------------------------------------------------------------------------------

  private feed(event: FsmEvent): void {
    this.queue.push(event);
    if (this.running) return;
    this.running = true;
    try {
      for (let ev = this.queue.shift(); ev !== undefined; ev = this.queue.shift()) {
        const actions = this.fsm.handle(ev);
        for (const a of actions) this.execute(a);
      }
    } finally {
      this.running = false;
    }
  }

  private execute(a: FsmAction): void {
    switch (a.type) {
      case 'connect':
        return this.openConnection(a.conn);
      case 'accept': {
        const socket = this.offered;
        this.offered = undefined;
        if (socket) this.attach(a.conn, socket);
        return;
      }
      case 'reject': {
        const socket = this.offered;
        this.offered = undefined;
        if (!socket) return;
        this.log.info({ event: 'connection-rejected', code: a.error.code, subcode: a.error.subcode }, a.error.message);
        const c = new Connection(socket, { messagesPerTurn: 1 });
        c.send(encodeMessage(notificationFor(a.error), defaultContext));
        c.close('rejected');
        return;
      }
      case 'send-open':
        return this.sendMessage(a.conn, a.open);
      case 'send-keepalive':
        return this.sendMessage(a.conn, { type: 4 });
      case 'send-notification': {
        const c = this.connections.get(a.conn);
        if (!c) return;
        this.counters.lastNotificationSent = notificationRecord(
          a.error.code,
          a.error.subcode,
          shutdownText(a.error),
        );
        this.log.warn(
          { event: 'notification-sent', code: a.error.code, subcode: a.error.subcode, reason: a.error.message },
          `NOTIFICATION sent: ${a.error.message}`,
        );
        this.emit('notificationSent', a.error);
        return this.sendMessage(a.conn, notificationFor(a.error, this.connContext(a.conn)));
      }
      case 'close': {
        const c = this.connections.get(a.conn);
        this.cancelTimer(`Hold:${a.conn}`);
        this.cancelTimer(`Keepalive:${a.conn}`);
        const pending = this.pendingConnects.get(a.conn);
        if (pending) {
          this.pendingConnects.delete(a.conn);
          pending.destroy();
        }
        if (!c) return;
        this.connections.delete(a.conn);
        if (this.establishedConn === a.conn) this.establishedConn = undefined;
        c.close(describeClose(a.reason));
        return;
      }
      case 'start-timer': {
        const key = timerKey(a.timer);
        this.cancelTimer(key);
        const timer = a.timer;
        this.timers.set(
          key,
          this.clock.setTimer(a.ms, () => {
            this.timers.delete(key);
            if (timer.name !== 'Hold') return this.feed(timerExpiredEvent(timer));
            // After a stall (a paused process, a long GC), Node runs overdue timers before it reads the sockets:
            // give input that already arrived one poll phase to restart the hold timer before declaring the peer
            // dead, as FRR does when input is still queued.
            const token = {};
            this.expiring.set(key, token);
            setImmediate(() => {
              if (this.expiring.get(key) !== token) return; // restarted or stopped meanwhile
              this.expiring.delete(key);
              this.feed(timerExpiredEvent(timer));
            });
          }),
        );
        return;
      }
      case 'stop-timer':
        return this.cancelTimer(timerKey(a.timer));
      case 'state':
        this.log.debug({ event: 'state', from: a.from, to: a.to }, `${a.from} → ${a.to}`);
        this.emit('state', a.from, a.to);
        return;
      case 'established': {
        const c = this.connections.get(a.conn);
        this.establishedConn = a.conn;
        this.txContext = a.negotiated.tx;
        if (c) c.extendedMessage = a.negotiated.extendedMessage;
        this.counters.establishedTransitions++;
        this.counters.lastStateChange = Date.now();
        const local = c ? { address: c.localAddress, port: c.localPort } : { address: '', port: 0 };
        this.log.info(
          { event: 'session-up', peerAsn: a.negotiated.peerAsn, holdTime: a.negotiated.holdTime, families: a.negotiated.families },
          'session established',
        );
        this.emit('established', a.negotiated, local);
        return;
      }
      case 'down': {
        const reason = describeClose(a.reason);
        this.counters.flaps++;
        this.counters.lastStateChange = Date.now();
        this.counters.lastDownReason = reason;
        this.txContext = defaultContext;
        this.log.warn({ event: 'session-down', reason }, `session down: ${reason}`);
        this.emit('down', reason, a.reason);
        return;
      }
      case 'deliver-update':
        if (a.update instanceof UndecodedUpdate) this.deliverRaw(a.conn, a.update.message, a.update.ctx);
        else this.emit('update', a.update);
        return;
      case 'deliver-route-refresh':
        this.emit('routeRefresh', a.message);
        return;
    }
  }

  /** An undecoded UPDATE for `rawUpdate`; a session-reset error its listeners throw becomes Event 28. */
  private deliverRaw(conn: number, message: Uint8Array, ctx: CodecContext): void {
    try {
      this.emit('rawUpdate', message, ctx);
      if (this.listenerCount('update') > 0) this.emit('update', decodeUpdate(message.subarray(HEADER_LENGTH), ctx));
    } catch (err) {
      if (!(err instanceof BgpError)) throw err;
      this.feed({ type: 'UpdateMsgErr', conn, error: err });
    }
  }

  private cancelTimer(key: string): void {
    this.expiring.delete(key);
    const h = this.timers.get(key);
    if (h) {
      h.cancel();
      this.timers.delete(key);
    }
  }

  private connContext(conn: number): CodecContext {
    return this.fsm.connection(conn)?.negotiated?.tx ?? defaultContext;
  }

  private sendMessage(conn: number, message: BgpMessage): void {
    const c = this.connections.get(conn);
    if (!c) return;
    this.counters.countSent(message.type);
    c.send(encodeMessage(message, this.connContext(conn)));
  }

  private openConnection(conn: number): void {
    let socket: ReturnType<Connector>;
    try {
      socket = this.connector({
        host: this.address,
        port: this.port,
        ...(this.localAddress ? { localAddress: this.localAddress } : {}),
      });
    } catch (err) {
      // E.g. a local address that is not ours: report it as a failed connection so the FSM backs off.
      queueMicrotask(() => this.feed({ type: 'TcpConnectionFails', conn, detail: (err as Error).message }));
      return;
    }
    let settled = false;
    socket.once('error', (err) => {
      if (settled) return;
      settled = true;
      this.pendingConnects.delete(conn);
      socket.destroy();
      this.feed({ type: 'TcpConnectionFails', conn, detail: err.message });
    });
    socket.once('connect', () => {
      if (settled) return;
      settled = true;
      // The FSM may have abandoned this attempt meanwhile (ConnectRetry, or an incoming connection won).
      const info = this.fsm.connection(conn);
      if (!info || info.state !== 'Connect') {
        this.pendingConnects.delete(conn);
        socket.destroy();
        return;
      }
      this.attach(conn, socket);
      this.feed({ type: 'Tcp_CR_Acked', conn });
    });
    // Until connected, a `close` action for this conn must be able to abort the attempt.
    this.pendingConnects.set(conn, socket);
  }

  private readonly pendingConnects = new Map<number, Transport>();

  private attach(conn: number, socket: Transport): void {
    this.pendingConnects.delete(conn);
    const c = new Connection(socket, { messagesPerTurn: this.messagesPerTurn, maxQueuedBytes: this.maxQueuedBytes });
    this.connections.set(conn, c);
    c.on('message', (bytes) => this.onMessage(conn, bytes));
    c.on('framingError', (error) => this.feed({ type: 'BGPHeaderErr', conn, error }));
    c.on('overflow', (queued) => {
      this.log.warn({ event: 'send-queue-overflow', queued }, 'peer is not reading; resetting the session');
      c.destroy('send queue overflow');
      this.feed({ type: 'TcpConnectionFails', conn, detail: `peer not reading (${queued} bytes queued)` });
    });
    c.on('drain', () => {
      if (conn === this.establishedConn) this.emit('writable');
    });
    c.on('close', (reason) => {
      if (this.connections.get(conn) === c) this.feed({ type: 'TcpConnectionFails', conn, detail: reason });
    });
  }

  private onMessage(conn: number, bytes: Uint8Array): void {
    const type = bytes[18] ?? 0;
    this.counters.countReceived(type);
    const info = this.fsm.connection(conn);
    // Only an Established connection has a negotiated context; before that, decode as RFC 4271 does by default
    // (the FSM answers an early UPDATE with RFC 6608's error whatever it contains).
    const ctx = info?.negotiated?.rx ?? defaultContext;
    if (type === MessageType.Update && info?.state === 'Established' && this.listenerCount('rawUpdate') > 0) {
      // The FSM sees every UPDATE (its hold timer restarts), but the message goes to `rawUpdate` undecoded: the
      // RIB's fast path decodes only attribute blocks it has not seen before.
      this.feed({ type: 'UpdateMsg', conn, update: new UndecodedUpdate(bytes, ctx) });
      return;
    }
    let message: BgpMessage;
    try {
      message = decodeMessage(bytes, ctx);
    } catch (err) {
      if (!(err instanceof BgpError)) throw err;
      this.feed(decodeErrorEvent(conn, err));
      return;
    }
    if (message.type === 3) {
      this.counters.lastNotificationReceived = notificationRecord(message.code, message.subcode, message.shutdownMessage);
      this.log.warn(
        { event: 'notification-received', code: message.code, subcode: message.subcode, shutdownMessage: message.shutdownMessage },
        `NOTIFICATION received: ${this.counters.lastNotificationReceived.name}`,
      );
      this.emit('notificationReceived', message);
    }
    this.feed(messageEvent(conn, message));
  }
}

const NO_PREFIXES: readonly Prefix[] = Object.freeze([]);
const NO_ATTRIBUTES: readonly PathAttribute[] = Object.freeze([]);

/**
 * An UPDATE handed to the FSM undecoded (see `onMessage`): the FSM only needs to know that one arrived, and passes
 * it back in its `deliver-update` action, where the message goes to `rawUpdate`. Its fields are empty: it is never
 * given to anyone as a decoded message.
 */
class UndecodedUpdate implements UpdateMessage {
  readonly type = 2 as const;
  readonly withdrawn = NO_PREFIXES;
  readonly attributes = NO_ATTRIBUTES;
  readonly nlri = NO_PREFIXES;

  constructor(
    readonly message: Uint8Array,
    readonly ctx: CodecContext,
  ) {}
}

function shutdownText(error: BgpError): string | undefined {
  const d = error.data;
  if (error.code !== 6 || (error.subcode !== 2 && error.subcode !== 4) || d.length === 0) return undefined;
  const n = d[0] as number;
  if (n + 1 > d.length) return undefined;
  return Buffer.from(d.subarray(1, 1 + n)).toString('utf8');
}

/** A one-line, human-readable reason for logs and `show neighbors`. */
export function describeClose(reason: CloseReason): string {
  switch (reason.kind) {
    case 'notification-sent':
      return `sent NOTIFICATION ${reason.error.message}`;
    case 'notification-received': {
      const n = reason.notification;
      const rec = notificationRecord(n.code, n.subcode, n.shutdownMessage);
      return `received NOTIFICATION ${rec.name}${n.shutdownMessage ? `: "${n.shutdownMessage}"` : ''}`;
    }
    case 'tcp-failure':
      return `TCP: ${reason.detail ?? 'connection failed'}`;
    case 'connect-abandoned':
      return `connection attempt abandoned (${reason.cause})`;
  }
}
