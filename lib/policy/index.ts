/**
 * Routing policy: FRR-compatible route maps, prefix lists, community / large community lists and AS-path access
 * lists, compiled into fast `(route, peer) → attributes | null` functions; the built-in permit-any policy and
 * RFC 8212's default for external sessions; and two configuration front ends (FRR text, tsbgpd plain objects)
 * that produce the same compiled `PolicySet`.
 *
 * Typical use:
 *   const r = parseFrrPolicy(text);                 // or parsePlainPolicy(yamlObject)
 *   if (!r.ok) report(r.errors);                    // { line, message, text } / { path, message }
 *   const imp = ebgpRequiresPolicy(name ? r.policies.routeMapPolicy(name, 'in') : undefined, peer, true);
 *   const attrs = imp({ prefix, attributes }, peer); // null = denied
 *
 * No network, no I/O; imports only `lib/wire`.
 */
export type {
  AddressFamily,
  AdjustableValue,
  AsPathListDefinition,
  AsPathListEntry,
  CommunityListDefinition,
  CommunityListEntry,
  CommunityMatchMode,
  FamilyScope,
  LargeCommunityListDefinition,
  LargeCommunityValue,
  MatchClause,
  NextHopValue,
  OnMatch,
  Policy,
  PolicyAction,
  PolicyDefinition,
  PolicyDenyReason,
  PolicyDirection,
  PolicyPeer,
  PolicyResult,
  PolicyRoute,
  PrefixListDefinition,
  PrefixListEntry,
  RouteMapDefinition,
  RouteMapEntry,
  SetClause,
} from './types.js';
export { canonicalMatchOrder, canonicalSetOrder } from './types.js';
export { permitAny, denyAll, ebgpRequiresPolicy, policyDenyReason, bindPolicy } from './builtin.js';
export { PolicySet, compilePolicySet, emptyPolicyDefinition } from './policy-set.js';
export { RouteMap, ROUTE_MAP_RECURSION_LIMIT, type RouteMapStep } from './route-map.js';
export { PrefixList } from './prefix-list.js';
export { CommunityList, LargeCommunityList } from './community-list.js';
export { AsPathList, asPathText } from './as-path.js';
export { compileFrrRegex, translateFrrRegex } from './frr-regex.js';
export { parseFrrPolicy, type ConfigLineError, type FrrParseOptions, type FrrParseResult } from './frr-config.js';
export { parsePlainPolicy, type ConfigFieldError, type PlainParseResult } from './plain-config.js';
export type * from './plain-types.js';
