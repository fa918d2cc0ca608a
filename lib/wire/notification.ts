/**
 * The NOTIFICATION message body (RFC 4271 §4.5), with the two Data formats that later RFCs define inside it:
 * the shutdown communication of Cease / Administrative Shutdown and Administrative Reset (RFC 9003) and the
 * NOTIFICATION carried by Cease / Hard Reset (RFC 8538).
 *
 *     RFC 4271 §4.5
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     | Error code    | Error subcode |   Data (variable)             |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *     RFC 9003 §2 (Cease, subcode 2 or 4)
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     | Error code 6  |    Subcode    |    Length     |     ...       \
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+               /
 *     \                                                               \
 *     /                 ... Shutdown Communication ...                /
 *     \                                                               \
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *     RFC 8538 §3 (Cease, subcode 9): Data = ErrCode (1 octet) | Subcode (1 octet) | Data (variable) of the cause
 *
 * `data` is always the Data as received, so re-encoding is byte-exact; `shutdownMessage` and `hardReset` are read
 * views of it, filled only when the Data is well-formed. RFC 9003 §4 asks only that an invalid Length or UTF-8
 * sequence be logged, so a malformed communication is never an error here. Imports node:buffer and its siblings.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { CeaseError, ErrorCode, HEADER_LENGTH, MessageType } from './constants.js';
import { maxMessageLength } from './context.js';
import { errors } from './errors.js';
import type { BgpError } from './errors.js';
import type { CodecContext, NotificationMessage } from './types.js';

/** Error code (1) + Error subcode (1). */
const FIXED_LENGTH = 2;
/** RFC 9003 §2: the Length octet bounds a shutdown communication to 255 octets. */
export const MAX_SHUTDOWN_COMMUNICATION = 255;

/** Decodes a NOTIFICATION body (the message without its 19-octet header). */
export function decodeNotification(body: Uint8Array): NotificationMessage {
  if (body.length < FIXED_LENGTH) throw errors.badMessageLength(HEADER_LENGTH + body.length, 'NOTIFICATION too short');
  return notification(body[0] as number, body[1] as number, new Uint8Array(body.subarray(FIXED_LENGTH)));
}

/** Encodes a NOTIFICATION body from `code`, `subcode` and `data` (the read views are not consulted). */
export function encodeNotification(msg: NotificationMessage): Uint8Array {
  const body = new Uint8Array(FIXED_LENGTH + msg.data.length);
  body[0] = octet(msg.code, 'code');
  body[1] = octet(msg.subcode, 'subcode');
  body.set(msg.data, FIXED_LENGTH);
  return body;
}

/**
 * The NOTIFICATION that reports `error`. Its Data is cut to what fits in one message under `ctx` (4096 octets
 * before RFC 8654 is negotiated): some Data the RFCs prescribe — a whole attribute, a whole ROUTE-REFRESH message —
 * can be as long as the message that caused the error, and the code and subcode still say what went wrong.
 */
export function notificationFor(error: BgpError, ctx: Pick<CodecContext, 'extendedMessage'> = { extendedMessage: false }): NotificationMessage {
  const room = maxMessageLength(ctx, MessageType.Notification) - HEADER_LENGTH - FIXED_LENGTH;
  const data = error.data.length > room ? error.data.subarray(0, room) : error.data;
  return notification(error.code, error.subcode, new Uint8Array(data));
}

/** Builds the message value from its fields, adding the read views where the Data holds one. */
function notification(code: number, subcode: number, data: Uint8Array): NotificationMessage {
  const msg: NotificationMessage = { type: 3, code, subcode, data };
  if (code !== ErrorCode.Cease) return msg;
  if (subcode === CeaseError.AdministrativeShutdown || subcode === CeaseError.AdministrativeReset) {
    const shutdownMessage = shutdownCommunication(data);
    return shutdownMessage === undefined ? msg : { ...msg, shutdownMessage };
  }
  // RFC 8538 §3: the Data of a Hard Reset encapsulates the Error Code, Error Subcode and Data of the NOTIFICATION
  // that states its cause.
  if (subcode === CeaseError.HardReset && data.length >= FIXED_LENGTH) {
    const inner = { code: data[0] as number, subcode: data[1] as number, data: new Uint8Array(data.subarray(FIXED_LENGTH)) };
    return { ...msg, hardReset: inner };
  }
  return msg;
}

/**
 * RFC 9003 §2: the text of a Length-prefixed UTF-8 shutdown communication, or undefined when the Length does not
 * match the Data or the octets are not UTF-8 ("A receiving BGP speaker MUST NOT interpret invalid UTF-8
 * sequences"). A Length of zero is a well-formed empty communication.
 */
function shutdownCommunication(data: Uint8Array): string | undefined {
  if (data.length === 0 || 1 + (data[0] as number) !== data.length) return undefined;
  const text = data.subarray(1);
  if (!isUtf8(text)) return undefined;
  return Buffer.from(text.buffer, text.byteOffset, text.length).toString('utf8');
}

/**
 * The Data of an Administrative Shutdown or Reset carrying `message` (RFC 9003 §2): a Length octet and the UTF-8
 * text, cut to 255 octets at a character boundary so the receiver never sees a broken sequence.
 */
export function shutdownData(message: string): Uint8Array {
  const text = Buffer.from(message, 'utf8');
  let n = Math.min(text.length, MAX_SHUTDOWN_COMMUNICATION);
  // UTF-8 continuation octets are 10xxxxxx: step back until the cut falls before the first octet of a character.
  while (n > 0 && n < text.length && ((text[n] as number) & 0xc0) === 0x80) n--;
  const data = new Uint8Array(1 + n);
  data[0] = n;
  data.set(text.subarray(0, n), 1);
  return data;
}

/** The Data of a Cease / Hard Reset (RFC 8538 §3) that carries `cause`. */
export function hardResetData(cause: { readonly code: number; readonly subcode: number; readonly data: Uint8Array }): Uint8Array {
  const data = new Uint8Array(FIXED_LENGTH + cause.data.length);
  data[0] = octet(cause.code, 'code');
  data[1] = octet(cause.subcode, 'subcode');
  data.set(cause.data, FIXED_LENGTH);
  return data;
}

function octet(n: number, field: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new TypeError(`${field}: ${n} is not an integer in 0..255`);
  return n;
}
