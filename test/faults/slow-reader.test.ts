// A peer that stops reading while we send it a big table. Its TCP window closes and our writes back up; the
// speaker must stop pumping UPDATEs into that socket (backpressure), so that what it holds for the peer stays
// bounded instead of growing with the table, and its other sessions must not notice. The stuck session ends when
// the peer also stops sending (hold timer, 4/0). A peer that stops reading but keeps sending KEEPALIVEs is the
// case RFC 9687 (Send Hold Timer) exists for: the second test.
import t from 'tap';
import { lab, RAW, sleep, waitUntil } from '../helpers/raw-peer.js';

/**
 * Routes with distinct MEDs, so each needs an UPDATE of its own, and 32 communities each: about 190 octets on the
 * wire per route, 7.6 MB in all — more than loopback TCP buffers hold (4 MiB send buffer at most, and the receive
 * window of a peer that never reads stays at its initial 128 KiB).
 */
const TABLE = 40_000;
const COMMUNITIES = Array.from({ length: 32 }, (_, i) => `65001:${i}`);
const prefix = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`;

t.test('a peer that stops reading: bounded queue, other sessions unaffected, reset when it goes silent', async (t) => {
  const L = await lab(t);
  for (let i = 0; i < TABLE; i++) L.A.announce(prefix(i), { med: i, communities: COMMUNITIES });
  await waitUntil('the table at B', () => L.B.peer('127.0.0.1')?.prefixes.received === TABLE, 60_000);

  const p = await L.connect();
  t.teardown(() => p.socket.destroy());
  await p.establish({ ...RAW, holdTime: 3 });
  p.stopReading();
  p.startKeepalives(1000);
  await waitUntil('Established at A', () => L.A.peer(RAW.address)?.state === 'Established');
  const sent = (): number => L.A.peer(RAW.address)?.messages.sent.update ?? 0;
  // Wait for the stall: the speaker stops handing UPDATEs to the socket once the peer's window and our buffers fill.
  let last = -1;
  for (let still = 0; still < 4; ) {
    await sleep(250);
    const now = sent();
    still = now === last ? still + 1 : 0;
    last = now;
  }
  const stalledAt = sent();
  t.ok(stalledAt < TABLE, `stalled after ${stalledAt} of ${TABLE} UPDATEs`);
  const memory = process.memoryUsage();
  await sleep(2000);
  t.equal(sent(), stalledAt, 'no more UPDATEs queued while the peer does not read');
  const growth = process.memoryUsage().arrayBuffers - memory.arrayBuffers;
  t.ok(growth < 8 * 1024 * 1024, `buffers grew by ${Math.round(growth / 1024)} KiB while stuck`);
  t.equal(L.A.peer(RAW.address)?.state, 'Established', 'its KEEPALIVEs keep the session up');

  // Other sessions: B keeps up with changes as usual.
  L.A.announce('192.0.2.0/24');
  await waitUntil('a new route at B while the peer is stuck', () => L.B.routes('192.0.2.0/24')[0], 3000);
  t.ok(L.abUp(), 'A–B Established');

  // The peer goes silent too: the hold timer ends the stuck session.
  p.stopKeepalives();
  await waitUntil('the stuck session reset', () => L.A.peer(RAW.address)?.state !== 'Established', 8000);
  t.match(L.A.peer(RAW.address)?.lastNotificationSent, { code: 4, subcode: 0 }, 'Hold Timer Expired');
  t.ok(L.abUp(), 'A–B still Established');
});

// The Speaker-level view of RFC 9687 (the SendHoldTimer itself is in the FSM and the session, tested over real
// sockets in send-hold-timer.test.ts): a configured `sendHoldTime` reaches the session.
const shortSendHold = { holdTime: 3, sendHoldTime: 6 };

t.test(
  'a peer that stops reading but keeps sending KEEPALIVEs is reset with Send Hold Timer Expired (RFC 9687)',
  async (t) => {
    const L = await lab(t, shortSendHold);
    for (let i = 0; i < TABLE; i++) L.A.announce(prefix(i), { med: i, communities: COMMUNITIES });
    const p = await L.connect();
    t.teardown(() => p.socket.destroy());
    await p.establish({ ...RAW, holdTime: 3 });
    p.stopReading();
    p.startKeepalives(1000);
    await waitUntil('Established at A', () => L.A.peer(RAW.address)?.state === 'Established');
    // The KEEPALIVEs keep the hold timer (3 s) satisfied; once the UPDATEs stall, nothing reaches the peer, and after
    // the send hold time (6 s) the session must go — with 8/0, not 4/0.
    await waitUntil('the stuck session reset', () => L.A.peer(RAW.address)?.state !== 'Established', 20_000);
    t.match(L.A.peer(RAW.address)?.lastNotificationSent, { code: 8, subcode: 0 }, 'Send Hold Timer Expired');
    L.A.announce('192.0.2.0/24');
    await waitUntil('a new route at B after the reset', () => L.B.routes('192.0.2.0/24')[0], 3000);
    t.ok(L.abUp(), 'A–B still Established');
  },
);
