/**
 * The contract of routing policy: what a policy is to the RIB and the speaker, and the typed definition that both
 * configuration front ends (FRR text in `frr-config.ts`, tsbgpd's plain objects in `plain-config.ts`) produce and
 * `compilePolicySet` turns into fast closures.
 *
 * A policy is a function `(route, peer) → attributes | null`: null denies, a permit returns the attribute list —
 * the very same array object when nothing changed, so the RIB's interning stays a pointer comparison. Policies never
 * mutate their input. Definitions are plain data in FRR's vocabulary (route maps, prefix lists, community lists,
 * large community lists, AS-path access lists); their match and set clauses are discriminated unions, listed in a
 * canonical order so the two front ends yield identical objects for the same configuration.
 *
 * Imports only wire types.
 */
import type { PathAttribute, Prefix } from '../wire/index.js';

/** What a policy sees of a route: its prefix and its (canonical, frozen) attribute list. */
export interface PolicyRoute {
  readonly prefix: Prefix;
  readonly attributes: readonly PathAttribute[];
}

/** What a policy sees of the peer a route comes from (import) or goes to (export). */
export interface PolicyPeer {
  /** The peer's address as text. */
  readonly address: string;
  readonly asn: number;
  readonly localAsn: number;
  /** The session is internal (same AS); RFC 8212 and `set as-path exclude` only concern external sessions. */
  readonly ibgp: boolean;
  /**
   * The local address of the session, for `set ip next-hop self` and outbound `peer-address`: one address, or one
   * per family (the RIB's `LocalAddresses` shape).
   */
  readonly localAddress?: string | { readonly ipv4?: string | undefined; readonly ipv6?: string | undefined };
}

/** Null denies the route; otherwise the (possibly new) attribute list. */
export type PolicyResult = readonly PathAttribute[] | null;

/** Why a policy denies everything, in words fit for logs and peer state. */
export type PolicyDenyReason =
  /** RFC 8212: an eBGP session without configured policy accepts and sends nothing (FRR shows "(Policy)"). */
  | 'rfc8212-no-policy'
  /** The session names a route map that does not exist; FRR denies every route then. */
  | 'route-map-missing';

/**
 * A routing policy. Any plain `(route, peer) => …` function is one; the built-in deny-all policies also carry the
 * reason, so the speaker can log it and show it in the peer's state.
 */
export interface Policy {
  (route: PolicyRoute, peer: PolicyPeer): PolicyResult;
  readonly denyReason?: PolicyDenyReason;
}

/** Inbound (import, applied to what a peer sent) or outbound (export, applied to what is sent to the peer). */
export type PolicyDirection = 'in' | 'out';

export type PolicyAction = 'permit' | 'deny';

/** 1 = IPv4, 2 = IPv6, as in `Prefix.afi`. */
export type AddressFamily = 1 | 2;

// ---------------------------------------------------------------------------------------------------------------
// Definitions of the lists

export interface PrefixListEntry {
  readonly seq: number;
  readonly action: PolicyAction;
  /** `address/length`, host bits already cleared. */
  readonly prefix: string;
  /** Absent (FRR's 0) when not given. */
  readonly ge?: number;
  readonly le?: number;
}

/** `ip prefix-list` (afi 1) or `ipv6 prefix-list` (afi 2): two name spaces, as in FRR. */
export interface PrefixListDefinition {
  readonly name: string;
  readonly afi: AddressFamily;
  readonly description?: string;
  /** Sorted by `seq`. */
  readonly entries: readonly PrefixListEntry[];
}

/** A standard entry lists values that must all be present; an expanded one is an FRR regular expression. */
export type CommunityListEntry<V> =
  | { readonly seq: number; readonly action: PolicyAction; readonly values: readonly V[] }
  | { readonly seq: number; readonly action: PolicyAction; readonly regex: string };

export type LargeCommunityValue = readonly [number, number, number];

export interface CommunityListDefinition {
  readonly name: string;
  readonly style: 'standard' | 'expanded';
  readonly entries: readonly CommunityListEntry<number>[];
}

export interface LargeCommunityListDefinition {
  readonly name: string;
  readonly style: 'standard' | 'expanded';
  readonly entries: readonly CommunityListEntry<LargeCommunityValue>[];
}

export interface AsPathListEntry {
  readonly seq: number;
  readonly action: PolicyAction;
  readonly regex: string;
}

export interface AsPathListDefinition {
  readonly name: string;
  readonly entries: readonly AsPathListEntry[];
}

// ---------------------------------------------------------------------------------------------------------------
// Route maps

/** `'any'` is tsbgpd's: the list of the route's own family. FRR's `ip`/`ipv6` forms name one family. */
export type FamilyScope = 'ipv4' | 'ipv6' | 'any';

/** How a community list is matched: all values of an entry present (FRR default), set equality, or any one value. */
export type CommunityMatchMode = 'default' | 'exact' | 'any';

export type MatchClause =
  | { readonly kind: 'prefix-list'; readonly family: FamilyScope; readonly list: string }
  | { readonly kind: 'next-hop-prefix-list'; readonly family: FamilyScope; readonly list: string }
  | { readonly kind: 'community'; readonly list: string; readonly mode: CommunityMatchMode }
  | { readonly kind: 'large-community'; readonly list: string; readonly mode: CommunityMatchMode }
  | { readonly kind: 'as-path'; readonly list: string }
  | { readonly kind: 'metric'; readonly value: number }
  | { readonly kind: 'local-preference'; readonly value: number }
  | { readonly kind: 'origin'; readonly origin: number }
  | { readonly kind: 'peer'; readonly address: string };

/** A value to set, or (FRR's `+N` / `-N`) to add to or subtract from the current one, clamped to 0..2^32-1. */
export interface AdjustableValue {
  readonly op: 'set' | 'add' | 'subtract';
  readonly value: number;
}

/** `self` is tsbgpd's (the session's local address); `peer-address` is FRR's. */
export type NextHopValue = { readonly address: string } | 'peer-address' | 'self';

export type SetClause =
  | { readonly kind: 'origin'; readonly origin: number }
  | { readonly kind: 'local-preference'; readonly value: AdjustableValue }
  | { readonly kind: 'metric'; readonly value: AdjustableValue }
  | { readonly kind: 'as-path-exclude'; readonly asns: readonly number[] | 'all' }
  | { readonly kind: 'as-path-prepend'; readonly asns: readonly number[] }
  | { readonly kind: 'as-path-prepend-last-as'; readonly count: number }
  | { readonly kind: 'community-delete'; readonly list: string }
  | { readonly kind: 'community'; readonly values: readonly number[] | 'none'; readonly additive: boolean }
  | { readonly kind: 'large-community-delete'; readonly list: string }
  | {
      readonly kind: 'large-community';
      readonly values: readonly LargeCommunityValue[] | 'none';
      readonly additive: boolean;
    }
  | { readonly kind: 'next-hop'; readonly family: FamilyScope; readonly value: NextHopValue };

/** What a permit entry does after its sets: stop (FRR's default), go on with the next entry, or jump forward. */
export type OnMatch = { readonly kind: 'next' } | { readonly kind: 'goto'; readonly seq: number };

export interface RouteMapEntry {
  readonly seq: number;
  readonly action: PolicyAction;
  readonly description?: string;
  /** All must match; none matches everything. Canonical order (see `canonicalMatchOrder`). */
  readonly match: readonly MatchClause[];
  /** Applied in canonical order (see `canonicalSetOrder`). */
  readonly set: readonly SetClause[];
  readonly onMatch?: OnMatch;
  /** `call NAME`: after the sets, run that route map; its deny ends evaluation with deny. */
  readonly call?: string;
}

export interface RouteMapDefinition {
  readonly name: string;
  /** Sorted by `seq`. */
  readonly entries: readonly RouteMapEntry[];
}

/** Everything a configuration says about policy, ready to compile. */
export interface PolicyDefinition {
  readonly prefixLists: readonly PrefixListDefinition[];
  readonly communityLists: readonly CommunityListDefinition[];
  readonly largeCommunityLists: readonly LargeCommunityListDefinition[];
  readonly asPathLists: readonly AsPathListDefinition[];
  readonly routeMaps: readonly RouteMapDefinition[];
}

/**
 * Match clauses in the order they are listed (and, being a conjunction, the order does not change the result).
 * One clause of each kind and family at most, as FRR replaces a clause re-entered with a new value.
 */
export const canonicalMatchOrder: readonly string[] = [
  'prefix-list',
  'next-hop-prefix-list',
  'as-path',
  'community',
  'large-community',
  'metric',
  'local-preference',
  'origin',
  'peer',
];

/**
 * Set clauses are applied in this fixed order whatever order the configuration wrote them in, so the text and the
 * plain-object forms mean the same thing: deletions by community list run before additions (an import map can
 * scrub foreign values of our own communities and then tag the route), and `as-path exclude` before `prepend`.
 */
export const canonicalSetOrder: readonly string[] = [
  'origin',
  'local-preference',
  'metric',
  'as-path-exclude',
  'as-path-prepend',
  'as-path-prepend-last-as',
  'community-delete',
  'community',
  'large-community-delete',
  'large-community',
  'next-hop',
];

/** The identity of a clause for "one of each": kind, and family where FRR has separate `ip`/`ipv6` commands. */
export function clauseSlot(c: MatchClause | SetClause): string {
  if (c.kind === 'prefix-list' || c.kind === 'next-hop-prefix-list' || c.kind === 'next-hop') return `${c.kind}/${c.family}`;
  // FRR's `set as-path prepend` is one command whether it lists ASNs or says `last-as N`.
  if (c.kind === 'as-path-prepend-last-as') return 'as-path-prepend';
  return c.kind;
}

const familyRank: Readonly<Record<FamilyScope, number>> = { ipv4: 0, ipv6: 1, any: 2 };

function clauseRank(order: readonly string[], c: MatchClause | SetClause): number {
  const family = 'family' in c ? familyRank[c.family] : 0;
  return order.indexOf(c.kind) * 4 + family;
}

/** Sorts clauses into canonical order (a new array). */
export function sortMatchClauses(clauses: readonly MatchClause[]): MatchClause[] {
  return clauses.slice().sort((a, b) => clauseRank(canonicalMatchOrder, a) - clauseRank(canonicalMatchOrder, b));
}

export function sortSetClauses(clauses: readonly SetClause[]): SetClause[] {
  return clauses.slice().sort((a, b) => clauseRank(canonicalSetOrder, a) - clauseRank(canonicalSetOrder, b));
}
