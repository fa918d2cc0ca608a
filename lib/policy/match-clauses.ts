/**
 * Route-map match clauses, compiled to predicates over the route being evaluated (FRR's bgp_routemap.c semantics).
 *
 * List references are resolved once, when the policy set is compiled. A clause naming a list that does not exist
 * never matches — FRR's "does not exist defaulting to NO_MATCH" — so an entry that depends on it is skipped, and a
 * permit route map whose only entry needs a missing prefix list ends in the implicit deny. Other details as FRR:
 * - `match ip address prefix-list` only lists of IPv4 (an IPv6 route never matches a non-empty IPv4 list, and vice
 *   versa); tsbgpd's family `'any'` takes the list of the route's own family.
 * - `match ip next-hop prefix-list` applies to IPv4 routes and their NEXT_HOP taken as a /32;
 *   `match ipv6 next-hop prefix-list` to IPv6 routes, trying the global and then the link-local next hop.
 * - `match metric` and `match local-preference` compare with 0 when the attribute is absent (FRR compares its
 *   zero-initialised field; RFC 4271 §9.1.2.2 c likewise treats a missing MED as 0).
 * - `match origin` treats an absent ORIGIN as INCOMPLETE, as the decision process does.
 * - `match peer` compares the session's peer address (IPv6 in any spelling).
 *
 * Imports only its siblings.
 */
import type { AttributeEditor } from './attribute-editor.js';
import type { AsPathList } from './as-path.js';
import type { CommunityList, LargeCommunityList } from './community-list.js';
import { normaliseAddress } from './ip-prefix.js';
import type { PrefixList } from './prefix-list.js';
import type { AddressFamily, FamilyScope, MatchClause, PolicyDirection, PolicyPeer, PolicyRoute } from './types.js';

/** What clauses see while a route map runs. */
export interface EvalContext {
  readonly route: PolicyRoute;
  readonly peer: PolicyPeer;
  readonly direction: PolicyDirection;
  readonly attrs: AttributeEditor;
}

export type Matcher = (ctx: EvalContext) => boolean;

/** The compiled lists a policy set holds, by name. */
export interface ListLookup {
  prefixList(name: string, afi: AddressFamily): PrefixList | undefined;
  communityList(name: string): CommunityList | undefined;
  largeCommunityList(name: string): LargeCommunityList | undefined;
  asPathList(name: string): AsPathList | undefined;
}

const never: Matcher = () => false;

/** The address families a clause of this scope applies to, for a route of family `afi`. */
function applies(family: FamilyScope, afi: number): boolean {
  return family === 'any' || (family === 'ipv4' ? afi === 1 : afi === 2);
}

/** The lists of a name per family: `ip`/`ipv6` name one, `any` both. */
function listsByFamily(lists: ListLookup, family: FamilyScope, name: string): [PrefixList | undefined, PrefixList | undefined] {
  return [family === 'ipv6' ? undefined : lists.prefixList(name, 1), family === 'ipv4' ? undefined : lists.prefixList(name, 2)];
}

/** The next hops of a route: MP_REACH_NLRI's (global first, then link-local) or NEXT_HOP. */
export function routeNextHops(attrs: AttributeEditor): readonly string[] {
  const mp = attrs.get('mp-reach-nlri');
  if (mp !== undefined && mp.nextHop.length > 0) return mp.nextHop;
  const nh = attrs.get('next-hop');
  return nh === undefined ? [] : [nh.nextHop];
}

function prefixListMatcher(lists: ListLookup, family: FamilyScope, name: string): Matcher {
  const [v4, v6] = listsByFamily(lists, family, name);
  if (family === 'any') {
    if (!v4 && !v6) return never;
    return (ctx) => {
      const list = ctx.route.prefix.afi === 1 ? v4 : v6;
      return list !== undefined && list.permits(ctx.route.prefix);
    };
  }
  // FRR applies the list whatever the route's family: a non-empty list never matches the other family.
  const list: PrefixList | undefined = v4 ?? v6;
  if (!list) return never;
  return (ctx) => list.permits(ctx.route.prefix);
}

function nextHopPrefixListMatcher(lists: ListLookup, family: FamilyScope, name: string): Matcher {
  const [v4, v6] = listsByFamily(lists, family, name);
  if (!v4 && !v6) return never;
  return (ctx) => {
    const afi = ctx.route.prefix.afi;
    if (!applies(family, afi)) return false;
    const list = afi === 1 ? v4 : v6;
    if (list === undefined) return false;
    const hops = routeNextHops(ctx.attrs);
    // An absent next hop is FRR's zero address.
    if (hops.length === 0) return list.permitsAddress(afi, afi === 1 ? '0.0.0.0' : '::');
    if (afi === 1) return list.permitsAddress(1, hops[0] as string);
    return hops.some((h) => list.permitsAddress(2, h));
  };
}

function peerMatcher(address: string): Matcher {
  let lastSeen = '';
  let lastResult = false;
  return (ctx) => {
    const a = ctx.peer.address;
    if (a === address) return true;
    if (a !== lastSeen) {
      lastSeen = a;
      lastResult = normaliseAddress(a) === address;
    }
    return lastResult;
  };
}

/** Compiles one match clause against the lists of its policy set. */
export function compileMatch(clause: MatchClause, lists: ListLookup): Matcher {
  switch (clause.kind) {
    case 'prefix-list':
      return prefixListMatcher(lists, clause.family, clause.list);
    case 'next-hop-prefix-list':
      return nextHopPrefixListMatcher(lists, clause.family, clause.list);
    case 'community': {
      const list = lists.communityList(clause.list);
      if (!list) return never;
      const mode = clause.mode;
      return (ctx) => {
        const attr = ctx.attrs.get('communities');
        return list.matches(attr?.communities, mode, attr);
      };
    }
    case 'large-community': {
      const list = lists.largeCommunityList(clause.list);
      if (!list) return never;
      const mode = clause.mode;
      return (ctx) => {
        const attr = ctx.attrs.get('large-community');
        return list.matches(attr?.communities, mode, attr);
      };
    }
    case 'as-path': {
      const list = lists.asPathList(clause.list);
      if (!list) return never;
      return (ctx) => list.permits(ctx.attrs.get('as-path'));
    }
    case 'metric': {
      const value = clause.value;
      return (ctx) => (ctx.attrs.get('multi-exit-disc')?.med ?? 0) === value;
    }
    case 'local-preference': {
      const value = clause.value;
      return (ctx) => (ctx.attrs.get('local-pref')?.localPref ?? 0) === value;
    }
    case 'origin': {
      const origin = clause.origin;
      return (ctx) => (ctx.attrs.get('origin')?.origin ?? 2) === origin;
    }
    case 'peer': {
      const address = normaliseAddress(clause.address) ?? clause.address;
      return peerMatcher(address);
    }
  }
}

