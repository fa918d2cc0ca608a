/**
 * Capture reading for tsbgpd: pcap/pcapng files → link layer → IP → TCP reassembly → BGP messages.
 *
 * {@link readBgpCapture} is the one-call API; the stages below it are exported for tools that need only part of
 * the pipeline (listing packets, decoding a frame, reassembling other TCP traffic). This module deliberately knows
 * nothing of BGP beyond the 19-byte header used for framing; decoding messages is the wire codec's job.
 */
export { CaptureFormatError } from './errors.js';
export { readPackets, nsToSeconds, type CapturedPacket } from './packets.js';
export { parsePcapFileHeader, type PcapFileHeader } from './pcap.js';
export { decodeLinkLayer, LinkType, type NetworkPacket } from './link.js';
export { decodeIp, formatIPv4, formatIPv6, type IpPacket } from './ip.js';
export { decodeTcp, formatEndpoint, TcpFlag, type TcpHeader } from './tcp.js';
export {
  TcpReassembler,
  type TcpReassemblerOptions,
  type TcpSegment,
  type StreamEvent,
  type StreamEndReason,
  type StreamRef,
} from './reassembler.js';
export { ByteQueue } from './byte-queue.js';
export { BgpFramer, BGP_HEADER_LENGTH, type FramerOutput } from './framer.js';
export type { CaptureEvent, CaptureEventBase, CapturedMessage, CaptureGap, CaptureJunk } from './events.js';
export { readBgpCapture, bgpSegmentOf, BGP_PORT, type ReadBgpCaptureOptions } from './bgp-capture.js';
