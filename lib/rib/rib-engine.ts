/**
 * The RIB's engine: storing and removing paths, the decision process on each change, and the way out — export per
 * outbound group, per-peer Adj-RIB-Out queues, the initial table dump and `flush` (RFC 4271 §9.1–§9.2).
 *
 * Receive (§9.1): a path replaces its source's previous path for the prefix (the implicit withdraw of §3.1), the
 * decision process (`decision.ts`) reorders the prefix's paths, and when the best path changes every outbound
 * group computes what its peers should have (`outbound-group.ts`) and each peer's Adj-RIB-Out queues the
 * difference (`adj-rib-out.ts`). Everything is indexed by prefix id, path index and set id; references on sets
 * and prefix ids are counted, and `sweep` frees what an operation left unreferenced once it is over.
 * The public operations live in `rib.ts`; this class keeps the tables consistent.
 */
import { Buffer } from 'node:buffer';
import { familyKey } from '../wire/index.js';
import { AttrStore, SetFlag } from './attr-store.js';
import { ipv4Number } from './attr-set.js';
import { decide, type DecisionContext, type DecisionOptions } from './decision.js';
import { IntMap } from './int-map.js';
import { withoutInternalOnlyAttributes } from './inbound.js';
import { LOCAL_SLOT } from './loc-rib.js';
import type { OutboundGroup } from './outbound-group.js';
import { endOfRib } from './packer.js';
import type { PeerState } from './peer-state.js';
import { RibReader } from './rib-reader.js';
import { readAddress4 } from './raw-update.js';
import type { PrefixKey } from './prefix-key.js';
import type { FlushBudget, PeerCounters, RibEvents, RibMemoryUse, RibOptions } from './types.js';

/** Prefix ids walked per step of a peer's initial dump. */
const DUMP_CHUNK = 4096;
/** Where `flush` builds each message before copying it out (the largest message RFC 8654 allows). */
const scratch = new Uint8Array(65535);

export class RibEngine extends RibReader {
  readonly localAsn: number;
  readonly routerId: string;
  readonly clusterId: string;
  protected readonly decision: DecisionContext;
  protected readonly listeners: { [E in keyof RibEvents]: RibEvents[E][] } = { outbound: [], 'max-prefix': [], 'end-of-rib': [] };
  protected readonly groups = new Map<string, OutboundGroup>();
  protected groupList: OutboundGroup[] = [];
  /** eBGP-received set → the same set without LOCAL_PREF, ORIGINATOR_ID, CLUSTER_LIST (holds a reference). */
  private readonly externalView = new IntMap();

  constructor(options: RibOptions) {
    const clusterId = options.clusterId ?? options.routerId;
    const store = new AttrStore({
      localAsn: options.localAsn,
      routerId: ipv4Number(options.routerId),
      clusterId: ipv4Number(clusterId),
    });
    super(store);
    this.localAsn = options.localAsn;
    this.routerId = options.routerId;
    this.clusterId = clusterId;
    const decisionOptions: DecisionOptions = {
      maximumPaths: Math.max(1, Math.floor(options.maximumPaths ?? 1)),
      alwaysCompareMed: options.alwaysCompareMed ?? false,
      routerIdNumber: ipv4Number(options.routerId),
    };
    this.decision = { options: decisionOptions, loc: this.loc, store, sources: this.slots };
    store.onFree((id) => {
      for (const g of this.groupList) g.forget(id);
      const view = this.externalView.delete(id, 0);
      if (view > 0) store.release(view);
    });
  }

  protected emitOutbound(peerId: string): void {
    for (const l of this.listeners.outbound) l(peerId);
  }

  /** Frees the sets and prefix ids the last operation left unreferenced. */
  protected sweep(): void {
    this.interner.sweep();
    this.loc.prefixes.sweep();
  }

  // ------------------------------------------------------------------------------------------------------------
  // Receiving

  /**
   * Import (RFC 4271 §9.1.1): the set `peer`'s route for prefix `p` takes part in the decision process with, or 0
   * when it is not eligible — a loop (§9.1.2, RFC 4456 §8), or denied by import policy. From eBGP, LOCAL_PREF,
   * ORIGINATOR_ID and CLUSTER_LIST are left out first. Without an import policy the result does not depend on the
   * prefix (`p` may be -1).
   */
  protected accept(peer: PeerState, p: number, received: number): number {
    const store = this.interner;
    const flags = store.flags[received] as number;
    if (flags & SetFlag.Loops) return 0;
    let base = received;
    if (!peer.ibgp && flags & SetFlag.InternalOnly) {
      base = this.externalView.get(received, 0);
      if (base === 0) {
        base = store.intern(withoutInternalOnlyAttributes(store.attributes(received)));
        store.retain(base);
        this.externalView.set(received, base);
      }
    }
    const policy = peer.info.importPolicy;
    if (policy === undefined) return base;
    const attributes = store.attributes(base);
    const out = policy({ prefix: this.loc.prefixes.prefix(p), attributes }, peer.info);
    if (out === null) return 0;
    return out === attributes ? base : store.intern(out);
  }

  /**
   * Stores the route of `slot` (`peer`, or null for a route originated here) for prefix `p`: new, or an implicit
   * withdraw of the previous one; then decides and propagates.
   */
  protected storePath(slot: number, peer: PeerState | null, p: number, received: number, accepted: number): void {
    const loc = this.loc;
    const store = this.interner;
    let head = loc.heads[p] as number;
    const oldBest = head >= 0 && loc.accepted[head] !== 0 ? head : -1;
    let path = head >= 0 ? loc.findPath(p, slot) : -1;
    store.retain(received);
    if (accepted !== 0) store.retain(accepted);
    if (path >= 0) {
      // RFC 4724 §4.2: the restarting peer sent the route again — it is fresh, whether or not it changed.
      if (loc.stale[path] !== 0 && peer !== null) {
        loc.stale[path] = 0;
        peer.staleCount--;
      }
      const oldReceived = loc.received[path] as number;
      const oldAccepted = loc.accepted[path] as number;
      if (oldReceived === received && oldAccepted === accepted) {
        store.release(received);
        if (accepted !== 0) store.release(accepted);
        return;
      }
      if (peer !== null && (oldAccepted === 0) !== (accepted === 0)) peer.accepted += accepted === 0 ? -1 : 1;
      loc.received[path] = received;
      loc.accepted[path] = accepted;
      store.release(oldReceived);
      if (oldAccepted !== 0) store.release(oldAccepted);
    } else {
      path = loc.allocPath(slot, received, accepted);
      loc.next[path] = head;
      if (head < 0) {
        loc.prefixCount++;
        loc.prefixes.retain(p);
      }
      head = path;
      if (peer !== null) {
        peer.received++;
        if (accepted !== 0) peer.accepted++;
        this.checkMaxPrefix(peer);
      }
    }
    loc.heads[p] = decide(head, this.decision);
    const newBest = loc.best(p);
    if (newBest !== oldBest || newBest === path) this.propagate(p, newBest);
  }

  /** Withdraws the IPv4 prefixes of the field `buf[start..end)` (Withdrawn Routes; checked by the caller). */
  protected withdrawField4(peer: PeerState, buf: Uint8Array, start: number, end: number, addPath: boolean): void {
    const prefixes = this.loc.prefixes;
    for (let pos = start; pos < end; ) {
      if (addPath) pos += 4;
      const len = buf[pos] as number;
      const addr = readAddress4(buf, pos + 1, len);
      pos += 1 + ((len + 7) >>> 3);
      this.withdrawPath(peer.slot, prefixes.find4(addr, len));
    }
  }

  /**
   * Stores the IPv4 prefixes of the field `buf[start..end)` (NLRI; checked by the caller) with received set `set`,
   * read straight from the octets — no callback, no per-prefix object. Import is computed once for the field when
   * the peer has no import policy.
   */
  protected announceField4(peer: PeerState, buf: Uint8Array, start: number, end: number, addPath: boolean, set: number): void {
    // RFC 4760 §6: routes of a family the session did not negotiate are ignored.
    if (!peer.ipv4) return;
    const noPolicy = peer.info.importPolicy === undefined;
    const accepted = noPolicy ? this.accept(peer, -1, set) : 0;
    const prefixes = this.loc.prefixes;
    const slot = peer.slot;
    for (let pos = start; pos < end; ) {
      if (addPath) pos += 4;
      const len = buf[pos] as number;
      const addr = readAddress4(buf, pos + 1, len);
      pos += 1 + ((len + 7) >>> 3);
      const p = prefixes.add4(addr, len);
      this.storePath(slot, peer, p, set, noPolicy ? accepted : this.accept(peer, p, set));
    }
  }

  /**
   * Stores a route of `peer` unless the session does not carry its family (RFC 4760 §6). `accepted` is the import
   * result when it does not depend on the prefix, -1 when it must be computed per prefix.
   */
  protected storeKey(peer: PeerState, key: PrefixKey, received: number, accepted: number): void {
    if (!(typeof key === 'number' ? peer.ipv4 : peer.ipv6)) return;
    const p = this.loc.prefixes.add(key);
    this.storePath(peer.slot, peer, p, received, accepted >= 0 ? accepted : this.accept(peer, p, received));
  }

  private checkMaxPrefix(peer: PeerState): void {
    const limit = peer.info.maxPrefix;
    if (limit === undefined || peer.maxPrefixReported || peer.received <= limit) return;
    peer.maxPrefixReported = true;
    for (const l of this.listeners['max-prefix']) l(peer.id, peer.received, limit);
  }

  /** Removes the path of `slot` for prefix `p`, if there is one. */
  protected withdrawPath(slot: number, p: number): void {
    if (p < 0 || this.loc.heads[p] === -1) return;
    const path = this.loc.findPath(p, slot);
    if (path >= 0) this.removePath(p, path);
  }

  protected removePath(p: number, path: number): void {
    const loc = this.loc;
    const store = this.interner;
    const oldBest = loc.best(p);
    const slot = loc.source[path] as number;
    const source = slot === LOCAL_SLOT ? undefined : this.slots[slot];
    const accepted = loc.accepted[path] as number;
    if (source !== undefined) {
      source.received--;
      if (accepted !== 0) source.accepted--;
      if (loc.stale[path] !== 0) source.staleCount--;
    }
    store.release(loc.received[path] as number);
    if (accepted !== 0) store.release(accepted);
    const head = decide(loc.unlink(loc.heads[p] as number, path), this.decision);
    loc.freePathSlot(path);
    loc.heads[p] = head;
    if (head < 0) {
      loc.prefixCount--;
      loc.prefixes.release(p);
    }
    const newBest = loc.best(p);
    if (newBest !== oldBest) this.propagate(p, newBest);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Sending

  /** Tells every peer's Adj-RIB-Out what it should now have for prefix `p`, whose best path is `best` (-1: none). */
  protected propagate(p: number, best: number): void {
    const loc = this.loc;
    const slot = best < 0 ? -1 : (loc.source[best] as number);
    const source = slot <= LOCAL_SLOT ? null : (this.slots[slot] ?? null);
    const set = best < 0 ? 0 : (loc.accepted[best] as number);
    const prefixes = loc.prefixes;
    for (const group of this.groupList) {
      const exported = best < 0 ? 0 : group.exportRoute(p, slot, source, set);
      const originator = exported === 0 ? 0 : this.interner.originatorIdOf(exported);
      for (const peer of group.members) if (peer.carries(prefixes, p)) this.offer(peer, p, exported, slot, originator);
    }
  }

  /**
   * Per-peer rules on top of the group's result, then queue: never back to the peer the route came from; RFC 4456
   * §8: nor to the router that originated it into the cluster (`originator`: the exported set's ORIGINATOR_ID, 0
   * when it has none).
   */
  protected offer(peer: PeerState, p: number, exported: number, bestSlot: number, originator: number): void {
    if (peer.out.offer(p, toPeer(peer, exported, bestSlot, originator))) this.emitOutbound(peer.id);
  }

  /** True when `flush(peerId)` would return messages. */
  hasPending(peerId: string): boolean {
    const peer = this.peer(peerId);
    return peer.up && (peer.out.pendingCount > 0 || peer.dump >= 0 || peer.eorPending.length > 0);
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
    const maxMessages = budget.maxMessages ?? 64;
    const maxBytes = budget.maxBytes ?? Infinity;
    let bytes = 0;
    this.dumpSteps = maxMessages;
    while (out.length < maxMessages && bytes < maxBytes) {
      if (this.pack(peer, peer.group, scratch, 0, 1) === 0) break;
      const msg = Buffer.allocUnsafe(this.packed);
      msg.set(scratch.subarray(0, this.packed));
      out.push(msg);
      bytes += msg.length;
    }
    this.sweep();
    return out;
  }

  /**
   * `flush` for a socket: the messages laid end to end in one buffer — one write, no object per message — and
   * how many there are; null when nothing is pending. At most `budget.maxBytes` octets (default 256 KiB, raised to
   * room for two messages) and `budget.maxMessages` messages (default unlimited).
   */
  flushBatch(peerId: string, budget: FlushBudget = {}): { bytes: Uint8Array; messages: number } | null {
    const peer = this.peer(peerId);
    if (!peer.up || peer.group === null) return null;
    const group = peer.group;
    const size = Math.max(budget.maxBytes ?? 256 * 1024, 2 * group.limit);
    const out = Buffer.allocUnsafe(size);
    this.dumpSteps = Math.min(budget.maxMessages ?? Infinity, Math.ceil(size / group.limit));
    const messages = this.pack(peer, group, out, 0, budget.maxMessages ?? Infinity);
    this.sweep();
    return messages === 0 ? null : { bytes: out.subarray(0, this.packed), messages };
  }

  /** Octets written by the last `pack`. */
  private packed = 0;
  /** Dump steps the current flush may still take: bounded work even when the dump yields nothing to send. */
  private dumpSteps = 0;

  /**
   * Writes up to `maxMessages` UPDATEs for `peer` into `out` from `o`, while a whole message still fits; returns
   * how many (the octets written are in `packed`). Feeds the initial dump as it goes, ends with End-of-RIB.
   */
  private pack(peer: PeerState, group: OutboundGroup, out: Uint8Array, o: number, maxMessages: number): number {
    const start = o;
    let messages = 0;
    while (messages < maxMessages && out.length - o >= group.limit) {
      // Keep more prefixes queued than one UPDATE can hold, so that dump chunks do not leave half-full messages.
      if (peer.dump >= 0 && peer.out.pendingCount < group.limit) {
        if (this.dumpSteps-- <= 0) break;
        this.feedDump(peer, group);
        continue;
      }
      let end = peer.out.writeNext(group, out, o);
      if (end === o) {
        const family = peer.eorPending.shift();
        if (family === undefined) break;
        const eor = endOfRib(family >> 8, family & 0xff);
        out.set(eor, o);
        end = o + eor.length;
        peer.out.updatesSent++;
      }
      o = end;
      messages++;
    }
    this.packed = o - start;
    return messages;
  }

  /**
   * One step of the table walk: what the peer should have for the next `DUMP_CHUNK` prefix ids, offered to its
   * Adj-RIB-Out, which queues only what differs from what it was sent — so the same walk is the initial dump (the
   * peer holds nothing), a re-export after an export policy change (a route the policy now denies is withdrawn,
   * one whose attributes changed is announced again, the rest is left alone), and, with `resendAll`, the whole
   * Adj-RIB-Out a ROUTE-REFRESH asks for.
   */
  private feedDump(peer: PeerState, group: OutboundGroup): void {
    const loc = this.loc;
    const limit = loc.prefixes.limit;
    const end = Math.min(limit, peer.dump + DUMP_CHUNK);
    const out = peer.out;
    for (let p = peer.dump; p < end; p++) {
      // A family the session does not carry was never sent on it.
      if (!peer.carries(loc.prefixes, p)) continue;
      const best = loc.best(p);
      if (best < 0) {
        if (out.holds(p)) this.offer(peer, p, 0, -1, 0);
        continue;
      }
      const slot = loc.source[best] as number;
      const source = slot === LOCAL_SLOT ? null : (this.slots[slot] ?? null);
      const exported = group.exportRoute(p, slot, source, loc.accepted[best] as number);
      const originator = exported === 0 ? 0 : this.interner.originatorIdOf(exported);
      if (peer.resendAll) this.resend(peer, p, exported, slot, originator);
      else this.offer(peer, p, exported, slot, originator);
    }
    if (end < limit) {
      peer.dump = end;
    } else {
      peer.dump = -1;
      peer.resendAll = false;
    }
  }

  /** `offer`, re-sending what the peer already has (RFC 2918). */
  private resend(peer: PeerState, p: number, exported: number, bestSlot: number, originator: number): void {
    if (peer.out.resend(p, toPeer(peer, exported, bestSlot, originator))) this.emitOutbound(peer.id);
  }

  /**
   * Starts the table walk from the first prefix id. With `endOfRib`, End-of-RIB (RFC 4724 §2) follows it for each
   * unicast family the session carries; without, an End-of-RIB still owed (a walk restarted during the initial
   * dump) stays owed.
   */
  protected startDump(peer: PeerState, endOfRib = true): void {
    peer.dump = 0;
    if (!endOfRib) return;
    peer.eorPending = [];
    if (peer.ipv4) peer.eorPending.push(familyKey(1, 1));
    if (peer.ipv6) peer.eorPending.push(familyKey(2, 1));
  }

  /**
   * Octets the RIB's tables hold, by structure — typed arrays, counted by their allocated length (the JavaScript
   * heap beside them, a few MiB of peer and group objects, is not included). For metrics and `bench/rib.ts`.
   */
  memoryUse(): RibMemoryUse {
    const store = this.interner.bytes;
    let adjRibOut = 0;
    for (const peer of this.peers.values()) adjRibOut += peer.out.bytes;
    let exportMemo = 0;
    for (const g of this.groupList) exportMemo += g.bytes;
    return {
      prefixIndex: this.loc.prefixes.bytes,
      paths: this.loc.bytes,
      attributeSets: store.fields,
      attributeArena: store.arena,
      adjRibOut,
      exportMemo,
    };
  }

  /** Route counts of a peer. */
  counters(peerId: string): PeerCounters {
    const peer = this.peer(peerId);
    return {
      received: peer.received,
      accepted: peer.accepted,
      sent: peer.out.sentCount,
      pending: peer.out.pendingCount,
      updatesSent: peer.out.updatesSent,
      stale: peer.staleCount,
    };
  }
}

/** The set `peer` gets of the group's `exported`: 0 back toward its source, or toward its originator (RFC 4456 §8). */
function toPeer(peer: PeerState, exported: number, bestSlot: number, originator: number): number {
  return exported !== 0 && (bestSlot === peer.slot || (originator !== 0 && originator === peer.routerIdNumber)) ? 0 : exported;
}
