/**
 * The receiving speaker of RFC 4724 §4.2 ("helper"), for the Speaker: per peer, the Restart Time that runs while a
 * restarting peer is away with its routes kept stale, and the stale-path time that bounds the wait for its
 * End-of-RIB once it is back. The decisions are `graceful-restart.ts`'s, the stale marking the RIB's; this class
 * holds the timers and makes the RIB calls at the right moments:
 *
 * - `sessionDown`: the session ended; keeps the peer's routes stale when graceful restart applies (and tells the
 *   caller so: the peer stays in the RIB), else leaves them to the caller to remove.
 * - `sessionUp`: the session is back; drops the stale routes of families the new OPEN does not preserve, and starts
 *   the stale-path timer for the rest.
 * - `endOfRib`: the RIB dropped a family's remaining stale routes; once none are left the timer stops.
 * - `forget`: the peer is going away (removed, shut down, the speaker stopping): no timer may fire for it.
 */
import type { AdvertisedCapabilities, CloseReason, Negotiated } from '../fsm/index.js';
import type { Rib } from '../rib/index.js';
import type { Clock, Logger, TimerHandle } from '../session/index.js';
import { retainOnClose, staleToDropOnReturn } from './graceful-restart.js';

interface Timers {
  restart?: TimerHandle;
  stale?: TimerHandle;
}

export class RestartHelper {
  private readonly timers = new Map<string, Timers>();

  /** `stalePathTime`: seconds a returned peer's stale routes wait for its End-of-RIB. */
  constructor(
    private readonly rib: Rib,
    private readonly clock: Clock,
    private readonly stalePathTime: number,
  ) {}

  /**
   * The session of `address` (in the RIB) ended for `close`. True when its routes are now kept stale, for the
   * peer's Restart Time; false when graceful restart does not apply — the caller removes the peer's routes.
   */
  sessionDown(
    address: string,
    local: AdvertisedCapabilities['gracefulRestart'],
    negotiated: Negotiated | undefined,
    close: CloseReason,
    log: Logger,
  ): boolean {
    this.forget(address);
    const retain = retainOnClose(local, negotiated, close);
    if (retain.families.length === 0) return false;
    this.rib.peerDown(address, retain.families);
    const stale = this.rib.staleCount(address);
    log.info({ event: 'graceful-restart-helper', stale, restartTime: retain.restartTime }, `peer restarting: keeping ${stale} routes stale for up to ${retain.restartTime}s`);
    this.set(address, 'restart', retain.restartTime, () => {
      if (this.rib.isUp(address)) return;
      const dropped = this.rib.dropStale(address);
      log.warn({ event: 'graceful-restart-timeout', dropped }, `peer not back within its restart time: ${dropped} stale routes dropped`);
    });
    return true;
  }

  /**
   * The peer's session is Established again, before `Rib.peerUp`: the families whose stale routes the new OPEN does
   * not preserve are dropped now (RFC 4724 §4.2). Returns how many stale routes remain.
   */
  sessionReturning(address: string, negotiated: Negotiated, log: Logger): number {
    this.forget(address);
    const stale = this.rib.staleFamilies(address);
    for (const f of staleToDropOnReturn(stale, negotiated)) {
      const dropped = this.rib.dropStale(address, f);
      log.info({ event: 'graceful-restart-not-preserved', family: f, dropped }, `the peer no longer preserves family ${f}: ${dropped} stale routes dropped`);
    }
    return this.rib.staleCount(address);
  }

  /** After `Rib.peerUp`: what is still stale waits for End-of-RIB, at most `stalePathTime`. */
  sessionUp(address: string, log: Logger): void {
    const remaining = this.rib.staleCount(address);
    if (remaining === 0) return;
    log.info({ event: 'graceful-restart-returned', stale: remaining }, `peer back from a restart: ${remaining} stale routes wait for End-of-RIB`);
    this.set(address, 'stale', this.stalePathTime, () => {
      const dropped = this.rib.dropStale(address);
      log.warn({ event: 'graceful-restart-stale-timeout', dropped }, `no End-of-RIB after ${this.stalePathTime}s: ${dropped} stale routes dropped`);
    });
  }

  /** End-of-RIB from the peer (the RIB already dropped that family's stale routes). */
  endOfRib(address: string, staleRemaining: number): void {
    if (staleRemaining === 0) this.forget(address);
  }

  /** Cancels the peer's timers. */
  forget(address: string): void {
    const t = this.timers.get(address);
    if (t === undefined) return;
    t.restart?.cancel();
    t.stale?.cancel();
    this.timers.delete(address);
  }

  private set(address: string, which: keyof Timers, seconds: number, fire: () => void): void {
    let t = this.timers.get(address);
    if (t === undefined) this.timers.set(address, (t = {}));
    const entry = t;
    entry[which] = this.clock.setTimer(seconds * 1000, () => {
      delete entry[which];
      if (entry.restart === undefined && entry.stale === undefined && this.timers.get(address) === entry) this.timers.delete(address);
      fire();
    });
  }
}
