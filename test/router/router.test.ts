// The router on real loopback sockets (127.0.0.x, ephemeral ports) with plain Speakers as its neighbours: route
// reflection (RFC 4456 §6) with ORIGINATOR_ID and CLUSTER_LIST, dynamic neighbours from a listen range, the
// control API and metrics, and reloads that reset only what must be reset.
import t from 'tap';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRouterConfig, type RouterConfig } from '../../lib/config/router-index.js';
import { formatDiagnostic } from '../../lib/config/index.js';
import { startRouter, type RunningRouter } from '../../lib/router/index.js';
import { Speaker } from '../../lib/speaker/index.js';
import { request } from '../../lib/api/index.js';
import type { PathAttribute } from '../../lib/wire/index.js';
import { waitUntil as waitFor } from '../helpers/wait.js';

type Test = Parameters<Parameters<typeof t.test>[1]>[0];


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function config(yaml: string): RouterConfig {
  const r = loadRouterConfig({ name: 'router.yaml', text: yaml });
  if (!r.ok) throw new Error(r.errors.map(formatDiagnostic).join('\n'));
  return r.config;
}

let socketCount = 0;
const socketPath = (): string => join(tmpdir(), `tsbgpd-router-${process.pid}-${++socketCount}.sock`);

/**
 * The router at 127.0.0.1 (AS 65100, cluster 10.255.0.1): clients .2 and .3, non-client .4, eBGP .5 (AS 65200,
 * route maps in and out), all passive on the router's side; `extra` is appended to spec.
 */
function baseYaml(api: string, extra = ''): string {
  return `apiVersion: tsbgpd.io/v1alpha1
kind: Router
metadata: { name: test-rr }
spec:
  asn: 65100
  routerId: 10.0.0.1
  clusterId: 10.255.0.1
  listen: { address: 127.0.0.1, port: 0 }
  api: { socket: ${api} }
  metrics: { address: "127.0.0.1:0" }
  peerGroups:
    clients: { remoteAs: 65100, routeReflectorClient: true, passive: true }
  neighbors:
    - { address: 127.0.0.2, peerGroup: clients }
    - { address: 127.0.0.3, peerGroup: clients }
    - { address: 127.0.0.4, remoteAs: 65100, passive: true }
    - { address: 127.0.0.5, remoteAs: 65200, passive: true, routeMapIn: ANY, routeMapOut: ANY }
  policy: |
    route-map ANY permit 10
${extra}`;
}

async function neighbour(t: Test, address: string, asn: number, routerPort: number, routerId = address.replace(/^127/, '10')): Promise<Speaker> {
  const s = new Speaker({ asn, routerId, listen: false, ebgpRequiresPolicy: false });
  s.addPeer({ address: '127.0.0.1', port: routerPort, localAddress: address, remoteAs: 65100, connectRetryTime: 1 });
  await s.start();
  t.teardown(() => s.stop());
  return s;
}

const attr = <K extends PathAttribute['kind']>(attrs: readonly PathAttribute[] | undefined, kind: K) =>
  attrs?.find((a) => a.kind === kind) as Extract<PathAttribute, { kind: K }> | undefined;

async function rig(t: Test, extra = ''): Promise<{ router: RunningRouter; api: string; peers: Record<'c1' | 'c2' | 'n1' | 'e1', Speaker> }> {
  const api = socketPath();
  const router = await startRouter(config(baseYaml(api, extra)));
  t.teardown(() => router.stop());
  const port = router.speaker.listenAddress?.port as number;
  const peers = {
    c1: await neighbour(t, '127.0.0.2', 65100, port),
    c2: await neighbour(t, '127.0.0.3', 65100, port),
    n1: await neighbour(t, '127.0.0.4', 65100, port),
    e1: await neighbour(t, '127.0.0.5', 65200, port),
  };
  await waitFor('every session Established', () => router.speaker.peers().every((p) => p.state === 'Established'));
  return { router, api, peers };
}

t.test('route reflection: client routes reach every other peer with ORIGINATOR_ID and CLUSTER_LIST, never their source', async (t) => {
  const { router, peers } = await rig(t);
  peers.c1.announce('10.1.0.0/24');
  peers.n1.announce('10.4.0.0/24');
  peers.e1.announce('10.5.0.0/24');

  const atC2 = await waitFor('10.1.0.0/24 at the other client', () => peers.c2.routes('10.1.0.0/24')[0]?.paths[0]);
  t.equal(attr(atC2.attributes, 'originator-id')?.originatorId, '10.0.0.2', 'ORIGINATOR_ID is the client that sent it');
  t.same(attr(atC2.attributes, 'cluster-list')?.clusterList, ['10.255.0.1'], 'CLUSTER_LIST is our cluster ID');
  const atN1 = await waitFor('10.1.0.0/24 at the non-client', () => peers.n1.routes('10.1.0.0/24')[0]?.paths[0]);
  t.equal(attr(atN1.attributes, 'originator-id')?.originatorId, '10.0.0.2', 'reflected to non-clients too');
  const atE1 = await waitFor('10.1.0.0/24 at the eBGP peer', () => peers.e1.routes('10.1.0.0/24')[0]?.paths[0]);
  t.equal(attr(atE1.attributes, 'originator-id'), undefined, 'no ORIGINATOR_ID toward eBGP');
  t.equal(attr(atE1.attributes, 'cluster-list'), undefined, 'no CLUSTER_LIST toward eBGP');
  t.same(attr(atE1.attributes, 'as-path')?.segments.flatMap((s) => s.asns), [65100], 'our AS prepended toward eBGP');

  await waitFor('non-client route at both clients', () => peers.c1.routes('10.4.0.0/24')[0] && peers.c2.routes('10.4.0.0/24')[0]);
  const fromN1 = peers.c1.routes('10.4.0.0/24')[0]?.paths[0];
  t.equal(attr(fromN1?.attributes, 'originator-id')?.originatorId, '10.0.0.4', 'a non-client route is reflected to clients with its originator');
  await waitFor('eBGP route at everyone', () => ['c1', 'c2', 'n1'].every((k) => peers[k as 'c1'].routes('10.5.0.0/24')[0]));
  t.equal(attr(peers.c1.routes('10.5.0.0/24')[0]?.paths[0]?.attributes, 'originator-id'), undefined, 'an eBGP route is not reflected: no ORIGINATOR_ID');

  t.notOk(router.speaker.adjRibOut('127.0.0.2').some((e) => e.prefix.address === '10.1.0.0'), 'not sent back to the client it came from');
  t.notOk(router.speaker.adjRibOut('127.0.0.4').some((e) => e.prefix.address === '10.4.0.0'), 'not sent back to the non-client it came from');
  t.equal(peers.c1.routes('10.1.0.0/24')[0]?.paths.filter((p) => p.from !== null).length ?? 0, 0, 'the client holds only its own path');
});

t.test('control API and metrics come up with the router', async (t) => {
  const { router, api, peers } = await rig(t);
  const summary = (await request({ socketPath: api }, 'GET', '/v1/summary')) as { localAs: number; peers: { address: string; peerGroup: string | null }[] };
  t.equal(summary.localAs, 65100);
  t.same(
    summary.peers.map((p) => [p.address, p.peerGroup]),
    [['127.0.0.2', 'clients'], ['127.0.0.3', 'clients'], ['127.0.0.4', null], ['127.0.0.5', null]],
    'the neighbours, with their peer group',
  );
  const view = (await request({ socketPath: api }, 'GET', '/v1/router')) as { name: string; clusterId: string; peerGroups: string[]; lastReload: unknown };
  t.same([view.name, view.clusterId, view.peerGroups, view.lastReload], ['test-rr', '10.255.0.1', ['clients'], null], 'GET /v1/router');
  await router.reload(router.config);
  const after = (await request({ socketPath: api }, 'GET', '/v1/router')) as { lastReload: { result: { restarted: string[] } } | null };
  t.same(after.lastReload?.result.restarted, [], 'and the last reload');
  // A route from the eBGP peer, reflected to the client: one propagation observed toward the client.
  await waitFor('client and eBGP peer up', () => ['127.0.0.2', '127.0.0.5'].every((a) => router.speaker.peer(a)?.state === 'Established'));
  await new Promise((r) => setTimeout(r, 100)); // the client's initial table (End-of-RIB) is out
  peers.e1.announce('10.5.9.0/24');
  await waitFor('the route at c1', () => peers.c1.routes('10.5.9.0/24')[0]);
  const m = router.metricsEndpoint as { host: string; port: number };
  const text = await (await fetch(`http://${m.host}:${m.port}/metrics`)).text();
  t.match(text, /metallb_bgp_session_up\{peer="127\.0\.0\.2:179"\} 1/, 'session metrics');
  t.match(text, /^tsbgpd_bgp_update_propagation_seconds_count\{peer="127\.0\.0\.2:179"\} [1-9]\d*$/m, 'propagation latency observed');
  const sum = Number(/^tsbgpd_bgp_update_propagation_seconds_sum\{peer="127\.0\.0\.2:179"\} (\S+)$/m.exec(text)?.[1]);
  t.ok(sum > 0 && sum < 5, `propagation took ${sum} s`);
});

t.test('reload: a changed inbound route map refreshes that peer only; nothing resets', async (t) => {
  const { router, peers } = await rig(t);
  peers.e1.announce('10.5.0.0/24');
  peers.e1.announce('10.5.1.0/24');
  await waitFor('both eBGP routes at c1', () => peers.c1.routes('10.5.0.0/24')[0] && peers.c1.routes('10.5.1.0/24')[0]);
  const flaps = router.speaker.peers().map((p) => p.flaps);
  const result = await router.reload(
    config(
      baseYaml(
        (router.config.api as { endpoint: { socketPath: string } }).endpoint.socketPath,
        '    route-map ONLY-5-0 permit 10\n     match ip address prefix-list FIVE-ZERO\n    ip prefix-list FIVE-ZERO seq 5 permit 10.5.0.0/24\n',
      ).replace('routeMapIn: ANY', 'routeMapIn: ONLY-5-0'),
    ),
  );
  t.same(result.refreshedIn, ['127.0.0.5'], 'ROUTE-REFRESH to the eBGP peer');
  t.same(result.reset, [], 'no reset');
  t.same(result.refreshedOut, [], 'no outbound change');
  await waitFor('10.5.1.0/24 gone from c1', () => peers.c1.routes('10.5.1.0/24').length === 0);
  t.ok(peers.c1.routes('10.5.0.0/24')[0], '10.5.0.0/24 still there');
  t.same(router.speaker.peers().map((p) => p.flaps), flaps, 'no session flapped');
  t.ok(router.speaker.peers().every((p) => p.state === 'Established'), 'all still Established');
});

t.test('reload: an outbound route map that takes routes away withdraws them; the session stays up', async (t) => {
  const { router, api, peers } = await rig(t);
  const notices: string[] = [];
  peers.e1.on('notificationReceived', (_a, n) => notices.push(`${n.code}/${n.subcode}`));
  router.speaker.on('notificationSent', (a) => notices.push(`sent to ${a}`));
  peers.c1.announce('10.1.0.0/24');
  peers.c1.announce('10.1.1.0/24');
  await waitFor('both at e1', () => peers.e1.routes('10.1.0.0/24')[0] && peers.e1.routes('10.1.1.0/24')[0]);
  const updatesAtE1 = (): number => peers.e1.peer('127.0.0.1')?.messages.received.update ?? 0;
  /** UPDATEs e1 receives until they stop coming. */
  const received = async (since: number): Promise<number> => {
    let last = -1;
    while (updatesAtE1() !== last) {
      last = updatesAtE1();
      await sleep(150);
    }
    return last - since;
  };
  await received(0);

  const more = '    route-map OUT permit 10\n     set metric 77\n';
  let before = updatesAtE1();
  const r1 = await router.reload(config(baseYaml(api, more).replace('routeMapOut: ANY', 'routeMapOut: OUT')));
  t.same(r1.refreshedOut, [{ address: '127.0.0.5', outcome: 'refreshed' }], 'attributes rewritten: re-exported');
  await waitFor('MED 77 at e1', () => attr(peers.e1.routes('10.1.0.0/24')[0]?.paths[0]?.attributes, 'multi-exit-disc')?.med === 77);
  t.equal(await received(before), 1, 'one UPDATE: both routes with their new attributes, no End-of-RIB');

  const fewer = '    route-map OUT permit 10\n     match ip address prefix-list ONE-ZERO\n    ip prefix-list ONE-ZERO seq 5 permit 10.1.0.0/24\n';
  before = updatesAtE1();
  const r2 = await router.reload(config(baseYaml(api, fewer).replace('routeMapOut: ANY', 'routeMapOut: OUT')));
  t.same(r2.refreshedOut, [{ address: '127.0.0.5', outcome: 'refreshed' }], 'routes taken away: re-exported, not reset');
  t.same(r2.reset, []);
  await waitFor('10.1.1.0/24 withdrawn at e1', () => peers.e1.routes('10.1.1.0/24').length === 0);
  t.equal(attr(peers.e1.routes('10.1.0.0/24')[0]?.paths[0]?.attributes, 'multi-exit-disc'), undefined, 'the new map sets no MED');
  t.equal(await received(before), 2, 'two UPDATEs: the withdrawal and 10.1.0.0/24 without its MED');
  t.same(
    [...router.speaker.adjRibOut('127.0.0.5')].map((e) => `${e.prefix.address}/${e.prefix.length}`),
    ['10.1.0.0/24'],
    'the Adj-RIB-Out holds what e1 holds',
  );

  t.same(notices, [], 'no NOTIFICATION either way');
  t.equal(router.speaker.peer('127.0.0.5')?.flaps, 0, 'the session did not flap');
  t.equal(peers.e1.peer('127.0.0.1')?.flaps, 0, 'nor at the neighbour');
  t.ok(router.speaker.peers().every((p) => p.state === 'Established' && p.flaps === 0), 'no session flapped');
});

t.test('reload: a hold time change resets that neighbour alone; a description waits for its next session', async (t) => {
  const { router, api, peers } = await rig(t);
  const base = baseYaml(api);
  const next = base.replace('- { address: 127.0.0.3, peerGroup: clients }', '- { address: 127.0.0.3, peerGroup: clients, holdTime: 30 }').replace(
    '- { address: 127.0.0.4, remoteAs: 65100, passive: true }',
    '- { address: 127.0.0.4, remoteAs: 65100, passive: true, description: core }',
  );
  const notices: string[] = [];
  peers.c2.on('notificationReceived', (_a, n) => notices.push(`${n.code}/${n.subcode} ${n.shutdownMessage ?? ''}`));
  const result = await router.reload(config(next));
  t.same(result.reset, [{ address: '127.0.0.3', reasons: ['hold time'] }]);
  t.same(result.deferred, [{ address: '127.0.0.4', fields: ['description'] }]);
  t.same(router.pending, ['127.0.0.4']);
  await waitFor('the Cease at c2', () => notices.length > 0);
  t.same(notices, ['6/2 configuration changed: hold time'], 'the peer is told why (RFC 9003)');
  await waitFor('c2 back', () => router.speaker.peer('127.0.0.3')?.state === 'Established');
  t.equal(router.speaker.peer('127.0.0.3')?.negotiated?.holdTime, 30, 'the new hold time is in force');
  t.equal(router.speaker.peer('127.0.0.2')?.flaps, 0, 'c1 untouched');
  t.equal(router.speaker.peer('127.0.0.4')?.description, undefined, 'the description waits');
  await peers.n1.shutdownPeer('127.0.0.1');
  await waitFor('description applied once n1 went down', () => router.speaker.peer('127.0.0.4')?.description === 'core');
  t.same(router.pending, []);
});

t.test('reload: neighbours added, removed, shut down and enabled', async (t) => {
  const { router, api, peers } = await rig(t);
  const port = router.speaker.listenAddress?.port as number;
  const withE2 = baseYaml(api).replace('  policy: |', '    - { address: 127.0.0.6, remoteAs: 65100, passive: true }\n  policy: |');
  const added = await router.reload(config(withE2));
  t.same(added.added, ['127.0.0.6']);
  const e2 = await neighbour(t, '127.0.0.6', 65100, port);
  await waitFor('new neighbour up', () => router.speaker.peer('127.0.0.6')?.state === 'Established');

  const shut = withE2.replace('{ address: 127.0.0.6, remoteAs: 65100, passive: true }', '{ address: 127.0.0.6, remoteAs: 65100, passive: true, shutdown: true, shutdownMessage: maintenance }');
  const r = await router.reload(config(shut));
  t.same(r.shutdown, ['127.0.0.6']);
  const cease = await waitFor('the Cease at e2', () => e2.peer('127.0.0.1')?.lastNotificationReceived);
  t.same([cease.code, cease.subcode, cease.shutdownMessage], [6, 2, 'maintenance'], 'Cease 6/2 with the configured message');
  await sleep(1500);
  t.not(router.speaker.peer('127.0.0.6')?.state, 'Established', 'stays down although the peer keeps dialling');

  const enabled = await router.reload(config(withE2));
  t.same(enabled.enabled, ['127.0.0.6']);
  await waitFor('enabled neighbour up again', () => router.speaker.peer('127.0.0.6')?.state === 'Established');

  const removed = await router.reload(config(baseYaml(api)));
  t.same(removed.removed, ['127.0.0.6']);
  t.equal(router.speaker.peer('127.0.0.6'), undefined, 'gone from the speaker');
  await waitFor('6/3 at the removed peer', () => e2.peer('127.0.0.1')?.lastNotificationReceived?.subcode === 3);
  t.ok(['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'].every((a) => router.speaker.peer(a)?.flaps === 0), 'the others never flapped');
  void peers;
});

t.test('listen range: dynamic neighbours come and go, and their routes with them', async (t) => {
  const api = socketPath();
  const yaml = baseYaml(api).replace(
    '  neighbors:',
    '  listenRanges: [{ prefix: 127.0.1.0/24, peerGroup: nodes }]\n  neighbors:',
  ).replace('  peerGroups:', '  peerGroups:\n    nodes: { remoteAs: 65101, routeMapIn: ANY, routeMapOut: ANY }');
  const router = await startRouter(config(yaml));
  t.teardown(() => router.stop());
  const port = router.speaker.listenAddress?.port as number;
  const c1 = await neighbour(t, '127.0.0.2', 65100, port);
  const node1 = await neighbour(t, '127.0.1.1', 65101, port);
  const node2 = await neighbour(t, '127.0.1.2', 65101, port);
  node1.announce('10.8.0.0/32');
  node2.announce('10.8.0.0/32');
  await waitFor('two dynamic neighbours', () => router.speaker.peers().filter((p) => p.dynamic && p.state === 'Established').length === 2);
  t.same(router.speaker.peers().filter((p) => p.dynamic).map((p) => [p.address, p.peerGroup]).sort(), [['127.0.1.1', 'nodes'], ['127.0.1.2', 'nodes']]);
  await waitFor('the route at the client', () => c1.routes('10.8.0.0/32')[0]);
  t.equal(router.speaker.routes('10.8.0.0/32')[0]?.paths.length, 2, 'both paths in the router');

  await node1.stop();
  await waitFor('node1 forgotten', () => router.speaker.peer('127.0.1.1') === undefined);
  t.equal(router.speaker.routes('10.8.0.0/32')[0]?.paths.length, 1, 'its path went with it');
  await node2.stop();
  await waitFor('route gone from the client', () => c1.routes('10.8.0.0/32').length === 0);

  const node3 = await neighbour(t, '127.0.1.3', 65101, port);
  await waitFor('node3 dynamic', () => router.speaker.peer('127.0.1.3')?.state === 'Established');
  const result = await router.reload(config(baseYaml(api)));
  t.same(result.dynamicDropped, ['127.0.1.3'], 'removing the range ends its dynamic neighbours');
  await waitFor('node3 forgotten', () => router.speaker.peer('127.0.1.3') === undefined);
  await sleep(1500);
  t.equal(router.speaker.peer('127.0.1.3'), undefined, 'and it cannot come back');
  void node3;
});

t.test('reload: a new router ID rebuilds the speaker; the API moves with it', async (t) => {
  const { router, api } = await rig(t);
  const old = router.speaker;
  // The neighbours dial the port the router has now: keep it.
  const port = router.speaker.listenAddress?.port as number;
  const next = baseYaml(api).replace('routerId: 10.0.0.1', 'routerId: 10.0.0.9').replace('port: 0 }', `port: ${port} }`);
  const result = await router.reload(config(next));
  t.same(result.restarted, ['router-id 10.0.0.1 → 10.0.0.9', 'listen address']);
  t.not(router.speaker, old, 'a new Speaker');
  await waitFor('sessions back', () => router.speaker.peers().every((p) => p.state === 'Established'), 15000);
  const summary = (await request({ socketPath: api }, 'GET', '/v1/summary')) as { routerId: string };
  t.equal(summary.routerId, '10.0.0.9', 'the API serves the new speaker');
});

t.test('a listener that cannot be opened: startRouter rejects; a reload to it keeps the running configuration', async (t) => {
  const first = await startRouter(config(baseYaml(socketPath())));
  t.teardown(() => first.stop());
  const port = first.speaker.listenAddress?.port as number;
  await t.rejects(startRouter(config(baseYaml(socketPath()).replace('port: 0 }', `port: ${port} }`))), /EADDRINUSE|address already in use/);

  const { router, api } = await rig(t);
  const before = router.config;
  await t.rejects(router.reload(config(baseYaml(api).replace('port: 0 }', `port: ${port} }`))), /EADDRINUSE|address already in use/);
  t.equal(router.config, before, 'the previous configuration is back');
  const summary = (await request({ socketPath: api }, 'GET', '/v1/summary')) as { peers: unknown[] };
  t.equal(summary.peers.length, 4, 'and serving');
});
