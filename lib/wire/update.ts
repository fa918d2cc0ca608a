/**
 * The UPDATE message (RFC 4271 §4.3): its body — the message without the 19-octet header — to and from
 * `UpdateMessage`, with RFC 7606 error handling, RFC 4724 §2 End-of-RIB markers and RFC 7911 ADD-PATH.
 *
 *   +-----------------------------------------------------+
 *   |   Withdrawn Routes Length (2 octets)                |
 *   +-----------------------------------------------------+
 *   |   Withdrawn Routes (variable)                       |
 *   +-----------------------------------------------------+
 *   |   Total Path Attribute Length (2 octets)            |
 *   +-----------------------------------------------------+
 *   |   Path Attributes (variable)                        |
 *   +-----------------------------------------------------+
 *   |   Network Layer Reachability Information (variable) |
 *   +-----------------------------------------------------+
 *
 * Session-reset errors are thrown as BgpError: the two length fields overrunning the message (RFC 4271 §6.3,
 * kept by RFC 7606 §3 b: Malformed Attribute List), a syntactically incorrect Withdrawn Routes or NLRI field
 * (RFC 7606 §3 i, §5.3: Invalid Network Field), and whatever the attribute walker throws (see attributes.ts).
 * RFC 7606 §3 d — a well-known mandatory attribute missing while routes are announced — and §5.2 — attribute errors
 * other than attribute-discard in an UPDATE announcing no routes, which become a session reset — are applied here.
 * Imports only its siblings.
 */
import { AttrType, HEADER_LENGTH, IPV4_UNICAST, MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH } from './constants.js';
import { ErrorAction, errors } from './errors.js';
import { decodePrefixes, prefixesEncodingLength, writePrefixes } from './nlri.js';
import {
  decodeAttributes,
  encodeAttributeValues,
  missingAttributeIssue,
  strongerAction,
  writeAttributes,
  type DecodedAttributes,
} from './attributes.js';
import type {
  AfiSafi,
  AttributeIssue,
  CodecContext,
  MpReachNlriAttribute,
  MpUnreachNlriAttribute,
  PathAttribute,
  Prefix,
  UpdateMessage,
} from './types.js';

// The public API of the UPDATE half beyond this file (index.ts re-exports update.ts, nlri.ts and communities.ts).
export {
  attributeTypeCode,
  decodeAttributes,
  defaultFlags,
  encodeAttribute,
  encodeAttributeValues,
  encodeAttributes,
  passOnUnknown,
  writeAttributes,
  type DecodedAttributes,
  type EncodedAttributes,
} from './attributes.js';
export { asPathLength, formatAsPath, needsAs4Path, parseAsPath, reconcileAs4Path, toAs4Path } from './as-path.js';
export { isDecodedFamily } from './mp-nlri.js';

/** Where the three fields of an UPDATE body lie, as offsets into the buffer that holds it. */
export interface UpdateFields {
  readonly withdrawnStart: number;
  readonly withdrawnEnd: number;
  readonly attributesStart: number;
  readonly attributesEnd: number;
  readonly nlriStart: number;
  readonly nlriEnd: number;
}

function u16(buf: Uint8Array, o: number): number {
  return ((buf[o] as number) << 8) | (buf[o + 1] as number);
}

/**
 * Locates the fields of the UPDATE body `buf[start..end)` (for a whole message, `start` = 19), checking the two
 * length fields. The RIB can use this with `forEachPrefix` and the raw attribute octets (to intern attribute sets)
 * without building a message.
 */
export function updateFields(buf: Uint8Array, start = 0, end = buf.length): UpdateFields {
  // RFC 4271 §6.1: an UPDATE shorter than 23 octets is a Bad Message Length (normally caught by the header check).
  if (start < 0 || end > buf.length) throw errors.malformedAttributeList(`UPDATE body [${start}, ${end}) outside the buffer`);
  if (end - start < 4) throw errors.badMessageLength(end - start + HEADER_LENGTH, 'UPDATE body shorter than 4 octets');
  const withdrawnStart = start + 2;
  const withdrawnEnd = withdrawnStart + u16(buf, start);
  // RFC 4271 §6.3: "If the Withdrawn Routes Length or Total Attribute Length is too large (i.e., if Withdrawn
  // Routes Length + Total Attribute Length + 23 exceeds the message Length), then the Error Subcode MUST be set to
  // Malformed Attribute List."
  if (withdrawnEnd + 2 > end) throw errors.malformedAttributeList(`Withdrawn Routes Length ${withdrawnEnd - withdrawnStart} overruns the message`);
  const attributesStart = withdrawnEnd + 2;
  const attributesEnd = attributesStart + u16(buf, withdrawnEnd);
  if (attributesEnd > end) throw errors.malformedAttributeList(`Total Path Attribute Length ${attributesEnd - attributesStart} overruns the message`);
  return { withdrawnStart, withdrawnEnd, attributesStart, attributesEnd, nlriStart: attributesEnd, nlriEnd: end };
}

const NO_PREFIXES: readonly Prefix[] = Object.freeze([]);
const NO_ATTRIBUTES: DecodedAttributes = Object.freeze({ attributes: Object.freeze([]), issues: undefined, action: undefined, seen: 0 });
const MANDATORY_WITH_NLRI = [AttrType.Origin, AttrType.AsPath, AttrType.NextHop] as const;
/** RFC 4760 §3: with MP_REACH_NLRI only, NEXT_HOP is not needed; ORIGIN and AS_PATH still are. */
const MANDATORY_WITH_MP_REACH = [AttrType.Origin, AttrType.AsPath] as const;

/** Decodes an UPDATE body (the message minus its 19-octet header). Throws BgpError for session-reset errors. */
export function decodeUpdate(body: Uint8Array, ctx: CodecContext): UpdateMessage {
  const f = updateFields(body);
  const addPath = ctx.addPath.size > 0 && ctx.addPath.has(IPV4_UNICAST);
  const withdrawn = f.withdrawnEnd === f.withdrawnStart ? NO_PREFIXES : decodePrefixes(body, f.withdrawnStart, f.withdrawnEnd, 1, addPath);
  const decoded = f.attributesEnd === f.attributesStart ? NO_ATTRIBUTES : decodeAttributes(body, f.attributesStart, f.attributesEnd, ctx);
  const nlri = f.nlriEnd === f.nlriStart ? NO_PREFIXES : decodePrefixes(body, f.nlriStart, f.nlriEnd, 1, addPath);
  const attributes = decoded.attributes;
  let issues = decoded.issues;
  let action = decoded.action;

  let mpReach: MpReachNlriAttribute | undefined;
  if (decoded.seen & (1 << AttrType.MpReachNlri)) {
    for (const a of attributes) {
      if (a.kind === 'mp-reach-nlri') {
        mpReach = a; // §3 g: a second one was a session reset already
        break;
      }
    }
  }
  const reachable =
    nlri.length > 0 || (mpReach !== undefined && (mpReach.nlri.length > 0 || (mpReach.nlriBytes?.length ?? 0) > 0));

  if (reachable) {
    // RFC 7606 §3 d: a missing well-known mandatory attribute → treat-as-withdraw.
    for (const type of nlri.length > 0 ? MANDATORY_WITH_NLRI : MANDATORY_WITH_MP_REACH) {
      if ((decoded.seen & (1 << type)) === 0) {
        (issues ??= []).push(missingAttributeIssue(type));
        action = strongerAction(action, ErrorAction.TreatAsWithdraw);
      }
    }
  } else if (action !== undefined && action !== ErrorAction.AttributeDiscard) {
    // RFC 7606 §5.2: attributes but no reachable NLRI, so "we cannot be confident that the NLRI have been
    // successfully parsed": any approach other than attribute-discard becomes a session reset.
    throw (issues as AttributeIssue[]).find((i) => i.action !== ErrorAction.AttributeDiscard)?.error ?? errors.malformedAttributeList();
  }

  const endOfRib = withdrawn.length === 0 && nlri.length === 0 ? endOfRibFamily(attributes, f.attributesEnd === f.attributesStart) : undefined;
  if (issues === undefined || action === undefined) {
    return endOfRib === undefined ? { type: 2, withdrawn, attributes, nlri } : { type: 2, withdrawn, attributes, nlri, endOfRib };
  }
  return endOfRib === undefined
    ? { type: 2, withdrawn, attributes, nlri, issues, action }
    : { type: 2, withdrawn, attributes, nlri, endOfRib, issues, action };
}

const IPV4_UNICAST_FAMILY: AfiSafi = Object.freeze({ afi: 1, safi: 1 });

/**
 * RFC 4724 §2: the End-of-RIB marker of IPv4 unicast is an UPDATE of minimum length; of any other family, an UPDATE
 * that "contains only the MP_UNREACH_NLRI attribute with no withdrawn routes for that <AFI, SAFI>".
 */
function endOfRibFamily(attributes: readonly PathAttribute[], noAttributeField: boolean): AfiSafi | undefined {
  if (noAttributeField) return IPV4_UNICAST_FAMILY;
  if (attributes.length !== 1) return undefined;
  const a = attributes[0] as PathAttribute;
  if (a.kind !== 'mp-unreach-nlri' || a.withdrawn.length !== 0 || (a.withdrawnBytes?.length ?? 0) !== 0) return undefined;
  return { afi: a.afi, safi: a.safi };
}

/**
 * Encodes an UPDATE body under `ctx`: classic fields as IPv4 unicast (with Path Identifiers under ADD-PATH),
 * attributes in the given order with their flags. `endOfRib`, `issues` and `action` are results of decoding and are
 * not encoded. Throws a RangeError when the message would exceed 4096 octets (65535 with RFC 8654).
 */
export function encodeUpdate(msg: UpdateMessage, ctx: CodecContext): Uint8Array {
  const addPath = ctx.addPath.size > 0 && ctx.addPath.has(IPV4_UNICAST);
  // Size every field first, then write them all into the one buffer.
  const withdrawnLength = prefixesEncodingLength(msg.withdrawn, addPath);
  const attributes = encodeAttributeValues(msg.attributes, ctx);
  const size = 4 + withdrawnLength + attributes.length + prefixesEncodingLength(msg.nlri, addPath);
  if (size > maxUpdateBodyLength(ctx)) throw new RangeError(`UPDATE of ${size + HEADER_LENGTH} octets exceeds the maximum message size`);
  const out = new Uint8Array(size);
  out[0] = withdrawnLength >>> 8;
  out[1] = withdrawnLength & 0xff;
  let o = writePrefixes(out, 2, msg.withdrawn, 1, addPath);
  out[o] = attributes.length >>> 8;
  out[o + 1] = attributes.length & 0xff;
  o = writeAttributes(out, o + 2, msg.attributes, attributes);
  writePrefixes(out, o, msg.nlri, 1, addPath);
  return out;
}

/** The largest UPDATE body `ctx` allows: 4096 − 19, or 65535 − 19 once both sides sent Extended Message. */
export function maxUpdateBodyLength(ctx: Pick<CodecContext, 'extendedMessage'>): number {
  return (ctx.extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH) - HEADER_LENGTH;
}

/**
 * An UPDATE body from already encoded fields — the packer's path: encode an attribute set once, then add as many
 * prefixes as `maxUpdateBodyLength` leaves room for (body = 4 + withdrawn + attributes + NLRI octets).
 */
export function assembleUpdate(withdrawn: Uint8Array, attributes: Uint8Array, nlri: Uint8Array, ctx: Pick<CodecContext, 'extendedMessage'>): Uint8Array {
  const size = 4 + withdrawn.length + attributes.length + nlri.length;
  if (size > maxUpdateBodyLength(ctx)) throw new RangeError(`UPDATE of ${size + HEADER_LENGTH} octets exceeds the maximum message size`);
  const out = new Uint8Array(size);
  out[0] = withdrawn.length >>> 8;
  out[1] = withdrawn.length & 0xff;
  out.set(withdrawn, 2);
  let o = 2 + withdrawn.length;
  out[o] = attributes.length >>> 8;
  out[o + 1] = attributes.length & 0xff;
  out.set(attributes, o + 2);
  o += 2 + attributes.length;
  out.set(nlri, o);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Conveniences for the layers above

/** The first attribute of `kind` (RFC 7606 §3 g: only the first of a repeated attribute counts), or undefined. */
export function findAttribute<K extends PathAttribute['kind']>(
  update: Pick<UpdateMessage, 'attributes'>,
  kind: K,
): Extract<PathAttribute, { kind: K }> | undefined {
  for (const a of update.attributes) if (a.kind === kind) return a as Extract<PathAttribute, { kind: K }>;
  return undefined;
}

/** Every decoded prefix the UPDATE announces: the NLRI field, then MP_REACH_NLRI (IPv4/IPv6 families). */
export function announcedPrefixes(update: Pick<UpdateMessage, 'nlri' | 'attributes'>): Prefix[] {
  const out = update.nlri.slice();
  for (const a of update.attributes) if (a.kind === 'mp-reach-nlri') out.push(...a.nlri);
  return out;
}

/** Every decoded prefix the UPDATE withdraws: the Withdrawn Routes field, then MP_UNREACH_NLRI (IPv4/IPv6). */
export function withdrawnPrefixes(update: Pick<UpdateMessage, 'withdrawn' | 'attributes'>): Prefix[] {
  const out = update.withdrawn.slice();
  for (const a of update.attributes) if (a.kind === 'mp-unreach-nlri') out.push(...a.withdrawn);
  return out;
}

/** RFC 4724 §2: the End-of-RIB marker of a family (an empty UPDATE for IPv4 unicast, else an empty MP_UNREACH_NLRI). */
export function endOfRibUpdate(afi: number, safi: number): UpdateMessage {
  const family: AfiSafi = { afi, safi };
  if (afi === 1 && safi === 1) return { type: 2, withdrawn: [], attributes: [], nlri: [], endOfRib: family };
  const unreach: MpUnreachNlriAttribute = { kind: 'mp-unreach-nlri', afi, safi, withdrawn: [] };
  return { type: 2, withdrawn: [], attributes: [unreach], nlri: [], endOfRib: family };
}
