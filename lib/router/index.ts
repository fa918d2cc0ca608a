/**
 * Router mode: tsbgpd as the route reflector the seed's pfSense/FRR box was — peer groups, listen ranges, FRR
 * route maps, RFC 8212 and RFC 4456 — started from a `RouterConfig` (lib/config's `loadRouterConfig`) and
 * reloaded without resetting sessions that did not need it. See docs/configuration.md.
 */
export { startRouter, type RunningRouter, type StartRouterOptions, type ReloadResult, type RouterView } from './router.js';
export { planReload, isEmptyPlan, type ReloadPlan, type PeerChange, type NeighborChange } from './reload-plan.js';
export { PolicySlot, type SlotState, type SlotTarget } from './policy-slot.js';
export { routeMapFingerprint } from './policy-fingerprint.js';
export { resendAdjRibOut, type SoftOutResult } from './soft-out.js';
export { SESSION_FIELDS, DEFERRED_FIELDS, familiesOf, isExternal, neighborPeerConfig, groupPeerConfig, policyMeaning, slotState } from './peer-config.js';
