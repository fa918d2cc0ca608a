// Peer groups and listen ranges: nodes of the seed's pfSense neighbour group come and go without configuring each
// one; their routes go with them; the listen limit holds; unknown addresses outside every range are refused.
import t from 'tap';
import { Speaker } from '../../lib/speaker/index.js';
import { permitAny } from '../../lib/policy/index.js';
import { waitUntil as waitFor } from '../helpers/wait.js';

async function router(t: { teardown(fn: () => unknown): void }, listenLimit?: number): Promise<Speaker> {
  const r = new Speaker({
    asn: 65100,
    routerId: '192.168.3.1',
    listen: { host: '127.0.0.1', port: 0 },
    maximumPaths: 4,
    ...(listenLimit !== undefined ? { listenLimit } : {}),
  });
  r.addPeerGroup('rubrik-metallb', { remoteAs: 65101, importPolicy: permitAny, exportPolicy: permitAny });
  r.addListenRange({ prefix: '127.0.0.0/29', peerGroup: 'rubrik-metallb' });
  await r.start();
  t.teardown(() => r.stop());
  return r;
}

async function node(t: { teardown(fn: () => unknown): void }, address: string, port: number): Promise<Speaker> {
  const n = new Speaker({ asn: 65101, routerId: address.replace('127.', '10.'), listen: false, ebgpRequiresPolicy: false });
  n.addPeer({ address: '127.0.0.1', port, localAddress: address, remoteAs: 65100, connectRetryTime: 1 });
  await n.start();
  t.teardown(() => n.stop());
  return n;
}

t.test('dynamic neighbours from a listen range come and go, and their routes with them', async (t) => {
  const r = await router(t);
  const port = r.listenAddress!.port;
  const nodes = await Promise.all(['127.0.0.2', '127.0.0.3', '127.0.0.4'].map((a) => node(t, a, port)));
  for (const n of nodes) n.announce('10.8.0.0/32');
  const entry = await waitFor('three paths', () => {
    const e = r.routes('10.8.0.0/32')[0];
    return e && e.paths.length === 3 ? e : undefined;
  });
  t.same(entry.paths.map((p) => p.peerAddress).sort(), ['127.0.0.2', '127.0.0.3', '127.0.0.4'], 'one path per node');
  t.equal(entry.paths.filter((p) => p.best || p.multipath).length, 3, 'ECMP across the nodes (maximum-paths 4)');
  t.ok(r.peers().every((p) => p.dynamic && p.peerGroup === 'rubrik-metallb' && p.remoteAs === 65101));

  await nodes[1]!.stop('node drained');
  await waitFor('node gone', () => r.peer('127.0.0.3') === undefined);
  const after = await waitFor('two paths', () => {
    const e = r.routes('10.8.0.0/32')[0];
    return e && e.paths.length === 2 ? e : undefined;
  });
  t.same(after.paths.map((p) => p.peerAddress).sort(), ['127.0.0.2', '127.0.0.4'], 'its route went with it');
});

t.test('the listen limit caps dynamic neighbours', async (t) => {
  const r = await router(t, 1);
  const port = r.listenAddress!.port;
  await node(t, '127.0.0.2', port);
  await waitFor('first up', () => r.peer('127.0.0.2')?.state === 'Established');
  const second = await node(t, '127.0.0.3', port);
  const n = await waitFor('rejection', () => second.peer('127.0.0.1')?.lastNotificationReceived);
  t.match(n, { code: 6, subcode: 5 }, 'Cease / Connection Rejected');
  t.equal(r.peer('127.0.0.3'), undefined, 'no state kept for it');
});

t.test('addresses outside every range are refused; a range needs an existing group', async (t) => {
  const r = await router(t);
  t.throws(() => r.addListenRange({ prefix: '10.0.0.0/8', peerGroup: 'nope' }), /no peer group nope/);
  t.throws(() => r.addListenRange({ prefix: '10.0.0.0/33', peerGroup: 'rubrik-metallb' }), /bad prefix length/);
  const outsider = await node(t, '127.0.0.9', r.listenAddress!.port);
  const n = await waitFor('rejection', () => outsider.peer('127.0.0.1')?.lastNotificationReceived);
  t.match(n, { code: 6, subcode: 5 });
  t.equal(r.peers().length, 0);
});
