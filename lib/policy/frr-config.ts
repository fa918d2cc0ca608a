/**
 * FRR-style configuration text for policy objects → a `PolicyDefinition` and its compiled `PolicySet`.
 *
 * Reads the lines FRR writes and vtysh accepts (pfSense's FRR package produces the same):
 *
 *   route-map Permit-Any permit 100                     (then match / set / on-match / continue / call /
 *    match ip address prefix-list PL                      description lines, indented or not, until the next
 *    set local-preference 200                             top-level command or `exit`)
 *   ip prefix-list PL seq 5 permit 10.8.0.0/16 le 32    ipv6 prefix-list …, `… description TEXT`, `… permit any`
 *   bgp community-list standard CL permit 65000:1       `expanded NAME … REGEX`, numbered lists 1-99 / 100-500
 *   bgp large-community-list standard LL permit 65000:1:2
 *   bgp as-path access-list AP permit ^65101_
 *
 * (`ip community-list`, `ip large-community-list` and `ip as-path access-list`, FRR's older spellings, are read
 * too.) Re-entering an object behaves as in FRR: the same sequence number replaces the entry (a route-map entry
 * re-entered with the other action starts afresh), a list entry without `seq` gets the next multiple of 5, an
 * entry that repeats an existing one without `seq` is ignored (with a warning), and a second `match`/`set` of the
 * same kind replaces the first. Host bits of a prefix-list prefix are cleared with a warning, as FRR does.
 * Blank lines and lines starting with `!` or `#` are comments. Errors carry the 1-based line number; with
 * `ignoreUnknown` the rest of a full frr.conf (`router bgp` blocks and the like) is skipped instead of refused.
 *
 * Imports its siblings only.
 */
import { parseMatchTokens, parseSetTokens } from './frr-clauses.js';
import { PolicySet } from './policy-set.js';
import {
  clauseSlot,
  sortMatchClauses,
  sortSetClauses,
  type AddressFamily,
  type AsPathListEntry,
  type CommunityListEntry,
  type LargeCommunityValue,
  type MatchClause,
  type OnMatch,
  type PolicyAction,
  type PolicyDefinition,
  type PrefixListEntry,
  type RouteMapEntry,
  type SetClause,
} from './types.js';
import {
  ValueError,
  checkRegex,
  isError,
  nextAutoSeq,
  parseCommunities,
  parseIntIn,
  parseLargeCommunities,
  parsePrefixEntry,
} from './values.js';

export interface ConfigLineError {
  /** 1-based. */
  readonly line: number;
  readonly message: string;
  /** The offending line, trimmed. */
  readonly text: string;
}

export interface FrrParseOptions {
  /** Skip top-level commands that are not policy objects (with their indented lines) instead of refusing them. */
  readonly ignoreUnknown?: boolean;
}

export type FrrParseResult =
  | { readonly ok: true; readonly definition: PolicyDefinition; readonly policies: PolicySet; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly errors: readonly ConfigLineError[]; readonly warnings: readonly string[] };

interface ListState<E> {
  readonly name: string;
  style: 'standard' | 'expanded';
  entries: E[];
}

interface PrefixListState {
  readonly name: string;
  readonly afi: AddressFamily;
  description?: string;
  entries: PrefixListEntry[];
}

interface RouteMapEntryState {
  readonly seq: number;
  action: PolicyAction;
  description?: string;
  match: Map<string, MatchClause>;
  set: Map<string, SetClause>;
  onMatch?: OnMatch;
  call?: string;
}

const routeMapCommands = new Set(['match', 'set', 'on-match', 'continue', 'call', 'description', 'exit', 'exit-route-map']);

const fail = (message: string): ValueError => new ValueError(message);

/** `[seq N] permit|deny` starting at `t[at]`; returns the sequence number (if given), action and the rest. */
function seqAndAction(t: readonly string[], at: number, minSeq: number): { seq?: number; action: PolicyAction; rest: string[] } | ValueError {
  let i = at;
  let seq: number | undefined;
  if (t[i] === 'seq') {
    const s = parseIntIn(t[i + 1], minSeq, 0xffffffff, 'seq');
    if (isError(s)) return s;
    seq = s;
    i += 2;
  }
  const action = t[i];
  if (action !== 'permit' && action !== 'deny') return fail(`expected permit or deny, not ${JSON.stringify(action ?? '')}`);
  return seq === undefined ? { action, rest: t.slice(i + 1) } : { seq, action, rest: t.slice(i + 1) };
}

/** Adds an entry under FRR's rules for `seq`; returns a warning, an error, or undefined. */
function addEntry<E extends { readonly seq: number }>(
  entries: E[],
  seq: number | undefined,
  make: (seq: number) => E,
  same: (a: E, b: E) => boolean,
): string | ValueError | undefined {
  const candidate = make(seq ?? nextAutoSeq(entries.map((e) => e.seq)));
  const dup = entries.find((e) => e.seq !== candidate.seq && same(e, candidate));
  if (dup && seq === undefined) return `duplicate of seq ${dup.seq}, ignored`;
  if (dup) return fail(`duplicates seq ${dup.seq}`);
  const i = entries.findIndex((e) => e.seq === candidate.seq);
  if (i >= 0) entries.splice(i, 1);
  entries.push(candidate);
  entries.sort((a, b) => a.seq - b.seq);
  return undefined;
}

function sameValues<V>(a: readonly V[], b: readonly V[]): boolean {
  return a.length === b.length && a.every((v, i) => JSON.stringify(v) === JSON.stringify(b[i]));
}

function sameListEntry<V>(a: CommunityListEntry<V>, b: CommunityListEntry<V>): boolean {
  if (a.action !== b.action) return false;
  if ('regex' in a || 'regex' in b) return 'regex' in a && 'regex' in b && a.regex === b.regex;
  return sameValues(a.values, b.values);
}

class FrrPolicyParser {
  readonly errors: ConfigLineError[] = [];
  readonly warnings: string[] = [];
  private readonly prefixLists = new Map<string, PrefixListState>();
  private readonly communityLists = new Map<string, ListState<CommunityListEntry<number>>>();
  private readonly largeLists = new Map<string, ListState<CommunityListEntry<LargeCommunityValue>>>();
  private readonly asPathLists = new Map<string, { readonly name: string; entries: AsPathListEntry[] }>();
  private readonly routeMaps = new Map<string, Map<number, RouteMapEntryState>>();
  private current: { readonly map: string; readonly entry: RouteMapEntryState } | null = null;
  private skipping = false;

  constructor(private readonly options: FrrParseOptions) {}

  parse(source: string): void {
    const lines = source.split('\n');
    lines.forEach((raw, i) => {
      const line = i + 1;
      const trimmed = raw.replace(/\r$/, '').trim();
      if (trimmed === '' || trimmed.startsWith('!') || trimmed.startsWith('#')) return;
      const indented = /^\s/.test(raw);
      if (this.skipping && indented) return;
      this.skipping = false;
      const t = trimmed.split(/\s+/);
      const r = this.command(t);
      if (isError(r)) this.errors.push({ line, message: r.message, text: trimmed });
      else if (typeof r === 'string') this.warnings.push(`line ${line}: ${r}`);
    });
  }

  /** One line; returns an error, a warning, or undefined. */
  private command(t: readonly string[]): ValueError | string | undefined {
    const [a, b, c] = t;
    if (this.current !== null && routeMapCommands.has(a as string)) return this.routeMapCommand(t);
    this.current = null;
    if (a === 'route-map') return this.routeMapHeader(t);
    if ((a === 'ip' || a === 'ipv6') && b === 'prefix-list') return this.prefixList(a === 'ip' ? 1 : 2, t);
    if (a === 'bgp' || a === 'ip') {
      if (b === 'community-list' || b === 'large-community-list') return this.communityList(b, t);
      if (b === 'as-path' && c === 'access-list') return this.asPathList(t);
    }
    if (a === 'exit' || a === 'end') return undefined;
    if (a === 'no') return fail('"no" commands are not supported: write the configuration as it should be');
    if (routeMapCommands.has(a as string)) return fail(`"${a}" outside a route-map`);
    if (this.options.ignoreUnknown) {
      this.skipping = true;
      return undefined;
    }
    return fail(`not a policy command: ${t.join(' ')}`);
  }

  private routeMapHeader(t: readonly string[]): ValueError | undefined {
    const [, name, action, seqText] = t;
    if (t.length !== 4 || name === undefined || (action !== 'permit' && action !== 'deny')) {
      return fail('usage: route-map NAME permit|deny (1-65535)');
    }
    const seq = parseIntIn(seqText, 1, 65535, 'route-map sequence number');
    if (isError(seq)) return seq;
    let map = this.routeMaps.get(name);
    if (map === undefined) this.routeMaps.set(name, (map = new Map()));
    let entry = map.get(seq);
    // FRR: re-entering a sequence number with the other action replaces the entry.
    if (entry === undefined || entry.action !== action) {
      entry = { seq, action, match: new Map(), set: new Map() };
      map.set(seq, entry);
    }
    this.current = { map: name, entry };
    return undefined;
  }

  private routeMapCommand(t: readonly string[]): ValueError | undefined {
    const cur = this.current as { readonly map: string; readonly entry: RouteMapEntryState };
    const e = cur.entry;
    const [a, b, c] = t;
    switch (a) {
      case 'match': {
        const clause = parseMatchTokens(t.slice(1));
        if (isError(clause)) return clause;
        e.match.set(clauseSlot(clause), clause);
        return undefined;
      }
      case 'set': {
        const clause = parseSetTokens(t.slice(1));
        if (isError(clause)) return clause;
        e.set.set(clauseSlot(clause), clause);
        return undefined;
      }
      case 'on-match':
      case 'continue': {
        const target = a === 'continue' ? b : b === 'goto' ? c : b === 'next' && t.length === 2 ? 'next' : undefined;
        if (target === undefined && a === 'on-match') return fail('usage: on-match next | on-match goto (1-65535)');
        if (target === undefined || target === 'next') {
          if (t.length > 2) return fail('usage: continue [(1-65535)]');
          e.onMatch = { kind: 'next' };
          return undefined;
        }
        if (t.length > (a === 'continue' ? 2 : 3)) return fail(`usage: ${a === 'continue' ? 'continue [(1-65535)]' : 'on-match goto (1-65535)'}`);
        const seq = parseIntIn(target, 1, 65535, `${a} target`);
        if (isError(seq)) return seq;
        if (seq <= e.seq) return fail(`cannot jump backwards: ${a} ${seq} in entry ${e.seq}`);
        e.onMatch = { kind: 'goto', seq };
        return undefined;
      }
      case 'call':
        if (t.length !== 2 || b === undefined) return fail('usage: call NAME');
        e.call = b;
        return undefined;
      case 'description':
        e.description = t.slice(1).join(' ');
        return undefined;
      default:
        // exit, exit-route-map
        this.current = null;
        return undefined;
    }
  }

  private prefixList(afi: AddressFamily, t: readonly string[]): ValueError | string | undefined {
    const ip = afi === 1 ? 'ip' : 'ipv6';
    const name = t[2];
    const usage = `usage: ${ip} prefix-list NAME [seq N] permit|deny PREFIX|any [ge N] [le N]`;
    if (name === undefined) return fail(usage);
    const key = `${afi} ${name}`;
    let list = this.prefixLists.get(key);
    const ensure = (): PrefixListState => {
      if (list === undefined) this.prefixLists.set(key, (list = { name, afi, entries: [] }));
      return list;
    };
    if (t[3] === 'description') {
      ensure().description = t.slice(4).join(' ');
      return undefined;
    }
    const head = seqAndAction(t, 3, 1);
    if (isError(head)) return fail(`${head.message}; ${usage}`);
    const [prefixText, ...options] = head.rest;
    let ge: string | undefined;
    let le: string | undefined;
    for (let i = 0; i < options.length; i += 2) {
      const [k, v] = [options[i], options[i + 1]];
      if ((k === 'ge' && ge === undefined) || (k === 'le' && le === undefined)) {
        if (v === undefined) return fail(usage);
        if (k === 'ge') ge = v;
        else le = v;
      } else {
        return fail(usage);
      }
    }
    let value;
    if (prefixText === 'any') {
      if (options.length > 0) return fail(`"any" takes no ge/le; ${usage}`);
      value = parsePrefixEntry(afi === 1 ? '0.0.0.0/0' : '::/0', undefined, afi === 1 ? 32 : 128, afi);
    } else {
      value = parsePrefixEntry(prefixText, ge, le, afi);
    }
    if (isError(value)) return value;
    const v = value;
    const result = addEntry(
      ensure().entries,
      head.seq,
      (seq) => ({ seq, action: head.action, prefix: v.prefix, ...(v.ge !== undefined && { ge: v.ge }), ...(v.le !== undefined && { le: v.le }) }),
      (x, y) => x.action === y.action && x.prefix === y.prefix && x.ge === y.ge && x.le === y.le,
    );
    return result ?? (v.note ? `${ip} prefix-list ${name}: ${v.note}` : undefined);
  }

  private communityList(kind: 'community-list' | 'large-community-list', t: readonly string[]): ValueError | string | undefined {
    const large = kind === 'large-community-list';
    let style: 'standard' | 'expanded';
    let name: string | undefined;
    let at: number;
    if (t[2] === 'standard' || t[2] === 'expanded') {
      style = t[2];
      name = t[3];
      at = 4;
    } else {
      // Numbered lists: 1-99 standard, 100-500 expanded.
      const n = /^\d{1,3}$/.test(t[2] ?? '') ? Number(t[2]) : 0;
      if (n < 1 || n > 500) return fail(`usage: bgp ${kind} standard|expanded NAME [seq N] permit|deny VALUE…`);
      style = n < 100 ? 'standard' : 'expanded';
      name = t[2] as string;
      at = 3;
    }
    if (name === undefined) return fail(`usage: bgp ${kind} ${style} NAME [seq N] permit|deny VALUE…`);
    const head = seqAndAction(t, at, 0);
    if (isError(head)) return head;
    // Both kinds of list share the code; their entries differ only in the type of the values.
    const lists = (large ? this.largeLists : this.communityLists) as unknown as Map<string, ListState<CommunityListEntry<unknown>>>;
    const existing = lists.get(name);
    if (existing !== undefined && existing.style !== style) {
      return fail(`${kind} ${name} is ${existing.style}; it cannot take ${style} entries`);
    }
    const action = head.action;
    let make: (seq: number) => CommunityListEntry<unknown>;
    if (style === 'expanded') {
      const regex = checkRegex(head.rest.join(' '));
      if (isError(regex)) return regex;
      make = (seq) => ({ seq, action, regex });
    } else {
      const values = large ? parseLargeCommunities(head.rest) : parseCommunities(head.rest);
      if (isError(values)) return values;
      make = (seq) => ({ seq, action, values });
    }
    let list = existing;
    if (list === undefined) lists.set(name, (list = { name, style, entries: [] }));
    const r = addEntry(list.entries, head.seq, make, sameListEntry);
    return typeof r === 'string' ? `${kind} ${name}: ${r}` : r;
  }

  private asPathList(t: readonly string[]): ValueError | string | undefined {
    const name = t[3];
    const usage = 'usage: bgp as-path access-list NAME [seq N] permit|deny REGEX';
    if (name === undefined) return fail(usage);
    const head = seqAndAction(t, 4, 0);
    if (isError(head)) return fail(`${head.message}; ${usage}`);
    const regex = checkRegex(head.rest.join(' '));
    if (isError(regex)) return regex;
    let list = this.asPathLists.get(name);
    if (list === undefined) this.asPathLists.set(name, (list = { name, entries: [] }));
    const r = addEntry(list.entries, head.seq, (seq) => ({ seq, action: head.action, regex }), (x, y) => x.action === y.action && x.regex === y.regex);
    return typeof r === 'string' ? `as-path access-list ${name}: ${r}` : r;
  }

  definition(): PolicyDefinition {
    const routeMapEntry = (e: RouteMapEntryState): RouteMapEntry => ({
      seq: e.seq,
      action: e.action,
      ...(e.description !== undefined && { description: e.description }),
      match: sortMatchClauses([...e.match.values()]),
      set: sortSetClauses([...e.set.values()]),
      ...(e.onMatch !== undefined && { onMatch: e.onMatch }),
      ...(e.call !== undefined && { call: e.call }),
    });
    return {
      prefixLists: [...this.prefixLists.values()].map((p) => ({
        name: p.name,
        afi: p.afi,
        ...(p.description !== undefined && { description: p.description }),
        entries: p.entries,
      })),
      communityLists: [...this.communityLists.values()].map((c) => ({ name: c.name, style: c.style, entries: c.entries })),
      largeCommunityLists: [...this.largeLists.values()].map((c) => ({ name: c.name, style: c.style, entries: c.entries })),
      asPathLists: [...this.asPathLists.values()].map((a) => ({ name: a.name, entries: a.entries })),
      routeMaps: [...this.routeMaps].map(([name, entries]) => ({
        name,
        entries: [...entries.values()].sort((x, y) => x.seq - y.seq).map(routeMapEntry),
      })),
    };
  }
}

/** Parses FRR-style policy configuration text. */
export function parseFrrPolicy(text: string, options: FrrParseOptions = {}): FrrParseResult {
  const parser = new FrrPolicyParser(options);
  parser.parse(text);
  if (parser.errors.length > 0) return { ok: false, errors: parser.errors, warnings: parser.warnings };
  const definition = parser.definition();
  try {
    const policies = new PolicySet(definition);
    return { ok: true, definition, policies, warnings: [...parser.warnings, ...policies.warnings] };
  } catch (e) {
    return { ok: false, errors: [{ line: 0, message: (e as Error).message, text: '' }], warnings: parser.warnings };
  }
}
