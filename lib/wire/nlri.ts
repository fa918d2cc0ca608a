/**
 * NLRI prefixes: the encoding shared by the Withdrawn Routes and NLRI fields of an UPDATE (RFC 4271 §4.3) and the
 * NLRI of MP_REACH_NLRI / MP_UNREACH_NLRI for IPv4 and IPv6 (RFC 4760 §5), with the RFC 7911 §3 Path Identifier.
 *
 *   +--------------------------------+
 *   | Path Identifier (4 octets)     |   only where ADD-PATH applies to the family in this direction
 *   +--------------------------------+
 *   | Length (1 octet, in bits)      |
 *   +--------------------------------+
 *   | Prefix (ceil(Length/8) octets) |
 *   +--------------------------------+
 *
 * Owns the prefix value codec (`decodePrefixes`, `encodePrefixes`), the allocation-free streaming reader the RIB
 * uses on whole tables (`forEachPrefix`, `prefixKeyIPv4`), the syntax check of RFC 7606 §5.3 (`checkPrefixes`),
 * and CIDR text (`parsePrefix`, `formatPrefix`). Host bits inside the last octet are kept as the wire carried them,
 * so that a decoded prefix re-encodes byte for byte; `maskIPv4` gives the canonical network when a key needs one.
 * Imports only its siblings.
 */
import { Afi } from './constants.js';
import { errors } from './errors.js';
import { formatIPv6, ipv4ToNumber, parseIPv4, parseIPv6 } from './address.js';
import type { Prefix } from './types.js';

/** The longest prefix length the AFI permits (RFC 7606 §5.3: 32 for IPv4, 128 for IPv6). */
export function maxPrefixLength(afi: 1 | 2): number {
  return afi === Afi.IPv4 ? 32 : 128;
}

/**
 * RFC 7606 §5.3: why a Withdrawn Routes field, NLRI field or MP NLRI is "syntactically incorrect", or undefined when
 * it is not — a length beyond the AFI's maximum, or a field whose octets do not end exactly at a prefix boundary.
 * Reads only `buf[start..end)`; the caller guarantees `end <= buf.length`.
 */
export function checkPrefixes(buf: Uint8Array, start: number, end: number, afi: 1 | 2, addPath: boolean): string | undefined {
  const max = afi === Afi.IPv4 ? 32 : 128;
  const head = addPath ? 5 : 1;
  let pos = start;
  while (pos < end) {
    if (end - pos < head) return `truncated prefix at offset ${pos - start}`;
    const length = buf[pos + head - 1] as number;
    if (length > max) return `prefix length ${length} exceeds ${max}`;
    pos += head + ((length + 7) >>> 3);
  }
  if (pos !== end) return `prefix overruns the field by ${pos - end} octets`;
  return undefined;
}

/**
 * Called once per prefix by `forEachPrefix`: `value` is the address as an unsigned 32-bit number for IPv4 and the
 * offset in `buf` of the first address octet for IPv6; `pathId` is the RFC 7911 Path Identifier, 0 without
 * ADD-PATH; `offset` is always the offset of the first address octet (ceil(length/8) octets follow).
 */
export type PrefixVisitor = (value: number, length: number, pathId: number, offset: number) => void;

/**
 * Streams the prefixes of `buf[start..end)` without allocating: checks the whole field first (RFC 7606 §5.3, so a
 * malformed field never half-applies), then calls `fn` per prefix. Returns the number of prefixes.
 * Throws BgpError UPDATE Message Error / Invalid Network Field when the field is syntactically incorrect; the
 * range itself must lie within `buf` (a caller error otherwise, reported the same way).
 */
export function forEachPrefix(
  buf: Uint8Array,
  start: number,
  end: number,
  afi: 1 | 2,
  addPath: boolean,
  fn: PrefixVisitor,
): number {
  if (start < 0 || end > buf.length || start > end) throw errors.invalidNetworkField(`field [${start}, ${end}) outside the message`);
  const problem = checkPrefixes(buf, start, end, afi, addPath);
  if (problem !== undefined) throw errors.invalidNetworkField(problem);
  let count = 0;
  let pos = start;
  while (pos < end) {
    let pathId = 0;
    if (addPath) {
      pathId = ipv4ToNumber(buf, pos);
      pos += 4;
    }
    const length = buf[pos] as number;
    const octets = (length + 7) >>> 3;
    const at = pos + 1;
    fn(afi === Afi.IPv4 ? readIPv4(buf, at, octets) : at, length, pathId, at);
    pos = at + octets;
    count++;
  }
  return count;
}

/** The RIB's one-number key of an IPv4 prefix: `length * 2**32 + address` (exact in a double: < 2**38). */
export function prefixKeyIPv4(addr: number, length: number): number {
  return length * 4294967296 + addr;
}

/** The network address of `addr/length` with every host bit cleared. */
export function maskIPv4(addr: number, length: number): number {
  return length === 0 ? 0 : (addr & (0xffffffff << (32 - length))) >>> 0;
}

/** Up to 4 octets at `at` as the high-order bytes of an unsigned 32-bit address. */
function readIPv4(buf: Uint8Array, at: number, octets: number): number {
  let addr = 0;
  for (let i = 0; i < 4; i++) addr = addr * 256 + (i < octets ? (buf[at + i] as number) : 0);
  return addr;
}

/** "0" … "255": the octets of dotted quads without a number-to-string conversion per octet. */
const DECIMAL: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** Scratch for IPv6 prefixes, which carry fewer than 16 octets; formatted at once, so one buffer serves all. */
const scratch16 = new Uint8Array(16);

/** Decodes a prefix field that `checkPrefixes` accepted (no checks of its own). */
function readPrefixes(buf: Uint8Array, start: number, end: number, afi: 1 | 2, addPath: boolean): Prefix[] {
  const out: Prefix[] = [];
  let pos = start;
  while (pos < end) {
    let pathId = -1;
    if (addPath) {
      pathId = ipv4ToNumber(buf, pos);
      pos += 4;
    }
    const length = buf[pos] as number;
    const octets = (length + 7) >>> 3;
    const at = pos + 1;
    let address: string;
    if (afi === Afi.IPv4) {
      address =
        (octets > 0 ? (DECIMAL[buf[at] as number] as string) : '0') +
        '.' +
        (octets > 1 ? (DECIMAL[buf[at + 1] as number] as string) : '0') +
        '.' +
        (octets > 2 ? (DECIMAL[buf[at + 2] as number] as string) : '0') +
        '.' +
        (octets > 3 ? (DECIMAL[buf[at + 3] as number] as string) : '0');
    } else {
      scratch16.fill(0);
      scratch16.set(buf.subarray(at, at + octets));
      address = formatIPv6(scratch16, 0);
    }
    out.push(pathId < 0 ? { afi, address, length } : { afi, address, length, pathId });
    pos = at + octets;
  }
  return out;
}

/**
 * Decodes a prefix field, or returns why it is syntactically incorrect (RFC 7606 §5.3) — for callers that report
 * the error their own way (MP_REACH_NLRI / MP_UNREACH_NLRI: Optional Attribute Error).
 */
export function tryDecodePrefixes(buf: Uint8Array, start: number, end: number, afi: 1 | 2, addPath: boolean): Prefix[] | string {
  if (start < 0 || end > buf.length || start > end) return `field [${start}, ${end}) outside the message`;
  return checkPrefixes(buf, start, end, afi, addPath) ?? readPrefixes(buf, start, end, afi, addPath);
}

/** Decodes a Withdrawn Routes or NLRI field; throws BgpError Invalid Network Field (RFC 4271 §6.3) when malformed. */
export function decodePrefixes(buf: Uint8Array, start: number, end: number, afi: 1 | 2, addPath: boolean): Prefix[] {
  if (start < 0 || end > buf.length || start > end) throw errors.invalidNetworkField(`field [${start}, ${end}) outside the message`);
  const problem = checkPrefixes(buf, start, end, afi, addPath);
  if (problem !== undefined) throw errors.invalidNetworkField(problem);
  return readPrefixes(buf, start, end, afi, addPath);
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding (values built by the caller: a bad address is a TypeError, a bad length a RangeError)

/** The octets `p` takes on the wire. */
export function prefixEncodingLength(p: Prefix, addPath: boolean): number {
  return (addPath ? 5 : 1) + ((p.length + 7) >>> 3);
}

function checkPrefixValue(p: Prefix, afi: 1 | 2): void {
  if (p.afi !== afi) throw new TypeError(`prefix ${p.address}/${p.length}: AFI ${p.afi} in a field of AFI ${afi}`);
  if (!Number.isInteger(p.length) || p.length < 0 || p.length > maxPrefixLength(afi)) {
    throw new RangeError(`prefix ${p.address}/${p.length}: length out of range`);
  }
}

const scratch4 = new Uint8Array(4);

/**
 * Parses a dotted quad into `out[offset..offset+4)` without regex, splitting or allocation (the encoders' hot
 * path); returns false, leaving `out` partly written, when `text` is not one.
 */
export function ipv4OctetsInto(text: string, out: Uint8Array, offset = 0): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || part === 3) return false;
      out[offset + part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      value = value * 10 + (c - 0x30);
      if (++digits > 3 || value > 255) return false;
    } else {
      return false;
    }
  }
  if (part !== 3 || digits === 0) return false;
  out[offset + 3] = value;
  return true;
}

/** Writes `p` at `offset` and returns the offset after it. `pathId` defaults to 0 under ADD-PATH. */
export function writePrefix(buf: Uint8Array, offset: number, p: Prefix, afi: 1 | 2, addPath: boolean): number {
  checkPrefixValue(p, afi);
  let o = offset;
  if (addPath) o = writeU32(buf, o, p.pathId ?? 0);
  const octets = (p.length + 7) >>> 3;
  buf[o++] = p.length;
  if (afi === Afi.IPv4) {
    if (!ipv4OctetsInto(p.address, scratch4)) throw new TypeError(`prefix ${p.address}/${p.length}: not an IPv4 address`);
    for (let i = 0; i < octets; i++) buf[o + i] = scratch4[i] as number;
  } else {
    const bytes = parseIPv6(p.address);
    if (!bytes) throw new TypeError(`prefix ${p.address}/${p.length}: not an IPv6 address`);
    buf.set(bytes.subarray(0, octets), o);
  }
  return o + octets;
}

/** The packer's fast path: writes the IPv4 prefix `addr/length` (no text) and returns the offset after it. */
export function writePrefixIPv4(buf: Uint8Array, offset: number, addr: number, length: number, pathId?: number): number {
  let o = offset;
  if (pathId !== undefined) o = writeU32(buf, o, pathId);
  buf[o++] = length;
  const octets = (length + 7) >>> 3;
  for (let i = 0; i < octets; i++) buf[o++] = (addr >>> (24 - 8 * i)) & 0xff;
  return o;
}

function writeU32(buf: Uint8Array, o: number, n: number): number {
  buf[o] = (n >>> 24) & 0xff;
  buf[o + 1] = (n >>> 16) & 0xff;
  buf[o + 2] = (n >>> 8) & 0xff;
  buf[o + 3] = n & 0xff;
  return o + 4;
}

/** The octets a prefix field of `prefixes` takes on the wire. */
export function prefixesEncodingLength(prefixes: readonly Prefix[], addPath: boolean): number {
  let size = 0;
  for (const p of prefixes) size += (addPath ? 5 : 1) + ((p.length + 7) >>> 3);
  return size;
}

/** Writes a prefix field of one AFI at `offset` and returns the offset after it. */
export function writePrefixes(buf: Uint8Array, offset: number, prefixes: readonly Prefix[], afi: 1 | 2, addPath: boolean): number {
  let o = offset;
  for (const p of prefixes) o = writePrefix(buf, o, p, afi, addPath);
  return o;
}

/** Encodes a prefix field of one AFI. */
export function encodePrefixes(prefixes: readonly Prefix[], afi: 1 | 2, addPath: boolean): Uint8Array {
  const out = new Uint8Array(prefixesEncodingLength(prefixes, addPath));
  writePrefixes(out, 0, prefixes, afi, addPath);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Text

/**
 * Parses CIDR text (`10.8.0.0/24`, `2001:db8::/32`; a bare address is a host prefix) into a Prefix. The address
 * keeps the octets a wire encoding would carry (ceil(length/8)); octets past them are cleared. Throws a TypeError
 * on anything else.
 */
export function parsePrefix(text: string, pathId?: number): Prefix {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const v4 = parseIPv4(addrText);
  const bytes = v4 ?? parseIPv6(addrText);
  if (!bytes) throw new TypeError(`not a prefix: ${JSON.stringify(text)}`);
  const afi: 1 | 2 = v4 ? 1 : 2;
  const max = maxPrefixLength(afi);
  let length = max;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > max) throw new TypeError(`not a prefix: ${JSON.stringify(text)}`);
    length = Number(lenText);
  }
  bytes.fill(0, (length + 7) >>> 3);
  const address = afi === 1 ? `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}` : formatIPv6(bytes, 0);
  return pathId === undefined ? { afi, address, length } : { afi, address, length, pathId };
}

/** CIDR text of a prefix: `10.8.0.0/24`. */
export function formatPrefix(p: Prefix): string {
  return `${p.address}/${p.length}`;
}
