// Every kind of configuration mistake is reported with file:line:col, the field and the reason — all of them in
// one run — and an invalid configuration yields no config at all.
import t from 'tap';
import { formatDiagnostic, loadConfig, validate, type Diagnostic, type SourceFile } from '../../lib/config/index.js';

const NODE = { node: { name: 'worker-1', routerId: '192.168.3.15' } };

const POOL = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: pool }
spec: { addresses: [10.8.0.0/16] }
`;
const PEER = `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: router }
spec: { myASN: 64501, peerASN: 64500, peerAddress: 192.168.3.1 }
`;

function errorsOf(files: SourceFile[]): string[] {
  const r = loadConfig(files, NODE);
  t.notOk(r.ok, 'configuration refused');
  return r.ok ? [] : r.errors.map(formatDiagnostic);
}

t.test('a Service port that is not an integer: file, line, column, field, reason', async (t) => {
  const services = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: LoadBalancer
  selector: { app: web }
  ports:
  - name: http
    protocol: TCP
    port: "http"
`;
  const errors = errorsOf([{ name: 'pool.yaml', text: POOL }, { name: 'services.yaml', text: services }]);
  t.same(errors, ['services.yaml:12:11: spec.ports[0].port: expected an integer 1..65535, got "http"']);
});

t.test('every problem is reported, across files, in file order', async (t) => {
  const a = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: bad-pool }
spec:
  addresses:
  - 10.9.0.0/33
  - 10.10.0.20-10.10.0.10
  - banana
  autoAssign: maybe
`;
  const b = `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: p }
spec:
  myASN: 64501
  peerASN: 64501
  peerAddress: 192.168.3.300
  ebgpMultiHop: true
  password: secret
  holdTime: 90
  keepaliveTime: 1m
`;
  const errors = errorsOf([{ name: 'a.yaml', text: a }, { name: 'b.yaml', text: b }]);
  t.same(errors, [
    'a.yaml:6:5: spec.addresses[0]: prefix length must be 0..32, got "33"',
    'a.yaml:7:5: spec.addresses[1]: invalid range: start 10.10.0.20 is after end 10.10.0.10',
    'a.yaml:8:5: spec.addresses[2]: not a CIDR (address/length): "banana"',
    'a.yaml:9:15: spec.autoAssign: expected true or false, got "maybe"',
    'b.yaml:7:16: spec.peerAddress: expected an IPv4 or IPv6 address, got "192.168.3.300"',
    'b.yaml:8:17: spec.ebgpMultiHop: ebgpMultiHop is for eBGP sessions; this peer is iBGP (peerASN = myASN)',
    'b.yaml:9:13: spec.password: TCP MD5 authentication (RFC 2385) is not supported: node:net cannot set TCP_MD5SIG on a socket; remove the password (and from the router)',
    'b.yaml:10:13: spec.holdTime: expected a duration such as "90s", got 90',
  ]);
});

t.test('YAML syntax errors are located, and the rest of the file still counts', async (t) => {
  const text = `${POOL}---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: x
spec: {}
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: adv }
spec: { ipAddressPools: [pool], ipAddressPools: [pool] }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: adv2 }
spec: { ipAddressPools: [nope] }
`;
  const diags = validate([{ name: 'm.yaml', text }], NODE);
  const errors = diags.filter((d) => d.severity === 'error');
  t.ok(errors.some((d) => d.line === 9 && d.message.startsWith('YAML syntax:')), 'unclosed flow map located');
  t.ok(errors.some((d) => d.line === 14 && /unique/.test(d.message)), 'duplicate key located');
  t.ok(
    errors.some((d) => formatDiagnostic(d) === 'm.yaml:19:26: spec.ipAddressPools[0]: no IPAddressPool named "nope"'),
    'a later good document is still checked',
  );
});

t.test('missing required fields are reported at the map that lacks them', async (t) => {
  const text = `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata:
  name: p
spec:
  peerAddress: 10.0.0.1
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
spec:
  addresses: []
---
kind: Service
metadata: { name: x }
`;
  const errors = errorsOf([{ name: 'r.yaml', text }]);
  t.same(errors, [
    'r.yaml:6:3: spec.myASN: required field is missing',
    'r.yaml:6:3: spec.peerASN: required field is missing (or set dynamicASN: internal or external)',
    'r.yaml:8:1: metadata: required field is missing',
    'r.yaml:11:14: spec.addresses: a pool needs at least one CIDR or range',
    'r.yaml:13:1: apiVersion: required field is missing',
  ]);
});

t.test('wrong types, bad enums, bad labels and bad selectors', async (t) => {
  const text = `apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: adv }
spec:
  aggregationLength: 33
  localPref: -1
  communities: [NO_SUCH_ALIAS, "65536:1", "large:1:2"]
  nodeSelectors:
  - matchLabels: { zone: 1 }
  - matchExpressions: [{ key: rack, operator: Within, values: [a] }]
  - matchExpressions: [{ key: rack, operator: In }]
  - matchExpressions: [{ key: "bad key!", operator: Exists }]
---
apiVersion: v1
kind: Service
metadata: { name: web, annotations: { metallb.io/loadBalancerIPs: "10.8.0.1,10.8.0.2" } }
spec: { type: LoadBalancer, externalTrafficPolicy: Global, ipFamilies: [IPv5] }
`;
  const errors = errorsOf([{ name: 'pool.yaml', text: POOL }, { name: 't.yaml', text }]);
  t.same(errors, [
    't.yaml:5:22: spec.aggregationLength: expected an integer 0..32, got 33',
    't.yaml:6:14: spec.localPref: expected an integer 0..4294967295, got -1',
    't.yaml:7:17: spec.communities[0]: no Community alias named "NO_SUCH_ALIAS", and not a community value (A:B or large:A:B:C)',
    't.yaml:7:32: spec.communities[1]: invalid community "65536:1": expected A:B with numbers 0..65535, or large:A:B:C',
    't.yaml:7:43: spec.communities[2]: invalid large community "large:1:2": expected large:A:B:C with numbers 0..4294967295',
    't.yaml:9:26: spec.nodeSelectors[0].matchLabels.zone: expected a string, got 1 (quote it)',
    't.yaml:10:47: spec.nodeSelectors[1].matchExpressions[0].operator: expected one of In, NotIn, Exists, DoesNotExist, got "Within"',
    't.yaml:11:24: spec.nodeSelectors[2].matchExpressions[0].values: operator In needs at least one value',
    't.yaml:12:31: spec.nodeSelectors[3].matchExpressions[0].key: invalid label key "bad key!" (at most 63 characters: letters, digits, "-", "_", ".")',
    't.yaml:16:67: metadata.annotations["metallb.io/loadBalancerIPs"]: two addresses must be of different families (one IPv4, one IPv6)',
    't.yaml:17:52: spec.externalTrafficPolicy: expected one of Cluster, Local, got "Global"',
    't.yaml:17:73: spec.ipFamilies[0]: expected one of IPv4, IPv6, got "IPv5"',
  ]);
});

t.test('cross-resource problems: overlaps, aggregation, references, one AS per node', async (t) => {
  const text = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: a }
spec: { addresses: [10.8.0.0/16] }
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: b }
spec: { addresses: [10.8.3.0/24, 192.168.3.15/32] }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: adv }
spec: { ipAddressPools: [a], aggregationLength: 8, peers: [nobody] }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: r1 }
spec: { myASN: 64501, peerASN: 64500, peerAddress: 192.168.3.1 }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: r2 }
spec: { myASN: 64502, peerASN: 64500, peerAddress: 192.168.3.1 }
---
apiVersion: v1
kind: Service
metadata: { name: web, annotations: { metallb.universe.tf/address-pool: c } }
spec: { type: LoadBalancer }
`;
  const r = loadConfig([{ name: 'x.yaml', text }], { node: { name: 'worker-1', addresses: ['192.168.3.15'] } });
  t.notOk(r.ok);
  const errors = r.ok ? [] : r.errors.map(formatDiagnostic);
  t.same(errors, [
    'x.yaml:9:21: spec.addresses[0]: 10.8.3.0/24 overlaps 10.8.0.0/16 of pool "a"',
    'x.yaml:9:34: spec.addresses[1]: 192.168.3.15/32 contains the node address 192.168.3.15',
    'x.yaml:14:49: spec.aggregationLength: 8 is shorter than /16 of "10.8.0.0/16" in pool "a": the aggregate would cover addresses outside the pool',
    'x.yaml:14:60: spec.peers[0]: no BGPPeer named "nobody"',
    'x.yaml:24:16: spec.myASN: node worker-1 speaks as AS 64501 (from BGPPeer "r1"); every BGPPeer of a node must share myASN',
    'x.yaml:24:52: spec.peerAddress: node worker-1 already peers with 192.168.3.1 through BGPPeer "r1"',
    'x.yaml:28:73: metadata.annotations["metallb.universe.tf/address-pool"]: no IPAddressPool named "c"',
  ]);
});

t.test('BGPPeers of other nodes do not have to agree; node selection decides', async (t) => {
  const text = `${POOL}---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: r1 }
spec: { myASN: 64501, peerASN: 64500, peerAddress: 192.168.3.1, nodeSelectors: [{ matchLabels: { zone: a } }] }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: r2 }
spec: { myASN: 64502, peerASN: 64500, peerAddress: 192.168.3.1, nodeSelectors: [{ matchLabels: { zone: b } }] }
`;
  const a = loadConfig([{ name: 'x.yaml', text }], { node: { name: 'n', routerId: '1.1.1.1', labels: { zone: 'a' } } });
  const b = loadConfig([{ name: 'x.yaml', text }], { node: { name: 'n', routerId: '1.1.1.1', labels: { zone: 'b' } } });
  t.ok(a.ok && b.ok);
  if (a.ok && b.ok) {
    t.same(a.config.nodePeers.map((p) => p.name), ['r1']);
    t.equal(a.config.node.asn, 64501);
    t.same(b.config.nodePeers.map((p) => p.name), ['r2']);
    t.equal(b.config.node.asn, 64502);
  }
});

t.test('warnings: unknown kinds (one per kind and file), unknown fields with a suggestion, bfdProfile', async (t) => {
  const text = `${POOL}---
apiVersion: apps/v1
kind: Deployment
metadata: { name: a }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: b }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: adv }
spec: { aggregationLenght: 24 }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: r }
spec: { myASN: 64501, peerASN: 64500, peerAddress: 192.168.3.1, bfdProfile: fast }
`;
  const r = loadConfig([{ name: 'dump.yaml', text }], NODE);
  t.ok(r.ok, 'warnings alone do not refuse the configuration');
  const warnings = r.warnings.map(formatDiagnostic);
  t.same(warnings, [
    'dump.yaml:6:1: warning: ignored 2 resources of kind Deployment (apps/v1): not used by tsbgpd',
    'dump.yaml:17:9: warning: spec.aggregationLenght: unknown field (ignored) (did you mean "aggregationLength"?)',
    'dump.yaml:22:77: warning: spec.bfdProfile: BFD is not supported: the session runs without it, failures are noticed by the hold timer',
  ]);
});

t.test('command-line identity problems name the flag', async (t) => {
  const diags: Diagnostic[] = validate([{ name: 'p.yaml', text: `${POOL}---\n${PEER}` }], {
    node: { name: 'n', routerId: '0.0.0.0', labels: { 'bad key': 'x' }, asn: 0 },
  });
  t.same(diags.map(formatDiagnostic), [
    '--asn: expected an AS number 1..4294967295, got 0',
    '--label: invalid label key "bad key" (at most 63 characters: letters, digits, "-", "_", ".")',
    '--router-id: the BGP Identifier must be a non-zero IPv4 address, got "0.0.0.0"',
  ]);
  const noNode = loadConfig([{ name: 'p.yaml', text: POOL }]);
  t.same(noNode.ok ? [] : noNode.errors.map(formatDiagnostic), ['--node: which node is this? give --node NAME or a tsbgpd.io/v1alpha1 Node resource']);
});

t.test('validate without a node runs every check but the per-node ones', async (t) => {
  const peers = `${PEER}---
${PEER.replace('name: router', 'name: other').replace('64501', '64999')}`;
  const text = `${POOL}---
${peers}---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: a }
spec: { localPref: 10 }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: b }
`;
  t.same(validate([{ name: 'p.yaml', text }]).map(formatDiagnostic), [
    'p.yaml:21:1: spec.localPref: LOCAL_PREF unset conflicts with 10 of BGPAdvertisement "a": both announce pool "pool" with the same aggregation to the same peers from the same nodes',
  ], 'no --node error, no myASN disagreement (no node), the LOCAL_PREF conflict found');
  t.same(validate([{ name: 'p.yaml', text: POOL }]).map(formatDiagnostic), [
    'p.yaml:1:1: warning: pool "pool" is not covered by any BGPAdvertisement: its addresses are allocated but never announced',
  ]);
});

t.test('an unsupported version of a MetalLB kind is an error, not an ignored kind', async (t) => {
  const errors = errorsOf([{ name: 'v.yaml', text: POOL.replace('v1beta1', 'v1alpha1') }]);
  t.same(errors, ['v.yaml:1:13: apiVersion: unsupported apiVersion for IPAddressPool: use metallb.io/v1beta1']);
});
