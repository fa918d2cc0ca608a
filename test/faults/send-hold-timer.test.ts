// RFC 9687, over real loopback sockets: a peer that stops reading but keeps sending KEEPALIVEs — its hold timer is
// satisfied for ever, so only the SendHoldTimer can end the session. Our writes back up (the peer's receive window
// and our socket buffers fill); nothing reaches the kernel for SendHoldTime, and the session is closed with Send
// Hold Timer Expired (8/0). A second session in the same process, to a peer that reads, carries on unaffected.
import t from 'tap';
import { PeerSession } from '../../lib/session/index.js';
import { encodeMessage, createContext } from '../../lib/wire/index.js';
import { RAW, RawListener, announce, sleep, waitUntil } from '../helpers/raw-peer.js';

/** What a helper needs of a test: somewhere to register cleanup. */
type Teardown = { teardown(fn: () => unknown): void };

/**
 * UPDATEs laid end to end, 64 KiB as the Speaker's pump hands `sendUpdateBatch`. Each carries a 3900-octet optional
 * transitive attribute of an unassigned type, so that a peer reading them has few messages to decode.
 */
function batch(): { bytes: Uint8Array; count: number } {
  const base = announce(['198.51.100.0/24']);
  const filler = { kind: 'unknown', typeCode: 254, flags: 0xc0, value: new Uint8Array(3900) } as const;
  const one = encodeMessage({ ...base, attributes: [...base.attributes, filler] }, createContext({ fourOctetAs: true }));
  const count = Math.floor((64 << 10) / one.length);
  const bytes = new Uint8Array(count * one.length);
  for (let i = 0; i < count; i++) bytes.set(one, i * one.length);
  return { bytes, count };
}

/** Sends up to `total` octets of UPDATEs as the Speaker does: batch after batch, waiting for `writable` when told. */
function pump(s: PeerSession, total: number): { readonly sent: () => number; readonly stop: () => void } {
  const { bytes, count } = batch();
  let sent = 0;
  const go = (): void => {
    while (sent < total) {
      sent += bytes.length;
      if (!s.sendUpdateBatch(bytes, count)) return;
    }
  };
  s.on('writable', go);
  go();
  return { sent: () => sent, stop: () => s.off('writable', go) };
}

async function session(t: Teardown, sendHoldTime: number): Promise<{ s: PeerSession; peer: Awaited<ReturnType<RawListener['next']>> }> {
  const listener = new RawListener();
  const port = await listener.listen('127.0.0.1');
  const s = new PeerSession({
    address: '127.0.0.1',
    port,
    fsm: { localAsn: 65001, routerId: '10.0.0.1', remoteAs: RAW.asn, holdTime: 3, sendHoldTime },
  });
  t.teardown(async () => {
    await s.stop();
    await listener.close();
  });
  s.start();
  const peer = await listener.next();
  t.teardown(() => peer.socket.destroy());
  await peer.establish({ ...RAW, holdTime: 3 });
  await waitUntil('Established', () => s.state === 'Established');
  return { s, peer };
}

t.test('a peer that stops reading but keeps sending KEEPALIVEs is reset with 8/0 after SendHoldTime', async (t) => {
  const stuck = await session(t, 4);
  const healthy = await session(t, 4);
  stuck.peer.stopReading();
  stuck.peer.startKeepalives(1000);
  healthy.peer.startKeepalives(1000);
  const sentNotifications: number[] = [];
  stuck.s.on('notificationSent', (e) => sentNotifications.push(e.code));

  // Fill everything between us and the stuck peer, as the Speaker would: until the socket stops taking more.
  const flood = pump(stuck.s, 64 << 20);
  t.teardown(flood.stop);
  let last = -1;
  for (let still = 0; still < 3; ) {
    await sleep(100);
    still = flood.sent() === last ? still + 1 : 0;
    last = flood.sent();
  }
  const stalledAt = Date.now();
  t.ok(stuck.s.queuedBytes > 0 && flood.sent() < 64 << 20, `stalled after ${Math.round(flood.sent() / 1048576)} MiB`);

  // Its KEEPALIVEs keep the hold timer (3 s) running well past it; the SendHoldTimer (4 s) ends the session.
  await sleep(3500);
  t.equal(stuck.s.state, 'Established', 'up after more than the hold time: the peer is still talking');
  await waitUntil('the stuck session reset', () => stuck.s.state !== 'Established', 8000);
  const waited = Date.now() - stalledAt;
  t.ok(waited >= 3000 && waited < 8000, `reset ${waited} ms after the writes stalled (SendHoldTime 4 s)`);
  t.strictSame(sentNotifications, [8], 'Send Hold Timer Expired, nothing else');
  t.match(stuck.s.counters.lastNotificationSent, { code: 8, subcode: 0, name: 'Send Hold Timer Expired / Unspecific' });
  t.match(stuck.s.counters.lastDownReason, /Send Hold Timer Expired/);
  t.equal(stuck.s.queuedBytes, 0, 'the queue went with the connection');
  await stuck.peer.closed(5000);
  t.pass('the connection is closed');

  // The other session never noticed, and still works both ways.
  t.equal(healthy.s.state, 'Established');
  t.equal(healthy.s.counters.flaps, 0);
  const updates = healthy.s.counters.received.update;
  healthy.peer.sendMessage(announce(['192.0.2.0/24']));
  await waitUntil('an UPDATE on the healthy session', () => healthy.s.counters.received.update === updates + 1);
  const before = healthy.peer.count(2);
  const { bytes, count } = batch();
  healthy.s.sendUpdateBatch(bytes, count);
  await waitUntil('UPDATEs at the healthy peer', () => healthy.peer.count(2) === before + count);
});

t.test('a peer that reads slowly but steadily is not reset', async (t) => {
  // The same flood and the same KEEPALIVEs, but the peer takes what we send: every write the kernel accepts
  // restarts the SendHoldTimer, so the session outlives many SendHoldTimes' worth of sending.
  const slow = await session(t, 4);
  slow.peer.startKeepalives(1000);
  slow.peer.stopReading();
  const flood = pump(slow.s, 64 << 20);
  t.teardown(flood.stop);
  // The peer reads for 20 ms every 1.5 s: each time, the kernel takes some more of what we send.
  const pace = setInterval(() => {
    slow.peer.resumeReading();
    setTimeout(() => slow.peer.stopReading(), 20);
  }, 1500);
  t.teardown(() => clearInterval(pace));
  await sleep(6000);
  t.ok(flood.sent() < 64 << 20, `${Math.round(flood.sent() / 1048576)} MiB through after 6 s: still sending`);
  await sleep(3000);
  t.equal(slow.s.state, 'Established', 'still up after more than twice the SendHoldTime');
  t.equal(slow.s.counters.lastNotificationSent, undefined);
  t.equal(slow.s.counters.lastDownReason, undefined);
});
