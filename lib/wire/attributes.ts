/**
 * The Path Attributes field of an UPDATE (RFC 4271 §4.3): the descriptor table, the walker that decodes the field
 * under RFC 7606, and the encoder.
 *
 *   each attribute:
 *   +----------------+----------------+-------------------------------+----------------------+
 *   | Attr. Flags (1)| Attr. Type (1) | Length (1, or 2 if Ext. Len.) | Value (Length octets)|
 *   +----------------+----------------+-------------------------------+----------------------+
 *   flags: 0x80 Optional, 0x40 Transitive, 0x20 Partial, 0x10 Extended Length; the low four bits are ignored.
 *
 * RFC 7606 in the walker (what each attribute's malformation calls for is in its descriptor):
 * - §3 c: Optional/Transitive bits in conflict with the type make the attribute malformed (the Partial, Extended
 *   Length and unused bits are not checked).
 * - §3 g: MP_REACH_NLRI or MP_UNREACH_NLRI twice → session reset (Malformed Attribute List); any other repeated
 *   attribute: every occurrence but the first is discarded.
 * - §3 h: the strongest approach among all findings wins.
 * - §4: an attribute whose length overruns the field, or trailing octets too few for an attribute header →
 *   treat-as-withdraw, relying on the Total Path Attribute Length to find the NLRI; when the overrunning attribute
 *   is MP_REACH_NLRI or MP_UNREACH_NLRI its routes cannot be known (§3 j), so session reset.
 * - RFC 4271 §6.3 (unchanged by RFC 7606): an unrecognized well-known attribute (type unknown, Optional bit clear)
 *   → session reset, Unrecognized Well-known Attribute with the attribute as Data.
 * Findings that do not reset the session are returned as `AttributeIssue`s and the attribute is kept raw as
 * `kind: 'malformed'` (so the UPDATE still re-encodes byte for byte). Consumers must never pass a `malformed`
 * attribute on: those with attribute-discard are dropped, and treat-as-withdraw withdraws the routes anyway.
 * Imports only its siblings.
 */
import { AttrFlag, AttrType, UpdateMessageError } from './constants.js';
import { ErrorAction, errors, type BgpError } from './errors.js';
import { AttributeFault, faultError, type AttributeDescriptor } from './attr-codec.js';
import * as values from './attr-values.js';
import { mpReachNlri, mpUnreachNlri } from './mp-nlri.js';
import type { AttributeIssue, CodecContext, PathAttribute, UnknownAttribute } from './types.js';

const descriptors: readonly AttributeDescriptor[] = [
  values.origin,
  values.asPath,
  values.nextHop,
  values.multiExitDisc,
  values.localPref,
  values.atomicAggregate,
  values.aggregator,
  values.communities,
  values.originatorId,
  values.clusterList,
  mpReachNlri,
  mpUnreachNlri,
  values.extendedCommunities,
  values.as4Path,
  values.as4Aggregator,
  values.largeCommunity,
  values.otc,
];

/** By type code: a dense array, so the walker's lookup is one index. */
const byType: readonly (AttributeDescriptor | undefined)[] = (() => {
  const table = new Array<AttributeDescriptor | undefined>(256).fill(undefined);
  for (const d of descriptors) table[d.typeCode] = d;
  return table;
})();
const byKind: ReadonlyMap<string, AttributeDescriptor> = new Map(descriptors.map((d) => [d.kind, d]));

/** The type code of any attribute value. */
export function attributeTypeCode(attr: PathAttribute): number {
  if (attr.kind === 'unknown' || attr.kind === 'malformed') return attr.typeCode;
  return (byKind.get(attr.kind) as AttributeDescriptor).typeCode;
}

/**
 * The flags an attribute is sent with when it carries none: its RFC's Optional/Transitive bits (well-known 0x40,
 * optional non-transitive 0x80, optional transitive 0xc0); unknown types default to optional transitive.
 */
export function defaultFlags(typeCode: number): number {
  return byType[typeCode]?.flags ?? AttrFlag.Optional | AttrFlag.Transitive;
}

/**
 * RFC 4271 §5: an unrecognized optional transitive attribute is passed on "with the Partial bit in the Attribute
 * Flags octet set to 1"; an unrecognized optional non-transitive one is "quietly ignored and not passed along".
 * Returns the attribute to propagate, or undefined when it must be dropped.
 */
export function passOnUnknown(attr: UnknownAttribute): UnknownAttribute | undefined {
  const flags = attr.flags ?? defaultFlags(attr.typeCode);
  if ((flags & AttrFlag.Optional) === 0 || (flags & AttrFlag.Transitive) === 0) return undefined;
  return { ...attr, flags: flags | AttrFlag.Partial };
}

/** What the walker found in a Path Attributes field. */
export interface DecodedAttributes {
  readonly attributes: readonly PathAttribute[];
  /** Absent when every attribute was well-formed. */
  readonly issues: AttributeIssue[] | undefined;
  /** The strongest approach among `issues` (RFC 7606 §3 h). */
  readonly action: ErrorAction | undefined;
  /** Bit `t` set when an attribute of type code `t` < 32 was present (malformed or not). */
  readonly seen: number;
}

const rank: Readonly<Record<ErrorAction, number>> = {
  [ErrorAction.AttributeDiscard]: 1,
  [ErrorAction.TreatAsWithdraw]: 2,
  [ErrorAction.SessionReset]: 3,
};

/** The stronger of two approaches (RFC 7606 §3 h). */
export function strongerAction(a: ErrorAction | undefined, b: ErrorAction): ErrorAction {
  return a === undefined || rank[b] > rank[a] ? b : a;
}

/** RFC 7606 findings of one field, allocated only when there is one (keeps the clean path free of closures). */
class Findings {
  readonly issues: AttributeIssue[] = [];
  action: ErrorAction = ErrorAction.AttributeDiscard;

  add(typeCode: number, action: ErrorAction, error: BgpError): void {
    this.issues.push({ typeCode, action, error });
    this.action = strongerAction(this.action, action);
  }
}

/** Duplicate detection without allocating per UPDATE: `stamp[type] === generation` means "seen in this field". */
const stamp = new Uint32Array(256);
let generation = 0;

/**
 * Decodes the Path Attributes field `buf[start..end)` under `ctx`. Throws BgpError only for the session-reset
 * cases listed above; every other finding is returned.
 */
export function decodeAttributes(buf: Uint8Array, start: number, end: number, ctx: CodecContext): DecodedAttributes {
  if (start < 0 || end > buf.length || start > end) throw errors.malformedAttributeList(`attributes [${start}, ${end}) outside the message`);
  if (++generation === 0xffffffff) {
    stamp.fill(0);
    generation = 1;
  }
  const attributes: PathAttribute[] = [];
  let findings: Findings | undefined;
  let seen = 0;

  let pos = start;
  while (pos < end) {
    const flags = buf[pos] as number;
    const header = flags & AttrFlag.ExtendedLength ? 4 : 3;
    if (end - pos < header) {
      // RFC 7606 §4, second case: octets remain, too few for an attribute header.
      (findings ??= new Findings()).add(
        end - pos > 1 ? (buf[pos + 1] as number) : 0,
        ErrorAction.TreatAsWithdraw,
        errors.malformedAttributeList(`${end - pos} trailing octets in the path attributes`),
      );
      break;
    }
    const typeCode = buf[pos + 1] as number;
    const length = header === 4 ? ((buf[pos + 2] as number) << 8) | (buf[pos + 3] as number) : (buf[pos + 2] as number);
    const valueStart = pos + header;
    const valueEnd = valueStart + length;
    if (valueEnd > end) {
      // RFC 7606 §4, first case. The attribute claims the rest of the field, so nothing can hide behind it.
      const error = errors.attributeLengthError(buf.slice(pos, end), typeCode);
      if (typeCode === AttrType.MpReachNlri || typeCode === AttrType.MpUnreachNlri) throw error;
      (findings ??= new Findings()).add(typeCode, ErrorAction.TreatAsWithdraw, error);
      break;
    }
    pos = valueEnd;
    if (typeCode < 32) seen |= 1 << typeCode;

    const desc = byType[typeCode];
    if (stamp[typeCode] === generation) {
      // RFC 7606 §3 g.
      if (typeCode === AttrType.MpReachNlri || typeCode === AttrType.MpUnreachNlri) {
        throw errors.malformedAttributeList(`${desc?.kind ?? typeCode} appears more than once`);
      }
      attributes.push({ kind: 'malformed', flags, typeCode, value: buf.slice(valueStart, valueEnd) });
      (findings ??= new Findings()).add(typeCode, ErrorAction.AttributeDiscard, errors.malformedAttributeList(`attribute ${typeCode} appears more than once`));
      continue;
    }
    stamp[typeCode] = generation;

    if (desc === undefined) {
      if ((flags & AttrFlag.Optional) === 0) throw errors.unrecognizedWellKnownAttribute(buf.slice(valueStart - header, valueEnd), typeCode);
      attributes.push({ kind: 'unknown', flags, typeCode, value: buf.slice(valueStart, valueEnd) });
      continue;
    }

    const result =
      (flags & (AttrFlag.Optional | AttrFlag.Transitive)) !== desc.flags
        ? new AttributeFault(UpdateMessageError.AttributeFlagsError, `flags 0x${flags.toString(16)}, expected 0x${desc.flags.toString(16)}`)
        : desc.decode(buf, valueStart, valueEnd, flags, ctx);
    if (result instanceof AttributeFault) {
      const error = faultError(result, buf.slice(valueStart - header, valueEnd), typeCode);
      if (desc.malformed === ErrorAction.SessionReset) throw error;
      attributes.push({ kind: 'malformed', flags, typeCode, value: buf.slice(valueStart, valueEnd) });
      (findings ??= new Findings()).add(typeCode, desc.malformed, error);
    } else {
      attributes.push(result);
    }
  }
  return findings === undefined
    ? { attributes, issues: undefined, action: undefined, seen }
    : { attributes, issues: findings.issues, action: findings.action, seen };
}

/** The Missing Well-known Attribute issue of RFC 7606 §3 d (treat-as-withdraw; Data is the missing type code). */
export function missingAttributeIssue(typeCode: number): AttributeIssue {
  return { typeCode, action: ErrorAction.TreatAsWithdraw, error: errors.missingWellKnownAttribute(typeCode) };
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

/** The value octets of one attribute under `ctx`. */
export function encodeAttributeValue(attr: PathAttribute, ctx: CodecContext): Uint8Array {
  if (attr.kind === 'unknown' || attr.kind === 'malformed') return attr.value;
  const desc = byKind.get(attr.kind);
  if (desc === undefined) throw new TypeError(`unknown attribute kind ${JSON.stringify((attr as { kind: unknown }).kind)}`);
  return desc.encode(attr, ctx);
}

/**
 * The flags octet an attribute is sent with: as given (else `defaultFlags`), with the Extended Length bit added when
 * the value exceeds 255 octets — and kept when given for a shorter value, as the wire had it.
 */
function wireFlags(attr: PathAttribute, typeCode: number, valueLength: number): number {
  if (valueLength > 0xffff) throw new RangeError(`attribute ${typeCode}: value of ${valueLength} octets`);
  const flags = (attr.flags ?? defaultFlags(typeCode)) & 0xff;
  return valueLength > 255 ? flags | AttrFlag.ExtendedLength : flags;
}

/** An attribute's values encoded once, to size and then write a Path Attributes field (see `writeAttributes`). */
export interface EncodedAttributes {
  readonly values: readonly Uint8Array[];
  /** Octets of the whole field, headers included. */
  readonly length: number;
}

export function encodeAttributeValues(attrs: readonly PathAttribute[], ctx: CodecContext): EncodedAttributes {
  const values = new Array<Uint8Array>(attrs.length);
  let length = 0;
  for (let i = 0; i < attrs.length; i++) {
    const attr = attrs[i] as PathAttribute;
    const value = encodeAttributeValue(attr, ctx);
    values[i] = value;
    length += (wireFlags(attr, attributeTypeCode(attr), value.length) & AttrFlag.ExtendedLength ? 4 : 3) + value.length;
  }
  return { values, length };
}

/** Writes the attributes whose values `encodeAttributeValues` returned at `offset`; returns the offset after them. */
export function writeAttributes(out: Uint8Array, offset: number, attrs: readonly PathAttribute[], encoded: EncodedAttributes): number {
  let o = offset;
  for (let i = 0; i < attrs.length; i++) {
    const attr = attrs[i] as PathAttribute;
    const value = encoded.values[i] as Uint8Array;
    const typeCode = attributeTypeCode(attr);
    const flags = wireFlags(attr, typeCode, value.length);
    out[o] = flags;
    out[o + 1] = typeCode;
    if (flags & AttrFlag.ExtendedLength) {
      out[o + 2] = value.length >>> 8;
      out[o + 3] = value.length & 0xff;
      o += 4;
    } else {
      out[o + 2] = value.length;
      o += 3;
    }
    out.set(value, o);
    o += value.length;
  }
  return o;
}

/** Encodes one attribute (flags, type, length, value). */
export function encodeAttribute(attr: PathAttribute, ctx: CodecContext): Uint8Array {
  return encodeAttributes([attr], ctx);
}

/** Encodes a Path Attributes field, in the given order. */
export function encodeAttributes(attrs: readonly PathAttribute[], ctx: CodecContext): Uint8Array {
  const encoded = encodeAttributeValues(attrs, ctx);
  const out = new Uint8Array(encoded.length);
  writeAttributes(out, 0, attrs, encoded);
  return out;
}
