/**
 * The metrics of a speaker, under MetalLB's names where MetalLB has one (so existing dashboards and alerts keep
 * working) and tsbgpd's own beside them, plus the allocator hook and process metrics:
 *
 *   metallb_bgp_session_up{peer}                       gauge   1 while Established
 *   metallb_bgp_updates_total{peer}                    counter UPDATE messages sent
 *   metallb_bgp_announced_prefixes_total{peer}         gauge   prefixes in the peer's Adj-RIB-Out
 *   metallb_allocator_addresses_in_use_total{pool}     gauge   (allocatorMetrics)
 *   metallb_allocator_addresses_total{pool}            gauge   (allocatorMetrics)
 *   tsbgpd_bgp_messages_total{peer,direction,type}     counter per message type (RFC 4271 §4.1, RFC 2918)
 *   tsbgpd_bgp_notifications_total{peer,direction,code,subcode}  counter
 *   tsbgpd_bgp_session_flaps_total{peer}               counter Established sessions that went down
 *   tsbgpd_peer_prefixes{peer,kind}                    gauge   received | accepted | sent
 *   tsbgpd_rib_prefixes                                gauge   prefixes in the Loc-RIB
 *   tsbgpd_bgp_update_propagation_seconds{peer}        histogram  a route change → its UPDATE on the session
 *
 * `peer` is `address:port` (`[2001:db8::1]:179` for IPv6), as MetalLB labels it. Message counts live in the
 * speaker; NOTIFICATIONs are counted here by code and subcode from the speaker's events.
 */
import type { Speaker } from '../speaker/index.js';
import { Histogram, type MetricFamily, type MetricsCollector } from './metrics.js';
import type { SpeakerSource } from './source.js';

/** What the collector reads and listens to: `Speaker` as it is. */
export type MetricsSpeaker = SpeakerSource & Pick<Speaker, 'on' | 'off'>;

export function peerLabel(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

const MESSAGE_TYPES = [
  ['open', 'open'],
  ['update', 'update'],
  ['notification', 'notification'],
  ['keepalive', 'keepalive'],
  ['route_refresh', 'routeRefresh'],
] as const;

/**
 * Buckets of the propagation latency (seconds): sub-millisecond for a lone change on an idle speaker, up to a
 * minute for a full table queued behind a slow peer.
 */
export const PROPAGATION_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

/** Counts of NOTIFICATIONs per peer address, keyed `direction code subcode`. */
type NotificationCounts = Map<string, Map<string, number>>;

function bump(counts: NotificationCounts, address: string, direction: 'sent' | 'received', code: number, subcode: number): void {
  let peer = counts.get(address);
  if (!peer) counts.set(address, (peer = new Map()));
  const key = `${direction} ${code} ${subcode}`;
  peer.set(key, (peer.get(key) ?? 0) + 1);
}

/**
 * A collector of the speaker's metrics. It listens for NOTIFICATIONs from the moment it is created; `dispose`
 * stops listening. Counts of peers no longer configured are dropped at the next scrape.
 */
export function speakerMetrics(speaker: MetricsSpeaker): { collect: MetricsCollector; dispose: () => void } {
  const notifications: NotificationCounts = new Map();
  const onSent = (address: string, e: { code: number; subcode: number }): void => bump(notifications, address, 'sent', e.code, e.subcode);
  const onReceived = (address: string, n: { code: number; subcode: number }): void => bump(notifications, address, 'received', n.code, n.subcode);
  const propagation = new Map<string, Histogram>();
  const onPropagated = (address: string, seconds: number): void => {
    let h = propagation.get(address);
    if (!h) propagation.set(address, (h = new Histogram(PROPAGATION_BUCKETS)));
    h.observe(seconds);
  };
  speaker.on('notificationSent', onSent);
  speaker.on('notificationReceived', onReceived);
  speaker.on('updatesPropagated', onPropagated);

  const collect = (): MetricFamily[] => {
    const peers = speaker.peers();
    const present = new Set(peers.map((p) => p.address));
    for (const address of notifications.keys()) if (!present.has(address)) notifications.delete(address);
    for (const address of propagation.keys()) if (!present.has(address)) propagation.delete(address);

    const up: MetricFamily['samples'][number][] = [];
    const updates: MetricFamily['samples'][number][] = [];
    const announced: MetricFamily['samples'][number][] = [];
    const messages: MetricFamily['samples'][number][] = [];
    const notes: MetricFamily['samples'][number][] = [];
    const flaps: MetricFamily['samples'][number][] = [];
    const prefixes: MetricFamily['samples'][number][] = [];
    const latency: MetricFamily['samples'][number][] = [];
    for (const p of peers) {
      const peer = peerLabel(p.address, p.port);
      up.push({ labels: { peer }, value: p.state === 'Established' ? 1 : 0 });
      updates.push({ labels: { peer }, value: p.messages.sent.update });
      announced.push({ labels: { peer }, value: p.prefixes.sent });
      for (const direction of ['sent', 'received'] as const) {
        for (const [type, field] of MESSAGE_TYPES) {
          messages.push({ labels: { peer, direction, type }, value: p.messages[direction][field] });
        }
      }
      for (const [key, value] of notifications.get(p.address) ?? []) {
        const [direction, code, subcode] = key.split(' ') as [string, string, string];
        notes.push({ labels: { peer, direction, code, subcode }, value });
      }
      flaps.push({ labels: { peer }, value: p.flaps });
      for (const kind of ['received', 'accepted', 'sent'] as const) prefixes.push({ labels: { peer, kind }, value: p.prefixes[kind] });
      // Every peer has the series from the start (zero counts), so that rate() and alerts see it before a change.
      latency.push(...(propagation.get(p.address) ?? new Histogram(PROPAGATION_BUCKETS)).samples({ peer }));
    }
    return [
      { name: 'metallb_bgp_session_up', help: 'BGP session state (1 is up, 0 is down)', type: 'gauge', samples: up },
      { name: 'metallb_bgp_updates_total', help: 'Number of BGP UPDATE messages sent', type: 'counter', samples: updates },
      {
        name: 'metallb_bgp_announced_prefixes_total',
        help: 'Number of prefixes currently being advertised on the BGP session',
        type: 'gauge',
        samples: announced,
      },
      { name: 'tsbgpd_bgp_messages_total', help: 'BGP messages by peer, direction and message type', type: 'counter', samples: messages },
      {
        name: 'tsbgpd_bgp_notifications_total',
        help: 'BGP NOTIFICATION messages by peer, direction, error code and subcode',
        type: 'counter',
        samples: notes,
      },
      { name: 'tsbgpd_bgp_session_flaps_total', help: 'Established BGP sessions that went down', type: 'counter', samples: flaps },
      {
        name: 'tsbgpd_peer_prefixes',
        help: 'Prefixes per peer: received (Adj-RIB-In), accepted (after import policy), sent (Adj-RIB-Out)',
        type: 'gauge',
        samples: prefixes,
      },
      { name: 'tsbgpd_rib_prefixes', help: 'Prefixes in the Loc-RIB', type: 'gauge', samples: [{ value: speaker.rib.prefixCount }] },
      {
        name: 'tsbgpd_bgp_update_propagation_seconds',
        help: 'Seconds from a route change (an UPDATE received, a route announced or withdrawn) until the UPDATEs carrying it were written to the peer, one observation per burst',
        type: 'histogram',
        samples: latency,
      },
    ];
  };

  return {
    collect,
    dispose: () => {
      speaker.off('notificationSent', onSent);
      speaker.off('notificationReceived', onReceived);
      speaker.off('updatesPropagated', onPropagated);
    },
  };
}

/** One address pool as the allocator reports it. */
export interface PoolUsage {
  pool: string;
  inUse: number;
  total: number;
}

/** MetalLB's allocator metrics, fed by whatever owns the pools (the announcer registers this). */
export function allocatorMetrics(read: () => readonly PoolUsage[]): MetricsCollector {
  return () => {
    const pools = read();
    return [
      {
        name: 'metallb_allocator_addresses_in_use_total',
        help: 'Number of IP addresses in use, per pool',
        type: 'gauge',
        samples: pools.map((p) => ({ labels: { pool: p.pool }, value: p.inUse })),
      },
      {
        name: 'metallb_allocator_addresses_total',
        help: 'Number of usable IP addresses, per pool',
        type: 'gauge',
        samples: pools.map((p) => ({ labels: { pool: p.pool }, value: p.total })),
      },
    ];
  };
}

/** The standard process metrics every Prometheus client exports. */
export function processMetrics(): MetricsCollector {
  const start = (Date.now() - process.uptime() * 1000) / 1000;
  return () => {
    const cpu = process.cpuUsage();
    return [
      {
        name: 'process_cpu_seconds_total',
        help: 'Total user and system CPU time spent in seconds.',
        type: 'counter',
        samples: [{ value: (cpu.user + cpu.system) / 1e6 }],
      },
      {
        name: 'process_resident_memory_bytes',
        help: 'Resident memory size in bytes.',
        type: 'gauge',
        samples: [{ value: process.memoryUsage.rss() }],
      },
      {
        name: 'process_start_time_seconds',
        help: 'Start time of the process since unix epoch in seconds.',
        type: 'gauge',
        samples: [{ value: Math.round(start) }],
      },
    ];
  };
}
