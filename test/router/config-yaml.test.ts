// The structured YAML form of a Router: every field, the defaults, and every problem reported at once with its
// file:line:column, field path and reason — types, ranges, unknown fields, references between values, and policy
// errors placed inside the `policy` field (FRR text or structured).
import t from 'tap';
import { loadRouterConfig, ROUTER_DEFAULTS, type RouterConfig } from '../../lib/config/router-index.js';
import { formatDiagnostic } from '../../lib/config/index.js';

function load(text: string, name = 'router.yaml'): { config?: RouterConfig; errors: string[]; warnings: string[] } {
  const r = loadRouterConfig({ name, text });
  return r.ok
    ? { config: r.config, errors: [], warnings: r.warnings.map(formatDiagnostic) }
    : { errors: r.errors.map(formatDiagnostic), warnings: r.warnings.map(formatDiagnostic) };
}

const head = 'apiVersion: tsbgpd.io/v1alpha1\nkind: Router\nmetadata:\n  name: rr1\nspec:\n';

t.test('every field', async (t) => {
  const r = load(`${head}  asn: 65100
  routerId: 192.168.3.1
  clusterId: 1
  listen: { address: 192.168.3.1, port: 1179 }
  ebgpRequiresPolicy: false
  maximumPaths: 4
  alwaysCompareMed: true
  listenLimit: 50
  peerGroups:
    nodes:
      remoteAs: 65101
      description: MetalLB speakers
      holdTime: 9
      keepaliveTime: 3
      connectRetryTime: 5
      routeMapIn: IN
      routeMapOut: OUT
    clients: { remoteAs: internal, routeReflectorClient: true, families: [ipv4-unicast, ipv6-unicast] }
  neighbors:
    - address: 192.168.3.15
      peerGroup: nodes
    - address: 2001:DB8::2
      peerGroup: clients
      passive: true
      port: 1179
      localAddress: 2001:db8::1
      nextHopSelf: true
      shutdown: true
      shutdownMessage: not yet
  listenRanges:
    - { prefix: 192.168.4.0/24, peerGroup: nodes }
  networks:
    - 10.0.0.0/8
    - { prefix: 10.1.0.0/16, origin: incomplete, med: 10, localPref: 200, asPath: [65001], communities: ["65100:1", no-export], largeCommunities: ["65100:1:2"], extendedCommunities: ["rt 65100:7"] }
  policy:
    prefixLists:
      NODES: [{ seq: 5, action: permit, prefix: 10.8.0.0/16, le: 32 }]
    routeMaps:
      IN: [{ seq: 10, action: permit, match: { prefixList: NODES } }]
      OUT: [{ seq: 10, action: permit }]
  api: { socket: /run/tsbgpd-router.sock }
  metrics: { address: "0.0.0.0:7472", allowRemote: true }
`);
  t.same(r.errors, []);
  t.same(r.warnings, []);
  const c = r.config as RouterConfig;
  t.same(
    { ...c, policies: undefined, policy: undefined },
    {
      name: 'rr1',
      file: 'router.yaml',
      asn: 65100,
      routerId: '192.168.3.1',
      clusterId: '0.0.0.1',
      listen: { address: '192.168.3.1', port: 1179 },
      ebgpRequiresPolicy: false,
      maximumPaths: 4,
      alwaysCompareMed: true,
      listenLimit: 50,
      peerGroups: [
        { name: 'nodes', remoteAs: 65101, description: 'MetalLB speakers', holdTime: 9, keepaliveTime: 3, connectRetryTime: 5, routeMapIn: 'IN', routeMapOut: 'OUT' },
        { name: 'clients', remoteAs: 'internal', routeReflectorClient: true, families: ['ipv4-unicast', 'ipv6-unicast'] },
      ],
      neighbors: [
        { address: '192.168.3.15', peerGroup: 'nodes' },
        { address: '2001:db8::2', peerGroup: 'clients', passive: true, port: 1179, localAddress: '2001:db8::1', nextHopSelf: true, shutdown: true, shutdownMessage: 'not yet' },
      ],
      listenRanges: [{ prefix: '192.168.4.0/24', peerGroup: 'nodes' }],
      networks: [
        { prefix: '10.0.0.0/8', attributes: {} },
        {
          prefix: '10.1.0.0/16',
          attributes: { origin: 'incomplete', med: 10, localPref: 200, asPath: [65001], communities: ['65100:1', 'no-export'], largeCommunities: ['65100:1:2'], extendedCommunities: ['rt 65100:7'] },
        },
      ],
      api: { endpoint: { socketPath: '/run/tsbgpd-router.sock' }, allowRemote: false },
      metrics: { endpoint: { host: '0.0.0.0', port: 7472 }, allowRemote: true },
    },
  );
  t.same(c.policy.routeMaps.map((m) => m.name), ['IN', 'OUT'], 'structured policy through parsePlainPolicy');
  t.ok(Object.isFrozen(c) && Object.isFrozen(c.neighbors[0]), 'frozen');
});

t.test('defaults are FRR\'s', async (t) => {
  const r = load(`${head}  asn: 65100\n  routerId: 10.0.0.1\n`);
  const c = r.config as RouterConfig;
  t.same(
    [c.clusterId, c.listen, c.ebgpRequiresPolicy, c.maximumPaths, c.listenLimit, c.alwaysCompareMed, c.api, c.metrics],
    [undefined, ROUTER_DEFAULTS.listen, true, 1, 100, false, { endpoint: undefined, allowRemote: false }, false],
  );
  const named = load('apiVersion: tsbgpd.io/v1alpha1\nkind: Router\nspec: { asn: 1, routerId: 1.1.1.1, listen: false }\n', 'rr.yaml');
  t.same([named.config?.name, named.config?.listen], ['rr.yaml', false], 'no metadata: named after the file; listen false: dial only');
});

t.test('every problem at once, each with file:line:column and field', async (t) => {
  const r = load(`${head}  asn: 0
  routerId: 10.0.0.256
  clusterId: ten
  listen: { address: here, port: 70000 }
  maximumPaths: 100
  listenLimit: "20"
  ebgpRequiresPolicy: maybe
  peerGroups:
    10.0.0.9: { remoteAs: 65101 }
    good: { remoteAs: 65101, holdTime: 2, families: [ipv4-unicast, ipv4-unicast, l2vpn-evpn], routeMapIn: "" }
  neighbors:
    - address: 10.0.0.300
    - { address: 10.0.0.2, remoteAs: abc, port: 0 }
    - { address: 10.0.0.3, remoteAs: 65100, routeMapIN: X }
    - { address: 10.0.0.3, remoteAs: 65100 }
    - 42
  listenRanges:
    - { prefix: 10.0.0.0/33, peerGroup: good }
    - { peerGroup: good }
  networks: [10.0.0.1/8, { prefix: 10.9.0.0/16, communities: [bogus], med: -1 }, 5]
  api: { socket: /a, address: "127.0.0.1:1" }
  metrics: { address: nowhere }
  bogus: 1
`);
  t.same(r.errors, [
    'router.yaml:6:8: spec.asn: expected an integer 1..4294967295, got 0',
    'router.yaml:7:13: spec.routerId: not an IPv4 address: "10.0.0.256"',
    'router.yaml:8:14: spec.clusterId: a cluster ID is an IPv4 address or 1..4294967295, not "ten"',
    'router.yaml:9:22: spec.listen.address: not an IP address: "here"',
    'router.yaml:9:34: spec.listen.port: expected an integer 0..65535, got 70000',
    'router.yaml:10:17: spec.maximumPaths: expected an integer 1..64, got 100',
    'router.yaml:11:16: spec.listenLimit: expected an integer 1..65535, got "20"',
    'router.yaml:12:23: spec.ebgpRequiresPolicy: expected true or false, got "maybe"',
    'router.yaml:14:5: spec.peerGroups["10.0.0.9"]: a peer group\'s name is one word and not an address: "10.0.0.9"',
    'router.yaml:15:40: spec.peerGroups.good.holdTime: a hold time is 0 or 3..65535 seconds, not 2',
    'router.yaml:15:68: spec.peerGroups.good.families[1]: ipv4-unicast is listed twice',
    'router.yaml:15:82: spec.peerGroups.good.families[2]: expected one of ipv4-unicast, ipv6-unicast, got "l2vpn-evpn"',
    'router.yaml:15:107: spec.peerGroups.good.routeMapIn: must not be empty',
    'router.yaml:17:16: spec.neighbors[0].address: not an IP address: "10.0.0.300"',
    'router.yaml:18:38: spec.neighbors[1].remoteAs: expected one of internal, external, got "abc"',
    'router.yaml:18:49: spec.neighbors[1].port: expected an integer 1..65535, got 0',
    'router.yaml:19:45: spec.neighbors[2].routeMapIN: unknown field (did you mean "routeMapIn"?); expected one of address, peerGroup, remoteAs, description, passive, port, localAddress, holdTime, keepaliveTime, connectRetryTime, families, routeReflectorClient, nextHopSelf, routeMapIn, routeMapOut, shutdown, shutdownMessage',
    'router.yaml:20:18: spec.neighbors[3].address: neighbor 10.0.0.3 is configured twice',
    'router.yaml:21:7: spec.neighbors[4]: expected a map, got 42',
    'router.yaml:23:17: spec.listenRanges[0].prefix: prefix length must be 0..32, got "33"',
    'router.yaml:24:7: spec.listenRanges[1].prefix: required field is missing',
    'router.yaml:25:14: spec.networks[0]: "10.0.0.1/8" has host bits set: did you mean 10.0.0.0/8?',
    'router.yaml:25:63: spec.networks[1].communities[0]: not a community: "bogus"',
    'router.yaml:25:76: spec.networks[1].med: expected an integer 0..4294967295, got -1',
    'router.yaml:25:82: spec.networks[2]: expected a prefix, or a map with a prefix and attributes',
    'router.yaml:26:8: spec.api: give socket or address, not both',
    'router.yaml:27:23: spec.metrics.address: expected HOST:PORT, [IPV6]:PORT or a socket path, not "nowhere"',
    'router.yaml:28:3: spec.bogus: unknown field; expected one of asn, routerId, clusterId, ebgpRequiresPolicy, maximumPaths, alwaysCompareMed, listenLimit, gracefulRestart, peerGroups, neighbors, listenRanges, networks, policy, frr, listen, api, metrics',
  ]);
});

t.test('references between values', async (t) => {
  const r = load(`${head}  asn: 65100
  routerId: 10.0.0.1
  peerGroups:
    ext: { remoteAs: 65101 }
    none: {}
    rr: { remoteAs: 65100, routeReflectorClient: true }
  neighbors:
    - { address: 10.0.0.2, peerGroup: missing }
    - { address: 10.0.0.3 }
    - { address: 10.0.0.4, peerGroup: ext, remoteAs: 65102 }
    - { address: 10.0.0.5, peerGroup: ext, routeReflectorClient: true, routeMapIn: A, routeMapOut: A }
    - { address: 10.0.0.6, remoteAs: external, routeReflectorClient: true }
    - { address: 10.0.0.7, remoteAs: 65100, localAddress: 2001:db8::1, families: [] }
    - { address: 10.0.0.8, peerGroup: rr, routeMapIn: NOPE }
  listenRanges:
    - { prefix: 10.1.0.0/24, peerGroup: gone }
    - { prefix: 10.2.0.0/24, peerGroup: none }
    - { prefix: 10.2.0.0/24, peerGroup: ext }
  networks: [10.3.0.0/24, 10.3.0.0/24]
  policy: |
    route-map A permit 10
     match ip address prefix-list UNDEFINED
`);
  t.same(r.errors, [
    'router.yaml:13:39: spec.neighbors[0].peerGroup: neighbor 10.0.0.2: peer-group missing is not defined',
    'router.yaml:14:18: spec.neighbors[1].address: neighbor 10.0.0.3: no remote-as, on the neighbour or its peer group',
    'router.yaml:15:54: spec.neighbors[2].remoteAs: neighbor 10.0.0.4: peer-group ext sets remote-as 65101; a member cannot override it',
    'router.yaml:16:66: spec.neighbors[3].routeReflectorClient: neighbor 10.0.0.5: route-reflector-client needs an internal (iBGP) neighbour (RFC 4456), but remote-as is 65101',
    'router.yaml:17:70: spec.neighbors[4].routeReflectorClient: neighbor 10.0.0.6: route-reflector-client needs an internal (iBGP) neighbour (RFC 4456), but remote-as is external',
    'router.yaml:18:59: spec.neighbors[5].localAddress: neighbor 10.0.0.7: update-source 2001:db8::1 is not of the neighbour\'s address family',
    'router.yaml:18:82: spec.neighbors[5].families: neighbor 10.0.0.7: not activated in any address family: the session could carry nothing',
    'router.yaml:21:7: spec.listenRanges[0]: listen range 10.1.0.0/24: peer-group gone is not defined',
    'router.yaml:22:7: spec.listenRanges[1]: listen range 10.2.0.0/24: peer-group none has no remote-as, which dynamic neighbours need',
    'router.yaml:23:7: spec.listenRanges[2]: listen range 10.2.0.0/24 is given twice',
    'router.yaml:24:27: spec.networks[1]: network 10.3.0.0/24 is given twice',
  ]);
  t.same(r.warnings, [
    'router.yaml:9:22: warning: spec.peerGroups.ext.remoteAs: peer-group ext: eBGP without a route-map in or out: RFC 8212 (bgp ebgp-requires-policy) lets nothing in or out',
    'router.yaml:15:54: warning: spec.neighbors[2].remoteAs: neighbor 10.0.0.4: eBGP without a route-map in or out: RFC 8212 (bgp ebgp-requires-policy) lets nothing in or out',
    'router.yaml:17:38: warning: spec.neighbors[4].remoteAs: neighbor 10.0.0.6: eBGP without a route-map in or out: RFC 8212 (bgp ebgp-requires-policy) lets nothing in or out',
    'router.yaml:19:55: warning: spec.neighbors[6].routeMapIn: neighbor 10.0.0.8: route-map NOPE is not defined: every route from it is denied (as FRR does)',
    'router.yaml:25:11: warning: spec.policy: route-map A seq 10: ip prefix-list UNDEFINED does not exist (never matches)',
  ]);
});

t.test('policy errors are placed inside the policy field, whichever form', async (t) => {
  const text = load(`${head}  asn: 65100
  routerId: 10.0.0.1
  policy: |
    route-map A permit 10
     set community 65536:1
    ip prefix-list P seq 5 permit 10.0.0.0/33
`);
  t.same(text.errors, [
    'router.yaml:10:6: spec.policy: set community 65536:1: not a community: "65536:1" (use AA:NN or a well-known name such as no-export)',
    'router.yaml:11:5: spec.policy: ip prefix-list P seq 5 permit 10.0.0.0/33: an IPv4 prefix (address/length) is needed, not "10.0.0.0/33"',
  ]);
  const plain = load(`${head}  asn: 65100
  routerId: 10.0.0.1
  policy:
    routeMaps:
      IN:
        - seq: 10
          action: permit
          set: { localPreference: lots }
`);
  t.same(plain.errors, ['router.yaml:13:35: spec.policy.routeMaps.IN[0].set.localPreference: localPreference must be a value from 0 to 4294967295, or +N / -N to add or subtract, not "lots"']);
});

t.test('the file must hold one Router', async (t) => {
  t.same(load('apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: { name: p }\n').errors, [
    'router.yaml:2:7: kind: expected apiVersion tsbgpd.io/v1alpha1, kind Router (router mode reads one Router resource), got metallb.io/v1beta2 BGPPeer',
  ]);
  t.same(load('# nothing\n').errors, ['router.yaml: no Router resource (apiVersion: tsbgpd.io/v1alpha1)']);
  const two = `${head}  asn: 1\n  routerId: 1.1.1.1\n---\n${head}  asn: 2\n  routerId: 1.1.1.2\n`;
  t.same(load(two).errors, ['router.yaml:9:1: a second Router resource: one router per configuration (the first is in router.yaml:1)']);
  t.same(load(`${head}  asn: [\n`).errors.length, 1, 'a YAML syntax error is reported, nothing else');
  t.same(load(`${head}  asn: 1\n`).errors, ['router.yaml:6:3: spec.routerId: required field is missing']);
});
