/**
 * The RFC 4271 §8 finite state machine, pure: events in, actions out (see types.ts for the contract with the
 * session layer), with OPEN checking (§6.2), capability negotiation, connection collision resolution (§6.8; a
 * graceful restart instead, RFC 4724 §4.2) and reconnect backoff. Imports only lib/wire.
 */
export { PeerFsm } from './peer-fsm.js';
export type { ConnectionInfo, FsmSnapshot, PeerFsmOptions } from './peer-fsm.js';
export type {
  CloseReason,
  ConnectionDirection,
  ConnectionState,
  ConnectionTimerName,
  FamilyRef,
  FsmAction,
  FsmActionType,
  FsmEvent,
  FsmEventType,
  FsmState,
  Negotiated,
  PeerGracefulRestart,
  PeerLongLivedGracefulRestart,
  PeerTimerName,
  TimerRef,
} from './types.js';
export { timerExpiredEvent, timerSlot } from './types.js';
export { decodeErrorEvent, messageEvent } from './events.js';
export { DEFAULTS, resolveConfig } from './config.js';
export type { AdvertisedCapabilities, PeerFsmConfig, RemoteAs, ResolvedFsmConfig } from './config.js';
export { buildLocalOpen, localOpenFor } from './local-open.js';
export { checkOpen, remoteAsMatches } from './open-checks.js';
export { announcedFamilies, negotiate, negotiateHoldTime } from './negotiate.js';
export { REPLACED_BY_RESTART, bgpIdentifierNumber, resolveCollision, restartReplaces, survivingDirection } from './collision.js';
export type { CollisionInput, CollisionLoser } from './collision.js';
export { JITTER_MAX, JITTER_MIN, backoffDelay, jitter, nominalDelay } from './backoff.js';
export type { BackoffPolicy, RandomSource } from './backoff.js';
