// RFC 4724 §4.2, the receiving speaker's RIB: a restarting peer's routes kept stale (still best, still advertised),
// refreshed one by one as the peer sends them again (decoded and raw fast path), the rest dropped by End-of-RIB per
// family or by `dropStale` (the restart timer), families not retained withdrawn at once, counters and views.
import t from 'tap';
import {
  IPV4_UNICAST,
  IPV6_UNICAST,
  createContext,
  decodeUpdate,
  encodeMessage,
  endOfRibUpdate,
  parsePrefix,
  type PathAttribute,
  type UpdateMessage,
} from '../../lib/wire/index.js';
import { Rib } from '../../lib/rib/index.js';

const ctx = createContext();
const both = { families: [IPV4_UNICAST, IPV6_UNICAST], txContext: ctx, localAddress: { ipv4: '192.0.2.100', ipv6: '2001:db8::100' } };

function v4(asns: number[], nlri: string[], withdrawn: string[] = []): UpdateMessage {
  const attributes: PathAttribute[] = [
    { kind: 'origin', origin: 0 },
    { kind: 'as-path', segments: [{ type: 2, asns }] },
    { kind: 'next-hop', nextHop: '192.0.2.1' },
  ];
  return { type: 2, withdrawn: withdrawn.map((p) => parsePrefix(p)), attributes, nlri: nlri.map((p) => parsePrefix(p)) };
}
function v6(asns: number[], nlri: string[]): UpdateMessage {
  const attributes: PathAttribute[] = [
    { kind: 'origin', origin: 0 },
    { kind: 'as-path', segments: [{ type: 2, asns }] },
    { kind: 'mp-reach-nlri', afi: 2, safi: 1, nextHop: ['2001:db8::1'], nlri: nlri.map((p) => parsePrefix(p)) },
  ];
  return { type: 2, withdrawn: [], attributes, nlri: [] };
}
/** Announcements and withdrawals the peer is sent, End-of-RIB left out. */
function drain(rib: Rib, id: string): { announced: string[]; withdrawn: string[] } {
  const announced: string[] = [];
  const withdrawn: string[] = [];
  const text = (p: { address: string; length: number }): string => `${p.address}/${p.length}`;
  while (rib.hasPending(id)) {
    for (const m of rib.flush(id)) {
      const u = decodeUpdate(m.subarray(19), ctx);
      if (u.endOfRib !== undefined) continue;
      announced.push(...u.nlri.map(text));
      withdrawn.push(...u.withdrawn.map(text));
      for (const a of u.attributes) {
        if (a.kind === 'mp-reach-nlri') announced.push(...a.nlri.map(text));
        if (a.kind === 'mp-unreach-nlri') withdrawn.push(...a.withdrawn.map(text));
      }
    }
  }
  return { announced, withdrawn };
}
/** `r` (restarting) and `o` (an observer that is sent what the RIB selects), `r` holding three IPv4 routes and one IPv6. */
function setup(): Rib {
  const rib = new Rib({ localAsn: 65000, routerId: '10.0.0.1' });
  rib.addPeer({ id: 'r', address: '192.0.2.1', asn: 65001 });
  rib.addPeer({ id: 'o', address: '192.0.2.2', asn: 65002 });
  for (const id of ['r', 'o']) {
    rib.peerUp(id, both);
    drain(rib, id);
  }
  rib.ingest('r', v4([65001], ['10.1.0.0/24', '10.2.0.0/24', '10.3.0.0/24']));
  rib.ingest('r', v6([65001], ['2001:db8:1::/48']));
  drain(rib, 'o');
  return rib;
}
const stale = (rib: Rib, prefix: string): boolean | undefined => rib.locRibEntry(parsePrefix(prefix))?.paths[0]?.stale;

t.test('down with retention: routes stay best and advertised, marked stale; others are withdrawn', async (t) => {
  const rib = setup();
  rib.peerDown('r', [IPV4_UNICAST]);
  t.equal(rib.isUp('r'), false);
  t.equal(rib.staleCount('r'), 3, 'the three IPv4 routes are stale');
  t.same(rib.staleFamilies('r'), [IPV4_UNICAST]);
  for (const p of ['10.1.0.0/24', '10.2.0.0/24', '10.3.0.0/24']) {
    t.equal(stale(rib, p), true, `${p} stale`);
    t.equal(rib.locRibEntry(parsePrefix(p))?.paths[0]?.best, true, `${p} still best`);
  }
  t.equal(rib.locRibEntry(parsePrefix('2001:db8:1::/48')), undefined, 'IPv6 (not retained) is gone');
  t.same(drain(rib, 'o'), { announced: [], withdrawn: ['2001:db8:1::/48'] }, 'the observer loses only the IPv6 route');
  t.match(rib.counters('r'), { received: 3, accepted: 3, stale: 3 });
  t.equal([...rib.adjRibIn('r')].filter((e) => e.stale).length, 3, 'Adj-RIB-In shows them stale');
});

t.test('back up: routes sent again become fresh, End-of-RIB drops the rest of that family only', async (t) => {
  const rib = setup();
  rib.peerDown('r', [IPV4_UNICAST, IPV6_UNICAST]);
  t.equal(rib.staleCount('r'), 4);
  rib.peerUp('r', both);
  t.equal(rib.staleCount('r'), 4, 'the new session alone refreshes nothing');
  // Same attributes (nothing changes for the observer) and new ones (the observer is told).
  rib.ingest('r', v4([65001], ['10.1.0.0/24']));
  rib.ingest('r', v4([65001, 7], ['10.2.0.0/24']));
  t.equal(stale(rib, '10.1.0.0/24'), false, 'unchanged route sent again: fresh');
  t.equal(stale(rib, '10.2.0.0/24'), false, 'changed route: fresh');
  t.equal(stale(rib, '10.3.0.0/24'), true, 'not sent yet: still stale');
  t.same(drain(rib, 'o'), { announced: ['10.2.0.0/24'], withdrawn: [] }, 'only the change reaches the observer');
  const ends: [string, number, number][] = [];
  rib.on('end-of-rib', (id, family, remaining) => ends.push([id, family, remaining]));
  rib.ingest('r', endOfRibUpdate(1, 1));
  t.equal(rib.locRibEntry(parsePrefix('10.3.0.0/24')), undefined, 'End-of-RIB: the still-stale IPv4 route is gone');
  t.equal(stale(rib, '2001:db8:1::/48'), true, 'IPv6 waits for its own End-of-RIB');
  t.same(ends, [['r', IPV4_UNICAST, 1]], 'end-of-rib event with what remains stale');
  t.same(drain(rib, 'o'), { announced: [], withdrawn: ['10.3.0.0/24'] });
  rib.ingest('r', endOfRibUpdate(2, 1));
  t.equal(rib.staleCount('r'), 0);
  t.same(rib.staleFamilies('r'), []);
  t.same(drain(rib, 'o'), { announced: [], withdrawn: ['2001:db8:1::/48'] });
  t.match(rib.counters('r'), { received: 2, accepted: 2, stale: 0 });
});

t.test('the raw fast path refreshes stale routes too, and a withdrawal removes a stale one', async (t) => {
  const rib = setup();
  rib.peerDown('r', [IPV4_UNICAST]);
  t.same(drain(rib, 'o').withdrawn, ['2001:db8:1::/48'], 'IPv6, not retained, withdrawn at once');
  rib.peerUp('r', both);
  const raw = (u: UpdateMessage): Uint8Array => encodeMessage(u, ctx);
  rib.ingestUpdate('r', raw(v4([65001], ['10.1.0.0/24'], ['10.2.0.0/24'])), ctx, 19);
  t.equal(stale(rib, '10.1.0.0/24'), false, 'raw announcement: fresh');
  t.equal(rib.locRibEntry(parsePrefix('10.2.0.0/24')), undefined, 'raw withdrawal of a stale route');
  t.equal(rib.staleCount('r'), 1);
  t.same(drain(rib, 'o'), { announced: [], withdrawn: ['10.2.0.0/24'] });
  rib.ingestUpdate('r', raw(endOfRibUpdate(1, 1)), ctx, 19);
  t.equal(rib.staleCount('r'), 0, 'raw End-of-RIB drops the last stale route');
  t.same(drain(rib, 'o'), { announced: [], withdrawn: ['10.3.0.0/24'] });
});

t.test('dropStale (restart timer): every stale route goes, the observer is told', async (t) => {
  const rib = setup();
  rib.peerDown('r', [IPV4_UNICAST, IPV6_UNICAST]);
  drain(rib, 'o');
  t.equal(rib.dropStale('r', IPV6_UNICAST), 1, 'one family');
  t.equal(rib.dropStale('r'), 3, 'then the rest');
  t.equal(rib.prefixCount, 0);
  t.same(drain(rib, 'o').withdrawn.sort(), ['10.1.0.0/24', '10.2.0.0/24', '10.3.0.0/24', '2001:db8:1::/48']);
  t.match(rib.counters('r'), { received: 0, accepted: 0, stale: 0 });
  t.equal(rib.dropStale('r'), 0, 'nothing left');
});

t.test('a new session without a retained family drops its stale routes at once', async (t) => {
  const rib = setup();
  rib.peerDown('r', [IPV4_UNICAST, IPV6_UNICAST]);
  rib.peerUp('r', { ...both, families: [IPV4_UNICAST] });
  t.equal(rib.locRibEntry(parsePrefix('2001:db8:1::/48')), undefined);
  t.equal(rib.staleCount('r'), 3);
});

t.test('down again before End-of-RIB: refreshed routes become stale again, a family not retained goes', async (t) => {
  const rib = setup();
  rib.peerDown('r', [IPV4_UNICAST, IPV6_UNICAST]);
  rib.peerUp('r', both);
  rib.ingest('r', v4([65001], ['10.1.0.0/24']));
  rib.peerDown('r', [IPV4_UNICAST]);
  t.equal(rib.staleCount('r'), 3, 'all three IPv4 routes stale');
  t.same(rib.staleFamilies('r'), [IPV4_UNICAST]);
  t.equal(rib.locRibEntry(parsePrefix('2001:db8:1::/48')), undefined);
  rib.peerDown('r'); // no-op: already down
  t.equal(rib.staleCount('r'), 3);
});

t.test('a plain peerDown keeps nothing; removePeer withdraws stale routes', async (t) => {
  const rib = setup();
  rib.peerDown('r');
  t.equal(rib.prefixCount, 0);
  t.match(rib.counters('r'), { received: 0, stale: 0 });
  const rib2 = setup();
  rib2.peerDown('r', [IPV4_UNICAST]);
  drain(rib2, 'o');
  rib2.removePeer('r');
  t.equal(rib2.prefixCount, 0);
  t.same(drain(rib2, 'o').withdrawn.sort(), ['10.1.0.0/24', '10.2.0.0/24', '10.3.0.0/24']);
});

t.test('updatePeer keeps the slot (and stale routes) only while down and for the same AS', async (t) => {
  const rib = setup();
  t.equal(rib.updatePeer({ id: 'r', address: '192.0.2.1', asn: 65001 }), false, 'refused while up');
  rib.peerDown('r', [IPV4_UNICAST]);
  t.equal(rib.updatePeer({ id: 'r', address: '192.0.2.1', asn: 65009 }), false, 'refused for another AS');
  t.equal(rib.updatePeer({ id: 'r', address: '192.0.2.1', asn: 65001, nextHopSelf: true }), true);
  t.equal(rib.staleCount('r'), 3);
});
