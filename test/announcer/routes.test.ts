// From addresses to announcements: aggregation with duplicates merged, communities (standard, large, aliases),
// LOCAL_PREF, the peers and nodes advertisements and BGPPeers select, and the per-peer export policy.
import t from 'tap';
import { formatDiagnostic, loadConfig, type AnnouncerConfig, type NodeOptions } from '../../lib/config/index.js';
import { allocateServices, announcerExportPolicy, computeRoutes, type RouteTable } from '../../lib/announcer/index.js';
import { formatCommunity, formatLargeCommunity, type PathAttribute } from '../../lib/wire/index.js';

const PEERS = `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: core }
spec: { myASN: 64501, peerASN: 64500, peerAddress: 192.168.3.1 }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: rr }
spec: { myASN: 64501, peerASN: 64501, peerAddress: 192.168.3.2 }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: zone-b-router }
spec: { myASN: 64501, peerASN: 64500, peerAddress: 192.168.4.1, nodeSelectors: [{ matchLabels: { zone: b } }] }
`;

function config(text: string, node: NodeOptions = { name: 'worker-1', routerId: '192.168.3.15', labels: { zone: 'a' } }): AnnouncerConfig {
  const r = loadConfig([{ name: 'test.yaml', text }], { node });
  if (!r.ok) throw new Error(r.errors.map(formatDiagnostic).join('\n'));
  return r.config;
}

const doc = (kind: string, name: string, spec: string, api = 'metallb.io/v1beta1'): string =>
  `---\napiVersion: ${api}\nkind: ${kind}\nmetadata: { name: ${name} }\nspec: ${spec}\n`;
const svc = (name: string, ip: string): string => `---\napiVersion: v1\nkind: Service\nmetadata: { name: ${name}, namespace: ns }\nspec: { type: LoadBalancer, loadBalancerIP: "${ip}" }\n`;

function routes(c: AnnouncerConfig, options = {}): RouteTable {
  return computeRoutes(c, allocateServices(c, new Map()).services, options).table;
}

/** prefix → peer → "lp=… c=… lc=…" */
function summary(table: RouteTable): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const r of table.values()) {
    out[r.text] = {};
    for (const [peer, a] of r.peers) {
      const parts = [`lp=${a.localPref ?? '-'}`, `c=${a.communities.map(formatCommunity).join(' ')}`, `lc=${a.largeCommunities.map(formatLargeCommunity).join(' ')}`];
      (out[r.text] as Record<string, string>)[peer] = parts.join(' ');
    }
  }
  return out;
}

t.test('aggregationLength 24 merges two /32s into one /24; the /32 advertisement keeps both', async (t) => {
  const text =
    PEERS +
    doc('IPAddressPool', 'p', '{ addresses: [10.8.0.0/16] }') +
    doc('BGPAdvertisement', 'agg', '{ aggregationLength: 24, peers: [core] }') +
    doc('BGPAdvertisement', 'host', '{ peers: [rr] }') +
    svc('a', '10.8.3.7') +
    svc('b', '10.8.3.9');
  const table = routes(config(text));
  t.same(Object.keys(summary(table)), ['10.8.3.0/24', '10.8.3.7/32', '10.8.3.9/32']);
  const agg = [...table.values()][0];
  t.same(agg?.services, ['ns/a', 'ns/b'], 'the aggregate covers both services');
  t.same([...(agg?.peers.keys() ?? [])], ['core']);
});

t.test('IPv6 aggregation with aggregationLengthV6', async (t) => {
  const text =
    PEERS +
    doc('IPAddressPool', 'v6', '{ addresses: ["2001:db8::/64"] }') +
    doc('BGPAdvertisement', 'agg', '{ aggregationLengthV6: 120 }') +
    svc('a', '2001:db8::5') +
    svc('b', '2001:db8::ff') +
    svc('c', '2001:db8::1:1');
  t.same(Object.keys(summary(routes(config(text)))), ['2001:db8::/120', '2001:db8::1:0/120']);
});

t.test('communities: standard, large and Community aliases; merged across advertisements; LOCAL_PREF', async (t) => {
  const text =
    PEERS +
    doc('Community', 'aliases', '{ communities: [{ name: NO_ADVERTISE, value: "65535:65282" }, { name: site, value: "large:64501:1:2" }] }') +
    doc('IPAddressPool', 'p', '{ addresses: [10.8.0.0/24] }') +
    doc('BGPAdvertisement', 'one', '{ communities: [NO_ADVERTISE, "64501:100"], localPref: 200 }') +
    doc('BGPAdvertisement', 'two', '{ communities: [site, "64501:100"], peers: [core], aggregationLength: 32, localPref: 200 }') +
    svc('a', '10.8.0.1');
  t.same(summary(routes(config(text))), {
    '10.8.0.1/32': {
      core: 'lp=200 c=64501:100 no-advertise lc=64501:1:2',
      rr: 'lp=200 c=64501:100 no-advertise lc=',
    },
  });
});

t.test("LOCAL_PREF conflicts MetalLB refuses, and the ones it allows (other peers, other aggregation)", async (t) => {
  const base = PEERS + doc('IPAddressPool', 'p', '{ addresses: [10.8.0.0/24] }') + doc('BGPAdvertisement', 'one', '{ localPref: 200 }');
  const refused = loadConfig([{ name: 'c.yaml', text: base + doc('BGPAdvertisement', 'two', '{ peers: [core] }') }], { node: { name: 'n', routerId: '1.1.1.1' } });
  t.same(refused.ok ? [] : refused.errors.map(formatDiagnostic), [
    'c.yaml:29:7: spec.localPref: LOCAL_PREF unset conflicts with 200 of BGPAdvertisement "one": both announce pool "p" with the same aggregation to the same peers from the same nodes',
  ]);
  const otherLength = base + doc('BGPAdvertisement', 'two', '{ peers: [core], aggregationLength: 24, aggregationLengthV6: 64, localPref: 50 }');
  t.ok(loadConfig([{ name: 'c.yaml', text: otherLength }], { node: { name: 'n', routerId: '1.1.1.1' } }).ok);
  const otherPeers =
    PEERS + doc('IPAddressPool', 'p', '{ addresses: [10.8.0.0/24] }') + doc('BGPAdvertisement', 'one', '{ localPref: 200, peers: [rr] }') + doc('BGPAdvertisement', 'two', '{ peers: [core] }');
  t.ok(loadConfig([{ name: 'c.yaml', text: otherPeers }], { node: { name: 'n', routerId: '1.1.1.1' } }).ok);
});

t.test('peers and nodeSelectors: who is sent what, from which node', async (t) => {
  const text =
    PEERS +
    doc('IPAddressPool', 'p', '{ addresses: [10.8.0.0/24] }') +
    doc('IPAddressPool', 'quiet', '{ addresses: [10.9.0.0/24] }') +
    doc('BGPAdvertisement', 'to-rr', '{ ipAddressPools: [p], peers: [rr] }') +
    doc('BGPAdvertisement', 'zone-b-only', '{ ipAddressPools: [p], nodeSelectors: [{ matchLabels: { zone: b } }], communities: ["1:1"] }') +
    svc('a', '10.8.0.1') +
    svc('b', '10.9.0.1');
  const inA = config(text);
  t.same(inA.nodePeers.map((p) => p.name), ['core', 'rr'], "zone-b-router's nodeSelectors leave node A out");
  t.same(summary(routes(inA)), { '10.8.0.1/32': { rr: 'lp=- c= lc=' } }, 'a pool no advertisement selects is never announced');
  const inB = config(text, { name: 'worker-2', routerId: '192.168.4.15', labels: { zone: 'b' } });
  t.same(inB.nodePeers.map((p) => p.name), ['core', 'rr', 'zone-b-router']);
  t.same(summary(routes(inB)), {
    '10.8.0.1/32': { rr: 'lp=- c=1:1 lc=', core: 'lp=- c=1:1 lc=', 'zone-b-router': 'lp=- c=1:1 lc=' },
  });
});

t.test('ipAddressPoolSelectors pick pools by label', async (t) => {
  const text =
    PEERS +
    `---\napiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: { name: pub, labels: { exposure: public } }\nspec: { addresses: [10.8.0.0/24] }\n` +
    doc('IPAddressPool', 'priv', '{ addresses: [10.9.0.0/24] }') +
    doc('BGPAdvertisement', 'public', '{ ipAddressPoolSelectors: [{ matchLabels: { exposure: public } }] }') +
    svc('a', '10.8.0.1') +
    svc('b', '10.9.0.1');
  t.same(Object.keys(summary(routes(config(text)))), ['10.8.0.1/32']);
});

t.test('a node labelled exclude-from-external-load-balancers announces nothing (unless told to)', async (t) => {
  const text = PEERS + doc('IPAddressPool', 'p', '{ addresses: [10.8.0.0/24] }') + doc('BGPAdvertisement', 'all', '{}') + svc('a', '10.8.0.1');
  const c = config(text, { name: 'cp-1', routerId: '1.1.1.1', labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } });
  t.equal(routes(c).size, 0);
  t.equal(routes(c, { ignoreExcludeLB: true }).size, 1);
});

t.test('the export policy sets each peer its own attributes and denies what it is not sent', async (t) => {
  const text =
    PEERS +
    doc('IPAddressPool', 'p', '{ addresses: [10.8.0.0/24] }') +
    doc('BGPAdvertisement', 'core', '{ peers: [core], communities: ["64501:1"], localPref: 300 }') +
    doc('BGPAdvertisement', 'rr', '{ peers: [rr], aggregationLength: 24 }') +
    svc('a', '10.8.0.1');
  const table = routes(config(text));
  const core = announcerExportPolicy('core', () => table);
  const rr = announcerExportPolicy('rr', () => table);
  const base: PathAttribute[] = [
    { kind: 'origin', origin: 0 },
    { kind: 'as-path', segments: [] },
    { kind: 'communities', communities: [1] },
  ];
  const host = { afi: 1 as const, address: '10.8.0.1', length: 32 };
  const agg = { afi: 1 as const, address: '10.8.0.0', length: 24 };
  const ebgp = { address: '192.168.3.1', asn: 64500, localAsn: 64501, ibgp: false };
  const ibgp = { address: '192.168.3.2', asn: 64501, localAsn: 64501, ibgp: true };
  const toCore = core({ prefix: host, attributes: base }, ebgp);
  t.same(toCore, [
    { kind: 'origin', origin: 0 },
    { kind: 'as-path', segments: [] },
    { kind: 'local-pref', localPref: 300 },
    { kind: 'communities', communities: [64501 * 65536 + 1] },
  ], 'communities replaced; LOCAL_PREF given (the RIB drops it toward eBGP)');
  t.equal(core({ prefix: host, attributes: base }, ebgp), toCore, 'the same array again (cached)');
  t.equal(core({ prefix: agg, attributes: base }, ebgp), null, 'the /24 is not for core');
  t.equal(rr({ prefix: host, attributes: base }, ibgp), null, 'the /32 is not for rr');
  t.same(rr({ prefix: agg, attributes: base }, ibgp), [
    { kind: 'origin', origin: 0 },
    { kind: 'as-path', segments: [] },
    { kind: 'local-pref', localPref: 100 },
  ], 'iBGP without localPref: the default 100, no communities');
  t.equal(core({ prefix: { afi: 1, address: '10.99.0.0', length: 32 }, attributes: base }, ebgp), null, 'not ours: denied');
});
