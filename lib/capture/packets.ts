/**
 * Capture-file front door: recognise the container format by its magic number and hand back its packet records.
 *
 * Two containers are understood — classic libpcap (`pcap.ts`, draft-ietf-opsawg-pcap) and pcapng (`pcapng.ts`,
 * draft-ietf-opsawg-pcapng). Both produce the same {@link CapturedPacket} records: link-layer bytes plus the
 * link type needed to decode them, a timestamp and a 1-based frame number matching Wireshark's numbering.
 */
import { CaptureFormatError } from './errors.js';
import { openPcap } from './pcap.js';
import { openPcapng } from './pcapng.js';

/** One packet record of a capture file. */
export interface CapturedPacket {
  /** 1-based ordinal of the packet record in the file, as Wireshark numbers frames. */
  readonly frame: number;
  /** Capture time in seconds since the Unix epoch (a float; microsecond precision at best). */
  readonly time: number;
  /** Capture time in nanoseconds since the Unix epoch, exact where the file's resolution allows. */
  readonly timeNs: bigint;
  /** LINKTYPE_* value saying how to decode {@link data} (1 = Ethernet, 113 = Linux SLL, …). */
  readonly linkType: number;
  /** The captured bytes, starting at the link-layer header (a view into the file, not a copy). */
  readonly data: Uint8Array;
  /** Length of the packet on the wire; larger than `data.length` when the snapshot length cut it. */
  readonly originalLength: number;
  /** pcapng interface the packet was captured on (0 for classic pcap). */
  readonly interfaceId: number;
}

/**
 * Reads every packet record of a pcap or pcapng file, in file order.
 *
 * The container is validated eagerly, so an unrecognised file throws here rather than on first iteration.
 * A file that ends in the middle of a record (a capture cut short) simply ends the iteration.
 *
 * @throws {CaptureFormatError} when the magic number is unknown or the file header is truncated.
 */
export function readPackets(file: Uint8Array): Generator<CapturedPacket, void, undefined> {
  if (file.length < 4) {
    throw new CaptureFormatError(`not a capture file: ${file.length} bytes is shorter than any magic number`);
  }
  const pcap = openPcap(file);
  if (pcap !== undefined) return pcap;
  const pcapng = openPcapng(file);
  if (pcapng !== undefined) return pcapng;
  const magic = Array.from(file.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
  throw new CaptureFormatError(`not a pcap or pcapng file: unknown magic 0x${magic}`);
}

/**
 * Converts a nanosecond timestamp to float seconds without losing the integer part to float rounding
 * (seconds and the fraction are converted separately).
 */
export function nsToSeconds(timeNs: bigint): number {
  const seconds = timeNs / 1_000_000_000n;
  const fraction = timeNs - seconds * 1_000_000_000n;
  return Number(seconds) + Number(fraction) / 1e9;
}
