/**
 * A scriptable raw BGP peer over node:net, for fault injection against a tsbgpd Speaker on loopback: it sends
 * whatever bytes a test makes (well-formed messages from the codec, or hand-broken ones), and misbehaves on
 * command — stops reading (its receive window closes and the speaker's writes back up), stops sending (the
 * speaker's hold timer runs out), resets the connection with a TCP RST in the middle of a message, or flaps.
 *
 * It keeps no BGP state machine of its own beyond `establish()` (OPEN, then KEEPALIVE once the speaker's OPEN and
 * KEEPALIVE are in): everything else is the test's script. What the speaker sends is framed (extended lengths
 * allowed, so nothing it may send is refused) and decoded as it arrives; `waitFor` looks at it.
 * Only for tests: connects and listens on 127.0.0.0/8 addresses given by the caller.
 */
import { EventEmitter, once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { permitAny } from '../../lib/policy/index.js';
import { Speaker, type PeerConfig } from '../../lib/speaker/index.js';
import {
  BgpError,
  Framer,
  createContext,
  decodeMessage,
  encodeMessage,
  openFor,
  parsePrefix,
  type BgpMessage,
  type Capability,
  type CodecContext,
  type NotificationMessage,
  type UpdateMessage,
} from '../../lib/wire/index.js';
import { sleep, waitUntil } from './wait.js';

/** How the raw peer encodes what it sends and decodes what it receives: lenient on length, 4-octet AS. */
const anyContext: CodecContext = createContext({ fourOctetAs: true, extendedMessage: true });

export interface RawOpen {
  readonly asn: number;
  readonly routerId: string;
  /** Seconds (default 90). */
  readonly holdTime?: number;
  /** Default: 4-octet AS and IPv4 unicast. */
  readonly capabilities?: readonly Capability[];
}

/** What came in: a decoded message, or the bytes of one that did not decode (with why). */
export type Received = { readonly message: BgpMessage; readonly bytes: Uint8Array } | { readonly error: BgpError; readonly bytes: Uint8Array };

function deadline<T>(what: string, ms: number, wait: (resolve: (v: T) => void) => () => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const stop = wait((v) => {
      clearTimeout(timer);
      stop();
      resolve(v);
    });
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
  });
}

export class RawPeer extends EventEmitter<{ received: [Received]; close: [] }> {
  readonly received: Received[] = [];
  private readonly framer = new Framer({ extendedMessage: true });
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private closedFlag = false;

  constructor(readonly socket: Socket) {
    super();
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', () => undefined); // a reset or refused write: seen as 'close'
    socket.on('close', () => {
      this.closedFlag = true;
      this.stopKeepalives();
      this.emit('close');
    });
  }

  /** Connects to `host:port` from `localAddress` (the address the speaker knows this peer by). */
  static async connect(options: { host: string; port: number; localAddress: string }): Promise<RawPeer> {
    const socket = connect({ host: options.host, port: options.port, localAddress: options.localAddress });
    const peer = new RawPeer(socket);
    await deadline<void>(`a connection to ${options.host}:${options.port}`, 5000, (done) => {
      const ok = (): void => done();
      socket.once('connect', ok);
      return () => socket.off('connect', ok);
    });
    return peer;
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** Resolves once the connection is closed (by either side). */
  closed(ms = 10_000): Promise<void> {
    if (this.closedFlag) return Promise.resolve();
    return deadline('the connection to close', ms, (done) => {
      const on = (): void => done(undefined);
      this.once('close', on);
      return () => this.off('close', on);
    });
  }

  /** Writes raw bytes; false when the socket is closed. */
  send(bytes: Uint8Array): boolean {
    if (this.closedFlag || this.socket.destroyed) return false;
    this.socket.write(bytes);
    return true;
  }

  /** Encodes and sends a message (4-octet AS; lengths up to 65535 allowed, so oversize tests can be made). */
  sendMessage(message: BgpMessage, ctx: CodecContext = anyContext): boolean {
    return this.send(encodeMessage(message, ctx));
  }

  /** Sends our OPEN, waits for the speaker's OPEN and KEEPALIVE, and confirms with a KEEPALIVE: Established. */
  async establish(open: RawOpen, ms = 5000): Promise<void> {
    const capabilities = open.capabilities ?? [
      { kind: 'multiprotocol', code: 1, afi: 1, safi: 1 },
      { kind: 'four-octet-as', code: 65, asn: open.asn },
    ];
    this.sendMessage(openFor({ asn: open.asn, holdTime: open.holdTime ?? 90, bgpIdentifier: open.routerId, capabilities }));
    await this.waitFor('the OPEN', (r) => ('message' in r && r.message.type === 1 ? r : undefined), ms);
    this.sendMessage({ type: 4 });
    await this.waitFor('the KEEPALIVE', (r) => ('message' in r && r.message.type === 4 ? r : undefined), ms);
  }

  /** Sends a KEEPALIVE every `ms` until stopped or closed. */
  startKeepalives(ms: number): void {
    this.stopKeepalives();
    this.keepaliveTimer = setInterval(() => this.sendMessage({ type: 4 }), ms);
  }

  stopKeepalives(): void {
    if (this.keepaliveTimer !== undefined) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
  }

  /** Stops reading: the kernel's receive buffer fills and the speaker's writes back up. */
  stopReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    this.socket.resume();
  }

  /** Aborts the connection with a TCP RST (whatever was queued is dropped). */
  reset(): void {
    this.stopKeepalives();
    this.socket.resetAndDestroy();
  }

  /** Closes politely (FIN). */
  end(): void {
    this.stopKeepalives();
    this.socket.end();
  }

  /** Resolves with the first received item (already in or still to come) for which `pick` returns a value. */
  waitFor<T>(what: string, pick: (r: Received) => T | undefined, ms = 5000): Promise<T> {
    for (const r of this.received) {
      const v = pick(r);
      if (v !== undefined) return Promise.resolve(v);
    }
    return deadline(what, ms, (done) => {
      const on = (r: Received): void => {
        const v = pick(r);
        if (v !== undefined) done(v);
      };
      this.on('received', on);
      return () => this.off('received', on);
    });
  }

  /** The speaker's NOTIFICATION (the first one; a speaker sends at most one per connection). */
  notification(ms = 5000): Promise<NotificationMessage> {
    return this.waitFor('a NOTIFICATION', (r) => ('message' in r && r.message.type === 3 ? r.message : undefined), ms);
  }

  /** Messages of `type` received so far. */
  count(type: number): number {
    return this.received.filter((r) => 'message' in r && r.message.type === type).length;
  }

  private onData(chunk: Buffer): void {
    this.framer.push(chunk);
    for (;;) {
      let bytes: Uint8Array | undefined;
      try {
        bytes = this.framer.next();
      } catch {
        this.socket.destroy(); // the speaker's stream lost its framing: nothing more can be read from it
        return;
      }
      if (bytes === undefined) return;
      let r: Received;
      try {
        r = { message: decodeMessage(bytes, anyContext), bytes: bytes.slice() };
      } catch (e) {
        if (!(e instanceof BgpError)) throw e;
        r = { error: e, bytes: bytes.slice() };
      }
      this.received.push(r);
      this.emit('received', r);
    }
  }
}

/** Accepts the speaker's connections on a loopback address, as raw peers; counts every attempt. */
export class RawListener {
  readonly accepted: RawPeer[] = [];
  private server: Server | undefined;
  private readonly waiting: ((p: RawPeer) => void)[] = [];
  /** Each accepted connection goes here first: e.g. `(p) => p.socket.destroy()` to refuse at once. */
  onAccept: ((peer: RawPeer) => void) | undefined;

  async listen(host: string): Promise<number> {
    const server = createServer((socket) => {
      const peer = new RawPeer(socket);
      this.accepted.push(peer);
      this.onAccept?.(peer);
      this.waiting.shift()?.(peer);
    });
    this.server = server;
    server.listen({ host, port: 0 });
    await once(server, 'listening');
    const a = server.address();
    if (a === null || typeof a !== 'object') throw new Error('no address');
    return a.port;
  }

  /** The next connection accepted from now on. */
  next(ms = 10_000): Promise<RawPeer> {
    return deadline('a connection from the speaker', ms, (done) => {
      this.waiting.push(done);
      return () => {
        const i = this.waiting.indexOf(done);
        if (i >= 0) this.waiting.splice(i, 1);
      };
    });
  }

  /** Stops listening and destroys every accepted connection. */
  async close(): Promise<void> {
    for (const p of this.accepted) p.socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export { waitUntil, sleep };

// ---------------------------------------------------------------------------------------------------------------
// The fault lab: speaker A (127.0.0.1, AS 65001) with a second, well-behaved session to speaker B (127.0.0.3,
// AS 65003) — the "other sessions" a fault must leave alone — and a raw peer configured at 127.0.0.2 (AS 65002).

export const RAW = { address: '127.0.0.2', asn: 65002, routerId: '10.0.0.2' } as const;

export interface Lab {
  readonly A: Speaker;
  readonly B: Speaker;
  /** A's listening port, for the raw peer to connect to. */
  readonly port: number;
  /** A raw peer connected to A from 127.0.0.2 (not yet Established). */
  connect(): Promise<RawPeer>;
  /** Both A–B sessions Established. */
  readonly abUp: () => boolean;
}

/** Starts A and B, peers them (eBGP, permit-all policies), and configures the raw peer in A with `raw`. */
export async function lab(t: { teardown(fn: () => unknown): void }, raw: Partial<PeerConfig> = {}): Promise<Lab> {
  const A = new Speaker({ asn: 65001, routerId: '10.0.0.1', listen: { host: '127.0.0.1', port: 0 } });
  const B = new Speaker({ asn: 65003, routerId: '10.0.0.3', listen: false });
  await A.start();
  const port = (A.listenAddress as { port: number }).port;
  A.addPeer({ address: '127.0.0.3', remoteAs: 65003, passive: true, importPolicy: permitAny, exportPolicy: permitAny });
  A.addPeer({ address: RAW.address, remoteAs: RAW.asn, passive: true, importPolicy: permitAny, exportPolicy: permitAny, ...raw });
  B.addPeer({ address: '127.0.0.1', port, localAddress: '127.0.0.3', remoteAs: 65001, connectRetryTime: 1, importPolicy: permitAny, exportPolicy: permitAny });
  await B.start();
  t.teardown(async () => {
    await B.stop();
    await A.stop();
  });
  const abUp = (): boolean => A.peer('127.0.0.3')?.state === 'Established' && B.peer('127.0.0.1')?.state === 'Established';
  await waitUntil('A–B Established', abUp);
  return { A, B, port, abUp, connect: () => RawPeer.connect({ host: '127.0.0.1', port, localAddress: RAW.address }) };
}

/** An IPv4 UPDATE announcing `prefixes` from AS `asn` via `nextHop` (ORIGIN IGP), RFC 4271 §4.3. */
export function announce(prefixes: readonly string[], asn: number = RAW.asn, nextHop: string = RAW.address): UpdateMessage {
  return {
    type: 2,
    withdrawn: [],
    attributes: [
      { kind: 'origin', origin: 0 },
      { kind: 'as-path', segments: [{ type: 2, asns: [asn] }] },
      { kind: 'next-hop', nextHop },
    ],
    nlri: prefixes.map((p) => parsePrefix(p)),
  };
}
