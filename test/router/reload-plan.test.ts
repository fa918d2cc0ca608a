// planReload: which reload resets which session, which only refreshes, which waits for the next session — worked
// out from two configurations alone. Policy is compared by meaning (route map closure), not by name.
import t from 'tap';
import { loadRouterConfig, type RouterConfig } from '../../lib/config/router-index.js';
import { formatDiagnostic } from '../../lib/config/index.js';
import { isEmptyPlan, planReload, routeMapFingerprint } from '../../lib/router/index.js';

function config(spec: string): RouterConfig {
  const r = loadRouterConfig({ name: 'router.yaml', text: `apiVersion: tsbgpd.io/v1alpha1\nkind: Router\nspec:\n${spec}` });
  if (!r.ok) throw new Error(r.errors.map(formatDiagnostic).join('\n'));
  return r.config;
}

/** A base spec: group `nodes` (eBGP, route maps), a client, a plain eBGP peer without policy. */
const BASE = {
  instance: '  asn: 65100\n  routerId: 10.0.0.1\n',
  groups: '  peerGroups:\n    nodes: { remoteAs: 65101, routeMapIn: IN, routeMapOut: OUT }\n',
  neighbors:
    '  neighbors:\n    - { address: 10.0.0.2, peerGroup: nodes }\n    - { address: 10.0.0.3, peerGroup: nodes }\n    - { address: 10.0.0.4, remoteAs: 65100, routeReflectorClient: true }\n    - { address: 10.0.0.5, remoteAs: 65200 }\n',
  ranges: '  listenRanges: [{ prefix: 10.1.0.0/24, peerGroup: nodes }]\n',
  networks: '  networks: [10.9.0.0/16]\n',
  policy:
    '  policy: |\n    ip prefix-list NODES seq 5 permit 10.8.0.0/16 le 32\n    ip prefix-list OTHER seq 5 permit 10.7.0.0/16\n    route-map IN permit 10\n     match ip address prefix-list NODES\n    route-map OUT permit 10\n',
};
type Parts = typeof BASE;
const build = (p: Partial<Parts> = {}): RouterConfig => {
  const parts = { ...BASE, ...p };
  return config(parts.instance + parts.groups + parts.neighbors + parts.ranges + parts.networks + parts.policy);
};

t.test('the same configuration: nothing to do', async (t) => {
  t.ok(isEmptyPlan(planReload(build(), build())));
});

t.test('instance settings rebuild the speaker', async (t) => {
  const p = planReload(build(), build({ instance: '  asn: 65100\n  routerId: 10.0.0.9\n  clusterId: 10.0.0.1\n  maximumPaths: 4\n  listenLimit: 5\n' }));
  t.same(p.restart, ['router-id 10.0.0.1 → 10.0.0.9', 'maximum-paths 1 → 4', 'listen limit 100 → 5']);
  const same = planReload(build(), build({ instance: '  asn: 65100\n  routerId: 10.0.0.1\n  clusterId: 10.0.0.1\n' }));
  t.same(same.restart, [], 'a cluster ID equal to the router ID is no change');
});

t.test('a session setting resets exactly the neighbours it applies to', async (t) => {
  const own = planReload(build(), build({ neighbors: BASE.neighbors.replace('{ address: 10.0.0.4, remoteAs: 65100, routeReflectorClient: true }', '{ address: 10.0.0.4, remoteAs: 65100, routeReflectorClient: true, holdTime: 30, keepaliveTime: 10 }') }));
  t.same(own.changedNeighbors, [{ name: '10.0.0.4', reset: ['hold time', 'keepalive'], deferred: [], refreshIn: false, refreshOut: false, admin: undefined }]);
  t.same(own.changedGroups, []);

  const group = planReload(build(), build({ groups: '  peerGroups:\n    nodes: { remoteAs: 65101, routeMapIn: IN, routeMapOut: OUT, families: [ipv4-unicast, ipv6-unicast] }\n' }));
  t.same(group.changedNeighbors.map((c) => [c.name, c.reset]), [['10.0.0.2', ['address families']], ['10.0.0.3', ['address families']]], 'every static member');
  t.same(group.changedGroups.map((c) => [c.name, c.reset]), [['nodes', ['address families']]], 'and the group, for its dynamic members');

  const reordered = planReload(
    build({ groups: '  peerGroups:\n    nodes: { remoteAs: 65101, routeMapIn: IN, routeMapOut: OUT, families: [ipv6-unicast, ipv4-unicast] }\n' }),
    build({ groups: '  peerGroups:\n    nodes: { remoteAs: 65101, routeMapIn: IN, routeMapOut: OUT, families: [ipv4-unicast, ipv6-unicast] }\n' }),
  );
  t.ok(isEmptyPlan(reordered), 'the order families are listed in is no change');
  const explicitDefault = planReload(build(), build({ neighbors: BASE.neighbors.replace('remoteAs: 65200 }', 'remoteAs: 65200, families: [ipv4-unicast], passive: false }') }));
  t.ok(isEmptyPlan(explicitDefault), 'writing a default out is no change');

  const moved = planReload(build(), build({ neighbors: BASE.neighbors.replace('{ address: 10.0.0.3, peerGroup: nodes }', '{ address: 10.0.0.3, remoteAs: 65101, routeMapIn: IN, routeMapOut: OUT }') }));
  t.same(moved.changedNeighbors.map((c) => [c.name, c.reset]), [['10.0.0.3', ['peer-group']]], 'leaving the peer group, even with the same settings');
});

t.test('description and connect timer wait for the next session', async (t) => {
  const p = planReload(build(), build({ groups: '  peerGroups:\n    nodes: { remoteAs: 65101, routeMapIn: IN, routeMapOut: OUT, description: k8s, connectRetryTime: 9 }\n' }));
  t.same(p.changedNeighbors.map((c) => [c.name, c.reset, c.deferred]), [
    ['10.0.0.2', [], ['description', 'connect timer']],
    ['10.0.0.3', [], ['description', 'connect timer']],
  ]);
});

t.test('policy: compared by meaning, refreshing only the direction and the peers concerned', async (t) => {
  const renamed = planReload(build(), build({ groups: BASE.groups.replace('routeMapOut: OUT', 'routeMapOut: IN') }));
  t.same(renamed.changedNeighbors.map((c) => [c.name, c.refreshIn, c.refreshOut, c.reset]), [
    ['10.0.0.2', false, true, []],
    ['10.0.0.3', false, true, []],
  ], 'another route map out: refresh out');
  t.same(renamed.changedGroups.map((c) => [c.name, c.refreshIn, c.refreshOut]), [['nodes', false, true]], 'and the dynamic members');

  const listEdit = planReload(build(), build({ policy: BASE.policy.replace('10.8.0.0/16 le 32', '10.8.0.0/16 le 24') }));
  t.same(listEdit.changedNeighbors.map((c) => [c.name, c.refreshIn, c.refreshOut]), [
    ['10.0.0.2', true, false],
    ['10.0.0.3', true, false],
  ], 'a prefix list the inbound map uses');

  const unrelated = planReload(build(), build({ policy: BASE.policy.replace('10.7.0.0/16', '10.6.0.0/16') }));
  t.ok(isEmptyPlan(unrelated), 'a list no route map in use reaches: nothing');

  const called = (extra: string): RouterConfig => build({ policy: `${BASE.policy}     call SUB\n    route-map SUB permit 10\n${extra}` });
  const viaCall = planReload(called(''), called('     set metric 5\n'));
  t.same(viaCall.changedNeighbors.map((c) => [c.name, c.refreshOut]), [['10.0.0.2', true], ['10.0.0.3', true]], 'a route map reached through call');
});

t.test('RFC 8212 switched: only eBGP directions without a route map are refreshed', async (t) => {
  const p = planReload(build(), build({ instance: `${BASE.instance}  ebgpRequiresPolicy: false\n` }));
  t.same(p.restart, []);
  t.same(p.changedNeighbors.map((c) => [c.name, c.refreshIn, c.refreshOut]), [['10.0.0.5', true, true]]);
});

t.test('administrative state, neighbours, ranges, networks, listeners', async (t) => {
  const down = planReload(build(), build({ neighbors: BASE.neighbors.replace('remoteAs: 65200 }', 'remoteAs: 65200, shutdown: true }') }));
  t.same(down.changedNeighbors.map((c) => [c.name, c.admin, c.reset]), [['10.0.0.5', 'shutdown', []]]);
  const up = planReload(build({ neighbors: BASE.neighbors.replace('remoteAs: 65200 }', 'remoteAs: 65200, shutdown: true }') }), build());
  t.same(up.changedNeighbors.map((c) => [c.name, c.admin]), [['10.0.0.5', 'enable']]);

  const p = planReload(
    build(),
    build({
      neighbors: BASE.neighbors.replace('    - { address: 10.0.0.5, remoteAs: 65200 }\n', '    - { address: 10.0.0.6, remoteAs: 65300 }\n'),
      ranges: '  listenRanges: [{ prefix: 10.2.0.0/24, peerGroup: nodes }]\n',
      networks: '  networks: [{ prefix: 10.9.0.0/16, communities: ["65100:1"] }, 10.10.0.0/16]\n',
      instance: `${BASE.instance}  api: false\n  metrics: { address: "127.0.0.1:9100" }\n`,
    }),
  );
  t.same(p.addNeighbors.map((n) => n.address), ['10.0.0.6']);
  t.same(p.removeNeighbors, ['10.0.0.5']);
  t.same(p.addRanges, [{ prefix: '10.2.0.0/24', peerGroup: 'nodes' }]);
  t.same(p.removeRanges, [{ prefix: '10.1.0.0/24', peerGroup: 'nodes' }]);
  t.same(p.announce.map((n) => n.prefix), ['10.9.0.0/16', '10.10.0.0/16'], 'new attributes are announced again; new networks too');
  t.same(p.withdraw, []);
  t.same([p.api, p.metrics], [true, true]);
});

t.test('the pfSense configuration rewritten from FRR text to YAML is no change at all', async (t) => {
  const frr = config(`  frr: |
    route-map Permit-Any permit 100
    router bgp 65100
     bgp router-id 192.168.3.1
     no bgp ebgp-requires-policy
     neighbor rubrik-metallb peer-group
     neighbor rubrik-metallb remote-as 65101
     neighbor 192.168.3.15 peer-group rubrik-metallb
     address-family ipv4 unicast
      neighbor rubrik-metallb route-map Permit-Any in
      neighbor rubrik-metallb route-map Permit-Any out
      neighbor 192.168.3.15 activate
     exit-address-family
`);
  const yaml = config(`  asn: 65100
  routerId: 192.168.3.1
  ebgpRequiresPolicy: false
  peerGroups:
    rubrik-metallb: { remoteAs: 65101, routeMapIn: Permit-Any, routeMapOut: Permit-Any }
  neighbors: [{ address: 192.168.3.15, peerGroup: rubrik-metallb }]
  policy: { routeMaps: { Permit-Any: [{ seq: 100, action: permit }] } }
`);
  t.ok(isEmptyPlan(planReload(frr, yaml)));
});

t.test('routeMapFingerprint', async (t) => {
  const c = build({ policy: `${BASE.policy}    route-map LOOP permit 10\n     call LOOP\n` });
  t.equal(routeMapFingerprint(c.policy, 'NOPE'), 'missing:NOPE');
  t.match(routeMapFingerprint(c.policy, 'IN'), /prefix-list 1 .*10\.8\.0\.0\/16/, 'includes the lists the map reaches');
  t.notMatch(routeMapFingerprint(c.policy, 'IN'), /10\.7\.0\.0/, 'and not the others');
  t.equal(routeMapFingerprint(c.policy, 'LOOP').split('\n').filter((l) => l.startsWith('route-map LOOP')).length, 1, 'a map that calls itself is visited once');
});
