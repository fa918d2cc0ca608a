/**
 * Router mode against real daemons (issue 5, "must show"), each in a network namespace of the test's own, the
 * router in a child process of its own (test/helpers/fixtures/router-child.ts) configured the way the seed's
 * pfSense box is — FRR `router bgp` text:
 *
 * - route reflection (RFC 4456 §6): FRR, BIRD and GoBGP as iBGP route-reflector clients; a client's route reaches
 *   the other clients and the non-clients with ORIGINATOR_ID and CLUSTER_LIST as each client's own CLI shows them
 *   (FRR `show bgp ipv4 unicast PREFIX json`, BIRD `show route all`, GoBGP `global rib -j`), and is not sent back
 *   to its originator; a non-client's route reaches the clients only; an eBGP peer's route reaches everyone
 *   unreflected, and the eBGP peer is sent everything with our AS prepended and no reflection attributes;
 * - dynamic neighbours from a listen range (GoBGP and FRR "nodes" announcing the same /32, MetalLB-style) come and
 *   go, and their paths with them; a reload that changes their inbound route map refreshes them without
 *   resetting anyone.
 */
import { writeFileSync } from 'node:fs';
import t from 'tap';
import { startDaemon, type BgpDaemon, type PathView } from '../helpers/daemons.js';
import { requireInterop, waitEstablished, waitFor, waitNoRoute, waitRoute } from '../helpers/interop.js';
import { Netns, type NodeProcess } from '../helpers/netns.js';
import type { JsonObject } from '../helpers/json-lines.js';

const ROUTER_CHILD = new URL('../helpers/fixtures/router-child.ts', import.meta.url).pathname;

interface RouterPeer {
  readonly address: string;
  readonly state: string;
  readonly dynamic: boolean;
  readonly peerGroup: string | null;
  readonly flaps: number;
}

/** The router child: started from a YAML file in the namespace's directory, driven over JSON lines. */
class RouterProcess {
  private constructor(
    readonly ns: Netns,
    readonly proc: NodeProcess,
  ) {}

  static async start(t: Tap.Test, ns: Netns, yaml: string): Promise<RouterProcess> {
    const file = ns.path('router.yaml');
    writeFileSync(file, yaml);
    const proc = ns.spawnNode(ROUTER_CHILD, [file], {}, { log: 'router.log' });
    const r = new RouterProcess(ns, proc);
    ns.onDestroy(() => r.stop());
    t.teardown(() => r.stop());
    const first = await proc.channel.next((m) => typeof m['ready'] === 'boolean', 45_000);
    if (first['ready'] !== true) throw new Error(`router did not start: ${JSON.stringify(first)}`);
    return r;
  }

  async request(m: JsonObject): Promise<JsonObject> {
    const reply = await this.proc.channel.request(m, 15_000);
    if (typeof reply['error'] === 'string') throw new Error(`router ${String(m['op'])}: ${reply['error']} ${JSON.stringify(reply['diagnostics'] ?? '')}`);
    return reply;
  }

  async peers(): Promise<RouterPeer[]> {
    return (await this.request({ op: 'peers' }))['peers'] as RouterPeer[];
  }

  async paths(prefix: string): Promise<JsonObject[]> {
    return ((await this.request({ op: 'routes' }))['paths'] as JsonObject[]).filter((p) => p['prefix'] === prefix);
  }

  async adjRibOut(peer: string): Promise<string[]> {
    return (await this.request({ op: 'adj-rib-out', peer }))['prefixes'] as string[];
  }

  async reload(yaml: string): Promise<JsonObject> {
    const file = this.ns.path('router-next.yaml');
    writeFileSync(file, yaml);
    return (await this.request({ op: 'reload', file }))['result'] as JsonObject;
  }

  async stop(): Promise<void> {
    if (!this.proc.running) return;
    try {
      await this.proc.channel.request({ op: 'stop' }, 5000);
    } catch {
      // wedged or gone: the signals settle it
    }
    await this.proc.stop(3000);
  }
}

declare namespace Tap {
  type Test = Parameters<Parameters<typeof t.test>[1]>[0];
}

/** ORIGINATOR_ID and CLUSTER_LIST of a path as the daemon's own CLI output shows them. */
function reflection(d: BgpDaemon, p: PathView): { originatorId: string | undefined; clusterList: string[] | undefined } {
  const raw = p.raw as Record<string, unknown>;
  switch (d.kind) {
    case 'frr': {
      const list = (raw['clusterList'] as { list?: string[] } | undefined)?.list;
      return { originatorId: raw['originatorId'] as string | undefined, clusterList: list };
    }
    case 'bird': {
      const cl = raw['BGP.cluster_list'] as string | undefined;
      return { originatorId: raw['BGP.originator_id'] as string | undefined, clusterList: cl === undefined ? undefined : cl.trim().split(/\s+/) };
    }
    case 'gobgp': {
      const attrs = (raw['attrs'] as Record<string, unknown>[] | undefined) ?? [];
      const originator = attrs.find((a) => a['type'] === 9);
      const cluster = attrs.find((a) => a['type'] === 10);
      return { originatorId: originator?.['value'] as string | undefined, clusterList: cluster?.['value'] as string[] | undefined };
    }
    default:
      throw new Error(`no reflection view for ${d.kind}`);
  }
}

const ROUTER = '172.30.0.1';
const CLUSTER = '10.255.0.1';

t.test('route reflection with FRR, BIRD and GoBGP clients, a non-client and an eBGP peer', async (t) => {
  if (!requireInterop(t, 'frr', 'bird', 'gobgp')) return;
  const ns = await Netns.create(t);
  const addrs = { router: ROUTER, c1: '172.30.0.11', c2: '172.30.0.12', c3: '172.30.0.13', n1: '172.30.0.21', n2: '172.30.0.22', e1: '172.30.0.31' };
  for (const a of Object.values(addrs)) await ns.addAddress(a);

  const router = await RouterProcess.start(
    t,
    ns,
    `apiVersion: tsbgpd.io/v1alpha1
kind: Router
metadata: { name: rr }
spec:
  listen: { address: ${ROUTER}, port: 179 }
  api: { socket: ${ns.path('router.sock')} }
  frr: |
    route-map Permit-Any permit 100
    !
    router bgp 65100
     bgp router-id ${ROUTER}
     bgp cluster-id ${CLUSTER}
     neighbor clients peer-group
     neighbor clients remote-as 65100
     neighbor clients timers connect 5
     neighbor ${addrs.c1} peer-group clients
     neighbor ${addrs.c2} peer-group clients
     neighbor ${addrs.c3} peer-group clients
     neighbor ${addrs.n1} remote-as 65100
     neighbor ${addrs.n2} remote-as 65100
     neighbor ${addrs.e1} remote-as 65200
     neighbor ${addrs.e1} description eBGP neighbour
     address-family ipv4 unicast
      neighbor clients route-reflector-client
      neighbor ${addrs.e1} route-map Permit-Any in
      neighbor ${addrs.e1} route-map Permit-Any out
     exit-address-family
    exit
`,
  );
  const peerOf = (address: string, as = 65100) => ({ address, as, peers: [{ address: ROUTER, as: 65100 }] });
  const routeOf = (address: string): string => `10.${address.split('.')[3]}.0.0/24`;
  const spec = (address: string, as = 65100) => ({ ...peerOf(address, as), routerId: address, routes: [{ prefix: routeOf(address) }] });
  const [c1, c2, c3, n1, n2, e1] = await Promise.all([
    startDaemon(t, 'frr', ns, spec(addrs.c1), 'frr-c1'),
    startDaemon(t, 'bird', ns, spec(addrs.c2), 'bird-c2'),
    startDaemon(t, 'gobgp', ns, spec(addrs.c3), 'gobgp-c3'),
    startDaemon(t, 'frr', ns, spec(addrs.n1), 'frr-n1'),
    startDaemon(t, 'bird', ns, spec(addrs.n2), 'bird-n2'),
    startDaemon(t, 'frr', ns, spec(addrs.e1, 65200), 'frr-e1'),
  ]);
  const daemons = { c1, c2, c3, n1, n2, e1 };
  for (const d of Object.values(daemons)) await waitEstablished(t, d, ROUTER, 60_000);
  await waitFor(t, async () => (await router.peers()).every((p) => p.state === 'Established'), { what: 'the router to have every session up', timeout: 30_000 });

  const clients = { c1, c2, c3 } as const;
  const nonClients = { n1, n2 } as const;

  await t.test('a client route reaches the other clients and the non-clients, reflected', async (t) => {
    for (const [from, fromDaemon] of Object.entries(clients)) {
      const address = addrs[from as keyof typeof addrs];
      const prefix = routeOf(address);
      for (const [to, d] of Object.entries({ ...clients, ...nonClients })) {
        if (to === from) continue;
        const p = await waitRoute(t, d, prefix, (x) => x.from !== undefined);
        t.same(reflection(d, p), { originatorId: address, clusterList: [CLUSTER] }, `${d.kind} ${to} shows ${prefix} from ${from} with ORIGINATOR_ID ${address} and CLUSTER_LIST ${CLUSTER}`);
        t.equal(p.nextHop, address, `${to}: next hop unchanged by reflection`);
      }
      t.notOk((await router.adjRibOut(address)).includes(prefix), `${prefix} is not sent back to ${from}`);
      const own = (await fromDaemon.routes()).get(prefix) ?? [];
      t.same(own.map((p) => p.from), [undefined], `${from} holds only its own path for ${prefix}`);
    }
  });

  await t.test("FRR's own words: show bgp ipv4 unicast PREFIX json", async (t) => {
    const shown = (await c1.json(`show bgp ipv4 unicast ${routeOf(addrs.c2)} json`)) as { paths?: Record<string, unknown>[] };
    const path = shown.paths?.[0];
    t.same(
      [path?.['originatorId'], (path?.['clusterList'] as { list?: string[] } | undefined)?.list],
      [addrs.c2, [CLUSTER]],
      'originatorId and clusterList of the reflected path',
    );
  });

  await t.test('a non-client route reaches the clients only (RFC 4456 §6)', async (t) => {
    const prefix = routeOf(addrs.n1);
    for (const [to, d] of Object.entries(clients)) {
      const p = await waitRoute(t, d, prefix, (x) => x.from !== undefined);
      t.same(reflection(d, p), { originatorId: addrs.n1, clusterList: [CLUSTER] }, `${to} gets it, reflected`);
    }
    t.notOk((await n2.routes()).has(prefix), 'not to the other non-client');
    t.notOk((await router.adjRibOut(addrs.n2)).includes(prefix), 'the router never sent it there');
    t.notOk((await router.adjRibOut(addrs.n1)).includes(prefix), 'nor back to its source');
    t.ok((await router.adjRibOut(addrs.e1)).includes(prefix), 'but to the eBGP peer');
  });

  await t.test('an eBGP route reaches every iBGP peer, unreflected; the eBGP peer gets everything', async (t) => {
    const prefix = routeOf(addrs.e1);
    for (const [to, d] of Object.entries({ ...clients, ...nonClients })) {
      const p = await waitRoute(t, d, prefix, (x) => x.from !== undefined);
      t.same(reflection(d, p), { originatorId: undefined, clusterList: undefined }, `${to}: no ORIGINATOR_ID or CLUSTER_LIST on an eBGP-learned route`);
      t.same(p.asPath, [65200], `${to}: AS_PATH as e1 sent it`);
    }
    for (const source of [addrs.c1, addrs.c2, addrs.c3, addrs.n1, addrs.n2]) {
      const p = await waitRoute(t, e1, routeOf(source), (x) => x.from !== undefined);
      t.same(p.asPath, [65100], `e1 gets ${routeOf(source)} with our AS prepended`);
      t.same(reflection(e1, p), { originatorId: undefined, clusterList: undefined }, 'and no reflection attributes');
    }
  });
});

t.test('dynamic neighbours from a listen range come and go; a policy reload refreshes without a reset', async (t) => {
  if (!requireInterop(t, 'frr', 'gobgp')) return;
  const ns = await Netns.create(t);
  const observer = '172.30.0.11';
  const nodes = ['172.30.1.1', '172.30.1.2'];
  for (const a of [ROUTER, observer, ...nodes]) await ns.addAddress(a);
  const yaml = (inbound: string): string => `apiVersion: tsbgpd.io/v1alpha1
kind: Router
metadata: { name: rr-dynamic }
spec:
  asn: 65100
  routerId: ${ROUTER}
  maximumPaths: 4
  listen: { address: ${ROUTER}, port: 179 }
  api: false
  peerGroups:
    nodes: { remoteAs: 65101, routeMapIn: ${inbound}, routeMapOut: Permit-Any }
  listenRanges: [{ prefix: 172.30.1.0/24, peerGroup: nodes }]
  neighbors:
    - { address: ${observer}, remoteAs: 65100, routeReflectorClient: true, connectRetryTime: 5 }
  policy: |
    route-map Permit-Any permit 100
    route-map Tag permit 10
     set community 65100:8
`;
  const router = await RouterProcess.start(t, ns, yaml('Permit-Any'));
  const frr = await startDaemon(t, 'frr', ns, { as: 65100, routerId: observer, address: observer, peers: [{ address: ROUTER, as: 65100 }] }, 'frr-observer');
  const node = (address: string) => ({ as: 65101, routerId: address, address, peers: [{ address: ROUTER, as: 65100 }], routes: [{ prefix: '10.8.0.0/32' }] });
  const gobgp = await startDaemon(t, 'gobgp', ns, node(nodes[0] as string), 'gobgp-node');
  const frrNode = await startDaemon(t, 'frr', ns, node(nodes[1] as string), 'frr-node');
  await waitEstablished(t, frr, ROUTER, 60_000);

  const dynamic = async (): Promise<RouterPeer[]> => (await router.peers()).filter((p) => p.dynamic);
  await waitFor(t, async () => (await dynamic()).filter((p) => p.state === 'Established').length === 2, { what: 'two dynamic neighbours up', timeout: 60_000 });
  t.same((await dynamic()).map((p) => [p.address, p.peerGroup]).sort(), nodes.map((a) => [a, 'nodes']), 'accepted from the range into the group');
  await waitFor(t, async () => (await router.paths('10.8.0.0/32')).length === 2, { what: 'both paths at the router' });
  const seen = await waitRoute(t, frr, '10.8.0.0/32', (p) => p.from === ROUTER);
  t.same(seen.asPath, [65101], 'the observer sees the nodes\' route');

  const observerFlaps = (await router.peers()).find((p) => p.address === observer)?.flaps;
  const result = await router.reload(yaml('Tag'));
  t.same([...(result['refreshedIn'] as string[])].sort(), nodes, 'ROUTE-REFRESH to both dynamic neighbours');
  t.same(result['reset'], [], 'no reset');
  await waitRoute(t, frr, '10.8.0.0/32', (p) => p.communities.includes('65100:8'));
  t.pass('the new inbound route map applies to what the nodes send');
  t.equal((await router.peers()).find((p) => p.address === observer)?.flaps, observerFlaps, 'the observer session did not flap');

  await gobgp.stop();
  await waitFor(t, async () => !(await router.peers()).some((p) => p.address === nodes[0]), { what: 'the stopped node to be forgotten' });
  t.equal((await router.paths('10.8.0.0/32')).length, 1, 'its path went with it');
  await waitRoute(t, frr, '10.8.0.0/32');
  await frrNode.stop();
  await waitNoRoute(t, frr, '10.8.0.0/32');
  t.same(await dynamic(), [], 'no dynamic neighbour left');
});
