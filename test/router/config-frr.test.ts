// The `frr: |` form of a Router: FRR `router bgp` text read line for line — the seed's pfSense configuration, every
// command the router supports, FRR's node climbing, address-family folding, and every problem at its own line and
// column of the YAML file.
import t from 'tap';
import { loadRouterConfig, type RouterConfig } from '../../lib/config/router-index.js';
import { formatDiagnostic } from '../../lib/config/index.js';

/** A Router whose spec.frr is `frr` (indented under the key, starting on line 6 of the file). */
function doc(frr: string, extraSpec = ''): string {
  const body = frr.replace(/^\n/, '').split('\n').map((l) => (l === '' ? '' : `    ${l}`)).join('\n');
  return `apiVersion: tsbgpd.io/v1alpha1\nkind: Router\nmetadata: { name: pfsense }\nspec:\n${extraSpec}  frr: |\n${body}\n`;
}

function load(text: string): { config?: RouterConfig; errors: string[]; warnings: string[] } {
  const r = loadRouterConfig({ name: 'router.yaml', text });
  return r.ok
    ? { config: r.config, errors: [], warnings: r.warnings.map(formatDiagnostic) }
    : { errors: r.errors.map(formatDiagnostic), warnings: r.warnings.map(formatDiagnostic) };
}

function ok(t: Tap.Test, text: string): RouterConfig {
  const r = load(text);
  t.same(r.errors, [], 'no errors');
  return r.config as RouterConfig;
}

declare namespace Tap {
  type Test = Parameters<Parameters<typeof t.test>[1]>[0];
}

/** The seed's pfSense box, as its FRR package writes it. */
const PFSENSE_FRR = `
frr version 8.4.4
frr defaults traditional
hostname pfSense
log syslog informational
service integrated-vtysh-config
!
route-map Permit-Any permit 100
exit
!
router bgp 65100
 bgp router-id 192.168.3.1
 no bgp ebgp-requires-policy
 neighbor rubrik-metallb peer-group
 neighbor rubrik-metallb remote-as 65101
 neighbor 192.168.3.15 peer-group rubrik-metallb
 !
 address-family ipv4 unicast
  neighbor rubrik-metallb route-map Permit-Any in
  neighbor rubrik-metallb route-map Permit-Any out
  neighbor 192.168.3.15 activate
 exit-address-family
exit
!
line vty
 exec-timeout 0 0
!
`;

const PFSENSE_YAML = `apiVersion: tsbgpd.io/v1alpha1
kind: Router
metadata: { name: pfsense }
spec:
  asn: 65100
  routerId: 192.168.3.1
  ebgpRequiresPolicy: false
  peerGroups:
    rubrik-metallb: { remoteAs: 65101, routeMapIn: Permit-Any, routeMapOut: Permit-Any }
  neighbors:
    - { address: 192.168.3.15, peerGroup: rubrik-metallb }
  policy:
    routeMaps:
      Permit-Any: [{ seq: 100, action: permit }]
`;

t.test("the seed's pfSense configuration, line for line", async (t) => {
  const r = load(doc(PFSENSE_FRR));
  t.same(r.errors, []);
  t.same(
    r.warnings,
    [
      'router.yaml:8:5: warning: spec.frr: ignored (not a BGP setting): hostname pfSense',
      'router.yaml:9:5: warning: spec.frr: ignored (not a BGP setting): log syslog informational',
      'router.yaml:10:5: warning: spec.frr: ignored (not a BGP setting): service integrated-vtysh-config',
      'router.yaml:29:5: warning: spec.frr: ignored with its contents (not a BGP setting): line vty',
    ],
    'harmless lines are warnings at their own line; !, exit, frr version/defaults are silent',
  );
  const c = r.config as RouterConfig;
  t.equal(c.asn, 65100);
  t.equal(c.routerId, '192.168.3.1');
  t.equal(c.ebgpRequiresPolicy, false, 'no bgp ebgp-requires-policy');
  t.same(c.peerGroups, [{ name: 'rubrik-metallb', remoteAs: 65101, routeMapIn: 'Permit-Any', routeMapOut: 'Permit-Any' }]);
  t.same(c.neighbors, [{ address: '192.168.3.15', peerGroup: 'rubrik-metallb' }]);
  t.same(c.policy.routeMaps, [{ name: 'Permit-Any', entries: [{ seq: 100, action: 'permit', match: [], set: [] }] }]);
  t.equal(c.policies.routeMapPolicy('Permit-Any', 'in')({ prefix: { afi: 1, address: '10.8.0.0', length: 32 }, attributes: [] }, { address: 'x', asn: 1, localAsn: 2, ibgp: false })?.length, 0, 'Permit-Any permits');

  const y = load(PFSENSE_YAML);
  t.same(y.errors, []);
  const strip = (x: RouterConfig): unknown => ({ ...x, policies: undefined });
  t.same(strip(y.config as RouterConfig), strip(c), 'the YAML form is the same configuration');
});

t.test('every supported router bgp command', async (t) => {
  const c = ok(
    t,
    doc(`
ip prefix-list NODES seq 5 permit 10.8.0.0/16 le 32
bgp community-list standard NOEXP permit no-export
bgp as-path access-list FROM-NODES permit ^65101$
route-map IN permit 10
 match ip address prefix-list NODES
 set local-preference 200
route-map OUT deny 10
 match community NOEXP
route-map OUT permit 20
router bgp 65100
 bgp router-id 192.168.3.1
 bgp cluster-id 10.255.0.1
 bgp always-compare-med
 bgp listen range 192.168.4.0/24 peer-group nodes
 bgp listen limit 20
 no bgp default ipv4-unicast
 neighbor nodes peer-group
 neighbor nodes remote-as external
 neighbor nodes timers 10 30
 neighbor nodes timers connect 7
 neighbor 192.168.3.15 peer-group nodes
 neighbor 192.168.3.15 description node one
 neighbor 192.168.3.20 remote-as 65100
 neighbor 192.168.3.20 passive
 neighbor 192.168.3.20 port 1179
 neighbor 192.168.3.20 update-source 192.168.3.1
 neighbor 192.168.3.20 shutdown message maintenance window
 neighbor 2001:db8::20 remote-as internal
 address-family ipv4 unicast
  network 10.0.0.0/8
  maximum-paths 4
  maximum-paths ibgp 4
  neighbor nodes activate
  neighbor nodes route-map IN in
  neighbor nodes route-map OUT out
  neighbor 192.168.3.20 activate
  neighbor 192.168.3.20 route-reflector-client
  neighbor 192.168.3.20 next-hop-self
 exit-address-family
 address-family ipv6 unicast
  network 2001:db8:100::/48
  neighbor 192.168.3.20 activate
  neighbor 192.168.3.20 route-reflector-client
  neighbor 2001:DB8::20 activate
  neighbor 2001:db8::20 soft-reconfiguration inbound
 exit-address-family
exit
`),
  );
  t.same(
    { asn: c.asn, routerId: c.routerId, clusterId: c.clusterId, alwaysCompareMed: c.alwaysCompareMed, listenLimit: c.listenLimit, maximumPaths: c.maximumPaths },
    { asn: 65100, routerId: '192.168.3.1', clusterId: '10.255.0.1', alwaysCompareMed: true, listenLimit: 20, maximumPaths: 4 },
  );
  t.equal(c.ebgpRequiresPolicy, true, 'RFC 8212 on unless turned off, as in FRR');
  t.same(c.listenRanges, [{ prefix: '192.168.4.0/24', peerGroup: 'nodes' }]);
  t.same(c.networks, [
    { prefix: '10.0.0.0/8', attributes: {} },
    { prefix: '2001:db8:100::/48', attributes: {} },
  ]);
  t.same(c.peerGroups, [
    { name: 'nodes', remoteAs: 'external', keepaliveTime: 10, holdTime: 30, connectRetryTime: 7, routeMapIn: 'IN', routeMapOut: 'OUT' },
  ]);
  t.same(c.neighbors, [
    { address: '192.168.3.15', peerGroup: 'nodes', description: 'node one' },
    {
      address: '192.168.3.20',
      remoteAs: 65100,
      passive: true,
      port: 1179,
      localAddress: '192.168.3.1',
      shutdown: true,
      shutdownMessage: 'maintenance window',
      routeReflectorClient: true,
      nextHopSelf: true,
      families: ['ipv4-unicast', 'ipv6-unicast'],
    },
    { address: '2001:db8::20', remoteAs: 'internal', families: ['ipv6-unicast'] },
  ]);
  t.same(
    c.policy.routeMaps.map((m) => [m.name, m.entries.map((e) => [e.seq, e.action, e.match.map((x) => x.kind), e.set.map((x) => x.kind)])]),
    [
      ['IN', [[10, 'permit', ['prefix-list'], ['local-preference']]]],
      ['OUT', [[10, 'deny', ['community'], []], [20, 'permit', [], []]]],
    ],
    'route maps through parseFrrPolicy',
  );
  t.same([c.policy.prefixLists.length, c.policy.communityLists.length, c.policy.asPathLists.length], [1, 1, 1], 'and the lists');
});

t.test("FRR's node climbing: unindented lines, and policy lines ending the router block", async (t) => {
  const c = ok(
    t,
    doc(`
router bgp 65100
bgp router-id 10.0.0.1
neighbor 10.0.0.2 remote-as 65100
address-family ipv4 unicast
neighbor 10.0.0.2 route-map A in
neighbor 10.0.0.3 remote-as 65200
bgp community-list standard C permit 65000:1
route-map A permit 10
 match community C
router bgp 65100
 neighbor 10.0.0.3 route-map A out
`),
  );
  t.same(c.neighbors, [
    { address: '10.0.0.2', remoteAs: 65100, routeMapIn: 'A' },
    { address: '10.0.0.3', remoteAs: 65200, routeMapOut: 'A' },
  ], 'neighbor remote-as climbs from the address family to router bgp; router bgp can be entered again');
  t.same(c.policy.communityLists.map((l) => l.name), ['C'], 'bgp community-list is a global command');
});

t.test('every problem, each at its line and column of the file', async (t) => {
  const r = load(
    doc(`
router bgp 65100
 bgp router-id 0.0.0.0
 bgp cluster-id 10.1
 neighbor 10.0.0.2 description too early
 neighbor G remote-as 65101
 neighbor G peer-group
 neighbor 10.0.0.3 peer-group H
 neighbor 10.0.0.4 remote-as 99999999999
 neighbor 10.0.0.5 remote-as 65100
 neighbor 10.0.0.5 timers 10 2
 neighbor 10.0.0.5 port 0
 neighbor 10.0.0.5 update-source eth0
 neighbor 10.0.0.5 password secret
 neighbor 10.0.0.5 bfd
 bgp bestpath as-path multipath-relax
 timers bgp 10 30
 bgp listen range 10.0.0.1/24 peer-group G
 address-family ipv4 unicast
  network 10.9.9.9/24
  network 2001:db8::/32
  maximum-paths 999
  neighbor 10.0.0.5 route-map A sideways
 exit-address-family
 address-family l2vpn evpn
  neighbor 10.0.0.5 activate
 exit-address-family
exit
router bgp 65200
route-map A permit 10
 set local-preference lots
frobnicate
`),
  );
  t.same(r.errors, [
    'router.yaml:7:6: spec.frr: bgp router-id: the BGP Identifier must not be 0.0.0.0 (RFC 4271 §6.2)',
    'router.yaml:8:6: spec.frr: bgp cluster-id: a cluster ID is an IPv4 address or 1..4294967295, not "10.1"',
    'router.yaml:9:6: spec.frr: neighbor 10.0.0.2: specify "neighbor 10.0.0.2 remote-as" or "neighbor 10.0.0.2 peer-group NAME" first',
    'router.yaml:10:6: spec.frr: neighbor G: no such peer group (define it first: neighbor G peer-group) — interface neighbours are not supported',
    'router.yaml:12:6: spec.frr: neighbor 10.0.0.3 peer-group H: no such peer group (define it first: neighbor H peer-group)',
    'router.yaml:13:6: spec.frr: neighbor 10.0.0.4 remote-as: not an AS number: "99999999999" (or internal, external)',
    'router.yaml:15:6: spec.frr: neighbor 10.0.0.5 timers: a hold time is 0 or 3..65535 seconds, not 2',
    'router.yaml:16:6: spec.frr: neighbor 10.0.0.5 port: port is 1..65535, not 0',
    'router.yaml:17:6: spec.frr: neighbor 10.0.0.5 update-source: give an address (interface names are not supported): not an IP address: "eth0"',
    'router.yaml:18:6: spec.frr: neighbor 10.0.0.5 password: TCP MD5 signatures (RFC 2385) are not possible with node:net',
    'router.yaml:19:6: spec.frr: neighbor 10.0.0.5 bfd: not supported by tsbgpd',
    'router.yaml:20:6: spec.frr: not a "router bgp" command tsbgpd supports: bgp bestpath as-path multipath-relax',
    'router.yaml:21:6: spec.frr: timers bgp 10 30: give timers per neighbour or peer group (neighbor X timers KEEPALIVE HOLD)',
    'router.yaml:22:6: spec.frr: bgp listen range: "10.0.0.1/24" has host bits set: did you mean 10.0.0.0/24?',
    'router.yaml:24:7: spec.frr: network: "10.9.9.9/24" has host bits set: did you mean 10.9.9.0/24?',
    'router.yaml:25:7: spec.frr: network 2001:db8::/32 is not of ipv4-unicast',
    'router.yaml:26:7: spec.frr: maximum-paths is 1..64, not 999',
    'router.yaml:27:7: spec.frr: usage: neighbor X route-map NAME in|out',
    'router.yaml:29:6: spec.frr: address-family l2vpn evpn: tsbgpd carries ipv4 unicast and ipv6 unicast only',
    'router.yaml:33:5: spec.frr: router bgp 65200: one BGP instance only; "router bgp 65100" came first',
    'router.yaml:35:6: spec.frr: set local-preference lots: local-preference must be a value from 0 to 4294967295, or +N / -N to add or subtract, not "lots"',
    'router.yaml:36:5: spec.frr: unknown command: frobnicate',
  ]);
});

t.test('families: bgp default ipv4-unicast, activate and no activate, inherited from the peer group', async (t) => {
  const c = ok(
    t,
    doc(`
router bgp 65100
 bgp router-id 10.0.0.1
 neighbor G peer-group
 neighbor G remote-as 65100
 neighbor 10.0.0.2 peer-group G
 neighbor 10.0.0.3 peer-group G
 neighbor 10.0.0.4 remote-as 65100
 address-family ipv4 unicast
  no neighbor 10.0.0.4 activate
 exit-address-family
 address-family ipv6 unicast
  neighbor G activate
  neighbor 10.0.0.4 activate
 exit-address-family
 address-family ipv4 unicast
  no neighbor 10.0.0.3 activate
 exit-address-family
`),
  );
  t.same(c.peerGroups.map((g) => g.families), [['ipv4-unicast', 'ipv6-unicast']], 'the group: default IPv4 plus IPv6');
  t.same(
    c.neighbors.map((n) => [n.address, n.families]),
    [
      ['10.0.0.2', undefined],
      ['10.0.0.3', ['ipv6-unicast']],
      ['10.0.0.4', ['ipv6-unicast']],
    ],
    'members inherit; their own activate/no activate wins; only what differs is written',
  );
  const none = load(doc('router bgp 65100\n bgp router-id 10.0.0.1\n no bgp default ipv4-unicast\n neighbor 10.0.0.2 remote-as 65100\n'));
  t.same(none.errors, ['router.yaml:8:6: spec.frr: neighbor 10.0.0.2: not activated in any address family: the session could carry nothing']);
});

t.test('per-family settings tsbgpd applies per session: conflicts are errors, partial flags warnings', async (t) => {
  const r = load(
    doc(`
router bgp 65100
 bgp router-id 10.0.0.1
 neighbor 10.0.0.2 remote-as 65100
 address-family ipv4 unicast
  neighbor 10.0.0.2 route-map A in
  neighbor 10.0.0.2 route-reflector-client
  maximum-paths 4
 exit-address-family
 address-family ipv6 unicast
  neighbor 10.0.0.2 activate
  neighbor 10.0.0.2 route-map B in
  maximum-paths ibgp 2
 exit-address-family
route-map A permit 10
route-map B permit 10
`),
  );
  t.same(r.errors, [
    'router.yaml:16:7: spec.frr: neighbor 10.0.0.2: route-map in differs between ipv4-unicast (A) and ipv6-unicast (B): tsbgpd applies one route map per direction to every family of a session',
    'router.yaml:17:7: spec.frr: maximum-paths ibgp 2 differs from maximum-paths 4: tsbgpd has one maximum-paths for eBGP and iBGP paths alike',
  ]);
  t.same(r.warnings, [
    'router.yaml:11:7: warning: spec.frr: 10.0.0.2: route-reflector-client is set for ipv4-unicast only; tsbgpd applies it to the whole session (ipv4-unicast, ipv6-unicast)',
  ]);
});

t.test('cross-checks in FRR text: RFC 4456 client must be iBGP; RFC 8212 and missing route maps are warned about', async (t) => {
  const r = load(
    doc(`
router bgp 65100
 bgp router-id 10.0.0.1
 neighbor 10.0.0.2 remote-as 65200
 neighbor 10.0.0.3 remote-as 65300
 neighbor 10.0.0.3 route-map NOPE in
 neighbor 10.0.0.3 route-map NOPE out
 address-family ipv4 unicast
  neighbor 10.0.0.2 route-reflector-client
 exit-address-family
`),
  );
  t.same(r.errors, ['router.yaml:13:7: spec.frr: neighbor 10.0.0.2: route-reflector-client needs an internal (iBGP) neighbour (RFC 4456), but remote-as is 65200']);
  t.same(r.warnings, [
    'router.yaml:8:6: warning: spec.frr: neighbor 10.0.0.2: eBGP without a route-map in or out: RFC 8212 (bgp ebgp-requires-policy) lets nothing in or out',
    'router.yaml:10:6: warning: spec.frr: neighbor 10.0.0.3: route-map NOPE is not defined: every route from it is denied (as FRR does)',
    'router.yaml:11:6: warning: spec.frr: neighbor 10.0.0.3: route-map NOPE is not defined: every route to it is denied (as FRR does)',
  ]);
});

t.test('how the text is written: literal block, quoted string, folded block; FRR replaces the YAML fields', async (t) => {
  const quoted = load('apiVersion: tsbgpd.io/v1alpha1\nkind: Router\nspec:\n  frr: "router bgp 65100\\n bgp router-id x\\n"\n');
  t.same(quoted.errors, ['router.yaml:4:8: spec.frr: bgp router-id: not an IPv4 address: "x" (line 2 of the text)'], 'a quoted string: the line of the text is named');
  const folded = load('apiVersion: tsbgpd.io/v1alpha1\nkind: Router\nspec:\n  frr: >\n    router bgp 65100\n');
  t.same(folded.errors, ['router.yaml:4:8: spec.frr: write FRR configuration as a literal block (frr: |): a folded block (>) joins its lines']);
  const both = load(doc('router bgp 65100\n bgp router-id 10.0.0.1\n', '  asn: 65100\n  neighbors: []\n'));
  t.same(both.errors, [
    'router.yaml:5:3: spec.asn: with spec.frr, asn belongs in the FRR configuration',
    'router.yaml:6:3: spec.neighbors: with spec.frr, neighbors belongs in the FRR configuration',
  ]);
  const missing = load(doc('route-map A permit 10\n'));
  t.same(missing.errors, ['router.yaml:6:5: spec.frr: no "router bgp ASN" in the FRR configuration']);
  const noId = load(doc('router bgp 65100\n'));
  t.same(noId.errors, ['router.yaml:6:5: spec.frr: the router ID is missing (bgp router-id / spec.routerId)']);
  const listen = ok(t, doc('router bgp 65100\n bgp router-id 10.0.0.1\n', '  listen: { address: 192.168.3.1, port: 1179 }\n  api: false\n'));
  t.same([listen.listen, listen.api], [{ address: '192.168.3.1', port: 1179 }, false], 'listen and api stay YAML beside frr');
});
