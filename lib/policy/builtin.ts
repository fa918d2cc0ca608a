/**
 * Built-in policies: permit-any, deny-all with a reason, and RFC 8212's default for external sessions.
 *
 * RFC 8212 §3: "The default behavior of a BGP speaker MUST be that routes are neither imported nor exported over
 * an EBGP session unless explicitly configured." FRR implements it as `bgp ebgp-requires-policy` (on by default
 * since 7.4): an eBGP neighbor without an inbound (outbound) policy accepts (sends) nothing, and `show bgp summary`
 * shows "(Policy)" for it. `ebgpRequiresPolicy` is that rule for one session and one direction; its deny-all carries
 * the reason `rfc8212-no-policy` so the speaker can log it and put it in the peer's state. Internal sessions are not
 * concerned: with no policy they permit everything.
 *
 * Imports only its siblings' types.
 */
import type { Policy, PolicyDenyReason, PolicyPeer, PolicyResult, PolicyRoute } from './types.js';

/** Permits every route unchanged (pfSense's "Permit-Any": `route-map Permit-Any permit 100`). */
export const permitAny: Policy = (route: PolicyRoute): PolicyResult => route.attributes;

const denyAllPolicies = new Map<PolicyDenyReason, Policy>();

/** A policy that denies every route, carrying why (one shared function per reason). */
export function denyAll(reason: PolicyDenyReason): Policy {
  let p = denyAllPolicies.get(reason);
  if (p === undefined) {
    p = Object.assign((): PolicyResult => null, { denyReason: reason });
    Object.freeze(p);
    denyAllPolicies.set(reason, p);
  }
  return p;
}

/** The reason a policy denies everything, when it is one of the built-in deny-all policies. */
export function policyDenyReason(policy: Policy): PolicyDenyReason | undefined {
  return policy.denyReason;
}

/**
 * The policy to apply on one direction of a session under RFC 8212. `policy` is the configured one (undefined
 * when none is); `enabled` is the switch (FRR's `bgp ebgp-requires-policy`, pfSense's "Disable eBGP Require
 * Policy" unticked). External session, switch on, no policy → deny everything with reason `rfc8212-no-policy`.
 * Otherwise the configured policy, or `permitAny` when there is none.
 */
export function ebgpRequiresPolicy(policy: Policy | undefined, peer: PolicyPeer, enabled: boolean): Policy {
  if (policy !== undefined) return policy;
  if (enabled && !peer.ibgp) return denyAll('rfc8212-no-policy');
  return permitAny;
}

/**
 * A policy bound to one session's peer. The RIB calls policies with its own peer record; the speaker binds each
 * session's `PolicyPeer` once and gives the RIB the result (a function that ignores its second argument fits any
 * `(route, peer)` signature). The deny reason, if any, is kept.
 */
export function bindPolicy(policy: Policy, peer: PolicyPeer): ((route: PolicyRoute) => PolicyResult) & { readonly denyReason?: PolicyDenyReason } {
  const bound = (route: PolicyRoute): PolicyResult => policy(route, peer);
  return policy.denyReason === undefined ? bound : Object.assign(bound, { denyReason: policy.denyReason });
}
