/**
 * The receive fast path's view of an UPDATE body: where its MP_REACH_NLRI / MP_UNREACH_NLRI routes lie, and a
 * string key of its attribute block without any NLRI, so that the UPDATEs of a full table — which differ only in
 * their prefixes — find their attribute set with one Map lookup instead of a decode (see `attr-store.ts`).
 *
 * RFC 4760 §3–§4 layouts; the scan checks only the framing it relies on and answers undefined for anything
 * unusual (a truncated attribute, a repeated MP attribute, an MP attribute whose Optional/Transitive bits are not
 * the optional non-transitive ones RFC 4760 gives it), sending the UPDATE down the full decoder, which reports
 * errors exactly as RFC 7606 wants. Never throws.
 *
 * Also the octet-level helpers of the IPv4 fast path: locating an UPDATE's fields without allocating
 * (`locateFields`), spotting MP attributes (`hasMpAttribute`), checking a prefix field whole (`checkField4`),
 * reading an address (`readAddress4`), and telling whether an attribute block is already canonical
 * (`isCanonicalBlock`).
 */
import { Buffer } from 'node:buffer';
import { AttrFlag, AttrType, checkPrefixes, defaultFlags, errors, maskIPv4, updateFields, type PathAttribute, type UpdateFields } from '../wire/index.js';

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
      // The MP attributes' flags octets are left out of the key, so they must be checked here: an Attribute Flags
      // Error (RFC 4271 §6.3) in either is a session reset (RFC 7606 §3 c, §5.3; RFC 4760 §7), which only the
      // full decoder raises. It compares the same two bits — Partial, Extended Length and the unused low bits
      // change neither the outcome nor the attribute set (normalisation keeps no MP attribute's flags) — so a block
      // that passes here stands for the same set whatever those other bits are.
      if ((flags & (AttrFlag.Optional | AttrFlag.Transitive)) !== AttrFlag.Optional) return undefined;
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

/**
 * True when the Path Attributes field `buf[start..end)`, which decoded to `attrs` without any RFC 7606 finding,
 * is already the canonical encoding of its set (`attr-store.ts`): ascending type codes, no attribute that
 * normalisation removes (MP_REACH_NLRI, MP_UNREACH_NLRI, AS4_PATH, AS4_AGGREGATOR, optional non-transitive
 * unknowns), and every flags octet the one the encoder writes — the type's own bits (an unknown transitive one
 * with Partial set), Extended Length exactly when the value exceeds 255 octets. The codec round-trips values
 * octet for octet, so such a block needs neither normalising nor encoding.
 */
export function isCanonicalBlock(attrs: readonly PathAttribute[], buf: Uint8Array, start: number, end: number): boolean {
  let pos = start;
  let last = 0;
  for (const a of attrs) {
    if (pos >= end) return false;
    const flags = buf[pos] as number;
    const type = buf[pos + 1] as number;
    const length = flags & AttrFlag.ExtendedLength ? ((buf[pos + 2] as number) << 8) | (buf[pos + 3] as number) : (buf[pos + 2] as number);
    pos += (flags & AttrFlag.ExtendedLength ? 4 : 3) + length;
    if (type <= last || type === AttrType.MpReachNlri || type === AttrType.MpUnreachNlri) return false;
    if (type === AttrType.As4Path || type === AttrType.As4Aggregator || a.kind === 'malformed') return false;
    last = type;
    const own = a.kind === 'unknown' ? AttrFlag.Optional | AttrFlag.Transitive | AttrFlag.Partial : defaultFlags(type);
    if (flags !== (length > 255 ? own | AttrFlag.ExtendedLength : own)) return false;
  }
  return pos === end;
}

/** Throws Invalid Network Field (RFC 7606 §5.3: session reset) unless `buf[start..end)` is a well-formed IPv4 field. */
export function checkField4(buf: Uint8Array, start: number, end: number, addPath: boolean): void {
  const problem = checkPrefixes(buf, start, end, 1, addPath);
  if (problem !== undefined) throw errors.invalidNetworkField(problem);
}

/** The network address of the IPv4 prefix of length `len` whose significant octets start at `at`, host bits clear. */
export function readAddress4(buf: Uint8Array, at: number, len: number): number {
  if (len === 0) return 0;
  let addr = (buf[at] as number) << 24;
  if (len > 8) addr |= (buf[at + 1] as number) << 16;
  if (len > 16) addr |= (buf[at + 2] as number) << 8;
  if (len > 24) addr |= buf[at + 3] as number;
  return (addr & (0xffffffff << (32 - len))) >>> 0;
}

/** The IPv4 key of `addr/len` with host bits cleared (the MP path; the NLRI field uses the index directly). */
export function maskedKey4(addr: number, len: number): number {
  return len * 4294967296 + maskIPv4(addr, len);
}

/** `updateFields`' answer, in one object reused by every call (the receive path allocates nothing per UPDATE). */
const located = { withdrawnStart: 0, withdrawnEnd: 0, attributesStart: 0, attributesEnd: 0, nlriStart: 0, nlriEnd: 0 };

/**
 * Where the fields of the UPDATE body `buf[start..]` lie. The lengths are checked here; when they do not add up,
 * `updateFields` is asked, which throws the BgpError RFC 4271 §6.3 names. Valid until the next call.
 */
export function locateFields(buf: Uint8Array, start: number): UpdateFields {
  const end = buf.length;
  if (end - start >= 4) {
    const withdrawnEnd = start + 2 + (((buf[start] as number) << 8) | (buf[start + 1] as number));
    if (withdrawnEnd + 2 <= end) {
      const attributesEnd = withdrawnEnd + 2 + (((buf[withdrawnEnd] as number) << 8) | (buf[withdrawnEnd + 1] as number));
      if (attributesEnd <= end) {
        located.withdrawnStart = start + 2;
        located.withdrawnEnd = withdrawnEnd;
        located.attributesStart = withdrawnEnd + 2;
        located.attributesEnd = attributesEnd;
        located.nlriStart = attributesEnd;
        located.nlriEnd = end;
        return located;
      }
    }
  }
  return updateFields(buf, start, end);
}

/** True when the attribute field `buf[start..end)` holds MP_REACH_NLRI or MP_UNREACH_NLRI — or cannot be walked. */
export function hasMpAttribute(buf: Uint8Array, start: number, end: number): boolean {
  for (let pos = start; pos < end; ) {
    if (end - pos < 3) return true;
    const flags = buf[pos] as number;
    const type = buf[pos + 1] as number;
    if (type === AttrType.MpReachNlri || type === AttrType.MpUnreachNlri) return true;
    if (flags & 0x10) {
      if (end - pos < 4) return true;
      pos += 4 + (((buf[pos + 2] as number) << 8) | (buf[pos + 3] as number));
    } else {
      pos += 3 + (buf[pos + 2] as number);
    }
  }
  return false;
}
