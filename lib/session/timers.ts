/**
 * The session layer's table of running FSM timers, as deadlines.
 *
 * RFC 4271 §8.2.2 restarts the HoldTimer on every UPDATE and KEEPALIVE received, RFC 9687 the SendHoldTimer on
 * every write the kernel takes: during a full table that is hundreds of thousands of restarts a second of timers
 * that almost never fire. Cancelling and re-creating a `setTimeout` for each would put a timer object, a closure and
 * a timer-list operation on every message. Here a restart only moves the entry's deadline; the one underlying timer
 * keeps its time, and when it fires before the deadline it re-arms itself for what is left. Only a deadline that
 * moves earlier (the KeepaliveTimer, whose jitter is drawn anew each time, RFC 4271 §10) re-arms at once.
 *
 * Timers are keyed by the small integers of `timerSlot` (lib/fsm/types.ts). An entry that fired stays in the table,
 * "due", until the owner stops it: that is what lets the owner wait a little before acting on an expiry and still
 * see a restart that came in meanwhile (see the hold timer in peer-session.ts). Works on any `Clock`, FakeClock
 * included: nothing here reads time except through it.
 */
import type { Clock, TimerHandle } from './clock.js';

class Entry<T> {
  /** When the timer is due, in the clock's milliseconds. */
  deadline = 0;
  /** When the underlying timer fires; meaningful while `handle` is set. */
  firesAt = 0;
  handle: TimerHandle | undefined = undefined;
  /** Bound once per entry, so that arming allocates nothing of ours. */
  readonly fire: () => void;

  constructor(
    readonly slot: number,
    public ref: T,
    table: TimerTable<T>,
  ) {
    this.fire = () => table.fired(this);
  }
}

export class TimerTable<T> {
  readonly #entries = new Map<number, Entry<T>>();

  /** `onDue` runs when a timer's deadline passes; the entry stays due until `stop`ped or restarted. */
  constructor(
    private readonly clock: Clock,
    private readonly onDue: (ref: T, slot: number) => void,
  ) {}

  /** Starts, or restarts, the timer `slot` to be due `ms` from now; `ref` is handed back to `onDue`. */
  start(slot: number, ms: number, ref: T): void {
    const deadline = this.clock.now() + ms;
    let e = this.#entries.get(slot);
    if (e === undefined) {
      e = new Entry(slot, ref, this);
      this.#entries.set(slot, e);
    } else {
      e.ref = ref;
    }
    e.deadline = deadline;
    if (e.handle !== undefined) {
      if (e.firesAt <= deadline) return; // it will fire first and re-arm for the rest
      e.handle.cancel();
    }
    this.#arm(e, ms);
  }

  /** Stops the timer `slot` (running or due); stopping a timer that is not there is a no-op. */
  stop(slot: number): void {
    const e = this.#entries.get(slot);
    if (e === undefined) return;
    e.handle?.cancel();
    this.#entries.delete(slot);
  }

  stopAll(): void {
    for (const e of this.#entries.values()) e.handle?.cancel();
    this.#entries.clear();
  }

  /** The timer `slot` fired and has been neither restarted nor stopped since. */
  isDue(slot: number): boolean {
    const e = this.#entries.get(slot);
    return e !== undefined && e.handle === undefined;
  }

  /** Running or due. */
  has(slot: number): boolean {
    return this.#entries.has(slot);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** @internal The underlying timer of `e` fired. */
  fired(e: Entry<T>): void {
    if (this.#entries.get(e.slot) !== e) return; // stopped (and perhaps started anew) after this timer was set
    e.handle = undefined;
    const left = e.deadline - this.clock.now();
    if (left > 0) {
      // Restarted since it was armed: wait out the rest.
      this.#arm(e, Math.ceil(left));
      return;
    }
    this.onDue(e.ref, e.slot);
  }

  #arm(e: Entry<T>, ms: number): void {
    e.firesAt = e.deadline;
    e.handle = this.clock.setTimer(ms, e.fire);
  }
}
