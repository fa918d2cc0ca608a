/**
 * The Speaker's record of one peer (`PeerEntry`): how it is made from configuration — the peer's own settings
 * merged over its peer group's (FRR `neighbor X peer-group NAME`), checked, and turned into the `PeerSession` that
 * runs the RFC 4271 FSM for it — and what `peer()`/`peers()` report of it (`PeerStatus`). The entry also carries what the other per-peer parts keep between events: the
 * pump's backpressure and latency state (`pump.ts`), the RIB membership and policy verdict (`session-wiring.ts`),
 * and the transports a graceful-restart stop closes without a NOTIFICATION (RFC 4724 §4.1, `speaker.ts`).
 */
import { Afi, Safi } from '../wire/index.js';
import type { FamilyRef, Negotiated } from '../fsm/index.js';
import { PeerSession, netConnector, type Logger, type Transport } from '../session/index.js';
import type { Rib } from '../rib/index.js';
import type { FamilyName, PeerConfig, PeerGroupConfig, PeerStatus, SpeakerOptions } from './types.js';

export interface PeerEntry {
  /** The peer's own settings merged over its group's. */
  config: PeerConfig;
  /** Accepted from a listen range rather than configured. */
  dynamic: boolean;
  session: PeerSession;
  log: Logger;
  /** A pump turn is scheduled (`pump.ts`). */
  pumping: boolean;
  /** The session's socket is full: the pump waits for its `writable`. */
  waitingForDrain: boolean;
  /** The peer has a slot in the RIB: its session is Established, or its routes are kept stale (RFC 4724). */
  inRib: boolean;
  policyBlocked: { in?: string; out?: string };
  /** Clock reading when the oldest change not yet written to the session was queued (`updatesPropagated`). */
  pendingSince: number | undefined;
  /** The whole table is being sent (session start, route refresh): that burst is not a propagation latency. */
  dumping: boolean;
  /** What the last Established session negotiated (graceful restart decides on it after the session is gone). */
  negotiated: Negotiated | undefined;
  /** We are ending the session on purpose (shutdown, reset, removal): nothing is kept stale. */
  purposefulStop: boolean;
  /** The peer's open transports (ours and its), for `stop({ gracefulRestart })` to close without a NOTIFICATION. */
  transports: Set<Transport>;
}

const FAMILY_REFS: Record<FamilyName, FamilyRef> = {
  'ipv4-unicast': { afi: Afi.IPv4, safi: Safi.Unicast },
  'ipv6-unicast': { afi: Afi.IPv6, safi: Safi.Unicast },
};

/**
 * A new peer's entry, its session built but not started. `ownConfig` is merged over its peer group's settings;
 * throws an Error naming the peer when the group is unknown, no remote AS is set, or a family is unknown.
 */
export function createPeerEntry(
  ownConfig: PeerConfig,
  dynamic: boolean,
  peerGroups: ReadonlyMap<string, PeerGroupConfig>,
  options: SpeakerOptions,
  speakerLog: Logger,
): PeerEntry {
  const address = ownConfig.address;
  let config = ownConfig;
  if (ownConfig.peerGroup !== undefined) {
    const group = peerGroups.get(ownConfig.peerGroup);
    if (!group) throw new Error(`peer ${address}: no peer group ${ownConfig.peerGroup}`);
    config = { ...group, ...stripUndefined(ownConfig), address };
  }
  const remoteAs = config.remoteAs;
  if (remoteAs === undefined) throw new Error(`peer ${address}: remoteAs is not set (on the peer or its group)`);
  const families = (config.families ?? ['ipv4-unicast']).map((f) => (typeof f === 'string' ? FAMILY_REFS[f] : f));
  for (const f of families) if (!f) throw new Error(`peer ${address}: unknown family`);
  const log = speakerLog.child({ peer: address, asn: config.remoteAs });
  const transports = new Set<Transport>();
  const session = new PeerSession({
    address,
    ...(config.port !== undefined ? { port: config.port } : {}),
    ...(config.localAddress ? { localAddress: config.localAddress } : {}),
    fsm: {
      localAsn: options.asn,
      routerId: options.routerId,
      remoteAs,
      families,
      ...(config.holdTime !== undefined ? { holdTime: config.holdTime } : {}),
      ...(config.sendHoldTime !== undefined ? { sendHoldTime: config.sendHoldTime } : {}),
      ...(config.keepaliveTime !== undefined ? { keepaliveTime: config.keepaliveTime } : {}),
      ...(config.connectRetryTime !== undefined ? { connectRetryTime: config.connectRetryTime } : {}),
      ...(config.passive ? { passive: true } : {}),
      capabilities: { routeRefresh: true, ...config.capabilities },
    },
    logger: log,
    ...(options.clock ? { clock: options.clock } : {}),
    // Every transport the session opens is tracked, so that a graceful-restart stop can close it silently.
    connector: (o) => trackTransport(transports, (options.connector ?? netConnector)(o)),
    ...(options.random ? { random: options.random } : {}),
  });
  return {
    config,
    dynamic,
    session,
    log,
    pumping: false,
    waitingForDrain: false,
    inRib: false,
    policyBlocked: {},
    pendingSince: undefined,
    dumping: false,
    negotiated: undefined,
    purposefulStop: false,
    transports,
  };
}

/**
 * What `peer()`/`peers()` report for entry `e`, its prefix counts from `rib`. The counters are copied: a status
 * already returned does not change.
 */
export function peerStatus(e: PeerEntry, rib: Rib): PeerStatus {
  const s = e.session;
  const n = s.negotiated;
  const c = e.inRib ? rib.counters(e.config.address) : undefined;
  return {
    address: e.config.address,
    dynamic: e.dynamic,
    port: s.port,
    remoteAs: e.config.remoteAs,
    peerAsn: n?.peerAsn,
    state: s.state,
    description: e.config.description,
    peerGroup: e.config.peerGroup,
    upDownSeconds: Math.max(0, Math.round((Date.now() - s.counters.lastStateChange) / 1000)),
    negotiated: n,
    localEndpoint: s.localEndpoint,
    messages: { received: { ...s.counters.received }, sent: { ...s.counters.sent } },
    prefixes: { received: c?.received ?? 0, accepted: c?.accepted ?? 0, sent: c?.sent ?? 0 },
    lastNotificationSent: s.counters.lastNotificationSent,
    lastNotificationReceived: s.counters.lastNotificationReceived,
    lastDownReason: s.counters.lastDownReason,
    flaps: s.counters.flaps,
    policyBlocked: { ...e.policyBlocked },
  };
}

/** Adds `t` to `set` until it closes; returns it. */
export function trackTransport<T extends Transport>(set: Set<Transport>, t: T): T {
  set.add(t);
  t.on('close', () => set.delete(t));
  return t;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
