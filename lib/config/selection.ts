/**
 * Which resources apply to which: MetalLB's selection rules in one place, used by the configuration checks and by
 * the announcer alike so the two can never disagree.
 *
 * - An advertisement covers a pool named in `ipAddressPools` or matched by one of `ipAddressPoolSelectors`; with
 *   neither, every pool (MetalLB `setBGPAdvertisementsToPools`).
 * - An advertisement applies on a node matched by one of its `nodeSelectors` (none = every node), and toward a
 *   peer named in `peers` (none = every peer).
 * - A BGPPeer is peered with from a node matched by one of its `nodeSelectors` (none = every node).
 * - A pool with `serviceAllocation` serves a service whose namespace is listed or matched by a namespace selector
 *   (when either is given) and whose labels match a service selector (when any is given).
 */
import { anySelectorMatches, type Labels } from './label-selector.js';
import type { BGPAdvertisement, BGPPeer, IPAddressPool, Namespace, Service } from './types.js';

export function advertisementSelectsPool(adv: BGPAdvertisement, pool: IPAddressPool): boolean {
  if (adv.ipAddressPools.length === 0 && adv.ipAddressPoolSelectors.length === 0) return true;
  return adv.ipAddressPools.includes(pool.name) || (adv.ipAddressPoolSelectors.length > 0 && anySelectorMatches(adv.ipAddressPoolSelectors, pool.labels));
}

export function advertisementSelectsNode(adv: BGPAdvertisement, nodeLabels: Labels): boolean {
  return anySelectorMatches(adv.nodeSelectors, nodeLabels);
}

export function advertisementSelectsPeer(adv: BGPAdvertisement, peerName: string): boolean {
  return adv.peers.length === 0 || adv.peers.includes(peerName);
}

export function peerSelectsNode(peer: BGPPeer, nodeLabels: Labels): boolean {
  return anySelectorMatches(peer.nodeSelectors, nodeLabels);
}

/**
 * MetalLB `isPoolCompatibleWithService` plus its namespace pinning: may `pool` give addresses to `service`?
 * Pools without `serviceAllocation` serve everyone.
 */
export function poolServesService(pool: IPAddressPool, service: Service, namespaces: readonly Namespace[]): boolean {
  const sa = pool.serviceAllocation;
  if (!sa) return true;
  if (sa.namespaces.length > 0 || sa.namespaceSelectors.length > 0) {
    const ns = namespaces.find((n) => n.name === service.namespace);
    const bySelector = ns !== undefined && sa.namespaceSelectors.length > 0 && anySelectorMatches(sa.namespaceSelectors, ns.labels);
    if (!sa.namespaces.includes(service.namespace) && !bySelector) return false;
  }
  if (sa.serviceSelectors.length > 0 && !anySelectorMatches(sa.serviceSelectors, service.labels)) return false;
  return true;
}

/**
 * The pools a service is pinned to, best first (MetalLB `pinnedPoolsForService` + `sortPools`): auto-assign pools
 * with a `serviceAllocation` that serves it, by priority (1 before 2; unset after every set one), ties in
 * configuration order. A pinned pool that has namespaces/selectors only in the form of a priority pins nothing.
 */
export function pinnedPools(pools: readonly IPAddressPool[], service: Service, namespaces: readonly Namespace[]): IPAddressPool[] {
  const out = pools.filter((p) => {
    const sa = p.serviceAllocation;
    if (!p.autoAssign || !sa) return false;
    const pins = sa.namespaces.length > 0 || sa.namespaceSelectors.length > 0 || sa.serviceSelectors.length > 0;
    return pins && poolServesService(p, service, namespaces);
  });
  const rank = (p: IPAddressPool): number => (p.serviceAllocation?.priority ? p.serviceAllocation.priority : Number.MAX_SAFE_INTEGER);
  // Array.prototype.sort is stable: equal priorities keep configuration order.
  return out.sort((a, b) => rank(a) - rank(b));
}

/** The pools tried when nothing pins the service: auto-assign pools without `serviceAllocation`, in order. */
export function fallbackPools(pools: readonly IPAddressPool[]): IPAddressPool[] {
  return pools.filter((p) => p.autoAssign && !p.serviceAllocation);
}
