/**
 * The ROUTE-REFRESH message (RFC 2918 §3) with the Message Subtype of Enhanced Route Refresh (RFC 7313 §3).
 *
 *     0       7      15      23      31
 *     +-------+-------+-------+-------+
 *     |      AFI      | Res.  | SAFI  |          RFC 2918 §3
 *     +-------+-------+-------+-------+
 *
 *     0       7      15      23      31
 *     +-------+-------+-------+-------+
 *     |      AFI      |Subtype| SAFI  |          RFC 7313 §3
 *     +-------+-------+-------+-------+
 *
 * Subtype 0 is a normal route refresh request, 1 the Beginning of Route Refresh (BoRR), 2 the End of Route Refresh
 * (EoRR). Any other subtype is decoded as it is: RFC 7313 §5 tells the receiver to ignore such a message, which is
 * the FSM's business, not a codec error. A body that is not 4 octets is RFC 7313's ROUTE-REFRESH Message Error /
 * Invalid Message Length, whose Data is the complete message. Imports only its siblings.
 */
import { HEADER_LENGTH, MessageType, RouteRefreshSubtype } from './constants.js';
import { errors } from './errors.js';
import { writeHeader } from './header.js';
import type { AfiSafi, RouteRefreshMessage } from './types.js';

/** AFI (2) + Subtype (1) + SAFI (1). */
const BODY_LENGTH = 4;

/** Decodes a ROUTE-REFRESH body (the message without its 19-octet header). */
export function decodeRouteRefresh(body: Uint8Array): RouteRefreshMessage {
  if (body.length !== BODY_LENGTH) {
    // RFC 7313 §5: "The Data field of the NOTIFICATION message MUST contain the complete ROUTE-REFRESH message."
    // Once the header is checked it holds nothing the body does not determine, so the message is rebuilt here.
    const message = new Uint8Array(HEADER_LENGTH + body.length);
    writeHeader(message, 0, message.length, MessageType.RouteRefresh);
    message.set(body, HEADER_LENGTH);
    throw errors.routeRefreshInvalidLength(message);
  }
  return {
    type: 5,
    afi: ((body[0] as number) << 8) | (body[1] as number),
    subtype: body[2] as number,
    safi: body[3] as number,
  };
}

/** Encodes a ROUTE-REFRESH body. Throws a `TypeError` when a field does not fit. */
export function encodeRouteRefresh(msg: RouteRefreshMessage): Uint8Array {
  check(msg.afi, 0xffff, 'afi');
  check(msg.subtype, 0xff, 'subtype');
  check(msg.safi, 0xff, 'safi');
  return Uint8Array.of(msg.afi >>> 8, msg.afi & 0xff, msg.subtype, msg.safi);
}

/** A ROUTE-REFRESH for `family`: a normal request (RFC 2918) unless a BoRR or EoRR subtype is given. */
export function routeRefreshFor(family: AfiSafi, subtype: number = RouteRefreshSubtype.Normal): RouteRefreshMessage {
  return { type: 5, afi: family.afi, subtype, safi: family.safi };
}

function check(n: number, max: number, field: string): void {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new TypeError(`${field}: ${n} is not an integer in 0..${max}`);
}
