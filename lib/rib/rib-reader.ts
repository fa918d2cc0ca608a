/**
 * The read side of the RIB, for `show` commands and the control API: the Loc-RIB with every path and its best /
 * multipath flags, a peer's Adj-RIB-In (as received and after policy) and Adj-RIB-Out (as sent). Views are built
 * on demand from the typed tables — generators, so that walking a full table does not build a million objects at
 * once — with each set's attribute list decoded from the store.
 *
 * Also owns the tables themselves (the Loc-RIB, the attribute store, the peers by id and by slot), which the
 * engine and the `Rib` below it fill.
 */
import type { Prefix } from '../wire/index.js';
import type { AttrStore } from './attr-store.js';
import { LOCAL_SLOT, LocRib } from './loc-rib.js';
import type { PeerState } from './peer-state.js';
import { prefixKey } from './prefix-key.js';
import type { AdjRibInEntry, AdjRibOutEntry, LocRibEntry, PathView } from './types.js';

export class RibReader {
  /** Loc-RIB: prefix → its paths, best first (the Adj-RIBs-In are the paths of each source). */
  protected readonly loc = new LocRib();
  protected readonly peers = new Map<string, PeerState>();
  /** Peers by the slot their paths name them by; slot 0 is this speaker. */
  protected readonly slots: (PeerState | undefined)[] = [undefined];
  /** The attribute store (exposed for metrics: `size`, `hits`, `created`, `arenaBytes`). */
  readonly interner: AttrStore;

  constructor(store: AttrStore) {
    this.interner = store;
  }

  protected peer(id: string): PeerState {
    const peer = this.peers.get(id);
    if (peer === undefined) throw new Error(`unknown peer ${id}`);
    return peer;
  }

  /** Number of prefixes in the Loc-RIB (with at least one path, eligible or not). */
  get prefixCount(): number {
    return this.loc.prefixCount;
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
    const p = key === undefined ? -1 : this.loc.prefixes.find(key);
    return p < 0 || this.loc.heads[p] === -1 ? undefined : this.entryOf(p);
  }

  /** Every prefix of the Loc-RIB with all its paths (best first); with `prefix`, only that one. */
  *locRib(prefix?: Prefix): Generator<LocRibEntry> {
    if (prefix !== undefined) {
      const entry = this.locRibEntry(prefix);
      if (entry !== undefined) yield entry;
      return;
    }
    for (let p = 0; p < this.loc.prefixes.limit; p++) if (this.loc.heads[p] !== -1) yield this.entryOf(p);
  }

  /** The routes a peer sent us (RFC 4271 §3.2 Adj-RIB-In), with the import outcome. */
  *adjRibIn(peerId: string): Generator<AdjRibInEntry> {
    const slot = this.peer(peerId).slot;
    const loc = this.loc;
    const store = this.interner;
    for (let p = 0; p < loc.prefixes.limit; p++) {
      if (loc.heads[p] === -1) continue;
      const path = loc.findPath(p, slot);
      if (path < 0) continue;
      const accepted = loc.accepted[path] as number;
      yield {
        prefix: loc.prefixes.prefix(p),
        received: store.attributes(loc.received[path] as number),
        accepted: accepted !== 0,
        attributes: accepted === 0 ? null : store.attributes(accepted),
        stale: loc.stale[path] !== 0,
      };
    }
  }

  /** The routes a peer has been sent (RFC 4271 §3.2 Adj-RIB-Out), attributes as it received them. */
  *adjRibOut(peerId: string): Generator<AdjRibOutEntry> {
    for (const [p, set] of this.peer(peerId).out.entries()) {
      yield { prefix: this.loc.prefixes.prefix(p), attributes: this.interner.attributes(set) };
    }
  }

  private entryOf(p: number): LocRibEntry {
    const loc = this.loc;
    const store = this.interner;
    const head = loc.heads[p] as number;
    const paths: PathView[] = [];
    for (let i = head; i !== -1; i = loc.next[i] as number) {
      const slot = loc.source[i] as number;
      const source = slot === LOCAL_SLOT ? undefined : this.slots[slot];
      const accepted = loc.accepted[i] as number;
      const received = loc.received[i] as number;
      paths.push({
        from: source?.id ?? null,
        peerAddress: source?.info.address ?? null,
        best: i === head && accepted !== 0,
        multipath: loc.multipath[i] === 1,
        accepted: accepted !== 0,
        attributes: store.attributes(accepted !== 0 ? accepted : received),
        received: store.attributes(received),
        stale: loc.stale[i] !== 0,
      });
    }
    return { prefix: loc.prefixes.prefix(p), paths };
  }
}
