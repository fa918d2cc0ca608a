/**
 * Outbound soft reconfiguration (FRR `clear bgp X soft out`) after an export policy change, done with the
 * Speaker's public API and made correct for routes the new policy denies.
 *
 * `Speaker.refreshOut` (the RIB's answer to a ROUTE-REFRESH, RFC 2918) forgets what the peer was sent and sends
 * the whole Adj-RIB-Out again. That is right for a peer that asked, but after a policy change it leaves behind
 * every route the new policy denies: it is no longer announced, and it is not withdrawn either, because the RIB
 * no longer remembers sending it. So the prefixes the peer holds are noted first; once the resend has drained,
 * any of them not sent again is still at the peer, stale. Only then — when the change took routes away — is the
 * session reset (Cease / Administrative Reset, RFC 4486, with an RFC 9003 message saying why), so the peer drops
 * them. A change that only adds routes or rewrites attributes never resets anything.
 *
 * (The RIB could withdraw them itself by re-exporting against what it sent instead of forgetting it; the report
 * of lib/router asks for that. This file is then a plain `refreshOut`.)
 *
 * Imports lib/speaker and lib/wire.
 */
import type { Speaker } from '../speaker/index.js';
import { formatPrefix } from '../wire/index.js';

export type SoftOutResult =
  /** Sent again; nothing left stale at the peer. */
  | { readonly outcome: 'refreshed' }
  /** Routes the peer held are denied now: the session was reset so they go. */
  | { readonly outcome: 'reset'; readonly stale: readonly string[] }
  /** The session is not up (nothing to do: it will be sent the new Adj-RIB-Out when it comes up). */
  | { readonly outcome: 'down' };

/** The prefixes `address` was sent (its Adj-RIB-Out), as text. */
export function sentPrefixes(speaker: Speaker, address: string): Set<string> {
  return new Set(speaker.adjRibOut(address).map((e) => formatPrefix(e.prefix)));
}

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
 * Resends the Adj-RIB-Out of `address` under the policy now in force. `before` is what it had been sent, taken
 * before the policy changed (`sentPrefixes`). Resolves when the peer has been told everything.
 */
export async function resendAdjRibOut(speaker: Speaker, address: string, before: ReadonlySet<string>, pollMs = 10): Promise<SoftOutResult> {
  if (!established(speaker, address) || !speaker.refreshOut(address)) return { outcome: 'down' };
  await drained(speaker, address, pollMs);
  if (!established(speaker, address)) return { outcome: 'down' };
  const after = sentPrefixes(speaker, address);
  const stale = [...before].filter((p) => !after.has(p));
  if (stale.length === 0) return { outcome: 'refreshed' };
  const n = stale.length;
  await speaker.resetPeer(address, `outbound policy changed: ${n} route${n === 1 ? '' : 's'} no longer sent`);
  return { outcome: 'reset', stale };
}
