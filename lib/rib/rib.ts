/**
 * The RIB: Adj-RIBs-In, Loc-RIB and Adj-RIBs-Out of one BGP speaker (RFC 4271 §3.2, §9), with route reflection
 * (RFC 4456), RFC 6793 AS4 handling, End-of-RIB (RFC 4724) and RFC 7606 treat-as-withdraw. No sockets, no timers:
 * the session layer feeds it UPDATEs (decoded, or raw bodies on the fast path), and pulls encoded UPDATEs out with
 * `flush` when the `outbound` event says a peer has some.
 *
 * Receive (§9.1): each route is interned, checked for loops (§9.1.2: our AS in AS_PATH; RFC 4456 §8: our router ID
 * as ORIGINATOR_ID or our CLUSTER_ID in CLUSTER_LIST), passed through import policy, and stored in place of the
 * peer's previous route for the prefix — the implicit withdraw of §3.1. The decision process (`decision.ts`) then
 * reorders the prefix's paths; when the best path changes, every outbound group computes what its peers should
 * have (`outbound-group.ts`) and each peer's Adj-RIB-Out queues the difference (`adj-rib-out.ts`).
 * Imports only ../wire and its own files.
 */
import {
  ErrorAction,
  familyKey,
  forEachPrefix,
  decodeUpdate,
  updateFields,
  type CodecContext,
  type PathAttribute,
  type Prefix,
  type UpdateMessage,
} from '../wire/index.js';
import { ipv4Number, type AttrSet } from './attr-set.js';
import { decide, type DecisionOptions } from './decision.js';
import {
  classicFamilyAttributes,
  mpFamilyAttributes,
  reconcileFourOctetAs,
  withoutInternalOnlyAttributes,
} from './inbound.js';
import { AttrSetInterner } from './interner.js';
import { OutboundGroup } from './outbound-group.js';
import { endOfRib } from './packer.js';
import { Path, bestOf, findPath, unlinkPath } from './path.js';
import { PeerState } from './peer-state.js';
import { ipv4Key, ipv6Key, keyToPrefix, prefixKey, type PrefixKey } from './prefix-key.js';
import { scanAttributes } from './raw-update.js';
import { RibReader } from './rib-reader.js';
import type {
  FlushBudget,
  NegotiatedSession,
  PeerCounters,
  PeerInfo,
  RibEvents,
  RibOptions,
} from './types.js';

/** Loc-RIB entries walked per step of a peer's initial dump. */
const DUMP_CHUNK = 4096;

/** The sets an UPDATE's routes were stored with, per family field. */
interface ReceivedSets {
  classic: AttrSet | undefined;
  mp: AttrSet | undefined;
}

export class Rib extends RibReader {
  readonly localAsn: number;
  readonly routerId: string;
  readonly clusterId: string;
  private readonly decision: DecisionOptions;
  private readonly listeners: { [E in keyof RibEvents]: RibEvents[E][] } = { outbound: [], 'max-prefix': [] };
  private readonly groups = new Map<string, OutboundGroup>();
  private groupList: OutboundGroup[] = [];
  /** eBGP-received set → the same set without LOCAL_PREF, ORIGINATOR_ID, CLUSTER_LIST. */
  private readonly externalView = new WeakMap<AttrSet, AttrSet>();
  /** Export policy functions by identity, for outbound group keys. */
  private readonly policyIds = new WeakMap<object, number>();
  private lastPolicyId = 0;

  /**
   * @param options Our AS and BGP Identifier; CLUSTER_ID (default: the BGP Identifier), ECMP size (default 1) and
   * MED comparison across ASes (default off).
   */
  constructor(options: RibOptions) {
    super(new AttrSetInterner());
    this.localAsn = options.localAsn;
    this.routerId = options.routerId;
    this.clusterId = options.clusterId ?? options.routerId;
    this.decision = {
      maximumPaths: Math.max(1, Math.floor(options.maximumPaths ?? 1)),
      alwaysCompareMed: options.alwaysCompareMed ?? false,
      routerIdNumber: ipv4Number(options.routerId),
    };
  }

  // ------------------------------------------------------------------------------------------------------------
  // Events

  /** Subscribes to an event. Listeners run synchronously: schedule work (e.g. `setImmediate`) rather than flush. */
  on<E extends keyof RibEvents>(event: E, listener: RibEvents[E]): this {
    (this.listeners[event] as RibEvents[E][]).push(listener);
    return this;
  }

  /** Unsubscribes a listener added with `on`. */
  off<E extends keyof RibEvents>(event: E, listener: RibEvents[E]): this {
    const list = this.listeners[event] as RibEvents[E][];
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
    return this;
  }

  private emitOutbound(peerId: string): void {
    for (const l of this.listeners.outbound) l(peerId);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Peers

  /** Adds a peer (session down). Throws when the id is taken. */
  addPeer(info: PeerInfo): void {
    if (this.peers.has(info.id)) throw new Error(`peer ${info.id} already exists`);
    this.peers.set(info.id, new PeerState(info, this.localAsn));
  }

  /** Removes a peer, withdrawing its routes first. */
  removePeer(id: string): void {
    this.peerDown(id);
    this.peers.delete(id);
  }

  /**
   * The peer's session reached Established: joins its outbound group and starts sending it the Loc-RIB (RFC 4271
   * §9.2), followed by End-of-RIB for each negotiated unicast family (RFC 4724 §2). Emits `outbound`.
   */
  peerUp(id: string, negotiated: NegotiatedSession): void {
    const peer = this.peer(id);
    if (peer.up) this.peerDown(id);
    peer.establish(negotiated);
    const group = this.groupFor(peer);
    group.members.push(peer);
    peer.group = group;
    for (const g of this.groupList) g.resetMemo();
    peer.dump = this.loc.entries();
    peer.eorPending = [];
    if (peer.ipv4) peer.eorPending.push(familyKey(1, 1));
    if (peer.ipv6) peer.eorPending.push(familyKey(2, 1));
    this.emitOutbound(id);
  }

  /**
   * The peer's session went down: every route learned from it leaves the Loc-RIB (and so is withdrawn from the
   * other peers, or replaced by the next best path), and its Adj-RIB-Out is forgotten.
   */
  peerDown(id: string): void {
    const peer = this.peer(id);
    if (!peer.up) return;
    const group = peer.group;
    if (group !== null) {
      group.members.splice(group.members.indexOf(peer), 1);
      if (group.members.length === 0) {
        this.groups.delete(group.key);
        this.groupList = [...this.groups.values()];
      }
    }
    peer.reset();
    for (const [key, head] of this.loc) {
      const path = findPath(head, peer);
      if (path !== null) this.removePath(key, head, path);
    }
    peer.received = 0;
    peer.accepted = 0;
    for (const g of this.groupList) g.resetMemo();
  }

  /**
   * RFC 2918 / RFC 7313 route refresh: sends the peer its whole Adj-RIB-Out again (then End-of-RIB).
   */
  refreshOut(id: string): void {
    const peer = this.upPeer(id);
    peer.out.clear();
    peer.dump = this.loc.entries();
    peer.eorPending = [];
    if (peer.ipv4) peer.eorPending.push(familyKey(1, 1));
    if (peer.ipv6) peer.eorPending.push(familyKey(2, 1));
    this.emitOutbound(id);
  }

  /** Re-runs import policy over the peer's Adj-RIB-In (soft reconfiguration inbound after a policy change). */
  refreshIn(id: string, importPolicy?: PeerInfo['importPolicy']): void {
    const peer = this.peer(id);
    if (importPolicy !== undefined) peer.info = { ...peer.info, importPolicy };
    if (!peer.up) return;
    for (const [key, head] of this.loc) {
      const path = findPath(head, peer);
      if (path !== null) this.storePath(peer, key, path.received);
    }
  }

  private groupFor(peer: PeerState): OutboundGroup {
    const info = peer.info;
    const ctx = peer.txContext;
    let policyKey = '-';
    if (info.exportPolicy !== undefined) {
      let fid = this.policyIds.get(info.exportPolicy);
      if (fid === undefined) {
        fid = ++this.lastPolicyId;
        this.policyIds.set(info.exportPolicy, fid);
      }
      policyKey = info.outboundGroup !== undefined ? `g${fid}:${info.outboundGroup}` : `p:${info.id}`;
    }
    const key = [
      policyKey,
      peer.ibgp ? 'i' : 'e',
      peer.rrClient ? 'c' : '',
      info.nextHopSelf === true ? 's' : '',
      ctx.fourOctetAs ? '4' : '2',
      ctx.extendedMessage ? 'x' : '',
      [...ctx.addPath].sort().join(','),
      peer.localAddress.ipv4 ?? '',
      peer.localAddress.ipv6 ?? '',
    ].join('|');
    let group = this.groups.get(key);
    if (group === undefined) {
      group = new OutboundGroup(
        key,
        {
          ibgp: peer.ibgp,
          rrClient: peer.rrClient,
          nextHopSelf: info.nextHopSelf === true,
          localAddress4: peer.localAddress.ipv4,
          localAddress6: peer.localAddress.ipv6,
        },
        ctx,
        info.exportPolicy,
        info,
        { localAsn: this.localAsn, clusterId: this.clusterId },
        this.interner,
      );
      this.groups.set(key, group);
      this.groupList = [...this.groups.values()];
    }
    return group;
  }

  private upPeer(id: string): PeerState {
    const peer = this.peer(id);
    if (!peer.up) throw new Error(`peer ${id} is not up`);
    return peer;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Receiving

  /**
   * Applies a decoded UPDATE from a peer whose session is up: withdrawals (Withdrawn Routes, MP_UNREACH_NLRI), then
   * announcements (NLRI, MP_REACH_NLRI), each replacing the peer's previous route for the prefix. RFC 7606
   * treat-as-withdraw withdraws every prefix the UPDATE carries. An End-of-RIB marker is recorded.
   */
  ingest(peerId: string, update: UpdateMessage): void {
    this.applyUpdate(this.upPeer(peerId), update);
  }

  /**
   * The fast path: applies a raw UPDATE body (the message without its 19-octet header) decoded under `ctx`. When
   * the attribute block was seen before, prefixes stream from the bytes into the RIB with no decoding and no
   * per-prefix objects; otherwise the body is decoded once and its sets remembered. Throws the `BgpError` of a
   * session-reset error (RFC 7606), after which the caller resets the session and calls `peerDown`.
   */
  ingestUpdate(peerId: string, body: Uint8Array, ctx: CodecContext): void {
    const peer = this.upPeer(peerId);
    const f = updateFields(body);
    const scan = f.attributesEnd > f.attributesStart ? scanAttributes(body, f.attributesStart, f.attributesEnd) : undefined;
    const emptyAttributes = f.attributesEnd === f.attributesStart;
    if (scan === undefined && !emptyAttributes) {
      this.applyDecoded(peer, body, ctx, undefined);
      return;
    }
    const tag = ctx.fourOctetAs ? '4' : '2';
    const rawKey = scan?.rawKey ?? '';
    const hasNlri = f.nlriEnd > f.nlriStart;
    const mp = scan?.mpReach;
    const hasMp = mp !== undefined && mp.end > mp.start && mp.safi === 1 && (mp.afi === 1 || mp.afi === 2);
    const classic = hasNlri ? this.interner.lookupRaw(`n${tag}${rawKey}`) : undefined;
    const mpSet = hasMp ? this.interner.lookupRaw(`m${tag}${rawKey}`) : undefined;
    const needsDecode = (hasNlri && classic === undefined) || (hasMp && mpSet === undefined) || (!hasNlri && !hasMp && rawKey !== '');
    if (needsDecode || (!hasNlri && f.withdrawnEnd === f.withdrawnStart && (emptyAttributes || scan?.mpUnreach !== undefined))) {
      // Unknown attributes, an End-of-RIB marker, or attributes without routes (RFC 7606 §5.2 wants them checked).
      this.applyDecoded(peer, body, ctx, needsDecode ? { tag, rawKey, hasNlri, hasMp } : undefined);
      return;
    }
    const addPath4 = ctx.addPath.size > 0 && ctx.addPath.has(familyKey(1, 1));
    if (f.withdrawnEnd > f.withdrawnStart) {
      forEachPrefix(body, f.withdrawnStart, f.withdrawnEnd, 1, addPath4, (addr, len) => this.withdrawKey(peer, ipv4Key(addr, len)));
    }
    const un = scan?.mpUnreach;
    if (un !== undefined && un.safi === 1 && (un.afi === 1 || un.afi === 2) && un.end > un.start) {
      const afi = un.afi;
      forEachPrefix(body, un.start, un.end, afi, ctx.addPath.has(familyKey(afi, 1)), (value, len, _id, at) =>
        this.withdrawKey(peer, afi === 1 ? ipv4Key(value, len) : ipv6Key(body, at, len)),
      );
    }
    if (classic !== undefined) {
      forEachPrefix(body, f.nlriStart, f.nlriEnd, 1, addPath4, (addr, len) => this.storeKey(peer, ipv4Key(addr, len), classic));
    }
    if (mp !== undefined && mpSet !== undefined) {
      const afi = mp.afi as 1 | 2;
      forEachPrefix(body, mp.start, mp.end, afi, ctx.addPath.has(familyKey(afi, 1)), (value, len, _id, at) =>
        this.storeKey(peer, afi === 1 ? ipv4Key(value, len) : ipv6Key(body, at, len), mpSet),
      );
    }
  }

  /** The slow half of `ingestUpdate`: full decode, then remember the sets under the raw keys for next time. */
  private applyDecoded(
    peer: PeerState,
    body: Uint8Array,
    ctx: CodecContext,
    remember: { tag: string; rawKey: string; hasNlri: boolean; hasMp: boolean } | undefined,
  ): void {
    const update = decodeUpdate(body, ctx);
    const sets = this.applyUpdate(peer, update);
    if (remember === undefined || update.action !== undefined) return; // RFC 7606 outcomes are not cached
    if (remember.hasNlri && sets.classic !== undefined) this.interner.rememberRaw(`n${remember.tag}${remember.rawKey}`, sets.classic);
    if (remember.hasMp && sets.mp !== undefined) this.interner.rememberRaw(`m${remember.tag}${remember.rawKey}`, sets.mp);
  }

  private applyUpdate(peer: PeerState, update: UpdateMessage): ReceivedSets {
    const sets: ReceivedSets = { classic: undefined, mp: undefined };
    if (update.endOfRib !== undefined) {
      peer.eorReceived.add(familyKey(update.endOfRib.afi, update.endOfRib.safi));
      return sets;
    }
    for (const p of update.withdrawn) this.withdrawPrefix(peer, p);
    let mpReach: Extract<PathAttribute, { kind: 'mp-reach-nlri' }> | undefined;
    for (const a of update.attributes) {
      if (a.kind === 'mp-unreach-nlri' && a.safi === 1) for (const p of a.withdrawn) this.withdrawPrefix(peer, p);
      else if (a.kind === 'mp-reach-nlri' && a.safi === 1 && (a.afi === 1 || a.afi === 2)) mpReach = a;
    }
    if (update.action === ErrorAction.TreatAsWithdraw) {
      // RFC 7606 §2: "routes indicated as being withdrawn" — every prefix this UPDATE announced.
      for (const p of update.nlri) this.withdrawPrefix(peer, p);
      for (const p of mpReach?.nlri ?? []) this.withdrawPrefix(peer, p);
      return sets;
    }
    const attrs = reconcileFourOctetAs(update.attributes, peer.txContext.fourOctetAs);
    if (update.nlri.length > 0) {
      const set = this.interner.intern(classicFamilyAttributes(attrs));
      sets.classic = set;
      for (const p of update.nlri) {
        const key = prefixKey(p);
        if (key !== undefined) this.storeKey(peer, key, set);
      }
    }
    if (mpReach !== undefined && mpReach.nlri.length > 0) {
      const set = this.interner.intern(mpFamilyAttributes(attrs, mpReach));
      sets.mp = set;
      for (const p of mpReach.nlri) {
        const key = prefixKey(p);
        if (key !== undefined) this.storeKey(peer, key, set);
      }
    }
    return sets;
  }

  private withdrawPrefix(source: PeerState, p: Prefix): void {
    const key = prefixKey(p);
    if (key !== undefined) this.withdrawKey(source, key);
  }

  /** Stores a route of `peer` unless the session does not carry its family (RFC 4760 §6). */
  private storeKey(peer: PeerState, key: PrefixKey, received: AttrSet): void {
    if (peer.carries(key)) this.storePath(peer, key, received);
  }

  /** RFC 4271 §9.1.2 and RFC 4456 §8: the route loops back to us, so it is not eligible. */
  private loops(set: AttrSet): boolean {
    return (
      set.containsAs(this.localAsn) ||
      set.originatorId === this.routerId ||
      (set.clusterList.length > 0 && set.clusterList.includes(this.clusterId))
    );
  }

  /** Import: loop checks, the eBGP view of the attributes, then the peer's import policy. */
  private accept(peer: PeerState, key: PrefixKey, received: AttrSet): AttrSet | null {
    if (this.loops(received)) return null;
    let base = received;
    if (!peer.ibgp && received.hasInternalOnly) {
      let view = this.externalView.get(received);
      if (view === undefined) {
        view = this.interner.intern(withoutInternalOnlyAttributes(received.attributes));
        this.externalView.set(received, view);
      }
      base = view;
    }
    const policy = peer.info.importPolicy;
    if (policy === undefined) return base;
    const out = policy({ prefix: keyToPrefix(key), attributes: base.attributes }, peer.info);
    if (out === null) return null;
    return out === base.attributes ? base : this.interner.intern(out);
  }

  /** Stores `source`'s route for `key` (new, or an implicit withdraw of its previous one) and decides. */
  private storePath(source: PeerState | null, key: PrefixKey, received: AttrSet): void {
    const accepted = source === null ? received : this.accept(source, key, received);
    const head = this.loc.get(key);
    const oldBest = bestOf(head);
    let path = findPath(head, source);
    let listHead: Path;
    if (path !== null) {
      if (path.received === received && path.attrs === accepted) return;
      if (source !== null && (path.attrs === null) !== (accepted === null)) source.accepted += accepted === null ? -1 : 1;
      path.received = received;
      path.attrs = accepted;
      listHead = head as Path;
    } else {
      path = new Path(source, received, accepted, head ?? null);
      listHead = path;
      if (source !== null) {
        source.received++;
        if (accepted !== null) source.accepted++;
        this.checkMaxPrefix(source);
      }
    }
    const newHead = decide(listHead, this.decision);
    if (newHead !== head) this.loc.set(key, newHead as Path);
    const newBest = bestOf(newHead ?? undefined);
    if (newBest !== oldBest || newBest === path) this.propagate(key, newBest);
  }

  private checkMaxPrefix(peer: PeerState): void {
    const limit = peer.info.maxPrefix;
    if (limit === undefined || peer.maxPrefixReported || peer.received <= limit) return;
    peer.maxPrefixReported = true;
    for (const l of this.listeners['max-prefix']) l(peer.id, peer.received, limit);
  }

  private withdrawKey(source: PeerState | null, key: PrefixKey): void {
    const head = this.loc.get(key);
    const path = findPath(head, source);
    if (path !== null) this.removePath(key, head as Path, path);
  }

  private removePath(key: PrefixKey, head: Path, path: Path): void {
    const oldBest = bestOf(head);
    const source = path.source as PeerState | null;
    if (source !== null && source.up) {
      source.received--;
      if (path.attrs !== null) source.accepted--;
    }
    const newHead = decide(unlinkPath(head, path), this.decision);
    if (newHead === null) this.loc.delete(key);
    else this.loc.set(key, newHead);
    const newBest = bestOf(newHead ?? undefined);
    if (newBest !== oldBest) this.propagate(key, newBest);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Local routes

  /**
   * Originates a route (`network` / MetalLB announcement): it takes part in the decision process with FRR's local
   * weight, so it wins over learned routes. ORIGIN defaults to IGP and AS_PATH to empty; without a next hop, each
   * peer gets our address on its session. Originating the prefix again replaces the attributes.
   * Throws a TypeError for an invalid prefix.
   */
  originate(prefix: Prefix, attributes: readonly PathAttribute[] = []): void {
    const key = prefixKey(prefix);
    if (key === undefined) throw new TypeError(`invalid prefix ${prefix.address}/${prefix.length}`);
    const attrs = attributes.slice();
    if (!attrs.some((a) => a.kind === 'origin')) attrs.push({ kind: 'origin', origin: 0 });
    if (!attrs.some((a) => a.kind === 'as-path')) attrs.push({ kind: 'as-path', segments: [] });
    this.storePath(null, key, this.interner.intern(attrs));
  }

  /** Withdraws a route originated with `originate` (no-op when there is none). */
  withdrawLocal(prefix: Prefix): void {
    const key = prefixKey(prefix);
    if (key !== undefined) this.withdrawKey(null, key);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Sending

  /** Tells every peer's Adj-RIB-Out what it should now have for `key`. */
  private propagate(key: PrefixKey, best: Path | null): void {
    for (const group of this.groupList) {
      const exported = best === null ? null : group.exportRoute(key, best);
      for (const peer of group.members) if (peer.carries(key)) this.offer(peer, key, exported, best);
    }
  }

  /** Per-peer rules on top of the group's result, then queue. */
  private offer(peer: PeerState, key: PrefixKey, exported: AttrSet | null, best: Path | null): void {
    let set = exported;
    // Never back to the peer it came from; RFC 4456 §8: nor to the router that originated it into the cluster.
    if (set !== null && (best?.source === peer || (set.originatorId !== undefined && set.originatorId === peer.routerId))) set = null;
    if (peer.out.offer(key, set)) this.emitOutbound(peer.id);
  }

  /** True when `flush(peerId)` would return messages. */
  hasPending(peerId: string): boolean {
    const peer = this.peer(peerId);
    return peer.up && (peer.out.pendingCount > 0 || peer.dump !== null || peer.eorPending.length > 0);
  }

  /**
   * Encoded UPDATE messages (header included) for the peer, ready for the socket: withdrawals split at the size
   * limit, announcements packed as many prefixes per message as fit, the initial dump and then End-of-RIB. At most
   * `budget` per call (default 64 messages); call again while `hasPending(peerId)`.
   */
  flush(peerId: string, budget: FlushBudget = {}): Uint8Array[] {
    const peer = this.peer(peerId);
    const out: Uint8Array[] = [];
    if (!peer.up || peer.group === null) return out;
    const group = peer.group;
    const maxMessages = budget.maxMessages ?? 64;
    const maxBytes = budget.maxBytes ?? Infinity;
    let bytes = 0;
    let dumpSteps = 0;
    while (out.length < maxMessages && bytes < maxBytes) {
      // Keep more prefixes queued than one UPDATE can hold, so that dump chunks do not leave half-full messages.
      if (peer.dump !== null && peer.out.pendingCount < group.limit) {
        if (dumpSteps++ >= maxMessages) break; // bounded work even when the dump yields nothing to send
        this.feedDump(peer, group);
        continue;
      }
      let msg = peer.out.nextMessage(group);
      if (msg === null) {
        const family = peer.eorPending.shift();
        if (family === undefined) break;
        msg = endOfRib(family >> 8, family & 0xff);
        peer.out.updatesSent++;
      }
      out.push(msg);
      bytes += msg.length;
    }
    return out;
  }

  private feedDump(peer: PeerState, group: OutboundGroup): void {
    const dump = peer.dump as Iterator<[PrefixKey, Path]>;
    for (let n = 0; n < DUMP_CHUNK; n++) {
      const r = dump.next();
      if (r.done === true) {
        peer.dump = null;
        return;
      }
      const [key, head] = r.value;
      const best = bestOf(head);
      if (best !== null && peer.carries(key)) this.offer(peer, key, group.exportRoute(key, best), best);
    }
  }

  /** Route counts of a peer. */
  counters(peerId: string): PeerCounters {
    const peer = this.peer(peerId);
    return {
      received: peer.received,
      accepted: peer.accepted,
      sent: peer.out.sent.size,
      pending: peer.out.pendingCount,
      updatesSent: peer.out.updatesSent,
    };
  }
}

