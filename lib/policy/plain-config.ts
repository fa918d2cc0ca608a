/**
 * tsbgpd's own policy configuration — plain objects, as YAML or JSON gives them — validated into a
 * `PolicyDefinition` and compiled into the same `PolicySet` the FRR text yields:
 *
 *   prefixLists:         { PL: [{ seq: 5, action: permit, prefix: 10.8.0.0/16, le: 32 }] }
 *   communityLists:      { CL: [{ action: permit, communities: ['65000:1', no-export] }] }     # or regex: '…'
 *   largeCommunityLists: { LL: [{ action: permit, communities: ['65000:1:2'] }] }              # or regex: '…'
 *   asPathLists:         { AP: [{ action: permit, regex: '^65101_' }] }
 *   routeMaps:
 *     Permit-Any: [{ seq: 100, action: permit }]
 *     IN: [{ seq: 10, action: permit, match: { prefixList: PL }, set: { localPreference: 200 }, onMatch: next }]
 *
 * One prefix list may hold IPv4 and IPv6 entries: they become FRR's `ip` and `ipv6` lists of that name, and
 * `match.prefixList` applies the one of the route's family (`ipPrefixList` / `ipv6PrefixList` name one family,
 * as FRR's commands do). `seq` may be left out in lists (FRR's next multiple of 5) but not in route maps.
 * Where FRR quietly accepts something that is almost surely a mistake — an empty prefix list (which would permit
 * everything), a repeated sequence number or entry, an unknown field — this form refuses it. Every error names
 * the field by its path (`routeMaps.IN[0].set.localPreference`) and says why; all errors are reported at once.
 *
 * Imports its siblings only.
 */
import { normaliseAddress, parseAddressWords, parseCidr } from './ip-prefix.js';
import { PolicySet } from './policy-set.js';
import {
  sortMatchClauses,
  sortSetClauses,
  type AddressFamily,
  type AsPathListDefinition,
  type CommunityListEntry,
  type CommunityMatchMode,
  type LargeCommunityValue,
  type MatchClause,
  type OnMatch,
  type PolicyAction,
  type PolicyDefinition,
  type PrefixListDefinition,
  type PrefixListEntry,
  type RouteMapDefinition,
  type RouteMapEntry,
  type SetClause,
} from './types.js';
import {
  checkRegex,
  isError,
  nextAutoSeq,
  parseAdjustable,
  parseAsns,
  parseCommunities,
  parseIntIn,
  parseLargeCommunities,
  parseOrigin,
  parsePrefixEntry,
  parseU32,
  type ValueError,
} from './values.js';

export interface ConfigFieldError {
  /** Where, e.g. `routeMaps.IN[0].set.localPreference`. */
  readonly path: string;
  readonly message: string;
}

export type PlainParseResult =
  | { readonly ok: true; readonly definition: PolicyDefinition; readonly policies: PolicySet; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly errors: readonly ConfigFieldError[]; readonly warnings: readonly string[] };

type Obj = Readonly<Record<string, unknown>>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `a.b`, `a[0]`, or `a["odd name"]`. */
function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (/^[A-Za-z_][\w-]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

class Validator {
  readonly errors: ConfigFieldError[] = [];
  readonly warnings: string[] = [];

  err(path: string, message: string): undefined {
    this.errors.push({ path, message });
    return undefined;
  }

  /** The value, or undefined after recording the error at `path`. */
  take<T>(path: string, v: T | ValueError): T | undefined {
    return isError(v) ? this.err(path, v.message) : v;
  }

  keys(o: Obj, path: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) this.err(at(path, k), `unknown field (expected one of: ${allowed.join(', ')})`);
  }

  action(v: unknown, path: string): PolicyAction | undefined {
    return v === 'permit' || v === 'deny' ? v : this.err(path, `must be permit or deny, not ${JSON.stringify(v)}`);
  }

  name(v: unknown, path: string): string | undefined {
    return typeof v === 'string' && /^\S+$/.test(v) ? v : this.err(path, `must be a name (text without spaces), not ${JSON.stringify(v)}`);
  }

  /** `{ NAME: [entries…] }` → calls `each` for every entry, with its path. */
  lists(v: unknown, path: string, each: (name: string, entries: readonly unknown[], path: string) => void): void {
    if (v === undefined) return;
    if (!isObj(v)) return void this.err(path, 'must be a mapping from names to lists of entries');
    for (const [name, entries] of Object.entries(v)) {
      const p = at(path, name);
      if (this.name(name, p) === undefined) continue;
      if (!Array.isArray(entries)) this.err(p, 'must be a list of entries');
      else each(name, entries, p);
    }
  }

  /** The entry's `seq`, or the next automatic one; records a repeat. */
  seq(e: Obj, path: string, used: Map<number, number>, index: number, min: number): number | undefined {
    let seq: number | undefined;
    if (e['seq'] === undefined) seq = nextAutoSeq(used.keys());
    else seq = this.take(at(path, 'seq'), parseIntIn(e['seq'], min, 0xffffffff, 'seq'));
    if (seq === undefined) return undefined;
    const other = used.get(seq);
    if (other !== undefined) return this.err(at(path, 'seq'), `sequence number ${seq} is also used by entry [${other}]`);
    used.set(seq, index);
    return seq;
  }
}

function prefixLists(v: unknown, ctx: Validator): PrefixListDefinition[] {
  const out: PrefixListDefinition[] = [];
  ctx.lists(v, 'prefixLists', (name, entries, path) => {
    if (entries.length === 0) return void ctx.err(path, 'an empty prefix list would permit every prefix; give at least one entry');
    const byFamily: Record<AddressFamily, PrefixListEntry[]> = { 1: [], 2: [] };
    const used: Record<AddressFamily, Map<number, number>> = { 1: new Map(), 2: new Map() };
    entries.forEach((e, i) => {
      const p = at(path, i);
      if (!isObj(e)) return void ctx.err(p, 'must be an object with action and prefix');
      ctx.keys(e, p, ['seq', 'action', 'prefix', 'ge', 'le']);
      const action = ctx.action(e['action'], at(p, 'action'));
      if (e['prefix'] === 'any') return void ctx.err(at(p, 'prefix'), '"any" has no family here; write 0.0.0.0/0 le 32 or ::/0 le 128');
      if (typeof e['prefix'] !== 'string' || !parseCidr(e['prefix'])) {
        return void ctx.err(at(p, 'prefix'), `must be an IPv4 or IPv6 prefix (address/length), not ${JSON.stringify(e['prefix'])}`);
      }
      const value = parsePrefixEntry(e['prefix'], e['ge'], e['le']);
      if (isError(value)) {
        const field = value.message.startsWith('ge ') ? 'ge' : value.message.startsWith('le ') ? 'le' : undefined;
        return void ctx.err(field ? at(p, field) : p, value.message);
      }
      if (value.note) ctx.warnings.push(`${p}: ${value.note}`);
      const seq = ctx.seq(e, p, used[value.afi], i, 1);
      if (action === undefined || seq === undefined) return;
      const entry: PrefixListEntry = { seq, action, prefix: value.prefix, ...(value.ge !== undefined && { ge: value.ge }), ...(value.le !== undefined && { le: value.le }) };
      const dup = byFamily[value.afi].find((x) => x.action === entry.action && x.prefix === entry.prefix && x.ge === entry.ge && x.le === entry.le);
      if (dup) return void ctx.err(p, `repeats the entry with seq ${dup.seq}`);
      byFamily[value.afi].push(entry);
    });
    for (const afi of [1, 2] as const) {
      if (byFamily[afi].length > 0) out.push({ name, afi, entries: byFamily[afi].sort((a, b) => a.seq - b.seq) });
    }
  });
  return out;
}

function valueLists<V>(
  v: unknown,
  field: string,
  ctx: Validator,
  parseValues: (items: readonly unknown[]) => V[] | ValueError,
): { name: string; style: 'standard' | 'expanded'; entries: CommunityListEntry<V>[] }[] {
  const out: { name: string; style: 'standard' | 'expanded'; entries: CommunityListEntry<V>[] }[] = [];
  ctx.lists(v, field, (name, entries, path) => {
    if (entries.length === 0) return void ctx.err(path, 'give at least one entry');
    let style: 'standard' | 'expanded' | undefined;
    const used = new Map<number, number>();
    const list: CommunityListEntry<V>[] = [];
    entries.forEach((e, i) => {
      const p = at(path, i);
      if (!isObj(e)) return void ctx.err(p, 'must be an object with action and communities (or regex)');
      ctx.keys(e, p, ['seq', 'action', 'communities', 'regex']);
      const action = ctx.action(e['action'], at(p, 'action'));
      const expanded = e['regex'] !== undefined;
      if (expanded === (e['communities'] !== undefined)) return void ctx.err(p, 'give either communities (standard) or regex (expanded)');
      const entryStyle = expanded ? 'expanded' : 'standard';
      if (style !== undefined && style !== entryStyle) return void ctx.err(p, `a list is standard or expanded, not both; earlier entries are ${style}`);
      style = entryStyle;
      const seq = ctx.seq(e, p, used, i, 0);
      let entry: CommunityListEntry<V> | undefined;
      if (expanded) {
        const regex = ctx.take(at(p, 'regex'), checkRegex(e['regex']));
        if (regex !== undefined && action !== undefined && seq !== undefined) entry = { seq, action, regex };
      } else if (!Array.isArray(e['communities'])) {
        ctx.err(at(p, 'communities'), 'must be a list');
      } else {
        const values = ctx.take(at(p, 'communities'), parseValues(e['communities']));
        if (values !== undefined && action !== undefined && seq !== undefined) entry = { seq, action, values };
      }
      if (entry !== undefined) list.push(entry);
    });
    if (style !== undefined) out.push({ name, style, entries: list.sort((a, b) => a.seq - b.seq) });
  });
  return out;
}

function asPathLists(v: unknown, ctx: Validator): AsPathListDefinition[] {
  const out: AsPathListDefinition[] = [];
  ctx.lists(v, 'asPathLists', (name, entries, path) => {
    if (entries.length === 0) return void ctx.err(path, 'give at least one entry');
    const used = new Map<number, number>();
    const list: { seq: number; action: PolicyAction; regex: string }[] = [];
    entries.forEach((e, i) => {
      const p = at(path, i);
      if (!isObj(e)) return void ctx.err(p, 'must be an object with action and regex');
      ctx.keys(e, p, ['seq', 'action', 'regex']);
      const action = ctx.action(e['action'], at(p, 'action'));
      const regex = ctx.take(at(p, 'regex'), checkRegex(e['regex']));
      const seq = ctx.seq(e, p, used, i, 0);
      if (action !== undefined && regex !== undefined && seq !== undefined) list.push({ seq, action, regex });
    });
    out.push({ name, entries: list.sort((a, b) => a.seq - b.seq) });
  });
  return out;
}

const matchFields = [
  'prefixList',
  'ipPrefixList',
  'ipv6PrefixList',
  'nextHopPrefixList',
  'ipNextHopPrefixList',
  'ipv6NextHopPrefixList',
  'community',
  'largeCommunity',
  'asPath',
  'metric',
  'localPreference',
  'origin',
  'peer',
] as const;

function communityMatch(v: unknown, path: string, ctx: Validator): { list: string; mode: CommunityMatchMode } | undefined {
  if (typeof v === 'string') return ctx.name(v, path) === undefined ? undefined : { list: v, mode: 'default' };
  if (!isObj(v)) return ctx.err(path, 'must be a list name, or { list, exactMatch?, any? }');
  ctx.keys(v, path, ['list', 'exactMatch', 'any']);
  const list = ctx.name(v['list'], at(path, 'list'));
  for (const k of ['exactMatch', 'any']) if (v[k] !== undefined && typeof v[k] !== 'boolean') ctx.err(at(path, k), 'must be true or false');
  if (v['exactMatch'] === true && v['any'] === true) return ctx.err(path, 'exactMatch and any exclude each other');
  if (list === undefined) return undefined;
  return { list, mode: v['exactMatch'] === true ? 'exact' : v['any'] === true ? 'any' : 'default' };
}

function matchClauses(m: unknown, path: string, ctx: Validator): MatchClause[] {
  if (m === undefined) return [];
  if (!isObj(m)) return ctx.err(path, 'must be an object of match clauses') ?? [];
  ctx.keys(m, path, matchFields);
  const out: MatchClause[] = [];
  const add = (c: MatchClause | undefined): void => void (c && out.push(c));
  const lists = [
    ['prefixList', 'prefix-list', 'any'],
    ['ipPrefixList', 'prefix-list', 'ipv4'],
    ['ipv6PrefixList', 'prefix-list', 'ipv6'],
    ['nextHopPrefixList', 'next-hop-prefix-list', 'any'],
    ['ipNextHopPrefixList', 'next-hop-prefix-list', 'ipv4'],
    ['ipv6NextHopPrefixList', 'next-hop-prefix-list', 'ipv6'],
  ] as const;
  for (const [field, kind, family] of lists) {
    if (m[field] === undefined) continue;
    const list = ctx.name(m[field], at(path, field));
    if (list !== undefined) add({ kind, family, list });
  }
  for (const field of ['community', 'largeCommunity'] as const) {
    if (m[field] === undefined) continue;
    const c = communityMatch(m[field], at(path, field), ctx);
    if (c) add({ kind: field === 'community' ? 'community' : 'large-community', ...c });
  }
  if (m['asPath'] !== undefined) {
    const list = ctx.name(m['asPath'], at(path, 'asPath'));
    if (list !== undefined) add({ kind: 'as-path', list });
  }
  for (const [field, kind] of [['metric', 'metric'], ['localPreference', 'local-preference']] as const) {
    if (m[field] === undefined) continue;
    const value = ctx.take(at(path, field), parseU32(m[field], field));
    if (value !== undefined) add({ kind, value });
  }
  if (m['origin'] !== undefined) {
    const origin = ctx.take(at(path, 'origin'), parseOrigin(m['origin']));
    if (origin !== undefined) add({ kind: 'origin', origin });
  }
  if (m['peer'] !== undefined) {
    const address = typeof m['peer'] === 'string' ? normaliseAddress(m['peer']) : undefined;
    if (address === undefined) ctx.err(at(path, 'peer'), `must be an IPv4 or IPv6 address, not ${JSON.stringify(m['peer'])}`);
    else add({ kind: 'peer', address });
  }
  return sortMatchClauses(out);
}

const setFields = [
  'origin',
  'localPreference',
  'metric',
  'community',
  'communityDelete',
  'largeCommunity',
  'largeCommunityDelete',
  'asPathPrepend',
  'asPathExclude',
  'nextHop',
  'weight',
] as const;

/** `[values]` (replace), `none`, or `{ values, additive }`. */
function communitySet<V>(
  v: unknown,
  path: string,
  ctx: Validator,
  parse: (items: readonly unknown[]) => V[] | ValueError,
): { values: V[] | 'none'; additive: boolean } | undefined {
  if (v === 'none') return { values: 'none', additive: false };
  if (Array.isArray(v)) {
    const values = ctx.take(path, parse(v));
    return values && { values, additive: false };
  }
  if (!isObj(v)) return ctx.err(path, 'must be a list of values, "none", or { values, additive }');
  ctx.keys(v, path, ['values', 'additive']);
  if (v['additive'] !== undefined && typeof v['additive'] !== 'boolean') ctx.err(at(path, 'additive'), 'must be true or false');
  if (!Array.isArray(v['values'])) return ctx.err(at(path, 'values'), 'must be a list');
  const values = ctx.take(at(path, 'values'), parse(v['values']));
  return values && { values, additive: v['additive'] === true };
}

function setClauses(s: unknown, path: string, ctx: Validator): SetClause[] {
  if (s === undefined) return [];
  if (!isObj(s)) return ctx.err(path, 'must be an object of set clauses') ?? [];
  ctx.keys(s, path, setFields);
  const out: SetClause[] = [];
  if (s['weight'] !== undefined) ctx.err(at(path, 'weight'), 'not supported: weight is local to a router, not a path attribute');
  if (s['origin'] !== undefined) {
    const origin = ctx.take(at(path, 'origin'), parseOrigin(s['origin']));
    if (origin !== undefined) out.push({ kind: 'origin', origin });
  }
  for (const [field, kind] of [['localPreference', 'local-preference'], ['metric', 'metric']] as const) {
    if (s[field] === undefined) continue;
    const value = ctx.take(at(path, field), parseAdjustable(s[field], field));
    if (value !== undefined) out.push({ kind, value });
  }
  if (s['community'] !== undefined) {
    const c = communitySet(s['community'], at(path, 'community'), ctx, parseCommunities);
    if (c) out.push({ kind: 'community', ...c });
  }
  if (s['largeCommunity'] !== undefined) {
    const c = communitySet<LargeCommunityValue>(s['largeCommunity'], at(path, 'largeCommunity'), ctx, parseLargeCommunities);
    if (c) out.push({ kind: 'large-community', ...c });
  }
  for (const [field, kind] of [['communityDelete', 'community-delete'], ['largeCommunityDelete', 'large-community-delete']] as const) {
    if (s[field] === undefined) continue;
    const list = ctx.name(s[field], at(path, field));
    if (list !== undefined) out.push({ kind, list });
  }
  const prepend = s['asPathPrepend'];
  if (prepend !== undefined) {
    const p = at(path, 'asPathPrepend');
    if (Array.isArray(prepend)) {
      const asns = ctx.take(p, parseAsns(prepend));
      if (asns) out.push({ kind: 'as-path-prepend', asns });
    } else if (isObj(prepend)) {
      ctx.keys(prepend, p, ['lastAs']);
      const count = ctx.take(at(p, 'lastAs'), parseIntIn(prepend['lastAs'], 1, 10, 'lastAs'));
      if (count !== undefined) out.push({ kind: 'as-path-prepend-last-as', count });
    } else {
      ctx.err(p, 'must be a list of AS numbers or { lastAs: 1..10 }');
    }
  }
  const exclude = s['asPathExclude'];
  if (exclude !== undefined) {
    const p = at(path, 'asPathExclude');
    if (exclude === 'all') out.push({ kind: 'as-path-exclude', asns: 'all' });
    else if (!Array.isArray(exclude)) ctx.err(p, 'must be a list of AS numbers or "all"');
    else {
      const asns = ctx.take(p, parseAsns(exclude));
      if (asns) out.push({ kind: 'as-path-exclude', asns });
    }
  }
  const nh = s['nextHop'];
  if (nh !== undefined) {
    if (nh === 'peer-address' || nh === 'self') out.push({ kind: 'next-hop', family: 'any', value: nh });
    else {
      const parsed = typeof nh === 'string' ? parseAddressWords(nh) : undefined;
      if (!parsed) ctx.err(at(path, 'nextHop'), `must be an IPv4 or IPv6 address, peer-address or self, not ${JSON.stringify(nh)}`);
      else out.push({ kind: 'next-hop', family: parsed.afi === 1 ? 'ipv4' : 'ipv6', value: { address: normaliseAddress(nh as string) as string } });
    }
  }
  return sortSetClauses(out);
}

function routeMaps(v: unknown, ctx: Validator): RouteMapDefinition[] {
  const out: RouteMapDefinition[] = [];
  ctx.lists(v, 'routeMaps', (name, entries, path) => {
    const seen = new Map<number, number>();
    const list: RouteMapEntry[] = [];
    entries.forEach((e, i) => {
      const p = at(path, i);
      if (!isObj(e)) return void ctx.err(p, 'must be an object with seq and action');
      ctx.keys(e, p, ['seq', 'action', 'description', 'match', 'set', 'onMatch', 'call']);
      let seq = ctx.take(at(p, 'seq'), parseIntIn(e['seq'], 1, 65535, 'seq'));
      if (seq !== undefined && seen.has(seq)) seq = ctx.err(at(p, 'seq'), `sequence number ${seq} is also used by entry [${seen.get(seq)}]`);
      if (seq !== undefined) seen.set(seq, i);
      const action = ctx.action(e['action'], at(p, 'action'));
      if (e['description'] !== undefined && typeof e['description'] !== 'string') ctx.err(at(p, 'description'), 'must be text');
      const match = matchClauses(e['match'], at(p, 'match'), ctx);
      const set = setClauses(e['set'], at(p, 'set'), ctx);
      let onMatch: OnMatch | undefined;
      const om = e['onMatch'];
      if (om === 'next') onMatch = { kind: 'next' };
      else if (isObj(om)) {
        ctx.keys(om, at(p, 'onMatch'), ['goto']);
        const target = ctx.take(at(at(p, 'onMatch'), 'goto'), parseIntIn(om['goto'], 1, 65535, 'goto'));
        if (target !== undefined && seq !== undefined && target <= seq) ctx.err(at(at(p, 'onMatch'), 'goto'), `cannot jump backwards: ${target} is not after ${seq}`);
        else if (target !== undefined) onMatch = { kind: 'goto', seq: target };
      } else if (om !== undefined) ctx.err(at(p, 'onMatch'), 'must be "next" or { goto: SEQ }');
      const call = e['call'] === undefined ? undefined : ctx.name(e['call'], at(p, 'call'));
      if (seq === undefined || action === undefined) return;
      list.push({
        seq,
        action,
        ...(typeof e['description'] === 'string' && { description: e['description'] }),
        match,
        set,
        ...(onMatch !== undefined && { onMatch }),
        ...(call !== undefined && { call }),
      });
    });
    out.push({ name, entries: list.sort((a, b) => a.seq - b.seq) });
  });
  return out;
}

/** Validates and compiles tsbgpd's plain-object policy configuration. */
export function parsePlainPolicy(config: unknown): PlainParseResult {
  const ctx = new Validator();
  if (config === undefined || config === null) config = {};
  if (!isObj(config)) return { ok: false, errors: [{ path: '', message: 'must be an object' }], warnings: [] };
  ctx.keys(config, '', ['prefixLists', 'communityLists', 'largeCommunityLists', 'asPathLists', 'routeMaps']);
  const definition: PolicyDefinition = {
    prefixLists: prefixLists(config['prefixLists'], ctx),
    communityLists: valueLists(config['communityLists'], 'communityLists', ctx, parseCommunities),
    largeCommunityLists: valueLists<LargeCommunityValue>(config['largeCommunityLists'], 'largeCommunityLists', ctx, parseLargeCommunities),
    asPathLists: asPathLists(config['asPathLists'], ctx),
    routeMaps: routeMaps(config['routeMaps'], ctx),
  };
  if (ctx.errors.length > 0) return { ok: false, errors: ctx.errors, warnings: ctx.warnings };
  try {
    const policies = new PolicySet(definition);
    return { ok: true, definition, policies, warnings: [...ctx.warnings, ...policies.warnings] };
  } catch (e) {
    return { ok: false, errors: [{ path: '', message: (e as Error).message }], warnings: ctx.warnings };
  }
}
