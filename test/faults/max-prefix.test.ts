// A peer that sends more prefixes than its configured maximum is reset with Cease / Maximum Number of Prefixes
// Reached (6/1), whose Data RFC 4486 §4 defines as AFI (2 octets), SAFI (1) and the upper bound (4). The session is
// then held down — connections refused — for the IdleHold damping delay (RFC 4271 §8.1.1, 1 s for a first failure,
// jittered 0.75–1 by RFC 4271 §10), after which the peer is accepted again.
import t from 'tap';
import { announce, lab, RAW, sleep, waitUntil } from '../helpers/raw-peer.js';

t.test('more prefixes than maxPrefix: 6/1 with AFI/SAFI and the limit, then a restart after damping', async (t) => {
  const L = await lab(t, { maxPrefix: 3 });
  const p = await L.connect();
  t.teardown(() => p.socket.destroy());
  await p.establish(RAW);
  p.startKeepalives(1000);
  await waitUntil('Established at A', () => L.A.peer(RAW.address)?.state === 'Established');
  p.sendMessage(announce(['198.51.100.0/24', '198.51.100.1/32', '198.51.100.2/32']));
  await waitUntil('three routes at B', () => L.B.routes().length === 3);
  t.equal(p.count(3), 0, 'at the limit: fine');
  p.sendMessage(announce(['198.51.100.3/32']));
  const n = await p.notification();
  const resetAt = Date.now();
  t.match(n, { code: 6, subcode: 1 }, 'Cease / Maximum Number of Prefixes Reached');
  t.equal(Buffer.from(n.data).toString('hex'), '0001' + '01' + '00000003', 'Data: AFI 1, SAFI 1, limit 3');
  await p.closed();
  await waitUntil('its routes withdrawn at B', () => L.B.routes().length === 0);
  t.ok(L.abUp(), 'A–B unaffected');

  // Held down: the peer's reconnections are refused until the damping delay has passed.
  let refused = 0;
  for (;;) {
    const q = await L.connect();
    t.teardown(() => q.socket.destroy());
    const outcome = await Promise.race([q.notification(3000).then((m) => m), sleep(400).then(() => 'accepted' as const)]);
    if (outcome === 'accepted') {
      const after = Date.now() - resetAt;
      t.ok(after >= 700, `accepted again ${after} ms after the reset`);
      t.ok(refused > 0, `${refused} attempts refused before`);
      await q.establish(RAW);
      q.startKeepalives(1000);
      await waitUntil('Established again', () => L.A.peer(RAW.address)?.state === 'Established');
      q.sendMessage(announce(['198.51.100.0/24']));
      await waitUntil('its route at B again', () => L.B.routes('198.51.100.0/24')[0]);
      break;
    }
    t.match(outcome, { code: 6, subcode: 5 }, 'refused with Cease / Connection Rejected while held down');
    refused++;
    await q.closed();
    if (Date.now() - resetAt > 5000) throw new Error('never accepted again');
    await sleep(150);
  }
});
