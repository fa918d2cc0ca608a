/**
 * A policy whose rules can change under a live session. The Speaker binds a session's import and export policy
 * once, when the session reaches Established (and the RIB keeps the bound function), so a router that reloads its
 * route maps gives the Speaker a stable function per neighbour and direction — `PolicySlot.policy` — which
 * delegates to whatever the configuration currently says: a compiled route map, or no route map at all. A reload
 * re-targets the slot and then asks for a route refresh (inbound, RFC 2918) or resends the Adj-RIB-Out
 * (outbound); the session never notices.
 *
 * "No route map" is not "permit everything": on an external session with RFC 8212 on (FRR's
 * `bgp ebgp-requires-policy`) it denies everything, as `ebgpRequiresPolicy` in lib/policy decides — here per route,
 * from the peer the RIB passes, because a slot can outlive a switch of that setting. The slot also carries the
 * reason it denies everything (`denyReason`, read by the Speaker at session start for `show bgp summary`'s
 * "(Policy)"): the route map's own (`route-map-missing`), or `rfc8212-no-policy` when it has none and the
 * session is known to be external.
 *
 * Imports lib/policy.
 */
import { ebgpRequiresPolicy, type Policy, type PolicyDenyReason, type PolicyPeer, type PolicyResult, type PolicyRoute } from '../policy/index.js';

/** What a slot applies: a route map (by name, compiled), or none. */
export type SlotTarget = { readonly kind: 'route-map'; readonly name: string; readonly policy: Policy } | { readonly kind: 'none' };

export interface SlotState {
  readonly target: SlotTarget;
  /** RFC 8212 (`bgp ebgp-requires-policy`). */
  readonly ebgpRequiresPolicy: boolean;
  /** The session is external (true), internal (false), or not known before it comes up (undefined). */
  readonly external: boolean | undefined;
}

export class PolicySlot {
  /** The function to give the Speaker; the same object for the slot's whole life. */
  readonly policy: Policy;
  #state: SlotState;
  #apply: Policy;

  constructor(state: SlotState) {
    this.#state = state;
    this.#apply = PolicySlot.compile(state);
    const delegate = (route: PolicyRoute, peer: PolicyPeer): PolicyResult => this.#apply(route, peer);
    this.policy = Object.defineProperty(delegate, 'denyReason', { get: () => this.denyReason, enumerable: true }) as Policy;
  }

  get state(): SlotState {
    return this.#state;
  }

  /** Applies to every route evaluated from now on. */
  set(state: SlotState): void {
    this.#state = state;
    this.#apply = PolicySlot.compile(state);
  }

  /** Why every route is denied, when that is known without seeing a route. */
  get denyReason(): PolicyDenyReason | undefined {
    const { target, ebgpRequiresPolicy: rfc8212, external } = this.#state;
    if (target.kind === 'route-map') return target.policy.denyReason;
    return rfc8212 && external === true ? 'rfc8212-no-policy' : undefined;
  }

  private static compile(state: SlotState): Policy {
    if (state.target.kind === 'route-map') return state.target.policy;
    const enabled = state.ebgpRequiresPolicy;
    // RFC 8212 §3 per route: the session's kind comes with the peer the RIB hands in.
    return (route, peer) => ebgpRequiresPolicy(undefined, peer, enabled)(route, peer);
  }
}
