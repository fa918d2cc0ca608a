/**
 * The announcer's configuration as `loadConfig` hands it out: MetalLB's resources (IPAddressPool, BGPAdvertisement,
 * BGPPeer, Community), the Kubernetes Services and Namespaces they apply to, and this node's identity — checked,
 * defaulted and frozen. Field names follow MetalLB's API (`peerASN`, `aggregationLength`) so that a reader can
 * hold this next to the CRD reference. Every resource keeps where it was written (`source`) for later messages.
 *
 * Plain data only; imports types.
 */
import type { Cidr } from './address.js';
import type { SourcePosition } from './diagnostics.js';
import type { LabelSelector, Labels } from './label-selector.js';
import type { LargeCommunity } from '../wire/index.js';

export interface ResourceSource extends SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** One entry of `spec.addresses` as written, and the blocks it stands for. */
export interface PoolAddresses {
  readonly text: string;
  readonly cidrs: readonly Cidr[];
}

/** `IPAddressPool.spec.serviceAllocation`: pins the pool to some services. */
export interface ServiceAllocation {
  /** Lower is tried first; 0 (unset) after every pool that has one. */
  readonly priority: number;
  readonly namespaces: readonly string[];
  readonly namespaceSelectors: readonly LabelSelector[];
  readonly serviceSelectors: readonly LabelSelector[];
}

export interface IPAddressPool {
  readonly name: string;
  readonly labels: Labels;
  readonly addresses: readonly PoolAddresses[];
  /** Every block, in the order written: the allocation order. */
  readonly cidrs: readonly Cidr[];
  readonly autoAssign: boolean;
  readonly avoidBuggyIPs: boolean;
  readonly serviceAllocation: ServiceAllocation | undefined;
  readonly source: ResourceSource;
}

/** Communities an advertisement attaches: RFC 1997 values and RFC 8092 large communities. */
export interface CommunitySet {
  /** Sorted, unique 32-bit values. */
  readonly standard: readonly number[];
  /** Sorted, unique. */
  readonly large: readonly LargeCommunity[];
}

export interface BGPAdvertisement {
  readonly name: string;
  /** 0..32, default 32. */
  readonly aggregationLength: number;
  /** 0..128, default 128. */
  readonly aggregationLengthV6: number;
  /** LOCAL_PREF for iBGP peers; undefined when unset (MetalLB's 0). */
  readonly localPref: number | undefined;
  readonly communities: CommunitySet;
  /** Pool names as written. */
  readonly ipAddressPools: readonly string[];
  readonly ipAddressPoolSelectors: readonly LabelSelector[];
  /** BGPPeer names; empty = every peer. */
  readonly peers: readonly string[];
  /** Empty = every node. */
  readonly nodeSelectors: readonly LabelSelector[];
  readonly source: ResourceSource;
}

export interface BGPPeer {
  readonly name: string;
  readonly myASN: number;
  /** Set unless `dynamicASN` is. */
  readonly peerASN: number | undefined;
  readonly dynamicASN: 'internal' | 'external' | undefined;
  /** Canonical text. */
  readonly peerAddress: string;
  /** Default 179. */
  readonly peerPort: number;
  readonly sourceAddress: string | undefined;
  /** Whole seconds, after MetalLB's defaulting (keepalive = hold/3, hold = 3 × keepalive). */
  readonly holdTime: number | undefined;
  readonly keepaliveTime: number | undefined;
  /** Whole seconds: the reconnect interval ceiling. */
  readonly connectTime: number | undefined;
  readonly routerID: string | undefined;
  readonly nodeSelectors: readonly LabelSelector[];
  readonly enableGracefulRestart: boolean;
  readonly ebgpMultiHop: boolean;
  /**
   * Negotiate IPv4 and IPv6 unicast on this one session (MetalLB `dualStackAddressFamily`); by default only the
   * peer address's family is (MetalLB's FRR mode; `disableMP` asks for that default explicitly).
   */
  readonly dualStackAddressFamily: boolean;
  /** Accepted with a warning: BFD is not implemented. */
  readonly bfdProfile: string | undefined;
  readonly source: ResourceSource;
}

export type IPFamily = 'IPv4' | 'IPv6';
export type IPFamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';

export interface ServicePort {
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  readonly port: number;
}

/** What the announcer reads of a Kubernetes Service. */
export interface Service {
  readonly namespace: string;
  readonly name: string;
  /** `namespace/name`. */
  readonly key: string;
  readonly type: string;
  readonly labels: Labels;
  readonly ports: readonly ServicePort[];
  readonly selector: Readonly<Record<string, string>>;
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  readonly loadBalancerClass: string | undefined;
  /**
   * The families the service wants, from `clusterIPs`/`clusterIP`, else `ipFamilies`, else `ipFamilyPolicy`
   * (dual stack asks for both), else the requested addresses, else IPv4. Two entries = dual stack.
   */
  readonly families: readonly IPFamily[];
  readonly ipFamilyPolicy: IPFamilyPolicy;
  /** `metallb.io/loadBalancerIPs` or `spec.loadBalancerIP`, canonical text; at most one per family. */
  readonly requestedIPs: readonly string[];
  /** `metallb.io/address-pool` (or the older `metallb.universe.tf/` prefix). */
  readonly requestedPool: string | undefined;
  /** `metallb.io/allow-shared-ip`; undefined = no sharing. */
  readonly sharingKey: string | undefined;
  /** For `externalTrafficPolicy: Local`, the selector as text (services sharing an address need the same). */
  readonly backendKey: string;
  /** `status.loadBalancer.ingress[].ip` as found in the manifest (a cluster dump), canonical. */
  readonly statusIPs: readonly string[];
  readonly source: ResourceSource;
}

export interface Namespace {
  readonly name: string;
  readonly labels: Labels;
}

/** This node: who it is to selectors and to its peers. */
export interface NodeIdentity {
  readonly name: string;
  readonly labels: Labels;
  /** BGP Identifier: flag, Node resource, the BGPPeers' `routerID`, or the node's first IPv4 address. */
  readonly routerId: string;
  readonly addresses: readonly string[];
  /** This node's AS: the flag or Node resource, else the `myASN` its BGPPeers share. */
  readonly asn: number | undefined;
}

/** A whole, valid configuration for one node. */
export interface AnnouncerConfig {
  readonly node: NodeIdentity;
  /** In the order written (the allocation order). */
  readonly pools: readonly IPAddressPool[];
  readonly advertisements: readonly BGPAdvertisement[];
  /** Every BGPPeer; `nodePeers` are those whose nodeSelectors pick this node. */
  readonly peers: readonly BGPPeer[];
  readonly nodePeers: readonly BGPPeer[];
  /** Community aliases (`Community` resources): name → value. */
  readonly communityAliases: ReadonlyMap<string, { readonly standard?: number; readonly large?: LargeCommunity }>;
  /** Sorted by `namespace/name`. */
  readonly services: readonly Service[];
  readonly namespaces: readonly Namespace[];
}
