/**
 * IP address arithmetic for pools: addresses as `bigint` (exact for all 128 bits of IPv6, and for every prefix
 * length /0../32 and /0../128), CIDRs, ranges summarised into CIDRs as MetalLB does (`10.8.0.10-10.8.0.20` →
 * `10.8.0.10/31, 10.8.0.12/30, 10.8.0.16/30, 10.8.0.20/32`), containment and overlap.
 *
 * Text is parsed and printed by the codec's own address functions (lib/wire/address.ts: RFC 5952 output), so a
 * prefix printed here is byte-for-byte the prefix the RIB prints. Zone indices (`fe80::1%eth0`) are refused: a
 * pool address or a peer address is global to the node.
 */
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../wire/index.js';

/** 1 = IPv4, 2 = IPv6 (as in `Prefix.afi`). */
export type Afi = 1 | 2;

export interface IpAddress {
  readonly afi: Afi;
  readonly value: bigint;
}

/** A CIDR block: `first` is its network address (host bits clear). */
export interface Cidr {
  readonly afi: Afi;
  readonly first: bigint;
  readonly length: number;
}

export function addressBits(afi: Afi): 32 | 128 {
  return afi === 1 ? 32 : 128;
}

function bytesToBigint(b: Uint8Array): bigint {
  let v = 0n;
  for (const octet of b) v = (v << 8n) | BigInt(octet);
  return v;
}

function bigintToBytes(v: bigint, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** An IPv4 dotted quad or an IPv6 address (no zone), else undefined. */
export function parseAddress(text: string): IpAddress | undefined {
  const t = text.trim();
  const v4 = parseIPv4(t);
  if (v4) return { afi: 1, value: bytesToBigint(v4) };
  if (t.includes('%')) return undefined;
  const v6 = parseIPv6(t);
  if (v6) return { afi: 2, value: bytesToBigint(v6) };
  return undefined;
}

/** Dotted quad, or RFC 5952 text. */
export function formatAddress(a: IpAddress): string {
  return a.afi === 1 ? formatIPv4(bigintToBytes(a.value, 4)) : formatIPv6(bigintToBytes(a.value, 16));
}

/** Canonical text of an address given as text (`2001:DB8::0:1` → `2001:db8::1`), or undefined. */
export function canonicalAddress(text: string): string | undefined {
  const a = parseAddress(text);
  return a ? formatAddress(a) : undefined;
}

export function cidrText(c: Cidr): string {
  return `${formatAddress({ afi: c.afi, value: c.first })}/${c.length}`;
}

/** The number of addresses in a block. */
export function cidrSize(c: Cidr): bigint {
  return 1n << BigInt(addressBits(c.afi) - c.length);
}

export function cidrLast(c: Cidr): bigint {
  return c.first + cidrSize(c) - 1n;
}

export function cidrContains(c: Cidr, a: IpAddress): boolean {
  return c.afi === a.afi && a.value >= c.first && a.value <= cidrLast(c);
}

/** Two blocks overlap exactly when one contains the other's network address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.afi === b.afi && a.first <= cidrLast(b) && b.first <= cidrLast(a);
}

/** `address` masked to `length` bits. */
export function maskAddress(a: IpAddress, length: number): bigint {
  const host = BigInt(addressBits(a.afi) - length);
  return (a.value >> host) << host;
}

/**
 * `10.8.0.0/16` → the block. Host bits set (`10.8.0.5/16`) are cleared as Go's `net.ParseCIDR` does for MetalLB;
 * `hostBits` tells the caller so it can warn. A message when the text is not a CIDR.
 */
export function parseCidr(text: string): { cidr: Cidr; hostBits: boolean } | string {
  const slash = text.indexOf('/');
  if (slash < 0) return `not a CIDR (address/length): ${JSON.stringify(text)}`;
  const a = parseAddress(text.slice(0, slash));
  if (!a) return `not an IP address: ${JSON.stringify(text.slice(0, slash))}`;
  const lenText = text.slice(slash + 1).trim();
  const bits = addressBits(a.afi);
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > bits) return `prefix length must be 0..${bits}, got ${JSON.stringify(lenText)}`;
  const length = Number(lenText);
  const first = maskAddress(a, length);
  return { cidr: { afi: a.afi, first, length }, hostBits: first !== a.value };
}

/** The fewest CIDR blocks covering exactly `start..end` (inclusive, same family), in address order. */
export function summarizeRange(afi: Afi, start: bigint, end: bigint): Cidr[] {
  const bits = addressBits(afi);
  const out: Cidr[] = [];
  let cur = start;
  while (cur <= end) {
    // The largest aligned block starting at `cur`: as many trailing zero bits as it has, but not past `end`.
    let host = 0;
    while (host < bits && ((cur >> BigInt(host)) & 1n) === 0n) host++;
    while (cur + (1n << BigInt(host)) - 1n > end) host--;
    out.push({ afi, first: cur, length: bits - host });
    cur += 1n << BigInt(host);
  }
  return out;
}

/**
 * One entry of a pool's `addresses`: a CIDR or a range `first-last` (spaces around the dash allowed), as blocks.
 * A message when it is neither, or when a range runs backwards or mixes families.
 */
export function parsePoolAddresses(text: string): { cidrs: Cidr[]; hostBits: boolean } | string {
  if (!text.includes('-')) {
    const r = parseCidr(text);
    return typeof r === 'string' ? r : { cidrs: [r.cidr], hostBits: r.hostBits };
  }
  const dash = text.indexOf('-');
  const startText = text.slice(0, dash).trim();
  const endText = text.slice(dash + 1).trim();
  const start = parseAddress(startText);
  if (!start) return `invalid range: start ${JSON.stringify(startText)} is not an IP address`;
  const end = parseAddress(endText);
  if (!end) return `invalid range: end ${JSON.stringify(endText)} is not an IP address`;
  if (start.afi !== end.afi) return `invalid range: ${startText} and ${endText} are of different families`;
  if (start.value > end.value) return `invalid range: start ${startText} is after end ${endText}`;
  return { cidrs: summarizeRange(start.afi, start.value, end.value), hostBits: false };
}

/** MetalLB's `avoidBuggyIPs`: an IPv4 address ending in .0 or .255 (smurf protection in old CPE drops them). */
export function isBuggyIPv4(a: IpAddress): boolean {
  if (a.afi !== 1) return false;
  const last = a.value & 0xffn;
  return last === 0n || last === 0xffn;
}

/** How many addresses of a block are usable: all, or without the .0/.255 ones when `avoidBuggyIPs`. */
export function usableCount(c: Cidr, avoidBuggyIPs: boolean): bigint {
  const size = cidrSize(c);
  if (!avoidBuggyIPs || c.afi !== 1) return size;
  // A pair per /24 for blocks of /24 or larger; for smaller ones the first and the last may be buggy.
  if (c.length <= 24) return size - (size / 256n) * 2n;
  let n = size;
  if (isBuggyIPv4({ afi: 1, value: c.first })) n--;
  if (size > 1n && isBuggyIPv4({ afi: 1, value: cidrLast(c) })) n--;
  return n;
}
