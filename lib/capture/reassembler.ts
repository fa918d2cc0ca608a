/**
 * TCP reassembly: turns the segments of each direction of each connection into the in-order byte stream the
 * receiving application read, reporting the holes that the capture never saw filled.
 *
 * Sequence space follows RFC 9293 §3.4: 32-bit unsigned numbers compared modulo 2^32 (a signed 32-bit difference),
 * a SYN consuming one number before the first data byte, a FIN one after the last. A direction starts at its SYN
 * when the capture saw it, otherwise at the first segment carrying data (a capture that began mid-connection).
 *
 * Segments ahead of the next expected byte are buffered until the hole before them fills. Where copies of the same
 * bytes disagree (retransmits, overlaps) the first-seen copy wins, which is also what an IDS-style reassembler and
 * most receivers do. A hole is given up on — skipped and reported as a `gap` — when:
 * - the other direction acknowledges bytes beyond it (the receiver has them, so no retransmission will ever come:
 *   the capture itself dropped the packet);
 * - it has been open longer than a capture-time window (a one-way capture never shows those ACKs);
 * - the direction buffers more than a byte or segment limit (bounded memory);
 * - the direction ends (RST, a new SYN on the same 4-tuple, end of capture).
 *
 * Buffered data is held as views into the caller's packet bytes; nothing is copied here.
 */
import { TcpFlag } from './tcp.js';

/** One TCP segment as the reassembler needs it. */
export interface TcpSegment {
  /** Sender endpoint text ("addr:port"); together with `dst` it names the direction. */
  readonly src: string;
  readonly dst: string;
  readonly seq: number;
  readonly ack: number;
  /** Control bits, see {@link TcpFlag}. */
  readonly flags: number;
  readonly payload: Uint8Array;
  /** Capture time in seconds; drives the hole-wait window. */
  readonly time: number;
}

/** Why a direction's byte stream ended. */
export type StreamEndReason = 'fin' | 'rst' | 'reopened' | 'capture-end';

/** Names the direction an event belongs to; `stream` is `${src}>${dst}`. */
export interface StreamRef {
  readonly stream: string;
  readonly src: string;
  readonly dst: string;
}

/** What reassembly produces, in stream order within each direction. */
export type StreamEvent =
  | (StreamRef & { readonly kind: 'data'; readonly bytes: Uint8Array })
  | (StreamRef & { readonly kind: 'gap'; readonly missing: number })
  | (StreamRef & { readonly kind: 'end'; readonly reason: StreamEndReason });

/** Limits on how long a hole may hold back the data behind it. */
export interface TcpReassemblerOptions {
  /** Buffered out-of-order bytes per direction before the oldest hole is skipped. Default 16 MiB. */
  readonly maxBufferedBytes?: number;
  /**
   * Buffered out-of-order pieces per direction before the oldest hole is skipped. Default 16384 (16 MiB of
   * full-size segments; it also bounds the cost of keeping the pieces sorted).
   */
  readonly maxBufferedSegments?: number;
  /** Capture-time seconds a hole may stay open before it is skipped. Default 60 (beyond TCP's RTO backoff). */
  readonly maxHoleWaitSeconds?: number;
}

const DEFAULT_MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const DEFAULT_MAX_BUFFERED_SEGMENTS = 16384;
const DEFAULT_MAX_HOLE_WAIT_SECONDS = 60;
/** How often (capture seconds) directions with open holes are checked against the wait window. */
const HOLE_SWEEP_INTERVAL_SECONDS = 1;

/** A buffered run of bytes starting at sequence number `seq`; pieces never overlap one another. */
interface Piece {
  readonly seq: number;
  readonly bytes: Uint8Array;
}

/** Reassembly state of one direction of one connection. */
class Direction implements StreamRef {
  /** Initial sequence number, when the SYN was seen (identifies the connection incarnation). */
  isn: number | undefined;
  /** Sequence number of the next byte to deliver (RCV.NXT as the receiver saw it). */
  next: number;
  /** Out-of-order pieces, sorted by sequence number, all after `next`. */
  pending: Piece[] = [];
  pendingBytes = 0;
  /** Capture time at which the current hole was first observed. */
  holeSince = 0;
  /** Sequence number the FIN occupies, once a FIN was seen. */
  finSeq: number | undefined;
  /** The other direction's latest acknowledgment, when it is ahead of `next`. */
  peerAck: number | undefined;
  closed = false;

  constructor(
    readonly stream: string,
    readonly src: string,
    readonly dst: string,
    next: number,
  ) {
    this.next = next;
  }

  /** Signed distance from the next expected byte to `seq`, modulo 2^32. */
  offsetOf(seq: number): number {
    return (seq - this.next) | 0;
  }
}

/**
 * Reassembles every TCP direction fed to it. Feed segments in capture order with {@link push}, then call
 * {@link finish} once at the end of the capture.
 */
export class TcpReassembler {
  readonly #directions = new Map<string, Direction>();
  /** Directions currently holding out-of-order data. */
  readonly #holes = new Set<Direction>();
  readonly #maxBytes: number;
  readonly #maxSegments: number;
  readonly #maxHoleWait: number;
  #now = 0;
  #lastSweep = 0;

  constructor(options: TcpReassemblerOptions = {}) {
    this.#maxBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.#maxSegments = options.maxBufferedSegments ?? DEFAULT_MAX_BUFFERED_SEGMENTS;
    this.#maxHoleWait = options.maxHoleWaitSeconds ?? DEFAULT_MAX_HOLE_WAIT_SECONDS;
  }

  /**
   * Takes one segment and returns what it made deliverable — for its own direction, and possibly for the reverse
   * direction (an ACK can prove a hole there permanent) or for other streams (the hole-wait sweep).
   */
  push(segment: TcpSegment): StreamEvent[] {
    const out: StreamEvent[] = [];
    this.#now = segment.time;
    const { flags, payload } = segment;
    const syn = (flags & TcpFlag.SYN) !== 0;
    const fin = (flags & TcpFlag.FIN) !== 0;
    const stream = `${segment.src}>${segment.dst}`;
    let dir = this.#directions.get(stream);

    if (syn && dir !== undefined && dir.isn !== segment.seq) {
      // A SYN with a different initial sequence number: a new connection reusing the 4-tuple.
      if (!dir.closed) this.#close(dir, 'reopened', out);
      dir = undefined;
    }
    if (dir === undefined && (syn || fin || payload.length > 0)) {
      // Pure ACKs do not start a direction: keepalive probes carry SND.NXT-1 and would invent a 1-byte hole.
      dir = new Direction(stream, segment.src, segment.dst, syn ? (segment.seq + 1) >>> 0 : segment.seq);
      if (syn) dir.isn = segment.seq;
      this.#directions.set(stream, dir);
    }
    if (dir !== undefined && !dir.closed) {
      const dataSeq = syn ? (segment.seq + 1) >>> 0 : segment.seq;
      if (fin && dir.finSeq === undefined) dir.finSeq = (dataSeq + payload.length) >>> 0;
      if ((flags & TcpFlag.RST) !== 0) {
        // The sender aborted: nothing more will come this way, so buffered data is released past its holes.
        this.#close(dir, 'rst', out);
      } else {
        if (payload.length > 0) this.#accept(dir, dataSeq, payload, out);
        this.#checkFin(dir, out);
      }
    }
    if ((flags & TcpFlag.ACK) !== 0) this.#noteAck(`${segment.dst}>${segment.src}`, segment.ack, out);
    this.#sweep(out);
    return out;
  }

  /** Ends the capture: every open hole becomes a gap, buffered data is delivered, every open stream ends. */
  finish(): StreamEvent[] {
    const out: StreamEvent[] = [];
    for (const dir of this.#directions.values()) {
      if (!dir.closed) this.#close(dir, 'capture-end', out);
    }
    return out;
  }

  #accept(dir: Direction, seq: number, bytes: Uint8Array, out: StreamEvent[]): void {
    let offset = dir.offsetOf(seq);
    let data = bytes;
    if (offset < 0) {
      if (offset + data.length <= 0) return; // A retransmission of bytes already delivered.
      data = data.subarray(-offset); // Overlap with delivered bytes: those keep their first-seen value.
      offset = 0;
    }
    if (offset === 0 && dir.pending.length === 0) {
      this.#deliver(dir, data, out); // The common case: in order, nothing buffered.
      return;
    }
    this.#insert(dir, offset, data);
    this.#drain(dir, out);
    // Each skip delivers at least the first buffered piece, so this ends.
    while (!dir.closed && dir.pending.length > 0 && this.#overLimit(dir)) this.#skipHole(dir, out);
    this.#skipAcked(dir, out);
  }

  #overLimit(dir: Direction): boolean {
    return dir.pendingBytes > this.#maxBytes || dir.pending.length > this.#maxSegments;
  }

  /**
   * Buffers `data` (starting `offset` ≥ 0 bytes after `next`), keeping only the parts not already buffered:
   * the new segment is cut into the pieces that fall in the spaces between existing pieces.
   */
  #insert(dir: Direction, offset: number, data: Uint8Array): void {
    const pending = dir.pending;
    if (pending.length === 0) {
      dir.holeSince = this.#now;
      this.#holes.add(dir);
    }
    const end = offset + data.length;
    // First piece that ends after `offset`: pieces before it cannot overlap.
    let lo = 0;
    let hi = pending.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const piece = pending[mid]!;
      if (dir.offsetOf(piece.seq) + piece.bytes.length <= offset) lo = mid + 1;
      else hi = mid;
    }
    // Walk the existing pieces overlapping [offset, end), interleaving the new bytes that fill the spaces.
    const merged: Piece[] = [];
    let fillers = 0;
    let start = offset;
    let index = lo;
    while (start < end) {
      const piece = pending[index];
      const pieceStart = piece === undefined ? end : dir.offsetOf(piece.seq);
      if (start < pieceStart) {
        const cut = Math.min(end, pieceStart);
        merged.push({ seq: (dir.next + start) >>> 0, bytes: data.subarray(start - offset, cut - offset) });
        dir.pendingBytes += cut - start;
        fillers += 1;
        start = cut;
      } else if (piece !== undefined) {
        merged.push(piece);
        start = Math.max(start, pieceStart + piece.bytes.length);
        index += 1;
      }
    }
    if (fillers === 0) return; // Everything was already buffered.
    if (merged.length === 1) {
      pending.splice(lo, 0, merged[0]!);
    } else {
      // One rebuild instead of a splice per filler, so a wide segment over many small pieces stays linear.
      dir.pending = pending.slice(0, lo).concat(merged, pending.slice(index));
    }
  }

  /** Delivers every buffered piece that has become contiguous with `next`. */
  #drain(dir: Direction, out: StreamEvent[]): void {
    const pending = dir.pending;
    let taken = 0;
    while (taken < pending.length) {
      const piece = pending[taken]!;
      const offset = dir.offsetOf(piece.seq);
      if (offset > 0) break;
      taken += 1;
      dir.pendingBytes -= piece.bytes.length;
      if (offset + piece.bytes.length > 0) this.#deliver(dir, piece.bytes.subarray(-offset), out);
    }
    if (taken > 0) {
      pending.splice(0, taken);
      if (pending.length === 0) this.#holes.delete(dir);
      else dir.holeSince = this.#now; // A later hole is now the one holding data back.
    }
    this.#checkFin(dir, out);
  }

  #deliver(dir: Direction, bytes: Uint8Array, out: StreamEvent[]): void {
    out.push({ kind: 'data', stream: dir.stream, src: dir.src, dst: dir.dst, bytes });
    dir.next = (dir.next + bytes.length) >>> 0;
  }

  /** Gives up on the hole before the first buffered piece: reports it as a gap and delivers what follows. */
  #skipHole(dir: Direction, out: StreamEvent[]): void {
    const first = dir.pending[0];
    if (first !== undefined) this.#skip(dir, dir.offsetOf(first.seq), out);
  }

  #skip(dir: Direction, missing: number, out: StreamEvent[]): void {
    if (missing > 0) {
      out.push({ kind: 'gap', stream: dir.stream, src: dir.src, dst: dir.dst, missing });
      dir.next = (dir.next + missing) >>> 0;
    }
    this.#drain(dir, out);
  }

  /** Records an acknowledgment of `stream`'s data by its receiver. */
  #noteAck(stream: string, ack: number, out: StreamEvent[]): void {
    const dir = this.#directions.get(stream);
    if (dir === undefined || dir.closed) return;
    // Only an ACK ahead of what we delivered says anything; keep just the latest (ACKs are cumulative).
    dir.peerAck = dir.offsetOf(ack) > 0 ? ack : undefined;
    this.#skipAcked(dir, out);
  }

  /**
   * A hole the receiver has acknowledged will never be retransmitted: the capture missed those bytes for good.
   * Skip up to the acknowledgment (or the first buffered piece, if that comes sooner).
   */
  #skipAcked(dir: Direction, out: StreamEvent[]): void {
    const first = dir.pending[0];
    if (dir.peerAck === undefined || first === undefined) return;
    const acked = dir.offsetOf(dir.peerAck);
    if (acked <= 0) {
      dir.peerAck = undefined;
      return;
    }
    this.#skip(dir, Math.min(acked, dir.offsetOf(first.seq)), out);
  }

  /** Skips holes that have waited longer than the window, checking at most once per sweep interval. */
  #sweep(out: StreamEvent[]): void {
    if (this.#holes.size === 0) return;
    // The absolute value tolerates captures whose clock steps backwards (merged files, timestamp-less blocks).
    if (Math.abs(this.#now - this.#lastSweep) < HOLE_SWEEP_INTERVAL_SECONDS) return;
    this.#lastSweep = this.#now;
    for (const dir of this.#holes) {
      if (this.#now - dir.holeSince > this.#maxHoleWait) this.#skipHole(dir, out);
    }
  }

  #checkFin(dir: Direction, out: StreamEvent[]): void {
    if (dir.closed || dir.finSeq === undefined || dir.offsetOf(dir.finSeq) > 0) return;
    this.#end(dir, 'fin', out);
  }

  /** Ends a direction for `reason`, first releasing its buffered data across the holes. */
  #close(dir: Direction, reason: StreamEndReason, out: StreamEvent[]): void {
    while (!dir.closed && dir.pending.length > 0) this.#skipHole(dir, out);
    if (!dir.closed) this.#end(dir, reason, out);
  }

  #end(dir: Direction, reason: StreamEndReason, out: StreamEvent[]): void {
    dir.closed = true;
    dir.pending.length = 0;
    dir.pendingBytes = 0;
    this.#holes.delete(dir);
    out.push({ kind: 'end', stream: dir.stream, src: dir.src, dst: dir.dst, reason });
  }
}
