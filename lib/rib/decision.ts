/**
 * The decision process: RFC 4271 §9.1.2.2 (breaking ties in Phase 2), with RFC 4456 §9 for reflected routes, and
 * the multipath (ECMP) set as FRR's `maximum-paths` forms it.
 *
 * Eligible paths go through the RFC's elimination steps in order, each keeping only the most preferred:
 *   0. weight — a locally originated route wins, as FRR gives it weight 32768;
 *   a. (§9.1.2.1) highest degree of preference — LOCAL_PREF, 100 when absent;
 *   a. shortest AS_PATH (an AS_SET counts 1, confederation segments 0);
 *   b. lowest ORIGIN;
 *   c. lowest MULTI_EXIT_DISC among routes from the same neighbouring AS (any AS with `alwaysCompareMed`), a
 *      missing MED counting as 0 — an elimination within groups, not a pairwise order, because MED is not
 *      transitive across neighbour ASes;
 *   d. eBGP-learned over iBGP-learned;
 *   e. lowest IGP cost to the next hop — every next hop costs the same here, so no path is removed.
 * The survivors are the ECMP candidates: the best one and, up to `maximumPaths`, the others (for an eBGP best, only
 * those from the same neighbouring AS). The single best is then chosen by the remaining tie-breaks:
 *   f. lowest BGP Identifier — the ORIGINATOR_ID instead when the route carries one (RFC 4456 §9);
 *   —  shortest CLUSTER_LIST (RFC 4456 §9);
 *   g. lowest peer address.
 * The list of a prefix is relinked in preference order. Pure apart from that; no allocation on the one-path path.
 */
import { DEFAULT_LOCAL_PREF } from './attr-set.js';
import type { AttrSet } from './attr-set.js';
import type { Path } from './path.js';

export interface DecisionOptions {
  /** Size of the ECMP set, at least 1. */
  readonly maximumPaths: number;
  /** Compare MED between routes from different neighbouring ASes too (`bgp always-compare-med`). */
  readonly alwaysCompareMed: boolean;
  /** Our BGP Identifier as a number: the identifier of locally originated paths. */
  readonly routerIdNumber: number;
}

/** FRR's weight of a locally originated route; learned routes weigh 0. */
export const LOCAL_WEIGHT = 32768;

const eligible: Path[] = [];
const ineligible: Path[] = [];
const survivors: Path[] = [];

const weightOf = (p: Path): number => (p.source === null ? LOCAL_WEIGHT : 0);
const attrsOf = (p: Path): AttrSet => p.attrs as AttrSet;
const localPrefOf = (p: Path): number => attrsOf(p).localPref ?? DEFAULT_LOCAL_PREF;
const medOf = (p: Path): number => attrsOf(p).med ?? 0;
const isEbgp = (p: Path): boolean => p.source !== null && !p.source.ibgp;

/** Keeps in `survivors` the paths whose `score` is the highest. */
function keepHighest(score: (p: Path) => number): void {
  let best = -Infinity;
  for (const p of survivors) best = Math.max(best, score(p));
  let n = 0;
  for (const p of survivors) if (score(p) === best) survivors[n++] = p;
  survivors.length = n;
}

/** §9.1.2.2 c): removes each path that has a lower-MED rival from the same neighbouring AS. */
function eliminateByMed(alwaysCompare: boolean): void {
  let n = 0;
  outer: for (const p of survivors) {
    for (const q of survivors) {
      if (q !== p && medOf(q) < medOf(p) && (alwaysCompare || attrsOf(q).neighborAs === attrsOf(p).neighborAs)) {
        continue outer;
      }
    }
    survivors[n++] = p;
  }
  survivors.length = n;
}

/** Tie-breaks f and g (and RFC 4456's CLUSTER_LIST length) as a comparator: negative when `a` is preferred. */
function compareTieBreaks(a: Path, b: Path, routerId: number): number {
  const ida = attrsOf(a).originatorId !== undefined ? attrsOf(a).originatorIdNumber : (a.source?.routerIdNumber ?? routerId);
  const idb = attrsOf(b).originatorId !== undefined ? attrsOf(b).originatorIdNumber : (b.source?.routerIdNumber ?? routerId);
  if (ida !== idb) return ida - idb;
  const cla = attrsOf(a).clusterList.length;
  const clb = attrsOf(b).clusterList.length;
  if (cla !== clb) return cla - clb;
  const ka = a.source?.addressKey ?? '';
  const kb = b.source?.addressKey ?? '';
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * Runs the decision process over the list starting at `head`, sets every path's `multipath` flag and returns the
 * new head: the best path first (if any path is eligible), then the rest of the ECMP set, then the others.
 */
export function decide(head: Path | null, options: DecisionOptions): Path | null {
  if (head === null) return null;
  if (head.next === null) {
    head.multipath = false;
    return head;
  }
  eligible.length = 0;
  ineligible.length = 0;
  for (let p: Path | null = head; p !== null; p = p.next) {
    p.multipath = false;
    (p.attrs !== null ? eligible : ineligible).push(p);
  }
  const ordered: Path[] = [];
  if (eligible.length > 0) {
    survivors.length = 0;
    survivors.push(...eligible);
    keepHighest(weightOf);
    keepHighest(localPrefOf);
    keepHighest((p) => -attrsOf(p).asPathLength);
    keepHighest((p) => -attrsOf(p).origin);
    eliminateByMed(options.alwaysCompareMed);
    if (survivors.some(isEbgp)) keepHighest((p) => (isEbgp(p) ? 1 : 0));
    survivors.sort((a, b) => compareTieBreaks(a, b, options.routerIdNumber));
    const best = survivors[0] as Path;
    ordered.push(best);
    for (let i = 1; i < survivors.length && ordered.length < options.maximumPaths; i++) {
      const p = survivors[i] as Path;
      // FRR: eBGP multipath only across paths from the same neighbouring AS (no `as-path multipath-relax`).
      if (isEbgp(best) && attrsOf(p).neighborAs !== attrsOf(best).neighborAs) continue;
      ordered.push(p);
    }
    if (ordered.length > 1) for (const p of ordered) p.multipath = true;
    for (const p of eligible) if (!ordered.includes(p)) ordered.push(p);
  }
  ordered.push(...ineligible);
  for (let i = 0; i < ordered.length; i++) (ordered[i] as Path).next = ordered[i + 1] ?? null;
  eligible.length = 0;
  ineligible.length = 0;
  survivors.length = 0;
  return ordered[0] ?? null;
}
