/**
 * The RIB → session pump: moves the UPDATEs the RIB has queued for a peer (its Adj-RIB-Out changes, RFC 4271
 * §9.2) onto that peer's session. A bounded number of batches per event-loop turn, and only while the socket takes
 * more (backpressure): one slow peer never holds up the others or the timers. It also measures UPDATE propagation
 * latency (the `updatesPropagated` event): from the first change queued for a peer until its queue is drained onto
 * the session, except for bursts that send the whole table (session start, route refresh).
 *
 * The state it keeps per peer lives on the `PeerEntry` (`pumping`, `waitingForDrain`, `pendingSince`, `dumping`),
 * so that the hot path is field reads, not map lookups.
 */
import type { EventEmitter } from 'node:events';
import type { RefreshOutScope, Rib } from '../rib/index.js';
import type { Clock } from '../session/index.js';
import type { SpeakerEvents } from './types.js';
import type { PeerEntry } from './peer-entry.js';

/** Octets of UPDATEs flushed per batch (one socket write), and batches per event-loop turn. */
const FLUSH_BYTES = 64 * 1024;
const FLUSH_BATCHES_PER_TURN = 8;

export class UpdatePump {
  constructor(
    private readonly rib: Rib,
    private readonly peers: ReadonlyMap<string, PeerEntry>,
    private readonly clock: Clock,
    private readonly events: EventEmitter<SpeakerEvents>,
  ) {}

  /** The RIB queued changes for peer `id` (its `outbound` event): the burst's latency starts now, if not before. */
  outbound(id: string): void {
    const e = this.peers.get(id);
    if (!e) return;
    if (e.pendingSince === undefined) e.pendingSince = this.clock.now();
    this.schedule(id);
  }

  /** The session's socket has room again (its `writable` event). */
  writable(e: PeerEntry): void {
    if (e.waitingForDrain) {
      e.waitingForDrain = false;
      this.schedule(e.config.address);
    }
  }

  /** The session is Established, before the peer joins the RIB: the socket is new, and the first burst is the table. */
  sessionUp(e: PeerEntry): void {
    e.waitingForDrain = false;
    e.dumping = true;
  }

  /** The session is gone: what was queued for it will not be sent, so no latency is measured for it. */
  sessionDown(e: PeerEntry): void {
    e.waitingForDrain = false;
    e.pendingSince = undefined;
    e.dumping = false;
  }

  /** Sends the peer our whole Adj-RIB-Out again (RFC 2918 route refresh, `clear bgp soft out`): a table, not a latency. */
  resendTable(e: PeerEntry, scope: RefreshOutScope = 'adj-rib-out'): void {
    e.dumping = true;
    this.rib.refreshOut(e.config.address, scope);
  }

  private schedule(id: string): void {
    const e = this.peers.get(id);
    if (!e || e.pumping || e.waitingForDrain) return;
    e.pumping = true;
    setImmediate(() => this.pump(e));
  }

  /** Moves UPDATEs from the RIB to the socket: bounded per turn, paused while the socket is full. */
  private pump(e: PeerEntry): void {
    e.pumping = false;
    const id = e.config.address;
    if (!e.inRib) return;
    for (let batch = 0; batch < FLUSH_BATCHES_PER_TURN; batch++) {
      if (!this.rib.hasPending(id)) return this.drained(e);
      // UPDATEs laid end to end: one write per batch rather than one per message (a syscall each).
      const out = this.rib.flushBatch(id, { maxBytes: FLUSH_BYTES });
      if (out === null) continue; // a step of the initial dump that had nothing to send
      if (!e.session.sendUpdateBatch(out.bytes, out.messages)) {
        e.waitingForDrain = true;
        return;
      }
    }
    if (this.rib.hasPending(id)) this.schedule(id);
    else this.drained(e);
  }

  /** The peer's queue is empty: the burst that began at `pendingSince` has reached the session. */
  private drained(e: PeerEntry): void {
    const since = e.pendingSince;
    e.pendingSince = undefined;
    if (e.dumping) e.dumping = false;
    else if (since !== undefined) this.events.emit('updatesPropagated', e.config.address, (this.clock.now() - since) / 1000);
  }
}
