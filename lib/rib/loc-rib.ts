/**
 * The Loc-RIB and the Adj-RIBs-In, as one table of paths (RFC 4271 §3.2).
 *
 * A path is one route to a prefix from one source; the three RIBs of the RFC are views of the paths: the Loc-RIB
 * maps a prefix (its id in the `PrefixIndex`) to the head of a singly linked list of its paths, kept in preference
 * order (best first, then the other ECMP members, then the rest), and a peer's Adj-RIB-In is the set of paths whose
 * source is that peer. Paths live in typed arrays — source slot (0 = originated here), the set as received, the
 * set after import policy (0 = not eligible: RFC 4271 §9.1.1 denied by policy, an AS_PATH loop, an RFC 4456 §8
 * reflection loop), the next path, the multipath and stale flags — so a full table from one peer is ~17 octets per route
 * beside the prefix index, and nothing the garbage collector has to trace.
 * Owns the path storage and the per-prefix heads; the decision process is in `decision.ts`.
 */
import { PrefixIndex } from './prefix-index.js';

/** Slot of paths originated by this speaker. */
export const LOCAL_SLOT = 0;

export class LocRib {
  readonly prefixes = new PrefixIndex();
  /** Head path per prefix id, -1 when the prefix has no path. */
  heads: Int32Array = new Int32Array(1024).fill(-1);
  /** Per path: the source's slot (see `LOCAL_SLOT`). */
  source: Uint16Array = new Uint16Array(1024);
  /** Per path: the set as received. */
  received: Int32Array = new Int32Array(1024);
  /** Per path: the set after import policy, 0 when not eligible. */
  accepted: Int32Array = new Int32Array(1024);
  /** Per path: the next path of the prefix, -1 at the end. */
  next: Int32Array = new Int32Array(1024);
  /** Per path: member of the ECMP set (set on the best path too when the set has more than one member). */
  multipath: Uint8Array = new Uint8Array(1024);
  /**
   * Per path: 1 while the path is stale (RFC 4724 §4.2: kept from a peer that is restarting, still used, until the
   * peer sends it again, sends End-of-RIB, or its restart time runs out).
   */
  stale: Uint8Array = new Uint8Array(1024);
  private freePath = -1;
  private topPath = 0;
  /** Paths in use. */
  pathCount = 0;
  /** Prefixes with at least one path. */
  prefixCount = 0;

  constructor() {
    this.prefixes.capacityChanged = (capacity) => {
      const heads = new Int32Array(capacity).fill(-1);
      heads.set(this.heads);
      this.heads = heads;
    };
  }

  /** Octets of the per-prefix heads and the path arrays (the prefix index counts its own). */
  get bytes(): number {
    return this.heads.byteLength + this.source.byteLength + this.received.byteLength + this.accepted.byteLength + this.next.byteLength + this.multipath.byteLength + this.stale.byteLength;
  }

  /** A new path, not linked into any list. */
  allocPath(source: number, received: number, accepted: number): number {
    let i = this.freePath;
    if (i >= 0) {
      this.freePath = this.next[i] as number;
    } else {
      i = this.topPath++;
      if (i >= this.source.length) this.growPaths(this.source.length * 2);
    }
    this.source[i] = source;
    this.received[i] = received;
    this.accepted[i] = accepted;
    this.next[i] = -1;
    this.multipath[i] = 0;
    this.stale[i] = 0;
    this.pathCount++;
    return i;
  }

  freePathSlot(i: number): void {
    this.next[i] = this.freePath;
    this.freePath = i;
    this.pathCount--;
  }

  /** The path of `source` for prefix `p`, or -1. */
  findPath(p: number, source: number): number {
    for (let i = this.heads[p] as number; i >= 0; i = this.next[i] as number) if (this.source[i] === source) return i;
    return -1;
  }

  /** The list starting at `head` without `path` (which must be in it); returns the new head. */
  unlink(head: number, path: number): number {
    const next = this.next;
    if (head === path) return next[path] as number;
    for (let i = head; next[i] !== -1; i = next[i] as number) {
      if (next[i] === path) {
        next[i] = next[path] as number;
        break;
      }
    }
    return head;
  }

  /** The best path of prefix `p`: its head when eligible, else -1. */
  best(p: number): number {
    const h = this.heads[p] as number;
    return h >= 0 && this.accepted[h] !== 0 ? h : -1;
  }

  private growPaths(capacity: number): void {
    const source = new Uint16Array(capacity);
    source.set(this.source);
    this.source = source;
    const received = new Int32Array(capacity);
    received.set(this.received);
    this.received = received;
    const accepted = new Int32Array(capacity);
    accepted.set(this.accepted);
    this.accepted = accepted;
    const next = new Int32Array(capacity);
    next.set(this.next);
    this.next = next;
    const multipath = new Uint8Array(capacity);
    multipath.set(this.multipath);
    this.multipath = multipath;
    const stale = new Uint8Array(capacity);
    stale.set(this.stale);
    this.stale = stale;
  }
}
