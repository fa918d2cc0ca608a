/**
 * From what the session layer has in hand — a decoded message, or the `BgpError` its decoder threw — to the RFC 4271
 * §8.1.5 event the FSM expects, so that every session classifies messages the same way.
 *
 * A NOTIFICATION carrying OPEN Message Error / Unsupported Version Number is Event 24 (NotifMsgVerErr), any other
 * is Event 25 (NotifMsg). A decoding error becomes the event of the message kind it reports: header errors (code 1)
 * are Event 21 whatever the message, OPEN errors Event 22, UPDATE errors Event 28, ROUTE-REFRESH errors (RFC 7313
 * §5) their own event. The FSM then decides whether that error or an RFC 6608 FSM error is what goes back.
 */
import { ErrorCode, OpenMessageError } from '../wire/constants.js';
import type { BgpError } from '../wire/errors.js';
import type { BgpMessage } from '../wire/types.js';
import type { FsmEvent } from './types.js';

/** The event for a message decoded from connection `conn`. */
export function messageEvent(conn: number, message: BgpMessage): FsmEvent {
  switch (message.type) {
    case 1:
      return { type: 'BGPOpen', conn, open: message };
    case 2:
      return { type: 'UpdateMsg', conn, update: message };
    case 3:
      return message.code === ErrorCode.OpenMessage && message.subcode === OpenMessageError.UnsupportedVersionNumber
        ? { type: 'NotifMsgVerErr', conn, notification: message }
        : { type: 'NotifMsg', conn, notification: message };
    case 4:
      return { type: 'KeepAliveMsg', conn };
    case 5:
      return { type: 'RouteRefreshMsg', conn, message };
  }
}

/**
 * The event for a message from `conn` that could not be decoded. Errors of other codes than the four a decoder
 * raises are reported as header errors, so that whatever happens the FSM sends the error and resets the session.
 */
export function decodeErrorEvent(conn: number, error: BgpError): FsmEvent {
  switch (error.code) {
    case ErrorCode.OpenMessage:
      return { type: 'BGPOpenMsgErr', conn, error };
    case ErrorCode.UpdateMessage:
      return { type: 'UpdateMsgErr', conn, error };
    case ErrorCode.RouteRefreshMessage:
      return { type: 'RouteRefreshMsgErr', conn, error };
    default:
      return { type: 'BGPHeaderErr', conn, error };
  }
}
