/**
 * The Adj-RIB-Out of one peer (RFC 4271 §3.2, §9.2): what it was sent, and what is waiting to be sent.
 *
 * Pending changes are kept the way the UPDATEs will be built (OpenBGPD and BIRD do the same): a bucket per
 * attribute set holding the prefixes to announce with it, one withdrawal bucket per family, and `queued` from a
 * prefix to its queued state, so a newer change replaces a queued one in O(1) — a prefix that flaps while the peer
 * is slow is sent once, in its last state, and a change back to what the peer already has cancels the queued one.
 * Buckets are sent in the order they were opened. `sent` is updated as messages are built, so it is always exactly
 * what the peer has been told — which is what lets a re-export after an export policy change (`Rib.refreshOut`)
 * offer every prefix again and send only the differences, withdrawals for what is no longer exported included;
 * `resend` queues the unchanged ones as well, for a ROUTE-REFRESH (RFC 2918).
 *
 * Everything is typed arrays: `sent` (the set sent) is indexed by prefix id (see `prefix-index.ts`) — 4 octets per
 * prefix per peer — and each bucket is a doubly linked list of nodes from a pool sized by what is queued at once,
 * found from the prefix through a hash map of the queued prefixes only; both shrink back when the queue empties.
 * No objects per route.
 * The Adj-RIB-Out holds a reference on each set it sent or queued, and on each prefix it has state for.
 */
import type { AttrStore } from './attr-store.js';
import type { OutboundGroup } from './outbound-group.js';
import { withdrawalOverhead, writeAnnouncement, writeWithdrawal } from './packer.js';
import { IntMap } from './int-map.js';
import type { PrefixIndex } from './prefix-index.js';

/** `queued[p]` of a prefix to withdraw. */
const WITHDRAW = -1;
/** Bucket slots of the withdrawals, per family. */
const WITHDRAW4 = 0;
const WITHDRAW6 = 1;

/** Prefix ids of the message being built (an UPDATE holds at most 65535 / 1 of them). */
const taken = new Int32Array(65536);

export class AdjRibOut {
  /** Per prefix: the set the peer was sent, 0 for none. */
  sent: Int32Array;
  /** Queued prefix → its queue node + 1. */
  private queued = new IntMap();
  // Queue nodes: the prefix, the bucket, and the links of the bucket's list.
  private nodePrefix: Int32Array = new Int32Array(64);
  private nodeBucket: Int32Array = new Int32Array(64);
  private next: Int32Array = new Int32Array(64);
  private prev: Int32Array = new Int32Array(64);
  private freeNode = -1;
  private topNode = 0;
  // Buckets: list head, tail, length, set, and the order of announcement buckets (`order*`).
  private head: Int32Array = new Int32Array(16).fill(-1);
  private tail: Int32Array = new Int32Array(16).fill(-1);
  private count: Int32Array = new Int32Array(16);
  private bucketSet: Int32Array = new Int32Array(16);
  private orderNext: Int32Array = new Int32Array(16).fill(-1);
  private orderPrev: Int32Array = new Int32Array(16).fill(-1);
  private firstBucket = -1;
  private lastBucket = -1;
  private topBucket = 2;
  private readonly freeBuckets: number[] = [];
  /** Set id → its bucket. */
  private readonly buckets = new Map<number, number>();
  /** The bucket last queued into (the prefixes of one UPDATE go to the same one), or -1. */
  private lastQueuedSet = 0;
  private lastQueuedBucket = -1;
  /** Prefixes with a queued change. */
  pendingCount = 0;
  /** Prefixes the peer holds (announced and not withdrawn). */
  sentCount = 0;
  /** UPDATE messages built. */
  updatesSent = 0;

  constructor(
    private readonly prefixes: PrefixIndex,
    private readonly store: AttrStore,
  ) {
    this.sent = new Int32Array(0);
  }

  /** Octets of the typed arrays: `sent`, the queue map and nodes, the buckets. */
  get bytes(): number {
    return (
      this.sent.byteLength +
      this.queued.capacity * 8 +
      4 * (this.nodePrefix.length + this.nodeBucket.length + this.next.length + this.prev.length) +
      4 * 6 * this.head.length
    );
  }

  /** The queued state of prefix `p`: 0 none, -1 withdraw, else the set to announce. */
  private queuedState(p: number): number {
    const node = this.queued.get(p, 0) - 1;
    if (node < 0) return 0;
    const b = this.nodeBucket[node] as number;
    return b === WITHDRAW4 || b === WITHDRAW6 ? WITHDRAW : (this.bucketSet[b] as number);
  }

  /**
   * The peer should now have set `set` for prefix `p` (0: no route). Queues the change unless the peer already has
   * it, replacing any queued one. Returns true when the queue went from empty to non-empty.
   */
  offer(p: number, set: number): boolean {
    if (p >= this.sent.length) {
      // Beyond the arrays the peer has nothing for `p`: "no route" changes nothing (split horizon toward the peer
      // a full table comes from keeps its arrays small).
      if (set === 0) return false;
      this.grow(this.prefixes.capacity);
    }
    const want = set === 0 ? WITHDRAW : set;
    const q = this.queuedState(p);
    const sent = this.sent[p] as number;
    if (q === want) return false;
    const held = q !== 0 || sent !== 0;
    if (q !== 0) this.unqueue(p, q);
    if (set === sent) {
      if (held && sent === 0) this.prefixes.release(p);
      return false;
    }
    if (!held) this.prefixes.retain(p);
    const wasEmpty = this.pendingCount === 0;
    this.enqueue(p, want);
    return wasEmpty;
  }

  /**
   * RFC 2918, the peer asked for our Adj-RIB-Out again: as `offer`, but an announcement the peer already has is
   * queued once more. A withdrawal is never re-sent for a prefix the peer does not hold.
   */
  resend(p: number, set: number): boolean {
    if (set === 0 || p >= this.sent.length || this.sent[p] !== set) return this.offer(p, set);
    const q = this.queuedState(p);
    if (q === set) return false;
    if (q !== 0) this.unqueue(p, q);
    // The prefix is already held for what was sent; the queued announcement holds its own reference on `set`.
    const wasEmpty = this.pendingCount === 0;
    this.enqueue(p, set);
    return wasEmpty;
  }

  /** True when the peer holds a route for prefix `p`, or one is queued for it. */
  holds(p: number): boolean {
    return p < this.sent.length && (this.sent[p] !== 0 || (this.pendingCount !== 0 && this.queued.get(p, 0) !== 0));
  }

  private enqueue(p: number, want: number): void {
    let b: number;
    if (want === WITHDRAW) {
      b = this.prefixes.isV4(p) ? WITHDRAW4 : WITHDRAW6;
    } else {
      this.store.retain(want);
      if (want === this.lastQueuedSet && this.lastQueuedBucket >= 0) {
        b = this.lastQueuedBucket;
      } else {
        b = this.buckets.get(want) ?? this.openBucket(want);
        this.lastQueuedSet = want;
        this.lastQueuedBucket = b;
      }
    }
    let node = this.freeNode;
    if (node >= 0) {
      this.freeNode = this.next[node] as number;
    } else {
      node = this.topNode++;
      if (node >= this.next.length) this.growNodes(this.next.length * 2);
    }
    this.nodePrefix[node] = p;
    this.nodeBucket[node] = b;
    this.queued.set(p, node + 1);
    this.next[node] = -1;
    const t = this.tail[b] as number;
    this.prev[node] = t;
    if (t === -1) this.head[b] = node;
    else this.next[t] = node;
    this.tail[b] = node;
    this.count[b] = (this.count[b] as number) + 1;
    this.pendingCount++;
  }

  private unqueue(p: number, q: number): void {
    const node = this.queued.delete(p, 0) - 1;
    const b = this.nodeBucket[node] as number;
    this.unlink(b, node);
    if (q !== WITHDRAW) {
      this.store.release(q);
      if (this.count[b] === 0) this.closeBucket(b);
    }
  }

  /** Takes `node` out of bucket `b` and frees it. */
  private unlink(b: number, node: number): void {
    const n = this.next[node] as number;
    const v = this.prev[node] as number;
    if (v === -1) this.head[b] = n;
    else this.next[v] = n;
    if (n === -1) this.tail[b] = v;
    else this.prev[n] = v;
    this.count[b] = (this.count[b] as number) - 1;
    this.next[node] = this.freeNode;
    this.freeNode = node;
    if (--this.pendingCount === 0 && this.topNode > 4096) this.resetNodes();
  }

  private openBucket(set: number): number {
    let b = this.freeBuckets.pop();
    if (b === undefined) {
      b = this.topBucket++;
      if (b >= this.head.length) this.growBuckets(this.head.length * 2);
    }
    this.buckets.set(set, b);
    this.bucketSet[b] = set;
    this.head[b] = -1;
    this.tail[b] = -1;
    this.count[b] = 0;
    this.orderNext[b] = -1;
    this.orderPrev[b] = this.lastBucket;
    if (this.lastBucket === -1) this.firstBucket = b;
    else this.orderNext[this.lastBucket] = b;
    this.lastBucket = b;
    return b;
  }

  private closeBucket(b: number): void {
    if (b === this.lastQueuedBucket) this.lastQueuedBucket = -1;
    this.buckets.delete(this.bucketSet[b] as number);
    const n = this.orderNext[b] as number;
    const v = this.orderPrev[b] as number;
    if (v === -1) this.firstBucket = n;
    else this.orderNext[v] = n;
    if (n === -1) this.lastBucket = v;
    else this.orderPrev[n] = v;
    this.freeBuckets.push(b);
  }

  /**
   * Writes the next UPDATE from the queue at `out[o..]` — withdrawals first, then the oldest bucket's
   * announcements, as many prefixes as fit — and records it in `sent`. Returns the offset after it, or `o` when
   * nothing is queued. The caller leaves room for `group.limit` octets.
   */
  writeNext(group: OutboundGroup, out: Uint8Array, o: number): number {
    for (let b = WITHDRAW4; b <= WITHDRAW6; b++) {
      if (this.count[b] === 0) continue;
      const afi = b === WITHDRAW4 ? 1 : 2;
      const pathId = afi === 1 ? group.pathId4 : group.pathId6;
      const n = this.take(b, group.limit - withdrawalOverhead(afi), pathId >= 0 ? 4 : 0);
      const end = writeWithdrawal(out, o, this.prefixes, taken, n, afi, pathId);
      for (let i = 0; i < n; i++) {
        const p = taken[i] as number;
        this.unlink(b, this.queued.delete(p, 0) - 1);
        const old = this.sent[p] as number;
        if (old !== 0) {
          this.sent[p] = 0;
          this.sentCount--;
          this.store.release(old);
        }
        this.prefixes.release(p);
      }
      this.updatesSent++;
      return end;
    }
    for (;;) {
      const b = this.firstBucket;
      if (b === -1) return o;
      const set = this.bucketSet[b] as number;
      const first = this.nodePrefix[this.head[b] as number] as number;
      const pathId = this.prefixes.isV4(first) ? group.pathId4 : group.pathId6;
      const enc = group.encoding(set);
      const n = enc === null ? 0 : this.take(b, group.limit - enc.fixedLength, pathId >= 0 ? 4 : 0);
      if (enc === null || n === 0) {
        // Cannot be sent at all (unencodable, or attributes too large for the limit): the peer must not keep an
        // older route for these prefixes either.
        if (enc !== null) group.unsendable++;
        this.drop(b);
        continue;
      }
      const end = writeAnnouncement(out, o, enc, this.prefixes, taken, n, pathId);
      for (let i = 0; i < n; i++) {
        const p = taken[i] as number;
        this.unlink(b, this.queued.delete(p, 0) - 1);
        // The queued reference on `set` becomes the sent one.
        const old = this.sent[p] as number;
        this.sent[p] = set;
        if (old === 0) this.sentCount++;
        else this.store.release(old);
      }
      if (this.count[b] === 0) this.closeBucket(b);
      this.updatesSent++;
      return end;
    }
  }

  /** Puts into `taken` the prefixes at the front of bucket `b` that fit in `room` octets; returns how many. */
  private take(b: number, room: number, extra: number): number {
    let used = 0;
    let n = 0;
    for (let node = this.head[b] as number; node !== -1 && n < taken.length; node = this.next[node] as number) {
      const p = this.nodePrefix[node] as number;
      const size = this.prefixes.wireLength(p) + extra;
      if (used + size > room) break;
      used += size;
      taken[n++] = p;
    }
    return n;
  }

  /** Gives up a bucket that cannot be sent: its prefixes are withdrawn from the peer instead. */
  private drop(b: number): void {
    const set = this.bucketSet[b] as number;
    for (let node = this.head[b] as number; node !== -1; ) {
      const after = this.next[node] as number;
      const p = this.nodePrefix[node] as number;
      this.unlink(b, node);
      this.queued.delete(p);
      this.store.release(set);
      if (this.sent[p] !== 0) this.enqueue(p, WITHDRAW);
      else this.prefixes.release(p);
      node = after;
    }
    this.closeBucket(b);
  }

  /** Every prefix the peer holds, with the set it was sent. */
  *entries(): Generator<[prefix: number, set: number]> {
    const limit = Math.min(this.prefixes.limit, this.sent.length);
    for (let p = 0; p < limit; p++) {
      const s = this.sent[p] as number;
      if (s !== 0) yield [p, s];
    }
  }

  /** Drops everything: the session went down, so the peer's view is gone. */
  clear(): void {
    this.queued.forEach((nodePlusOne, p) => {
      const b = this.nodeBucket[nodePlusOne - 1] as number;
      if (b !== WITHDRAW4 && b !== WITHDRAW6) this.store.release(this.bucketSet[b] as number);
      if (this.sent[p] === 0) this.prefixes.release(p);
    });
    const limit = Math.min(this.prefixes.limit, this.sent.length);
    for (let p = 0; p < limit; p++) {
      const s = this.sent[p] as number;
      if (s === 0) continue;
      this.store.release(s);
      this.sent[p] = 0;
      this.prefixes.release(p);
    }
    this.queued = new IntMap();
    this.buckets.clear();
    this.lastQueuedBucket = -1;
    this.freeBuckets.length = 0;
    this.topBucket = 2;
    this.firstBucket = -1;
    this.lastBucket = -1;
    for (const b of [WITHDRAW4, WITHDRAW6]) {
      this.head[b] = -1;
      this.tail[b] = -1;
      this.count[b] = 0;
    }
    this.pendingCount = 0;
    this.sentCount = 0;
    this.resetNodes();
  }

  /** An empty queue gives its node pool and map back: a full table queued once need not stay allocated. */
  private resetNodes(): void {
    if (this.queued.capacity > 1024) this.queued = new IntMap();
    this.nodePrefix = new Int32Array(64);
    this.nodeBucket = new Int32Array(64);
    this.next = new Int32Array(64);
    this.prev = new Int32Array(64);
    this.freeNode = -1;
    this.topNode = 0;
  }

  private grow(capacity: number): void {
    const grow = (a: Int32Array): Int32Array => {
      const b = new Int32Array(capacity);
      b.set(a);
      return b;
    };
    this.sent = grow(this.sent);
  }

  private growNodes(capacity: number): void {
    const grow = (a: Int32Array): Int32Array => {
      const b = new Int32Array(capacity);
      b.set(a);
      return b;
    };
    this.nodePrefix = grow(this.nodePrefix);
    this.nodeBucket = grow(this.nodeBucket);
    this.next = grow(this.next);
    this.prev = grow(this.prev);
  }

  private growBuckets(capacity: number): void {
    const grow = (a: Int32Array, fill: number): Int32Array => {
      const b = new Int32Array(capacity).fill(fill);
      b.set(a);
      return b;
    };
    this.head = grow(this.head, -1);
    this.tail = grow(this.tail, -1);
    this.count = grow(this.count, 0);
    this.bucketSet = grow(this.bucketSet, 0);
    this.orderNext = grow(this.orderNext, -1);
    this.orderPrev = grow(this.orderPrev, -1);
  }
}
