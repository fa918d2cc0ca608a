/**
 * One BGP peer on the network: the pure FSM of lib/fsm driven by sockets and timers.
 *
 * The FSM decides; this class carries out. Sockets, timers and decoded messages become `FsmEvent`s; the actions
 * that come back (connect, send, close, start a timer, established, down, deliver an UPDATE) are executed in
 * order. Events that arise while actions run (a socket closing as we close it) are queued and fed afterwards, so
 * the FSM never sees re-entrant calls. Every error is answered with its NOTIFICATION before the socket closes —
 * the FSM emits the `send-notification` before the `close`, and `Connection.close` flushes before ending.
 *
 * The Established steady state — an UPDATE in, a batch of UPDATEs out, a write taken by the kernel — runs per
 * message, so it is kept free of allocation: its events are preallocated per connection (the UPDATE's one refilled
 * for each message), the FSM answers with its frozen per-session lists, and timers are deadlines in a `TimerTable`
 * (restarting the hold timer moves a number).
 */
import { EventEmitter } from 'node:events';
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
  type RouteRefreshMessage,
  type UpdateMessage,
} from '../wire/index.js';
import {
  PeerFsm,
  decodeErrorEvent,
  messageEvent,
  timerExpiredEvent,
  timerSlot,
  type CloseReason,
  type FsmAction,
  type FsmEvent,
  type FsmState,
  type Negotiated,
  type PeerFsmConfig,
  type TimerRef,
} from '../fsm/index.js';
import { systemClock, type Clock } from './clock.js';
import { Connection, type Transport } from './connection.js';
import { describeClose, shutdownText } from './close-reason.js';
import { netConnector, type Connector } from './connector.js';
import { PeerCounters, notificationRecord } from './counters.js';
import { silentLogger, type Logger } from './log.js';
import { TimerTable } from './timers.js';
import { NO_BYTES, UndecodedUpdate } from './undecoded-update.js';

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
  private readonly timers: TimerTable<TimerRef>;
  private readonly queue: FsmEvent[] = [];
  private running = false;
  /** The socket offered by the listener while `TcpConnectionConfirmed` is being handled. */
  private offered: Transport | undefined;
  private establishedConn: number | undefined;
  private txContext: CodecContext = defaultContext;
  /** The Established connection's receive context, for the UPDATE fast path of `onMessage`. */
  private rxContext: CodecContext = defaultContext;
  private stopped = false;
  /** Event 27 for the Established connection, refilled for each UPDATE while no other event is being handled. */
  private updateEvent: { type: 'UpdateMsg'; conn: number; update: UndecodedUpdate } | undefined;
  /** `UpdateSent` for the Established connection. */
  private updateSentEvent: FsmEvent | undefined;

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
    this.timers = new TimerTable(this.clock, (timer, slot) => this.onTimerDue(timer, slot));
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
    this.timers.stopAll();
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
    this.counters.countSent(MessageType.Update, count);
    if (count > 0 && this.updateSentEvent) this.feed(this.updateSentEvent);
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
    if (this.running) {
      this.queue.push(event);
      return;
    }
    this.running = true;
    try {
      for (let ev: FsmEvent | undefined = event; ev !== undefined; ev = this.queue.shift()) {
        const actions = this.fsm.handle(ev);
        for (let i = 0; i < actions.length; i++) this.execute(actions[i] as FsmAction, ev);
      }
    } finally {
      this.running = false;
    }
  }

  /** Event 27 with an undecoded UPDATE, for `rawUpdate`: the preallocated event unless one is being handled. */
  private feedRawUpdate(conn: number, bytes: Uint8Array, ctx: CodecContext): void {
    const ev = this.updateEvent;
    if (this.running || ev === undefined || ev.conn !== conn) {
      this.feed({ type: 'UpdateMsg', conn, update: new UndecodedUpdate(bytes, ctx) });
      return;
    }
    ev.update.message = bytes;
    ev.update.ctx = ctx;
    try {
      this.feed(ev);
    } finally {
      ev.update.message = NO_BYTES; // not to keep the socket's chunk alive
    }
  }

  private execute(a: FsmAction, ev: FsmEvent): void {
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
        this.timers.stop(timerSlot({ name: 'Hold', conn: a.conn }));
        this.timers.stop(timerSlot({ name: 'Keepalive', conn: a.conn }));
        this.timers.stop(timerSlot({ name: 'SendHold', conn: a.conn }));
        const pending = this.pendingConnects.get(a.conn);
        if (pending) {
          this.pendingConnects.delete(a.conn);
          pending.destroy();
        }
        if (!c) return;
        this.connections.delete(a.conn);
        if (this.establishedConn === a.conn) this.leaveEstablished();
        c.close(describeClose(a.reason));
        return;
      }
      case 'start-timer':
        return this.timers.start(timerSlot(a.timer), a.ms, a.timer);
      case 'stop-timer':
        return this.timers.stop(timerSlot(a.timer));
      case 'state':
        this.log.debug({ event: 'state', from: a.from, to: a.to }, `${a.from} → ${a.to}`);
        this.emit('state', a.from, a.to);
        return;
      case 'established': {
        const c = this.connections.get(a.conn);
        this.establishedConn = a.conn;
        this.txContext = a.negotiated.tx;
        this.rxContext = a.negotiated.rx;
        this.updateEvent = { type: 'UpdateMsg', conn: a.conn, update: new UndecodedUpdate(NO_BYTES, a.negotiated.rx) };
        this.updateSentEvent = { type: 'UpdateSent', conn: a.conn };
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
      case 'deliver-update': {
        // The FSM delivers the UPDATE of the event it was given (UpdateMsg is the only event that delivers one).
        if (ev.type !== 'UpdateMsg') return;
        const update = ev.update;
        if (update instanceof UndecodedUpdate) this.deliverRaw(a.conn, update.message, update.ctx);
        else this.emit('update', update);
        return;
      }
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

  /** A timer's deadline passed: tell the FSM, which decides what it means. */
  private onTimerDue(timer: TimerRef, slot: number): void {
    if (timer.name !== 'Hold' && timer.name !== 'SendHold') {
      this.timers.stop(slot);
      this.feed(timerExpiredEvent(timer));
      return;
    }
    // After a stall (a paused process, a long GC), Node runs overdue timers before it polls the sockets: give input
    // that already arrived (Hold), or writes the kernel already took (SendHold), one poll phase to restart the timer
    // before declaring the peer dead, as FRR does when input is still queued.
    setImmediate(() => {
      if (!this.timers.isDue(slot)) return; // restarted or stopped meanwhile
      this.timers.stop(slot);
      this.feed(timerExpiredEvent(timer));
    });
  }

  private leaveEstablished(): void {
    this.establishedConn = undefined;
    this.rxContext = defaultContext;
    this.updateEvent = undefined;
    this.updateSentEvent = undefined;
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
    const transmitted: FsmEvent = { type: 'MessagesTransmitted', conn };
    c.on('message', (bytes) => this.onMessage(conn, bytes));
    c.on('transmitted', () => {
      if (this.connections.get(conn) === c) this.feed(transmitted);
    });
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
    if (type === MessageType.Update && conn === this.establishedConn && this.listenerCount('rawUpdate') > 0) {
      // The FSM sees every UPDATE (its hold timer restarts), but the message goes to `rawUpdate` undecoded: the
      // RIB's fast path decodes only attribute blocks it has not seen before.
      this.feedRawUpdate(conn, bytes, this.rxContext);
      return;
    }
    const info = this.fsm.connection(conn);
    // Only an Established connection has a negotiated context; before that, decode as RFC 4271 does by default
    // (the FSM answers an early UPDATE with RFC 6608's error whatever it contains).
    const ctx = info?.negotiated?.rx ?? defaultContext;
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
