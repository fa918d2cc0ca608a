/**
 * What a reload must do, worked out from the old and the new configuration alone (no sessions, no I/O), so it can
 * be tested exhaustively and logged before anything is touched:
 *
 * - `restart`: a setting of the BGP instance itself changed (AS, router ID, cluster ID, the listen address,
 *   maximum-paths, always-compare-med, the listen limit) — the Speaker is built anew, every session resets, as
 *   FRR resets every session when the router ID changes;
 * - neighbours added, removed, and changed — per changed neighbour the session settings that need a new session
 *   (`reset`), the ones that wait for the next session (`deferred`), whether its import or export policy now
 *   means something else (`refreshIn`, `refreshOut`: route refresh and Adj-RIB-Out resend, no reset), and a
 *   change of administrative state (`shutdown` / `enable`);
 * - peer groups changed, for their dynamic neighbours (static members show up as changed neighbours, since
 *   their settings in effect changed);
 * - listen ranges added and removed, networks announced (new or with new attributes) and withdrawn, and whether
 *   the control API or the metrics listener moved.
 *
 * Policy is compared by meaning (policy-fingerprint.ts), not by name: editing a prefix list that a neighbour's
 * route map uses refreshes that neighbour, and only it.
 *
 * Imports lib/config and this folder.
 */
import { effectiveSettings, type RouterConfig, type RouterListenRange, type RouterListener, type RouterNeighbor, type RouterNetwork, type RouterPeerSettings } from '../config/router-index.js';
import { DEFERRED_FIELDS, policyMeaning, SESSION_FIELDS, sessionValue } from './peer-config.js';

export interface PeerChange {
  /** A neighbour's address, or a peer group's name. */
  readonly name: string;
  /** Settings whose change needs a new session (FRR field names: remote-as, hold-time, …). */
  readonly reset: readonly string[];
  /** Settings that take effect at the next session. */
  readonly deferred: readonly string[];
  readonly refreshIn: boolean;
  readonly refreshOut: boolean;
}

export interface NeighborChange extends PeerChange {
  readonly admin: 'shutdown' | 'enable' | undefined;
}

export interface ReloadPlan {
  /** Instance settings that changed; non-empty means the Speaker is rebuilt and nothing else below applies. */
  readonly restart: readonly string[];
  readonly addNeighbors: readonly RouterNeighbor[];
  readonly removeNeighbors: readonly string[];
  readonly changedNeighbors: readonly NeighborChange[];
  /** Changed peer groups, for their dynamic neighbours. */
  readonly changedGroups: readonly PeerChange[];
  readonly removedGroups: readonly string[];
  readonly addRanges: readonly RouterListenRange[];
  readonly removeRanges: readonly RouterListenRange[];
  readonly announce: readonly RouterNetwork[];
  readonly withdraw: readonly string[];
  readonly api: boolean;
  readonly metrics: boolean;
}

/** FRR's words for the fields, for logs and NOTIFICATION messages. */
const FIELD_WORDS: Readonly<Record<string, string>> = {
  remoteAs: 'remote-as',
  port: 'port',
  passive: 'passive',
  localAddress: 'update-source',
  holdTime: 'hold time',
  keepaliveTime: 'keepalive',
  families: 'address families',
  routeReflectorClient: 'route-reflector-client',
  nextHopSelf: 'next-hop-self',
  description: 'description',
  connectRetryTime: 'connect timer',
  peerGroup: 'peer-group',
};

function peerChange(old: RouterConfig, next: RouterConfig, name: string, a: RouterPeerSettings, b: RouterPeerSettings): PeerChange {
  const reset = SESSION_FIELDS.filter((f) => sessionValue(a, f) !== sessionValue(b, f)).map((f) => FIELD_WORDS[f] as string);
  const deferred = DEFERRED_FIELDS.filter((f) => a[f] !== b[f]).map((f) => FIELD_WORDS[f] as string);
  return {
    name,
    reset,
    deferred,
    refreshIn: policyMeaning(old, a, 'in') !== policyMeaning(next, b, 'in'),
    refreshOut: policyMeaning(old, a, 'out') !== policyMeaning(next, b, 'out'),
  };
}

const changed = (c: PeerChange): boolean => c.reset.length > 0 || c.deferred.length > 0 || c.refreshIn || c.refreshOut;

function listenerKey(l: RouterListener | false): string {
  return JSON.stringify(l);
}

/** The instance settings that differ. */
function instanceChanges(old: RouterConfig, next: RouterConfig): string[] {
  const out: string[] = [];
  if (old.asn !== next.asn) out.push(`router bgp ${old.asn} → ${next.asn}`);
  if (old.routerId !== next.routerId) out.push(`router-id ${old.routerId} → ${next.routerId}`);
  if ((old.clusterId ?? old.routerId) !== (next.clusterId ?? next.routerId)) out.push('cluster-id');
  if (JSON.stringify(old.listen) !== JSON.stringify(next.listen)) out.push('listen address');
  if (old.maximumPaths !== next.maximumPaths) out.push(`maximum-paths ${old.maximumPaths} → ${next.maximumPaths}`);
  if (old.alwaysCompareMed !== next.alwaysCompareMed) out.push('always-compare-med');
  if (old.listenLimit !== next.listenLimit) out.push(`listen limit ${old.listenLimit} → ${next.listenLimit}`);
  // Every OPEN carries the Graceful Restart capability, and the receiving side's timers are the Speaker's.
  if (JSON.stringify(old.gracefulRestart ?? null) !== JSON.stringify(next.gracefulRestart ?? null)) out.push('graceful-restart');
  return out;
}

export function planReload(old: RouterConfig, next: RouterConfig): ReloadPlan {
  const oldNeighbors = new Map(old.neighbors.map((n) => [n.address, n]));
  const nextNeighbors = new Map(next.neighbors.map((n) => [n.address, n]));
  const changedNeighbors: NeighborChange[] = [];
  for (const [address, b] of nextNeighbors) {
    const a = oldNeighbors.get(address);
    if (a === undefined) continue;
    const sa = effectiveSettings(old, a);
    const sb = effectiveSettings(next, b);
    const c = peerChange(old, next, address, sa, sb);
    const reset = a.peerGroup !== b.peerGroup ? [...c.reset, FIELD_WORDS['peerGroup'] as string] : c.reset;
    const admin = sa.shutdown === true && sb.shutdown !== true ? 'enable' : sa.shutdown !== true && sb.shutdown === true ? 'shutdown' : undefined;
    const change: NeighborChange = { ...c, reset, admin };
    if (changed(change) || admin !== undefined) changedNeighbors.push(change);
  }

  const oldGroups = new Map(old.peerGroups.map((g) => [g.name, g]));
  const changedGroups: PeerChange[] = [];
  for (const g of next.peerGroups) {
    const before = oldGroups.get(g.name);
    if (before === undefined) continue;
    const c = peerChange(old, next, g.name, before, g);
    if (changed(c)) changedGroups.push(c);
  }

  const rangeKey = (r: RouterListenRange): string => `${r.prefix} ${r.peerGroup}`;
  const oldRanges = new Set(old.listenRanges.map(rangeKey));
  const nextRanges = new Set(next.listenRanges.map(rangeKey));
  const oldNetworks = new Map(old.networks.map((n) => [n.prefix, JSON.stringify(n.attributes)]));
  const nextPrefixes = new Set(next.networks.map((n) => n.prefix));

  return {
    restart: instanceChanges(old, next),
    addNeighbors: next.neighbors.filter((n) => !oldNeighbors.has(n.address)),
    removeNeighbors: old.neighbors.filter((n) => !nextNeighbors.has(n.address)).map((n) => n.address),
    changedNeighbors,
    changedGroups,
    removedGroups: old.peerGroups.filter((g) => !next.peerGroups.some((n) => n.name === g.name)).map((g) => g.name),
    addRanges: next.listenRanges.filter((r) => !oldRanges.has(rangeKey(r))),
    removeRanges: old.listenRanges.filter((r) => !nextRanges.has(rangeKey(r))),
    announce: next.networks.filter((n) => oldNetworks.get(n.prefix) !== JSON.stringify(n.attributes)),
    withdraw: old.networks.filter((n) => !nextPrefixes.has(n.prefix)).map((n) => n.prefix),
    api: listenerKey(old.api) !== listenerKey(next.api),
    metrics: listenerKey(old.metrics) !== listenerKey(next.metrics),
  };
}

/** A plan that does nothing at all. */
export function isEmptyPlan(p: ReloadPlan): boolean {
  return (
    p.restart.length === 0 &&
    p.addNeighbors.length === 0 &&
    p.removeNeighbors.length === 0 &&
    p.changedNeighbors.length === 0 &&
    p.changedGroups.length === 0 &&
    p.removedGroups.length === 0 &&
    p.addRanges.length === 0 &&
    p.removeRanges.length === 0 &&
    p.announce.length === 0 &&
    p.withdraw.length === 0 &&
    !p.api &&
    !p.metrics
  );
}
