/**
 * The benchmark harness's own BGP framing: just enough of RFC 4271 §4 to bring a session up (OPEN, KEEPALIVE,
 * NOTIFICATION), to split a TCP stream into messages, and to walk the prefixes of an UPDATE — written by hand, like
 * the generator in `full-table.ts`, so that the harness does not depend on the codec it measures.
 *
 *   header:  Marker (16 × 0xff) | Length (2) | Type (1)
 *   OPEN:    Version (1) | My AS (2) | Hold Time (2) | BGP Identifier (4) | Opt Parm Len (1) | Optional Parameters
 *   UPDATE:  Withdrawn Routes Length (2) | Withdrawn Routes | Total Path Attribute Length (2) | Path Attributes | NLRI
 *
 * The OPEN carries three capabilities (RFC 5492): Multiprotocol IPv4 unicast (RFC 4760), route refresh (RFC 2918)
 * and 4-octet AS (RFC 6793). Nothing else is advertised, so no peer may send ADD-PATH or extended messages.
 * IPv4 unicast only: prefixes in MP_REACH_NLRI / MP_UNREACH_NLRI of AFI 1 SAFI 1 are walked too, since a peer may
 * choose to send them there.
 */
import { Buffer } from 'node:buffer';

export const MessageType = { Open: 1, Update: 2, Notification: 3, Keepalive: 4, RouteRefresh: 5 } as const;
export const HEADER = 19;
const AS_TRANS = 23456;

function header(length: number, type: number): Buffer {
  const b = Buffer.alloc(length);
  b.fill(0xff, 0, 16);
  b.writeUInt16BE(length, 16);
  b[18] = type;
  return b;
}

/** An OPEN from `asn` (4-octet values go in the capability, AS_TRANS in My AS) with the three capabilities. */
export function openMessage(asn: number, routerId: string, holdTime: number): Buffer {
  const caps = Buffer.from([
    1, 4, 0, 1, 0, 1, // Multiprotocol: AFI 1, reserved, SAFI 1
    2, 0, // route refresh
    65, 4, (asn >>> 24) & 0xff, (asn >>> 16) & 0xff, (asn >>> 8) & 0xff, asn & 0xff, // 4-octet AS
  ]);
  const params = Buffer.concat([Buffer.from([2, caps.length]), caps]);
  const b = header(HEADER + 10 + params.length, MessageType.Open);
  b[19] = 4;
  b.writeUInt16BE(asn > 0xffff ? AS_TRANS : asn, 20);
  b.writeUInt16BE(holdTime, 22);
  const octets = routerId.split('.').map(Number);
  for (let i = 0; i < 4; i++) b[24 + i] = octets[i] ?? 0;
  b[28] = params.length;
  params.copy(b, 29);
  return b;
}

export const KEEPALIVE: Buffer = header(HEADER, MessageType.Keepalive);

/** A NOTIFICATION without data (Cease / Administrative Shutdown is 6/2). */
export function notificationMessage(code: number, subcode: number): Buffer {
  const b = header(HEADER + 2, MessageType.Notification);
  b[19] = code;
  b[20] = subcode;
  return b;
}

/** The IPv4 unicast End-of-RIB marker (RFC 4724 §2): an UPDATE with every field empty. */
export function endOfRib(): Buffer {
  return header(HEADER + 4, MessageType.Update);
}

/** Called with each whole message: `buf[start..end)` is the message, header included. Views are only valid during the call. */
export type MessageHandler = (type: number, buf: Buffer, start: number, end: number) => void;

/**
 * Splits a byte stream into BGP messages without copying, except the tail of a chunk that holds part of a message.
 * A bad marker or length is reported once through `onError`, and nothing more is delivered.
 */
export class MessageSplitter {
  private rest: Buffer | null = null;
  private broken = false;

  constructor(
    private readonly onMessage: MessageHandler,
    private readonly onError: (reason: string) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.broken) return;
    let buf = chunk;
    if (this.rest !== null) {
      buf = Buffer.concat([this.rest, chunk]);
      this.rest = null;
    }
    let pos = 0;
    while (buf.length - pos >= HEADER) {
      const length = buf.readUInt16BE(pos + 16);
      if (length < HEADER || length > 65535 || buf[pos] !== 0xff || buf[pos + 15] !== 0xff) {
        this.broken = true;
        this.onError(`bad message header at stream offset ${pos} (length ${length})`);
        return;
      }
      if (buf.length - pos < length) break;
      this.onMessage(buf[pos + 18] as number, buf, pos, pos + length);
      pos += length;
    }
    if (pos < buf.length) this.rest = Buffer.from(buf.subarray(pos));
  }
}

/** Receives one IPv4 prefix as (address as an unsigned 32-bit number, length). */
export type PrefixSink = (addr: number, length: number) => void;

function walkPrefixes(buf: Buffer, start: number, end: number, fn: PrefixSink): boolean {
  let pos = start;
  while (pos < end) {
    const length = buf[pos] as number;
    if (length > 32) return false;
    const octets = (length + 7) >>> 3;
    if (pos + 1 + octets > end) return false;
    let addr = 0;
    for (let i = 0; i < 4; i++) addr = addr * 256 + (i < octets ? (buf[pos + 1 + i] as number) : 0);
    fn(addr, length);
    pos += 1 + octets;
  }
  return true;
}

/**
 * Walks the withdrawn and announced IPv4 unicast prefixes of the UPDATE at `buf[start..end)` (header included).
 * Returns false when the message is malformed; what was walked before the fault has been reported.
 */
export function walkUpdate(buf: Buffer, start: number, end: number, withdrawn: PrefixSink, announced: PrefixSink): boolean {
  let pos = start + HEADER;
  if (end - pos < 4) return false;
  const wl = buf.readUInt16BE(pos);
  pos += 2;
  if (pos + wl + 2 > end) return false;
  if (!walkPrefixes(buf, pos, pos + wl, withdrawn)) return false;
  pos += wl;
  const al = buf.readUInt16BE(pos);
  pos += 2;
  const attrEnd = pos + al;
  if (attrEnd > end) return false;
  while (pos < attrEnd) {
    if (attrEnd - pos < 3) return false;
    const flags = buf[pos] as number;
    const type = buf[pos + 1] as number;
    const extended = (flags & 0x10) !== 0;
    if (extended && attrEnd - pos < 4) return false;
    const len = extended ? buf.readUInt16BE(pos + 2) : (buf[pos + 2] as number);
    const v = pos + (extended ? 4 : 3);
    if (v + len > attrEnd) return false;
    // RFC 4760: MP_REACH_NLRI (14) and MP_UNREACH_NLRI (15) of AFI 1 / SAFI 1 carry IPv4 unicast routes too.
    if ((type === 14 || type === 15) && len >= 3 && buf.readUInt16BE(v) === 1 && buf[v + 2] === 1) {
      if (type === 15) {
        if (!walkPrefixes(buf, v + 3, v + len, withdrawn)) return false;
      } else {
        if (len < 5) return false;
        const nlri = v + 5 + (buf[v + 3] as number);
        if (nlri > v + len || !walkPrefixes(buf, nlri, v + len, announced)) return false;
      }
    }
    pos = v + len;
  }
  return walkPrefixes(buf, attrEnd, end, announced);
}
