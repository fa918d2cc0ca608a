/**
 * The RIB: Adj-RIBs-In, Loc-RIB and Adj-RIBs-Out of one BGP speaker (RFC 4271 §3.2, §9), with route reflection
 * (RFC 4456), RFC 6793 AS4 handling, End-of-RIB (RFC 4724) and RFC 7606 treat-as-withdraw. No sockets, no timers:
 * the session layer feeds it UPDATEs (raw bodies on the fast path, or decoded), and pulls encoded UPDATEs out with
 * `flush` when the `outbound` event says a peer has some.
 *
 * This file is the public face — events, peers, receiving, locally originated routes; the tables and their
 * consistency are `rib-engine.ts`. Receiving is built for a full table: an UPDATE's attribute block is looked up by
 * its octets (`attr-store.ts`), its prefixes are streamed from the bytes into the prefix index without per-prefix
 * objects, and import is computed once per UPDATE when the peer has no import policy.
 * Imports only ../wire and its own files.
 */
import {
  AttrType,
  ErrorAction,
  IPV4_UNICAST,
  IPV6_UNICAST,
  decodeAttributes,
  familyKey,
  forEachPrefix,
  decodeUpdate,
  updateFields,
  type CodecContext,
  type PathAttribute,
  type Prefix,
  type UpdateFields,
  type UpdateMessage,
} from '../wire/index.js';
import { classicFamilyAttributes, mpFamilyAttributes, reconcileFourOctetAs } from './inbound.js';
import { LOCAL_SLOT } from './loc-rib.js';
import { OutboundGroup } from './outbound-group.js';
import { PeerState } from './peer-state.js';
import { ipv6Key, prefixKey } from './prefix-key.js';
import { checkField4, hasMpAttribute, isCanonicalBlock, locateFields, maskedKey4, scanAttributes } from './raw-update.js';
import { RibEngine } from './rib-engine.js';
import type { NegotiatedSession, PeerInfo, RefreshOutScope, RibEvents, RibOptions } from './types.js';

/** An UPDATE body and where its fields lie, for streaming its IPv4 prefixes from the octets. */
interface RawBody {
  readonly body: Uint8Array;
  readonly fields: UpdateFields;
  readonly addPath4: boolean;
  /** Decoded under a 4-octet-AS context (RFC 6793), so its AS numbers are written as canonical ones are. */
  readonly fourOctetAs: boolean;
}

/** RFC 7606 §3 d: the well-known mandatory attributes of an UPDATE with NLRI, as bits of `seen`. */
const MANDATORY_WITH_NLRI = (1 << AttrType.Origin) | (1 << AttrType.AsPath) | (1 << AttrType.NextHop);

/** The sets an UPDATE's routes were stored with, per family field (0: none). */
interface ReceivedSets {
  classic: number;
  mp: number;
}

export class Rib extends RibEngine {
  /** Export policy functions by identity, for outbound group keys. */
  private readonly policyIds = new WeakMap<object, number>();
  private lastPolicyId = 0;
  private readonly freeSlots: number[] = [];

  /**
   * @param options Our AS and BGP Identifier; CLUSTER_ID (default: the BGP Identifier), ECMP size (default 1) and
   * MED comparison across ASes (default off).
   */
  constructor(options: RibOptions) {
    super(options);
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

  // ------------------------------------------------------------------------------------------------------------
  // Peers

  /** Adds a peer (session down). Throws when the id is taken. */
  addPeer(info: PeerInfo): void {
    if (this.peers.has(info.id)) throw new Error(`peer ${info.id} already exists`);
    const slot = this.freeSlots.pop() ?? this.slots.length;
    if (slot > 0xffff) throw new Error('too many peers');
    const peer = new PeerState(info, this.localAsn, slot, this.loc.prefixes, this.interner);
    this.peers.set(info.id, peer);
    this.slots[slot] = peer;
  }

  /** Removes a peer, withdrawing its routes first (stale ones included). */
  removePeer(id: string): void {
    const peer = this.peer(id);
    this.peerDown(id);
    this.dropStale(id);
    // The slot will name another peer: what was memoised for its routes goes now rather than at the next lookup.
    for (const g of this.groupList) g.forgetSource(peer.slot);
    this.peers.delete(id);
    this.slots[peer.slot] = undefined;
    this.freeSlots.push(peer.slot);
  }

  /**
   * The peer's session reached Established: joins its outbound group and starts sending it the Loc-RIB (RFC 4271
   * §9.2), followed by End-of-RIB for each negotiated unicast family (RFC 4724 §2). Emits `outbound`.
   */
  peerUp(id: string, negotiated: NegotiatedSession): void {
    const peer = this.peer(id);
    if (peer.up) this.peerDown(id);
    peer.establish(negotiated);
    // RFC 4724 §4.2: stale routes of a family the new session does not carry can never be refreshed.
    for (const f of [...peer.staleFamilies]) if (!negotiated.families.includes(f)) this.dropStaleOf(peer, f);
    const group = this.groupFor(peer);
    // Export memos stay: they depend on the group and on each route's source, never on who the members are, and a
    // source whose BGP Identifier this session changed is caught by the memo's own check (`outbound-group.ts`).
    group.members.push(peer);
    peer.group = group;
    this.startDump(peer);
    this.sweep();
    this.emitOutbound(id);
  }

  /**
   * Replaces a peer's configuration (policies, next-hop-self, …) while it is down, keeping its stale routes: a
   * peer restarting gracefully (RFC 4724) comes back under the same slot. False, and nothing changes, when the
   * peer's session is up or the change would alter what the slot means (its AS, its route-reflector client role):
   * remove and add the peer then.
   */
  updatePeer(info: PeerInfo): boolean {
    const peer = this.peer(info.id);
    if (peer.up || info.asn !== peer.info.asn || info.address !== peer.info.address) return false;
    if ((info.routeReflectorClient === true) !== (peer.info.routeReflectorClient === true)) return false;
    peer.info = info;
    return true;
  }

  /**
   * The peer's session went down: every route learned from it leaves the Loc-RIB (and so is withdrawn from the
   * other peers, or replaced by the next best path), and its Adj-RIB-Out is forgotten.
   *
   * RFC 4724 §4.2, the receiving speaker: routes of the families in `retainStale` (familyKey — those the peer listed
   * in its Graceful Restart capability) stay, marked stale: still used and advertised, until the peer sends them
   * again, its End-of-RIB for the family drops those it did not (see `ingest`), or `dropStale` is called (the
   * restart timer ran out, or the new session does not preserve the family).
   */
  peerDown(id: string, retainStale: Iterable<number> = []): void {
    const peer = this.peer(id);
    if (!peer.up) return;
    const retain = new Set(retainStale);
    const group = peer.group;
    if (group !== null) {
      group.members.splice(group.members.indexOf(peer), 1);
      if (group.members.length === 0) {
        group.resetMemo();
        this.groups.delete(group.key);
        this.groupList = [...this.groups.values()];
      }
    }
    peer.reset();
    const loc = this.loc;
    const prefixes = loc.prefixes;
    const keep4 = retain.has(IPV4_UNICAST);
    const keep6 = retain.has(IPV6_UNICAST);
    // Every path of the peer is withdrawn or marked stale; the walk ends once none is left that is neither (a peer
    // that sent nothing, as most of a route server's or a reflector's clients, costs no walk at all). Stale paths
    // of a family not retained now are the `dropStaleOf` below's.
    for (let p = 0; p < prefixes.limit && peer.received > peer.staleCount; p++) {
      if (loc.heads[p] === -1) continue;
      if (!(prefixes.isV4(p) ? keep4 : keep6)) {
        this.withdrawPath(peer.slot, p);
        continue;
      }
      const path = loc.findPath(p, peer.slot);
      if (path >= 0 && loc.stale[path] === 0) {
        loc.stale[path] = 1;
        peer.staleCount++;
      }
    }
    for (const f of retain) if (f === IPV4_UNICAST || f === IPV6_UNICAST) peer.staleFamilies.add(f);
    for (const f of [...peer.staleFamilies]) if (!retain.has(f)) this.dropStaleOf(peer, f);
    if (peer.staleCount === 0) {
      peer.staleFamilies.clear();
      peer.received = 0;
      peer.accepted = 0;
      // No route of the peer is left: what the groups memoised for them would only hold references.
      for (const g of this.groupList) g.forgetSource(peer.slot);
    }
    this.sweep();
  }

  /**
   * RFC 4724 §4.2: withdraws the peer's routes still marked stale — of `family` (familyKey) only, or of every
   * family — and stops treating the family as restarting. Returns how many were withdrawn.
   */
  dropStale(id: string, family?: number): number {
    const peer = this.peer(id);
    const families = family === undefined ? [...peer.staleFamilies] : [family];
    let dropped = 0;
    for (const f of families) dropped += this.dropStaleOf(peer, f);
    if (!peer.up && peer.received === 0) for (const g of this.groupList) g.forgetSource(peer.slot);
    this.sweep();
    return dropped;
  }

  /** Routes the peer still has marked stale (RFC 4724 §4.2). */
  staleCount(id: string): number {
    return this.peer(id).staleCount;
  }

  /** Families (familyKey) whose routes from the peer are kept stale, waiting for End-of-RIB or `dropStale`. */
  staleFamilies(id: string): readonly number[] {
    return [...this.peer(id).staleFamilies];
  }

  private dropStaleOf(peer: PeerState, family: number): number {
    if (!peer.staleFamilies.delete(family) || peer.staleCount === 0) return 0;
    const loc = this.loc;
    const prefixes = loc.prefixes;
    const v4 = family === IPV4_UNICAST;
    let dropped = 0;
    for (let p = 0; p < prefixes.limit && peer.staleCount > 0; p++) {
      if (loc.heads[p] === -1 || prefixes.isV4(p) !== v4) continue;
      const path = loc.findPath(p, peer.slot);
      if (path >= 0 && loc.stale[path] !== 0) {
        this.removePath(p, path);
        dropped++;
      }
    }
    return dropped;
  }

  /**
   * Exports the Loc-RIB to the peer again, under the export policy in force now, against what its Adj-RIB-Out
   * says it was sent — never forgetting that: a route it was sent that is no longer exported to it (the policy
   * denies it now) is withdrawn, one whose exported attributes changed is announced with the new ones.
   *
   * - `'adj-rib-out'` (the default), RFC 2918 §4 / RFC 7313: the peer asked for our Adj-RIB-Out with a
   *   ROUTE-REFRESH, so every route is sent again, unchanged ones too, then End-of-RIB.
   * - `'changes'`: our export policy changed (FRR `clear bgp X soft out`, BIRD `reload out`): only the
   *   differences are sent; no End-of-RIB (one still owed by the initial dump stays owed).
   *
   * The walk is the initial dump's — `DUMP_CHUNK` prefix ids per step, a bounded number of steps per `flush` — so a
   * full table costs each flush no more than the initial dump does. A ROUTE-REFRESH's walk under way is not
   * narrowed by a later `'changes'`: it restarts, still re-sending everything.
   */
  refreshOut(id: string, scope: RefreshOutScope = 'adj-rib-out'): void {
    const peer = this.upPeer(id);
    const resendAll = scope === 'adj-rib-out';
    peer.resendAll = resendAll || (peer.dump >= 0 && peer.resendAll);
    this.startDump(peer, resendAll);
    this.sweep();
    this.emitOutbound(id);
  }

  /** Re-runs import policy over the peer's Adj-RIB-In (soft reconfiguration inbound after a policy change). */
  refreshIn(id: string, importPolicy?: PeerInfo['importPolicy']): void {
    const peer = this.peer(id);
    if (importPolicy !== undefined) peer.info = { ...peer.info, importPolicy };
    if (!peer.up) return;
    const loc = this.loc;
    for (let p = 0; p < loc.prefixes.limit; p++) {
      if (loc.heads[p] === -1) continue;
      const path = loc.findPath(p, peer.slot);
      if (path < 0) continue;
      const received = loc.received[path] as number;
      this.storePath(peer.slot, peer, p, received, this.accept(peer, p, received));
    }
    this.sweep();
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
        this.loc.prefixes,
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
    this.sweep();
  }

  /**
   * The fast path: applies a raw UPDATE body — `buf` from `start` (0: the whole array is the body; 19: `buf` is the
   * whole message) — decoded under `ctx`. When the attribute block was seen before, prefixes stream from the octets
   * into the RIB with no decoding and no per-prefix objects; otherwise the body is decoded once and its sets
   * remembered. Throws the `BgpError` of a session-reset error (RFC 7606), after which the caller resets the session
   * and calls `peerDown`.
   */
  ingestUpdate(peerId: string, buf: Uint8Array, ctx: CodecContext, start = 0): void {
    const peer = this.upPeer(peerId);
    try {
      this.applyRaw(peer, buf, start, ctx);
    } finally {
      this.sweep();
    }
  }

  private applyRaw(peer: PeerState, body: Uint8Array, start: number, ctx: CodecContext): void {
    const f = locateFields(body, start);
    const as = f.attributesStart;
    const ae = f.attributesEnd;
    const emptyAttributes = ae === as;
    const hasNlri = f.nlriEnd > f.nlriStart;
    const addPath4 = ctx.addPath.size > 0 && ctx.addPath.has(familyKey(1, 1));
    const plainCandidate = hasNlri && !emptyAttributes && ctx.fourOctetAs;
    // A full table's usual UPDATE: IPv4 routes under an attribute block seen before, octet for octet.
    let classic = plainCandidate ? this.interner.findRawNlri(body, as, ae) : 0;
    // A new block from a peer whose blocks are canonical: decode its attributes, no key string needed.
    if (classic === 0 && plainCandidate && peer.canonicalBlocks && !hasMpAttribute(body, as, ae)) {
      classic = this.internPlain(peer, body, f, ctx, addPath4, undefined);
    }
    if (classic !== 0) {
      this.applyFields4(peer, body, f, addPath4, classic);
      return;
    }
    const scan = emptyAttributes ? undefined : scanAttributes(body, as, ae);
    if (scan === undefined && !emptyAttributes) {
      this.applyDecoded(peer, body, start, ctx, undefined);
      return;
    }
    const tag = ctx.fourOctetAs ? '4' : '2';
    const rawKey = scan?.rawKey ?? '';
    const mp = scan?.mpReach;
    const hasMp = mp !== undefined && mp.end > mp.start && mp.safi === 1 && (mp.afi === 1 || mp.afi === 2);
    classic = hasNlri ? this.interner.rawGet(`n${tag}${rawKey}`) : 0;
    const plain = scan !== undefined && scan.mpReach === undefined && scan.mpUnreach === undefined;
    // A new block of a plain UPDATE (no MP attribute): its attributes alone are decoded.
    if (classic === 0 && hasNlri && plain) classic = this.internPlain(peer, body, f, ctx, addPath4, `n${tag}${rawKey}`);
    if (classic !== 0 && plain) {
      this.applyFields4(peer, body, f, addPath4, classic);
      return;
    }
    const mpSet = hasMp ? this.interner.rawGet(`m${tag}${rawKey}`) : 0;
    const needsDecode = (hasNlri && classic === 0) || (hasMp && mpSet === 0) || (!hasNlri && !hasMp && rawKey !== '');
    if (needsDecode || (!hasNlri && f.withdrawnEnd === f.withdrawnStart && (emptyAttributes || scan?.mpUnreach !== undefined))) {
      // Unknown attributes, an End-of-RIB marker, or attributes without routes (RFC 7606 §5.2 wants them checked).
      this.applyDecoded(peer, body, start, ctx, needsDecode ? { tag, rawKey, hasNlri, hasMp } : undefined);
      return;
    }
    checkField4(body, f.withdrawnStart, f.withdrawnEnd, addPath4);
    checkField4(body, f.nlriStart, f.nlriEnd, addPath4);
    if (f.withdrawnEnd > f.withdrawnStart) this.withdrawField4(peer, body, f.withdrawnStart, f.withdrawnEnd, addPath4);
    const un = scan?.mpUnreach;
    if (un !== undefined && un.safi === 1 && (un.afi === 1 || un.afi === 2) && un.end > un.start) {
      const afi = un.afi;
      forEachPrefix(body, un.start, un.end, afi, ctx.addPath.has(familyKey(afi, 1)), (value, len, _id, at) =>
        this.withdrawPath(peer.slot, this.loc.prefixes.find(afi === 1 ? maskedKey4(value, len) : ipv6Key(body, at, len))),
      );
    }
    if (classic !== 0) this.announceField4(peer, body, f.nlriStart, f.nlriEnd, addPath4, classic);
    if (mp !== undefined && mpSet !== 0) {
      const afi = mp.afi as 1 | 2;
      const accepted = peer.info.importPolicy === undefined ? this.accept(peer, -1, mpSet) : -1;
      forEachPrefix(body, mp.start, mp.end, afi, ctx.addPath.has(familyKey(afi, 1)), (value, len, _id, at) => {
        const key = afi === 1 ? maskedKey4(value, len) : ipv6Key(body, at, len);
        this.storeKey(peer, key, mpSet, accepted);
      });
    }
  }

  /**
   * An UPDATE of IPv4 routes whose attribute set is known: both prefix fields are checked whole first (RFC 7606
   * §5.3: a malformed field resets the session and never half-applies), then applied from the octets.
   */
  private applyFields4(peer: PeerState, body: Uint8Array, f: UpdateFields, addPath4: boolean, set: number): void {
    checkField4(body, f.withdrawnStart, f.withdrawnEnd, addPath4);
    checkField4(body, f.nlriStart, f.nlriEnd, addPath4);
    if (f.withdrawnEnd > f.withdrawnStart) this.withdrawField4(peer, body, f.withdrawnStart, f.withdrawnEnd, addPath4);
    this.announceField4(peer, body, f.nlriStart, f.nlriEnd, addPath4, set);
  }

  /**
   * The attribute set of a new block in a plain UPDATE (IPv4 routes in the NLRI field, no MP attribute): the
   * attributes alone are decoded — checked in the order `decodeUpdate` checks them — and the set interned: the
   * octets themselves when they are canonical (found by `findRawNlri` next time), else the normalised list,
   * remembered under the block's key string (`rawKey`, computed here when not given). Records whether the peer
   * sends canonical blocks, which decides what `applyRaw` tries first. 0 when decoding finds anything RFC 7606
   * acts on, or a mandatory attribute is missing: the full decoder then handles the UPDATE. Throws the BgpError of
   * a session-reset error.
   */
  private internPlain(peer: PeerState, body: Uint8Array, f: UpdateFields, ctx: CodecContext, addPath4: boolean, rawKey: string | undefined): number {
    checkField4(body, f.withdrawnStart, f.withdrawnEnd, addPath4);
    const decoded = decodeAttributes(body, f.attributesStart, f.attributesEnd, ctx);
    // RFC 7606 §3 d: ORIGIN, AS_PATH and NEXT_HOP must accompany NLRI; without them the full decoder decides.
    if (decoded.issues !== undefined || (decoded.seen & MANDATORY_WITH_NLRI) !== MANDATORY_WITH_NLRI) return 0;
    const store = this.interner;
    const fourOctetAs = ctx.fourOctetAs && peer.txContext.fourOctetAs;
    if (fourOctetAs && isCanonicalBlock(decoded.attributes, body, f.attributesStart, f.attributesEnd)) {
      peer.canonicalBlocks = true;
      const set = store.internEncoded(body, f.attributesStart, f.attributesEnd);
      store.markRawNlri(set);
      return set;
    }
    peer.canonicalBlocks = false;
    const set = store.intern(reconcileFourOctetAs(decoded.attributes, peer.txContext.fourOctetAs));
    const key = rawKey ?? `n${ctx.fourOctetAs ? '4' : '2'}${scanAttributes(body, f.attributesStart, f.attributesEnd)?.rawKey ?? ''}`;
    store.rawSet(key, set);
    return set;
  }

  /** The slow half of `ingestUpdate`: full decode, then remember the sets for the next UPDATE with the same block. */
  private applyDecoded(
    peer: PeerState,
    body: Uint8Array,
    start: number,
    ctx: CodecContext,
    remember: { tag: string; rawKey: string; hasNlri: boolean; hasMp: boolean } | undefined,
  ): void {
    const update = decodeUpdate(start === 0 ? body : body.subarray(start), ctx);
    const f = updateFields(body, start);
    const sets = this.applyUpdate(peer, update, {
      body,
      fields: f,
      addPath4: ctx.addPath.size > 0 && ctx.addPath.has(familyKey(1, 1)),
      fourOctetAs: ctx.fourOctetAs && peer.txContext.fourOctetAs,
    });
    if (remember === undefined || update.action !== undefined) return; // RFC 7606 outcomes are not cached
    const store = this.interner;
    if (remember.hasNlri && sets.classic !== 0) store.rawSet(`n${remember.tag}${remember.rawKey}`, sets.classic);
    if (remember.hasMp && sets.mp !== 0) store.rawSet(`m${remember.tag}${remember.rawKey}`, sets.mp);
  }

  /**
   * Applies a decoded UPDATE. With `raw` (the body it was decoded from), the prefixes of the Withdrawn Routes and
   * NLRI fields are streamed from the octets rather than read from the decoded `Prefix` values.
   */
  private applyUpdate(peer: PeerState, update: UpdateMessage, raw?: RawBody): ReceivedSets {
    const sets: ReceivedSets = { classic: 0, mp: 0 };
    if (update.endOfRib !== undefined) {
      const family = familyKey(update.endOfRib.afi, update.endOfRib.safi);
      peer.eorReceived.add(family);
      // RFC 4724 §4.2: "Once the End-of-RIB marker for an address family is received from the peer, it MUST
      // immediately remove any routes from the peer that are still marked as stale for that address family."
      this.dropStaleOf(peer, family);
      for (const l of this.listeners['end-of-rib']) l(peer.id, family, peer.staleCount);
      return sets;
    }
    if (raw === undefined) {
      for (const p of update.withdrawn) this.withdrawPrefix(peer, p);
    } else if (raw.fields.withdrawnEnd > raw.fields.withdrawnStart) {
      this.withdrawField4(peer, raw.body, raw.fields.withdrawnStart, raw.fields.withdrawnEnd, raw.addPath4);
    }
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
    const noPolicy = peer.info.importPolicy === undefined;
    if (update.nlri.length > 0) {
      const f = raw?.fields;
      // A block that is already canonical is its own encoding: intern the octets, skip normalising and encoding.
      const canonical =
        raw !== undefined && f !== undefined && raw.fourOctetAs && isCanonicalBlock(update.attributes, raw.body, f.attributesStart, f.attributesEnd);
      const set = canonical
        ? this.interner.internEncoded(raw.body, (f as UpdateFields).attributesStart, (f as UpdateFields).attributesEnd)
        : this.interner.intern(classicFamilyAttributes(attrs));
      sets.classic = set;
      if (raw !== undefined) {
        this.announceField4(peer, raw.body, raw.fields.nlriStart, raw.fields.nlriEnd, raw.addPath4, set);
      } else {
        const accepted = noPolicy ? this.accept(peer, -1, set) : -1;
        for (const p of update.nlri) {
          const key = prefixKey(p);
          if (key !== undefined) this.storeKey(peer, key, set, accepted);
        }
      }
    }
    if (mpReach !== undefined && mpReach.nlri.length > 0) {
      const set = this.interner.intern(mpFamilyAttributes(attrs, mpReach));
      sets.mp = set;
      const accepted = noPolicy ? this.accept(peer, -1, set) : -1;
      for (const p of mpReach.nlri) {
        const key = prefixKey(p);
        if (key !== undefined) this.storeKey(peer, key, set, accepted);
      }
    }
    return sets;
  }

  private withdrawPrefix(peer: PeerState, prefix: Prefix): void {
    const key = prefixKey(prefix);
    if (key !== undefined) this.withdrawPath(peer.slot, this.loc.prefixes.find(key));
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
    const set = this.interner.intern(attrs);
    this.storePath(LOCAL_SLOT, null, this.loc.prefixes.add(key), set, set);
    this.sweep();
  }

  /** Withdraws a route originated with `originate` (no-op when there is none). */
  withdrawLocal(prefix: Prefix): void {
    const key = prefixKey(prefix);
    if (key !== undefined) this.withdrawPath(LOCAL_SLOT, this.loc.prefixes.find(key));
    this.sweep();
  }
}
