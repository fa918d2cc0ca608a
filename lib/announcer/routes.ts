/**
 * What this node announces, and to whom: from the services' addresses and the BGPAdvertisements, a table
 * prefix → (peer → attributes). For each address of a service, each advertisement that covers the address's pool
 * and applies on this node yields the address masked to its aggregation length (`aggregationLength` for IPv4,
 * `aggregationLengthV6` for IPv6), sent to the advertisement's peers among this node's BGPPeers with its
 * communities and LOCAL_PREF. Addresses that mask to the same prefix are one route; advertisements that send the
 * same prefix to the same peer merge their communities (as MetalLB's FRR mode does), and the first one in
 * configuration order that sets LOCAL_PREF gives it (the configuration checks refuse the conflicts MetalLB refuses).
 *
 * A pool no advertisement covers is never announced. A node labelled
 * `node.kubernetes.io/exclude-from-external-load-balancers` announces nothing, as MetalLB's speaker does unless
 * started with `--ignore-exclude-lb`.
 */
import {
  advertisementSelectsNode,
  advertisementSelectsPeer,
  advertisementSelectsPool,
  parseAddress,
  type AnnouncerConfig,
} from '../config/index.js';
import { aggregatePrefix, prefixKey, type PrefixKey } from '../rib/index.js';
import type { LargeCommunity, Prefix } from '../wire/index.js';
import type { ServiceOutcome } from './allocate.js';

export const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

/** What one peer is sent with one prefix. */
export interface PeerAttributes {
  /** RFC 1997 values, sorted. */
  readonly communities: readonly number[];
  /** RFC 8092 values, sorted. */
  readonly largeCommunities: readonly LargeCommunity[];
  /** Sent to iBGP peers only; undefined = the attribute's default (RFC 4271 §5.1.5: 100 toward iBGP). */
  readonly localPref: number | undefined;
}

export interface AnnouncedPrefix {
  readonly key: PrefixKey;
  readonly prefix: Prefix;
  /** `10.8.0.0/32`. */
  readonly text: string;
  /** BGPPeer name → attributes; peers not listed are not sent the prefix. */
  readonly peers: ReadonlyMap<string, PeerAttributes>;
  /** Services whose addresses it covers (`namespace/name`). */
  readonly services: readonly string[];
  readonly advertisements: readonly string[];
}

export type RouteTable = ReadonlyMap<PrefixKey, AnnouncedPrefix>;

export interface RouteOptions {
  /** Announce even when the node carries the exclude-from-external-load-balancers label. */
  readonly ignoreExcludeLB?: boolean;
}

interface Draft {
  prefix: Prefix;
  peers: Map<string, { communities: Set<number>; large: Map<string, LargeCommunity>; localPref: number | undefined }>;
  services: Set<string>;
  advertisements: Set<string>;
}

/** The table for the given allocations; `notes` says where advertisements disagreed on LOCAL_PREF. */
export function computeRoutes(config: AnnouncerConfig, outcomes: readonly ServiceOutcome[], options: RouteOptions = {}): { table: RouteTable; notes: string[] } {
  const notes: string[] = [];
  const table = new Map<PrefixKey, AnnouncedPrefix>();
  if (!options.ignoreExcludeLB && Object.hasOwn(config.node.labels, EXCLUDE_LB_LABEL)) return { table, notes };
  const advs = config.advertisements.filter((a) => advertisementSelectsNode(a, config.node.labels));
  const drafts = new Map<PrefixKey, Draft>();
  for (const { service, assignment } of outcomes) {
    if (!assignment) continue;
    const pool = config.pools.find((p) => p.name === assignment.pool);
    if (!pool) continue;
    for (const address of assignment.addresses) {
      const afi = parseAddress(address)?.afi;
      if (afi === undefined) continue;
      for (const adv of advs) {
        if (!advertisementSelectsPool(adv, pool)) continue;
        const prefix = aggregatePrefix(address, afi === 1 ? adv.aggregationLength : adv.aggregationLengthV6);
        const key = prefixKey(prefix) as PrefixKey;
        let d = drafts.get(key);
        if (!d) drafts.set(key, (d = { prefix, peers: new Map(), services: new Set(), advertisements: new Set() }));
        d.services.add(service.key);
        d.advertisements.add(adv.name);
        for (const peer of config.nodePeers) {
          if (!advertisementSelectsPeer(adv, peer.name)) continue;
          let p = d.peers.get(peer.name);
          if (!p) d.peers.set(peer.name, (p = { communities: new Set(), large: new Map(), localPref: undefined }));
          for (const c of adv.communities.standard) p.communities.add(c);
          for (const c of adv.communities.large) p.large.set(c.join(':'), c);
          if (adv.localPref !== undefined) {
            if (p.localPref === undefined) p.localPref = adv.localPref;
            else if (p.localPref !== adv.localPref) {
              notes.push(`${prefix.address}/${prefix.length} to ${peer.name}: LOCAL_PREF ${adv.localPref} of ${adv.name} ignored, ${p.localPref} kept`);
            }
          }
        }
      }
    }
  }
  for (const [key, d] of drafts) {
    const peers = new Map<string, PeerAttributes>();
    for (const [name, p] of d.peers) {
      peers.set(name, {
        communities: [...p.communities].sort((a, b) => a - b),
        largeCommunities: [...p.large.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]),
        localPref: p.localPref,
      });
    }
    table.set(key, {
      key,
      prefix: d.prefix,
      text: `${d.prefix.address}/${d.prefix.length}`,
      peers,
      services: [...d.services].sort(),
      advertisements: [...d.advertisements],
    });
  }
  return { table, notes };
}

/** Equal attributes for one peer. */
export function samePeerAttributes(a: PeerAttributes, b: PeerAttributes): boolean {
  return (
    a.localPref === b.localPref &&
    a.communities.length === b.communities.length &&
    a.communities.every((c, i) => c === b.communities[i]) &&
    a.largeCommunities.length === b.largeCommunities.length &&
    a.largeCommunities.every((c, i) => c.join(':') === b.largeCommunities[i]?.join(':'))
  );
}

/**
 * Nothing to re-send for this prefix: every peer in `continuing` (sessions that stay up across the change) is sent
 * it, or not, as before, with the same attributes. Sessions that are new or reset get a full table anyway.
 */
export function sameExport(a: AnnouncedPrefix, b: AnnouncedPrefix, continuing: ReadonlySet<string>): boolean {
  for (const name of continuing) {
    const x = a.peers.get(name);
    const y = b.peers.get(name);
    if (x === undefined && y === undefined) continue;
    if (x === undefined || y === undefined || !samePeerAttributes(x, y)) return false;
  }
  return true;
}
