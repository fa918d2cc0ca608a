/**
 * Builds the peer views — `GET /v1/summary` and `GET /v1/neighbors[/:addr]` — from what the speaker reports.
 * Reads only; `now` is a parameter so that a view is a pure function of the speaker's state and the clock.
 *
 * Prefix counts per family: the speaker counts per peer over all families, which is exact for the usual
 * single-family session; a session with several families is counted from its Adj-RIBs (one walk each).
 */
import { formatIPv6, parseIPv4, parseIPv6 } from '../wire/index.js';
import type { PeerStatus } from '../speaker/index.js';
import type { NotificationRecord } from '../session/index.js';
import { badRequest, notFound } from './errors.js';
import { capabilitiesView } from './capability-view.js';
import { familyIdOfKey, unicastFamilyId } from './families.js';
import type { SpeakerSource } from './source.js';
import type {
  FamilyPrefixesView,
  MessageCountsView,
  NeighborView,
  NeighborsView,
  NotificationView,
  SummaryPeerView,
  SummaryView,
  TimersView,
} from './views.js';

/** Seconds since the session came up or went down, or null when it has never been Established. */
function upDown(s: PeerStatus): number | null {
  return s.state !== 'Established' && s.flaps === 0 ? null : s.upDownSeconds;
}

/** Routes waiting to be sent: the RIB's pending count while the session is up. */
function outQueue(source: SpeakerSource, address: string): number {
  return source.rib.isUp(address) ? source.rib.counters(address).pending : 0;
}

function summaryPeer(source: SpeakerSource, s: PeerStatus): SummaryPeerView {
  return {
    address: s.address,
    dynamic: s.dynamic,
    port: s.port,
    remoteAs: s.remoteAs ?? null,
    peerAs: s.peerAsn ?? null,
    description: s.description ?? null,
    peerGroup: s.peerGroup ?? null,
    state: s.state,
    upDownSeconds: upDown(s),
    messages: { received: s.messages.received.total, sent: s.messages.sent.total },
    inQueue: 0,
    outQueue: outQueue(source, s.address),
    prefixes: { ...s.prefixes },
    policyBlocked: { in: s.policyBlocked.in ?? null, out: s.policyBlocked.out ?? null },
  };
}

export function summaryView(source: SpeakerSource): SummaryView {
  return {
    routerId: source.routerId,
    localAs: source.asn,
    ribEntries: source.rib.prefixCount,
    peers: source.peers().map((s) => summaryPeer(source, s)),
  };
}

function notificationView(r: NotificationRecord | undefined, now: number): NotificationView | null {
  if (!r) return null;
  return {
    code: r.code,
    subcode: r.subcode,
    name: r.name,
    shutdownMessage: r.shutdownMessage ?? null,
    at: new Date(r.at).toISOString(),
    agoSeconds: Math.max(0, Math.floor((now - r.at) / 1000)),
  };
}

function counts(c: PeerStatus['messages']['sent']): MessageCountsView {
  return { open: c.open, update: c.update, notification: c.notification, keepalive: c.keepalive, routeRefresh: c.routeRefresh, total: c.total };
}

function timers(source: SpeakerSource, s: PeerStatus): TimersView {
  const n = s.negotiated;
  const config = source.peerConfig?.(s.address);
  // What our OPEN offered is the configured hold time (RFC 4271 §4.2); without a session, ask the configuration.
  const configuredHold = n ? n.localOpen.holdTime : (config?.holdTime ?? null);
  const configuredKeepalive =
    config?.keepaliveTime ?? (config !== undefined && configuredHold !== null ? Math.floor(configuredHold / 3) : null);
  return {
    holdTime: n ? n.holdTime : null,
    keepaliveTime: n ? n.keepaliveTime : null,
    configuredHoldTime: configuredHold,
    configuredKeepaliveTime: configuredKeepalive,
  };
}

function familyCounts(source: SpeakerSource, s: PeerStatus): FamilyPrefixesView[] {
  const families = s.negotiated?.families ?? [];
  if (families.length === 0) return [];
  if (families.length === 1) return [{ family: familyIdOfKey(families[0] as number), ...s.prefixes }];
  const byFamily = new Map<string, FamilyPrefixesView>();
  for (const key of families) {
    const family = familyIdOfKey(key);
    byFamily.set(family, { family, received: 0, accepted: 0, sent: 0 });
  }
  for (const r of source.adjRibIn(s.address)) {
    const f = byFamily.get(unicastFamilyId(r.prefix.afi));
    if (!f) continue;
    f.received++;
    if (r.accepted) f.accepted++;
  }
  for (const r of source.adjRibOut(s.address)) {
    const f = byFamily.get(unicastFamilyId(r.prefix.afi));
    if (f) f.sent++;
  }
  return [...byFamily.values()];
}

function link(source: SpeakerSource, s: PeerStatus): 'internal' | 'external' | null {
  if (s.negotiated) return s.negotiated.internal ? 'internal' : 'external';
  if (typeof s.remoteAs === 'number') return s.remoteAs === source.asn ? 'internal' : 'external';
  if (s.remoteAs === 'internal' || s.remoteAs === 'external') return s.remoteAs;
  return null;
}

export function neighborView(source: SpeakerSource, s: PeerStatus, now: number = Date.now()): NeighborView {
  const n = s.negotiated;
  const established = s.state === 'Established';
  return {
    address: s.address,
    dynamic: s.dynamic,
    port: s.port,
    remoteAs: s.remoteAs ?? null,
    peerAs: s.peerAsn ?? null,
    localAs: source.asn,
    link: link(source, s),
    description: s.description ?? null,
    peerGroup: s.peerGroup ?? null,
    routerId: n ? n.peerBgpIdentifier : null,
    localRouterId: source.routerId,
    state: s.state,
    upDownSeconds: upDown(s),
    // Every session that came up either is up now or went down (and counted as a flap).
    connections: { established: s.flaps + (established ? 1 : 0), dropped: s.flaps },
    timers: timers(source, s),
    capabilities: n ? capabilitiesView(n) : null,
    messages: { sent: counts(s.messages.sent), received: counts(s.messages.received) },
    queues: { in: 0, out: outQueue(source, s.address) },
    lastNotificationSent: notificationView(s.lastNotificationSent, now),
    lastNotificationReceived: notificationView(s.lastNotificationReceived, now),
    lastReset:
      s.flaps > 0 && s.lastDownReason !== undefined
        ? { reason: s.lastDownReason, agoSeconds: established ? null : s.upDownSeconds }
        : null,
    families: familyCounts(source, s),
    prefixes: { ...s.prefixes },
    policyBlocked: { in: s.policyBlocked.in ?? null, out: s.policyBlocked.out ?? null },
    localHost: s.localEndpoint ? { address: s.localEndpoint.address, port: s.localEndpoint.port } : null,
  };
}

/** An address in one spelling per address (`2001:DB8::0:1` → `2001:db8::1`), or undefined when it is none. */
export function canonicalAddress(text: string): string | undefined {
  const v4 = parseIPv4(text);
  if (v4) return `${v4[0]}.${v4[1]}.${v4[2]}.${v4[3]}`;
  const v6 = parseIPv6(text);
  return v6 ? formatIPv6(v6) : undefined;
}

/**
 * The configured peer at `address`, however the address is spelled: 400 when it is not an address, 404 when no
 * peer has it. Returns the peer's status; its `address` is the key the speaker's methods take.
 */
export function findPeer(source: SpeakerSource, address: string): PeerStatus {
  const exact = source.peer(address);
  if (exact) return exact;
  const wanted = canonicalAddress(address);
  if (wanted === undefined) throw badRequest(`not an IP address: ${JSON.stringify(address)}`);
  const found = source.peers().find((s) => canonicalAddress(s.address) === wanted);
  if (!found) throw notFound(`no neighbor ${address}`);
  return found;
}

/** All neighbours, or the one at `address` (400 when it is not an address, 404 when there is none). */
export function neighborsView(source: SpeakerSource, address?: string, now: number = Date.now()): NeighborsView {
  const statuses = address === undefined ? source.peers() : [findPeer(source, address)];
  return { routerId: source.routerId, localAs: source.asn, neighbors: statuses.map((s) => neighborView(source, s, now)) };
}
