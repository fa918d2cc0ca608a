/**
 * One BGP transport connection: a TCP socket (or any duplex with the same surface) framed into BGP messages, with
 * an outbound queue that respects backpressure and inbound work bounded per event-loop turn.
 *
 * Why bounded: a peer sending a full table can fill the socket faster than the RIB digests it. Processing at most
 * `messagesPerTurn` messages before yielding (with the socket paused) lets timers run in between, so our KEEPALIVEs
 * go out and hold timers are checked even under load — a busy RIB never starves the session.
 * Why a byte-bounded queue: a peer that stops reading must not grow our memory without limit; the owner is told
 * (`'overflow'`) and decides (the session resets it). What the kernel takes is reported too (`'transmitted'`): that,
 * not queueing, is when a message has been sent for RFC 9687's SendHoldTimer.
 *
 * This module frames and queues; it does not decode message bodies (the session does, with the negotiated context).
 */
import { EventEmitter } from 'node:events';
import { Framer, BgpError } from '../wire/index.js';

/** The part of `net.Socket` a connection uses; in-memory duplex pairs in tests provide the same. */
export interface Transport {
  /** `done` runs once the chunk has been handed to the kernel (or the write failed). */
  write(chunk: Uint8Array, done?: (err?: Error | null) => void): boolean;
  end(): unknown;
  destroy(): unknown;
  pause(): unknown;
  resume(): unknown;
  on(event: 'data', fn: (chunk: Buffer) => void): unknown;
  on(event: 'drain' | 'end', fn: () => void): unknown;
  on(event: 'close', fn: (hadError: boolean) => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
  readonly writableLength?: number;
}

export interface ConnectionOptions {
  /** Inbound messages handled per event-loop turn before yielding. */
  messagesPerTurn?: number;
  /** Bytes queued for writing beyond which `'overflow'` is emitted. */
  maxQueuedBytes?: number;
}

export interface ConnectionEvents {
  /** One whole BGP message (header included). The bytes may be a view into a socket chunk: copy what you keep. */
  message: [bytes: Uint8Array];
  /** A framing error (bad marker, length or type): the owner sends the NOTIFICATION and closes. */
  framingError: [error: BgpError];
  /** The write queue fell below the low-water mark. */
  drain: [];
  /** Writes queued exceed `maxQueuedBytes`: the peer is not reading. */
  overflow: [queued: number];
  /** A write left our queue for the kernel: progress toward the peer (RFC 9687). */
  transmitted: [];
  /** The transport closed, for whatever reason; emitted once. */
  close: [reason: string];
}

export class Connection extends EventEmitter<ConnectionEvents> {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  private readonly framer = new Framer();
  private readonly messagesPerTurn: number;
  private readonly maxQueuedBytes: number;
  private scheduled = false;
  private closed = false;
  private stopped = false;
  private overflowed = false;
  /**
   * The completion callback of every write: one function, so that a write allocates no closure of ours. Node hands
   * writes that queued up behind a pending one to the kernel together (writev), and reports them when all are taken,
   * so progress is seen per batch of writes: with the Speaker's backpressure (it stops at the high-water mark) that
   * is tens of KiB, far finer than any SendHoldTime needs.
   */
  private readonly written = (err?: Error | null): void => {
    if (err == null && !this.closed) this.emit('transmitted');
  };

  constructor(
    private readonly transport: Transport,
    options: ConnectionOptions = {},
  ) {
    super();
    this.messagesPerTurn = options.messagesPerTurn ?? 256;
    this.maxQueuedBytes = options.maxQueuedBytes ?? 32 * 1024 * 1024;
    this.remoteAddress = normaliseAddress(transport.remoteAddress ?? '');
    this.remotePort = transport.remotePort ?? 0;
    this.localAddress = normaliseAddress(transport.localAddress ?? '');
    this.localPort = transport.localPort ?? 0;
    transport.on('data', (chunk) => this.onData(chunk));
    transport.on('drain', () => {
      this.overflowed = false;
      this.emit('drain');
    });
    transport.on('error', (err) => this.finish(`transport error: ${err.message}`));
    transport.on('end', () => this.finish('peer closed the connection'));
    transport.on('close', () => this.finish('connection closed'));
  }

  /** RFC 8654: once both sides sent the Extended Message capability, messages may be up to 65535 octets. */
  set extendedMessage(on: boolean) {
    this.framer.extendedMessage = on;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes written but not yet taken by the kernel. */
  get queuedBytes(): number {
    return this.transport.writableLength ?? 0;
  }

  /** Queues one encoded message. Returns false when the caller should wait for `'drain'` before sending more. */
  send(bytes: Uint8Array): boolean {
    if (this.closed) return false;
    const ok = this.transport.write(bytes, this.written);
    if (!this.overflowed && this.queuedBytes > this.maxQueuedBytes) {
      this.overflowed = true;
      this.emit('overflow', this.queuedBytes);
    }
    return ok;
  }

  /** Stops delivering inbound messages (used once a NOTIFICATION has been sent or received). */
  stopReading(): void {
    this.stopped = true;
  }

  /** Half-closes after flushing what is queued (so a NOTIFICATION reaches the peer), then destroys. */
  close(reason: string): void {
    if (this.closed) return;
    this.stopReading();
    this.transport.end();
    // A peer that never reads must not keep the socket open: give the flush a bounded time.
    const t = setTimeout(() => this.transport.destroy(), 2000);
    t.unref();
    this.finish(reason);
  }

  /** Drops the connection at once, without flushing. */
  destroy(reason: string): void {
    this.stopReading();
    this.transport.destroy();
    this.finish(reason);
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.stopReading();
    this.emit('close', reason);
  }

  private onData(chunk: Buffer): void {
    if (this.stopped) return;
    this.framer.push(chunk);
    this.drainPending();
  }

  /**
   * Takes messages out of the framer one at a time, so that a change of the maximum length (RFC 8654, set when the
   * OPENs are exchanged) applies to the very next message even when it arrived in the same chunk.
   */
  private drainPending(): void {
    let budget = this.messagesPerTurn;
    while (!this.stopped) {
      if (budget-- === 0) {
        if (this.framer.buffered > 0 && !this.scheduled) {
          this.scheduled = true;
          this.transport.pause();
          setImmediate(() => {
            this.scheduled = false;
            if (this.closed) return;
            this.transport.resume();
            this.drainPending();
          });
        }
        return;
      }
      let message: Uint8Array | undefined;
      try {
        message = this.framer.next();
      } catch (err) {
        if (!(err instanceof BgpError)) throw err;
        this.stopReading();
        this.emit('framingError', err);
        return;
      }
      if (message === undefined) return;
      this.emit('message', message);
    }
  }
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) → `10.0.0.1`. */
export function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
