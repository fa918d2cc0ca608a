/**
 * AS_PATH and AS4_PATH values (RFC 4271 §4.3 and §5.1.2, RFC 5065 §3 confederation segments, RFC 6793 §3–§4
 * 4-octet ASNs), their RFC 7606 §7.2 validation, path length for the decision process (RFC 4271 §9.1.2.2 with
 * RFC 5065 §5.3), AS_PATH/AS4_PATH reconciliation (RFC 6793 §4.2.3), and FRR-style text.
 *
 *   AS_PATH value: a sequence of path segments
 *   +------------------+-------------------+---------------------------------------+
 *   | type (1 octet)   | length (1 octet)  | length × ASN (2 or 4 octets each)     |
 *   +------------------+-------------------+---------------------------------------+
 *   type: 1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET; length counts ASNs, not octets.
 *
 * AS_PATH carries 2- or 4-octet ASNs as the session negotiated (RFC 6793 §4.1); AS4_PATH always 4. Imports only
 * its siblings.
 */
import { AS_TRANS, AsPathSegmentType } from './constants.js';
import type { AsPathSegment } from './types.js';

/** RFC 4271 §4.3: a segment holds at most 255 ASNs (its length is one octet). */
const MAX_SEGMENT_ASNS = 255;

/**
 * Decodes `buf[start..end)` as path segments of `asnSize`-octet ASNs. Returns the segments, or — RFC 7606 §7.2 —
 * the reason the path is malformed: an unrecognized segment type, a segment overrunning the attribute, a single
 * trailing octet (or any trailing bytes too few for a segment header), or a zero segment length.
 */
export function decodeAsPathSegments(
  buf: Uint8Array,
  start: number,
  end: number,
  asnSize: 2 | 4,
): AsPathSegment[] | string {
  const segments: AsPathSegment[] = [];
  let pos = start;
  while (pos < end) {
    if (end - pos < 2) return `${end - pos} octet left after the last segment`;
    const type = buf[pos] as number;
    const count = buf[pos + 1] as number;
    if (type < AsPathSegmentType.AsSet || type > AsPathSegmentType.AsConfedSet) return `unrecognized segment type ${type}`;
    if (count === 0) return 'segment of length zero';
    const segEnd = pos + 2 + count * asnSize;
    if (segEnd > end) return `segment of ${count} ASNs overruns the attribute`;
    const asns = new Array<number>(count);
    let o = pos + 2;
    if (asnSize === 4) {
      for (let i = 0; i < count; i++, o += 4) {
        asns[i] = (buf[o] as number) * 0x1000000 + (((buf[o + 1] as number) << 16) | ((buf[o + 2] as number) << 8) | (buf[o + 3] as number));
      }
    } else {
      for (let i = 0; i < count; i++, o += 2) asns[i] = ((buf[o] as number) << 8) | (buf[o + 1] as number);
    }
    segments.push({ type, asns });
    pos = segEnd;
  }
  return segments;
}

/**
 * Encodes segments with `asnSize`-octet ASNs. A segment of more than 255 ASNs is split into several of the same
 * type (RFC 4271 §5.1.2 prepends by starting a new segment when one is full). In 2-octet form an ASN that does not
 * fit is replaced by AS_TRANS (RFC 6793 §4.2.2); the caller adds the AS4_PATH that restores it (`toAs4Path`).
 */
export function encodeAsPathSegments(segments: readonly AsPathSegment[], asnSize: 2 | 4): Uint8Array {
  let size = 0;
  for (const s of segments) {
    const parts = Math.ceil(s.asns.length / MAX_SEGMENT_ASNS);
    size += parts * 2 + s.asns.length * asnSize;
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (const s of segments) {
    for (let from = 0; from < s.asns.length; from += MAX_SEGMENT_ASNS) {
      const to = Math.min(s.asns.length, from + MAX_SEGMENT_ASNS);
      out[o++] = s.type;
      out[o++] = to - from;
      for (let i = from; i < to; i++) {
        const asn = s.asns[i] as number;
        if (!Number.isInteger(asn) || asn < 0 || asn > 0xffffffff) throw new RangeError(`AS_PATH: invalid ASN ${asn}`);
        if (asnSize === 4) {
          out[o++] = (asn >>> 24) & 0xff;
          out[o++] = (asn >>> 16) & 0xff;
          out[o++] = (asn >>> 8) & 0xff;
          out[o++] = asn & 0xff;
        } else {
          const two = asn > 0xffff ? AS_TRANS : asn;
          out[o++] = (two >>> 8) & 0xff;
          out[o++] = two & 0xff;
        }
      }
    }
  }
  return out;
}

/**
 * RFC 4271 §9.1.2.2 a): the path length the decision process compares — an AS_SET counts as 1 however many ASNs it
 * holds, and (RFC 5065 §5.3) confederation segments count 0.
 */
export function asPathLength(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.type === AsPathSegmentType.AsSequence) n += s.asns.length;
    else if (s.type === AsPathSegmentType.AsSet) n += 1;
  }
  return n;
}

/** True when some ASN needs 4 octets, i.e. an OLD speaker must also receive an AS4_PATH (RFC 6793 §4.2.2). */
export function needsAs4Path(segments: readonly AsPathSegment[]): boolean {
  for (const s of segments) for (const asn of s.asns) if (asn > 0xffff) return true;
  return false;
}

/**
 * The AS4_PATH to send beside a 2-octet AS_PATH (RFC 6793 §4.2.2): the same path without confederation segments,
 * which "MUST NOT be included in the AS4_PATH attribute".
 */
export function toAs4Path(segments: readonly AsPathSegment[]): AsPathSegment[] {
  return segments.filter((s) => s.type === AsPathSegmentType.AsSequence || s.type === AsPathSegmentType.AsSet);
}

/**
 * RFC 6793 §4.2.3: the path a NEW speaker reconstructs from an OLD speaker's AS_PATH (2-octet, AS_TRANS in place of
 * large ASNs) and AS4_PATH. Confederation segments in AS4_PATH are discarded (RFC 6793 §6). When AS_PATH is shorter
 * than AS4_PATH (counted per §9.1.2.2) AS4_PATH is ignored; otherwise the leading ASNs of AS_PATH that AS4_PATH does
 * not cover are prepended to AS4_PATH. The caller applies the rule before this one: when AGGREGATOR holds an ASN
 * other than AS_TRANS, AS4_AGGREGATOR and AS4_PATH are both ignored. A NEW speaker ignores AS4_PATH received from
 * another NEW speaker (RFC 6793 §4.1), so this is for 2-octet sessions only.
 */
export function reconcileAs4Path(asPath: readonly AsPathSegment[], as4Path: readonly AsPathSegment[] | undefined): AsPathSegment[] {
  if (as4Path === undefined) return asPath.slice();
  const as4 = toAs4Path(as4Path);
  const n = asPathLength(asPath);
  const m = asPathLength(as4);
  if (n < m) return asPath.slice();
  let budget = n - m;
  const out: AsPathSegment[] = [];
  for (const s of asPath) {
    if (budget === 0) break;
    if (s.type === AsPathSegmentType.AsConfedSequence || s.type === AsPathSegmentType.AsConfedSet) {
      out.push(s); // counts 0: a leading confederation segment stays in front
    } else if (s.type === AsPathSegmentType.AsSet) {
      out.push(s);
      budget -= 1;
    } else {
      const take = Math.min(budget, s.asns.length);
      out.push(take === s.asns.length ? s : { type: s.type, asns: s.asns.slice(0, take) });
      budget -= take;
    }
  }
  // Join the kept AS_SEQUENCE tail with AS4_PATH's leading AS_SEQUENCE, as the sender had them, when they fit one.
  const last = out[out.length - 1];
  const first = as4[0];
  if (
    last !== undefined &&
    first !== undefined &&
    last.type === AsPathSegmentType.AsSequence &&
    first.type === AsPathSegmentType.AsSequence &&
    last.asns.length + first.asns.length <= MAX_SEGMENT_ASNS
  ) {
    out[out.length - 1] = { type: AsPathSegmentType.AsSequence, asns: [...last.asns, ...first.asns] };
    out.push(...as4.slice(1));
  } else {
    out.push(...as4);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Text, as FRR prints it: `65001 65002 {65003,65004} (65005 65006) [65007,65008]`

const open: Readonly<Record<number, string>> = { 1: '{', 2: '', 3: '(', 4: '[' };
const close: Readonly<Record<number, string>> = { 1: '}', 2: '', 3: ')', 4: ']' };

/** FRR's text of a path: sequences space-separated, `{a,b}` AS_SET, `(a b)` confed sequence, `[a,b]` confed set. */
export function formatAsPath(segments: readonly AsPathSegment[]): string {
  const parts: string[] = [];
  for (const s of segments) {
    const sep = s.type === AsPathSegmentType.AsSet || s.type === AsPathSegmentType.AsConfedSet ? ',' : ' ';
    parts.push(`${open[s.type] ?? `<${s.type}:`}${s.asns.join(sep)}${close[s.type] ?? '>'}`);
  }
  return parts.join(' ');
}

/** Parses `formatAsPath` text back into segments; adjacent plain ASNs form one AS_SEQUENCE. Throws a TypeError. */
export function parseAsPath(text: string): AsPathSegment[] {
  const segments: AsPathSegment[] = [];
  let sequence: number[] = [];
  const flush = (): void => {
    if (sequence.length > 0) segments.push({ type: AsPathSegmentType.AsSequence, asns: sequence });
    sequence = [];
  };
  const asn = (t: string): number => {
    if (!/^\d{1,10}$/.test(t) || Number(t) > 0xffffffff) throw new TypeError(`AS path ${JSON.stringify(text)}: bad ASN ${JSON.stringify(t)}`);
    return Number(t);
  };
  const re = /\{([^}]*)\}|\(([^)]*)\)|\[([^\]]*)\]|(\S+)/g;
  for (const m of text.matchAll(re)) {
    if (m[4] !== undefined) {
      sequence.push(asn(m[4]));
      continue;
    }
    flush();
    const [type, body] =
      m[1] !== undefined
        ? [AsPathSegmentType.AsSet, m[1]]
        : m[2] !== undefined
          ? [AsPathSegmentType.AsConfedSequence, m[2]]
          : [AsPathSegmentType.AsConfedSet, m[3] as string];
    const asns = body.split(/[\s,]+/).filter((t) => t !== '').map(asn);
    if (asns.length === 0) throw new TypeError(`AS path ${JSON.stringify(text)}: empty segment`);
    segments.push({ type, asns });
  }
  flush();
  return segments;
}
