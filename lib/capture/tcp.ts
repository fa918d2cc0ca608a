/**
 * TCP header decoding (RFC 9293 §3.1) and the "addr:port" endpoint text used to name stream directions.
 *
 * Checksums are deliberately not verified: captures taken on a BGP speaker itself see outgoing segments before the
 * NIC fills the checksum in (checksum offload), and rejecting those would lose half of every conversation.
 */

/** TCP control bits (RFC 9293 §3.1). */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
} as const;

/** The fields of a TCP segment reassembly needs. */
export interface TcpHeader {
  readonly srcPort: number;
  readonly dstPort: number;
  /** Sequence number, unsigned 32-bit. */
  readonly seq: number;
  /** Acknowledgment number, unsigned 32-bit (meaningful only with the ACK flag). */
  readonly ack: number;
  /** Control bits, see {@link TcpFlag}. */
  readonly flags: number;
  /** Segment data after the header and options (a view, not a copy). */
  readonly payload: Uint8Array;
}

const TCP_MIN_HEADER = 20;

/** Decodes a TCP header; undefined when it is truncated or its Data Offset is impossible. */
export function decodeTcp(bytes: Uint8Array): TcpHeader | undefined {
  if (bytes.length < TCP_MIN_HEADER) return undefined;
  const headerLength = (bytes[12]! >> 4) * 4; // Data Offset counts 32-bit words, options included.
  if (headerLength < TCP_MIN_HEADER || headerLength > bytes.length) return undefined;
  return {
    srcPort: (bytes[0]! << 8) | bytes[1]!,
    dstPort: (bytes[2]! << 8) | bytes[3]!,
    seq: read32(bytes, 4),
    ack: read32(bytes, 8),
    flags: bytes[13]!,
    payload: bytes.subarray(headerLength),
  };
}

/** "addr:port", with IPv6 addresses bracketed ("[2001:db8::1]:179") as in URLs (RFC 3986 §3.2.2). */
export function formatEndpoint(version: 4 | 6, address: string, port: number): string {
  return version === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

function read32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}
