/**
 * The stand-in for an UPDATE that the session hands the FSM without decoding it: the Speaker's fast path wants the
 * raw message (`rawUpdate`), and the FSM needs only to know that an UPDATE arrived (RFC 4271 Event 27).
 */
import type { CodecContext, PathAttribute, Prefix, UpdateMessage } from '../wire/index.js';

const NO_PREFIXES: readonly Prefix[] = Object.freeze([]);
const NO_ATTRIBUTES: readonly PathAttribute[] = Object.freeze([]);
export const NO_BYTES = new Uint8Array(0);

/**
 * An UPDATE handed to the FSM undecoded (see `onMessage`): the FSM only needs to know that one arrived, and its
 * `deliver-update` sends the message to `rawUpdate`. Its fields are empty: it is never given to anyone as a decoded
 * message. Mutable, so that one instance per session serves every UPDATE (`feedRawUpdate`).
 */
export class UndecodedUpdate implements UpdateMessage {
  readonly type = 2 as const;
  readonly withdrawn = NO_PREFIXES;
  readonly attributes = NO_ATTRIBUTES;
  readonly nlri = NO_PREFIXES;

  constructor(
    public message: Uint8Array,
    public ctx: CodecContext,
  ) {}
}
