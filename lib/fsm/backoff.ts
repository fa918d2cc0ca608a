/**
 * Retry delays: exponential backoff with RFC 4271 §10 jitter, as pure functions of an attempt number and an
 * injected random source (tests pass a fixed one; the speaker passes Math.random).
 *
 * Two delays use it. ConnectRetry — the interval between our TCP connection attempts — starts at one second and
 * doubles up to ConnectRetryTime (120 s), MetalLB's 1, 2, 4 … 120 s but jittered. IdleHold — RFC 4271 §8.1.1's
 * DampPeerOscillations — delays the automatic restart after a session failed (an OPEN refused, a NOTIFICATION, a
 * hold timer expiry), doubling per failure, so a peer that is misconfigured never turns into a tight reconnect
 * loop. Both start over once a session has stayed Established for a while (the FSM's IdleHoldReset timer).
 *
 * RFC 4271 §10: "the base value ... multiplied by a random value within the range 0.75 to 1.0 ... A new random
 * value SHOULD be picked each time the timer is set." Imports nothing.
 */

/** A source of numbers in [0, 1), like Math.random. */
export type RandomSource = () => number;

export interface BackoffPolicy {
  /** Delay of attempt 0, before jitter. */
  readonly initialMs: number;
  /** Ceiling of the doubling, before jitter. */
  readonly maxMs: number;
}

/** RFC 4271 §10: the jitter factor's range. */
export const JITTER_MIN = 0.75;
export const JITTER_MAX = 1;

/** `ms` scaled by a factor in [0.75, 1.0] drawn from `random` (a broken source counts as no jitter). */
export function jitter(ms: number, random: RandomSource): number {
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 1;
  return Math.round(ms * (JITTER_MIN + (JITTER_MAX - JITTER_MIN) * unit));
}

/** The undithered delay of attempt `attempt` (0-based): initial · 2^attempt, capped at the policy's maximum. */
export function nominalDelay(policy: BackoffPolicy, attempt: number): number {
  // Past 2^40 the cap has long been reached; bounding the exponent keeps the arithmetic finite.
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 40);
  return Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
}

/** The jittered delay of attempt `attempt`. */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: RandomSource): number {
  return jitter(nominalDelay(policy, attempt), random);
}
