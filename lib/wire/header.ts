/**
 * The BGP message header (RFC 4271 §4.1) and its error checks (RFC 4271 §6.1, RFC 7313 §5, RFC 8654 §4).
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     |                                                               |
 *     +                                                               +
 *     |                                                               |
 *     +                                                               +
 *     |                           Marker                              |
 *     +                                                               +
 *     |                                                               |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     |          Length               |      Type     |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Every error a receiver can find from the header alone is raised here, so the framer can stop a broken stream the
 * moment 19 octets are in, before it buffers a body. The one rule that needs more than the header is RFC 7313's:
 * a ROUTE-REFRESH of the wrong length is reported with the complete message as Data, so that error can only be
 * built once the whole message has arrived. Imports only its siblings.
 */
import { HEADER_LENGTH, MARKER_LENGTH, MessageType } from './constants.js';
import { maxMessageLength } from './context.js';
import { errors } from './errors.js';
import type { CodecContext } from './types.js';

/** The two header fields a receiver needs once the marker is checked. */
export interface MessageHeader {
  /** The total message length, header included (RFC 4271 §4.1 Length). */
  readonly length: number;
  readonly type: MessageType;
}

/** RFC 4271 §4.1: the marker "MUST be set to all ones"; the fixed minimum length of each type (§4.2–§4.4). */
const OPEN_MIN_LENGTH = 29;
const UPDATE_MIN_LENGTH = 23;
const NOTIFICATION_MIN_LENGTH = 21;
const KEEPALIVE_LENGTH = 19;
/** RFC 2918 §3: AFI (2) + Reserved/Subtype (1) + SAFI (1) after the header. */
const ROUTE_REFRESH_LENGTH = 23;

/**
 * Checks the header at `offset` and returns its Length and Type, or throws the `BgpError` RFC 4271 §6.1 names:
 * Connection Not Synchronized (marker), Bad Message Length with the Length field as Data (length outside
 * 19..max, or wrong for the type) or Bad Message Type with the Type field as Data.
 *
 * A ROUTE-REFRESH whose length is not 23 is RFC 7313's ROUTE-REFRESH Message Error / Invalid Message Length with
 * the complete message as Data; it is raised as soon as `buf` holds that whole message. Until then the header is
 * returned, so a caller that hands out messages must call again once the message is complete (the framer and
 * `decodeMessage` do).
 */
export function checkHeader(buf: Uint8Array, offset: number, ctx: Pick<CodecContext, 'extendedMessage'>): MessageHeader {
  const available = Math.max(buf.length - offset, 0);
  if (available < HEADER_LENGTH) {
    // Only reachable when a caller hands over fewer than 19 octets as a message: that message's length is wrong.
    throw errors.badMessageLength(available, `message of ${available} octets is shorter than a header`);
  }
  // §6.1: "If the Marker field of the message header is not as expected, then a synchronization error has occurred
  // and the Error Subcode MUST be set to Connection Not Synchronized."
  for (let i = 0; i < MARKER_LENGTH; i++) {
    if (buf[offset + i] !== 0xff) throw errors.connectionNotSynchronized();
  }
  const length = ((buf[offset + 16] as number) << 8) | (buf[offset + 17] as number);
  const type = buf[offset + 18] as number;
  // §4.1: "The value of the Length field MUST always be at least 19 and no greater than 4096" (65535 under RFC 8654).
  if (length < HEADER_LENGTH || length > maxMessageLength(ctx)) throw errors.badMessageLength(length);
  // §6.1: "If the Type field of the message header is not recognized, then the Error Subcode MUST be set to Bad
  // Message Type. The Data field MUST contain the erroneous Type field."
  switch (type) {
    case MessageType.Open:
      // RFC 8654 §4: the extended length never applies to OPEN, so 4096 holds whatever was negotiated.
      if (length < OPEN_MIN_LENGTH || length > maxMessageLength(ctx, type)) {
        throw errors.badMessageLength(length, `OPEN of length ${length}`);
      }
      return { length, type };
    case MessageType.Update:
      if (length < UPDATE_MIN_LENGTH) throw errors.badMessageLength(length, `UPDATE of length ${length}`);
      return { length, type };
    case MessageType.Notification:
      if (length < NOTIFICATION_MIN_LENGTH) throw errors.badMessageLength(length, `NOTIFICATION of length ${length}`);
      return { length, type };
    case MessageType.Keepalive:
      // §6.1: "if the Length field of a KEEPALIVE message is not equal to 19".
      if (length !== KEEPALIVE_LENGTH) throw errors.badMessageLength(length, `KEEPALIVE of length ${length}`);
      return { length, type };
    case MessageType.RouteRefresh:
      // RFC 7313 §5: "The Data field of the NOTIFICATION message MUST contain the complete ROUTE-REFRESH message."
      // (ORF entries of RFC 5291 would lengthen it; this speaker does not negotiate ORF.)
      if (length !== ROUTE_REFRESH_LENGTH && available >= length) {
        throw errors.routeRefreshInvalidLength(new Uint8Array(buf.subarray(offset, offset + length)));
      }
      return { length, type };
    default:
      throw errors.badMessageType(type);
  }
}

/** Writes a header (marker, Length, Type) into `out` at `offset`. The caller sized `out`. */
export function writeHeader(out: Uint8Array, offset: number, length: number, type: number): void {
  out.fill(0xff, offset, offset + MARKER_LENGTH);
  out[offset + 16] = (length >>> 8) & 0xff;
  out[offset + 17] = length & 0xff;
  out[offset + 18] = type;
}
