/**
 * Addresses and prefixes as numbers, for the prefix matching of policy.
 *
 * An IPv4 address is one unsigned 32-bit number, an IPv6 address four of them (most significant first); a prefix
 * of length L covers an address when the first L bits agree. Configuration text is parsed once, strictly, with the
 * codec's address parsers; route prefixes are parsed on every evaluation, so IPv4 text has its own allocation-free
 * parser. Nothing here throws on bad input: parsers return `undefined` (config) or -1 (hot path).
 *
 * Imports only the codec's address helpers.
 */
import { formatIPv6, numberToIPv4, parseIPv4, parseIPv6 } from '../wire/index.js';
import type { AddressFamily } from './types.js';

/** A configured prefix: address bits (host bits cleared) as 1 or 4 words, and its length. */
export interface NumericPrefix {
  readonly afi: AddressFamily;
  readonly words: readonly number[];
  readonly length: number;
  /** `address/length` with host bits cleared, RFC 5952 text for IPv6. */
  readonly text: string;
  /** The configured text had bits set beyond the length (FRR masks them and says so). */
  readonly hostBitsCleared: boolean;
}

export const MAX_LENGTH: Readonly<Record<AddressFamily, number>> = { 1: 32, 2: 128 };

/** The mask of word `i` (0-based, 32 bits each) for a prefix length. */
export function wordMask(length: number, i: number): number {
  const bits = length - 32 * i;
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

function bytesToWords(b: Uint8Array): number[] {
  const words: number[] = [];
  for (let i = 0; i < b.length; i += 4) {
    words.push((((b[i] as number) << 24) | ((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number)) >>> 0);
  }
  return words;
}

function wordsToBytes(words: readonly number[]): Uint8Array {
  const b = new Uint8Array(words.length * 4);
  words.forEach((w, i) => {
    b[4 * i] = w >>> 24;
    b[4 * i + 1] = (w >>> 16) & 0xff;
    b[4 * i + 2] = (w >>> 8) & 0xff;
    b[4 * i + 3] = w & 0xff;
  });
  return b;
}

/** Parses an address of either family into words, or undefined. */
export function parseAddressWords(text: string): { afi: AddressFamily; words: number[] } | undefined {
  const v4 = parseIPv4(text);
  if (v4) return { afi: 1, words: bytesToWords(v4) };
  if (!text.includes(':') || text.includes('%')) return undefined;
  const v6 = parseIPv6(text);
  return v6 ? { afi: 2, words: bytesToWords(v6) } : undefined;
}

/** Parses `address/length` of either family (optionally only `afi`), clearing host bits. */
export function parseCidr(text: string, afi?: AddressFamily): NumericPrefix | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return undefined;
  const addr = parseAddressWords(text.slice(0, slash));
  if (!addr || (afi !== undefined && addr.afi !== afi)) return undefined;
  const length = Number(lenText);
  if (length > MAX_LENGTH[addr.afi]) return undefined;
  let hostBitsCleared = false;
  const words = addr.words.map((w, i) => {
    const masked = (w & wordMask(length, i)) >>> 0;
    if (masked !== w) hostBitsCleared = true;
    return masked;
  });
  const address = addr.afi === 1 ? numberToIPv4(words[0] as number) : formatIPv6(wordsToBytes(words));
  return { afi: addr.afi, words, length, text: `${address}/${length}`, hostBitsCleared };
}

/** The normalised text of an address (RFC 5952 for IPv6), or undefined when it is not one. */
export function normaliseAddress(text: string): string | undefined {
  const addr = parseAddressWords(text);
  if (!addr) return undefined;
  return addr.afi === 1 ? numberToIPv4(addr.words[0] as number) : formatIPv6(wordsToBytes(addr.words));
}

/**
 * A dotted quad as an unsigned number, or -1. Hot path: no allocation, no regular expression. Leading zeros are
 * accepted (the codec never prints them, and a route's text comes from the codec).
 */
export function ipv4TextToNumber(text: string): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + octet;
}

/** Fills `out` with the four words of an IPv6 address; false when the text is not one. */
export function ipv6TextToWords(text: string, out: number[]): boolean {
  const b = parseIPv6(text);
  if (!b || text.includes('%')) return false;
  for (let i = 0; i < 4; i++) {
    out[i] = (((b[4 * i] as number) << 24) | ((b[4 * i + 1] as number) << 16) | ((b[4 * i + 2] as number) << 8) | (b[4 * i + 3] as number)) >>> 0;
  }
  return true;
}
