/**
 * The read side of the RIB, for `show` commands and the control API: the Loc-RIB with every path and its best /
 * multipath flags, a peer's Adj-RIB-In (as received and after policy) and Adj-RIB-Out (as sent). Views are built
 * on demand from the tables — generators, so that walking a full table does not build a million objects at once.
 */
import type { Prefix } from '../wire/index.js';
import type { AttrSetInterner } from './interner.js';
import { type Path } from './path.js';
import type { PeerState } from './peer-state.js';
import { keyToPrefix, prefixKey, type PrefixKey } from './prefix-key.js';
import type { AdjRibInEntry, AdjRibOutEntry, LocRibEntry, PathView } from './types.js';

export class RibReader {
  /** Loc-RIB: prefix key → its paths, best first (the Adj-RIBs-In are the paths of each source). */
  protected readonly loc = new Map<PrefixKey, Path>();
  protected readonly peers = new Map<string, PeerState>();
  /** The attribute-set interner (exposed for metrics: `size`, `hits`, `created`). */
  readonly interner: AttrSetInterner;

  constructor(interner: AttrSetInterner) {
    this.interner = interner;
  }

  protected peer(id: string): PeerState {
    const peer = this.peers.get(id);
    if (peer === undefined) throw new Error(`unknown peer ${id}`);
    return peer;
  }

  /** Number of prefixes in the Loc-RIB (with at least one path, eligible or not). */
  get prefixCount(): number {
    return this.loc.size;
  }

  /** Ids of the configured peers. */
  peerIds(): string[] {
    return [...this.peers.keys()];
  }

  /** True when the peer's session is up (between `peerUp` and `peerDown`). */
  isUp(id: string): boolean {
    return this.peers.get(id)?.up === true;
  }

  /** Families (familyKey) whose End-of-RIB the peer has sent (RFC 4724). */
  endOfRibReceived(id: string): readonly number[] {
    return [...this.peer(id).eorReceived];
  }

  /** One prefix of the Loc-RIB, or undefined when no path exists. */
  locRibEntry(prefix: Prefix): LocRibEntry | undefined {
    const key = prefixKey(prefix);
    const head = key === undefined ? undefined : this.loc.get(key);
    return head === undefined ? undefined : entryOf(key as PrefixKey, head);
  }

  /** Every prefix of the Loc-RIB with all its paths (best first); with `prefix`, only that one. */
  *locRib(prefix?: Prefix): Generator<LocRibEntry> {
    if (prefix !== undefined) {
      const entry = this.locRibEntry(prefix);
      if (entry !== undefined) yield entry;
      return;
    }
    for (const [key, head] of this.loc) yield entryOf(key, head);
  }

  /** The routes a peer sent us (RFC 4271 §3.2 Adj-RIB-In), with the import outcome. */
  *adjRibIn(peerId: string): Generator<AdjRibInEntry> {
    const peer = this.peer(peerId);
    for (const [key, head] of this.loc) {
      for (let p: Path | null = head; p !== null; p = p.next) {
        if (p.source !== peer) continue;
        yield {
          prefix: keyToPrefix(key),
          received: p.received.attributes,
          accepted: p.attrs !== null,
          attributes: p.attrs?.attributes ?? null,
        };
        break;
      }
    }
  }

  /** The routes a peer has been sent (RFC 4271 §3.2 Adj-RIB-Out), attributes as it received them. */
  *adjRibOut(peerId: string): Generator<AdjRibOutEntry> {
    for (const [key, set] of this.peer(peerId).out.sent) yield { prefix: keyToPrefix(key), attributes: set.attributes };
  }
}

function entryOf(key: PrefixKey, head: Path): LocRibEntry {
  const paths: PathView[] = [];
  for (let p: Path | null = head; p !== null; p = p.next) {
    paths.push({
      from: p.source?.id ?? null,
      peerAddress: p.source === null ? null : ((p.source as PeerState).info?.address ?? null),
      best: p === head && p.attrs !== null,
      multipath: p.multipath,
      accepted: p.attrs !== null,
      attributes: (p.attrs ?? p.received).attributes,
      received: p.received.attributes,
    });
  }
  return { prefix: keyToPrefix(key), paths };
}
