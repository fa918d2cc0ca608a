/**
 * UPDATE packing: whole messages (header included) built straight from prefix keys, as many routes per message as
 * the size limit allows — RFC 4271 §4.1's 4096 octets, or 65535 with RFC 8654 extended messages.
 *
 *   UPDATE: header (19) | Withdrawn Routes Length (2) | Withdrawn Routes | Total Path Attribute Length (2) |
 *           Path Attributes | NLRI
 *
 * Announcements share one pre-encoded attribute block (`EncodedAttributes`, encoded once per set and outbound
 * group): IPv4 routes go in the NLRI field; other families in an MP_REACH_NLRI attribute (RFC 4760 §3) placed
 * between the attributes below and above type 14, so the message keeps RFC 4271 §5's ascending order. Withdrawals
 * go in Withdrawn Routes (IPv4) or MP_UNREACH_NLRI (RFC 4760 §4) and are split at the limit — MetalLB's native
 * speaker puts every withdrawal into one UPDATE, which breaks past ~800 /32s. End-of-RIB markers per RFC 4724 §2.
 * Imports only the wire header writer and the prefix keys.
 */
import { AttrFlag, AttrType, HEADER_LENGTH, MessageType, writeHeader } from '../wire/index.js';
import { keyWireLength, writeKey, type PrefixKey } from './prefix-key.js';

/** An attribute set encoded for one outbound group, ready to be copied into every UPDATE that carries it. */
export interface EncodedAttributes {
  /** Encoded attributes whose type code is below MP_REACH_NLRI's (14). */
  readonly head: Uint8Array;
  /** Encoded attributes whose type code is above 14. */
  readonly tail: Uint8Array;
  /**
   * MP_REACH_NLRI's value up to its NLRI (AFI, SAFI, next hop length, next hop, Reserved), or null when the routes
   * go in the NLRI field (IPv4 with NEXT_HOP).
   */
  readonly mpReach: Uint8Array | null;
}

/** Octets of an UPDATE with empty fields: header, two length fields. */
const EMPTY_UPDATE = HEADER_LENGTH + 4;
/** An MP attribute's header with Extended Length: flags, type, 2-octet length. */
const MP_HEADER = 4;

function writeU16(buf: Uint8Array, o: number, n: number): void {
  buf[o] = (n >>> 8) & 0xff;
  buf[o + 1] = n & 0xff;
}

/**
 * Moves into `taken` (cleared first) the first keys of `keys` that fit in `room` octets, deleting them from `keys`;
 * returns the octets they take. `addPath` adds RFC 7911's 4-octet Path Identifier to each.
 */
function takeKeys(keys: Set<PrefixKey>, room: number, addPath: boolean, taken: PrefixKey[]): number {
  taken.length = 0;
  let used = 0;
  const extra = addPath ? 4 : 0;
  for (const k of keys) {
    const size = keyWireLength(k) + extra;
    if (used + size > room) break;
    used += size;
    taken.push(k);
  }
  for (const k of taken) keys.delete(k);
  return used;
}

/**
 * One UPDATE announcing as many of `keys` (all of one family) as fit with `enc`, or null when not even one prefix
 * fits beside the attributes (the set cannot be sent at this size limit). The keys sent are removed from `keys`
 * and left in `taken`. Under ADD-PATH each prefix carries `pathId`.
 */
export function packAnnouncements(
  enc: EncodedAttributes,
  keys: Set<PrefixKey>,
  limit: number,
  pathId: number | undefined,
  taken: PrefixKey[],
): Uint8Array | null {
  const mpLength = enc.mpReach === null ? 0 : MP_HEADER + enc.mpReach.length;
  const fixed = EMPTY_UPDATE + enc.head.length + enc.tail.length + mpLength;
  const used = takeKeys(keys, limit - fixed, pathId !== undefined, taken);
  if (taken.length === 0) return null;
  const total = fixed + used;
  const out = new Uint8Array(total);
  writeHeader(out, 0, total, MessageType.Update);
  let o = HEADER_LENGTH;
  writeU16(out, o, 0);
  o += 2;
  writeU16(out, o, enc.head.length + enc.tail.length + mpLength + (enc.mpReach === null ? 0 : used));
  o += 2;
  out.set(enc.head, o);
  o += enc.head.length;
  if (enc.mpReach !== null) {
    out[o] = AttrFlag.Optional | AttrFlag.ExtendedLength;
    out[o + 1] = AttrType.MpReachNlri;
    writeU16(out, o + 2, enc.mpReach.length + used);
    o += MP_HEADER;
    out.set(enc.mpReach, o);
    o += enc.mpReach.length;
    for (const k of taken) o = writeKey(out, o, k, pathId);
    out.set(enc.tail, o);
  } else {
    out.set(enc.tail, o);
    o += enc.tail.length;
    for (const k of taken) o = writeKey(out, o, k, pathId);
  }
  return out;
}

/**
 * One UPDATE withdrawing as many of `keys` (all of family `afi`, unicast) as fit, removing them from `keys` and
 * leaving them in `taken`. IPv4 uses the Withdrawn Routes field, IPv6 MP_UNREACH_NLRI. Null when `keys` is empty.
 */
export function packWithdrawals(
  keys: Set<PrefixKey>,
  afi: 1 | 2,
  limit: number,
  pathId: number | undefined,
  taken: PrefixKey[],
): Uint8Array | null {
  const fixed = afi === 1 ? EMPTY_UPDATE : EMPTY_UPDATE + MP_HEADER + 3;
  const used = takeKeys(keys, limit - fixed, pathId !== undefined, taken);
  if (taken.length === 0) return null;
  const total = fixed + used;
  const out = new Uint8Array(total);
  writeHeader(out, 0, total, MessageType.Update);
  let o = HEADER_LENGTH;
  if (afi === 1) {
    writeU16(out, o, used);
    o += 2;
    for (const k of taken) o = writeKey(out, o, k, pathId);
    writeU16(out, o, 0);
    return out;
  }
  writeU16(out, o, 0);
  writeU16(out, o + 2, MP_HEADER + 3 + used);
  o += 4;
  out[o] = AttrFlag.Optional | AttrFlag.ExtendedLength;
  out[o + 1] = AttrType.MpUnreachNlri;
  writeU16(out, o + 2, 3 + used);
  writeU16(out, o + 4, afi);
  out[o + 6] = 1;
  o += 7;
  for (const k of taken) o = writeKey(out, o, k, pathId);
  return out;
}

/**
 * RFC 4724 §2 End-of-RIB: for IPv4 unicast an UPDATE with no withdrawn routes, attributes or NLRI; for any other
 * family an UPDATE whose only attribute is an empty MP_UNREACH_NLRI of that family.
 */
export function endOfRib(afi: number, safi: number): Uint8Array {
  if (afi === 1 && safi === 1) {
    const out = new Uint8Array(EMPTY_UPDATE);
    writeHeader(out, 0, EMPTY_UPDATE, MessageType.Update);
    return out;
  }
  const total = EMPTY_UPDATE + 6;
  const out = new Uint8Array(total);
  writeHeader(out, 0, total, MessageType.Update);
  writeU16(out, HEADER_LENGTH + 2, 6);
  const o = HEADER_LENGTH + 4;
  out[o] = AttrFlag.Optional;
  out[o + 1] = AttrType.MpUnreachNlri;
  out[o + 2] = 3;
  writeU16(out, o + 3, afi);
  out[o + 5] = safi;
  return out;
}
