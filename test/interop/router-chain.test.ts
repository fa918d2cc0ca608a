/**
 * The seed's whole chain with tsbgpd at both ends, in a network namespace of the test's own: two announcer nodes
 * (`tsbgpd run`, MetalLB's resources, AS 65101) → the router (the seed's pfSense configuration as FRR text, with a
 * listen range for the nodes instead of one neighbour per node, and `maximum-paths 4`) → FRR as its
 * route-reflector client.
 *
 * What the seed shows: the Service gets 10.8.0.0, and the router's table lists 10.8.0.0/32 once per announcing
 * node, each node as next hop (ECMP); downstream FRR learns the route. When a node stops, its path goes; when
 * both have stopped, the route is gone downstream.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startDaemon } from '../helpers/daemons.js';
import { requireInterop, waitEstablished, waitFor, waitNoRoute, waitRoute } from '../helpers/interop.js';
import { Netns, typescriptLoader, type NodeProcess, type NsProcess } from '../helpers/netns.js';
import type { JsonObject } from '../helpers/json-lines.js';

const ROUTER_CHILD = fileURLToPath(new URL('../helpers/fixtures/router-child.ts', import.meta.url));
const TSBGPD = fileURLToPath(new URL('../../bin/tsbgpd.ts', import.meta.url));
const ROUTER = '192.168.3.1';
const FRR = '192.168.3.2';
const NODES = ['192.168.3.15', '192.168.3.16'] as const;

const metallb = (node: string): string => `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: rubrik-address-pool, namespace: metallb-system }
spec: { addresses: [10.8.0.0/16] }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: bgp-advertisement }
spec: { ipAddressPools: [rubrik-address-pool], aggregationLength: 32 }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: pfsense-peer }
spec: { myASN: 65101, peerASN: 65100, peerAddress: ${ROUTER}, sourceAddress: ${node}, connectTime: 2s }
---
apiVersion: v1
kind: Service
metadata:
  name: guestbook-ui
  namespace: example
  annotations: { metallb.universe.tf/address-pool: rubrik-address-pool }
spec: { type: LoadBalancer, ports: [{ port: 80, targetPort: 80 }], selector: { app: guestbook-ui } }
`;

const routerYaml = `apiVersion: tsbgpd.io/v1alpha1
kind: Router
metadata: { name: pfsense }
spec:
  listen: { address: ${ROUTER}, port: 179 }
  api: false
  frr: |
    route-map Permit-Any permit 100
    !
    router bgp 65100
     bgp router-id ${ROUTER}
     no bgp ebgp-requires-policy
     neighbor rubrik-metallb peer-group
     neighbor rubrik-metallb remote-as 65101
     bgp listen range 192.168.3.0/24 peer-group rubrik-metallb
     neighbor ${FRR} remote-as 65100
     neighbor ${FRR} timers connect 5
     !
     address-family ipv4 unicast
      maximum-paths 4
      neighbor rubrik-metallb route-map Permit-Any in
      neighbor rubrik-metallb route-map Permit-Any out
      neighbor ${FRR} route-reflector-client
     exit-address-family
    exit
`;

t.test('announcer nodes → router → FRR', async (t) => {
  if (!requireInterop(t, 'frr')) return;
  const ns = await Netns.create(t);
  for (const a of [ROUTER, FRR, ...NODES]) await ns.addAddress(a);

  writeFileSync(ns.path('router.yaml'), routerYaml);
  const router: NodeProcess = ns.spawnNode(ROUTER_CHILD, [ns.path('router.yaml')], {}, { log: 'router.log' });
  const ask = async (m: JsonObject): Promise<JsonObject> => router.channel.request(m, 15_000);
  t.teardown(async () => {
    if (router.running) await ask({ op: 'stop' }).catch(() => undefined);
    await router.stop(3000);
  });
  const ready = await router.channel.next((m) => typeof m['ready'] === 'boolean', 45_000);
  t.equal(ready['ready'], true, 'the router starts from the pfSense configuration');

  const frr = await startDaemon(t, 'frr', ns, { as: 65100, routerId: FRR, address: FRR, peers: [{ address: ROUTER, as: 65100 }] });
  await waitEstablished(t, frr, ROUTER, 60_000);

  const nodes: NsProcess[] = NODES.map((address, i) => {
    const config = ns.path(`metallb-${i + 1}.yaml`);
    writeFileSync(config, metallb(address));
    const args = ['--enable-source-maps', `--import=${typescriptLoader()}`, TSBGPD, 'run', '--config', config, '--node', `node${i + 1}`];
    args.push('--router-id', address, '--address', address, '--control', ns.path(`node${i + 1}.sock`), '--no-watch', '--log-format', 'json');
    return ns.spawn(process.execPath, args, { log: `node${i + 1}.log`, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1', TAP_TYPE_STRIP_ONLY: '0' } });
  });
  t.teardown(() => Promise.all(nodes.map((n) => n.stop(3000))));

  const paths = async (): Promise<JsonObject[]> => ((await ask({ op: 'routes' }))['paths'] as JsonObject[]).filter((p) => p['prefix'] === '10.8.0.0/32');
  const both = await waitFor(t, async () => {
    const p = await paths();
    return p.length === 2 ? p : undefined;
  }, { what: 'the router to hold 10.8.0.0/32 from both nodes', timeout: 90_000 });
  t.same(both.map((p) => p['nextHop']).sort(), [...NODES], 'each announcing node is a next hop');
  const peers = (await ask({ op: 'peers' }))['peers'] as { address: string; dynamic: boolean; peerGroup: string | null }[];
  t.same(peers.filter((p) => p.dynamic).map((p) => [p.address, p.peerGroup]).sort(), NODES.map((a) => [a, 'rubrik-metallb']), 'the nodes are dynamic neighbours of the group');
  const down = await waitRoute(t, frr, '10.8.0.0/32', (p) => p.from === ROUTER);
  t.same(down.asPath, [65101], 'FRR downstream learns it, AS_PATH of the nodes');
  t.ok((NODES as readonly string[]).includes(down.nextHop ?? ''), 'with a node as next hop (reflected unchanged)');

  await nodes[0]?.stop(5000);
  await waitFor(t, async () => (await paths()).length === 1, { what: 'the stopped node\'s path to go', timeout: 30_000 });
  t.equal((await paths())[0]?.['nextHop'], NODES[1], 'the other node\'s path remains');
  await waitRoute(t, frr, '10.8.0.0/32');
  await nodes[1]?.stop(5000);
  await waitNoRoute(t, frr, '10.8.0.0/32', 30_000);
  t.pass('with both nodes gone, so is the route downstream');
});
