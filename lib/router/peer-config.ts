/**
 * A Router configuration's neighbours and peer groups in the Speaker's terms, and the three classes of peer
 * setting a reload must tell apart:
 *
 * - session settings (`SESSION_FIELDS`): what goes into the OPEN (remote AS, hold time and keepalive, families),
 *   how the connection is made (port, passive, update-source), and what the RIB fixes when the session starts
 *   (route-reflector client, next-hop-self, the peer group). Changing one needs a new session;
 * - deferred settings (`DEFERRED_FIELDS`: description, connect timer): they matter only for the next session,
 *   so they are applied when the session is next down, never by resetting it;
 * - policy (`routeMapIn`/`routeMapOut`, and RFC 8212 where a direction has none): applied to the live session
 *   through its `PolicySlot`s plus a refresh.
 *
 * Imports lib/config, lib/speaker types and this folder.
 */
import type {
  RouterConfig,
  RouterFamily,
  RouterGracefulRestart,
  RouterNeighbor,
  RouterPeerGroup,
  RouterPeerSettings,
  RouterRemoteAs,
} from '../config/router-index.js';
import type { PeerConfig, PeerGroupConfig } from '../speaker/index.js';
import { routeMapFingerprint } from './policy-fingerprint.js';
import type { PolicySlot, SlotState } from './policy-slot.js';

export const SESSION_FIELDS = [
  'remoteAs',
  'port',
  'passive',
  'localAddress',
  'holdTime',
  'keepaliveTime',
  'families',
  'routeReflectorClient',
  'nextHopSelf',
] as const;
export const DEFERRED_FIELDS = ['description', 'connectRetryTime'] as const;

/** The families of a session: as configured, else the Speaker's default (IPv4 unicast), in a fixed order. */
export function familiesOf(s: RouterPeerSettings): readonly RouterFamily[] {
  const list = s.families ?? ['ipv4-unicast'];
  return (['ipv4-unicast', 'ipv6-unicast'] as const).filter((f) => list.includes(f));
}

/** True/false when the remote AS says the session is external/internal; undefined when it cannot be known. */
export function isExternal(remoteAs: RouterRemoteAs | undefined, asn: number): boolean | undefined {
  if (remoteAs === undefined) return undefined;
  if (typeof remoteAs === 'number') return remoteAs !== asn;
  return remoteAs === 'external';
}

/** A session setting's value, comparable with `===` after JSON (families normalised, booleans defaulted). */
export function sessionValue(s: RouterPeerSettings, field: (typeof SESSION_FIELDS)[number]): string {
  switch (field) {
    case 'families':
      return familiesOf(s).join(',');
    case 'passive':
    case 'routeReflectorClient':
    case 'nextHopSelf':
      return String(s[field] === true);
    default:
      return JSON.stringify(s[field] ?? null);
  }
}

/** What a direction's slot should apply under `config`. */
export function slotState(config: RouterConfig, s: RouterPeerSettings, dir: 'in' | 'out'): SlotState {
  const name = dir === 'in' ? s.routeMapIn : s.routeMapOut;
  return {
    target: name === undefined ? { kind: 'none' } : { kind: 'route-map', name, policy: config.policies.routeMapPolicy(name, dir) },
    ebgpRequiresPolicy: config.ebgpRequiresPolicy,
    external: isExternal(s.remoteAs, config.asn),
  };
}

/**
 * What a direction's policy means, as text: equal before and after a reload exactly when every route would be
 * decided the same way (the route map's fingerprint; with none, whether RFC 8212 denies).
 */
export function policyMeaning(config: RouterConfig, s: RouterPeerSettings, dir: 'in' | 'out'): string {
  const name = dir === 'in' ? s.routeMapIn : s.routeMapOut;
  if (name !== undefined) return routeMapFingerprint(config.policy, name);
  const external = isExternal(s.remoteAs, config.asn);
  return `none rfc8212=${config.ebgpRequiresPolicy && external !== false}`;
}

/**
 * The Graceful Restart capability (RFC 4724) of a session under `bgp graceful-restart`: our restart time, the N bit
 * (RFC 8538) and, per family of the session, the F bit.
 */
export function gracefulRestartCapability(gr: RouterGracefulRestart, families: readonly RouterFamily[]): NonNullable<PeerGroupConfig['capabilities']> {
  return {
    gracefulRestart: {
      restartTime: gr.restartTime,
      notification: gr.notification,
      families: families.map((f) => ({ afi: f === 'ipv4-unicast' ? 1 : 2, safi: 1, forwarding: gr.preserveForwardingState })),
    },
  };
}

function common(
  s: RouterPeerSettings,
  slots: { readonly in: PolicySlot; readonly out: PolicySlot },
  gr: RouterGracefulRestart | undefined,
): PeerGroupConfig {
  return {
    ...(s.remoteAs !== undefined ? { remoteAs: s.remoteAs } : {}),
    ...(s.description !== undefined ? { description: s.description } : {}),
    ...(s.passive === true ? { passive: true } : {}),
    ...(s.port !== undefined ? { port: s.port } : {}),
    ...(s.localAddress !== undefined ? { localAddress: s.localAddress } : {}),
    ...(s.holdTime !== undefined ? { holdTime: s.holdTime } : {}),
    ...(s.keepaliveTime !== undefined ? { keepaliveTime: s.keepaliveTime } : {}),
    ...(s.connectRetryTime !== undefined ? { connectRetryTime: s.connectRetryTime } : {}),
    families: familiesOf(s),
    ...(s.routeReflectorClient === true ? { routeReflectorClient: true } : {}),
    ...(s.nextHopSelf === true ? { nextHopSelf: true } : {}),
    importPolicy: slots.in.policy,
    exportPolicy: slots.out.policy,
    ...(gr !== undefined ? { capabilities: gracefulRestartCapability(gr, familiesOf(s)) } : {}),
  };
}

/**
 * The Speaker's configuration of a neighbour, from its settings in effect (its own over its group's). An
 * administratively shut-down neighbour is added passive, so that nothing is dialled before `shutdownPeer` stops
 * it; enabling it adds it again as configured.
 */
export function neighborPeerConfig(
  n: RouterNeighbor,
  effective: RouterPeerSettings,
  slots: { readonly in: PolicySlot; readonly out: PolicySlot },
  gr?: RouterGracefulRestart,
): PeerConfig {
  return {
    ...common(effective, slots, gr),
    address: n.address,
    ...(n.peerGroup !== undefined ? { peerGroup: n.peerGroup } : {}),
    ...(effective.shutdown === true ? { passive: true } : {}),
  };
}

/** The Speaker's configuration of a peer group: what its dynamic neighbours (listen ranges) get. */
export function groupPeerConfig(
  g: RouterPeerGroup,
  slots: { readonly in: PolicySlot; readonly out: PolicySlot },
  gr?: RouterGracefulRestart,
): PeerGroupConfig {
  return common(g, slots, gr);
}
