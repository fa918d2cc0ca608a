// Two speakers over real loopback sockets (127.0.0.1 and 127.0.0.2, ephemeral ports): sessions come up, routes
// flow with eBGP rewriting, RFC 8212 holds routes back until policy allows them, and stopping sends Cease.
import t from 'tap';
import { Speaker, type PeerConfig } from '../../lib/speaker/index.js';
import { permitAny } from '../../lib/policy/index.js';
import { waitUntil as waitFor } from '../helpers/wait.js';

async function pair(
  t: Tap.Test,
  a: Partial<PeerConfig>,
  b: Partial<PeerConfig>,
  speakerOptions: { ebgpRequiresPolicy?: boolean } = {},
): Promise<{ A: Speaker; B: Speaker }> {
  const A = new Speaker({ asn: 65101, routerId: '10.0.0.1', listen: { host: '127.0.0.1', port: 0 }, ...speakerOptions });
  const B = new Speaker({ asn: 65100, routerId: '10.0.0.2', listen: { host: '127.0.0.2', port: 0 }, ...speakerOptions });
  await A.start();
  await B.start();
  A.addPeer({ address: '127.0.0.2', port: B.listenAddress!.port, localAddress: '127.0.0.1', remoteAs: 65100, connectRetryTime: 2, ...a });
  B.addPeer({ address: '127.0.0.1', port: A.listenAddress!.port, localAddress: '127.0.0.2', remoteAs: 65101, connectRetryTime: 2, ...b });
  t.teardown(async () => {
    await A.stop();
    await B.stop();
  });
  return { A, B };
}

declare namespace Tap {
  type Test = Parameters<Parameters<typeof t.test>[1]>[0];
}

t.test('eBGP session comes up and a route flows with AS_PATH and NEXT_HOP rewritten', async (t) => {
  const { A, B } = await pair(t, { importPolicy: permitAny, exportPolicy: permitAny }, { importPolicy: permitAny, exportPolicy: permitAny });
  await waitFor('Established', () => A.peer('127.0.0.2')?.state === 'Established' && B.peer('127.0.0.1')?.state === 'Established');
  A.announce('10.8.0.0/32', { communities: ['65101:1'], localPref: 300 });
  const entry = await waitFor('route at B', () => B.routes('10.8.0.0/32')[0]);
  const path = entry.paths[0]!;
  const asPath = path.attributes.find((x) => x.kind === 'as-path');
  const nextHop = path.attributes.find((x) => x.kind === 'next-hop');
  t.same(asPath && 'segments' in asPath ? asPath.segments[0]?.asns : undefined, [65101], 'own AS prepended');
  t.equal(nextHop && 'nextHop' in nextHop ? nextHop.nextHop : undefined, '127.0.0.1', 'next hop = local address');
  const sentLocalPref = B.adjRibIn('127.0.0.1')[0]?.received.find((x) => x.kind === 'local-pref');
  t.equal(sentLocalPref, undefined, 'LOCAL_PREF never sent to an eBGP peer');
  t.equal(A.peer('127.0.0.2')?.prefixes.sent, 1);
  t.equal(B.peer('127.0.0.1')?.prefixes.received, 1);
  A.withdraw('10.8.0.0/32');
  await waitFor('withdrawn at B', () => B.routes('10.8.0.0/32').length === 0);
  t.pass('withdrawal reached B');
});

t.test('RFC 8212: without policy an eBGP session carries nothing, and says why', async (t) => {
  const { A, B } = await pair(t, {}, {});
  await waitFor('Established', () => A.peer('127.0.0.2')?.state === 'Established' && B.peer('127.0.0.1')?.state === 'Established');
  A.announce('10.8.0.1/32');
  await new Promise((r) => setTimeout(r, 300));
  t.equal(B.routes().length, 0, 'nothing accepted');
  t.same(A.peer('127.0.0.2')?.policyBlocked, { in: 'rfc8212-no-policy', out: 'rfc8212-no-policy' });
});

t.test('RFC 8212 switched off (pfSense "Disable eBGP Require Policy"): routes flow', async (t) => {
  const { A, B } = await pair(t, {}, {}, { ebgpRequiresPolicy: false });
  A.announce('10.8.0.2/32');
  await waitFor('route at B', () => B.routes('10.8.0.2/32')[0]);
  t.pass('route arrived');
});

t.test('shutting a peer down sends Cease 6/2 with an RFC 9003 message; removing it sends 6/3', async (t) => {
  const { A, B } = await pair(t, {}, {}, { ebgpRequiresPolicy: false });
  const up = (): boolean => A.peer('127.0.0.2')?.state === 'Established' && B.peer('127.0.0.1')?.state === 'Established';
  await waitFor('Established', up);
  await A.shutdownPeer('127.0.0.2', 'maintenance window');
  const n = await waitFor('notification at B', () => B.peer('127.0.0.1')?.lastNotificationReceived);
  t.match(n, { code: 6, subcode: 2, shutdownMessage: 'maintenance window' });
  t.equal(A.peer('127.0.0.2')?.state, 'Idle', 'stays down while shut');
  A.enablePeer('127.0.0.2');
  await waitFor('Established again', up);
  const before = B.peer('127.0.0.1')!.lastNotificationReceived!.at;
  await A.removePeer('127.0.0.2');
  const m = await waitFor('second notification', () => {
    const r = B.peer('127.0.0.1')?.lastNotificationReceived;
    return r && r.at >= before && r.subcode === 3 ? r : undefined;
  });
  t.match(m, { code: 6, subcode: 3 });
  t.equal(A.peer('127.0.0.2'), undefined, 'gone');
});

t.test('bad peer AS is refused with 2/2 and does not reconnect in a tight loop', async (t) => {
  const { A, B } = await pair(t, { remoteAs: 65999 }, {}, { ebgpRequiresPolicy: false });
  const n = await waitFor('notification at B', () => B.peer('127.0.0.1')?.lastNotificationReceived);
  t.equal(n.code, 2);
  t.equal(n.subcode, 2);
  await new Promise((r) => setTimeout(r, 1500));
  const opens = A.peer('127.0.0.2')!.messages.sent.open;
  t.ok(opens <= 4, `few attempts in 1.5 s (${opens})`);
  t.not(B.peer('127.0.0.1')?.state, 'Established');
});

t.test('an unknown address is rejected with Cease / Connection Rejected and leaves no state', async (t) => {
  const A = new Speaker({ asn: 65101, routerId: '10.0.0.1', listen: { host: '127.0.0.1', port: 0 } });
  await A.start();
  t.teardown(() => A.stop());
  const { connect } = await import('node:net');
  const got = await new Promise<Buffer>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: A.listenAddress!.port, localAddress: '127.0.0.3' });
    const chunks: Buffer[] = [];
    s.on('data', (c) => chunks.push(c));
    s.on('close', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });
  t.equal(got.length, 21, 'one NOTIFICATION');
  t.equal(got[18], 3);
  t.equal(got[19], 6);
  t.equal(got[20], 5);
  t.equal(A.peers().length, 0);
});

t.test('resetPeer sends Cease / Administrative Reset and the session comes back; refreshOut re-sends', async (t) => {
  const { A, B } = await pair(t, {}, {}, { ebgpRequiresPolicy: false });
  const up = (): boolean => A.peer('127.0.0.2')?.state === 'Established' && B.peer('127.0.0.1')?.state === 'Established';
  await waitFor('Established', up);
  A.announce('10.8.0.7/32');
  await waitFor('route at B', () => B.routes('10.8.0.7/32')[0]);
  await A.resetPeer('127.0.0.2', 'policy change');
  const n = await waitFor('notification at B', () => B.peer('127.0.0.1')?.lastNotificationReceived);
  t.match(n, { code: 6, subcode: 4, shutdownMessage: 'policy change' });
  await waitFor('Established again', up);
  await waitFor('route back at B', () => B.routes('10.8.0.7/32')[0]);
  const before = B.peer('127.0.0.1')!.messages.received.update;
  t.ok(A.refreshOut('127.0.0.2'));
  await waitFor('UPDATEs re-sent', () => B.peer('127.0.0.1')!.messages.received.update > before);
  t.equal(A.peerConfig('127.0.0.2')?.remoteAs, 65100);
  t.notOk(A.refreshOut('127.0.0.99'));
});

t.test('updatesPropagated: one observation per change burst, none for the initial table', async (t) => {
  const { A, B } = await pair(t, {}, {}, { ebgpRequiresPolicy: false });
  const seen: [string, number][] = [];
  A.on('updatesPropagated', (address, seconds) => seen.push([address, seconds]));
  A.announce('10.8.0.4/32');
  await waitFor('route at B', () => B.routes('10.8.0.4/32')[0]);
  await new Promise((r) => setTimeout(r, 100));
  t.same(seen, [], 'the initial table (sent when the session came up) is not a propagation');
  const before = performance.now();
  A.announce('10.8.0.5/32');
  A.announce('10.8.0.6/32');
  await waitFor('routes at B', () => B.routes('10.8.0.6/32')[0] && B.routes('10.8.0.5/32')[0]);
  const elapsed = (performance.now() - before) / 1000;
  t.equal(seen.length, 1, 'two announcements in one turn are one burst');
  t.equal(seen[0]?.[0], '127.0.0.2');
  t.ok((seen[0]?.[1] ?? -1) >= 0 && (seen[0]?.[1] ?? Infinity) <= elapsed, `latency ${seen[0]?.[1]} s within the ${elapsed} s it took to arrive`);
});
