/**
 * BGP message framing (RFC 4271 §4.1): cuts one direction's reassembled byte stream into whole messages.
 *
 * Every BGP message starts with a 19-byte header: a 16-byte Marker of all ones, a 2-byte Length counting the whole
 * message (19 at least; 4096 at most in RFC 4271, 65535 with RFC 8654 extended messages — the field's own limit,
 * so only the minimum needs checking) and a 1-byte Type. Nothing else is validated here; the wire codec judges
 * the contents.
 *
 * When a header is wrong, or the stream is known to have lost bytes (a capture gap) or to have started
 * mid-message (a capture begun mid-connection), the framer hunts for the next marker and reports what it skipped
 * as `junk`. A marker is taken to be the last 16 bytes of a run of 0xff — a run longer than 16 is junk followed by
 * a marker, since a Length's high byte is never 0xff in practice — followed by a Length of at least 19.
 */
import { Buffer } from 'node:buffer';
import { ByteQueue } from './byte-queue.js';

/** Length of the BGP message header (RFC 4271 §4.1). */
export const BGP_HEADER_LENGTH = 19;
const MARKER_LENGTH = 16;
const MARKER = Buffer.alloc(MARKER_LENGTH, 0xff);
const MID_STREAM_START = 'stream does not start with a BGP marker (capture began mid-stream?)';
/** Junk is reported in events of at most about this many bytes, so a garbage stream cannot pile up unbounded. */
const JUNK_EVENT_LIMIT = 65536;

/** A framing result: a whole message (header included), or bytes skipped while looking for a marker. */
export type FramerOutput =
  | { readonly kind: 'message'; readonly bytes: Uint8Array }
  | { readonly kind: 'junk'; readonly bytes: Uint8Array; readonly reason: string };

/** Frames one direction of one BGP connection. Feed it data, gaps and the end of the stream, in stream order. */
export class BgpFramer {
  readonly #queue = new ByteQueue();
  readonly #scratch = new Uint8Array(BGP_HEADER_LENGTH);
  /** True while looking for a marker rather than expecting a header at the front of the queue. */
  #hunting = false;
  /** Where the next marker search starts in the queue (1 right after rejecting a header at 0). */
  #searchFrom = 0;
  #junk: Uint8Array[] = [];
  #junkLength = 0;
  #junkReason = '';
  /** No message or junk has been produced yet: a bad first header means the capture began mid-stream. */
  #atStart = true;

  /**
   * Adds stream bytes and returns the messages (and junk) they complete. A message lying inside one pushed chunk is
   * returned as a view of it; one spanning chunks is copied into its own buffer.
   */
  push(chunk: Uint8Array): FramerOutput[] {
    const out: FramerOutput[] = [];
    this.#queue.push(chunk);
    this.#run(out);
    return out;
  }

  /**
   * Bytes are missing at this point of the stream: the partial message before the hole (if any) is junk, and
   * framing resumes at the next marker after it.
   */
  gap(): FramerOutput[] {
    const out: FramerOutput[] = [];
    if (this.#queue.length > 0) {
      if (!this.#hunting) this.#junkReason = 'message cut short by a gap in the capture';
      this.#addJunk(this.#queue.takeAll(), out);
    }
    this.#flushJunk(out);
    this.#hunting = true;
    this.#searchFrom = 0;
    this.#junkReason = 'resynchronising after a gap in the capture';
    this.#atStart = false;
    return out;
  }

  /**
   * The stream ended; any incomplete message left over is returned as junk with `reason`. The framer is then
   * reset, ready for a new stream.
   */
  end(reason: string): FramerOutput[] {
    const out: FramerOutput[] = [];
    if (this.#queue.length > 0) {
      if (!this.#hunting) this.#junkReason = reason;
      this.#addJunk(this.#queue.takeAll(), out);
    }
    this.#flushJunk(out);
    this.#hunting = false;
    this.#searchFrom = 0;
    this.#atStart = true;
    return out;
  }

  #run(out: FramerOutput[]): void {
    const queue = this.#queue;
    for (;;) {
      if (this.#hunting && !this.#hunt(out)) return;
      if (queue.length < BGP_HEADER_LENGTH) return;
      const header = queue.peek(BGP_HEADER_LENGTH, this.#scratch);
      if (!hasMarker(header, 0)) {
        this.#startHunt(this.#atStart ? MID_STREAM_START : 'bad BGP marker');
        continue;
      }
      const length = (header[16]! << 8) | header[17]!;
      if (length < BGP_HEADER_LENGTH) {
        this.#startHunt(`bad BGP message length ${length}`);
        continue;
      }
      if (queue.length < length) return;
      out.push({ kind: 'message', bytes: queue.take(length) });
      this.#atStart = false;
    }
  }

  /** The header at the front is bad: everything up to the next marker (searched from byte 1) is junk. */
  #startHunt(reason: string): void {
    this.#hunting = true;
    this.#searchFrom = 1;
    this.#junkReason = reason;
    this.#atStart = false;
  }

  /** Looks for a marker; moves the bytes before it to junk. True when framing can resume at the queue front. */
  #hunt(out: FramerOutput[]): boolean {
    // While hunting the queue holds at most a few bytes kept from the previous search plus the newest chunk, so
    // making it contiguous copies each byte about once.
    const buffer = this.#queue.coalesce();
    const { at, found } = findMarker(buffer, this.#searchFrom);
    if (at > 0) {
      this.#addJunk(buffer.subarray(0, at), out);
      this.#queue.skip(at);
    }
    this.#searchFrom = 0;
    if (!found) return false;
    this.#flushJunk(out);
    this.#hunting = false;
    return true;
  }

  #addJunk(bytes: Uint8Array, out: FramerOutput[]): void {
    this.#junk.push(bytes);
    this.#junkLength += bytes.length;
    if (this.#junkLength >= JUNK_EVENT_LIMIT) this.#flushJunk(out);
  }

  #flushJunk(out: FramerOutput[]): void {
    if (this.#junkLength === 0) return;
    let bytes = this.#junk[0]!;
    if (this.#junk.length > 1) {
      bytes = new Uint8Array(this.#junkLength);
      let at = 0;
      for (const part of this.#junk) {
        bytes.set(part, at);
        at += part.length;
      }
    }
    out.push({ kind: 'junk', bytes, reason: this.#junkReason });
    this.#junk = [];
    this.#junkLength = 0;
  }
}

function hasMarker(bytes: Uint8Array, at: number): boolean {
  for (let i = at; i < at + MARKER_LENGTH; i++) if (bytes[i] !== 0xff) return false;
  return true;
}

/**
 * Searches `buffer` from `from` for the start of a plausible BGP header.
 *
 * @returns `found` with `at` the header start; or not found, with `at` the first byte that could still begin a
 *   header once more data arrives (everything before it is junk).
 */
function findMarker(buffer: Uint8Array, from: number): { at: number; found: boolean } {
  const haystack = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let searchAt = from;
  for (;;) {
    const start = haystack.indexOf(MARKER, searchAt);
    if (start < 0) {
      // The last 15 bytes may be the beginning of a marker split across chunks.
      return { at: Math.min(buffer.length, Math.max(from, buffer.length - (MARKER_LENGTH - 1))), found: false };
    }
    let marker = start;
    while (marker + MARKER_LENGTH < buffer.length && buffer[marker + MARKER_LENGTH] === 0xff) marker++;
    if (marker + MARKER_LENGTH === buffer.length) {
      // The run of 0xff reaches the end: only its last 16 bytes can still be the marker.
      return { at: marker, found: false };
    }
    if (marker + MARKER_LENGTH + 2 > buffer.length) return { at: marker, found: false };
    const length = (buffer[marker + MARKER_LENGTH]! << 8) | buffer[marker + MARKER_LENGTH + 1]!;
    if (length >= BGP_HEADER_LENGTH) return { at: marker, found: true };
    searchAt = marker + 1;
  }
}
