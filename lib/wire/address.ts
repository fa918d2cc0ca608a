/**
 * IPv4 and IPv6 addresses between text and octets, for the codec.
 *
 * The codec formats addresses it decodes (next hops, identifiers, prefixes) and parses the ones it encodes; it must
 * not depend on an address library (this is the hot path) and must never throw anything but a `TypeError`
 * on text that is not an address — which only happens on the encode side, with values the caller built.
 * IPv6 text follows RFC 5952 (lowercase, longest run of zero groups compressed, no compression of a single group).
 */

/** Formats 4 octets at `offset` as a dotted quad. The caller checks bounds. */
export function formatIPv4(buf: Uint8Array, offset = 0): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

/** Formats 16 octets at `offset` per RFC 5952. The caller checks bounds. */
export function formatIPv6(buf: Uint8Array, offset = 0): string {
  const groups = new Array<number>(8);
  for (let i = 0; i < 8; i++) groups[i] = ((buf[offset + 2 * i] ?? 0) << 8) | (buf[offset + 2 * i + 1] ?? 0);
  // RFC 5952 §4.2: compress the longest run of two or more zero groups (the first one on a tie).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  // RFC 5952 §5: an IPv4-mapped address keeps its IPv4 tail in dotted form.
  if (bestStart === 0 && bestLen === 5 && groups[5] === 0xffff) {
    return `::ffff:${formatIPv4(buf, offset + 12)}`;
  }
  const hex = (from: number, to: number): string =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

/** Parses a dotted quad into 4 octets, or returns undefined. */
export function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

/** Parses an IPv6 address (with `::` and an optional dotted IPv4 tail) into 16 octets, or returns undefined. */
export function parseIPv6(text: string): Uint8Array | undefined {
  const zone = text.indexOf('%');
  const s = zone >= 0 ? text.slice(0, zone) : text;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const g = items[i] as string;
      if (i === items.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (!v4) return undefined;
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const head = parseGroups(halves[0] as string);
  const tail = halves.length === 2 ? parseGroups(halves[1] as string) : [];
  if (!head || !tail) return undefined;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const groups = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = ((groups[i] as number) >> 8) & 0xff;
    out[2 * i + 1] = (groups[i] as number) & 0xff;
  }
  return out;
}

/** Parses a dotted quad, throwing a TypeError naming the field when it is not one (encode side only). */
export function ipv4Bytes(text: string, field: string): Uint8Array {
  const b = parseIPv4(text);
  if (!b) throw new TypeError(`${field}: not an IPv4 address: ${JSON.stringify(text)}`);
  return b;
}

/** Parses an IPv6 address, throwing a TypeError naming the field when it is not one (encode side only). */
export function ipv6Bytes(text: string, field: string): Uint8Array {
  const b = parseIPv6(text);
  if (!b) throw new TypeError(`${field}: not an IPv6 address: ${JSON.stringify(text)}`);
  return b;
}

/** An IPv4 address as an unsigned 32-bit number (the RIB's key), from 4 octets at `offset`. */
export function ipv4ToNumber(buf: Uint8Array, offset = 0): number {
  return (
    (((buf[offset] as number) << 24) | ((buf[offset + 1] as number) << 16) | ((buf[offset + 2] as number) << 8) | (buf[offset + 3] as number)) >>> 0
  );
}

/** A dotted quad from an unsigned 32-bit number. */
export function numberToIPv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}
