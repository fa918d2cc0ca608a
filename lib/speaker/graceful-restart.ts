/**
 * Graceful restart (RFC 4724, with RFC 8538's NOTIFICATION extension): the decisions the speaker takes about a
 * peer's routes when its session ends and when it comes back, as pure functions of what the two OPENs said and why
 * the session closed. The timers and the RIB calls are `restart-helper.ts`'s; the stale marking is the RIB's.
 *
 * Receiving speaker (§4.2): when the session of a peer that advertised the capability ends — the transport failed,
 * or the hold timer expired — its routes of the families it listed are kept, marked stale, for its Restart Time. A
 * peer back before we noticed (a new connection while its session still looked Established) reaches here the same
 * way: the FSM closes the old session as a transport failure, "replaced by a new connection" (lib/fsm/collision.ts).
 * RFC 8538 §4: when both sides set the N bit, a NOTIFICATION (sent or received) ends the session gracefully too,
 * except Cease / Hard Reset (6/9), which asks for the routes to go. A speaker that did not advertise the capability
 * itself is not a receiving speaker (the peer would not expect it to keep anything), and a session we end on
 * purpose (shutdown, reset, removal) keeps nothing: `Speaker` then sends Hard Reset when the N bit was exchanged, so
 * that the peer drops ours as well.
 *
 * When the session comes back (§4.2): a family whose stale routes the new OPEN no longer covers — no capability, the
 * family absent, or its Forwarding State (F) bit clear — is dropped at once; the others wait for End-of-RIB.
 */
import type { AdvertisedCapabilities, CloseReason, Negotiated } from '../fsm/index.js';
import { CeaseError, ErrorCode, errors, familyKey, type BgpError } from '../wire/index.js';

/** FRR's `bgp graceful-restart stalepath-time` default: how long stale routes wait for End-of-RIB once the peer is back. */
export const DEFAULT_STALE_PATH_TIME = 360;

type LocalGracefulRestart = AdvertisedCapabilities['gracefulRestart'];

/** Both sides set the N bit (RFC 8538 §2): NOTIFICATIONs other than Hard Reset keep the routes too. */
export function notificationNegotiated(local: LocalGracefulRestart, n: Negotiated | undefined): boolean {
  return local?.notification === true && n?.gracefulRestart?.notification === true;
}

/**
 * The families (familyKey) whose routes to keep stale after the session closed for `close`, and for how long
 * (the peer's Restart Time, seconds); none when graceful restart does not apply.
 */
export function retainOnClose(
  local: LocalGracefulRestart,
  n: Negotiated | undefined,
  close: CloseReason,
): { families: number[]; restartTime: number } {
  const none = { families: [], restartTime: 0 };
  const peer = n?.gracefulRestart;
  if (local === undefined || n === undefined || peer === undefined || peer.restartTime === 0) return none;
  switch (close.kind) {
    case 'tcp-failure':
      break;
    case 'notification-sent':
    case 'notification-received': {
      const code = close.kind === 'notification-sent' ? close.error.code : close.notification.code;
      const subcode = close.kind === 'notification-sent' ? close.error.subcode : close.notification.subcode;
      // The hold timer expiring is a dead peer, as a failed transport is; anything else needs RFC 8538.
      const holdTimerExpired = close.kind === 'notification-sent' && code === ErrorCode.HoldTimerExpired;
      if (!holdTimerExpired && !notificationNegotiated(local, n)) return none;
      if (code === ErrorCode.Cease && subcode === CeaseError.HardReset) return none;
      break;
    }
    case 'connect-abandoned':
      return none;
  }
  const negotiated = new Set(n.families);
  const families = peer.families.map((f) => familyKey(f.afi, f.safi)).filter((k) => negotiated.has(k));
  return { families: [...new Set(families)], restartTime: peer.restartTime };
}

/**
 * Of the families whose routes are stale, those the new session does not preserve (RFC 4724 §4.2: no capability,
 * the family not listed, or its F bit clear): their stale routes go at once.
 */
export function staleToDropOnReturn(staleFamilies: readonly number[], n: Negotiated): number[] {
  const preserved = new Set<number>();
  for (const f of n.gracefulRestart?.families ?? []) if (f.forwardingPreserved) preserved.add(familyKey(f.afi, f.safi));
  return staleFamilies.filter((f) => !preserved.has(f) || !n.families.includes(f));
}

/**
 * The Cease for ending a session on purpose: as given, or — when the N bit was exchanged — wrapped in Hard Reset
 * (RFC 8538 §3: its data is the inner code, subcode and data), so that the peer drops our routes rather than keep
 * them stale.
 */
export function purposefulCease(local: LocalGracefulRestart, n: Negotiated | undefined, error: BgpError): BgpError {
  if (!notificationNegotiated(local, n)) return error;
  const data = new Uint8Array(2 + error.data.length);
  data[0] = error.code;
  data[1] = error.subcode;
  data.set(error.data, 2);
  return errors.cease(CeaseError.HardReset, data);
}
