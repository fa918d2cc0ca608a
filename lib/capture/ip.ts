/**
 * IPv4 (RFC 791) and IPv6 (RFC 8200) header decoding, down to the transport payload, and address text
 * (dotted quad; RFC 5952 canonical IPv6).
 *
 * Only what TCP reassembly needs is extracted: addresses, the upper-layer protocol and the payload bounded by the
 * header's own length field (so Ethernet padding and trailing FCS bytes are not mistaken for data). A length of 0
 * — a TSO/GSO super-packet captured on the sending host, or an IPv6 jumbogram — means "to the end of the frame".
 * Fragments are not reassembled: BGP speakers do not fragment on the segments we care about (PMTU discovery,
 * DF set), so every fragment, first or not, is ignored and shows up downstream as a TCP gap.
 * IPv6 extension headers hop-by-hop (0), routing (43), destination options (60) and AH (51) are skipped;
 * a fragment header (44) drops the packet.
 */

/** The parts of an IP packet TCP reassembly needs. */
export interface IpPacket {
  readonly version: 4 | 6;
  /** Source address as text: dotted quad, or RFC 5952 IPv6. */
  readonly src: string;
  readonly dst: string;
  /** IPv4 Protocol / final IPv6 Next Header (6 = TCP). */
  readonly protocol: number;
  /** Upper-layer payload, bounded by the IP length field and the captured bytes (a view, not a copy). */
  readonly payload: Uint8Array;
}

const IPV4_MIN_HEADER = 20;
const IPV4_MORE_FRAGMENTS = 0x2000;
const IPV4_FRAGMENT_OFFSET_MASK = 0x1fff;
const IPV6_HEADER = 40;

const NEXT_HEADER_HOP_BY_HOP = 0;
const NEXT_HEADER_ROUTING = 43;
const NEXT_HEADER_FRAGMENT = 44;
const NEXT_HEADER_AH = 51;
const NEXT_HEADER_DESTINATION_OPTIONS = 60;

/**
 * Decodes an IPv4 or IPv6 packet (chosen by the version nibble).
 *
 * @returns undefined for truncated or malformed headers, fragments and other versions.
 */
export function decodeIp(bytes: Uint8Array): IpPacket | undefined {
  const first = bytes[0];
  if (first === undefined) return undefined;
  const version = first >> 4;
  if (version === 4) return decodeIPv4(bytes);
  if (version === 6) return decodeIPv6(bytes);
  return undefined;
}

function decodeIPv4(bytes: Uint8Array): IpPacket | undefined {
  if (bytes.length < IPV4_MIN_HEADER) return undefined;
  const headerLength = (bytes[0]! & 0x0f) * 4; // IHL counts 32-bit words, options included.
  if (headerLength < IPV4_MIN_HEADER || headerLength > bytes.length) return undefined;
  const totalLength = read16(bytes, 2);
  if (totalLength !== 0 && totalLength < headerLength) return undefined;
  const fragment = read16(bytes, 6);
  if ((fragment & (IPV4_MORE_FRAGMENTS | IPV4_FRAGMENT_OFFSET_MASK)) !== 0) return undefined;
  const end = totalLength === 0 ? bytes.length : Math.min(totalLength, bytes.length);
  return {
    version: 4,
    src: formatIPv4(bytes, 12),
    dst: formatIPv4(bytes, 16),
    protocol: bytes[9]!,
    payload: bytes.subarray(headerLength, end),
  };
}

function decodeIPv6(bytes: Uint8Array): IpPacket | undefined {
  if (bytes.length < IPV6_HEADER) return undefined;
  const payloadLength = read16(bytes, 4);
  const end = payloadLength === 0 ? bytes.length : Math.min(IPV6_HEADER + payloadLength, bytes.length);
  let nextHeader = bytes[6]!;
  let at = IPV6_HEADER;
  for (;;) {
    let length: number;
    switch (nextHeader) {
      case NEXT_HEADER_HOP_BY_HOP:
      case NEXT_HEADER_ROUTING:
      case NEXT_HEADER_DESTINATION_OPTIONS:
        if (at + 2 > end) return undefined;
        length = (bytes[at + 1]! + 1) * 8; // Hdr Ext Len: 8-octet units, not counting the first 8 (RFC 8200 §4.3).
        break;
      case NEXT_HEADER_AH:
        if (at + 2 > end) return undefined;
        length = (bytes[at + 1]! + 2) * 4; // Payload Len: 4-octet units minus 2 (RFC 4302 §2.2).
        break;
      case NEXT_HEADER_FRAGMENT:
        return undefined;
      default:
        return {
          version: 6,
          src: formatIPv6(bytes, 8),
          dst: formatIPv6(bytes, 24),
          protocol: nextHeader,
          payload: bytes.subarray(at, end),
        };
    }
    nextHeader = bytes[at]!;
    at += length; // Always ≥ 8, so the walk terminates.
    if (at > end) return undefined;
  }
}

/** Formats the 4 bytes at `offset` as a dotted quad. The caller guarantees they exist. */
export function formatIPv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/**
 * Formats the 16 bytes at `offset` as RFC 5952 text: lowercase hex, no leading zeros, the longest run of two or
 * more zero groups (the first, on a tie) replaced by "::", and IPv4-mapped addresses (::ffff:0:0/96) in the mixed
 * notation of §5. The caller guarantees the bytes exist.
 */
export function formatIPv6(bytes: Uint8Array, offset = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(read16(bytes, offset + 2 * i));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${formatIPv4(bytes, offset + 12)}`;
  }
  let bestStart = -1;
  let bestLength = 1; // §4.2.2: a single zero group is never shortened.
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

function read16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}
