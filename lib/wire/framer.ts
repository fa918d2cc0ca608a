/**
 * The framer: cuts the TCP byte stream of one session into whole BGP messages (RFC 4271 §4.1).
 *
 * The stream arrives in chunks that do not respect message boundaries: a chunk may hold many messages, the end of
 * one and the start of another, or a piece of a header. The framer keeps the chunks it was given in a queue and
 * hands out each complete message as a `subarray` view of its chunk when the message lies inside one chunk — the
 * common case, which costs no copy — and copies only a message that straddles chunks, once, into a buffer of its
 * exact length. It never concatenates chunks as they arrive.
 *
 * Header errors (RFC 4271 §6.1) are raised as `BgpError` as soon as the 19 header octets are in, before the body is
 * buffered; after an error the framer stays failed and raises the same error again, because a stream that lost
 * synchronisation has no next message. The maximum length follows the mutable `extendedMessage` flag, which the
 * session sets once both OPENs carried the RFC 8654 capability; messages still queued are checked against the flag
 * as it is when they are taken out. Imports only its siblings.
 *
 * Views share memory with the pushed chunks: the framer relies on chunks not being reused (Node's sockets never
 * reuse them), and consumers copy whatever they keep.
 */
import { HEADER_LENGTH } from './constants.js';
import { checkHeader } from './header.js';

export interface FramerOptions {
  /** RFC 8654 negotiated: messages other than OPEN and KEEPALIVE may be up to 65535 octets. Default false. */
  readonly extendedMessage?: boolean;
}

export class Framer implements Iterable<Uint8Array> {
  /** RFC 8654: set by the session once both sides sent the Extended Message capability. */
  extendedMessage: boolean;
  /** Chunks not yet fully handed out; `offset` is the first unread octet of `chunks[0]`. */
  private readonly chunks: Uint8Array[];
  private offset: number;
  private queued: number;
  /** Scratch space for a header split across chunks. */
  private readonly header: Uint8Array;
  /** The error that stopped the stream (always a `BgpError`, which is all `checkHeader` throws). */
  private failure: unknown;

  constructor(options: FramerOptions = {}) {
    this.extendedMessage = options.extendedMessage ?? false;
    this.chunks = [];
    this.offset = 0;
    this.queued = 0;
    this.header = new Uint8Array(HEADER_LENGTH);
    this.failure = undefined;
  }

  /** Octets received but not yet handed out as messages. */
  get buffered(): number {
    return this.queued;
  }

  /**
   * Queues a chunk of the stream and returns the framer, so that `for (const m of framer.push(chunk))` takes out
   * every message now complete. Messages can also be taken out later with `next()` or by iterating the framer.
   */
  push(chunk: Uint8Array): this {
    if (chunk.length !== 0) {
      this.chunks.push(chunk);
      this.queued += chunk.length;
    }
    return this;
  }

  /**
   * The next complete message (header included), or undefined when the queue holds only part of one.
   * Throws the header's `BgpError` as soon as a header is complete and wrong, and on every call after that.
   */
  next(): Uint8Array | undefined {
    if (this.failure !== undefined) throw this.failure;
    if (this.queued < HEADER_LENGTH) return undefined;
    const head = this.chunks[0] as Uint8Array;
    const inHead = head.length - this.offset;
    try {
      const { length } =
        inHead >= HEADER_LENGTH
          ? checkHeader(head, this.offset, this)
          : checkHeader(this.copyOut(this.header, HEADER_LENGTH, false), 0, this);
      if (this.queued < length) return undefined;
      if (inHead >= length) {
        const message = head.subarray(this.offset, this.offset + length);
        this.consume(length);
        return message;
      }
      const message = this.copyOut(new Uint8Array(length), length, true);
      // The header was checked while the message was incomplete; the RFC 7313 length rule needs it whole.
      checkHeader(message, 0, this);
      return message;
    } catch (e) {
      this.failure = e;
      throw e;
    }
  }

  *[Symbol.iterator](): IterableIterator<Uint8Array> {
    for (let message = this.next(); message !== undefined; message = this.next()) yield message;
  }

  /** Copies the first `n` queued octets into `out`, consuming them when `consume` is set. */
  private copyOut(out: Uint8Array, n: number, consume: boolean): Uint8Array {
    let copied = 0;
    let index = 0;
    let offset = this.offset;
    while (copied < n) {
      const chunk = this.chunks[index] as Uint8Array;
      const take = Math.min(n - copied, chunk.length - offset);
      out.set(chunk.subarray(offset, offset + take), copied);
      copied += take;
      index++;
      offset = 0;
    }
    if (consume) this.consume(n);
    return out;
  }

  /** Drops `n` octets from the front of the queue. */
  private consume(n: number): void {
    this.queued -= n;
    let rest = n;
    while (rest > 0) {
      const chunk = this.chunks[0] as Uint8Array;
      const inChunk = chunk.length - this.offset;
      if (rest < inChunk) {
        this.offset += rest;
        return;
      }
      rest -= inChunk;
      this.chunks.shift();
      this.offset = 0;
    }
  }
}
