/**
 * The one error the capture reader throws.
 *
 * Everything that can go wrong *inside* a capture — a packet cut short by a killed tcpdump, a corrupt block, a
 * malformed IP or TCP header, a BGP stream that loses its framing — is absorbed and reported as data (a shorter
 * read, a skipped packet, a `gap` or `junk` event). Only a file that is not a capture at all, or whose file
 * header itself is truncated, is an error: there is nothing sensible to return for it.
 */

/** The input is not a pcap/pcapng file (unknown magic), or its file/section header is truncated. */
export class CaptureFormatError extends Error {
  override readonly name = 'CaptureFormatError';

  constructor(message: string) {
    super(message);
  }
}
