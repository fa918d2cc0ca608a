/**
 * The events {@link readBgpCapture} produces: whole BGP messages, holes in the capture, and bytes that could not
 * be framed. Every event names its direction ("addr:port" endpoints) and carries the time and frame number of the
 * packet whose processing produced it — for a message, the packet that completed it (for data released only when
 * the capture ends, the last BGP packet of the capture).
 */

/** Fields shared by all capture events. */
export interface CaptureEventBase {
  /** Capture time of the packet that produced the event, in seconds since the Unix epoch (float). */
  readonly time: number;
  /** The same time in nanoseconds, exact where the capture's resolution allows. */
  readonly timeNs: bigint;
  /** Sender, "addr:port" ("[addr]:port" for IPv6, RFC 5952 text). */
  readonly src: string;
  /** Receiver, same format as {@link src}. */
  readonly dst: string;
  /** The direction, `${src}>${dst}`. */
  readonly stream: string;
  /** 1-based frame number (as Wireshark numbers packets) of the packet that produced the event. */
  readonly frame: number;
}

/** One whole BGP message. */
export interface CapturedMessage extends CaptureEventBase {
  readonly kind: 'message';
  /**
   * The message including its 19-byte header: a view into the capture when it lay in one segment, a copy when it
   * spanned several. Its Length field equals `bytes.length`.
   */
  readonly bytes: Uint8Array;
}

/** Bytes of a stream the capture never saw; framing resumes at the next marker after them. */
export interface CaptureGap extends CaptureEventBase {
  readonly kind: 'gap';
  /** Number of missing bytes (sequence-space distance). */
  readonly missing: number;
}

/** Stream bytes that are not (part of) a well-framed BGP message, skipped while resynchronising. */
export interface CaptureJunk extends CaptureEventBase {
  readonly kind: 'junk';
  readonly bytes: Uint8Array;
  /** Why the bytes could not be framed (bad marker, bad length, cut by a gap, stream ended mid-message, …). */
  readonly reason: string;
}

/** Anything {@link readBgpCapture} yields. */
export type CaptureEvent = CapturedMessage | CaptureGap | CaptureJunk;
