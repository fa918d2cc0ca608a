// A TCP reset in the middle of an UPDATE: the speaker must discard the partial message (nothing of it reaches the
// RIB), treat the connection as failed (RFC 4271 §8.2.2 Event 18: TcpConnectionFails), withdraw everything the
// peer announced from its other peers, and take the peer back when it reconnects.
import t from 'tap';
import { createContext, encodeMessage } from '../../lib/wire/index.js';
import { announce, lab, RAW, sleep, waitUntil } from '../helpers/raw-peer.js';

for (const cut of ['in the header', 'in the body'] as const) {
  t.test(`RST with half an UPDATE sent (${cut}): discarded, routes withdrawn, and it reconnects`, async (t) => {
    const L = await lab(t);
    const p = await L.connect();
    t.teardown(() => p.socket.destroy());
    await p.establish(RAW);
    p.startKeepalives(1000);
    await waitUntil('Established at A', () => L.A.peer(RAW.address)?.state === 'Established');
    p.sendMessage(announce(['198.51.100.0/24', '198.51.100.128/25']));
    await waitUntil('its routes at B', () => L.B.routes().length === 2);

    const whole = encodeMessage(announce(['203.0.113.0/24']), createContext());
    p.send(whole.subarray(0, cut === 'in the header' ? 10 : whole.length - 3));
    await sleep(100); // let the half message reach the speaker's framer before the RST
    p.reset();
    await waitUntil('the session down at A', () => L.A.peer(RAW.address)?.state !== 'Established');
    t.match(L.A.peer(RAW.address)?.lastDownReason, /TCP/, `down: ${L.A.peer(RAW.address)?.lastDownReason}`);
    await waitUntil('its routes withdrawn at B', () => L.B.routes().length === 0);
    t.same(L.A.routes('203.0.113.0/24'), [], 'the partial UPDATE was discarded');
    t.ok(L.abUp(), 'A–B unaffected');

    // The peer comes back: accepted at once (a TCP failure does not hold it down), and its new routes flow.
    const q = await L.connect();
    t.teardown(() => q.socket.destroy());
    await q.establish(RAW);
    q.startKeepalives(1000);
    await waitUntil('Established again', () => L.A.peer(RAW.address)?.state === 'Established');
    q.sendMessage(announce(['192.0.2.0/24']));
    await waitUntil('the new route at B', () => L.B.routes('192.0.2.0/24')[0]);
    t.same(L.A.routes('203.0.113.0/24'), [], 'and the half UPDATE never surfaces');
    t.equal(L.A.peer(RAW.address)?.flaps, 1);
  });
}
