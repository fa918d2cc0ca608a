/**
 * Route-map set clauses, compiled to edits of the route's attributes (FRR's bgp_routemap.c semantics).
 *
 * - `set local-preference` / `set metric`: a value, or `+N` / `-N` relative to the current one (0 when absent),
 *   clamped to 0..2^32-1 (FRR's route_value_adjust). The attribute is created when absent.
 * - `set origin igp|egp|incomplete` (RFC 4271 §5.1.1).
 * - `set community V… [additive] | none`: replace, add (sorted, unique), or remove COMMUNITIES (RFC 1997);
 *   `set large-community` likewise for LARGE_COMMUNITY (RFC 8092).
 * - `set comm-list NAME delete` / `set large-comm-list NAME delete`: remove the values the list permits; a list
 *   that does not exist changes nothing.
 * - `set as-path prepend ASN… | last-as N`, `set as-path exclude ASN… | all` (the latter only towards or from
 *   external peers, as FRR).
 * - `set ip next-hop A.B.C.D | peer-address | self` and `set ipv6 next-hop global X:X::X | …`: an `ip` clause only
 *   touches IPv4 routes, an `ipv6` clause IPv6 routes. `peer-address` is the peer's address on import and the
 *   session's local address on export (FRR rewrites it to that when sending); `self` (tsbgpd) is always the local
 *   address. Without a usable address of the route's family (no `localAddress` known, or a session of the other
 *   family) the next hop is left as it is. The next hop lives in MP_REACH_NLRI when the route has one (its first,
 *   global address is replaced, a link-local one kept), otherwise in NEXT_HOP.
 *
 * A set that would not change the value is not an edit, so an unchanged route keeps its attribute array.
 * Imports only its siblings.
 */
import type { AsPathSegment, MpReachNlriAttribute } from '../wire/index.js';
import { excludeAsns, leftmostAs, prependAsns } from './as-path.js';
import { mergeCommunities, mergeLargeCommunities } from './community-list.js';
import { normaliseAddress, parseAddressWords } from './ip-prefix.js';
import type { EvalContext, ListLookup } from './match-clauses.js';
import type { AdjustableValue, LargeCommunityValue, SetClause } from './types.js';

export type Setter = (ctx: EvalContext) => void;

const U32_MAX = 0xffffffff;

/** FRR's route_value_adjust. */
export function adjustValue(v: AdjustableValue, current: number): number {
  switch (v.op) {
    case 'set':
      return v.value;
    case 'add':
      return current > U32_MAX - v.value ? U32_MAX : current + v.value;
    case 'subtract':
      return current <= v.value ? 0 : current - v.value;
  }
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function sameLarge(a: readonly LargeCommunityValue[], b: readonly LargeCommunityValue[]): boolean {
  return a.length === b.length && a.every((v, i) => v[0] === b[i]?.[0] && v[1] === b[i]?.[1] && v[2] === b[i]?.[2]);
}

function putAsPath(ctx: EvalContext, segments: AsPathSegment[]): void {
  ctx.attrs.put({ kind: 'as-path', segments });
}

/** The address a next-hop clause asks for, for this route and session, or undefined. */
function nextHopAddress(clause: Extract<SetClause, { kind: 'next-hop' }>, ctx: EvalContext): string | undefined {
  const v = clause.value;
  if (typeof v === 'object') return v.address;
  const afi = ctx.route.prefix.afi;
  let raw: string | undefined;
  if (v === 'peer-address' && ctx.direction === 'in') raw = ctx.peer.address;
  else {
    const local = ctx.peer.localAddress;
    raw = typeof local === 'object' ? (afi === 1 ? local.ipv4 : local.ipv6) : local;
  }
  if (raw === undefined) return undefined;
  const parsed = parseAddressWords(raw);
  if (!parsed || parsed.afi !== afi) return undefined;
  return normaliseAddress(raw);
}

function setNextHop(ctx: EvalContext, address: string): void {
  const mp = ctx.attrs.get('mp-reach-nlri');
  if (mp !== undefined) {
    if (mp.nextHop[0] === address) return;
    const next: MpReachNlriAttribute = {
      kind: 'mp-reach-nlri',
      afi: mp.afi,
      safi: mp.safi,
      nextHop: [address, ...mp.nextHop.slice(1)],
      nlri: mp.nlri,
    };
    ctx.attrs.put(next);
    return;
  }
  if (ctx.attrs.get('next-hop')?.nextHop !== address) ctx.attrs.put({ kind: 'next-hop', nextHop: address });
}

/** Compiles one set clause against the lists of its policy set. */
export function compileSet(clause: SetClause, lists: ListLookup): Setter {
  switch (clause.kind) {
    case 'origin': {
      const origin = clause.origin;
      return (ctx) => {
        if (ctx.attrs.get('origin')?.origin !== origin) ctx.attrs.put({ kind: 'origin', origin });
      };
    }
    case 'local-preference': {
      const v = clause.value;
      return (ctx) => {
        const cur = ctx.attrs.get('local-pref');
        const localPref = adjustValue(v, cur?.localPref ?? 0);
        if (cur?.localPref !== localPref) ctx.attrs.put({ kind: 'local-pref', localPref });
      };
    }
    case 'metric': {
      const v = clause.value;
      return (ctx) => {
        const cur = ctx.attrs.get('multi-exit-disc');
        const med = adjustValue(v, cur?.med ?? 0);
        if (cur?.med !== med) ctx.attrs.put({ kind: 'multi-exit-disc', med });
      };
    }
    case 'as-path-exclude': {
      const asns = clause.asns;
      return (ctx) => {
        if (ctx.peer.ibgp) return; // FRR: "supported only for EBGP peers"
        const segments = ctx.attrs.get('as-path')?.segments ?? [];
        const next = excludeAsns(segments, asns);
        if (next.length !== segments.length || next.some((s, i) => s !== segments[i])) putAsPath(ctx, next);
      };
    }
    case 'as-path-prepend': {
      const asns = clause.asns;
      return (ctx) => putAsPath(ctx, prependAsns(ctx.attrs.get('as-path')?.segments ?? [], asns));
    }
    case 'as-path-prepend-last-as': {
      const count = clause.count;
      return (ctx) => {
        const segments = ctx.attrs.get('as-path')?.segments ?? [];
        const as = leftmostAs(segments);
        if (as !== 0) putAsPath(ctx, prependAsns(segments, new Array<number>(count).fill(as)));
      };
    }
    case 'community-delete': {
      const list = lists.communityList(clause.list);
      if (!list) return () => undefined;
      return (ctx) => {
        const attr = ctx.attrs.get('communities');
        if (attr === undefined) return;
        const kept = list.deleteFrom(attr.communities);
        if (kept === attr.communities) return;
        if (kept.length === 0) ctx.attrs.remove('communities');
        else ctx.attrs.put({ kind: 'communities', communities: kept });
      };
    }
    case 'large-community-delete': {
      const list = lists.largeCommunityList(clause.list);
      if (!list) return () => undefined;
      return (ctx) => {
        const attr = ctx.attrs.get('large-community');
        if (attr === undefined) return;
        const kept = list.deleteFrom(attr.communities);
        if (kept === attr.communities) return;
        if (kept.length === 0) ctx.attrs.remove('large-community');
        else ctx.attrs.put({ kind: 'large-community', communities: kept });
      };
    }
    case 'community': {
      const { values, additive } = clause;
      if (values === 'none') return (ctx) => ctx.attrs.remove('communities');
      return (ctx) => {
        const old = ctx.attrs.get('communities');
        const communities = additive && old !== undefined ? mergeCommunities(old.communities, values) : values;
        if (old === undefined || !sameNumbers(old.communities, communities)) ctx.attrs.put({ kind: 'communities', communities });
      };
    }
    case 'large-community': {
      const { values, additive } = clause;
      if (values === 'none') return (ctx) => ctx.attrs.remove('large-community');
      return (ctx) => {
        const old = ctx.attrs.get('large-community');
        const communities = additive && old !== undefined ? mergeLargeCommunities(old.communities, values) : values;
        if (old === undefined || !sameLarge(old.communities, communities)) ctx.attrs.put({ kind: 'large-community', communities });
      };
    }
    case 'next-hop':
      return (ctx) => {
        const afi = ctx.route.prefix.afi;
        if (clause.family === 'ipv4' ? afi !== 1 : clause.family === 'ipv6' ? afi !== 2 : false) return;
        const address = nextHopAddress(clause, ctx);
        if (address !== undefined) setNextHop(ctx, address);
      };
  }
}
