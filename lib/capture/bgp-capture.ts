/**
 * From a capture file to BGP messages: packets → link layer → IP → TCP on a BGP port → per-direction
 * reassembly → message framing. This is the module's main entry point; each stage is also usable alone.
 *
 * BGP runs over TCP port 179 (RFC 4271 §8.2.1); a segment belongs to BGP when either port is in the configured list.
 * Events come out in capture order: everything a packet makes available is yielded before the next packet is read.
 */
import { BgpFramer, type FramerOutput } from './framer.js';
import type { CaptureEvent, CaptureEventBase } from './events.js';
import { decodeIp } from './ip.js';
import { decodeLinkLayer } from './link.js';
import { readPackets, type CapturedPacket } from './packets.js';
import { TcpReassembler, type StreamEndReason, type StreamEvent, type TcpSegment } from './reassembler.js';
import { decodeTcp, formatEndpoint } from './tcp.js';

/** The well-known BGP port (RFC 4271 §8.2.1). */
export const BGP_PORT = 179;

/** IP protocol number of TCP. */
const PROTOCOL_TCP = 6;

/** Options of {@link readBgpCapture}. */
export interface ReadBgpCaptureOptions {
  /** TCP ports that identify BGP, on either side of a connection. Default `[179]`. */
  readonly ports?: readonly number[];
  /** Out-of-order bytes buffered per direction before a hole is given up on. Default 16 MiB. */
  readonly maxBufferedBytes?: number;
  /** Capture-time seconds a hole may stay open before it is given up on. Default 60. */
  readonly maxHoleWaitSeconds?: number;
}

/**
 * Reads every BGP message of a pcap/pcapng capture.
 *
 * Never throws for damaged captures: truncated files end early, malformed packets are skipped, lost bytes become
 * `gap` events and unframeable bytes `junk` events.
 *
 * @param file the whole capture file.
 * @returns a generator of events in capture order.
 * @throws {CaptureFormatError} (immediately, not on iteration) when the file is not pcap/pcapng or its header is
 *   truncated.
 */
export function readBgpCapture(
  file: Uint8Array,
  options: ReadBgpCaptureOptions = {},
): Generator<CaptureEvent, void, undefined> {
  return bgpEvents(readPackets(file), options);
}

/**
 * Extracts the TCP segment of a captured packet when it is BGP traffic, else undefined.
 *
 * @param ports the ports that identify BGP.
 */
export function bgpSegmentOf(packet: CapturedPacket, ports: ReadonlySet<number>): TcpSegment | undefined {
  const network = decodeLinkLayer(packet.linkType, packet.data);
  if (network === undefined) return undefined;
  const ip = decodeIp(network.bytes);
  if (ip === undefined || ip.version !== network.version || ip.protocol !== PROTOCOL_TCP) return undefined;
  const tcp = decodeTcp(ip.payload);
  if (tcp === undefined || !(ports.has(tcp.srcPort) || ports.has(tcp.dstPort))) return undefined;
  return {
    src: formatEndpoint(ip.version, ip.src, tcp.srcPort),
    dst: formatEndpoint(ip.version, ip.dst, tcp.dstPort),
    seq: tcp.seq,
    ack: tcp.ack,
    flags: tcp.flags,
    payload: tcp.payload,
    time: packet.time,
  };
}

function* bgpEvents(
  packets: Iterable<CapturedPacket>,
  options: ReadBgpCaptureOptions,
): Generator<CaptureEvent, void, undefined> {
  const ports = new Set(options.ports ?? [BGP_PORT]);
  const reassembler = new TcpReassembler({
    ...(options.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: options.maxBufferedBytes }),
    ...(options.maxHoleWaitSeconds === undefined ? {} : { maxHoleWaitSeconds: options.maxHoleWaitSeconds }),
  });
  const framers = new Map<string, BgpFramer>();
  let last: PacketStamp = { time: 0, timeNs: 0n, frame: 0 };
  for (const packet of packets) {
    const segment = bgpSegmentOf(packet, ports);
    if (segment === undefined) continue;
    last = packet;
    yield* frame(reassembler.push(segment), framers, last);
  }
  // Whatever is still buffered is released at the time of the last BGP packet.
  yield* frame(reassembler.finish(), framers, last);
}

/** Time and frame stamped on the events a packet produces. */
interface PacketStamp {
  readonly time: number;
  readonly timeNs: bigint;
  readonly frame: number;
}

/** Runs reassembly events through each direction's framer and stamps the results. */
function* frame(
  events: readonly StreamEvent[],
  framers: Map<string, BgpFramer>,
  stamp: PacketStamp,
): Generator<CaptureEvent, void, undefined> {
  for (const event of events) {
    const base: CaptureEventBase = {
      time: stamp.time,
      timeNs: stamp.timeNs,
      src: event.src,
      dst: event.dst,
      stream: event.stream,
      frame: stamp.frame,
    };
    let framer = framers.get(event.stream);
    if (framer === undefined) {
      framer = new BgpFramer();
      framers.set(event.stream, framer);
    }
    switch (event.kind) {
      case 'data':
        yield* stampAll(framer.push(event.bytes), base);
        break;
      case 'gap':
        // The partial message before the hole comes first (stream order), then the hole itself.
        yield* stampAll(framer.gap(), base);
        yield { kind: 'gap', ...base, missing: event.missing };
        break;
      case 'end':
        yield* stampAll(framer.end(endReasonText(event.reason)), base);
        framers.delete(event.stream); // A reopened connection starts with a fresh framer.
        break;
    }
  }
}

function* stampAll(
  outputs: readonly FramerOutput[],
  base: CaptureEventBase,
): Generator<CaptureEvent, void, undefined> {
  for (const output of outputs) {
    yield output.kind === 'message'
      ? { kind: 'message', ...base, bytes: output.bytes }
      : { kind: 'junk', ...base, bytes: output.bytes, reason: output.reason };
  }
}

function endReasonText(reason: StreamEndReason): string {
  switch (reason) {
    case 'fin':
      return 'connection closed (FIN) mid-message';
    case 'rst':
      return 'connection reset (RST) mid-message';
    case 'reopened':
      return 'connection replaced by a new SYN mid-message';
    case 'capture-end':
      return 'capture ended mid-message';
  }
}
