/**
 * The shape every path attribute codec shares — BIRD's idea of one descriptor per attribute type (flags, decode,
 * encode, error handling) — and the fault a value decoder returns instead of throwing.
 *
 * A descriptor states the Optional/Transitive bits its RFC gives the attribute and the RFC 7606 approach a
 * malformed instance calls for; decoders read `buf[start..end)` (the value only; the walker checked the bounds) and
 * return either the typed attribute or an `AttributeFault` naming the RFC 4271 §6.3 subcode the old rules would
 * send. `faultError` turns a fault into that NOTIFICATION with the Data RFC 4271 §6.3 prescribes. Descriptors live in
 * `attr-values.ts` and `mp-nlri.ts`; the table and the walker in `attributes.ts`. Imports only its siblings.
 */
import { AttrTypeName, ErrorCode, UpdateMessageError } from './constants.js';
import { BgpError, type ErrorAction } from './errors.js';
import type { CodecContext, PathAttribute } from './types.js';

/** Why an attribute value did not parse: the UPDATE Message Error subcode RFC 4271 §6.3 would send, and a reason. */
export class AttributeFault {
  constructor(
    readonly subcode: number,
    readonly reason: string,
  ) {}
}

/** The codec of one attribute type. `A` is its value type; `encode` returns the value octets only. */
export interface AttributeDescriptor<A extends PathAttribute = PathAttribute> {
  readonly typeCode: number;
  readonly kind: A['kind'];
  /** The Optional (0x80) and Transitive (0x40) bits the attribute must carry. */
  readonly flags: number;
  /** RFC 7606 §7 (or the attribute's own RFC): the approach for a malformed instance, flags errors included. */
  readonly malformed: ErrorAction;
  decode(buf: Uint8Array, start: number, end: number, flags: number, ctx: CodecContext): A | AttributeFault;
  encode(attr: A, ctx: CodecContext): Uint8Array;
}

/** Shorthands for the faults decoders return most. */
export const fault = {
  length: (reason: string): AttributeFault => new AttributeFault(UpdateMessageError.AttributeLengthError, reason),
  optional: (reason: string): AttributeFault => new AttributeFault(UpdateMessageError.OptionalAttributeError, reason),
} as const;

/**
 * The NOTIFICATION a fault stands for. RFC 4271 §6.3 puts the erroneous attribute (flags, type, length and value:
 * `raw`) in the Data of Attribute Flags, Attribute Length, Invalid ORIGIN, Invalid NEXT_HOP, Optional Attribute and
 * Unrecognized Well-known errors; Malformed AS_PATH and Malformed Attribute List carry no Data.
 */
export function faultError(f: AttributeFault, raw: Uint8Array, typeCode: number): BgpError {
  const name = AttrTypeName[typeCode] ?? `attribute ${typeCode}`;
  const noData = f.subcode === UpdateMessageError.MalformedAsPath || f.subcode === UpdateMessageError.MalformedAttributeList;
  return new BgpError(ErrorCode.UpdateMessage, f.subcode, noData ? new Uint8Array(0) : raw, `${name}: ${f.reason}`);
}
