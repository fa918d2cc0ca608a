/**
 * Parsers for the values that appear in policy configuration — ASNs, 32-bit numbers, `+N`/`-N` adjustments,
 * ORIGIN names, communities, large communities, prefix-list entries, regular expressions — shared by the FRR text
 * front end and the plain-object one so both accept the same values with the same words. Each returns the value
 * or an error message (a string), never throws.
 *
 * Imports the codec's community text parsers and its siblings.
 */
import { Origin, parseCommunity, parseLargeCommunity } from '../wire/index.js';
import { normaliseCommunities, normaliseLargeCommunities } from './community-list.js';
import { compileFrrRegex } from './frr-regex.js';
import { parseCidr } from './ip-prefix.js';
import { prefixRangeError } from './prefix-list.js';
import type { AddressFamily, AdjustableValue, LargeCommunityValue } from './types.js';

/** An error message, as opposed to a value. */
export class ValueError {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

export function isError(v: unknown): v is ValueError {
  return v instanceof ValueError;
}

const fail = (message: string): ValueError => new ValueError(message);

/** A decimal number from 0 to 2^32-1 (text or number). */
export function parseU32(v: unknown, what: string): number | ValueError {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 0xffffffff ? n : fail(`${what} must be an integer from 0 to 4294967295, not ${JSON.stringify(v)}`);
}

/** An integer within [min, max]. */
export function parseIntIn(v: unknown, min: number, max: number, what: string): number | ValueError {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= min && n <= max ? n : fail(`${what} must be an integer from ${min} to ${max}, not ${JSON.stringify(v)}`);
}

/** An ASN: asplain (`4200000000`) or asdot (`64086.59904`), RFC 5396. */
export function parseAsn(v: unknown): number | ValueError {
  if (typeof v === 'string') {
    const dot = /^(\d{1,5})\.(\d{1,5})$/.exec(v);
    if (dot) {
      const hi = Number(dot[1]);
      const lo = Number(dot[2]);
      if (hi <= 0xffff && lo <= 0xffff) return hi * 65536 + lo;
      return fail(`not an AS number: ${JSON.stringify(v)}`);
    }
  }
  const n = parseU32(v, 'an AS number');
  return isError(n) ? fail(`not an AS number: ${JSON.stringify(v)}`) : n;
}

/** `200`, `+10` or `-10` (FRR's route_value_compile). */
export function parseAdjustable(v: unknown, what: string): AdjustableValue | ValueError {
  if (typeof v === 'number') {
    const n = parseU32(v, what);
    return isError(n) ? n : { op: 'set', value: n };
  }
  if (typeof v === 'string') {
    const m = /^([+-]?)(\d{1,10})$/.exec(v);
    if (m && Number(m[2]) <= 0xffffffff) {
      return { op: m[1] === '+' ? 'add' : m[1] === '-' ? 'subtract' : 'set', value: Number(m[2]) };
    }
  }
  return fail(`${what} must be a value from 0 to 4294967295, or +N / -N to add or subtract, not ${JSON.stringify(v)}`);
}

/** `igp`, `egp` or `incomplete` (RFC 4271 §5.1.1). */
export function parseOrigin(v: unknown): number | ValueError {
  switch (v) {
    case 'igp':
      return Origin.Igp;
    case 'egp':
      return Origin.Egp;
    case 'incomplete':
      return Origin.Incomplete;
    default:
      return fail(`origin must be igp, egp or incomplete, not ${JSON.stringify(v)}`);
  }
}

/** Community values (`65000:1`, `no-export`, …); at least one. Sorted and unique, as FRR keeps them. */
export function parseCommunities(items: readonly unknown[]): number[] | ValueError {
  if (items.length === 0) return fail('at least one community is needed');
  const out: number[] = [];
  for (const item of items) {
    if (typeof item !== 'string') return fail(`not a community: ${JSON.stringify(item)}`);
    try {
      out.push(parseCommunity(item));
    } catch {
      return fail(`not a community: ${JSON.stringify(item)} (use AA:NN or a well-known name such as no-export)`);
    }
  }
  return normaliseCommunities(out);
}

/** Large community values (`65000:1:2`); at least one. Sorted and unique. */
export function parseLargeCommunities(items: readonly unknown[]): LargeCommunityValue[] | ValueError {
  if (items.length === 0) return fail('at least one large community is needed');
  const out: LargeCommunityValue[] = [];
  for (const item of items) {
    if (typeof item !== 'string') return fail(`not a large community: ${JSON.stringify(item)}`);
    try {
      out.push(parseLargeCommunity(item));
    } catch {
      return fail(`not a large community: ${JSON.stringify(item)} (use GLOBAL:LOCAL1:LOCAL2)`);
    }
  }
  return normaliseLargeCommunities(out);
}

/** A list of ASNs; at least one. */
export function parseAsns(items: readonly unknown[]): number[] | ValueError {
  if (items.length === 0) return fail('at least one AS number is needed');
  const out: number[] = [];
  for (const item of items) {
    const a = parseAsn(item);
    if (isError(a)) return a;
    out.push(a);
  }
  return out;
}

/** An FRR regular expression, checked by compiling it. */
export function checkRegex(v: unknown): string | ValueError {
  if (typeof v !== 'string' || v === '') return fail('a regular expression (non-empty text) is needed');
  const r = compileFrrRegex(v);
  return r instanceof RegExp ? v : fail(`${JSON.stringify(v)}: ${r.error}`);
}

/** A checked prefix-list entry value; `note` says when host bits were cleared (FRR says so too). */
export interface PrefixEntryValue {
  readonly afi: AddressFamily;
  readonly prefix: string;
  readonly ge?: number;
  readonly le?: number;
  readonly note?: string;
}

/** `prefix` with optional `ge`/`le`, in the family `afi` when given. */
export function parsePrefixEntry(prefix: unknown, ge: unknown, le: unknown, afi?: AddressFamily): PrefixEntryValue | ValueError {
  const p = typeof prefix === 'string' ? parseCidr(prefix, afi) : undefined;
  if (!p) {
    const fam = afi === 1 ? 'an IPv4 ' : afi === 2 ? 'an IPv6 ' : 'a ';
    return fail(`${fam}prefix (address/length) is needed, not ${JSON.stringify(prefix)}`);
  }
  const bound = (v: unknown, name: string): number | undefined | ValueError =>
    v === undefined ? undefined : parseIntIn(v, 0, p.afi === 1 ? 32 : 128, name);
  const g = bound(ge, 'ge');
  if (isError(g)) return g;
  const l = bound(le, 'le');
  if (isError(l)) return l;
  const range = prefixRangeError(p.afi, p.length, g, l);
  if (range) return fail(`${p.text}: ${range}`);
  const out: { afi: AddressFamily; prefix: string; ge?: number; le?: number; note?: string } = { afi: p.afi, prefix: p.text };
  if (g !== undefined) out.ge = g;
  if (l !== undefined) out.le = l;
  if (p.hostBitsCleared) out.note = `prefix changed from ${String(prefix)} to ${p.text} to match length`;
  return out;
}

/** FRR's next automatic sequence number: the next multiple of 5 above the highest in use. */
export function nextAutoSeq(seqs: Iterable<number>): number {
  let max = 0;
  for (const s of seqs) if (s > max) max = s;
  return Math.min(Math.floor(max / 5) * 5 + 5, 0xffffffff);
}
