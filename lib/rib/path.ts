/**
 * Paths: one route to a prefix from one source, the entry shared by the Adj-RIB-In and the Loc-RIB.
 *
 * RFC 4271 §3.2 describes three tables; this RIB keeps one entry per (prefix, source) and lets the tables be views of
 * it: the Loc-RIB maps a prefix key to the head of a singly linked list of its paths, kept in preference order (best
 * first, then the other ECMP members, then the rest), and a peer's Adj-RIB-In is the set of paths whose `source` is
 * that peer. A full table from one peer costs one Map entry and one small object per prefix, nothing more.
 * `received` is the set as the peer sent it (pre-policy, for `show … received-routes` and for re-running policy);
 * `attrs` is the set after import policy, or null when the route is not eligible (RFC 4271 §9.1.1: denied by
 * policy, AS_PATH loop, RFC 4456 §8 reflection loop).
 */
import type { AttrSet } from './attr-set.js';

/** What the decision process and the export rules need to know about where a path came from. */
export interface PathSource {
  /** The peer's id as given to `Rib.addPeer`. */
  readonly id: string;
  /** The peer is in our AS (RFC 4271 §9.1.2.2 d: eBGP is preferred over iBGP). */
  readonly ibgp: boolean;
  /** RFC 4456: the peer is a route-reflector client of ours. */
  readonly rrClient: boolean;
  /** The peer's BGP Identifier from its OPEN, as text and as a number (the §9.1.2.2 f tie-break). */
  readonly routerId: string;
  readonly routerIdNumber: number;
  /** The peer's address in a form that sorts as the addresses do (the last tie-break). */
  readonly addressKey: string;
}

export class Path {
  /** The peer the path was learned from; null for a route this speaker originates. */
  source: PathSource | null;
  received: AttrSet;
  attrs: AttrSet | null;
  next: Path | null;
  /** Member of the ECMP set of its prefix (set on the best path too when the set has more than one member). */
  multipath: boolean;

  constructor(source: PathSource | null, received: AttrSet, attrs: AttrSet | null, next: Path | null) {
    this.source = source;
    this.received = received;
    this.attrs = attrs;
    this.next = next;
    this.multipath = false;
  }
}

/** The path of `source` in the list starting at `head`, or null. */
export function findPath(head: Path | undefined, source: PathSource | null): Path | null {
  for (let p: Path | null = head ?? null; p !== null; p = p.next) if (p.source === source) return p;
  return null;
}

/** The list without `path` (which must be in it); returns the new head. */
export function unlinkPath(head: Path, path: Path): Path | null {
  if (head === path) return path.next;
  for (let p = head; p.next !== null; p = p.next) {
    if (p.next === path) {
      p.next = path.next;
      break;
    }
  }
  return head;
}

/** The best path of a list: its head, when eligible. */
export function bestOf(head: Path | undefined): Path | null {
  return head !== undefined && head.attrs !== null ? head : null;
}
