/**
 * Community lists (`bgp community-list`, RFC 1997 values) and large community lists (`bgp large-community-list`,
 * RFC 8092 values), with FRR's semantics (bgpd/bgp_clist.c):
 *
 * - Entries are tried in sequence order; the first that matches decides; none → no match.
 * - A standard entry matches when every value it lists is on the route (`match community NAME`), when the route
 *   carries exactly those values (`… exact-match`), or — `… any` — when some single value of the route is listed.
 * - An expanded entry is an FRR regular expression searched in the text of the route's values as FRR prints them,
 *   sorted and without duplicates as FRR stores them (`65000:1 65000:2 no-export`; `1:2:3 4:5:6`); a route
 *   without the attribute is the empty text, so `^$` matches it. For `any` and for deletion the expression is
 *   tried against each value alone (there 0 prints as `0:0`, not `internet`, as in FRR's community_str_get).
 * - `set comm-list NAME delete` removes each value whose first matching entry permits; the attribute disappears
 *   when nothing is left.
 *
 * Results depend only on the attribute value, and the RIB hands out interned, frozen attributes, so each list
 * remembers its answer per attribute object (a WeakMap): a full table sharing a few thousand attribute sets runs
 * each regular expression a few thousand times, not once per prefix.
 *
 * Imports the codec's community text and the regex translator.
 */
import { formatCommunity, formatLargeCommunity } from '../wire/index.js';
import { compileFrrRegex } from './frr-regex.js';
import type {
  CommunityListDefinition,
  CommunityListEntry,
  CommunityMatchMode,
  LargeCommunityListDefinition,
  LargeCommunityValue,
} from './types.js';

/** How one kind of value is compared and printed. */
interface ValueKind<V> {
  readonly key: (v: V) => string | number;
  readonly compare: (a: V, b: V) => number;
  /** As in the full text of the attribute. */
  readonly format: (v: V) => string;
  /** As FRR prints one value for `any` and deletion. */
  readonly formatOne: (v: V) => string;
}

const communityKind: ValueKind<number> = {
  key: (v) => v,
  compare: (a, b) => a - b,
  format: formatCommunity,
  formatOne: (v) => (v === 0 ? '0:0' : formatCommunity(v)),
};

const largeKind: ValueKind<LargeCommunityValue> = {
  key: (v) => `${v[0]}:${v[1]}:${v[2]}`,
  compare: (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2],
  format: formatLargeCommunity,
  formatOne: formatLargeCommunity,
};

interface CompiledEntry {
  readonly permit: boolean;
  /** Standard: the keys of its values. */
  readonly keys?: ReadonlySet<string | number>;
  readonly regex?: RegExp;
}

/** Stands for "the route has no such attribute" in the per-attribute caches. */
const ABSENT = Object.freeze({});

/** Sorted and without duplicates, as FRR stores community values (community_uniq_sort). */
function uniqSorted<V>(kind: ValueKind<V>, values: readonly V[]): V[] {
  const sorted = values.slice().sort(kind.compare);
  return sorted.filter((v, i) => i === 0 || kind.compare(v, sorted[i - 1] as V) !== 0);
}

class ValueList<V> {
  readonly name: string;
  readonly style: 'standard' | 'expanded';
  private readonly kind: ValueKind<V>;
  private readonly compiled: readonly CompiledEntry[];
  private readonly cache: Record<CommunityMatchMode, WeakMap<object, boolean>> = {
    default: new WeakMap(),
    exact: new WeakMap(),
    any: new WeakMap(),
  };

  constructor(kind: ValueKind<V>, name: string, style: 'standard' | 'expanded', entries: readonly CommunityListEntry<V>[]) {
    this.name = name;
    this.style = style;
    this.kind = kind;
    this.compiled = entries.map((e) => {
      const permit = e.action === 'permit';
      if ('regex' in e) {
        const regex = compileFrrRegex(e.regex);
        if (!(regex instanceof RegExp)) throw new TypeError(`community list ${name} seq ${e.seq}: ${regex.error}`);
        return { permit, regex };
      }
      return { permit, keys: new Set(e.values.map(kind.key)) };
    });
  }

  /**
   * Whether the list matches a route's values (undefined = no attribute). `attr` is the attribute object the values
   * came from, the cache key; pass undefined to skip caching.
   */
  matches(values: readonly V[] | undefined, mode: CommunityMatchMode, attr?: object): boolean {
    const key = attr ?? (values === undefined ? ABSENT : undefined);
    const cache = this.cache[mode];
    if (key !== undefined) {
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
    }
    const result = this.evaluate(values === undefined ? undefined : uniqSorted(this.kind, values), mode);
    if (key !== undefined) cache.set(key, result);
    return result;
  }

  private evaluate(values: readonly V[] | undefined, mode: CommunityMatchMode): boolean {
    const k = this.kind;
    if (mode === 'any') {
      // bgp_clist.c community_list_any_match: values outside, entries inside; the first hit decides.
      for (const v of values ?? []) {
        for (const e of this.compiled) {
          if (e.keys ? e.keys.has(k.key(v)) : (e.regex as RegExp).test(k.formatOne(v))) return e.permit;
        }
      }
      return false;
    }
    const keys = values?.map(k.key);
    let present: ReadonlySet<string | number> | undefined;
    let text: string | undefined;
    for (const e of this.compiled) {
      let hit: boolean;
      if (e.regex) {
        text ??= values === undefined ? '' : values.map(k.format).join(' ');
        hit = e.regex.test(text);
      } else if (keys === undefined) {
        hit = false;
      } else if (mode === 'exact') {
        const entryKeys = e.keys as ReadonlySet<string | number>;
        hit = keys.length === entryKeys.size && keys.every((key) => entryKeys.has(key));
      } else {
        const have = (present ??= new Set(keys));
        hit = [...(e.keys as ReadonlySet<string | number>)].every((key) => have.has(key));
      }
      if (hit) return e.permit;
    }
    return false;
  }

  /**
   * `set comm-list NAME delete`: the values left after removing those whose first matching entry permits, sorted
   * and unique as FRR leaves them; the input array itself when nothing is removed.
   */
  deleteFrom(values: readonly V[]): readonly V[] {
    const k = this.kind;
    const kept = values.filter((v) => {
      for (const e of this.compiled) {
        if (e.keys ? e.keys.has(k.key(v)) : (e.regex as RegExp).test(k.formatOne(v))) return !e.permit;
      }
      return true;
    });
    return kept.length === values.length ? values : uniqSorted(k, kept);
  }
}

export class CommunityList extends ValueList<number> {
  constructor(def: CommunityListDefinition) {
    super(communityKind, def.name, def.style, def.entries);
  }
}

export class LargeCommunityList extends ValueList<LargeCommunityValue> {
  constructor(def: LargeCommunityListDefinition) {
    super(largeKind, def.name, def.style, def.entries);
  }
}

/** `set community … additive`: the union, sorted and unique (FRR: community_merge + community_uniq_sort). */
export function mergeCommunities(a: readonly number[], b: readonly number[]): number[] {
  return uniqSorted(communityKind, [...a, ...b]);
}

export function mergeLargeCommunities(a: readonly LargeCommunityValue[], b: readonly LargeCommunityValue[]): LargeCommunityValue[] {
  return uniqSorted(largeKind, [...a, ...b]);
}

/** Sorted and unique, as FRR keeps configured values. */
export function normaliseCommunities(values: readonly number[]): number[] {
  return uniqSorted(communityKind, values);
}

export function normaliseLargeCommunities(values: readonly LargeCommunityValue[]): LargeCommunityValue[] {
  return uniqSorted(largeKind, values);
}
