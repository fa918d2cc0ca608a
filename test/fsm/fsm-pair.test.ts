// Two FSMs wired to each other through a simulated network with a fake clock: the sans-IO contract exercised end to
// end — establishment, a simultaneous open that both sides must resolve to the same connection (RFC 4271 §6.8),
// a misconfigured peer that must not cause a reconnect storm, and a dead peer caught by the hold timer.
import t from 'tap';
import { PeerFsm, messageEvent, timerExpiredEvent, timerSlot } from '../../lib/fsm/index.js';
import type { FsmAction, FsmEvent, PeerFsmConfig, TimerRef } from '../../lib/fsm/index.js';
import type { BgpMessage } from '../../lib/wire/types.js';

type Name = 'A' | 'B';
interface End {
  side: Name;
  conn: number | undefined;
}
interface Link {
  /** ends[0] initiated the connection. */
  ends: [End, End];
  closed: boolean;
  /** Messages sent by the initiator before the other end accepted. */
  buffered: BgpMessage[];
}

class Net {
  now = 0;
  readonly fsm: Record<Name, PeerFsm>;
  readonly log: string[] = [];
  readonly silent = new Set<Name>();
  /** Sides that stopped reading (their socket's window is closed): nothing sent to them gets through. */
  readonly deaf = new Set<Name>();
  readonly #timers = new Map<string, { side: Name; due: number; ref: TimerRef }>();
  readonly #queue: (() => void)[] = [];
  readonly #links: Link[] = [];

  constructor(a: PeerFsmConfig, b: PeerFsmConfig) {
    // A fixed jitter draw keeps runs reproducible; 0.5 puts every delay at 87.5 % of its nominal value.
    this.fsm = { A: new PeerFsm(a, { random: () => 0.5 }), B: new PeerFsm(b, { random: () => 0.5 }) };
  }

  handle(side: Name, event: FsmEvent): readonly FsmAction[] {
    const actions = this.fsm[side].handle(event);
    this.#apply(side, actions);
    return actions;
  }

  /** Runs queued work and timers until `until` (ms of simulated time). */
  run(until: number): void {
    for (;;) {
      const task = this.#queue.shift();
      if (task) {
        task();
        continue;
      }
      let next: [string, { side: Name; due: number; ref: TimerRef }] | undefined;
      for (const entry of this.#timers) if (!next || entry[1].due < next[1].due) next = entry;
      if (!next || next[1].due > until) {
        this.now = until;
        return;
      }
      this.#timers.delete(next[0]);
      this.now = next[1].due;
      // A deaf side is a broken peer: it does not notice that it reads nothing either.
      if (this.deaf.has(next[1].side) && next[1].ref.name === 'Hold') continue;
      this.handle(next[1].side, timerExpiredEvent(next[1].ref));
    }
  }

  /** The connection of `side` that is Established, and the other side's end of the same link. */
  establishedLink(): { A: number; B: number } | undefined {
    const a = this.fsm.A.snapshot().connections.find((c) => c.state === 'Established');
    const b = this.fsm.B.snapshot().connections.find((c) => c.state === 'Established');
    if (!a || !b) return undefined;
    const link = this.#links.find((l) => l.ends.some((e) => e.side === 'A' && e.conn === a.conn));
    const other = link?.ends.find((e) => e.side === 'B');
    return other?.conn === b.conn ? { A: a.conn, B: b.conn } : undefined;
  }

  #apply(side: Name, actions: readonly FsmAction[]): void {
    const other: Name = side === 'A' ? 'B' : 'A';
    for (const a of actions) {
      switch (a.type) {
        case 'connect': {
          const link: Link = { ends: [{ side, conn: a.conn }, { side: other, conn: undefined }], closed: false, buffered: [] };
          this.#links.push(link);
          this.log.push(`${this.now} ${side} connect ${a.conn}`);
          // Our end completes first; the peer's FSM hears of the connection afterwards, as when SYNs cross.
          this.#queue.push(() => {
            if (link.closed) return;
            this.handle(side, { type: 'Tcp_CR_Acked', conn: a.conn });
            this.#queue.push(() => this.#arrive(link));
          });
          break;
        }
        case 'send-open':
          this.#send(side, a.conn, a.open);
          break;
        case 'send-keepalive':
          this.#send(side, a.conn, { type: 4 });
          break;
        case 'send-notification':
          this.log.push(`${this.now} ${side} notify ${a.error.code}/${a.error.subcode}`);
          this.#send(side, a.conn, { type: 3, code: a.error.code, subcode: a.error.subcode, data: a.error.data });
          break;
        case 'close': {
          const link = this.#link(side, a.conn);
          if (!link || link.closed) break;
          link.closed = true;
          const far = link.ends.find((e) => e.side !== side) as End;
          if (far.conn !== undefined) {
            const conn = far.conn;
            this.#queue.push(() => this.handle(far.side, { type: 'TcpConnectionFails', conn }));
          }
          break;
        }
        case 'start-timer':
          this.#timers.set(`${side}/${timerSlot(a.timer)}`, { side, due: this.now + a.ms, ref: a.timer });
          break;
        case 'stop-timer':
          this.#timers.delete(`${side}/${timerSlot(a.timer)}`);
          break;
        case 'established':
        case 'down':
          this.log.push(`${this.now} ${side} ${a.type} ${a.conn}`);
          break;
        default:
          break;
      }
    }
  }

  /** The connection reaches the far side's listener. */
  #arrive(link: Link): void {
    const [near, far] = link.ends;
    const actions = this.fsm[far.side].handle({ type: 'TcpConnectionConfirmed' });
    const accept = actions.find((a) => a.type === 'accept');
    const reject = actions.find((a) => a.type === 'reject');
    if (accept?.type === 'accept') far.conn = accept.conn;
    this.#apply(far.side, actions);
    const nearConn = near.conn as number;
    if (reject?.type === 'reject') {
      // Refused: the initiator reads the NOTIFICATION, then the connection closes.
      link.closed = true;
      const n = reject.error;
      this.#queue.push(() => this.handle(near.side, messageEvent(nearConn, { type: 3, code: n.code, subcode: n.subcode, data: n.data })));
      this.#queue.push(() => this.handle(near.side, { type: 'TcpConnectionFails', conn: nearConn }));
      return;
    }
    for (const m of link.buffered.splice(0)) this.#deliver(far, m, near.side);
    if (link.closed) {
      const conn = far.conn as number;
      this.#queue.push(() => this.handle(far.side, { type: 'TcpConnectionFails', conn }));
    }
  }

  #send(side: Name, conn: number, message: BgpMessage): void {
    const link = this.#link(side, conn);
    if (!link || link.closed) return;
    const far = link.ends.find((e) => e.side !== side) as End;
    // A deaf side reads nothing: what is sent to it stays queued at the sender, never transmitted (RFC 9687).
    if (this.deaf.has(far.side)) return;
    this.#queue.push(() => {
      if (!link.closed) this.handle(side, { type: 'MessagesTransmitted', conn });
    });
    if (far.conn === undefined) link.buffered.push(message);
    else this.#deliver(far, message, side);
  }

  #deliver(to: End, message: BgpMessage, from: Name): void {
    if (this.silent.has(from)) return;
    const conn = to.conn as number;
    this.#queue.push(() => this.handle(to.side, messageEvent(conn, message)));
  }

  #link(side: Name, conn: number): Link | undefined {
    return this.#links.find((l) => l.ends.some((e) => e.side === side && e.conn === conn));
  }
}

const A: PeerFsmConfig = { localAsn: 65001, routerId: '10.0.0.1', remoteAs: 65002 };
const B: PeerFsmConfig = { localAsn: 65002, routerId: '10.0.0.2', remoteAs: 65001 };

t.test('one side active, the other passive: both Established', async (t) => {
  const net = new Net(A, { ...B, passive: true });
  net.handle('B', { type: 'ManualStart' });
  net.handle('A', { type: 'ManualStart' });
  net.run(1000);
  t.equal(net.fsm.A.state, 'Established');
  t.equal(net.fsm.B.state, 'Established');
  t.ok(net.establishedLink(), 'on the same connection');
  t.equal(net.fsm.A.negotiated?.peerAsn, 65002);
  t.equal(net.fsm.B.negotiated?.peerAsn, 65001);
  net.run(600_000);
  t.equal(net.fsm.A.state, 'Established', 'KEEPALIVEs keep it up for ten minutes');
  t.equal(net.log.filter((l) => l.includes('down')).length, 0);
});

t.test('simultaneous open: both sides keep the connection initiated by the higher identifier', async (t) => {
  for (const [a, b, winner] of [
    [A, B, 'B'],
    [{ ...A, routerId: '10.0.0.9' }, B, 'A'],
  ] as const) {
    const net = new Net(a, b);
    net.handle('A', { type: 'ManualStart' });
    net.handle('B', { type: 'ManualStart' });
    net.run(5000);
    t.equal(net.fsm.A.state, 'Established', `A (${a.routerId})`);
    t.equal(net.fsm.B.state, 'Established', `B (${b.routerId})`);
    const link = net.establishedLink();
    t.ok(link, 'the same connection on both sides');
    t.equal(net.fsm.A.snapshot().connections.length, 1);
    t.equal(net.fsm.B.snapshot().connections.length, 1);
    const survivor = net.fsm[winner].snapshot().connections[0];
    t.equal(survivor?.direction, 'outgoing', `${winner} initiated the surviving connection`);
    t.ok(net.log.some((l) => l.endsWith('notify 6/7')), 'the loser was closed with Cease 6/7');
    t.notOk(net.log.some((l) => l.includes('down')), 'no session went down on the way');
  }
});

t.test('a misconfigured peer (wrong AS) does not cause a reconnect storm', async (t) => {
  const net = new Net(A, { ...B, passive: true, remoteAs: 65099 });
  net.handle('B', { type: 'ManualStart' });
  net.handle('A', { type: 'ManualStart' });
  net.run(600_000);
  const connects = net.log.filter((l) => / A connect /.test(l)).map((l) => Number(l.split(' ')[0]));
  t.ok(net.log.some((l) => l.endsWith('B notify 2/2')), 'B refuses the OPEN with Bad Peer AS');
  t.ok(connects.length >= 6 && connects.length <= 14, `${connects.length} attempts in ten minutes`);
  const gaps = connects.slice(1).map((at, i) => at - (connects[i] as number));
  t.ok(gaps.slice(-3).every((g) => g >= 60_000), `the attempts end up a minute or more apart: ${gaps.join(', ')}`);
  t.equal(net.fsm.A.state === 'Established' || net.fsm.B.state === 'Established', false);
});

t.test('a peer that goes silent is caught by the hold timer (MetalLB issue 777)', async (t) => {
  const net = new Net(A, { ...B, passive: true });
  net.handle('B', { type: 'ManualStart' });
  net.handle('A', { type: 'ManualStart' });
  net.run(100_000);
  t.equal(net.fsm.A.state, 'Established');
  const silentFrom = net.now;
  net.silent.add('B');
  net.run(silentFrom + 200_000);
  const notify = net.log.find((l) => l.includes('A notify 4/0'));
  t.ok(notify, 'A sends Hold Timer Expired');
  const at = Number(notify?.split(' ')[0]);
  // B's last KEEPALIVE went out at most one (jittered) keepalive interval before it fell silent.
  t.ok(at > silentFrom && at <= silentFrom + 90_000, `hold timer fired at +${at - silentFrom} ms`);
  t.ok(net.log.some((l) => l.startsWith(`${at} A down`)), 'and the session is down');
});

t.test('a peer that stops reading but keeps sending KEEPALIVEs is caught by the SendHoldTimer (RFC 9687)', async (t) => {
  const net = new Net(A, { ...B, passive: true });
  net.handle('B', { type: 'ManualStart' });
  net.handle('A', { type: 'ManualStart' });
  net.run(100_000);
  t.equal(net.fsm.A.state, 'Established');
  const deafFrom = net.now;
  net.deaf.add('B');
  net.run(deafFrom + 1_000_000);
  const notify = net.log.find((l) => l.includes('A notify 8/0'));
  t.ok(notify, 'A sends Send Hold Timer Expired');
  const at = Number(notify?.split(' ')[0]);
  // A's last write got through at most one (jittered) keepalive interval before B stopped reading; the default
  // SendHoldTime is 8 minutes (twice the 90 s hold time is less).
  t.ok(at >= deafFrom + 480_000 - 30_000 && at <= deafFrom + 480_000, `send hold timer fired at +${at - deafFrom} ms`);
  const before = net.log.filter((l) => Number(l.split(' ')[0]) < at);
  t.notOk(before.some((l) => l.includes('notify 4/0')), 'until then, B’s KEEPALIVEs kept A’s hold timer from expiring');
  t.ok(net.log.some((l) => l.startsWith(`${at} A down`)), 'and the session is down');
});
