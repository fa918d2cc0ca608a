/**
 * Whole messages: the header (RFC 4271 §4.1) joined to the body codec of each type.
 *
 *     +--------------------------------+----------------------------------------------+
 *     | Marker (16) | Length (2) | Type (1) | body: OPEN | UPDATE | NOTIFICATION | ... |
 *     +--------------------------------+----------------------------------------------+
 *
 * `decodeMessage` takes exactly one message (as the framer hands them out), checks its header first and then that
 * the octets it was given are as many as the header's Length says, and dispatches the body. `encodeMessage` is its
 * inverse: for every well-formed message, `encodeMessage(decodeMessage(bytes, ctx), ctx)` equals `bytes`. Encoding
 * a message that does not fit the context's maximum length is the caller's mistake, reported as a `TypeError`;
 * splitting UPDATEs so that they fit is the Adj-RIB-Out's job. Imports only its siblings.
 */
import { Buffer } from 'node:buffer';
import { HEADER_LENGTH, MessageType, MessageTypeName } from './constants.js';
import { maxMessageLength } from './context.js';
import { errors } from './errors.js';
import { checkHeader, writeHeader } from './header.js';
import { decodeKeepalive, encodeKeepalive } from './keepalive.js';
import { decodeNotification, encodeNotification } from './notification.js';
import { decodeOpen, encodeOpen } from './open.js';
import { decodeRouteRefresh, encodeRouteRefresh } from './route-refresh.js';
import type { BgpMessage, CodecContext } from './types.js';
import { decodeUpdate, encodeUpdate } from './update.js';

/**
 * Decodes one whole message, header included. Throws a `BgpError` for anything malformed: the header's errors
 * (RFC 4271 §6.1, RFC 7313 §5), Bad Message Length when `bytes` is not exactly one message, and the body's errors.
 */
export function decodeMessage(bytes: Uint8Array, ctx: CodecContext): BgpMessage {
  const { length, type } = checkHeader(bytes, 0, ctx);
  if (bytes.length !== length) {
    throw errors.badMessageLength(length, `Length field says ${length} but the message has ${bytes.length} octets`);
  }
  const body = bytes.subarray(HEADER_LENGTH);
  switch (type) {
    case MessageType.Open:
      return decodeOpen(body);
    case MessageType.Update:
      return decodeUpdate(body, ctx);
    case MessageType.Notification:
      return decodeNotification(body);
    case MessageType.Keepalive:
      return decodeKeepalive(body);
    case MessageType.RouteRefresh:
      return decodeRouteRefresh(body);
  }
}

/** Encodes the body of `msg` (no header). */
function encodeBody(msg: BgpMessage, ctx: CodecContext): Uint8Array {
  switch (msg.type) {
    case MessageType.Open:
      return encodeOpen(msg);
    case MessageType.Update:
      return encodeUpdate(msg, ctx);
    case MessageType.Notification:
      return encodeNotification(msg);
    case MessageType.Keepalive:
      return encodeKeepalive(msg);
    case MessageType.RouteRefresh:
      return encodeRouteRefresh(msg);
    default:
      throw new TypeError(`not a BGP message type: ${String((msg as { type: unknown }).type)}`);
  }
}

/**
 * Encodes `msg` as a whole message (header and body) in a Buffer ready for `socket.write`. Throws a `TypeError`
 * when the message would exceed the largest one `ctx` allows for its type (4096 octets, 65535 for all but OPEN
 * and KEEPALIVE under RFC 8654), or when a field does not fit.
 */
export function encodeMessage(msg: BgpMessage, ctx: CodecContext): Buffer {
  let body: Uint8Array;
  try {
    body = encodeBody(msg, ctx);
  } catch (e) {
    // A body encoder may report a value that cannot fit as a RangeError; to callers it is the same mistake.
    if (e instanceof RangeError) throw new TypeError(e.message, { cause: e });
    throw e;
  }
  const length = HEADER_LENGTH + body.length;
  const max = maxMessageLength(ctx, msg.type);
  if (length > max) {
    throw new TypeError(`${MessageTypeName[msg.type] ?? 'message'} of ${length} octets exceeds the maximum of ${max}`);
  }
  const out = Buffer.allocUnsafe(length);
  writeHeader(out, 0, length, msg.type);
  out.set(body, HEADER_LENGTH);
  return out;
}

/**
 * The length `encodeMessage` would produce, header included. Constant-size and NOTIFICATION messages are
 * computed; OPEN and UPDATE are encoded to be measured, as their lengths depend on every capability and attribute.
 */
export function messageLength(msg: BgpMessage, ctx: CodecContext): number {
  switch (msg.type) {
    case MessageType.Keepalive:
      return HEADER_LENGTH;
    case MessageType.RouteRefresh:
      return HEADER_LENGTH + 4;
    case MessageType.Notification:
      return HEADER_LENGTH + 2 + msg.data.length;
    default:
      return HEADER_LENGTH + encodeBody(msg, ctx).length;
  }
}
