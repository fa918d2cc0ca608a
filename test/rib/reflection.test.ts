// Route reflection (RFC 4456 §6, §8): who gets a route from whom, ORIGINATOR_ID and CLUSTER_LIST on reflected
// routes, next hop kept, and the loop checks on receipt.
import t from 'tap';
import { IPV4_UNICAST, createContext, decodeUpdate, parsePrefix, type PathAttribute, type UpdateMessage } from '../../lib/wire/index.js';
import { Rib } from '../../lib/rib/index.js';

const ctx = createContext();
const P = '198.51.100.0/24';
function drain(rib: Rib, id: string): UpdateMessage[] {
  const out: UpdateMessage[] = [];
  while (rib.hasPending(id)) for (const m of rib.flush(id)) out.push(decodeUpdate(m.subarray(19), ctx));
  return out.filter((u) => u.endOfRib === undefined);
}
const find = <K extends PathAttribute['kind']>(u: UpdateMessage | undefined, kind: K) =>
  u?.attributes.find((a) => a.kind === kind) as Extract<PathAttribute, { kind: K }> | undefined;
function route(extra: PathAttribute[] = [], asns: number[] = []): UpdateMessage {
  return {
    type: 2,
    withdrawn: [],
    attributes: [
      { kind: 'origin', origin: 0 },
      { kind: 'as-path', segments: asns.length > 0 ? [{ type: 2, asns }] : [] },
      { kind: 'next-hop', nextHop: '10.9.9.9' },
      ...extra,
    ],
    nlri: [parsePrefix(P)],
  };
}

const ids = ['c1', 'c2', 'n1', 'n2', 'e1'] as const;
/** Reflector 10.0.0.1 (cluster 10.255.0.1) in AS 65000: clients c1, c2; non-clients n1, n2; eBGP e1. */
function setup(): Rib {
  const rib = new Rib({ localAsn: 65000, routerId: '10.0.0.1', clusterId: '10.255.0.1' });
  const defs: Record<(typeof ids)[number], [string, number, boolean, string]> = {
    c1: ['10.0.0.11', 65000, true, '1.0.0.11'],
    c2: ['10.0.0.12', 65000, true, '1.0.0.12'],
    n1: ['10.0.0.21', 65000, false, '1.0.0.21'],
    n2: ['10.0.0.22', 65000, false, '1.0.0.22'],
    e1: ['192.0.2.1', 65001, false, '1.0.0.31'],
  };
  for (const id of ids) {
    const [address, asn, rrClient, routerId] = defs[id];
    rib.addPeer({ id, address, asn, routeReflectorClient: rrClient });
    rib.peerUp(id, { families: [IPV4_UNICAST], routerId, txContext: ctx, localAddress: { ipv4: '10.0.0.1' } });
    drain(rib, id);
  }
  return rib;
}

// RFC 4456 §6: the advertisement table, source × target.
const table: Record<(typeof ids)[number], (typeof ids)[number][]> = {
  c1: ['c2', 'n1', 'n2', 'e1'], // from a client: other clients, non-clients, eBGP
  n1: ['c1', 'c2', 'e1'], // from a non-client: clients only (and eBGP)
  e1: ['c1', 'c2', 'n1', 'n2'], // from eBGP: everyone
  c2: ['c1', 'n1', 'n2', 'e1'],
  n2: ['c1', 'c2', 'e1'],
};

for (const source of ids) {
  t.test(`a route from ${source} goes to ${table[source].join(', ')}`, async (t) => {
    const rib = setup();
    rib.ingest(source, route([], source === 'e1' ? [65001] : []));
    const got = ids.filter((id) => drain(rib, id).some((u) => u.nlri.length > 0));
    t.same(got, table[source]);
  });
}

t.test('reflected routes get ORIGINATOR_ID and our CLUSTER_ID, and keep their next hop', async (t) => {
  const rib = setup();
  rib.ingest('c1', route([{ kind: 'local-pref', localPref: 120 }]));
  const [u] = drain(rib, 'c2');
  t.equal(find(u, 'originator-id')?.originatorId, '1.0.0.11');
  t.same(find(u, 'cluster-list')?.clusterList, ['10.255.0.1']);
  t.equal(find(u, 'next-hop')?.nextHop, '10.9.9.9');
  t.equal(find(u, 'local-pref')?.localPref, 120);
  const [e] = drain(rib, 'e1');
  t.equal(find(e, 'originator-id'), undefined, 'RFC 4456 attributes do not leave the AS');
  t.equal(find(e, 'cluster-list'), undefined);
});

t.test('an existing ORIGINATOR_ID is kept and our CLUSTER_ID is prepended', async (t) => {
  const rib = setup();
  rib.ingest('n1', route([
    { kind: 'originator-id', originatorId: '7.7.7.7' },
    { kind: 'cluster-list', clusterList: ['10.255.0.9'] },
  ]));
  const [u] = drain(rib, 'c1');
  t.equal(find(u, 'originator-id')?.originatorId, '7.7.7.7');
  t.same(find(u, 'cluster-list')?.clusterList, ['10.255.0.1', '10.255.0.9']);
});

t.test('routes from eBGP are not reflected: no ORIGINATOR_ID or CLUSTER_LIST to iBGP', async (t) => {
  const rib = setup();
  rib.ingest('e1', route([], [65001]));
  const [u] = drain(rib, 'n1');
  t.equal(find(u, 'originator-id'), undefined);
  t.equal(find(u, 'cluster-list'), undefined);
});

t.test('a route is not sent to the peer whose router ID is its ORIGINATOR_ID', async (t) => {
  const rib = setup();
  rib.ingest('n1', route([{ kind: 'originator-id', originatorId: '1.0.0.12' }]));
  t.same(drain(rib, 'c2'), []);
  t.equal(drain(rib, 'c1').length, 1);
});

t.test('on receipt: our router ID as ORIGINATOR_ID or our CLUSTER_ID in CLUSTER_LIST makes a route ineligible', async (t) => {
  const rib = setup();
  rib.ingest('c1', route([{ kind: 'originator-id', originatorId: '10.0.0.1' }]));
  rib.ingest('c2', route([{ kind: 'originator-id', originatorId: '1.1.1.1' }, { kind: 'cluster-list', clusterList: ['10.255.0.5', '10.255.0.1'] }]));
  const entry = rib.locRibEntry(parsePrefix(P));
  t.same(entry?.paths.map((p) => [p.from, p.accepted, p.best]), [
    ['c2', false, false],
    ['c1', false, false],
  ]);
  t.equal(rib.counters('c1').received, 1);
  t.equal(rib.counters('c1').accepted, 0);
  for (const id of ids) t.same(drain(rib, id), [], `nothing sent to ${id}`);
});

t.test('without clients, iBGP routes are not passed between iBGP peers', async (t) => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.0.0.1' });
  for (const [id, address] of [['n1', '10.0.0.21'], ['n2', '10.0.0.22']] as const) {
    rib.addPeer({ id, address, asn: 65000 });
    rib.peerUp(id, { families: [IPV4_UNICAST], txContext: ctx });
    drain(rib, id);
  }
  rib.ingest('n1', route());
  t.same(drain(rib, 'n2'), []);
});
