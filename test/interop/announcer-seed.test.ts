/**
 * The seed's "Put it to the test", end to end: MetalLB's YAML in, `tsbgpd run` on every node, and the router's own
 * CLI showing what the seed shows — `10.8.0.0/32` with each announcing node as next hop — plus what an operator
 * does next: a second Service, a deleted Service, a restarted node. One namespace per router, the routers in
 * parallel:
 * - FRR configured as the seed's pfSense (/work/shared/metallb.md, "pfSense's FRR package → FRR configuration"):
 *   AS 65100, router-id 192.168.3.1, route map Permit-Any (permit 100) defined before `router bgp`, peer group
 *   rubrik-metallb (remote-as 65101) holding the four nodes, activated for IPv4 unicast with Permit-Any in and
 *   out, `no bgp ebgp-requires-policy`, `maximum-paths 4`, `bgp route-map delay-timer 0`; bgpd without zebra.
 *   `show bgp ipv4 unicast json` must list the /32 with four next hops: one best path and three multipaths;
 * - BIRD 2 and GoBGP as the router, two nodes each: their CLIs (`birdc show route all`, `gobgp global rib -j`)
 *   must list the /32 with one path per node, each with that node's address as next hop.
 * Each node runs the real CLI (`tsbgpd run --config DIR --node … --router-id … --state-file … --status-file …
 * --control …`, see test/helpers/announcer-node.ts) with the seed's IPAddressPool, BGPAdvertisement
 * (aggregationLength 32), a BGPPeer toward the router (its `sourceAddress` the node's own address, so the router
 * sees four distinct next hops) and the guestbook-ui Service. Steps, on every node at once:
 *  1. start: the router shows 10.8.0.0/32 from every node; `tsbgpd services` says guestbook-ui has ingress
 *     10.8.0.0 and the status file has it as status.loadBalancer.ingress;
 *  2. a second Service file appears: it gets 10.8.0.1 everywhere and the router shows 10.8.0.1/32 from every node;
 *  3. guestbook-ui's file is deleted: the router drops 10.8.0.0/32, 10.8.0.1/32 stays;
 *  4. the first node is restarted (SIGTERM: its path disappears from the router, FRR records Cease 6/2; then the
 *     same command again): it keeps 10.8.0.1 from its state file — a fresh allocation would have given the Service
 *     the now free 10.8.0.0 — and the router has the path back; 10.8.0.0/32 never comes back.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import t, { type Test } from 'tap';
import { parse as parseYaml } from 'yaml';
import { AnnouncerNode, seedResources, serviceYaml, startNodes, tsbgpdCli } from '../helpers/announcer-node.js';
import { startDaemon, type BgpDaemon, type Frr } from '../helpers/daemons.js';
import { asArray, asObject, asString } from '../helpers/daemons/types.js';
import { requireInterop, waitFor } from '../helpers/interop.js';
import { Netns } from '../helpers/netns.js';
import { pfsenseFrrConfig } from '../helpers/seed.js';

const ROUTER = '172.30.0.1';
const ROUTER_AS = 65100;
const NODE_AS = 65101;
/** pfSense's router ID in the seed: FRR's identifier, not an address of the test. */
const PFSENSE_ROUTER_ID = '192.168.3.1';
const FIRST = '10.8.0.0/32';
const SECOND = '10.8.0.1/32';
const WAIT_MS = 30_000;

const namespaces: Netns[] = [];


interface RouterCase {
  readonly kind: 'frr' | 'bird' | 'gobgp';
  readonly nodes: number;
  start(t: Test, ns: Netns, nodes: readonly string[]): Promise<BgpDaemon>;
  /** More of the router's own view once every node's path for `prefix` is in. */
  checkAll?(t: Test, router: BgpDaemon, prefix: string, nodes: readonly string[]): Promise<void>;
  /**
   * Called before `node` is stopped with SIGTERM; the check it returns runs once the router has dropped the
   * node's path, on what the router recorded about the end of the session.
   */
  watchStop?(t: Test, router: BgpDaemon, node: string): Promise<() => Promise<void>>;
}

/** FRR's `show bgp ipv4 unicast json` paths for `prefix`. */
async function frrPaths(frr: Frr, prefix: string): Promise<Record<string, unknown>[]> {
  const table = asObject(asObject(await frr.json('show bgp ipv4 unicast json'))['routes']);
  return asArray(table[prefix]).map(asObject);
}

/** FRR's message counters for a neighbor (`messageStats` of `show bgp neighbors X json`). */
async function frrMessageStats(frr: Frr, address: string): Promise<Record<string, unknown>> {
  return asObject(asObject((await frr.peer(address))?.raw)['messageStats']);
}

const CASES: readonly RouterCase[] = [
  {
    kind: 'frr',
    nodes: 4,
    // The helper writes its own `router bgp` block (router-id, RFC 8212 off, no neighbours); the pfSense lines
    // follow it, each route map defined before the `router bgp` block that uses it.
    start: async (t, ns, nodes) => {
      const frr = await startDaemon(t, 'frr', ns, {
        as: ROUTER_AS,
        routerId: PFSENSE_ROUTER_ID,
        address: ROUTER,
        peers: [],
        extraConfig: pfsenseFrrConfig(nodes, { maximumPaths: 4 }),
      });
      // What bgpd made of it: every line of the seed's GUI steps is in its running configuration.
      const running = (await frr.vtysh('show running-config')).split('\n').map((l) => l.trim());
      const want = [
        'bgp route-map delay-timer 0',
        'route-map Permit-Any permit 100',
        `router bgp ${ROUTER_AS}`,
        `bgp router-id ${PFSENSE_ROUTER_ID}`,
        'no bgp ebgp-requires-policy',
        'neighbor rubrik-metallb peer-group',
        `neighbor rubrik-metallb remote-as ${NODE_AS}`,
        ...nodes.map((a) => `neighbor ${a} peer-group rubrik-metallb`),
        'maximum-paths 4',
        'neighbor rubrik-metallb activate',
        'neighbor rubrik-metallb route-map Permit-Any in',
        'neighbor rubrik-metallb route-map Permit-Any out',
      ];
      t.same(want.filter((l) => !running.includes(l)), [], 'FRR runs the pfSense configuration');
      return frr;
    },
    checkAll: async (t, router, prefix, nodes) => {
      const frr = router as Frr;
      // Multipath flags come from FRR's best-path run, which may trail the arrival of the last path a little.
      let paths: Record<string, unknown>[] = [];
      await waitFor(
        t,
        async () => {
          paths = await frrPaths(frr, prefix);
          return paths.length === nodes.length && paths.every((p) => p['bestpath'] === true || p['multipath'] === true);
        },
        { what: `FRR to mark every path of ${prefix} best or multipath`, timeout: WAIT_MS },
      ).catch(() => undefined); // the assertions below say what is wrong
      const hops = paths.map((p) => asString(asObject(asArray(p['nexthops'])[0])['ip'])).sort();
      t.same(hops, [...nodes].sort(), `show bgp ipv4 unicast json: ${prefix} with the ${nodes.length} nodes as next hops`);
      t.ok(paths.every((p) => p['valid'] === true), 'every path valid');
      t.equal(paths.filter((p) => p['bestpath'] === true).length, 1, 'one best path');
      t.equal(
        paths.filter((p) => p['bestpath'] !== true && p['multipath'] === true).length,
        nodes.length - 1,
        'and every other one a multipath (ECMP across the nodes)',
      );
      const detail = asObject(await frr.json(`show bgp ipv4 unicast ${prefix} json`));
      t.ok(asArray(detail['paths']).every((p) => asObject(p)['multipath'] === true), `show bgp ipv4 unicast ${prefix}: all multipath`);
    },
    watchStop: async (t, router, node) => {
      const frr = router as Frr;
      const before = await frrMessageStats(frr, node);
      return async () => {
        const seen = await waitFor(
          t,
          async () => {
            const p = await frr.peer(node);
            return p?.state !== 'Established' && p?.lastNotification?.code !== undefined ? p : undefined;
          },
          { what: `FRR to record why ${node} went down`, timeout: WAIT_MS },
        );
        t.match(
          seen.lastNotification,
          { direction: 'received', code: 6, subcode: 2, shutdownMessage: /tsbgpd stopping \(SIGTERM\)/ },
          'FRR received Cease / Administrative Shutdown with an RFC 9003 message',
        );
        const after = await frrMessageStats(frr, node);
        // The node withdraws its one route before it says goodbye (docs/announcer.md: shutdown drains).
        // (FRR 8.4's notificationsRecv counts one received NOTIFICATION twice — seen against a capture — so only
        // the UPDATE counter is compared; the NOTIFICATION itself is checked above.)
        t.equal(Number(after['updatesRecv']) - Number(before['updatesRecv']), 1, 'one UPDATE (the withdrawal) came before the Cease');
      };
    },
  },
  {
    kind: 'bird',
    nodes: 2,
    start: (t, ns, nodes) =>
      startDaemon(t, 'bird', ns, {
        as: ROUTER_AS,
        routerId: ROUTER,
        address: ROUTER,
        peers: nodes.map((address) => ({ address, as: NODE_AS })),
      }),
  },
  {
    kind: 'gobgp',
    nodes: 2,
    start: (t, ns, nodes) =>
      startDaemon(t, 'gobgp', ns, {
        as: ROUTER_AS,
        routerId: ROUTER,
        address: ROUTER,
        peers: nodes.map((address) => ({ address, as: NODE_AS })),
      }),
  },
];

/** The next hops of the router's paths for `prefix`, sorted (undefined hops as ''). */
async function nextHops(router: BgpDaemon, prefix: string): Promise<string[]> {
  const paths = (await router.routes('ipv4')).get(prefix) ?? [];
  return paths.map((p) => p.nextHop ?? '').sort();
}

/** Wait until the router's paths for `prefix` have exactly `want` as next hops (none: the prefix is gone). */
async function waitNextHops(t: Test, router: BgpDaemon, prefix: string, want: readonly string[]): Promise<void> {
  const sorted = [...want].sort();
  let last: string[] = [];
  await waitFor(
    t,
    async () => {
      last = await nextHops(router, prefix);
      return last.length === sorted.length && last.every((h, i) => h === sorted[i]);
    },
    { what: `${router.kind} to show ${prefix} via ${sorted.length === 0 ? 'nothing' : sorted.join(', ')}`, timeout: WAIT_MS },
  ).catch((err: unknown) => {
    throw Object.assign(err instanceof Error ? err : new Error(String(err)), { found: last });
  });
}

/** The Service's ingress addresses in the node's status file (status.loadBalancer.ingress). */
function statusIngress(node: AnnouncerNode, name: string): string[] | undefined {
  const list = asObject(parseYaml(node.statusText()));
  const item = asArray(list['items']).map(asObject).find((s) => asObject(s['metadata'])['name'] === name);
  if (item === undefined) return undefined;
  const ingress = asArray(asObject(asObject(item['status'])['loadBalancer'])['ingress']);
  return ingress.map((i) => String(asObject(i)['ip']));
}

/**
 * The Service as `tsbgpd services --json` shows it (`via: 'cli'`: the command itself; `'api'`: the control API
 * endpoint it reads — from TypeScript source, each command costs seconds of CPU) and in the status file.
 */
async function expectService(t: Test, node: AnnouncerNode, name: string, ip: string, via: 'cli' | 'api'): Promise<void> {
  const services = via === 'cli' ? await node.services() : await node.servicesApi();
  t.match(
    services.find((s) => s.name === name),
    { namespace: 'example', name, pool: 'rubrik-address-pool', ingress: [{ ip }], announced: [`${ip}/32`] },
    `${node.name}: ${via === 'cli' ? 'tsbgpd services' : 'GET /v1/services'}: ${name} has ingress ${ip}, announced as ${ip}/32`,
  );
  // The status file is written a moment after a change (it is informational, lib/announcer/run.ts): wait for it.
  const shown = (): string[] | undefined => {
    try {
      return statusIngress(node, name);
    } catch {
      return undefined; // not written yet
    }
  };
  const ingress = await waitFor(t, () => (shown()?.join(',') === ip ? shown() : undefined), {
    what: `${node.name}'s status file to show ${name} at ${ip}`,
    timeout: 10_000,
  }).catch(() => shown());
  t.same(ingress, [ip], `${node.name}: status file: ${name} status.loadBalancer.ingress [${ip}]`);
}

t.test('the seed, end to end: MetalLB YAML → tsbgpd run on every node → the router', async (t) => {
  t.jobs = CASES.length;
  t.comment(`nodes run ${tsbgpdCli().entry} (${tsbgpdCli().script}): ${tsbgpdCli().why}`);

  for (const c of CASES) {
    t.test(`${c.kind} as the router, ${c.nodes} nodes`, async (t) => {
      if (!requireInterop(t, c.kind)) return;
      const ns = await Netns.create(t);
      namespaces.push(ns);
      const addrs = Array.from({ length: c.nodes }, (_, i) => `172.30.0.${11 + i}`);
      await Promise.all([ROUTER, ...addrs].map((a) => ns.addAddress(a)));
      // The router first: the nodes only dial (as MetalLB's speaker), with a backoff after a refused attempt.
      const router = await c.start(t, ns, addrs);
      let mark = Date.now();
      const took = (what: string): void => {
        t.comment(`${c.kind}: ${what} in ${Date.now() - mark} ms`);
        mark = Date.now();
      };
      const nodes = await startNodes(
        ns,
        addrs.map((address, i) => ({
          name: `node${i + 1}`,
          routerId: address,
          files: {
            'metallb.yaml': seedResources({ routerAddress: ROUTER, routerAs: ROUTER_AS, nodeAs: NODE_AS, sourceAddress: address }),
            'guestbook-ui.yaml': serviceYaml('guestbook-ui'),
          },
        })),
      );

      took(`${c.nodes} nodes started`);

      // 1. The seed's result.
      await waitNextHops(t, router, FIRST, addrs);
      took(`${FIRST} from every node`);
      t.pass(`${c.kind} shows ${FIRST} via every node`);
      await c.checkAll?.(t, router, FIRST, addrs);
      for (const node of nodes) await expectService(t, node, 'guestbook-ui', '10.8.0.0', 'cli');
      const table = await nodes[0]!.run(['services', '--socket', nodes[0]!.controlSocket]);
      t.match(table, /^example\s+guestbook-ui\s+rubrik-address-pool\s+10\.8\.0\.0\s+10\.8\.0\.0\/32$/m, 'tsbgpd services (table)');

      // 2. A second Service.
      mark = Date.now();
      for (const node of nodes) node.writeFile('guestbook-api.yaml', serviceYaml('guestbook-api'));
      await waitNextHops(t, router, SECOND, addrs);
      took(`${SECOND} from every node after its Service file appeared`);
      t.pass(`a second Service: ${c.kind} shows ${SECOND} via every node`);
      await c.checkAll?.(t, router, SECOND, addrs);
      for (const node of nodes) await expectService(t, node, 'guestbook-api', '10.8.0.1', 'api');

      // 3. Deleting a Service withdraws its route.
      mark = Date.now();
      for (const node of nodes) node.deleteFile('guestbook-ui.yaml');
      await waitNextHops(t, router, FIRST, []);
      took(`${FIRST} withdrawn after its Service file was deleted`);
      t.pass(`guestbook-ui deleted: ${c.kind} dropped ${FIRST}`);
      t.same(await nextHops(router, SECOND), [...addrs].sort(), `${SECOND} stays, via every node`);
      for (const node of nodes) {
        t.same((await node.servicesApi()).map((s) => s.name), ['guestbook-api'], `${node.name}: only guestbook-api left`);
        t.same(Object.keys(node.state().services), ['example/guestbook-api'], `${node.name}: state file released guestbook-ui`);
      }

      // 4. A restart keeps the addresses.
      const [first, ...others] = nodes;
      const afterStop = await c.watchStop?.(t, router, addrs[0]!);
      mark = Date.now();
      const stopped = await first!.stop();
      t.same(stopped, { code: 0, signal: null }, `${first!.name}: SIGTERM, exit 0`);
      await waitNextHops(t, router, SECOND, addrs.slice(1));
      took('node stopped and its path gone');
      t.pass(`${c.kind} dropped ${first!.name}'s path when it stopped`);
      await afterStop?.();
      t.same(first!.state().services['example/guestbook-api']?.addresses, ['10.8.0.1'], 'its state file holds 10.8.0.1');
      await first!.restart();
      await waitNextHops(t, router, SECOND, addrs);
      took('node restarted and its path back');
      t.pass(`restarted: ${c.kind} has ${SECOND} via every node again`);
      await expectService(t, first!, 'guestbook-api', '10.8.0.1', 'cli');
      t.same(await nextHops(router, FIRST), [], `${FIRST} (free again) was not announced by the restarted node`);
      for (const node of others) t.ok(node.running, `${node.name} still running`);
    });
  }
});

t.test('nothing is left behind', async (t) => {
  if (!requireInterop(t)) return;
  const listed = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const ns of namespaces) {
    t.ok(ns.destroyed && !listed.includes(ns.name), `${ns.name} destroyed`);
    t.notOk(existsSync(ns.dir), `${ns.dir} removed`);
  }
  t.equal(spawnSync('pgrep', ['-f', `/tmp/tsbgp-${process.pid}-`]).status, 1, 'no process uses our work directories');
});
