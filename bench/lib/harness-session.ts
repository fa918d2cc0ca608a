/**
 * One BGP session of the benchmark harness (the blaster's or a sink's): connect with retries or accept one
 * connection, exchange OPEN and KEEPALIVE (RFC 4271 §8's happy path only), send a KEEPALIVE every 30 s, and hand
 * every UPDATE to the owner as a view into the socket chunk. No hold timer is enforced: a benchmark target that
 * stalls shows up as a timeout in the runner, which is bounded, rather than as a reset here.
 *
 * Connect mode retries every 200 ms until the deadline, because the daemon under test may still be starting, and a
 * session that is refused or closed before Established is retried too. Once Established, a close or NOTIFICATION
 * ends the session for good (`onDown`).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { HEADER, KEEPALIVE, MessageSplitter, MessageType, notificationMessage, openMessage } from './harness-wire.js';

export interface HarnessSessionOptions {
  /** Our address (bound when connecting, listened on when accepting). */
  readonly local: string;
  /** The peer's address (connect mode). */
  readonly remote: string;
  readonly port: number;
  readonly mode: 'connect' | 'listen';
  readonly asn: number;
  readonly routerId: string;
  /** Proposed Hold Time, seconds. */
  readonly holdTime?: number;
  /** Give up connecting after this many milliseconds (default 60 s). */
  readonly connectTimeoutMs?: number;
}

export interface HarnessSessionEvents {
  established(): void;
  /** Each UPDATE, header included, as `buf[start..end)`; the view is valid only during the call. */
  update(buf: Buffer, start: number, end: number): void;
  /** The Established session ended (or never came up: `established` false). */
  down(reason: string, established: boolean): void;
}

const RETRY_MS = 200;
const KEEPALIVE_MS = 30_000;

export class HarnessSession {
  private socket: Socket | null = null;
  private server: Server | null = null;
  private established = false;
  private finished = false;
  private keepalive: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private readonly deadline: number;
  /** Bytes handed to the socket that it has not taken yet. */
  get queuedBytes(): number {
    return this.socket?.writableLength ?? 0;
  }

  constructor(
    private readonly options: HarnessSessionOptions,
    private readonly events: HarnessSessionEvents,
  ) {
    this.deadline = Date.now() + (options.connectTimeoutMs ?? 60_000);
  }

  start(): void {
    if (this.options.mode === 'connect') {
      this.dial();
      return;
    }
    const server = createServer((socket) => {
      if (this.socket !== null) {
        socket.destroy();
        return;
      }
      this.attach(socket);
    });
    server.on('error', (err) => this.finish(`listen: ${err.message}`));
    server.listen(this.options.port, this.options.local);
    this.server = server;
  }

  private dial(): void {
    if (this.finished) return;
    const socket = createConnection({ host: this.options.remote, port: this.options.port, localAddress: this.options.local, noDelay: true });
    socket.once('connect', () => this.attach(socket));
    socket.once('error', () => {
      // Refused or reset before the handshake: the target is not up yet.
      if (this.socket === socket || this.socket === null) this.retryLater(socket);
    });
  }

  private retryLater(socket: Socket): void {
    socket.destroy();
    this.socket = null;
    if (this.established || this.finished || this.retry !== null) return;
    if (Date.now() > this.deadline) {
      this.finish(`could not establish a session with ${this.options.remote}:${this.options.port}`);
      return;
    }
    this.retry = setTimeout(() => {
      this.retry = null;
      this.dial();
    }, RETRY_MS);
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    socket.setNoDelay(true);
    const splitter = new MessageSplitter(
      (type, buf, start, end) => this.onMessage(type, buf, start, end),
      (reason) => this.close(reason, 1, 0),
    );
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.established) this.finish('connection closed by the peer');
      else if (this.options.mode === 'connect') this.retryLater(socket);
    });
    socket.write(openMessage(this.options.asn, this.options.routerId, this.options.holdTime ?? 240));
  }

  private onMessage(type: number, buf: Buffer, start: number, end: number): void {
    switch (type) {
      case MessageType.Update:
        if (this.established) this.events.update(buf, start, end);
        return;
      case MessageType.Open:
        this.socket?.write(KEEPALIVE);
        return;
      case MessageType.Keepalive:
        if (this.established) return;
        this.established = true;
        this.keepalive = setInterval(() => this.socket?.write(KEEPALIVE), KEEPALIVE_MS);
        this.events.established();
        return;
      case MessageType.Notification: {
        const code = end - start > HEADER ? buf[start + HEADER] : undefined;
        const subcode = end - start > HEADER + 1 ? buf[start + HEADER + 1] : undefined;
        const reason = `NOTIFICATION ${code}/${subcode} received`;
        if (this.established) this.finish(reason);
        else if (this.socket !== null) this.retryLater(this.socket);
        return;
      }
      default:
        return; // ROUTE-REFRESH: the harness has nothing to resend
    }
  }

  /**
   * Queues bytes on the Established session; false when the socket wants a `drain` first (or the session is gone).
   */
  write(bytes: Uint8Array, done?: () => void): boolean {
    if (this.socket === null || this.finished) return false;
    return this.socket.write(bytes, done === undefined ? undefined : () => done());
  }

  /** Runs `fn` once the socket has drained. */
  onDrain(fn: () => void): void {
    this.socket?.once('drain', fn);
  }

  /** Sends a NOTIFICATION (default Cease / Administrative Shutdown) and closes the connection. */
  close(reason = 'closed by the harness', code = 6, subcode = 2): void {
    const socket = this.socket;
    if (socket !== null && !socket.destroyed) {
      socket.write(notificationMessage(code, subcode));
      socket.end();
      setTimeout(() => socket.destroy(), 2000).unref();
    }
    this.finish(reason);
  }

  /**
   * Drops the connection the way a crashed peer or a cut link does: no NOTIFICATION, a TCP RST (the soak's abrupt
   * flap). The session ends for good, like after `close`.
   */
  abort(reason = 'aborted by the harness'): void {
    const socket = this.socket;
    if (socket !== null && !socket.destroyed) socket.resetAndDestroy();
    this.finish(reason);
  }

  private finish(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    if (this.keepalive !== null) clearInterval(this.keepalive);
    if (this.retry !== null) clearTimeout(this.retry);
    this.server?.close();
    const was = this.established;
    this.established = false;
    this.events.down(reason, was);
  }
}
