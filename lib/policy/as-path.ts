/**
 * AS-path access lists (`bgp as-path access-list`) and the AS_PATH edits of route maps, with FRR's semantics.
 *
 * Matching (bgpd/bgp_filter.c as_list_apply): entries in sequence order, each an FRR regular expression searched
 * in the path as FRR prints it (`65101 65102 {1,2}`, confederation segments in `( )` and `[ ]`, the empty path as
 * the empty text); the first entry that matches decides; none → deny. As with community lists, the answer is kept
 * per (interned, frozen) AS_PATH attribute object.
 *
 * Edits (RFC 4271 §5.1.2, FRR's aspath_prepend / aspath_filter_exclude):
 * - prepend puts the ASNs in front, into the leading AS_SEQUENCE when there is one, else as a new AS_SEQUENCE;
 *   a leading AS_CONFED_SEQUENCE is dropped first (RFC 5065 §5.3: confederation segments are removed when a route
 *   leaves the confederation, and prepending is what happens then); segments stay within 255 ASNs (RFC 4271 §4.3);
 * - `last-as N` prepends the leftmost ASN N more times, and does nothing when the path does not start with an
 *   AS_SEQUENCE (FRR's aspath_leftmost is 0 then);
 * - exclude removes the ASNs everywhere and drops segments that become empty.
 *
 * Imports the codec's AS_PATH text and constants.
 */
import { AsPathSegmentType, formatAsPath, type AsPathAttribute, type AsPathSegment } from '../wire/index.js';
import { compileFrrRegex } from './frr-regex.js';
import type { AsPathListDefinition, AsPathListEntry } from './types.js';

const MAX_SEGMENT_ASNS = 255;

const textCache = new WeakMap<AsPathAttribute, string>();

/** The AS path as FRR prints it; the empty text when there is no AS_PATH (a locally originated route). */
export function asPathText(attr: AsPathAttribute | undefined): string {
  if (attr === undefined) return '';
  let text = textCache.get(attr);
  if (text === undefined) {
    text = formatAsPath(attr.segments);
    textCache.set(attr, text);
  }
  return text;
}

const ABSENT = Object.freeze({});

export class AsPathList {
  readonly name: string;
  readonly entries: readonly AsPathListEntry[];
  private readonly regexes: readonly RegExp[];
  private readonly permit: readonly boolean[];
  private readonly cache = new WeakMap<object, boolean>();

  constructor(def: AsPathListDefinition) {
    this.name = def.name;
    this.entries = def.entries;
    this.regexes = def.entries.map((e) => {
      const r = compileFrrRegex(e.regex);
      if (!(r instanceof RegExp)) throw new TypeError(`as-path access-list ${def.name} seq ${e.seq}: ${r.error}`);
      return r;
    });
    this.permit = def.entries.map((e) => e.action === 'permit');
  }

  /** True when the first matching entry permits (FRR: anything but AS_FILTER_DENY). */
  permits(attr: AsPathAttribute | undefined): boolean {
    const key = attr ?? ABSENT;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const result = this.permitsText(asPathText(attr));
    this.cache.set(key, result);
    return result;
  }

  /** Applies the list to AS path text directly. */
  permitsText(text: string): boolean {
    for (let i = 0; i < this.regexes.length; i++) {
      if ((this.regexes[i] as RegExp).test(text)) return this.permit[i] as boolean;
    }
    return false;
  }
}

/** Splits a run of ASNs into AS_SEQUENCE segments of at most 255. */
function sequences(asns: readonly number[]): AsPathSegment[] {
  const out: AsPathSegment[] = [];
  for (let i = 0; i < asns.length; i += MAX_SEGMENT_ASNS) {
    out.push({ type: AsPathSegmentType.AsSequence, asns: asns.slice(i, i + MAX_SEGMENT_ASNS) });
  }
  return out;
}

/** The path with `asns` (in this order) in front. */
export function prependAsns(segments: readonly AsPathSegment[], asns: readonly number[]): AsPathSegment[] {
  if (asns.length === 0) return segments.slice();
  let rest = segments;
  if (rest[0]?.type === AsPathSegmentType.AsConfedSequence) {
    let i = 0;
    while (
      i < rest.length &&
      (rest[i]?.type === AsPathSegmentType.AsConfedSequence || rest[i]?.type === AsPathSegmentType.AsConfedSet)
    ) {
      i++;
    }
    rest = rest.slice(i);
  }
  const first = rest[0];
  if (first?.type === AsPathSegmentType.AsSequence) {
    return [...sequences([...asns, ...first.asns]), ...rest.slice(1)];
  }
  return [...sequences(asns), ...rest];
}

/** FRR's aspath_leftmost: the first ASN when the path starts with an AS_SEQUENCE, else 0. */
export function leftmostAs(segments: readonly AsPathSegment[]): number {
  const first = segments[0];
  return first?.type === AsPathSegmentType.AsSequence ? (first.asns[0] ?? 0) : 0;
}

/** The path without the given ASNs (all of them for `'all'`), empty segments dropped. */
export function excludeAsns(segments: readonly AsPathSegment[], asns: readonly number[] | 'all'): AsPathSegment[] {
  if (asns === 'all') return [];
  const drop = new Set(asns);
  const out: AsPathSegment[] = [];
  for (const s of segments) {
    const kept = s.asns.filter((a) => !drop.has(a));
    if (kept.length === s.asns.length) out.push(s);
    else if (kept.length > 0) out.push({ type: s.type, asns: kept });
  }
  return out;
}
