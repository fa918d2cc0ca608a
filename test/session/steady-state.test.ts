// A PeerSession on a FakeClock, over a real loopback socket to a raw peer: the Established steady state. Every
// UPDATE restarts the hold timer (RFC 4271 §8.2.2) without creating a timer, each UPDATE reaches `rawUpdate` as
// itself although one event object carries them all, and the hold timer still expires exactly one hold time after
// the last message.
import t from 'tap';
import { FakeClock } from '../../lib/session/clock.js';
import { PeerSession } from '../../lib/session/index.js';
import { HEADER_LENGTH, decodeUpdate, type UpdateMessage } from '../../lib/wire/index.js';
import { RAW, RawListener, announce, sleep, waitUntil } from '../helpers/raw-peer.js';

/** What a helper needs of a test: somewhere to register cleanup. */
type Teardown = { teardown(fn: () => unknown): void };

async function established(t: Teardown, clock: FakeClock): Promise<{ session: PeerSession; peer: Awaited<ReturnType<RawListener['next']>> }> {
  const listener = new RawListener();
  const port = await listener.listen('127.0.0.1');
  const session = new PeerSession({
    address: '127.0.0.1',
    port,
    fsm: { localAsn: 65001, routerId: '10.0.0.1', remoteAs: RAW.asn, holdTime: 3 },
    clock,
    random: () => 1,
  });
  t.teardown(async () => {
    await session.stop();
    await listener.close();
  });
  session.start();
  const peer = await listener.next();
  await peer.establish({ ...RAW, holdTime: 3 });
  await waitUntil('Established', () => session.state === 'Established');
  return { session, peer };
}

const prefixOf = (u: UpdateMessage): string => {
  const p = u.nlri[0];
  return p ? `${p.address}/${p.length}` : '';
};

t.test('UPDATEs restart the hold timer without new timers, and each reaches rawUpdate intact', async (t) => {
  const clock = new FakeClock();
  const { session, peer } = await established(t, clock);
  const timersBefore = clock.pending;
  t.equal(timersBefore, 3 + 1, 'Hold, Keepalive, SendHold; IdleHoldReset');

  const seen: string[] = [];
  session.on('rawUpdate', (message, ctx) => seen.push(prefixOf(decodeUpdate(message.subarray(HEADER_LENGTH), ctx))));
  const N = 3000;
  const sent: string[] = [];
  for (let i = 0; i < N; i++) {
    const prefix = `10.${(i >> 8) & 255}.${i & 255}.0/24`;
    sent.push(prefix);
    peer.sendMessage(announce([prefix]));
  }
  await waitUntil('every UPDATE', () => seen.length === N);
  t.strictSame(seen, sent, 'in order, each its own message');
  t.equal(session.counters.received.update, N);
  t.equal(clock.pending, timersBefore, 'no timer created by the restarts');
});

t.test('the hold timer expires one hold time after the last UPDATE, not after the first', async (t) => {
  const clock = new FakeClock();
  const { session, peer } = await established(t, clock);
  clock.advance(2000);
  peer.sendMessage(announce(['192.0.2.0/24']));
  await waitUntil('the UPDATE', () => session.counters.received.update === 1);
  clock.advance(2999); // 4999: past the hold time counted from the peer's KEEPALIVE (3000)
  await sleep(20); // the expiry waits one poll phase (peer-session.ts)
  t.equal(session.state, 'Established', 'restarted by the UPDATE at 2000');
  clock.advance(1);
  const n = await peer.notification();
  t.match(n, { code: 4, subcode: 0 }, 'Hold Timer Expired at 5000');
  t.equal(session.state, 'Idle');
});

t.test('the session stops every timer when stopped', async (t) => {
  const clock = new FakeClock();
  const { session } = await established(t, clock);
  await session.stop();
  t.equal(clock.pending, 0);
});
