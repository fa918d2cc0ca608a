/**
 * Capability negotiation: from our OPEN and the peer's (already accepted by open-checks.ts), the one `Negotiated`
 * value a session lives by, including the two codec contexts (`rx` for what we decode, `tx` for what we encode).
 *
 * - Hold time is the smaller of the two (RFC 4271 §4.2); 0 disables KEEPALIVEs and the hold timer on both sides.
 *   Our keepalive interval is a third of it, or the configured keepalive when that is smaller (§10).
 * - Families: the Multiprotocol capabilities both sent (RFC 4760 §8); an OPEN with none implies IPv4 unicast.
 * - ADD-PATH per family and direction (RFC 7911 §5): we send Path Identifiers where we said send and the peer said
 *   receive, and expect them where we said receive and the peer said send — only on negotiated families.
 * - 4-octet AS (RFC 6793), extended messages (RFC 8654) and enhanced route refresh (RFC 7313) need both sides;
 *   ROUTE-REFRESH may be sent to a peer that announced code 2 or the pre-standard 128 (RFC 2918 §4).
 * - Graceful restart: the peer's capability is recorded (RFC 4724 §3: "ignore all but the last instance"), LLGR only
 *   beside it (RFC 9494); extended next hop is the intersection of the (afi, safi, next-hop AFI) triples (RFC 8950).
 * Pure. Imports wire constants, types and `peerAsn`.
 */
import { AddPathMode, IPV4_UNICAST, familyKey } from '../wire/constants.js';
import { peerAsn } from '../wire/open.js';
import type { Capability, CodecContext, OpenMessage } from '../wire/types.js';
import type { ResolvedFsmConfig } from './config.js';
import type { Negotiated, PeerGracefulRestart, PeerLongLivedGracefulRestart } from './types.js';

const GR_RESTARTING = 0x8;
const GR_NOTIFICATION = 0x4;
const FORWARDING_STATE = 0x80;

/** The families an OPEN announces, as `familyKey` numbers in wire order; none announced implies IPv4 unicast. */
export function announcedFamilies(open: OpenMessage): number[] {
  const keys = new Set<number>();
  for (const c of open.capabilities) if (c.kind === 'multiprotocol') keys.add(familyKey(c.afi, c.safi));
  // RFC 4760 §8 / RFC 4271: a speaker that does not announce Multiprotocol speaks plain BGP-4, i.e. IPv4 unicast.
  return keys.size > 0 ? [...keys] : [IPV4_UNICAST];
}

/** The hold time and our keepalive interval, in seconds, for two proposed hold times. */
export function negotiateHoldTime(
  localHoldTime: number,
  peerHoldTime: number,
  configuredKeepalive: number | undefined,
): { holdTime: number; keepaliveTime: number } {
  const holdTime = Math.min(localHoldTime, peerHoldTime);
  if (holdTime === 0) return { holdTime, keepaliveTime: 0 };
  // RFC 4271 §10: "A reasonable maximum time between KEEPALIVE messages would be one third of the Hold Time".
  const third = Math.max(1, Math.floor(holdTime / 3));
  return { holdTime, keepaliveTime: configuredKeepalive === undefined ? third : Math.min(third, configuredKeepalive) };
}

/** Builds the negotiated session from our OPEN and the peer's accepted OPEN. */
export function negotiate(config: ResolvedFsmConfig, localOpen: OpenMessage, peerOpen: OpenMessage): Negotiated {
  const local = localOpen.capabilities;
  const peer = peerOpen.capabilities;
  const peerAs = peerAsn(peerOpen);

  const peerFamilies = new Set(announcedFamilies(peerOpen));
  const families = announcedFamilies(localOpen).filter((k) => peerFamilies.has(k));

  const localAddPath = addPathModes(local);
  const peerAddPath = addPathModes(peer);
  const send = new Set<number>();
  const receive = new Set<number>();
  for (const key of families) {
    const ours = localAddPath.get(key) ?? 0;
    const theirs = peerAddPath.get(key) ?? 0;
    if (ours & AddPathMode.Send && theirs & AddPathMode.Receive) send.add(key);
    if (ours & AddPathMode.Receive && theirs & AddPathMode.Send) receive.add(key);
  }

  const both = (kind: Capability['kind']): boolean => has(local, kind) && has(peer, kind);
  const fourOctetAs = both('four-octet-as');
  const extendedMessage = both('extended-message');
  const { holdTime, keepaliveTime } = negotiateHoldTime(localOpen.holdTime, peerOpen.holdTime, config.keepaliveTime);

  const fqdn = find(peer, 'fqdn');
  const peerRole = find(peer, 'role')?.role;
  const negotiated: Negotiated = {
    localAsn: config.localAsn,
    peerAsn: peerAs,
    peerBgpIdentifier: peerOpen.bgpIdentifier,
    internal: peerAs === config.localAsn,
    holdTime,
    keepaliveTime,
    fourOctetAs,
    families,
    addPath: { send, receive },
    extendedMessage,
    routeRefresh: has(peer, 'route-refresh'),
    enhancedRouteRefresh: both('enhanced-route-refresh'),
    gracefulRestart: peerGracefulRestart(peer),
    longLivedGracefulRestart: peerLongLivedGracefulRestart(peer),
    extendedNextHop: extendedNextHop(local, peer),
    peerFqdn: fqdn ? { hostname: fqdn.hostname, domainName: fqdn.domainName } : undefined,
    role: { local: config.capabilities.role, peer: peerRole },
    rx: context(fourOctetAs, receive, extendedMessage),
    tx: context(fourOctetAs, send, extendedMessage),
    localOpen,
    peerOpen,
  };
  return Object.freeze(negotiated);
}

function context(fourOctetAs: boolean, addPath: ReadonlySet<number>, extendedMessage: boolean): CodecContext {
  return Object.freeze({ fourOctetAs, addPath, extendedMessage });
}

function has(caps: readonly Capability[], kind: Capability['kind']): boolean {
  return caps.some((c) => c.kind === kind);
}

function find<K extends Capability['kind']>(caps: readonly Capability[], kind: K): Extract<Capability, { kind: K }> | undefined {
  return caps.find((c): c is Extract<Capability, { kind: K }> => c.kind === kind);
}

function findLast<K extends Capability['kind']>(caps: readonly Capability[], kind: K): Extract<Capability, { kind: K }> | undefined {
  for (let i = caps.length - 1; i >= 0; i--) {
    const c = caps[i] as Capability;
    if (c.kind === kind) return c as Extract<Capability, { kind: K }>;
  }
  return undefined;
}

/** Family → Send/Receive mode over every ADD-PATH capability (a later entry for a family replaces an earlier one). */
function addPathModes(caps: readonly Capability[]): Map<number, number> {
  const modes = new Map<number, number>();
  for (const c of caps) {
    if (c.kind === 'add-path') for (const f of c.families) modes.set(familyKey(f.afi, f.safi), f.mode);
  }
  return modes;
}

function peerGracefulRestart(caps: readonly Capability[]): PeerGracefulRestart | undefined {
  const gr = findLast(caps, 'graceful-restart');
  if (!gr) return undefined;
  return {
    restartTime: gr.restartTime,
    restarting: (gr.restartFlags & GR_RESTARTING) !== 0,
    notification: (gr.restartFlags & GR_NOTIFICATION) !== 0,
    families: gr.families.map((f) => ({ afi: f.afi, safi: f.safi, forwardingPreserved: (f.flags & FORWARDING_STATE) !== 0 })),
  };
}

function peerLongLivedGracefulRestart(caps: readonly Capability[]): PeerLongLivedGracefulRestart | undefined {
  // RFC 9494 §3: LLGR without the Graceful Restart capability is to be ignored.
  const llgr = findLast(caps, 'long-lived-graceful-restart');
  if (!llgr || !has(caps, 'graceful-restart')) return undefined;
  return {
    families: llgr.families.map((f) => ({
      afi: f.afi,
      safi: f.safi,
      forwardingPreserved: (f.flags & FORWARDING_STATE) !== 0,
      staleTime: f.staleTime,
    })),
  };
}

function extendedNextHop(local: readonly Capability[], peer: readonly Capability[]): Negotiated['extendedNextHop'] {
  const key = (e: { afi: number; safi: number; nextHopAfi: number }): string => `${e.afi}/${e.safi}/${e.nextHopAfi}`;
  const theirs = new Set<string>();
  for (const c of peer) if (c.kind === 'extended-next-hop') for (const e of c.entries) theirs.add(key(e));
  const out: { afi: number; safi: number; nextHopAfi: number }[] = [];
  const seen = new Set<string>();
  for (const c of local) {
    if (c.kind !== 'extended-next-hop') continue;
    for (const e of c.entries) {
      const k = key(e);
      if (theirs.has(k) && !seen.has(k)) {
        seen.add(k);
        out.push({ afi: e.afi, safi: e.safi, nextHopAfi: e.nextHopAfi });
      }
    }
  }
  return out;
}
