/**
 * The Adj-RIB-Out of one peer (RFC 4271 §3.2, §9.2): what it was sent, and what is waiting to be sent.
 *
 * Pending changes are kept the way the UPDATEs will be built (OpenBGPD and BIRD do the same): buckets from an
 * attribute set to the prefixes to announce with it, a withdrawal set per family, and `pending` from a prefix to
 * its queued state, so a newer change replaces a queued one in O(1) — a prefix that flaps while the peer is slow is
 * sent once, in its last state, and a change back to what the peer already has cancels the queued one. `sent` is
 * updated as messages are built, so it is always exactly what the peer has been told.
 */
import type { AttrSet } from './attr-set.js';
import type { OutboundGroup } from './outbound-group.js';
import { packAnnouncements, packWithdrawals } from './packer.js';
import type { PrefixKey } from './prefix-key.js';

export class AdjRibOut {
  /** Prefix → set the peer was sent. */
  readonly sent = new Map<PrefixKey, AttrSet>();
  /** Prefix → queued state (null: withdraw). */
  private readonly pending = new Map<PrefixKey, AttrSet | null>();
  private readonly buckets = new Map<AttrSet, Set<PrefixKey>>();
  private readonly withdraw4 = new Set<PrefixKey>();
  private readonly withdraw6 = new Set<PrefixKey>();
  private readonly taken: PrefixKey[] = [];
  /** UPDATE messages built. */
  updatesSent = 0;

  /** Number of prefixes with a queued change. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * The peer should now have `set` for `key` (null: no route). Queues the change unless the peer already has it,
   * replacing any queued one. Returns true when the queue went from empty to non-empty.
   */
  offer(key: PrefixKey, set: AttrSet | null): boolean {
    const wasEmpty = this.pending.size === 0;
    if (this.pending.has(key)) {
      const queued = this.pending.get(key) as AttrSet | null;
      if (queued === set) return false;
      this.unqueue(key, queued);
    }
    if (set === (this.sent.get(key) ?? null)) return false;
    if (set === null) {
      (typeof key === 'number' ? this.withdraw4 : this.withdraw6).add(key);
    } else {
      let bucket = this.buckets.get(set);
      if (bucket === undefined) {
        bucket = new Set();
        this.buckets.set(set, bucket);
      }
      bucket.add(key);
    }
    this.pending.set(key, set);
    return wasEmpty;
  }

  private unqueue(key: PrefixKey, queued: AttrSet | null): void {
    this.pending.delete(key);
    if (queued === null) {
      (typeof key === 'number' ? this.withdraw4 : this.withdraw6).delete(key);
      return;
    }
    const bucket = this.buckets.get(queued);
    if (bucket !== undefined) {
      bucket.delete(key);
      if (bucket.size === 0) this.buckets.delete(queued);
    }
  }

  /**
   * Builds the next UPDATE from the queue — withdrawals first, then one bucket's announcements, as many prefixes
   * as fit — and records it in `sent`. Null when nothing is queued.
   */
  nextMessage(group: OutboundGroup): Uint8Array | null {
    const taken = this.taken;
    if (this.withdraw4.size > 0 || this.withdraw6.size > 0) {
      const afi = this.withdraw4.size > 0 ? 1 : 2;
      const msg = packWithdrawals(afi === 1 ? this.withdraw4 : this.withdraw6, afi, group.limit, afi === 1 ? group.pathId4 : group.pathId6, taken);
      for (const k of taken) {
        this.pending.delete(k);
        this.sent.delete(k);
      }
      taken.length = 0;
      if (msg !== null) {
        this.updatesSent++;
        return msg;
      }
    }
    for (const [set, keys] of this.buckets) {
      const enc = group.encode(set);
      const first = keys.values().next().value as PrefixKey;
      const pathId = typeof first === 'number' ? group.pathId4 : group.pathId6;
      const msg = enc === null ? null : packAnnouncements(enc, keys, group.limit, pathId, taken);
      if (msg === null) {
        // Cannot be sent at all (unencodable, or attributes too large for the limit): the peer must not keep an
        // older route for these prefixes either.
        if (enc !== null) group.unsendable++;
        this.buckets.delete(set);
        for (const k of keys) {
          this.pending.delete(k);
          if (this.sent.has(k)) this.offer(k, null);
        }
        return this.nextMessage(group);
      }
      for (const k of taken) {
        this.pending.delete(k);
        this.sent.set(k, set);
      }
      taken.length = 0;
      if (keys.size === 0) this.buckets.delete(set);
      this.updatesSent++;
      return msg;
    }
    return null;
  }

  /** Drops everything: the session went down, so the peer's view is gone. */
  clear(): void {
    this.sent.clear();
    this.pending.clear();
    this.buckets.clear();
    this.withdraw4.clear();
    this.withdraw6.clear();
  }
}
