/**
 * Outbound soft reconfiguration after an export policy change (FRR `clear bgp X soft out`, BIRD `reload out`): the
 * neighbour's `PolicySlot` already applies the new route map; this re-exports its Adj-RIB-Out under it and waits
 * until the neighbour has been told.
 *
 * The RIB does the work (`Rib.refreshOut(id, 'changes')`): it walks the Loc-RIB against what the Adj-RIB-Out says
 * the neighbour was sent, so a route the new policy denies is withdrawn, one whose attributes changed is announced
 * with the new ones, and an unchanged one is not sent at all. The session is never reset, whatever the change.
 * (A ROUTE-REFRESH from the neighbour, RFC 2918, is the Speaker's and gets the whole Adj-RIB-Out instead.)
 *
 * `Speaker.refreshOut(address, 'changes')` asks the RIB for exactly that and pumps what it queues (a whole-table
 * walk, so not counted as a propagation latency).
 *
 * Imports lib/speaker.
 */
import type { Speaker } from '../speaker/index.js';

export type SoftOutResult =
  /** Exported again under the new policy; the neighbour has been sent every difference. */
  | { readonly outcome: 'refreshed' }
  /** The session is not up (nothing to do: it is sent the Adj-RIB-Out under the new policy when it comes up). */
  | { readonly outcome: 'down' };

const established = (speaker: Speaker, address: string): boolean => speaker.peer(address)?.state === 'Established';

/** Resolves once the RIB has nothing left to send `address`, or the session is no longer up. */
function drained(speaker: Speaker, address: string, pollMs: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      let pending = false;
      try {
        pending = established(speaker, address) && speaker.rib.hasPending(address);
      } catch {
        pending = false; // the peer left the RIB meanwhile
      }
      if (pending) setTimeout(check, pollMs);
      else resolve();
    };
    check();
  });
}

/**
 * Re-exports the Adj-RIB-Out of `address` under the export policy now in force, sending only what differs from
 * what it was sent. Resolves when the neighbour has been told everything (or its session went down).
 */
export async function resendAdjRibOut(speaker: Speaker, address: string, pollMs = 10): Promise<SoftOutResult> {
  // Down, or in the RIB but down (a restarting neighbour whose routes are kept stale, RFC 4724): no Adj-RIB-Out.
  if (!established(speaker, address) || !speaker.refreshOut(address, 'changes')) return { outcome: 'down' };
  await drained(speaker, address, pollMs);
  return established(speaker, address) ? { outcome: 'refreshed' } : { outcome: 'down' };
}
