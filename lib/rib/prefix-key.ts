/**
 * Prefix keys: the one value per prefix that every RIB table is keyed by.
 *
 * IPv4 unicast prefixes are one number, `length * 2**32 + network` (exact in a double), so a full table of a million
 * routes costs no strings and no objects per key. IPv6 prefixes are a short string: one character for the length,
 * then one character per significant octet of the network (at most 17 characters). Host bits are cleared, so
 * `10.0.0.1/24` and `10.0.0.0/24` are the same route, as RFC 4271 §9.1 treats a prefix as a destination.
 * The family of a key is its JavaScript type. Text and `Prefix` objects are made only for policy and `show`.
 * Imports only the wire codec's address and NLRI helpers.
 */
import { formatIPv6, ipv4ToNumber, maskIPv4, numberToIPv4, parseIPv4, parseIPv6, prefixKeyIPv4, type Prefix } from '../wire/index.js';

/** An IPv4 key (number) or an IPv6 key (string). */
export type PrefixKey = number | string;

const TWO_32 = 4294967296;

/** The key of the IPv4 prefix `addr/length`, host bits cleared. */
export function ipv4Key(addr: number, length: number): number {
  return prefixKeyIPv4(maskIPv4(addr, length), length);
}

/**
 * The key of the IPv6 prefix whose `ceil(length/8)` address octets start at `buf[offset]` (the layout of NLRI).
 * The caller has checked the octets lie within `buf` and `length <= 128`.
 */
export function ipv6Key(buf: Uint8Array, offset: number, length: number): string {
  const octets = (length + 7) >>> 3;
  let key = String.fromCharCode(length);
  for (let i = 0; i < octets; i++) {
    let b = buf[offset + i] as number;
    // Clear the host bits of the last, partly used octet.
    if (i === octets - 1 && (length & 7) !== 0) b &= (0xff << (8 - (length & 7))) & 0xff;
    key += String.fromCharCode(b);
  }
  return key;
}

/** The key of a `Prefix`, or undefined when its address or length is not valid for its AFI. */
export function prefixKey(p: Prefix): PrefixKey | undefined {
  if (!Number.isInteger(p.length) || p.length < 0) return undefined;
  if (p.afi === 1) {
    const b = parseIPv4(p.address);
    if (!b || p.length > 32) return undefined;
    return ipv4Key(ipv4ToNumber(b, 0), p.length);
  }
  const b = parseIPv6(p.address);
  if (!b || p.length > 128) return undefined;
  return ipv6Key(b, 0, p.length);
}

/** 1 for an IPv4 key, 2 for an IPv6 key. */
export function keyAfi(key: PrefixKey): 1 | 2 {
  return typeof key === 'number' ? 1 : 2;
}

/** The prefix length of a key. */
export function keyLength(key: PrefixKey): number {
  return typeof key === 'number' ? Math.floor(key / TWO_32) : key.charCodeAt(0);
}

/** The octets the prefix takes in an NLRI or Withdrawn Routes field: length octet plus address octets. */
export function keyWireLength(key: PrefixKey): number {
  return typeof key === 'number' ? 1 + ((Math.floor(key / TWO_32) + 7) >>> 3) : key.length;
}

/**
 * Writes the prefix of `key` in NLRI form at `offset` (with a 4-octet RFC 7911 Path Identifier first when `pathId`
 * is given) and returns the offset after it. The caller sized `buf`.
 */
export function writeKey(buf: Uint8Array, offset: number, key: PrefixKey, pathId?: number): number {
  let o = offset;
  if (pathId !== undefined) {
    buf[o++] = (pathId >>> 24) & 0xff;
    buf[o++] = (pathId >>> 16) & 0xff;
    buf[o++] = (pathId >>> 8) & 0xff;
    buf[o++] = pathId & 0xff;
  }
  if (typeof key === 'number') {
    const length = Math.floor(key / TWO_32);
    const addr = key - length * TWO_32;
    buf[o++] = length;
    const octets = (length + 7) >>> 3;
    for (let i = 0; i < octets; i++) buf[o++] = (addr >>> (24 - 8 * i)) & 0xff;
    return o;
  }
  for (let i = 0; i < key.length; i++) buf[o++] = key.charCodeAt(i);
  return o;
}

/** The `Prefix` value of a key (network address, no Path Identifier). */
export function keyToPrefix(key: PrefixKey): Prefix {
  if (typeof key === 'number') {
    const length = Math.floor(key / TWO_32);
    return { afi: 1, address: numberToIPv4(key - length * TWO_32), length };
  }
  const bytes = new Uint8Array(16);
  for (let i = 1; i < key.length; i++) bytes[i - 1] = key.charCodeAt(i);
  return { afi: 2, address: formatIPv6(bytes, 0), length: key.charCodeAt(0) };
}

/** CIDR text of a key: `10.8.0.0/32`, `2001:db8::/64`. */
export function formatKey(key: PrefixKey): string {
  const p = keyToPrefix(key);
  return `${p.address}/${p.length}`;
}
