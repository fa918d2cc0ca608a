/**
 * BGPPeer → the Speaker's `PeerConfig`, when a changed BGPPeer needs its session reset, and each session's export
 * policy.
 *
 * | BGPPeer               | PeerConfig                                                              |
 * |-----------------------|-------------------------------------------------------------------------|
 * | peerAddress, peerPort | address, port                                                           |
 * | peerASN / dynamicASN  | remoteAs (a number, or `internal` / `external`)                          |
 * | sourceAddress         | localAddress                                                            |
 * | holdTime, keepaliveTime, connectTime | holdTime, keepaliveTime, connectRetryTime (seconds)      |
 * | dualStackAddressFamily| families: both unicast families, else the peer address's own            |
 * | enableGracefulRestart | capabilities.gracefulRestart (RFC 4724; restart time 120 s, the          |
 * |                       | forwarding bit, as FRR's `bgp graceful-restart preserve-fw-state`, the  |
 * |                       | Restart State bit on every OPEN of the process, and RFC 8538's N bit)   |
 * | ebgpMultiHop          | nothing to do: node:net sockets use the system TTL, never TTL 1          |
 * | myASN, routerID       | the Speaker's own AS and identifier (checked to agree by lib/config)    |
 *
 * Every session imports nothing (MetalLB's speakers install no routes) and exports through its own policy, which is
 * how one announced prefix carries different attributes to different peers. The Speaker originates one route per
 * prefix, and the announcer originates it bare (ORIGIN IGP, empty AS_PATH); each BGPPeer's export policy looks the
 * prefix up in the announcer's current route table and either denies it (not advertised to this peer) or sets
 * exactly this peer's COMMUNITIES, LARGE_COMMUNITY and LOCAL_PREF. This is where MetalLB's FRR mode puts them too (an outbound route map per neighbor), and it
 * matters: a community such as NO_ADVERTISE (65535:65282) is meant for the router that receives the route; placed
 * on the originated route instead, RFC 1997 would stop the route from leaving this speaker at all.
 *
 * LOCAL_PREF: the advertisement's value when it sets one; else, toward iBGP, RFC 4271 §5.1.5's mandatory attribute
 * with the default 100 (what the RIB adds to routes without one); toward eBGP the RIB removes it in any case.
 * Results are cached per (table entry, input attribute list), so the RIB's interning sees the same array again.
 */
import { parseAddress, type BGPPeer } from '../config/index.js';
import type { Policy, PolicyPeer, PolicyResult, PolicyRoute } from '../policy/index.js';
import { DEFAULT_LOCAL_PREF, prefixKey } from '../rib/index.js';
import type { FamilyName, PeerConfig } from '../speaker/index.js';
import { Afi, Safi, type PathAttribute } from '../wire/index.js';
import type { PeerAttributes, RouteTable } from './routes.js';

/** FRR's default restart time (seconds), advertised in the Graceful Restart capability. */
export const GRACEFUL_RESTART_TIME = 120;

export function peerFamilies(peer: BGPPeer): FamilyName[] {
  if (peer.dualStackAddressFamily) return ['ipv4-unicast', 'ipv6-unicast'];
  return parseAddress(peer.peerAddress)?.afi === 2 ? ['ipv6-unicast'] : ['ipv4-unicast'];
}

export function peerConfigFor(peer: BGPPeer, exportPolicy: Policy): PeerConfig {
  const families = peerFamilies(peer);
  const config: PeerConfig = {
    address: peer.peerAddress,
    port: peer.peerPort,
    remoteAs: peer.peerASN ?? (peer.dynamicASN as 'internal' | 'external'),
    families,
    importPolicy: importNothing,
    exportPolicy,
    description: `BGPPeer ${peer.name}`,
    ...(peer.sourceAddress !== undefined ? { localAddress: peer.sourceAddress } : {}),
    ...(peer.holdTime !== undefined ? { holdTime: peer.holdTime } : {}),
    ...(peer.keepaliveTime !== undefined ? { keepaliveTime: peer.keepaliveTime } : {}),
    ...(peer.connectTime !== undefined ? { connectRetryTime: peer.connectTime } : {}),
    ...(peer.enableGracefulRestart
      ? {
          capabilities: {
            gracefulRestart: {
              restartTime: GRACEFUL_RESTART_TIME,
              // R: this process may be a restart, and it has nothing to wait for (it learns no routes), so the
              // peer should not wait for our End-of-RIB before sending its own (RFC 4724 §4.1). N: a Cease ends
              // the session gracefully (RFC 8538), so SIGTERM can keep our routes and still say goodbye.
              restarting: true,
              notification: true,
              families: families.map((f) => ({ afi: f === 'ipv4-unicast' ? Afi.IPv4 : Afi.IPv6, safi: Safi.Unicast, forwarding: true })),
            },
          },
        }
      : {}),
  };
  return config;
}

/**
 * Everything about a BGPPeer that its session depends on. Equal signatures: the session stays up across a new
 * configuration (what it is sent may still change, through the export policy). `nodeSelectors` are not part of
 * it: they decide whether the session exists at all.
 */
export function peerSignature(peer: BGPPeer): string {
  return JSON.stringify([
    peer.name,
    peer.peerAddress,
    peer.peerPort,
    peer.peerASN ?? peer.dynamicASN,
    peer.sourceAddress ?? null,
    peer.holdTime ?? null,
    peer.keepaliveTime ?? null,
    peer.connectTime ?? null,
    peer.enableGracefulRestart,
    peer.dualStackAddressFamily,
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// Export policy

const REPLACED = new Set<PathAttribute['kind']>(['local-pref', 'communities', 'large-community']);

/** `base` with this peer's LOCAL_PREF and communities in place of whatever it had. */
export function withPeerAttributes(base: readonly PathAttribute[], attrs: PeerAttributes, ibgp: boolean): PathAttribute[] {
  const out = base.filter((a) => !REPLACED.has(a.kind));
  const localPref = attrs.localPref ?? (ibgp ? DEFAULT_LOCAL_PREF : undefined);
  if (localPref !== undefined) out.push({ kind: 'local-pref', localPref });
  if (attrs.communities.length > 0) out.push({ kind: 'communities', communities: attrs.communities });
  if (attrs.largeCommunities.length > 0) out.push({ kind: 'large-community', communities: attrs.largeCommunities });
  return out;
}

/**
 * The export policy of the session to BGPPeer `peerName`. `table` returns the announcer's current route table;
 * the policy reads it on every call, so a new configuration needs no new policy — only a re-export of the prefixes
 * whose attributes changed (the announcer does that).
 */
export function announcerExportPolicy(peerName: string, table: () => RouteTable): Policy {
  const cache = new WeakMap<PeerAttributes, WeakMap<readonly PathAttribute[], { ibgp: boolean; out: PathAttribute[] }>>();
  return (route: PolicyRoute, peer: PolicyPeer): PolicyResult => {
    const key = prefixKey(route.prefix);
    if (key === undefined) return null;
    const attrs = table().get(key)?.peers.get(peerName);
    if (!attrs) return null;
    let byBase = cache.get(attrs);
    if (!byBase) cache.set(attrs, (byBase = new WeakMap()));
    const hit = byBase.get(route.attributes);
    if (hit && hit.ibgp === peer.ibgp) return hit.out;
    const out = withPeerAttributes(route.attributes, attrs, peer.ibgp);
    byBase.set(route.attributes, { ibgp: peer.ibgp, out });
    return out;
  };
}

/** The announcer's import policy: it learns nothing (MetalLB's speakers install no routes). */
export const importNothing: Policy = (): PolicyResult => null;
