// The control API against live sessions: two speakers over loopback (127.0.0.1 and 127.0.0.2, ephemeral ports),
// the API on one of them. The neighbour view shows the real OPENs, the Adj-RIB views the routes each way, and the
// three clears do what FRR's `clear bgp` does: soft in sends ROUTE-REFRESH, soft out re-sends the Adj-RIB-Out,
// hard ends the session with a Cease and an RFC 9003 message and it comes back. Metrics count the NOTIFICATION.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Speaker } from '../../lib/speaker/index.js';
import { permitAny } from '../../lib/policy/index.js';
import {
  ControlServer,
  MetricsRegistry,
  peerLabel,
  renderNeighbor,
  renderRoutes,
  request,
  speakerMetrics,
  type NeighborView,
  type RoutesView,
} from '../../lib/api/index.js';
import { waitUntil as waitFor } from '../helpers/wait.js';

t.test('neighbour, routes and the three clears over a live session', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbgpd-api-session-'));
  const A = new Speaker({ asn: 65101, routerId: '10.0.0.1', listen: { host: '127.0.0.1', port: 0 } });
  const B = new Speaker({ asn: 65100, routerId: '10.0.0.2', listen: { host: '127.0.0.2', port: 0 } });
  await A.start();
  await B.start();
  const policies = { importPolicy: permitAny, exportPolicy: permitAny };
  A.addPeer({ address: '127.0.0.2', port: B.listenAddress!.port, localAddress: '127.0.0.1', remoteAs: 65100, connectRetryTime: 2, ...policies });
  B.addPeer({ address: '127.0.0.1', port: A.listenAddress!.port, localAddress: '127.0.0.2', remoteAs: 65101, connectRetryTime: 2, ...policies });
  const metrics = speakerMetrics(A);
  const registry = new MetricsRegistry();
  registry.register('speaker', metrics.collect);
  const server = new ControlServer({ speaker: A, endpoint: { socketPath: join(dir, 'a.sock') } });
  const endpoint = await server.listen();
  t.teardown(async () => {
    metrics.dispose();
    await server.close();
    await A.stop();
    await B.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const up = (): boolean => A.peer('127.0.0.2')?.state === 'Established' && B.peer('127.0.0.1')?.state === 'Established';
  await waitFor('Established', up);

  const n = (await request(endpoint, 'GET', '/v1/neighbors/127.0.0.2')) as NeighborView;
  t.match(n, { state: 'Established', peerAs: 65100, routerId: '10.0.0.2', link: 'external', localHost: { address: '127.0.0.1' } });
  t.same(n.capabilities?.negotiated.families, ['ipv4-unicast']);
  t.ok(n.capabilities?.received.some((c) => c.name === 'four-octet-as' && c.asn === 65100), 'the peer OPEN, as received');
  t.equal(n.timers.holdTime, 90);
  const text = renderNeighbor(n);
  t.match(text, /^BGP neighbor is 127\.0\.0\.2, remote AS 65100, local AS 65101, external link$/m);
  t.match(text, /^ {2}BGP state = Established, up for 00:00:\d\d$/m);
  t.match(text, /^ {4}Route refresh: advertised and received\(new\)$/m);
  t.match(text, /^ {4}Address Family IPv4 Unicast: advertised and received$/m);

  B.announce('10.9.0.0/32');
  await request(endpoint, 'POST', '/v1/announce', { prefix: '10.8.0.0/32', attributes: { communities: ['65101:7'] } });
  await waitFor('route at B', () => B.routes('10.8.0.0/32')[0]);
  await waitFor('route at A', () => A.routes('10.9.0.0/32')[0]);

  const received = (await request(endpoint, 'GET', '/v1/routes?neighbor=127.0.0.2&view=received')) as RoutesView;
  t.match(received.families[0]?.routes, [{ prefix: '10.9.0.0/32', paths: [{ valid: true, asPath: '65100', nextHop: '127.0.0.2' }] }]);
  const advertised = (await request(endpoint, 'GET', '/v1/routes?neighbor=127.0.0.2&view=advertised')) as RoutesView;
  t.match(advertised.families[0]?.routes, [{ prefix: '10.8.0.0/32', paths: [{ asPath: '65101', nextHop: '127.0.0.1', communities: ['65101:7'] }] }]);
  t.match(renderRoutes(advertised), /^\*> 10\.8\.0\.0\/32 +127\.0\.0\.1 +0 65101 i$/m);
  const learned = (await request(endpoint, 'GET', '/v1/routes?prefix=10.9.0.0/32')) as RoutesView;
  t.match(renderRoutes(learned), /^ {4}127\.0\.0\.2 from 127\.0\.0\.2 \(10\.0\.0\.2\)$/m, 'detail names the peer router ID');

  // Soft in: RFC 2918 ROUTE-REFRESH toward the peer.
  const refreshes = B.peer('127.0.0.1')!.messages.received.routeRefresh;
  t.match(await request(endpoint, 'POST', '/v1/neighbors/127.0.0.2/clear', { soft: 'in' }), { clear: 'in' });
  await waitFor('ROUTE-REFRESH at B', () => B.peer('127.0.0.1')!.messages.received.routeRefresh > refreshes);
  t.pass('the peer received a ROUTE-REFRESH');

  // Soft out: the Adj-RIB-Out again (10.8.0.0/32, then End-of-RIB).
  const updates = B.peer('127.0.0.1')!.messages.received.update;
  t.match(await request(endpoint, 'POST', '/v1/neighbors/127.0.0.2/clear', { soft: 'out' }), { clear: 'out' });
  await waitFor('UPDATEs at B', () => B.peer('127.0.0.1')!.messages.received.update >= updates + 2);
  t.pass('the peer received the routes again');
  t.equal(A.peer('127.0.0.2')?.state, 'Established', 'soft clears keep the session');

  // Hard: Cease with the operator's message, then the session comes back.
  const before = B.peer('127.0.0.1')!.lastNotificationReceived?.at ?? 0;
  const hard = (await request(endpoint, 'POST', '/v1/neighbors/127.0.0.2/clear', { message: 'api test' })) as { done: string };
  const note = await waitFor('NOTIFICATION at B', () => {
    const r = B.peer('127.0.0.1')?.lastNotificationReceived;
    return r && r.at >= before ? r : undefined;
  });
  const subcode = typeof (A as { resetPeer?: unknown }).resetPeer === 'function' ? 4 : 2;
  t.match(note, { code: 6, subcode, shutdownMessage: 'api test' }, hard.done);
  await waitFor('Established again', up);
  t.pass('the session came back');

  const exposition = registry.render();
  const peer = peerLabel('127.0.0.2', B.listenAddress!.port);
  t.ok(exposition.includes(`tsbgpd_bgp_notifications_total{peer="${peer}",direction="sent",code="6",subcode="${subcode}"} 1\n`), exposition);
  t.ok(exposition.includes(`metallb_bgp_session_up{peer="${peer}"} 1\n`));
  t.ok(exposition.includes(`tsbgpd_bgp_session_flaps_total{peer="${peer}"} 1\n`));
  t.match(exposition, new RegExp(`^tsbgpd_bgp_messages_total\\{peer="${peer.replace(/\./g, '\\.')}",direction="sent",type="route_refresh"\\} [1-9]`, 'm'));

  const after = (await request(endpoint, 'GET', '/v1/neighbors/127.0.0.2')) as NeighborView;
  t.match(after, { connections: { established: 2, dropped: 1 }, lastNotificationSent: { code: 6, subcode, shutdownMessage: 'api test' } });
  t.match(renderNeighbor(after), new RegExp(`^ {2}Last notification sent 00:00:\\d\\d ago: Cease/Administrative (Shutdown|Reset) \\(6/${subcode}\\)\\n {4}Message: "api test"$`, 'm'));
});
