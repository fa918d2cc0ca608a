// A peer that freezes — stops sending anything, KEEPALIVEs included, while its socket stays open — is found dead by
// the hold timer (RFC 4271 §6.5): tsbgpd sends Hold Timer Expired (4/0), closes, withdraws the peer's routes from
// its other peers, and those other sessions carry on as if nothing happened.
import t from 'tap';
import { announce, lab, RAW, waitUntil } from '../helpers/raw-peer.js';

t.test('a frozen peer: hold timer expiry, 4/0, its routes withdrawn, the other session unaffected', async (t) => {
  const L = await lab(t);
  const p = await L.connect();
  t.teardown(() => p.socket.destroy());
  await p.establish({ ...RAW, holdTime: 3 });
  await waitUntil('Established at A', () => L.A.peer(RAW.address)?.state === 'Established');
  t.equal(L.A.peer(RAW.address)?.negotiated?.holdTime, 3, 'hold time negotiated down to the peer’s 3 s');
  p.sendMessage(announce(['198.51.100.0/24']));
  await waitUntil('the route at B', () => L.B.routes('198.51.100.0/24')[0]);
  const bFlaps = L.B.peer('127.0.0.1')?.flaps;
  const frozenAt = Date.now();
  // From now on the raw peer sends nothing (it never started KEEPALIVEs); it still reads.
  const n = await p.notification(10_000);
  const waited = Date.now() - frozenAt;
  t.match(n, { code: 4, subcode: 0 }, 'Hold Timer Expired');
  t.ok(waited >= 2000 && waited < 6500, `after ${waited} ms (hold time 3 s)`);
  await p.closed();
  await waitUntil('the route withdrawn at B', () => L.B.routes('198.51.100.0/24').length === 0);
  t.not(L.A.peer(RAW.address)?.state, 'Established');
  t.match(L.A.peer(RAW.address)?.lastNotificationSent, { code: 4, subcode: 0 });
  t.ok(L.abUp(), 'A–B still Established');
  t.equal(L.B.peer('127.0.0.1')?.flaps, bFlaps, 'and never flapped');
  L.A.announce('192.0.2.0/24');
  await waitUntil('a new route still flows A → B', () => L.B.routes('192.0.2.0/24')[0]);
});
