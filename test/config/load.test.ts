// The seed's YAML loads unchanged; the node's identity comes from flags, tsbgpd Node resources and core v1 Nodes;
// cluster dumps (`kind: List`, JSON) and kubectl's YAML habits are understood.
import t from 'tap';
import { SEED_YAML } from '../helpers/seed.js';
import { formatDiagnostic, loadConfig, type AnnouncerConfig } from '../../lib/config/index.js';

const SEED = SEED_YAML;

function ok(r: ReturnType<typeof loadConfig>): AnnouncerConfig {
  if (!r.ok) throw new Error(r.errors.map(formatDiagnostic).join('\n'));
  return r.config;
}

t.test("the seed's configuration loads unchanged", async (t) => {
  const r = loadConfig([{ name: 'seed.yaml', text: SEED }], { node: { name: 'worker-1', routerId: '192.168.3.15' } });
  const c = ok(r);
  t.same(r.ok && r.warnings, [], 'no warnings');
  t.equal(c.pools.length, 1);
  t.same(c.pools[0]?.addresses.map((a) => a.text), ['10.8.0.0/16']);
  t.equal(c.pools[0]?.autoAssign, true);
  t.equal(c.advertisements[0]?.aggregationLength, 32);
  t.equal(c.advertisements[0]?.localPref, undefined, 'no localPref: no LOCAL_PREF');
  t.same(c.nodePeers.map((p) => [p.name, p.myASN, p.peerASN, p.peerAddress, p.peerPort]), [['pfsense-peer', 64501, 64500, '192.168.3.1', 179]]);
  t.same(c.node, { name: 'worker-1', labels: { 'kubernetes.io/hostname': 'worker-1' }, routerId: '192.168.3.15', addresses: [], asn: 64501 });
  const svc = c.services[0];
  t.equal(svc?.key, 'example/guestbook-ui');
  t.equal(svc?.requestedPool, 'rubrik-address-pool', 'the older metallb.universe.tf/ prefix is read');
  t.same(svc?.families, ['IPv4']);
  t.same(svc?.ports, [{ protocol: 'TCP', port: 80 }]);
  t.ok(Object.isFrozen(c) && Object.isFrozen(c.pools[0]) && Object.isFrozen(c.services[0]?.ports), 'frozen');
});

t.test('node identity: flags over a tsbgpd Node over a v1 Node', async (t) => {
  const nodes = `apiVersion: tsbgpd.io/v1alpha1
kind: Node
metadata: { name: worker-1, labels: { zone: a, rack: r1 } }
spec: { routerId: 192.168.3.15, addresses: [192.168.3.15, "2001:db8::15"], asn: 64501 }
---
apiVersion: v1
kind: Node
metadata: { name: worker-1, labels: { zone: z, kubernetes.io/os: linux } }
status: { addresses: [{ type: InternalIP, address: 192.168.3.99 }, { type: Hostname, address: worker-1 }] }
`;
  const fromResources = ok(loadConfig([{ name: 'seed.yaml', text: SEED }, { name: 'nodes.yaml', text: nodes }]));
  t.same(fromResources.node, {
    name: 'worker-1',
    labels: { 'kubernetes.io/hostname': 'worker-1', zone: 'a', 'kubernetes.io/os': 'linux', rack: 'r1' },
    routerId: '192.168.3.15',
    addresses: ['192.168.3.15', '2001:db8::15'],
    asn: 64501,
  });
  const flags = ok(
    loadConfig([{ name: 'seed.yaml', text: SEED }, { name: 'nodes.yaml', text: nodes }], {
      node: { name: 'worker-1', labels: { rack: 'r2' }, routerId: '10.0.0.1', addresses: ['192.168.3.16'] },
    }),
  );
  t.equal(flags.node.labels['rack'], 'r2', 'flag label wins');
  t.equal(flags.node.routerId, '10.0.0.1');
  t.same(flags.node.addresses, ['192.168.3.16']);
  // Without a router ID anywhere, the node's first IPv4 address is its BGP Identifier.
  const v1only = nodes.split('---')[1] as string;
  const derived = ok(loadConfig([{ name: 'seed.yaml', text: SEED }, { name: 'v1.yaml', text: v1only }], { node: { name: 'worker-1' } }));
  t.equal(derived.node.routerId, '192.168.3.99');
  t.equal(derived.node.labels['zone'], 'z');
});

t.test('a BGPPeer routerID becomes the router ID; another disagreeing one is an error', async (t) => {
  const text = SEED.replace('peerAddress: 192.168.3.1 }', 'peerAddress: 192.168.3.1, routerID: 10.1.1.1 }');
  t.equal(ok(loadConfig([{ name: 's.yaml', text }], { node: { name: 'n' } })).node.routerId, '10.1.1.1');
  const r = loadConfig([{ name: 's.yaml', text }], { node: { name: 'n', routerId: '10.2.2.2' } });
  t.same(r.ok ? [] : r.errors.map(formatDiagnostic), [
    's.yaml:14:75: spec.routerID: node n uses router ID 10.2.2.2 (from the node); one BGP speaker has one identifier',
  ]);
});

t.test('a cluster dump: kind List in JSON, core Namespaces, kubectl YAML 1.1 booleans, merge keys', async (t) => {
  const dump = JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'web' } } },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'cart', namespace: 'shop' },
        spec: { type: 'LoadBalancer', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10', 'fd00::10'], ipFamilyPolicy: 'PreferDualStack', ports: [{ port: 443, protocol: 'TCP' }] },
        status: { loadBalancer: { ingress: [{ ip: '10.8.0.7' }] } },
      },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'cart' } },
    ],
  });
  const extra = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: quiet }
spec:
  addresses: [10.9.0.0/24]
  autoAssign: no
  avoidBuggyIPs: yes
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: quiet2, labels: &labels { tier: quiet } }
spec:
  <<: { autoAssign: off, avoidBuggyIPs: on }
  addresses: [10.9.1.0/24]
  serviceAllocation: { serviceSelectors: [{ matchLabels: *labels }] }
`;
  const r = loadConfig(
    [
      { name: 'seed.yaml', text: SEED },
      { name: 'dump.json', text: dump },
      { name: 'extra.yaml', text: extra },
    ],
    { node: { name: 'n', routerId: '1.1.1.1' } },
  );
  const c = ok(r);
  t.same(c.namespaces, [{ name: 'shop', labels: { team: 'web' } }]);
  const cart = c.services.find((s) => s.key === 'shop/cart');
  t.same(cart?.families, ['IPv4', 'IPv6'], 'families from clusterIPs');
  t.same(cart?.statusIPs, ['10.8.0.7']);
  t.same(
    c.pools.map((p) => [p.name, p.autoAssign, p.avoidBuggyIPs]),
    [
      ['rubrik-address-pool', true, false],
      ['quiet', false, true],
      ['quiet2', false, true],
    ],
    'unquoted yes/no/on/off read as booleans; merge keys resolved',
  );
  t.same(c.pools[2]?.serviceAllocation?.serviceSelectors, [{ matchLabels: { tier: 'quiet' }, matchExpressions: [] }], 'aliases resolved');
  t.same(c.services.map((s) => s.key), ['example/guestbook-ui', 'shop/cart'], 'services sorted by namespace/name');
  t.ok(r.ok && r.warnings.some((w) => /Deployment/.test(w.message)), 'the Deployment is ignored with a warning');
  const quoted = loadConfig([{ name: 'q.yaml', text: extra.replace('autoAssign: no', 'autoAssign: "no"') }], { node: { name: 'n', routerId: '1.1.1.1' } });
  t.same(quoted.ok ? [] : quoted.errors.map(formatDiagnostic), ['q.yaml:6:15: spec.autoAssign: expected true or false, got "no"'], 'a quoted "no" is a string');
});

t.test('service families, requested addresses and sharing keys', async (t) => {
  const svc = (name: string, meta: string, spec: string): string => `---
apiVersion: v1
kind: Service
metadata: { name: ${name}${meta} }
spec: { type: LoadBalancer${spec} }
`;
  const text =
    SEED +
    svc('a', ', annotations: { metallb.io/loadBalancerIPs: "10.8.0.9, 2001:DB8::0:9" }', ', ipFamilyPolicy: RequireDualStack') +
    svc('b', '', ', loadBalancerIP: 10.8.0.10, externalTrafficPolicy: Local, selector: { b: "2", a: "1" }') +
    svc('c', ', annotations: { metallb.universe.tf/allow-shared-ip: k1 }', ', ipFamilies: [IPv6]') +
    svc('d', '', ', ipFamilyPolicy: PreferDualStack, ipFamilies: [IPv6]');
  const loaded = loadConfig([{ name: 's.yaml', text }], { node: { name: 'n', routerId: '1.1.1.1' } });
  const c = ok(loaded);
  t.same(
    loaded.ok && loaded.warnings.map((w) => `${w.line}: ${w.field}`),
    ['32: spec.externalTrafficPolicy'],
    'externalTrafficPolicy: Local is warned about (tsbgpd does not see endpoints)',
  );
  const by = (n: string) => c.services.find((s) => s.name === n);
  t.same(by('a')?.requestedIPs, ['10.8.0.9', '2001:db8::9'], 'canonical text');
  t.same(by('a')?.families, ['IPv4', 'IPv6']);
  t.same(by('b')?.requestedIPs, ['10.8.0.10']);
  t.equal(by('b')?.backendKey, 'a=1,b=2', 'Local: the sorted selector is the backend key');
  t.equal(by('a')?.backendKey, '', 'Cluster: no backend key');
  t.equal(by('c')?.sharingKey, 'k1');
  t.same(by('c')?.families, ['IPv6']);
  t.same(by('d')?.families, ['IPv6', 'IPv4'], 'PreferDualStack: the listed family first');
  const both = loadConfig([{ name: 'x.yaml', text: SEED + svc('e', ', annotations: { metallb.io/loadBalancerIPs: 10.8.0.1 }', ', loadBalancerIP: 10.8.0.1') }], {
    node: { name: 'n', routerId: '1.1.1.1' },
  });
  t.same(both.ok ? [] : both.errors.map(formatDiagnostic), ['x.yaml:27:45: spec.loadBalancerIP: set either spec.loadBalancerIP or the metallb.io/loadBalancerIPs annotation, not both']);
});
