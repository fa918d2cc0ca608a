/**
 * Classic libpcap file reader (draft-ietf-opsawg-pcap, "PCAP Capture File Format").
 *
 * A 24-byte file header — magic, version, (unused) thiszone/sigfigs, snaplen, and the LinkType word — is followed
 * by records of a 16-byte header (seconds, sub-second, captured length, original length) and the packet bytes.
 * The magic number fixes both the byte order of every later field (the writer's native order) and the unit of the
 * sub-second field: 0xa1b2c3d4 microseconds, 0xa1b23c4d nanoseconds. Alexey Kuznetzov's patched libpcap wrote
 * 0xa1b2cd34 with 8 extra bytes per record header (ifindex, protocol, pkt_type); those files are read too.
 *
 * A record whose captured bytes run past the end of the file ends the read quietly: that is what a capture cut
 * short by a killed tcpdump looks like.
 */
import { CaptureFormatError } from './errors.js';
import type { CapturedPacket } from './packets.js';

const MAGIC_MICROSECONDS = 0xa1b2c3d4;
const MAGIC_NANOSECONDS = 0xa1b23c4d;
const MAGIC_KUZNETZOV = 0xa1b2cd34;

const FILE_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;
const KUZNETZOV_RECORD_HEADER_LENGTH = 24;

/**
 * The LinkType word carries the link type in its low 26 bits; the top bits optionally describe an FCS length
 * (draft-ietf-opsawg-pcap §4), which does not change how the frame is decoded.
 */
const LINKTYPE_MASK = 0x03ffffff;

/** What the classic pcap file header says about the records that follow. */
export interface PcapFileHeader {
  readonly littleEndian: boolean;
  /** Sub-second field unit: 1e6 (microseconds) or 1e9 (nanoseconds). */
  readonly ticksPerSecond: 1_000_000 | 1_000_000_000;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly snapLength: number;
  readonly linkType: number;
  readonly recordHeaderLength: number;
}

/**
 * Parses the classic pcap file header.
 *
 * @returns undefined when the magic is not a pcap magic (so another format may be tried).
 * @throws {CaptureFormatError} when the magic matches but the 24-byte header is truncated.
 */
export function parsePcapFileHeader(file: Uint8Array): PcapFileHeader | undefined {
  if (file.length < 4) return undefined;
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const asBigEndian = view.getUint32(0, false);
  const asLittleEndian = view.getUint32(0, true);
  let littleEndian: boolean;
  let magic: number;
  if (isPcapMagic(asLittleEndian)) {
    littleEndian = true;
    magic = asLittleEndian;
  } else if (isPcapMagic(asBigEndian)) {
    littleEndian = false;
    magic = asBigEndian;
  } else {
    return undefined;
  }
  if (file.length < FILE_HEADER_LENGTH) {
    throw new CaptureFormatError(`truncated pcap file header: ${file.length} of ${FILE_HEADER_LENGTH} bytes`);
  }
  return {
    littleEndian,
    ticksPerSecond: magic === MAGIC_NANOSECONDS ? 1_000_000_000 : 1_000_000,
    versionMajor: view.getUint16(4, littleEndian),
    versionMinor: view.getUint16(6, littleEndian),
    snapLength: view.getUint32(16, littleEndian),
    linkType: view.getUint32(20, littleEndian) & LINKTYPE_MASK,
    recordHeaderLength: magic === MAGIC_KUZNETZOV ? KUZNETZOV_RECORD_HEADER_LENGTH : RECORD_HEADER_LENGTH,
  };
}

function isPcapMagic(magic: number): boolean {
  return magic === MAGIC_MICROSECONDS || magic === MAGIC_NANOSECONDS || magic === MAGIC_KUZNETZOV;
}

/**
 * Opens a classic pcap file: validates the header now and returns a generator over its records,
 * or undefined when the file is not classic pcap.
 */
export function openPcap(file: Uint8Array): Generator<CapturedPacket, void, undefined> | undefined {
  const header = parsePcapFileHeader(file);
  return header === undefined ? undefined : readPcapRecords(file, header);
}

function* readPcapRecords(file: Uint8Array, header: PcapFileHeader): Generator<CapturedPacket, void, undefined> {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const le = header.littleEndian;
  const nanoseconds = header.ticksPerSecond === 1_000_000_000;
  let offset = FILE_HEADER_LENGTH;
  let frame = 0;
  while (offset + header.recordHeaderLength <= file.length) {
    const seconds = view.getUint32(offset, le);
    const fraction = view.getUint32(offset + 4, le);
    const capturedLength = view.getUint32(offset + 8, le);
    const originalLength = view.getUint32(offset + 12, le);
    const dataStart = offset + header.recordHeaderLength;
    // Truncated final record (or a corrupt length): stop, keeping everything read so far.
    if (capturedLength > file.length - dataStart) return;
    frame += 1;
    // Microsecond stamps fit a double exactly (2^32 s × 1e6 < 2^53), so one BigInt conversion suffices.
    const timeNs = nanoseconds
      ? BigInt(seconds) * 1_000_000_000n + BigInt(fraction)
      : BigInt(seconds * 1_000_000 + fraction) * 1000n;
    yield {
      frame,
      time: seconds + fraction / header.ticksPerSecond,
      timeNs,
      linkType: header.linkType,
      data: file.subarray(dataStart, dataStart + capturedLength),
      originalLength,
      interfaceId: 0,
    };
    offset = dataStart + capturedLength;
  }
}
