/**
 * The receive fast path's view of an UPDATE body: where its MP_REACH_NLRI / MP_UNREACH_NLRI routes lie, and a
 * string key of its attribute block without any NLRI, so that the UPDATEs of a full table — which differ only in
 * their prefixes — find their attribute set with one Map lookup instead of a decode (see `interner.ts`).
 *
 * RFC 4760 §3–§4 layouts; the scan checks only the framing it relies on and answers undefined for anything
 * unusual (a truncated attribute, a repeated MP attribute), sending the UPDATE down the full decoder, which reports
 * errors exactly as RFC 7606 wants. Never throws.
 */
import { Buffer } from 'node:buffer';
import { AttrFlag, AttrType } from '../wire/index.js';

/** The NLRI (or withdrawn routes) of an MP attribute, as offsets into the body. */
export interface MpRoutes {
  readonly afi: number;
  readonly safi: number;
  readonly start: number;
  readonly end: number;
}

export interface ScannedAttributes {
  /**
   * The attribute block minus MP_UNREACH_NLRI and minus MP_REACH_NLRI's NLRI, as a latin1 string; '' when the
   * block holds nothing else.
   */
  readonly rawKey: string;
  readonly mpReach: MpRoutes | undefined;
  readonly mpUnreach: MpRoutes | undefined;
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
}

/** Scans the Path Attributes field `buf[start..end)`; undefined when the full decoder should look at it instead. */
export function scanAttributes(buf: Uint8Array, start: number, end: number): ScannedAttributes | undefined {
  let rawKey = '';
  let mpReach: MpRoutes | undefined;
  let mpUnreach: MpRoutes | undefined;
  let pos = start;
  let runStart = start; // attributes copied into the key verbatim, as one run
  while (pos < end) {
    if (end - pos < 3) return undefined;
    const flags = buf[pos] as number;
    const type = buf[pos + 1] as number;
    const header = flags & AttrFlag.ExtendedLength ? 4 : 3;
    if (end - pos < header) return undefined;
    const length = header === 4 ? ((buf[pos + 2] as number) << 8) | (buf[pos + 3] as number) : (buf[pos + 2] as number);
    const valueStart = pos + header;
    const valueEnd = valueStart + length;
    if (valueEnd > end) return undefined;
    if (type === AttrType.MpReachNlri || type === AttrType.MpUnreachNlri) {
      rawKey += latin1(buf, runStart, pos);
      if (length < 3) return undefined;
      const afi = ((buf[valueStart] as number) << 8) | (buf[valueStart + 1] as number);
      const safi = buf[valueStart + 2] as number;
      if (type === AttrType.MpReachNlri) {
        if (mpReach !== undefined || length < 5) return undefined;
        const nlriStart = valueStart + 5 + (buf[valueStart + 3] as number);
        if (nlriStart > valueEnd) return undefined;
        // Keep family, next hop and Reserved in the key: they belong to the routes' attributes.
        rawKey += `\u000e${latin1(buf, valueStart, nlriStart)}`;
        mpReach = { afi, safi, start: nlriStart, end: valueEnd };
      } else {
        if (mpUnreach !== undefined) return undefined;
        mpUnreach = { afi, safi, start: valueStart + 3, end: valueEnd };
      }
      runStart = valueEnd;
    }
    pos = valueEnd;
  }
  rawKey += latin1(buf, runStart, end);
  return { rawKey, mpReach, mpUnreach };
}
