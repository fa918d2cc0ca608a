/**
 * UPDATE packing: whole messages (header included) built straight from prefix keys, as many routes per message as
 * the size limit allows — RFC 4271 §4.1's 4096 octets, or 65535 with RFC 8654 extended messages.
 *
 *   UPDATE: header (19) | Withdrawn Routes Length (2) | Withdrawn Routes | Total Path Attribute Length (2) |
 *           Path Attributes | NLRI
 *
 * Announcements share one pre-encoded attribute block (`Encoding`, encoded once per set and outbound group — for
 * a 4-octet-AS group it is the set's canonical encoding itself): IPv4 routes go in the NLRI field; other families
 * in an MP_REACH_NLRI attribute (RFC 4760 §3) placed between the attributes below and above type 14, so the
 * message keeps RFC 4271 §5's ascending order. Withdrawals go in Withdrawn Routes (IPv4) or MP_UNREACH_NLRI
 * (RFC 4760 §4) and are split at the limit — MetalLB's native speaker puts every withdrawal into one UPDATE, which
 * breaks past ~800 /32s. The Adj-RIB-Out chooses which prefixes fit (`fixedLength`); this file writes the octets.
 * End-of-RIB markers per RFC 4724 §2. Imports only the wire header writer and the prefix index.
 */
import { AttrFlag, AttrType, HEADER_LENGTH, MessageType, writeHeader } from '../wire/index.js';
import type { PrefixIndex } from './prefix-index.js';

/** Octets of an UPDATE with empty fields: header, two length fields. */
const EMPTY_UPDATE = HEADER_LENGTH + 4;
/** An MP attribute's header with Extended Length: flags, type, 2-octet length. */
const MP_HEADER = 4;

/**
 * An attribute set encoded for one outbound group, as three ranges of `bytes`: the attributes whose type code is
 * below MP_REACH_NLRI's (14), MP_REACH_NLRI's value up to its NLRI (AFI, SAFI, next hop, Reserved; empty when the
 * routes go in the NLRI field), and the attributes above 14.
 */
export class Encoding {
  bytes: Uint8Array = new Uint8Array(0);
  headStart = 0;
  headEnd = 0;
  mpStart = 0;
  mpEnd = 0;
  tailStart = 0;
  tailEnd = 0;

  get hasMpReach(): boolean {
    return this.mpEnd > this.mpStart;
  }

  /** Octets of an UPDATE carrying these attributes and no prefix. */
  get fixedLength(): number {
    const mp = this.hasMpReach ? MP_HEADER + this.mpEnd - this.mpStart : 0;
    return EMPTY_UPDATE + this.headEnd - this.headStart + this.tailEnd - this.tailStart + mp;
  }
}

/** RFC 4271 §4.1 header of an UPDATE of `total` octets at `o` (a loop: `Buffer#fill` is slow for 16 octets). */
function writeUpdateHeader(out: Uint8Array, o: number, total: number): void {
  for (let i = 0; i < 16; i++) out[o + i] = 0xff;
  out[o + 16] = total >>> 8;
  out[o + 17] = total & 0xff;
  out[o + 18] = MessageType.Update;
}

function writeU16(buf: Uint8Array, o: number, n: number): void {
  buf[o] = (n >>> 8) & 0xff;
  buf[o + 1] = n & 0xff;
}

/** Octets the prefixes `ids[0..n)` take, with a 4-octet Path Identifier each when `pathId` ≥ 0. */
function prefixOctets(prefixes: PrefixIndex, ids: Int32Array, n: number, pathId: number): number {
  let used = pathId >= 0 ? 4 * n : 0;
  for (let i = 0; i < n; i++) used += prefixes.wireLength(ids[i] as number);
  return used;
}

/**
 * Writes at `out[o..]` one UPDATE announcing the prefixes `ids[0..n)` (all of one family, chosen to fit) with
 * `enc`; returns the offset after it. Under ADD-PATH (`pathId` ≥ 0) each prefix carries that Path Identifier. The
 * caller made room for `enc.fixedLength` plus the prefixes.
 */
export function writeAnnouncement(out: Uint8Array, o: number, enc: Encoding, prefixes: PrefixIndex, ids: Int32Array, n: number, pathId: number): number {
  const used = prefixOctets(prefixes, ids, n, pathId);
  const total = enc.fixedLength + used;
  writeUpdateHeader(out, o, total);
  o += HEADER_LENGTH;
  writeU16(out, o, 0);
  o += 2;
  const mpValue = enc.mpEnd - enc.mpStart;
  writeU16(out, o, total - EMPTY_UPDATE - (enc.hasMpReach ? 0 : used));
  o += 2;
  o = copy(out, o, enc.bytes, enc.headStart, enc.headEnd);
  if (enc.hasMpReach) {
    out[o] = AttrFlag.Optional | AttrFlag.ExtendedLength;
    out[o + 1] = AttrType.MpReachNlri;
    writeU16(out, o + 2, mpValue + used);
    o = copy(out, o + MP_HEADER, enc.bytes, enc.mpStart, enc.mpEnd);
    for (let i = 0; i < n; i++) o = prefixes.write(out, o, ids[i] as number, pathId);
    return copy(out, o, enc.bytes, enc.tailStart, enc.tailEnd);
  }
  o = copy(out, o, enc.bytes, enc.tailStart, enc.tailEnd);
  for (let i = 0; i < n; i++) o = prefixes.write(out, o, ids[i] as number, pathId);
  return o;
}

/**
 * Writes at `out[o..]` one UPDATE withdrawing the prefixes `ids[0..n)` (all of family `afi`, unicast, chosen to
 * fit): IPv4 in the Withdrawn Routes field, IPv6 in MP_UNREACH_NLRI. Returns the offset after it.
 */
export function writeWithdrawal(out: Uint8Array, o: number, prefixes: PrefixIndex, ids: Int32Array, n: number, afi: 1 | 2, pathId: number): number {
  const used = prefixOctets(prefixes, ids, n, pathId);
  const total = (afi === 1 ? EMPTY_UPDATE : EMPTY_UPDATE + MP_HEADER + 3) + used;
  writeUpdateHeader(out, o, total);
  o += HEADER_LENGTH;
  if (afi === 1) {
    writeU16(out, o, used);
    o += 2;
    for (let i = 0; i < n; i++) o = prefixes.write(out, o, ids[i] as number, pathId);
    writeU16(out, o, 0);
    return o + 2;
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
  for (let i = 0; i < n; i++) o = prefixes.write(out, o, ids[i] as number, pathId);
  return o;
}

/** Octets of an UPDATE withdrawing nothing yet, per family: what `writeWithdrawal` adds to the prefixes. */
export function withdrawalOverhead(afi: 1 | 2): number {
  return afi === 1 ? EMPTY_UPDATE : EMPTY_UPDATE + MP_HEADER + 3;
}

function copy(out: Uint8Array, o: number, src: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) out[o++] = src[i] as number;
  return o;
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
