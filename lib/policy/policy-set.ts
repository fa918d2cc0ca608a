/**
 * A compiled policy set: every prefix list, community list, large community list, AS-path access list and route
 * map of one configuration, with references between them resolved once.
 *
 * `compilePolicySet` checks a `PolicyDefinition` (as built by the parsers, or by hand) and throws a TypeError
 * naming the object at fault when it is not valid; references to objects that do not exist are not errors — FRR
 * accepts them and treats them as never matching — but they are listed in `warnings`, as are route maps that
 * call themselves. `routeMapPolicy(name, direction)` is what a session's `route-map NAME in|out` becomes; FRR
 * denies every route when NAME does not exist, and so does the policy returned then (reason `route-map-missing`).
 *
 * Imports only its siblings.
 */
import { AsPathList } from './as-path.js';
import { denyAll } from './builtin.js';
import { CommunityList, LargeCommunityList } from './community-list.js';
import { parseAddressWords } from './ip-prefix.js';
import type { ListLookup } from './match-clauses.js';
import { PrefixList } from './prefix-list.js';
import { RouteMap } from './route-map.js';
import type { AddressFamily, Policy, PolicyDefinition, PolicyDirection, RouteMapDefinition, RouteMapEntry } from './types.js';

/** A definition with nothing in it. */
export const emptyPolicyDefinition: PolicyDefinition = Object.freeze({
  prefixLists: [],
  communityLists: [],
  largeCommunityLists: [],
  asPathLists: [],
  routeMaps: [],
});

function checkSeqs(what: string, seqs: readonly number[], min: number, max: number): void {
  const seen = new Set<number>();
  for (const s of seqs) {
    if (!Number.isInteger(s) || s < min || s > max) throw new TypeError(`${what}: sequence number ${s} is not an integer from ${min} to ${max}`);
    if (seen.has(s)) throw new TypeError(`${what}: sequence number ${s} is used twice`);
    seen.add(s);
  }
}

function bySeq<T extends { readonly seq: number }>(entries: readonly T[]): T[] {
  return entries.slice().sort((a, b) => a.seq - b.seq);
}

function checkRouteMapEntry(map: string, e: RouteMapEntry): void {
  const what = `route-map ${map} seq ${e.seq}`;
  if (e.onMatch?.kind === 'goto' && !(Number.isInteger(e.onMatch.seq) && e.onMatch.seq > e.seq && e.onMatch.seq <= 65535)) {
    throw new TypeError(`${what}: on-match goto must name a later sequence number (up to 65535), not ${e.onMatch.seq}`);
  }
  for (const s of e.set) {
    if (s.kind === 'next-hop' && typeof s.value === 'object') {
      const a = parseAddressWords(s.value.address);
      const want = s.family === 'ipv4' ? 1 : s.family === 'ipv6' ? 2 : undefined;
      if (!a || a.afi !== want) throw new TypeError(`${what}: set ${s.family} next-hop ${s.value.address} is not an address of that family`);
    }
    if ((s.kind === 'local-preference' || s.kind === 'metric') && !(Number.isInteger(s.value.value) && s.value.value >= 0 && s.value.value <= 0xffffffff)) {
      throw new TypeError(`${what}: set ${s.kind} ${s.value.value} is not a 32-bit unsigned value`);
    }
    if (s.kind === 'as-path-prepend-last-as' && !(Number.isInteger(s.count) && s.count >= 1 && s.count <= 10)) {
      throw new TypeError(`${what}: set as-path prepend last-as takes 1 to 10, not ${s.count}`);
    }
  }
}

export class PolicySet implements ListLookup {
  readonly definition: PolicyDefinition;
  /** References to objects that do not exist, and call cycles: legal, but probably not what was meant. */
  readonly warnings: readonly string[];
  private readonly prefixLists = new Map<string, PrefixList>();
  private readonly communityLists = new Map<string, CommunityList>();
  private readonly largeCommunityLists = new Map<string, LargeCommunityList>();
  private readonly asPathLists = new Map<string, AsPathList>();
  private readonly routeMaps = new Map<string, RouteMap>();
  private readonly policies = new Map<string, Policy>();

  constructor(def: PolicyDefinition) {
    this.definition = def;
    // Each kind of object has its own name space, as in FRR (and `ip`/`ipv6` prefix lists one each).
    const unique = (kind: string, name: string, seen: Set<string>): void => {
      if (seen.has(`${kind} ${name}`)) throw new TypeError(`${kind} ${name} is defined twice`);
      seen.add(`${kind} ${name}`);
    };
    const names = new Set<string>();
    for (const p of def.prefixLists) {
      const kind = p.afi === 1 ? 'ip prefix-list' : 'ipv6 prefix-list';
      unique(kind, p.name, names);
      checkSeqs(`${kind} ${p.name}`, p.entries.map((e) => e.seq), 1, 0xffffffff);
      this.prefixLists.set(`${p.afi} ${p.name}`, new PrefixList({ ...p, entries: bySeq(p.entries) }));
    }
    for (const c of def.communityLists) {
      unique('community-list', c.name, names);
      checkSeqs(`community-list ${c.name}`, c.entries.map((e) => e.seq), 0, 0xffffffff);
      if (c.entries.some((e) => ('regex' in e) !== (c.style === 'expanded'))) throw new TypeError(`community-list ${c.name}: entries do not fit its style ${c.style}`);
      this.communityLists.set(c.name, new CommunityList({ ...c, entries: bySeq(c.entries) }));
    }
    for (const c of def.largeCommunityLists) {
      unique('large-community-list', c.name, names);
      checkSeqs(`large-community-list ${c.name}`, c.entries.map((e) => e.seq), 0, 0xffffffff);
      if (c.entries.some((e) => ('regex' in e) !== (c.style === 'expanded'))) throw new TypeError(`large-community-list ${c.name}: entries do not fit its style ${c.style}`);
      this.largeCommunityLists.set(c.name, new LargeCommunityList({ ...c, entries: bySeq(c.entries) }));
    }
    for (const a of def.asPathLists) {
      unique('as-path access-list', a.name, names);
      checkSeqs(`as-path access-list ${a.name}`, a.entries.map((e) => e.seq), 0, 0xffffffff);
      this.asPathLists.set(a.name, new AsPathList({ ...a, entries: bySeq(a.entries) }));
    }
    for (const m of def.routeMaps) {
      unique('route-map', m.name, names);
      checkSeqs(`route-map ${m.name}`, m.entries.map((e) => e.seq), 1, 65535);
      const sorted: RouteMapDefinition = { name: m.name, entries: bySeq(m.entries) };
      sorted.entries.forEach((e) => checkRouteMapEntry(m.name, e));
      this.routeMaps.set(m.name, new RouteMap(sorted, this, (name) => this.routeMaps.get(name)));
    }
    this.warnings = Object.freeze(this.findDanglingReferences());
  }

  prefixList(name: string, afi: AddressFamily): PrefixList | undefined {
    return this.prefixLists.get(`${afi} ${name}`);
  }
  communityList(name: string): CommunityList | undefined {
    return this.communityLists.get(name);
  }
  largeCommunityList(name: string): LargeCommunityList | undefined {
    return this.largeCommunityLists.get(name);
  }
  asPathList(name: string): AsPathList | undefined {
    return this.asPathLists.get(name);
  }
  routeMap(name: string): RouteMap | undefined {
    return this.routeMaps.get(name);
  }

  /**
   * The policy of a session's `route-map NAME in|out` (one function per name and direction, so it can be compared
   * by identity). A name that does not exist denies every route, as FRR's bgp_input/output_modifier do.
   */
  routeMapPolicy(name: string, direction: PolicyDirection): Policy {
    const key = `${direction} ${name}`;
    let p = this.policies.get(key);
    if (p === undefined) {
      const map = this.routeMaps.get(name);
      p = map ? map.policy(direction) : denyAll('route-map-missing');
      this.policies.set(key, p);
    }
    return p;
  }

  private findDanglingReferences(): string[] {
    const out: string[] = [];
    for (const m of this.definition.routeMaps) {
      for (const e of m.entries) {
        const where = `route-map ${m.name} seq ${e.seq}`;
        for (const c of [...e.match, ...e.set]) {
          if (!('list' in c)) continue;
          let missing: string | undefined;
          switch (c.kind) {
            case 'prefix-list':
            case 'next-hop-prefix-list': {
              const v4 = c.family !== 'ipv6' && this.prefixList(c.list, 1);
              const v6 = c.family !== 'ipv4' && this.prefixList(c.list, 2);
              if (!v4 && !v6) missing = `${c.family === 'ipv6' ? 'ipv6' : c.family === 'ipv4' ? 'ip' : 'ip/ipv6'} prefix-list ${c.list}`;
              break;
            }
            case 'community':
            case 'community-delete':
              if (!this.communityList(c.list)) missing = `community-list ${c.list}`;
              break;
            case 'large-community':
            case 'large-community-delete':
              if (!this.largeCommunityList(c.list)) missing = `large-community-list ${c.list}`;
              break;
            case 'as-path':
              if (!this.asPathList(c.list)) missing = `as-path access-list ${c.list}`;
              break;
            default:
              break;
          }
          if (missing) out.push(`${where}: ${missing} does not exist (never matches)`);
        }
        if (e.call !== undefined && !this.routeMaps.has(e.call)) out.push(`${where}: call ${e.call}: route-map does not exist (ignored)`);
      }
      if (this.callsItself(m.name)) out.push(`route-map ${m.name} calls itself; evaluation stops at depth 10 and denies`);
    }
    return out;
  }

  private callsItself(start: string): boolean {
    const stack = [start];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const name = stack.pop() as string;
      for (const e of this.routeMaps.get(name)?.entries ?? []) {
        if (e.call === undefined) continue;
        if (e.call === start) return true;
        if (!seen.has(e.call)) {
          seen.add(e.call);
          stack.push(e.call);
        }
      }
    }
    return false;
  }
}

/** Compiles a definition; throws a TypeError naming the object when it is not valid. */
export function compilePolicySet(def: PolicyDefinition): PolicySet {
  return new PolicySet(def);
}
