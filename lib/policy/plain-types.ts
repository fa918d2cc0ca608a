/**
 * The shape of tsbgpd's plain-object policy configuration, for TypeScript users who build it in code (YAML and
 * JSON input is validated by `parsePlainPolicy` whatever its type). Field meanings follow FRR's commands; see
 * `plain-config.ts` for the rules and `frr-clauses.ts` for the command each field stands for.
 *
 * Imports nothing.
 */

export type PlainAction = 'permit' | 'deny';

export interface PlainPrefixListEntry {
  readonly seq?: number;
  readonly action: PlainAction;
  /** IPv4 or IPv6 `address/length`; one list may mix both families. */
  readonly prefix: string;
  readonly ge?: number;
  readonly le?: number;
}

/** Standard (`communities`) or expanded (`regex`); one list is one or the other. */
export type PlainCommunityListEntry =
  | { readonly seq?: number; readonly action: PlainAction; readonly communities: readonly string[] }
  | { readonly seq?: number; readonly action: PlainAction; readonly regex: string };

export interface PlainAsPathListEntry {
  readonly seq?: number;
  readonly action: PlainAction;
  readonly regex: string;
}

export type PlainCommunityMatch = string | { readonly list: string; readonly exactMatch?: boolean; readonly any?: boolean };

export interface PlainMatch {
  /** The prefix list of this name for the route's family. */
  readonly prefixList?: string;
  readonly ipPrefixList?: string;
  readonly ipv6PrefixList?: string;
  readonly nextHopPrefixList?: string;
  readonly ipNextHopPrefixList?: string;
  readonly ipv6NextHopPrefixList?: string;
  readonly community?: PlainCommunityMatch;
  readonly largeCommunity?: PlainCommunityMatch;
  readonly asPath?: string;
  readonly metric?: number;
  readonly localPreference?: number;
  readonly origin?: 'igp' | 'egp' | 'incomplete';
  readonly peer?: string;
}

export type PlainCommunitySet = readonly string[] | 'none' | { readonly values: readonly string[]; readonly additive?: boolean };

export interface PlainSet {
  readonly origin?: 'igp' | 'egp' | 'incomplete';
  /** A value, or `'+N'` / `'-N'`. */
  readonly localPreference?: number | string;
  readonly metric?: number | string;
  readonly community?: PlainCommunitySet;
  /** Name of a community list whose permitted values are removed. */
  readonly communityDelete?: string;
  readonly largeCommunity?: PlainCommunitySet;
  readonly largeCommunityDelete?: string;
  readonly asPathPrepend?: readonly (number | string)[] | { readonly lastAs: number };
  readonly asPathExclude?: readonly (number | string)[] | 'all';
  /** An address (its family's routes only), `peer-address` or `self`. */
  readonly nextHop?: string;
}

export interface PlainRouteMapEntry {
  readonly seq: number;
  readonly action: PlainAction;
  readonly description?: string;
  readonly match?: PlainMatch;
  readonly set?: PlainSet;
  readonly onMatch?: 'next' | { readonly goto: number };
  readonly call?: string;
}

export interface PlainPolicyConfig {
  readonly prefixLists?: Readonly<Record<string, readonly PlainPrefixListEntry[]>>;
  readonly communityLists?: Readonly<Record<string, readonly PlainCommunityListEntry[]>>;
  readonly largeCommunityLists?: Readonly<Record<string, readonly PlainCommunityListEntry[]>>;
  readonly asPathLists?: Readonly<Record<string, readonly PlainAsPathListEntry[]>>;
  readonly routeMaps?: Readonly<Record<string, readonly PlainRouteMapEntry[]>>;
}
