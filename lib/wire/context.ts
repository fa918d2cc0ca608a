/**
 * The codec context: what decoding and encoding depend on besides the bytes (see `CodecContext` in types.ts).
 *
 * A session builds one context per direction once the OPENs are exchanged: 4-octet AS numbers (RFC 6793), the
 * families with ADD-PATH in that direction (RFC 7911), and extended messages (RFC 8654). Before that — and in
 * tools that decode captures — the defaults below apply. Imports only its siblings.
 */
import { MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH, MessageType } from './constants.js';
import type { CodecContext } from './types.js';

/**
 * A frozen context: 4-octet AS numbers on (every current speaker negotiates them, and RFC 6793 makes them the
 * norm), no ADD-PATH, no extended messages — unless `partial` says otherwise. `addPath` is copied, so the caller's
 * set can change afterwards without changing the context.
 */
export function createContext(partial: Partial<CodecContext> = {}): CodecContext {
  return Object.freeze({
    fourOctetAs: partial.fourOctetAs ?? true,
    addPath: new Set(partial.addPath ?? []) as ReadonlySet<number>,
    extendedMessage: partial.extendedMessage ?? false,
  });
}

/**
 * The largest message, header included, that may be sent or received under `ctx`.
 *
 * RFC 4271 §4.1 caps every message at 4096 octets; RFC 8654 §4 raises that to 65535 once both sides sent the
 * Extended Message capability, but "The BGP Extended Message Capability applies to all messages except for OPEN
 * and KEEPALIVE messages" — pass `type` to get the bound of one message type.
 */
export function maxMessageLength(ctx: Pick<CodecContext, 'extendedMessage'>, type?: number): number {
  if (type === MessageType.Open || type === MessageType.Keepalive) return MAX_MESSAGE_LENGTH;
  return ctx.extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
}
