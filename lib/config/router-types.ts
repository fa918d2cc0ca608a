/**
 * The checked configuration of tsbgpd's router mode (`apiVersion: tsbgpd.io/v1alpha1, kind: Router`): a route
 * reflector that stands in for FRR's bgpd — the seed's pfSense box. Whether it was written as YAML fields or as an
 * `frr: |` block of FRR `router bgp` text, it ends up as this one frozen shape, which `lib/router` turns into a
 * Speaker and diffs on reload.
 *
 * Field meanings follow FRR's commands (the doc comment names each one) and RFC 4271 / RFC 4456 / RFC 8212. The
 * types repeat, structurally, what `lib/speaker` and `lib/api` accept (families, remote AS, route attributes,
 * endpoints): the config layer may not import those layers, and a `RouterConfig` is plain data either way.
 *
 * Imports only policy types.
 */
import type { PolicyDefinition, PolicySet } from '../policy/index.js';

/** An AFI/SAFI a session may carry (FRR `address-family ipv4 unicast` + `neighbor X activate`). */
export type RouterFamily = 'ipv4-unicast' | 'ipv6-unicast';

/** FRR `neighbor X remote-as (1-4294967295)|internal|external`. */
export type RouterRemoteAs = number | 'internal' | 'external';

/**
 * What a neighbour or a peer group may set. Absent = not set here: a neighbour inherits its peer group's value,
 * and what neither sets takes the Speaker's default.
 */
export interface RouterPeerSettings {
  /** `neighbor X remote-as N|internal|external`. */
  readonly remoteAs?: RouterRemoteAs;
  /** `neighbor X description TEXT`. */
  readonly description?: string;
  /** `neighbor X passive`: never dial, only accept. */
  readonly passive?: boolean;
  /** `neighbor X port N`: the peer's TCP port (default 179). */
  readonly port?: number;
  /** `neighbor X update-source ADDR`: our address for the session. */
  readonly localAddress?: string;
  /** `neighbor X timers KEEPALIVE HOLD`: seconds (hold 0 or 3..65535). */
  readonly holdTime?: number;
  readonly keepaliveTime?: number;
  /** `neighbor X timers connect N`: ceiling of the reconnect backoff, seconds. */
  readonly connectRetryTime?: number;
  /** The families the neighbour is activated in. */
  readonly families?: readonly RouterFamily[];
  /** `neighbor X route-reflector-client` (RFC 4456; iBGP only). */
  readonly routeReflectorClient?: boolean;
  /** `neighbor X next-hop-self`. */
  readonly nextHopSelf?: boolean;
  /** `neighbor X route-map NAME in`. */
  readonly routeMapIn?: string;
  /** `neighbor X route-map NAME out`. */
  readonly routeMapOut?: string;
  /** `neighbor X shutdown [message TEXT]`: configured but administratively down (RFC 9003 message). */
  readonly shutdown?: boolean;
  readonly shutdownMessage?: string;
}

/** `neighbor NAME peer-group` and the settings given to NAME. */
export interface RouterPeerGroup extends RouterPeerSettings {
  readonly name: string;
}

/** `neighbor ADDR …`: a configured neighbour, with its own settings only (its group's are not copied in). */
export interface RouterNeighbor extends RouterPeerSettings {
  /** Canonical text (RFC 5952 for IPv6). */
  readonly address: string;
  /** `neighbor ADDR peer-group NAME`. */
  readonly peerGroup?: string;
}

/** `bgp listen range PREFIX peer-group NAME`: dynamic neighbours. */
export interface RouterListenRange {
  /** Canonical CIDR text, host bits clear. */
  readonly prefix: string;
  readonly peerGroup: string;
}

/** The attributes of an originated network (the words of `lib/speaker`'s RouteAttributes). */
export interface RouterRouteAttributes {
  readonly origin?: 'igp' | 'egp' | 'incomplete';
  readonly asPath?: readonly number[];
  readonly med?: number;
  readonly localPref?: number;
  readonly communities?: readonly string[];
  readonly largeCommunities?: readonly string[];
  readonly extendedCommunities?: readonly string[];
}

/** `network PREFIX` (under its address family). */
export interface RouterNetwork {
  /** Canonical CIDR text. */
  readonly prefix: string;
  readonly attributes: RouterRouteAttributes;
}

/** A unix socket, or a TCP host and port (the shapes of `lib/api`'s Endpoint). */
export type RouterEndpoint = { readonly socketPath: string } | { readonly host: string; readonly port: number };

export interface RouterListener {
  /** Undefined: the API's default (`/run/tsbgpd.sock` for the control API). */
  readonly endpoint: RouterEndpoint | undefined;
  /** Permit a TCP address that is not loopback. */
  readonly allowRemote: boolean;
}

export interface RouterConfig {
  /** `metadata.name`, else the file name. */
  readonly name: string;
  /** The file it was read from (for logs). */
  readonly file: string;
  /** `router bgp ASN`. */
  readonly asn: number;
  /** `bgp router-id A.B.C.D`. */
  readonly routerId: string;
  /** `bgp cluster-id A.B.C.D` (RFC 4456 §7); undefined = the router ID. */
  readonly clusterId: string | undefined;
  /** Where BGP connections are accepted (bgpd's `-l ADDR -p PORT`); false: never, only dial. */
  readonly listen: { readonly address: string; readonly port: number } | false;
  /** `[no] bgp ebgp-requires-policy` (RFC 8212; default on, as in FRR). */
  readonly ebgpRequiresPolicy: boolean;
  /** `maximum-paths N` (default 1). */
  readonly maximumPaths: number;
  /** `bgp always-compare-med`. */
  readonly alwaysCompareMed: boolean;
  /** `bgp listen limit N` (default 100). */
  readonly listenLimit: number;
  /** `bgp graceful-restart` (RFC 4724) and its settings; absent: not configured (no capability advertised). */
  readonly gracefulRestart?: RouterGracefulRestart;
  readonly peerGroups: readonly RouterPeerGroup[];
  readonly neighbors: readonly RouterNeighbor[];
  readonly listenRanges: readonly RouterListenRange[];
  readonly networks: readonly RouterNetwork[];
  /** Route maps and the lists they use, as written (for diffing) … */
  readonly policy: PolicyDefinition;
  /** … and compiled. */
  readonly policies: PolicySet;
  /** The control API; false: none. */
  readonly api: RouterListener | false;
  /** Prometheus metrics; false (the default): none. */
  readonly metrics: RouterListener | false;
}

/**
 * Graceful restart (RFC 4724) as `bgp graceful-restart …` configures it. tsbgpd advertises the capability on every
 * session, which makes it a receiving speaker (it keeps a restarting peer's routes stale); as a restarting speaker
 * the router has no forwarding state of its own to preserve unless told so.
 */
export interface RouterGracefulRestart {
  /** `bgp graceful-restart restart-time N`: seconds, 0..4095, advertised to peers (default 120). */
  readonly restartTime: number;
  /** `bgp graceful-restart stalepath-time N`: seconds a returned peer's stale routes wait for End-of-RIB (default 360). */
  readonly stalePathTime: number;
  /** `[no] bgp graceful-restart notification`: RFC 8538's N bit (default on, as in FRR 8.4). */
  readonly notification: boolean;
  /** `bgp graceful-restart preserve-fw-state`: the F bit (default off: tsbgpd installs no routes). */
  readonly preserveForwardingState: boolean;
}

/** Defaults, as FRR has them where FRR has one. */
export const ROUTER_DEFAULTS = Object.freeze({
  listen: Object.freeze({ address: '::', port: 179 }),
  ebgpRequiresPolicy: true,
  maximumPaths: 1,
  listenLimit: 100,
  gracefulRestart: Object.freeze({ restartTime: 120, stalePathTime: 360, notification: true, preserveForwardingState: false }),
});

/** The peer settings in effect for a neighbour: its own over its group's. */
export function effectiveSettings(config: RouterConfig, neighbor: RouterNeighbor): RouterPeerSettings {
  const group = neighbor.peerGroup === undefined ? undefined : config.peerGroups.find((g) => g.name === neighbor.peerGroup);
  const { name: _name, ...inherited } = group ?? { name: '' };
  const own: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(neighbor)) if (v !== undefined && k !== 'address' && k !== 'peerGroup') own[k] = v;
  return { ...inherited, ...(own as RouterPeerSettings) };
}
