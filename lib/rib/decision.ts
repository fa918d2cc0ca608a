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
 * The list of a prefix is relinked in preference order. Paths are indices into the `LocRib` arrays and their
 * values are read from the `AttrStore`; pure apart from the relinking, no allocation on the one-path path.
 */
import { DEFAULT_LOCAL_PREF } from './attr-set.js';
import type { AttrStore } from './attr-store.js';
import { SetFields, SetFlag } from './set-fields.js';
import { LOCAL_SLOT, type LocRib } from './loc-rib.js';

export interface DecisionOptions {
  /** Size of the ECMP set, at least 1. */
  readonly maximumPaths: number;
  /** Compare MED between routes from different neighbouring ASes too (`bgp always-compare-med`). */
  readonly alwaysCompareMed: boolean;
  /** Our BGP Identifier as a number: the identifier of locally originated paths. */
  readonly routerIdNumber: number;
}

/** What the decision process reads about a path's source (a peer). */
export interface DecisionSource {
  /** The peer is in our AS (§9.1.2.2 d). */
  readonly ibgp: boolean;
  /** Its BGP Identifier as a number (§9.1.2.2 f). */
  readonly routerIdNumber: number;
  /** Its address in a form that sorts as addresses do (the last tie-break). */
  readonly addressKey: string;
}

/** Where the decision process reads paths, sets and sources. */
export interface DecisionContext {
  readonly options: DecisionOptions;
  readonly loc: LocRib;
  readonly store: AttrStore;
  /** Source per slot; slot 0 (`LOCAL_SLOT`) is this speaker. */
  readonly sources: readonly (DecisionSource | undefined)[];
}

/** FRR's weight of a locally originated route; learned routes weigh 0. */
export const LOCAL_WEIGHT = 32768;

/**
 * One eligible path while a decision runs: its index and the values the steps compare, read once from its set.
 * Pooled: a decision allocates nothing once the pool holds as many as the longest list seen.
 */
class Candidate {
  path = -1;
  weight = 0;
  localPref = 0;
  asPathLength = 0;
  origin = 0;
  med = 0;
  neighborAs = 0;
  ebgp = false;
  /** BGP Identifier, or ORIGINATOR_ID when the route carries one (RFC 4456 §9). */
  identifier = 0;
  clusterListLength = 0;
  addressKey = '';
}

const pool: Candidate[] = [];
const fields = new SetFields();
const survivors: Candidate[] = [];
const ordered: number[] = [];
const ineligible: number[] = [];

function candidate(c: DecisionContext, i: number, path: number): Candidate {
  let x = pool[i];
  if (x === undefined) {
    x = new Candidate();
    pool[i] = x;
  }
  const set = c.loc.accepted[path] as number;
  const flags = c.store.flags[set] as number;
  c.store.readFields(set, fields);
  const slot = c.loc.source[path] as number;
  const source = slot === LOCAL_SLOT ? undefined : c.sources[slot];
  x.path = path;
  x.weight = slot === LOCAL_SLOT ? LOCAL_WEIGHT : 0;
  x.localPref = flags & SetFlag.LocalPref ? fields.localPref : DEFAULT_LOCAL_PREF;
  x.asPathLength = fields.asPathLength;
  x.origin = fields.origin;
  x.med = flags & SetFlag.Med ? fields.med : 0;
  x.neighborAs = fields.neighborAs;
  x.ebgp = source?.ibgp === false;
  x.identifier = flags & SetFlag.OriginatorId ? fields.originatorId : slot === LOCAL_SLOT ? c.options.routerIdNumber : (source?.routerIdNumber ?? 0);
  x.clusterListLength = fields.clusterListLength;
  x.addressKey = source?.addressKey ?? '';
  return x;
}

/** Keeps in `survivors` the candidates whose `score` is the highest. */
function keepHighest(score: (x: Candidate) => number): void {
  let best = -Infinity;
  for (const x of survivors) best = Math.max(best, score(x));
  let n = 0;
  for (const x of survivors) if (score(x) === best) survivors[n++] = x;
  survivors.length = n;
}

const byWeight = (x: Candidate): number => x.weight;
const byLocalPref = (x: Candidate): number => x.localPref;
const byShortPath = (x: Candidate): number => -x.asPathLength;
const byLowOrigin = (x: Candidate): number => -x.origin;
const byEbgp = (x: Candidate): number => (x.ebgp ? 1 : 0);

/** §9.1.2.2 c): removes each candidate that has a lower-MED rival from the same neighbouring AS. */
function eliminateByMed(always: boolean): void {
  let n = 0;
  outer: for (const x of survivors) {
    for (const y of survivors) {
      if (y !== x && y.med < x.med && (always || y.neighborAs === x.neighborAs)) continue outer;
    }
    survivors[n++] = x;
  }
  survivors.length = n;
}

/** Tie-breaks f and g (and RFC 4456's CLUSTER_LIST length) as a comparator: negative when `a` is preferred. */
function compareTieBreaks(a: Candidate, b: Candidate): number {
  if (a.identifier !== b.identifier) return a.identifier - b.identifier;
  if (a.clusterListLength !== b.clusterListLength) return a.clusterListLength - b.clusterListLength;
  return a.addressKey < b.addressKey ? -1 : a.addressKey > b.addressKey ? 1 : 0;
}

/**
 * Runs the decision process over the list starting at `head`, sets every path's multipath flag and returns the
 * new head: the best path first (if any path is eligible), then the rest of the ECMP set, then the others.
 */
export function decide(head: number, c: DecisionContext): number {
  const loc = c.loc;
  if (head < 0) return -1;
  if (loc.next[head] === -1) {
    loc.multipath[head] = 0;
    return head;
  }
  survivors.length = 0;
  ineligible.length = 0;
  ordered.length = 0;
  let eligibleCount = 0;
  for (let p = head; p !== -1; p = loc.next[p] as number) {
    loc.multipath[p] = 0;
    if (loc.accepted[p] === 0) ineligible.push(p);
    else survivors.push(candidate(c, eligibleCount++, p));
  }
  if (eligibleCount > 0) {
    keepHighest(byWeight);
    keepHighest(byLocalPref);
    keepHighest(byShortPath);
    keepHighest(byLowOrigin);
    eliminateByMed(c.options.alwaysCompareMed);
    if (survivors.some((x) => x.ebgp)) keepHighest(byEbgp);
    survivors.sort(compareTieBreaks);
    const best = survivors[0] as Candidate;
    ordered.push(best.path);
    for (let i = 1; i < survivors.length && ordered.length < c.options.maximumPaths; i++) {
      const x = survivors[i] as Candidate;
      // FRR: eBGP multipath only across paths from the same neighbouring AS (no `as-path multipath-relax`).
      if (best.ebgp && x.neighborAs !== best.neighborAs) continue;
      ordered.push(x.path);
    }
    if (ordered.length > 1) for (const p of ordered) loc.multipath[p] = 1;
    for (let i = 0; i < eligibleCount; i++) {
      const p = (pool[i] as Candidate).path;
      if (!ordered.includes(p)) ordered.push(p);
    }
  }
  ordered.push(...ineligible);
  for (let i = 0; i < ordered.length; i++) loc.next[ordered[i] as number] = ordered[i + 1] ?? -1;
  const first = ordered[0] as number;
  survivors.length = 0;
  ineligible.length = 0;
  ordered.length = 0;
  return first;
}
