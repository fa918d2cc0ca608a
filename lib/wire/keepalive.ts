/**
 * The KEEPALIVE message (RFC 4271 §4.4): a header and nothing else.
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     |                    Marker (16 octets)                         |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     |       Length = 19             |   Type = 4    |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * "A KEEPALIVE message consists of only the message header and has a length of 19 octets" — any body is a Bad
 * Message Length (§6.1), reported with the Length field the message would carry. Imports only its siblings.
 */
import { HEADER_LENGTH } from './constants.js';
import { errors } from './errors.js';
import type { KeepaliveMessage } from './types.js';

/** The one KEEPALIVE value: every KEEPALIVE is the same. */
export const KEEPALIVE: KeepaliveMessage = Object.freeze({ type: 4 });

const EMPTY = new Uint8Array(0);

/** Decodes a KEEPALIVE body, which must be empty. */
export function decodeKeepalive(body: Uint8Array): KeepaliveMessage {
  if (body.length !== 0) throw errors.badMessageLength(HEADER_LENGTH + body.length, 'KEEPALIVE with a body');
  return KEEPALIVE;
}

/** The (empty) KEEPALIVE body. */
export function encodeKeepalive(_msg: KeepaliveMessage = KEEPALIVE): Uint8Array {
  return EMPTY;
}
