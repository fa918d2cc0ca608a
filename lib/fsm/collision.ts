/**
 * Connection collision resolution (RFC 4271 §6.8, RFC 6286 §2.3): when two transport connections to one peer
 * exist — one we opened, one it opened — which one survives. The loser is closed with Cease / Connection
 * Collision Resolution (RFC 4486 §4, 6/7).
 *
 * "If the value of the local BGP Identifier is less than the remote one, the local system closes the BGP
 * connection that already exists ... and accepts the BGP connection initiated by the remote system. Otherwise, the
 * local system closes the newly created BGP connection" — which, read by who initiated what, keeps the connection
 * initiated by the speaker with the higher BGP Identifier, the identifiers compared as unsigned 32-bit integers in
 * host order. RFC 6286 §2.3 settles equal identifiers (legal between ASes): the connection initiated by the speaker
 * with the larger AS number is kept. An Established connection beats a new one "unless allowed via configuration".
 *
 * The FSM resolves a collision when an OPEN arrives on one connection while the other is past OpenSent — or in
 * OpenSent, since the arriving OPEN already tells us the peer's identifier (§6.8 allows that).
 *
 * Graceful restart changes one case (RFC 4724 §4.2): a new connection from a peer whose Established session
 * negotiated the capability is not a collision but the peer restarting — it lost the old session without our
 * noticing. The old connection is closed without a NOTIFICATION, as a failed transport (so its routes are kept
 * stale), and the new one carries on. `restartReplaces` decides whether that applies. Pure; imports only wire
 * address helpers and FSM types.
 */
import { ipv4ToNumber, parseIPv4 } from '../wire/address.js';
import type { AdvertisedCapabilities } from './config.js';
import type { CloseReason, ConnectionDirection, ConnectionState, Negotiated } from './types.js';

export interface CollisionInput {
  readonly localBgpIdentifier: string;
  readonly remoteBgpIdentifier: string;
  readonly localAsn: number;
  readonly remoteAsn: number;
  /** The connection that was there first. */
  readonly existing: { readonly direction: ConnectionDirection; readonly state: ConnectionState };
  /** The connection whose OPEN just arrived. */
  readonly arriving: { readonly direction: ConnectionDirection };
  /** §6.8's configuration knob: let a new connection compete with an Established one. Default false. */
  readonly collisionWithEstablished?: boolean;
}

/** Which connection to close with Cease 6/7. */
export type CollisionLoser = 'existing' | 'arriving';

/** A dotted-quad BGP Identifier as the unsigned 32-bit number §6.8 compares (0 when it is not one). */
export function bgpIdentifierNumber(text: string): number {
  const bytes = parseIPv4(text);
  return bytes ? ipv4ToNumber(bytes) : 0;
}

/**
 * The direction of the connection that survives a collision between peers with these identifiers and ASNs, or
 * undefined when both are equal (which open-checks.ts never lets happen: equal identifiers are refused on iBGP).
 */
export function survivingDirection(
  localBgpIdentifier: string,
  remoteBgpIdentifier: string,
  localAsn: number,
  remoteAsn: number,
): ConnectionDirection | undefined {
  const local = bgpIdentifierNumber(localBgpIdentifier);
  const remote = bgpIdentifierNumber(remoteBgpIdentifier);
  if (local !== remote) return local > remote ? 'outgoing' : 'incoming';
  // RFC 6286 §2.3: "the connection initiated by the BGP speaker with the larger AS number is preserved."
  if (localAsn !== remoteAsn) return localAsn > remoteAsn ? 'outgoing' : 'incoming';
  return undefined;
}

/** Which of the two connections to dump. */
export function resolveCollision(input: CollisionInput): CollisionLoser {
  const { existing, arriving } = input;
  // §6.8: "a connection collision with an existing BGP connection that is in the Established state causes closing
  // of the newly created connection" unless configured otherwise.
  if (existing.state === 'Established' && !input.collisionWithEstablished) return 'arriving';
  // Two connections the peer opened: it has given up on the older one (a peer keeps one attempt at a time).
  if (existing.direction === arriving.direction) return 'existing';
  const survivor = survivingDirection(
    input.localBgpIdentifier,
    input.remoteBgpIdentifier,
    input.localAsn,
    input.remoteAsn,
  );
  if (survivor === undefined) return 'arriving';
  return survivor === existing.direction ? 'arriving' : 'existing';
}

/**
 * RFC 4724 §4.2: a peer that restarts faster than we notice connects again while we still consider the old session
 * Established. True when graceful restart was negotiated on that session (we advertised the capability, `local`,
 * and the peer did, in `established`): the new connection is then the peer back from a restart, and replaces the
 * old session rather than colliding with it.
 */
export function restartReplaces(
  local: AdvertisedCapabilities['gracefulRestart'],
  established: Negotiated | undefined,
): boolean {
  return local !== undefined && established?.gracefulRestart !== undefined;
}

/**
 * How the session replaced under RFC 4724 §4.2 ends: a transport-kind close — no NOTIFICATION is sent, and the
 * speaker keeps the peer's routes stale as for any other failed transport.
 */
export const REPLACED_BY_RESTART: CloseReason = Object.freeze({
  kind: 'tcp-failure',
  detail: 'replaced by a new connection (RFC 4724 §4.2)',
});
