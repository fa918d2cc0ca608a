/**
 * The passive side: a TCP listener that hands each accepted connection to whoever is configured for its source
 * address, and turns everyone else away the way RFC 4486 describes — NOTIFICATION Cease / Connection Rejected (6/5),
 * then close — without creating any state for them.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import { errors, encodeMessage, createContext, notificationFor, CeaseError } from '../wire/index.js';
import { normaliseAddress } from './connection.js';

export interface ListenOptions {
  /** Address to bind; `::` or `0.0.0.0` for all. */
  host: string;
  /** TCP port; 179 by default, 0 for an ephemeral one (tests). */
  port: number;
}

export interface ListenerEvents {
  /** An accepted connection from a known peer: the owner takes the socket. */
  connection: [socket: Socket, remoteAddress: string];
  /** An accepted connection from an address nobody claimed; it has been answered with 6/5 and closed. */
  rejected: [remoteAddress: string, remotePort: number];
  error: [err: Error];
}

/** Decides whether a connection from `address` is wanted (a configured peer, or a listen range with room). */
export type AcceptPolicy = (address: string) => boolean;

const rejectionContext = createContext();

export class Listener extends EventEmitter<ListenerEvents> {
  private server: Server | undefined;
  /** Every socket accepted and not yet closed: `close()` must not wait on a peer that never finishes closing. */
  private readonly sockets = new Set<Socket>();

  constructor(private readonly accept: AcceptPolicy) {
    super();
  }

  /** Starts listening; resolves with the bound address and port. */
  listen(options: ListenOptions): Promise<{ address: string; port: number }> {
    return new Promise((resolve, reject) => {
      const server = createServer({ noDelay: true }, (socket) => this.onConnection(socket));
      this.server = server;
      const onError = (err: Error): void => {
        server.off('listening', onListening);
        reject(err);
      };
      const onListening = (): void => {
        server.off('error', onError);
        server.on('error', (err) => this.emit('error', err));
        const a = server.address();
        if (a && typeof a === 'object') resolve({ address: a.address, port: a.port });
        else resolve({ address: options.host, port: options.port });
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen({ host: options.host, port: options.port, exclusive: true });
    });
  }

  /**
   * Stops listening and resolves once every accepted socket is closed. Sessions send their NOTIFICATIONs before
   * this is called; a socket still open after a grace period is destroyed so shutdown is bounded.
   */
  close(graceMs = 1000): Promise<void> {
    return new Promise((resolve) => {
      const server = this.server;
      if (!server) return resolve();
      this.server = undefined;
      // This timer is deliberately not unref'd: it keeps the process alive until the sockets are really gone.
      const timer = setTimeout(() => {
        for (const s of this.sockets) s.destroy();
      }, graceMs);
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private onConnection(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    const remote = normaliseAddress(socket.remoteAddress ?? '');
    // A socket error before the owner attaches its handlers must not crash the process.
    socket.on('error', () => socket.destroy());
    if (this.accept(remote)) {
      this.emit('connection', socket, remote);
      return;
    }
    const notification = notificationFor(errors.cease(CeaseError.ConnectionRejected, undefined, `unknown peer ${remote}`));
    socket.end(encodeMessage(notification, rejectionContext));
    const t = setTimeout(() => socket.destroy(), 1000);
    t.unref();
    socket.on('close', () => clearTimeout(t));
    this.emit('rejected', remote, socket.remotePort ?? 0);
  }
}
