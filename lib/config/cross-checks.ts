/**
 * Checks that span resources, each reported at the field that causes it:
 *
 * - names are unique per kind; pools do not overlap each other (MetalLB refuses it) nor contain a node address;
 * - an advertisement's aggregation length is not shorter than any block of a
 *   pool they cover (a /16 pool cannot be announced as a /8), and two advertisements that could send the same
 *   prefix to the same peer from the same node do not disagree on LOCAL_PREF (MetalLB `validateBGPAdvPerPool`);
 * - services are unique (references to pools and peers are checked by their readers, against every name
 *   declared, so that one broken pool does not also make every reference to it an error);
 * - for this node: the BGPPeers that select it share one `myASN` (as MetalLB's FRR mode requires, and as one BGP
 *   speaker must) and one `routerID`, and no two of them have the same address; the router ID and AS are resolved.
 *
 * Pools that no advertisement covers are allowed (their addresses are allocated, never announced) with a warning.
 */
import { cidrContains, cidrText, cidrsOverlap, parseAddress, type Cidr } from './address.js';
import type { Diagnostics } from './diagnostics.js';
import type { Field } from './field.js';
import type { Labels } from './label-selector.js';
import type { NodeDraft, NodeResource } from './node.js';
import { advertisementSelectsNode, advertisementSelectsPool, peerSelectsNode } from './selection.js';
import type { BGPAdvertisement, BGPPeer, IPAddressPool, Namespace, NodeIdentity, Service } from './types.js';

/** A resource and the field it was read from (to locate later messages). */
export interface Loaded<T> {
  readonly value: T;
  readonly root: Field;
}

export interface CrossCheckInput {
  readonly pools: readonly Loaded<IPAddressPool>[];
  readonly peers: readonly Loaded<BGPPeer>[];
  readonly advertisements: readonly Loaded<BGPAdvertisement>[];
  readonly services: readonly Loaded<Service>[];
  readonly namespaces: readonly Loaded<Namespace>[];
  readonly nodeResources: readonly NodeResource[];
  /** Undefined when validating without a node: the per-node checks are skipped. */
  readonly node: NodeDraft | undefined;
}

function uniqueNames<T extends { name: string }>(items: readonly Loaded<T>[], kind: string): void {
  const seen = new Map<string, Loaded<T>>();
  for (const item of items) {
    const k = item.value.name;
    const first = seen.get(k);
    if (first) {
      const at = first.root.doc;
      item.root.get('metadata').get('name').error(`duplicate ${kind} ${JSON.stringify(k)} (first defined at ${at.file}:${at.line})`);
    } else seen.set(k, item);
  }
}

function checkPools(input: CrossCheckInput, nodeAddresses: readonly string[]): void {
  const placed: { cidr: Cidr; pool: string }[] = [];
  for (const { value: pool, root } of input.pools) {
    pool.addresses.forEach((entry, i) => {
      const field = root.get('spec').get('addresses').at(i);
      for (const cidr of entry.cidrs) {
        const clash = placed.find((p) => p.pool !== pool.name && cidrsOverlap(p.cidr, cidr));
        if (clash) field.error(`${cidrText(cidr)} overlaps ${cidrText(clash.cidr)} of pool ${JSON.stringify(clash.pool)}`);
        for (const a of nodeAddresses) {
          const ip = parseAddress(a);
          if (ip && cidrContains(cidr, ip)) field.error(`${cidrText(cidr)} contains the node address ${a}`);
        }
      }
      for (const cidr of entry.cidrs) placed.push({ cidr, pool: pool.name });
    });
  }
}

/** The shortest prefix length among the blocks of one `addresses` entry, per family (MetalLB `lowestMask`). */
function lowestMask(cidrs: readonly Cidr[]): number {
  return Math.min(...cidrs.map((c) => c.length));
}

function checkAdvertisements(input: CrossCheckInput, knownNodes: readonly Labels[]): void {
  // Per pool, the advertisements already attached, for the LOCAL_PREF rule.
  const attached = new Map<string, BGPAdvertisement[]>();
  for (const { value: adv, root } of input.advertisements) {
    const spec = root.get('spec');
    for (const { value: pool } of input.pools) {
      if (!advertisementSelectsPool(adv, pool)) continue;
      for (const entry of pool.addresses) {
        const afi = entry.cidrs[0]?.afi;
        if (afi === undefined) continue;
        const lowest = lowestMask(entry.cidrs);
        const [field, length] = afi === 1 ? ['aggregationLength', adv.aggregationLength] : ['aggregationLengthV6', adv.aggregationLengthV6];
        if (length < lowest) {
          spec
            .get(field)
            .error(`${length} is shorter than /${lowest} of ${JSON.stringify(entry.text)} in pool ${JSON.stringify(pool.name)}: the aggregate would cover addresses outside the pool`);
        }
      }
      const others = attached.get(pool.name) ?? [];
      for (const other of others) {
        if (other.localPref !== adv.localPref && !compatible(adv, other, knownNodes)) {
          spec.get('localPref').error(
            `LOCAL_PREF ${adv.localPref ?? 'unset'} conflicts with ${other.localPref ?? 'unset'} of BGPAdvertisement ${JSON.stringify(other.name)}: both announce pool ${JSON.stringify(pool.name)} with the same aggregation to the same peers from the same nodes`,
          );
        }
      }
      attached.set(pool.name, [...others, adv]);
    }
  }
  for (const { value: pool, root } of input.pools) {
    if (!input.advertisements.some((a) => advertisementSelectsPool(a.value, pool))) {
      root.warn(`pool ${JSON.stringify(pool.name)} is not covered by any BGPAdvertisement: its addresses are allocated but never announced`);
    }
  }
}

/**
 * MetalLB `advertisementsAreCompatible`: two advertisements never produce the same UPDATE for one peer. Nodes are
 * the known ones; with none known (validating without a node), two advertisements for every node overlap.
 */
function compatible(a: BGPAdvertisement, b: BGPAdvertisement, knownNodes: readonly Labels[]): boolean {
  if (a.aggregationLength !== b.aggregationLength && a.aggregationLengthV6 !== b.aggregationLengthV6) return true;
  if (a.peers.length > 0 && b.peers.length > 0 && !a.peers.some((p) => b.peers.includes(p))) return true;
  if (knownNodes.length === 0) return a.nodeSelectors.length > 0 || b.nodeSelectors.length > 0;
  return !knownNodes.some((labels) => advertisementSelectsNode(a, labels) && advertisementSelectsNode(b, labels));
}

/** This node's peers, AS and router ID; undefined (reported) when they cannot be settled. */
function checkNode(input: CrossCheckInput, draft: NodeDraft, diags: Diagnostics): { node: NodeIdentity; nodePeers: BGPPeer[] } | undefined {
  const mine = input.peers.filter((p) => peerSelectsNode(p.value, draft.labels));
  let ok = true;
  let asn = draft.asn;
  let asnFrom = draft.asnFrom;
  const byAddress = new Map<string, Loaded<BGPPeer>>();
  let routerId = draft.routerId;
  let routerIdFrom = routerId !== undefined ? 'the node' : undefined;
  for (const p of mine) {
    const spec = p.root.get('spec');
    if (asn === undefined) {
      asn = p.value.myASN;
      asnFrom = `BGPPeer ${JSON.stringify(p.value.name)}`;
    } else if (p.value.myASN !== asn) {
      spec.get('myASN').error(`node ${draft.name} speaks as AS ${asn} (from ${asnFrom}); every BGPPeer of a node must share myASN`);
      ok = false;
    }
    const clash = byAddress.get(p.value.peerAddress);
    if (clash) {
      spec.get('peerAddress').error(`node ${draft.name} already peers with ${p.value.peerAddress} through BGPPeer ${JSON.stringify(clash.value.name)}`);
      ok = false;
    } else byAddress.set(p.value.peerAddress, p);
    const rid = p.value.routerID;
    if (rid !== undefined) {
      if (routerId === undefined) {
        routerId = rid;
        routerIdFrom = `BGPPeer ${JSON.stringify(p.value.name)}`;
      } else if (rid !== routerId) {
        spec.get('routerID').error(`node ${draft.name} uses router ID ${routerId} (from ${routerIdFrom}); one BGP speaker has one identifier`);
        ok = false;
      }
    }
  }
  routerId ??= draft.addresses.find((a) => parseAddress(a)?.afi === 1);
  if (routerId === undefined) {
    diags.error({ file: '--router-id' }, undefined, `no router ID for node ${draft.name}: give --router-id, spec.routerId on its Node, routerID on its BGPPeers, or an IPv4 address of the node`);
    return undefined;
  }
  if (!ok) return undefined;
  const node: NodeIdentity = { name: draft.name, labels: draft.labels, routerId, addresses: draft.addresses, asn };
  return { node, nodePeers: mine.map((p) => p.value) };
}

/** Every check; the node's identity and peers when a node was given and they could be settled. */
export function runCrossChecks(input: CrossCheckInput, diags: Diagnostics): { node: NodeIdentity; nodePeers: BGPPeer[] } | undefined {
  const node = input.node;
  uniqueNames(input.pools, 'IPAddressPool');
  uniqueNames(input.peers, 'BGPPeer');
  uniqueNames(input.advertisements, 'BGPAdvertisement');
  uniqueNames(input.services.map((s) => ({ value: { ...s.value, name: s.value.key }, root: s.root })), 'Service');
  uniqueNames(input.namespaces, 'Namespace');
  const nodeAddresses = [...new Set([...(node?.addresses ?? []), ...input.nodeResources.flatMap((r) => r.addresses)])];
  checkPools(input, nodeAddresses);
  // Nodes whose labels are known: this one, and any other Node resource given (a cluster dump).
  const others = input.nodeResources.filter((r) => r.name !== node?.name).map((r) => ({ 'kubernetes.io/hostname': r.name, ...r.labels }));
  checkAdvertisements(input, node ? [node.labels, ...others] : others);
  return node ? checkNode(input, node, diags) : undefined;
}
