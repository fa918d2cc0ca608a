// The decision process (RFC 4271 §9.1.2.2, RFC 4456 §9): one test per elimination step and tie-break, plus the
// ECMP set (FRR maximum-paths semantics) and the fall-back to the next best path on withdrawal.
import t from 'tap';
import { IPV4_UNICAST, createContext, parsePrefix, type PathAttribute, type UpdateMessage } from '../../lib/wire/index.js';
import { Rib, type RibOptions } from '../../lib/rib/index.js';

const P = '10.0.0.0/24';
const txContext = createContext();

function update(attributes: PathAttribute[], nlri = [P]): UpdateMessage {
  return { type: 2, withdrawn: [], attributes, nlri: nlri.map((p) => parsePrefix(p)) };
}
function attrs(asns: number[], extra: PathAttribute[] = [], nextHop = '192.0.2.99'): PathAttribute[] {
  return [
    { kind: 'origin', origin: 0 },
    { kind: 'as-path', segments: asns.length > 0 ? [{ type: 2, asns }] : [] },
    { kind: 'next-hop', nextHop },
    ...extra,
  ];
}

/** A RIB in AS 65000 with eBGP peers e1 (AS 65001), e3 (AS 65001), e2 (AS 65002) and iBGP peers i1, i2, i3. */
function setup(options: Partial<RibOptions> = {}): Rib {
  const rib = new Rib({ localAsn: 65000, routerId: '10.0.0.1', ...options });
  const peers: [string, string, number, string][] = [
    ['e1', '192.0.2.1', 65001, '1.1.1.1'],
    ['e2', '192.0.2.2', 65002, '2.2.2.2'],
    ['e3', '192.0.2.3', 65001, '5.5.5.5'],
    ['i1', '10.1.1.1', 65000, '3.3.3.3'],
    ['i2', '10.1.1.2', 65000, '4.4.4.4'],
    ['i3', '10.1.1.0', 65000, '3.3.3.3'],
  ];
  for (const [id, address, asn, routerId] of peers) {
    rib.addPeer({ id, address, asn });
    rib.peerUp(id, { families: [IPV4_UNICAST], routerId, txContext, localAddress: { ipv4: '10.0.0.1' } });
  }
  return rib;
}

function best(rib: Rib, prefix = P): string | null | undefined {
  const entry = rib.locRibEntry(parsePrefix(prefix));
  const b = entry?.paths.find((p) => p.best);
  return b === undefined ? undefined : b.from;
}

t.test('weight: a locally originated route beats any learned one', async (t) => {
  const rib = setup();
  rib.ingest('i1', update(attrs([], [{ kind: 'local-pref', localPref: 1000 }])));
  rib.originate(parsePrefix(P), [{ kind: 'as-path', segments: [{ type: 2, asns: [1, 2, 3, 4] }] }]);
  t.equal(best(rib), null);
});

t.test('highest LOCAL_PREF wins, before AS_PATH length', async (t) => {
  const rib = setup();
  rib.ingest('i1', update(attrs([65010, 65011, 65012], [{ kind: 'local-pref', localPref: 200 }])));
  rib.ingest('i2', update(attrs([65010], [{ kind: 'local-pref', localPref: 100 }])));
  t.equal(best(rib), 'i1');
});

t.test('a missing LOCAL_PREF counts as 100', async (t) => {
  const rib = setup();
  rib.ingest('i1', update(attrs([65010], [{ kind: 'local-pref', localPref: 99 }])));
  rib.ingest('i2', update(attrs([65010, 65011])));
  t.equal(best(rib), 'i2');
});

t.test('LOCAL_PREF received from eBGP is ignored (RFC 4271 §5.1.5)', async (t) => {
  const rib = setup();
  rib.ingest('e1', update(attrs([65001, 7, 8], [{ kind: 'local-pref', localPref: 500 }])));
  rib.ingest('e2', update(attrs([65002])));
  t.equal(best(rib), 'e2');
  const e1 = rib.locRibEntry(parsePrefix(P))?.paths.find((p) => p.from === 'e1');
  t.notOk(e1?.attributes.some((a) => a.kind === 'local-pref'), 'stored without LOCAL_PREF');
  t.ok(e1?.received.some((a) => a.kind === 'local-pref'), 'but shown as received');
});

t.test('shortest AS_PATH wins', async (t) => {
  const rib = setup();
  rib.ingest('e1', update(attrs([65001, 1, 2])));
  rib.ingest('e2', update(attrs([65002])));
  t.equal(best(rib), 'e2');
});

t.test('an AS_SET counts as one AS', async (t) => {
  const rib = setup();
  rib.ingest('e1', update([
    { kind: 'origin', origin: 0 },
    { kind: 'as-path', segments: [{ type: 2, asns: [65001] }, { type: 1, asns: [1, 2, 3, 4] }] },
    { kind: 'next-hop', nextHop: '192.0.2.1' },
  ]));
  rib.ingest('e2', update(attrs([65002, 5, 6])));
  t.equal(best(rib), 'e1');
});

t.test('confederation segments count zero', async (t) => {
  const rib = setup();
  rib.ingest('i1', update([
    { kind: 'origin', origin: 0 },
    { kind: 'as-path', segments: [{ type: 3, asns: [64512, 64513, 64514] }, { type: 2, asns: [65010] }] },
    { kind: 'next-hop', nextHop: '192.0.2.1' },
  ]));
  rib.ingest('i2', update(attrs([65010, 65011])));
  t.equal(best(rib), 'i1');
});

t.test('lowest ORIGIN wins', async (t) => {
  const rib = setup();
  rib.ingest('e1', update([{ kind: 'origin', origin: 2 }, ...attrs([65001]).slice(1)]));
  rib.ingest('e2', update([{ kind: 'origin', origin: 1 }, ...attrs([65002]).slice(1)]));
  t.equal(best(rib), 'e2');
});

t.test('lowest MED wins between routes from the same neighbouring AS', async (t) => {
  const rib = setup();
  rib.ingest('e1', update(attrs([65001], [{ kind: 'multi-exit-disc', med: 50 }])));
  rib.ingest('e3', update(attrs([65001], [{ kind: 'multi-exit-disc', med: 10 }])));
  t.equal(best(rib), 'e3', 'MED beats the lower router ID of e1');
});

t.test('MED is not compared across neighbouring ASes unless always-compare-med', async (t) => {
  const rib = setup();
  rib.ingest('e1', update(attrs([65001], [{ kind: 'multi-exit-disc', med: 50 }])));
  rib.ingest('e2', update(attrs([65002], [{ kind: 'multi-exit-disc', med: 10 }])));
  t.equal(best(rib), 'e1', 'router ID decides');
  const always = setup({ alwaysCompareMed: true });
  always.ingest('e1', update(attrs([65001], [{ kind: 'multi-exit-disc', med: 50 }])));
  always.ingest('e2', update(attrs([65002], [{ kind: 'multi-exit-disc', med: 10 }])));
  t.equal(best(always), 'e2');
});

t.test('a missing MED counts as 0', async (t) => {
  const rib = setup();
  rib.ingest('e3', update(attrs([65001], [{ kind: 'multi-exit-disc', med: 5 }])));
  rib.ingest('e1', update(attrs([65001])));
  t.equal(best(rib), 'e1');
});

t.test('MED elimination is per neighbouring AS, not a pairwise order', async (t) => {
  // e1 (AS 65001, MED 10) eliminates e3 (AS 65001, MED 20); e2 (AS 65002, MED 30) is not compared with them.
  // Router IDs: e1 1.1.1.1, e2 2.2.2.2 → e1.
  const rib = setup();
  rib.ingest('e2', update(attrs([65002], [{ kind: 'multi-exit-disc', med: 30 }])));
  rib.ingest('e3', update(attrs([65001], [{ kind: 'multi-exit-disc', med: 20 }])));
  rib.ingest('e1', update(attrs([65001], [{ kind: 'multi-exit-disc', med: 10 }])));
  t.equal(best(rib), 'e1');
});

t.test('eBGP is preferred over iBGP', async (t) => {
  const rib = setup();
  rib.ingest('i1', update(attrs([65003])));
  rib.ingest('e2', update(attrs([65002])));
  t.equal(best(rib), 'e2', 'despite i1 having the lower router ID');
});

t.test('lowest BGP identifier wins', async (t) => {
  const rib = setup();
  rib.ingest('i2', update(attrs([65010])));
  rib.ingest('i1', update(attrs([65010])));
  t.equal(best(rib), 'i1');
});

t.test('ORIGINATOR_ID stands in for the BGP identifier (RFC 4456 §9)', async (t) => {
  const rib = setup();
  rib.ingest('i1', update(attrs([65010], [{ kind: 'originator-id', originatorId: '9.9.9.9' }])));
  rib.ingest('i2', update(attrs([65010], [{ kind: 'originator-id', originatorId: '6.6.6.6' }])));
  t.equal(best(rib), 'i2');
});

t.test('shorter CLUSTER_LIST wins (RFC 4456 §9)', async (t) => {
  const rib = setup();
  const orig: PathAttribute = { kind: 'originator-id', originatorId: '7.7.7.7' };
  rib.ingest('i1', update(attrs([65010], [orig, { kind: 'cluster-list', clusterList: ['8.8.8.8', '8.8.8.9'] }])));
  rib.ingest('i2', update(attrs([65010], [orig, { kind: 'cluster-list', clusterList: ['8.8.8.8'] }])));
  t.equal(best(rib), 'i2');
});

t.test('lowest peer address is the last tie-break', async (t) => {
  const rib = setup();
  rib.ingest('i1', update(attrs([65010])));
  rib.ingest('i3', update(attrs([65010])));
  t.equal(best(rib), 'i3', 'same router ID 3.3.3.3; 10.1.1.0 < 10.1.1.1');
});

t.test('multipath: equal paths from the same neighbouring AS form the ECMP set', async (t) => {
  const rib = setup({ maximumPaths: 4 });
  rib.ingest('e1', update(attrs([65001, 9], [], '192.0.2.1')));
  rib.ingest('e3', update(attrs([65001, 9], [], '192.0.2.3')));
  rib.ingest('e2', update(attrs([65002, 9], [], '192.0.2.2')));
  const paths = rib.locRibEntry(parsePrefix(P))?.paths ?? [];
  t.same(
    paths.map((p) => [p.from, p.best, p.multipath]),
    [
      ['e1', true, true],
      ['e3', false, true],
      ['e2', false, false],
    ],
  );
  const single = setup();
  single.ingest('e1', update(attrs([65001, 9])));
  single.ingest('e3', update(attrs([65001, 9])));
  t.notOk(single.locRibEntry(parsePrefix(P))?.paths.some((p) => p.multipath), 'maximumPaths 1: no ECMP');
});

t.test('multipath is capped at maximumPaths', async (t) => {
  const rib = setup({ maximumPaths: 2 });
  for (const id of ['i1', 'i2', 'i3']) rib.ingest(id, update(attrs([65010])));
  t.equal(rib.locRibEntry(parsePrefix(P))?.paths.filter((p) => p.multipath).length, 2);
});

t.test('withdrawing the best path promotes the next one', async (t) => {
  const rib = setup();
  rib.ingest('e2', update(attrs([65002, 1])));
  rib.ingest('e1', update(attrs([65001])));
  t.equal(best(rib), 'e1');
  rib.ingest('e1', { type: 2, withdrawn: [parsePrefix(P)], attributes: [], nlri: [] });
  t.equal(best(rib), 'e2');
  rib.ingest('e2', { type: 2, withdrawn: [parsePrefix(P)], attributes: [], nlri: [] });
  t.equal(rib.locRibEntry(parsePrefix(P)), undefined);
  t.equal(rib.prefixCount, 0);
});
