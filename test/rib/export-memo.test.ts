// The outbound groups' export memo (`lib/rib/outbound-group.ts`) survives peers coming and going: a result depends
// on the group and on the route's source — iBGP or not, route-reflector client or not, its BGP Identifier, which
// RFC 4456 §8 puts in ORIGINATOR_ID — never on the group's members. Each test here warms a memo, changes who is up
// or who a source is, and checks what peers are sent against what a RIB that never saw the change sends: a result
// kept from before the change would show up as a wrong NEXT_HOP, ORIGINATOR_ID or CLUSTER_LIST.
import t from 'tap';
import { IPV4_UNICAST, createContext, decodeUpdate, parsePrefix, type PathAttribute, type UpdateMessage } from '../../lib/wire/index.js';
import { Rib } from '../../lib/rib/index.js';
import type { PeerInfo } from '../../lib/rib/index.js';

const ctx = createContext();
const families = [IPV4_UNICAST];

/** What a peer holds after applying every UPDATE it was sent: prefix → the attributes that matter here. */
interface Held {
  nextHop: string | undefined;
  originatorId: string | undefined;
  clusterList: readonly string[] | undefined;
  asPath: readonly number[];
}

function find<K extends PathAttribute['kind']>(u: UpdateMessage, kind: K): Extract<PathAttribute, { kind: K }> | undefined {
  return u.attributes.find((a) => a.kind === kind) as Extract<PathAttribute, { kind: K }> | undefined;
}

/** Flushes the peer and applies what it was sent to `view`, as the peer would. */
function drain(rib: Rib, id: string, view = new Map<string, Held>()): Map<string, Held> {
  while (rib.hasPending(id)) {
    for (const m of rib.flush(id)) {
      const u = decodeUpdate(m.subarray(19), ctx);
      if (u.endOfRib !== undefined) continue;
      for (const p of u.withdrawn) view.delete(`${p.address}/${p.length}`);
      for (const p of u.nlri) {
        view.set(`${p.address}/${p.length}`, {
          nextHop: find(u, 'next-hop')?.nextHop,
          originatorId: find(u, 'originator-id')?.originatorId,
          clusterList: find(u, 'cluster-list')?.clusterList,
          asPath: (find(u, 'as-path')?.segments ?? []).flatMap((s) => s.asns),
        });
      }
    }
  }
  return view;
}

function update(nlri: string[], nextHop: string, asns: number[] = [], withdrawn: string[] = []): UpdateMessage {
  return {
    type: 2,
    withdrawn: withdrawn.map((p) => parsePrefix(p)),
    attributes: [
      { kind: 'origin', origin: 0 },
      { kind: 'as-path', segments: asns.length > 0 ? [{ type: 2, asns }] : [] },
      { kind: 'next-hop', nextHop },
    ],
    nlri: nlri.map((p) => parsePrefix(p)),
  };
}

const LOCAL = '10.0.0.1';

function newRib(): Rib {
  return new Rib({ localAsn: 65000, routerId: LOCAL, clusterId: '10.255.0.1' });
}

function up(rib: Rib, info: PeerInfo, routerId: string): void {
  if (!rib.peerIds().includes(info.id)) rib.addPeer(info);
  rib.peerUp(info.id, { families, routerId, txContext: ctx, localAddress: { ipv4: LOCAL } });
}

const nonClient = (id: string, address: string): PeerInfo => ({ id, address, asn: 65000 });
const client = (id: string, address: string, extra: Partial<PeerInfo> = {}): PeerInfo => ({
  id,
  address,
  asn: 65000,
  routeReflectorClient: true,
  ...extra,
});

t.test('a source back with a new BGP Identifier: reflected routes carry the new one as ORIGINATOR_ID', async (t) => {
  const rib = newRib();
  up(rib, nonClient('n1', '10.0.0.21'), '1.0.0.21');
  up(rib, client('c1', '10.0.0.11'), '1.0.0.11');
  rib.ingest('n1', update(['198.51.100.0/24', '198.51.101.0/24'], '10.9.9.9'));
  const c1 = drain(rib, 'c1');
  t.equal(c1.get('198.51.100.0/24')?.originatorId, '1.0.0.21', 'memo warmed with the first identifier');
  // RFC 4724 §4.2: the routes stay, stale, across the restart; the new session has another BGP Identifier.
  rib.peerDown('n1', [IPV4_UNICAST]);
  up(rib, nonClient('n1', '10.0.0.21'), '1.0.0.99');
  // A client that joins now is sent the stale routes from the dump, exported from the memo of the group it joins.
  up(rib, client('c2', '10.0.0.12'), '1.0.0.12');
  const c2 = drain(rib, 'c2');
  t.equal(c2.get('198.51.100.0/24')?.originatorId, '1.0.0.99');
  t.equal(c2.get('198.51.101.0/24')?.originatorId, '1.0.0.99');
  // A client that stayed up, its Adj-RIB-Out re-exported against what it was sent, gets the new one too.
  rib.refreshOut('c1', 'changes');
  t.equal(drain(rib, 'c1', c1).get('198.51.100.0/24')?.originatorId, '1.0.0.99');
  t.equal(c1.get('198.51.101.0/24')?.originatorId, '1.0.0.99');
});

t.test('a slot given to another peer: its routes are exported for the peer it names now', async (t) => {
  const rib = newRib();
  // e1 keeps the attribute set alive (same attributes, another prefix) while the slot changes hands.
  up(rib, { id: 'e1', address: '192.0.2.1', asn: 65001 }, '1.0.0.31');
  up(rib, nonClient('x', '10.0.0.40'), '1.0.0.40');
  up(rib, client('c1', '10.0.0.11'), '1.0.0.11');
  rib.ingest('e1', update(['203.0.113.0/24'], '10.9.9.9', [65001]));
  rib.ingest('x', update(['198.51.100.0/24'], '10.9.9.9', [65001]));
  const c1 = drain(rib, 'c1');
  t.equal(c1.get('198.51.100.0/24')?.originatorId, '1.0.0.40', 'iBGP source: reflected');
  t.same(c1.get('198.51.100.0/24')?.clusterList, ['10.255.0.1']);
  rib.removePeer('x');
  // The freed slot goes to an eBGP peer with another identifier, which sends the same attributes.
  up(rib, { id: 'y', address: '192.0.2.7', asn: 65001 }, '1.0.0.77');
  rib.ingest('y', update(['198.51.100.0/24'], '10.9.9.9', [65001]));
  const got = drain(rib, 'c1', c1).get('198.51.100.0/24');
  t.equal(got?.originatorId, undefined, 'an eBGP route is not reflected: no ORIGINATOR_ID');
  t.equal(got?.clusterList, undefined, 'nor CLUSTER_LIST');
  t.same(got?.asPath, [65001]);
});

t.test('a peer moving between next-hop-self and not is sent the next hop of the group it is in now', async (t) => {
  const rib = newRib();
  up(rib, { id: 'e1', address: '192.0.2.1', asn: 65001 }, '1.0.0.31');
  up(rib, nonClient('i1', '10.0.0.21'), '1.0.0.21');
  up(rib, nonClient('i2', '10.0.0.22'), '1.0.0.22');
  rib.ingest('e1', update(['198.51.100.0/24', '198.51.101.0/24'], '192.0.2.1', [65001]));
  t.equal(drain(rib, 'i1').get('198.51.100.0/24')?.nextHop, '192.0.2.1', 'RFC 4271 §5.1.3: next hop kept to iBGP');
  drain(rib, 'i2');
  for (const [nextHopSelf, expected] of [
    [true, LOCAL],
    [false, '192.0.2.1'],
    [true, LOCAL],
  ] as const) {
    rib.peerDown('i2');
    t.ok(rib.updatePeer({ ...nonClient('i2', '10.0.0.22'), nextHopSelf }));
    up(rib, { ...nonClient('i2', '10.0.0.22'), nextHopSelf }, '1.0.0.22');
    const i2 = drain(rib, 'i2');
    t.equal(i2.get('198.51.100.0/24')?.nextHop, expected, `next-hop-self ${nextHopSelf}`);
    t.equal(i2.get('198.51.101.0/24')?.nextHop, expected);
  }
  t.equal(drain(rib, 'i1').size, 0, 'i1, never down, was sent nothing more');
});

t.test('after any run of flaps, a peer joining is sent what a RIB that saw no flap sends it', async (t) => {
  // A reflector with clients and non-clients, sources of every kind; peers flap (some gracefully, some coming back
  // with a new identifier) and each time the table a new client is sent must equal a fresh RIB's.
  const peers: [PeerInfo, string][] = [
    [{ id: 'e1', address: '192.0.2.1', asn: 65001 }, '1.0.0.31'],
    [nonClient('n1', '10.0.0.21'), '1.0.0.21'],
    [client('c1', '10.0.0.11'), '1.0.0.11'],
    [client('c2', '10.0.0.12', { nextHopSelf: true }), '1.0.0.12'],
  ];
  const routes: [string, UpdateMessage][] = [
    ['e1', update(['198.51.100.0/24', '198.51.101.0/24', '203.0.113.0/24'], '192.0.2.1', [65001])],
    ['n1', update(['198.51.102.0/24', '198.51.103.0/24'], '10.9.9.21')],
    ['c1', update(['198.51.104.0/24', '203.0.113.0/24'], '10.9.9.11')],
  ];
  const identity = new Map(peers.map(([info, routerId]) => [info.id, routerId]));
  const rib = newRib();
  for (const [info, routerId] of peers) up(rib, info, routerId);
  for (const [id, u] of routes) rib.ingest(id, u);
  const probe = client('probe', '10.0.0.99');
  // graceful: RFC 4724, its routes kept stale and not sent again; renumber: back with a new BGP Identifier.
  const steps: [string, 'down' | 'graceful' | 'renumber' | 'graceful-renumber'][] = [
    ['c1', 'down'],
    ['n1', 'graceful'],
    ['e1', 'renumber'],
    ['c2', 'down'],
    ['n1', 'renumber'],
    ['c1', 'graceful-renumber'],
    ['n1', 'graceful-renumber'],
    ['c1', 'graceful'],
  ];
  let n = 0;
  for (const [id, how] of steps) {
    const [info] = peers.find(([p]) => p.id === id) as [PeerInfo, string];
    const graceful = how.startsWith('graceful');
    rib.peerDown(id, graceful ? [IPV4_UNICAST] : []);
    if (how.endsWith('renumber')) identity.set(id, `1.0.${++n}.1`);
    up(rib, info, identity.get(id) as string);
    for (const [src, u] of routes) if (src === id && !graceful) rib.ingest(src, u);
    up(rib, probe, '1.0.0.99');
    const got = drain(rib, 'probe');
    rib.removePeer('probe');
    // The reference: a RIB built from scratch in the state this one is in now.
    const fresh = newRib();
    for (const [p] of peers) up(fresh, p, identity.get(p.id) as string);
    for (const [src, u] of routes) fresh.ingest(src, u);
    up(fresh, probe, '1.0.0.99');
    t.same(Object.fromEntries(got), Object.fromEntries(drain(fresh, 'probe')), `after ${id} ${how}`);
    for (const [p] of peers) drain(rib, p.id);
  }
});

t.test('a peer leaving keeps the memo of the group it shared; a source leaving has its own dropped', async (t) => {
  const rib = newRib();
  up(rib, { id: 'blaster', address: '192.0.2.1', asn: 65001 }, '1.0.0.31');
  up(rib, { id: 'sink', address: '192.0.2.2', asn: 65002 }, '1.0.0.32');
  const nlri = Array.from({ length: 200 }, (_, i) => `10.${i}.0.0/16`);
  for (let i = 0; i < nlri.length; i += 50) rib.ingest('blaster', update(nlri.slice(i, i + 50), '192.0.2.1', [65001, 64512 + i]));
  t.equal(drain(rib, 'sink').size, 200);
  const memo = rib.memoryUse().exportMemo;
  t.ok(memo > 0, 'the group memoised the blaster routes');
  rib.peerDown('sink');
  t.equal(rib.memoryUse().exportMemo, memo, 'the sink left: the memo of the group it shared with the blaster stays');
  up(rib, { id: 'sink', address: '192.0.2.2', asn: 65002 }, '1.0.0.32');
  const sink = drain(rib, 'sink');
  t.equal(sink.size, 200, 'and its new session is sent the whole table');
  t.same(sink.get('10.0.0.0/16')?.asPath, [65000, 65001, 64512]);
  t.equal(sink.get('10.0.0.0/16')?.nextHop, LOCAL);
  // A source with routes of its own leaves: its routes go, and so does what was memoised for them.
  up(rib, { id: 'src', address: '192.0.2.3', asn: 65003 }, '1.0.0.1');
  rib.ingest('src', update(['10.0.0.0/16'], '192.0.2.3', [65003]));
  t.same(drain(rib, 'sink').get('10.0.0.0/16')?.asPath, [65000, 65003], 'its shorter AS_PATH wins');
  const withSource = rib.memoryUse().exportMemo;
  rib.peerDown('src');
  t.ok(rib.memoryUse().exportMemo < withSource, 'the departed source has no memo left');
  t.same(drain(rib, 'sink').get('10.0.0.0/16')?.asPath, [65000, 65001, 64512], 'back to the blaster path');
});

t.test('a peer going down has every path withdrawn, wherever its prefixes lie among others', async (t) => {
  const rib = newRib();
  up(rib, { id: 'a', address: '192.0.2.1', asn: 65001 }, '1.0.0.1');
  up(rib, { id: 'b', address: '192.0.2.2', asn: 65002 }, '1.0.0.2');
  up(rib, { id: 'sink', address: '192.0.2.3', asn: 65003 }, '1.0.0.3');
  // Interleaved prefix ids: a and b take turns; a also shares some prefixes with b.
  for (let i = 0; i < 64; i++) {
    rib.ingest(i % 2 === 0 ? 'a' : 'b', update([`10.${i}.0.0/16`], i % 2 === 0 ? '192.0.2.1' : '192.0.2.2', [i % 2 === 0 ? 65001 : 65002]));
  }
  rib.ingest('a', update(['10.63.0.0/16', '10.61.0.0/16'], '192.0.2.1', [65001, 1, 2, 3]));
  t.equal(drain(rib, 'sink').size, 64);
  rib.peerDown('a');
  t.equal(rib.counters('a').received, 0);
  t.equal(rib.prefixCount, 32);
  const sink = drain(rib, 'sink', new Map());
  t.equal(sink.size, 0, 'b routes were not re-sent');
  t.equal(rib.counters('sink').sent, 32, 'the sink holds b 32 routes only');
});
