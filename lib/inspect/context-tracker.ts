/**
 * Works out the codec context of each direction of each BGP connection in a capture, as the two speakers did:
 * from their OPENs (RFC 6793 4-octet AS, RFC 7911 ADD-PATH per family and direction, RFC 8654 extended messages).
 *
 * A capture that starts after the OPENs gives no such evidence; then the context is guessed from the first UPDATE
 * that decodes cleanly under one of a few plausible contexts (4-octet AS first, as every current implementation
 * negotiates it), and that guess is kept for the stream.
 */
import {
  createContext,
  decodeUpdate,
  familyKey,
  findCapability,
  BgpError,
  IPV4_UNICAST,
  IPV6_UNICAST,
  type CodecContext,
  type OpenMessage,
} from '../wire/index.js';

interface ConnectionState {
  opens: Map<string, OpenMessage>;
}

/** The context both sides' OPENs imply for messages sent by `sender` to `receiver`. */
export function contextFromOpens(sender: OpenMessage | undefined, receiver: OpenMessage | undefined): CodecContext {
  // With only one OPEN seen, assume the other side answered in kind (the common case for a capture cut mid-start).
  const s = sender ?? receiver;
  const r = receiver ?? sender;
  if (!s || !r) return createContext();
  const fourOctetAs = !!findCapability(s.capabilities, 'four-octet-as') && !!findCapability(r.capabilities, 'four-octet-as');
  const extendedMessage =
    !!findCapability(s.capabilities, 'extended-message') && !!findCapability(r.capabilities, 'extended-message');
  const addPath = new Set<number>();
  const sendAp = findCapability(s.capabilities, 'add-path');
  const recvAp = findCapability(r.capabilities, 'add-path');
  if (sendAp && recvAp) {
    for (const f of sendAp.families) {
      if (!(f.mode & 2)) continue;
      const peer = recvAp.families.find((g) => g.afi === f.afi && g.safi === f.safi);
      if (peer && peer.mode & 1) addPath.add(familyKey(f.afi, f.safi));
    }
  }
  return createContext({ fourOctetAs, extendedMessage, addPath });
}

const guesses: readonly CodecContext[] = [
  createContext({ fourOctetAs: true }),
  createContext({ fourOctetAs: false }),
  createContext({ fourOctetAs: true, addPath: new Set([IPV4_UNICAST, IPV6_UNICAST]) }),
  createContext({ fourOctetAs: false, addPath: new Set([IPV4_UNICAST, IPV6_UNICAST]) }),
].map((c) => createContext({ ...c, extendedMessage: true }));

export interface StreamContext {
  ctx: CodecContext;
  /** How the context was obtained: from both OPENs, from one, guessed from an UPDATE, or the default. */
  source: 'opens' | 'one-open' | 'guessed' | 'default';
}

/** Tracks OPENs per connection and answers the context of each direction. */
export class ContextTracker {
  private readonly connections = new Map<string, ConnectionState>();
  private readonly guessed = new Map<string, CodecContext>();

  private connectionKey(src: string, dst: string): string {
    return src < dst ? `${src}|${dst}` : `${dst}|${src}`;
  }

  /** Records an OPEN sent by `src` to `dst`. A new OPEN from a side starts a new session: guesses are dropped. */
  recordOpen(src: string, dst: string, open: OpenMessage): void {
    const key = this.connectionKey(src, dst);
    let c = this.connections.get(key);
    if (!c) this.connections.set(key, (c = { opens: new Map() }));
    c.opens.set(src, open);
    this.guessed.delete(`${src}>${dst}`);
    this.guessed.delete(`${dst}>${src}`);
  }

  /** The context for a message from `src` to `dst`; `update` is the UPDATE body to guess from when no OPEN is known. */
  contextFor(src: string, dst: string, update?: Uint8Array): StreamContext {
    const c = this.connections.get(this.connectionKey(src, dst));
    const sender = c?.opens.get(src);
    const receiver = c?.opens.get(dst);
    if (sender || receiver) {
      return { ctx: contextFromOpens(sender, receiver), source: sender && receiver ? 'opens' : 'one-open' };
    }
    const stream = `${src}>${dst}`;
    const known = this.guessed.get(stream);
    if (known) return { ctx: known, source: 'guessed' };
    if (update) {
      for (const ctx of guesses) {
        try {
          const u = decodeUpdate(update, ctx);
          if (u.issues && u.issues.length > 0) continue;
          this.guessed.set(stream, ctx);
          return { ctx, source: 'guessed' };
        } catch (err) {
          if (!(err instanceof BgpError)) throw err;
        }
      }
    }
    return { ctx: guesses[0] as CodecContext, source: 'default' };
  }
}
