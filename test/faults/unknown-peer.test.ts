// A connection from an address no peer is configured for is turned away as RFC 4486 §4 says — NOTIFICATION Cease /
// Connection Rejected (6/5), then close — and leaves nothing behind: no peer, no socket, no timer.
import t from 'tap';
import { lab, RawPeer, sleep, waitUntil } from '../helpers/raw-peer.js';

const sockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

t.test('an unknown address is rejected with 6/5 and leaves no state', async (t) => {
  const L = await lab(t);
  const peersBefore = L.A.peers().map((p) => p.address).sort();
  const socketsBefore = sockets();
  for (let i = 0; i < 5; i++) {
    const stranger = await RawPeer.connect({ host: '127.0.0.1', port: L.port, localAddress: '127.0.0.9' });
    const n = await stranger.notification();
    t.match(n, { code: 6, subcode: 5 }, `attempt ${i + 1}: Cease / Connection Rejected`);
    await stranger.closed();
    t.equal(stranger.received.length, 1, 'and nothing else');
  }
  t.same(L.A.peers().map((p) => p.address).sort(), peersBefore, 'no peer was created');
  await waitUntil('every rejected socket closed', () => sockets() === socketsBefore);
  await sleep(200);
  t.equal(sockets(), socketsBefore, 'no socket left behind');
  t.ok(L.abUp(), 'the configured session is unaffected');
});
