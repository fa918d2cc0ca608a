/**
 * pcapng reader (draft-ietf-opsawg-pcapng, "PCAP Next Generation Dump File Format").
 *
 * A pcapng file is a sequence of blocks (type, total length, body, total length again), grouped into sections.
 * Each Section Header Block (SHB, §4.1) carries a byte-order magic fixing the byte order of that section and
 * starts a fresh list of interfaces. Interface Description Blocks (IDB, §4.2) give each interface its link type,
 * snap length and timestamp resolution (option if_tsresol, plus if_tsoffset). Packets come in Enhanced Packet
 * Blocks (EPB, §4.3), Simple Packet Blocks (SPB, §4.4, interface 0, no timestamp) and the obsolete Packet Block
 * (Appendix A). Every other block type is skipped by its length, as §3.1 requires of readers.
 *
 * A block that runs past the end of the file, or whose length is not a multiple of 4, ends the read quietly: a
 * capture cut short mid-block keeps everything before it. Only a missing or truncated first SHB is an error.
 */
import { CaptureFormatError } from './errors.js';
import { nsToSeconds, type CapturedPacket } from './packets.js';

const BLOCK_SECTION_HEADER = 0x0a0d0d0a;
const BLOCK_INTERFACE_DESCRIPTION = 0x00000001;
const BLOCK_PACKET_OBSOLETE = 0x00000002;
const BLOCK_SIMPLE_PACKET = 0x00000003;
const BLOCK_ENHANCED_PACKET = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Block type + block total length + trailing block total length. */
const BLOCK_OVERHEAD = 12;
/** SHB: overhead + byte-order magic (4) + version (2 + 2) + section length (8). */
const MIN_SECTION_HEADER_LENGTH = 28;

const OPTION_END = 0;
const OPTION_IF_TSRESOL = 9;
const OPTION_IF_TSOFFSET = 14;

/** An interface as its IDB describes it, with the timestamp conversion precomputed. */
interface Interface {
  readonly linkType: number;
  readonly snapLength: number;
  /** Converts a raw 64-bit timestamp in this interface's units to nanoseconds since the epoch. */
  readonly toNs: (units: bigint) => bigint;
}

/**
 * Opens a pcapng file: validates the first Section Header Block now and returns a generator over its packets,
 * or undefined when the file does not start with an SHB.
 *
 * @throws {CaptureFormatError} when the SHB is truncated or its byte-order magic is wrong.
 */
export function openPcapng(file: Uint8Array): Generator<CapturedPacket, void, undefined> | undefined {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < 4 || view.getUint32(0, false) !== BLOCK_SECTION_HEADER) return undefined;
  if (file.length < MIN_SECTION_HEADER_LENGTH) {
    throw new CaptureFormatError(`truncated pcapng section header: ${file.length} of at least 28 bytes`);
  }
  const littleEndian = sectionByteOrder(view, 0);
  if (littleEndian === undefined) {
    throw new CaptureFormatError('pcapng section header has no valid byte-order magic');
  }
  const length = view.getUint32(4, littleEndian);
  if (length < MIN_SECTION_HEADER_LENGTH || length % 4 !== 0 || length > file.length) {
    throw new CaptureFormatError(`pcapng section header block length ${length} is invalid or truncated`);
  }
  return readBlocks(file, view);
}

/** Byte order of the section whose SHB starts at `offset` (true = little-endian), or undefined if corrupt. */
function sectionByteOrder(view: DataView, offset: number): boolean | undefined {
  if (offset + 12 > view.byteLength) return undefined;
  if (view.getUint32(offset + 8, true) === BYTE_ORDER_MAGIC) return true;
  if (view.getUint32(offset + 8, false) === BYTE_ORDER_MAGIC) return false;
  return undefined;
}

function* readBlocks(file: Uint8Array, view: DataView): Generator<CapturedPacket, void, undefined> {
  let le = true;
  let interfaces: Interface[] = [];
  let frame = 0;
  let offset = 0;
  while (offset + BLOCK_OVERHEAD <= file.length) {
    // The SHB type reads the same in both byte orders, so it can be recognised before the order is known.
    const type = view.getUint32(offset, le);
    if (type === BLOCK_SECTION_HEADER) {
      const order = sectionByteOrder(view, offset);
      if (order === undefined) return;
      le = order;
      interfaces = [];
    }
    const length = view.getUint32(offset + 4, le);
    if (length < BLOCK_OVERHEAD || length % 4 !== 0 || length > file.length - offset) return;
    const bodyStart = offset + 8;
    const bodyEnd = offset + length - 4;
    offset += length;

    switch (type) {
      case BLOCK_INTERFACE_DESCRIPTION: {
        const iface = parseInterface(view, bodyStart, bodyEnd, le);
        // A malformed IDB still occupies an interface number, or later packets would be misattributed.
        interfaces.push(iface ?? { linkType: -1, snapLength: 0, toNs: microsecondsToNs });
        break;
      }
      case BLOCK_ENHANCED_PACKET:
      case BLOCK_PACKET_OBSOLETE: {
        frame += 1;
        // EPB: 4-byte interface ID. Obsolete PB: 2-byte interface ID, then a 2-byte drops count.
        if (bodyEnd - bodyStart < 20) break;
        const interfaceId =
          type === BLOCK_ENHANCED_PACKET ? view.getUint32(bodyStart, le) : view.getUint16(bodyStart, le);
        const iface = interfaces[interfaceId];
        if (iface === undefined || iface.linkType < 0) break;
        const capturedLength = view.getUint32(bodyStart + 12, le);
        const dataStart = bodyStart + 20;
        if (capturedLength > bodyEnd - dataStart) break;
        const units = (BigInt(view.getUint32(bodyStart + 4, le)) << 32n) | BigInt(view.getUint32(bodyStart + 8, le));
        const timeNs = iface.toNs(units);
        yield {
          frame,
          time: nsToSeconds(timeNs),
          timeNs,
          linkType: iface.linkType,
          data: file.subarray(dataStart, dataStart + capturedLength),
          originalLength: view.getUint32(bodyStart + 16, le),
          interfaceId,
        };
        break;
      }
      case BLOCK_SIMPLE_PACKET: {
        frame += 1;
        const iface = interfaces[0];
        if (iface === undefined || iface.linkType < 0 || bodyEnd - bodyStart < 4) break;
        const originalLength = view.getUint32(bodyStart, le);
        // §4.4: the captured length is the smaller of the original length and the interface's snap length;
        // the block length bounds it too.
        let capturedLength = Math.min(originalLength, bodyEnd - bodyStart - 4);
        if (iface.snapLength > 0) capturedLength = Math.min(capturedLength, iface.snapLength);
        // An SPB has no timestamp; it is reported as the epoch rather than invented.
        yield {
          frame,
          time: 0,
          timeNs: 0n,
          linkType: iface.linkType,
          data: file.subarray(bodyStart + 4, bodyStart + 4 + capturedLength),
          originalLength,
          interfaceId: 0,
        };
        break;
      }
      default:
        break; // SHB (handled above) and every block type we do not use.
    }
  }
}

/** Parses an IDB body; undefined if it is too short to hold the fixed fields. */
function parseInterface(view: DataView, start: number, end: number, le: boolean): Interface | undefined {
  if (end - start < 8) return undefined;
  const linkType = view.getUint16(start, le);
  const snapLength = view.getUint32(start + 4, le);
  let resolution = 6; // §4.2: if_tsresol absent means microseconds (10^-6).
  let offsetSeconds = 0n;
  let at = start + 8;
  while (at + 4 <= end) {
    const code = view.getUint16(at, le);
    const length = view.getUint16(at + 2, le);
    const value = at + 4;
    if (code === OPTION_END || length > end - value) break;
    if (code === OPTION_IF_TSRESOL && length >= 1) resolution = view.getUint8(value);
    if (code === OPTION_IF_TSOFFSET && length >= 8) offsetSeconds = view.getBigInt64(value, le);
    at = value + ((length + 3) & ~3);
  }
  return { linkType, snapLength, toNs: timestampConverter(resolution, offsetSeconds) };
}

function microsecondsToNs(units: bigint): bigint {
  return units * 1000n;
}

/**
 * Builds the units→nanoseconds conversion for an if_tsresol value: with the top bit clear the unit is
 * 10^-value seconds, with it set 2^-(value & 0x7f) seconds. if_tsoffset (whole seconds) is added afterwards.
 */
function timestampConverter(resolution: number, offsetSeconds: bigint): (units: bigint) => bigint {
  const offsetNs = offsetSeconds * 1_000_000_000n;
  const exponent = resolution & 0x7f;
  if ((resolution & 0x80) !== 0) {
    const shift = BigInt(exponent);
    return (units) => ((units * 1_000_000_000n) >> shift) + offsetNs;
  }
  if (exponent <= 9) {
    const factor = 10n ** BigInt(9 - exponent);
    return (units) => units * factor + offsetNs;
  }
  const divisor = 10n ** BigInt(exponent - 9);
  return (units) => units / divisor + offsetNs;
}
