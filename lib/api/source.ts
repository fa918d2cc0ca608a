/**
 * What the control API needs from a speaker, as interfaces: `SpeakerSource` to read (the views and metrics) and
 * `SpeakerControl` to act. `Speaker` satisfies both as it is; tests may hand in anything shaped alike.
 *
 * `resetPeer` (FRR `clear bgp X`: Cease / Administrative Reset, RFC 4486 §4 subcode 4) and `refreshOut` (FRR
 * `clear bgp X soft out`: send the whole Adj-RIB-Out again) are optional here so that simpler sources (tests)
 * need not offer them; `hardReset` and `softOut` below then do the nearest correct thing with what exists.
 */
import type { PeerConfig, PeerStatus, RouteAttributes } from '../speaker/index.js';
import type { AdjRibInEntry, AdjRibOutEntry, LocRibEntry, PeerCounters } from '../rib/index.js';

/** The read side of the RIB the views use beyond the speaker's own methods. */
export interface RibSource {
  /** Prefixes in the Loc-RIB. */
  readonly prefixCount: number;
  /** The peer's session is up in the RIB (its counters can be read). */
  isUp(peerId: string): boolean;
  counters(peerId: string): PeerCounters;
  /** RFC 2918: queue the peer's whole Adj-RIB-Out again (then End-of-RIB). */
  refreshOut(peerId: string): void;
}

export interface SpeakerSource {
  readonly asn: number;
  readonly routerId: string;
  readonly rib: RibSource;
  peers(): PeerStatus[];
  peer(address: string): PeerStatus | undefined;
  /** Loc-RIB, optionally one prefix (exact match). Throws a TypeError on a malformed prefix. */
  routes(prefix?: string): LocRibEntry[];
  adjRibIn(address: string): AdjRibInEntry[];
  adjRibOut(address: string): AdjRibOutEntry[];
  /** The peer's configuration, when the speaker offers it (configured timers in `show neighbors`). */
  peerConfig?(address: string): PeerConfig | undefined;
}

export interface SpeakerControl extends SpeakerSource {
  announce(prefix: string, attributes?: RouteAttributes): void;
  withdraw(prefix: string): void;
  /** RFC 2918 ROUTE-REFRESH toward the peer (or soft reconfiguration over what was kept); false when not up. */
  refreshIn(address: string): boolean;
  shutdownPeer(address: string, message?: string): Promise<void>;
  enablePeer(address: string): void;
  /** Cease / Administrative Reset (6/4) with an optional RFC 9003 message, then start again. */
  resetPeer?(address: string, message?: string): Promise<void>;
  /** Send the peer its whole Adj-RIB-Out again; false when the session is not up. */
  refreshOut?(address: string): boolean;
}

/**
 * Hard clear. With the speaker's `resetPeer` the peer sees Cease / Administrative Reset; without it, Cease /
 * Administrative Shutdown (6/2) followed by a fresh start — the session and its routes are torn down and rebuilt
 * all the same, only the subcode the peer logs differs.
 */
export async function hardReset(speaker: SpeakerControl, address: string, message?: string): Promise<'reset' | 'shutdown-enable'> {
  if (speaker.resetPeer) {
    await speaker.resetPeer(address, message);
    return 'reset';
  }
  await speaker.shutdownPeer(address, message);
  speaker.enablePeer(address);
  return 'shutdown-enable';
}

/** Soft clear outbound: the RIB re-sends the Adj-RIB-Out, as on a received ROUTE-REFRESH. False when not up. */
export function softOut(speaker: SpeakerControl, address: string): boolean {
  if (speaker.refreshOut) return speaker.refreshOut(address);
  // The speaker keys RIB peers by address (Speaker.onEstablished) and pumps whatever the RIB queues.
  if (!speaker.rib.isUp(address)) return false;
  speaker.rib.refreshOut(address);
  return true;
}
