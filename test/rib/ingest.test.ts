// Receiving: implicit withdraw (RFC 4271 §3.1), AS_PATH loop detection (§9.1.2), RFC 7606 treat-as-withdraw,
// import policy, the raw fast path (same result as the decoded path, attribute sets looked up by their bytes),
// interning identity, counters, max-prefix, and peer down.
import t from 'tap';
import {
  ErrorAction,
  IPV4_UNICAST,
  IPV6_UNICAST,
  createContext,
  decodeUpdate,
  encodeUpdate,
  parsePrefix,
  type PathAttribute,
  type UpdateMessage,
} from '../../lib/wire/index.js';
import { Rib } from '../../lib/rib/index.js';

const ctx = createContext();
function update(attributes: PathAttribute[], nlri: string[], withdrawn: string[] = []): UpdateMessage {
  return { type: 2, withdrawn: withdrawn.map((p) => parsePrefix(p)), attributes, nlri: nlri.map((p) => parsePrefix(p)) };
}
function attrs(asns: number[], extra: PathAttribute[] = []): PathAttribute[] {
  return [{ kind: 'origin', origin: 0 }, { kind: 'as-path', segments: [{ type: 2, asns }] }, { kind: 'next-hop', nextHop: '192.0.2.1' }, ...extra];
}
function drain(rib: Rib, id: string): UpdateMessage[] {
  const out: UpdateMessage[] = [];
  while (rib.hasPending(id)) for (const m of rib.flush(id)) out.push(decodeUpdate(m.subarray(19), ctx));
  return out.filter((u) => u.endOfRib === undefined);
}
function setup(): Rib {
  const rib = new Rib({ localAsn: 65000, routerId: '10.0.0.1' });
  rib.addPeer({ id: 'e1', address: '192.0.2.1', asn: 65001 });
  rib.addPeer({ id: 'e2', address: '192.0.2.2', asn: 65002 });
  for (const id of ['e1', 'e2']) {
    rib.peerUp(id, { families: [IPV4_UNICAST, IPV6_UNICAST], txContext: ctx, localAddress: { ipv4: '192.0.2.100', ipv6: '2001:db8::100' } });
    drain(rib, id);
  }
  return rib;
}

t.test('implicit withdraw: a new route from the same peer replaces the old one', async (t) => {
  const rib = setup();
  rib.ingest('e1', update(attrs([65001, 1]), ['10.0.0.0/24']));
  t.equal(drain(rib, 'e2').length, 1);
  rib.ingest('e1', update(attrs([65001, 2]), ['10.0.0.0/24']));
  const entries = [...rib.adjRibIn('e1')];
  t.equal(entries.length, 1);
  t.same(entries[0]?.received.find((a) => a.kind === 'as-path'), { kind: 'as-path', segments: [{ type: 2, asns: [65001, 2] }] });
  t.match(rib.counters('e1'), { received: 1, accepted: 1, sent: 0, pending: 0 });
  const [u] = drain(rib, 'e2');
  t.match(u?.attributes.find((a) => a.kind === 'as-path'), { kind: 'as-path', segments: [{ type: 2, asns: [65000, 65001, 2] }] });
  t.equal([...rib.adjRibOut('e2')].length, 1);
});

t.test('an identical re-announcement changes nothing and sends nothing', async (t) => {
  const rib = setup();
  rib.ingest('e1', update(attrs([65001]), ['10.0.0.0/24']));
  drain(rib, 'e2');
  rib.ingest('e1', update(attrs([65001]), ['10.0.0.0/24']));
  t.same(drain(rib, 'e2'), []);
});

t.test('AS_PATH loop: a route carrying our AS is kept but not eligible', async (t) => {
  const rib = setup();
  rib.ingest('e1', update(attrs([65001, 65000, 3]), ['10.0.0.0/24']));
  t.match(rib.counters('e1'), { received: 1, accepted: 0, sent: 0, pending: 0 });
  t.equal(rib.locRibEntry(parsePrefix('10.0.0.0/24'))?.paths[0]?.best, false);
  t.same(drain(rib, 'e2'), []);
  // Replacing it with a loop-free route makes the prefix eligible (implicit withdraw of the looped one).
  rib.ingest('e1', update(attrs([65001, 3]), ['10.0.0.0/24']));
  t.equal(rib.counters('e1').accepted, 1);
  t.equal(drain(rib, 'e2').length, 1);
});

t.test('RFC 7606 treat-as-withdraw withdraws the prefixes of the UPDATE', async (t) => {
  const rib = setup();
  rib.ingest('e1', update(attrs([65001]), ['10.0.0.0/24', '10.0.1.0/24']));
  drain(rib, 'e2');
  rib.ingest('e1', { ...update(attrs([65001, 9]), ['10.0.0.0/24']), action: ErrorAction.TreatAsWithdraw });
  t.equal(rib.counters('e1').received, 1);
  const [w] = drain(rib, 'e2');
  t.same(w?.withdrawn, [{ afi: 1, address: '10.0.0.0', length: 24 }]);
});

t.test('import policy: deny keeps the route ineligible, modify is used by the decision process', async (t) => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.0.0.1' });
  rib.addPeer({
    id: 'i1',
    address: '10.1.1.1',
    asn: 65000,
    importPolicy: (route) =>
      route.prefix.address === '10.0.0.0' ? null : [...route.attributes.filter((a) => a.kind !== 'local-pref'), { kind: 'local-pref', localPref: 250 }],
  });
  rib.peerUp('i1', { families: [IPV4_UNICAST], txContext: ctx });
  rib.ingest('i1', update(attrs([65001]), ['10.0.0.0/24', '10.0.1.0/24']));
  const denied = rib.locRibEntry(parsePrefix('10.0.0.0/24'))?.paths[0];
  t.equal(denied?.accepted, false);
  const kept = rib.locRibEntry(parsePrefix('10.0.1.0/24'))?.paths[0];
  t.same(kept?.attributes.find((a) => a.kind === 'local-pref'), { kind: 'local-pref', localPref: 250 });
  t.match(rib.counters('i1'), { received: 2, accepted: 1, sent: 0, pending: 0 });
});

t.test('attribute sets are interned: one object per distinct set, shared across peers', async (t) => {
  const rib = setup();
  rib.ingest('e1', update(attrs([65003]), ['10.0.0.0/24', '10.0.1.0/24']));
  rib.ingest('e2', update(attrs([65003]), ['10.0.0.0/24']));
  const a = rib.locRibEntry(parsePrefix('10.0.0.0/24'))?.paths ?? [];
  const b = rib.locRibEntry(parsePrefix('10.0.1.0/24'))?.paths ?? [];
  t.ok(a[0]?.received === b[0]?.received, 'same set for two prefixes of one UPDATE');
  t.ok(a[0]?.received === a[1]?.received, 'same set from two peers');
  const created = rib.interner.created;
  rib.ingest('e1', update(attrs([65003]), ['10.0.2.0/24']));
  t.equal(rib.interner.created, created, 'a known set is not created again');
});

t.test('raw fast path: same result as the decoded path, second UPDATE found by its bytes', async (t) => {
  const slow = setup();
  const fast = setup();
  const u1 = update(attrs([65001, 5], [{ kind: 'communities', communities: [1, 2] }]), ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.1/32']);
  const u2 = update(attrs([65001, 5], [{ kind: 'communities', communities: [1, 2] }]), ['10.1.0.0/16'], ['10.0.1.0/24']);
  const v6: UpdateMessage = {
    type: 2,
    withdrawn: [],
    attributes: [
      { kind: 'origin', origin: 0 },
      { kind: 'as-path', segments: [{ type: 2, asns: [65001] }] },
      { kind: 'mp-reach-nlri', afi: 2, safi: 1, nextHop: ['2001:db8::1'], nlri: [parsePrefix('2001:db8:1::/48'), parsePrefix('2001:db8:2::/48')] },
    ],
    nlri: [],
  };
  const v6b: UpdateMessage = { ...v6, attributes: [...v6.attributes.slice(0, 2), { kind: 'mp-reach-nlri', afi: 2, safi: 1, nextHop: ['2001:db8::1'], nlri: [parsePrefix('2001:db8:3::/48')] }] };
  const v6w: UpdateMessage = { type: 2, withdrawn: [], attributes: [{ kind: 'mp-unreach-nlri', afi: 2, safi: 1, withdrawn: [parsePrefix('2001:db8:1::/48')] }], nlri: [] };
  for (const u of [u1, u2, v6, v6b, v6w]) {
    slow.ingest('e1', u);
    fast.ingestUpdate('e1', encodeUpdate(u, ctx), ctx);
  }
  const view = (r: Rib) => [...r.locRib()].map((e) => [`${e.prefix.address}/${e.prefix.length}`, e.paths.map((p) => p.attributes)]);
  t.same(view(fast), view(slow));
  t.same(view(fast).map((e) => e[0]), ['10.0.0.0/24', '10.0.2.1/32', '10.1.0.0/16', '2001:db8:2::/48', '2001:db8:3::/48']);
  t.ok(fast.interner.hits >= 2, 'the repeated attribute blocks were found by their bytes');
  t.same(drain(fast, 'e2').flatMap((u) => u.nlri.map((p) => p.address)), drain(slow, 'e2').flatMap((u) => u.nlri.map((p) => p.address)));
});

t.test('raw fast path records End-of-RIB', async (t) => {
  const rib = setup();
  rib.ingestUpdate('e1', Uint8Array.of(0, 0, 0, 0), ctx);
  t.same(rib.endOfRibReceived('e1'), [IPV4_UNICAST]);
});

t.test('raw fast path: a malformed NLRI field is a session-reset BgpError', async (t) => {
  const rib = setup();
  const body = encodeUpdate(update(attrs([65001]), ['10.0.0.0/24']), ctx);
  rib.ingestUpdate('e1', body, ctx);
  const bad = Uint8Array.from([...body, 33, 10]);
  t.throws(() => rib.ingestUpdate('e1', bad, ctx), { name: 'BgpError' });
});

t.test('max-prefix is reported once when the Adj-RIB-In grows past the limit', async (t) => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.0.0.1' });
  rib.addPeer({ id: 'e1', address: '192.0.2.1', asn: 65001, maxPrefix: 2 });
  rib.peerUp('e1', { families: [IPV4_UNICAST], txContext: ctx });
  const seen: [string, number, number][] = [];
  rib.on('max-prefix', (id, n, limit) => seen.push([id, n, limit]));
  rib.ingest('e1', update(attrs([65001]), ['10.0.0.0/24', '10.0.1.0/24']));
  t.same(seen, []);
  rib.ingest('e1', update(attrs([65001]), ['10.0.2.0/24', '10.0.3.0/24']));
  t.same(seen, [['e1', 3, 2]]);
});

t.test('peer down withdraws its routes from the others and falls back to the next path', async (t) => {
  const rib = setup();
  rib.addPeer({ id: 'e3', address: '192.0.2.3', asn: 65003 });
  rib.peerUp('e3', { families: [IPV4_UNICAST], txContext: ctx, localAddress: { ipv4: '192.0.2.100' } });
  drain(rib, 'e3');
  rib.ingest('e1', update(attrs([65001]), ['10.0.0.0/24', '10.0.1.0/24']));
  rib.ingest('e2', update(attrs([65002, 7]), ['10.0.0.0/24']));
  drain(rib, 'e3');
  rib.peerDown('e1');
  const msgs = drain(rib, 'e3');
  t.same(msgs.flatMap((u) => u.withdrawn.map((p) => p.address)), ['10.0.1.0']);
  t.same(msgs.flatMap((u) => u.nlri.map((p) => p.address)), ['10.0.0.0'], 'replaced by e2 path');
  t.equal(rib.locRibEntry(parsePrefix('10.0.0.0/24'))?.paths[0]?.from, 'e2');
  t.match(rib.counters('e1'), { received: 0, accepted: 0, sent: 0, pending: 0 });
  t.equal(rib.isUp('e1'), false);
  t.throws(() => rib.ingest('e1', update(attrs([65001]), ['10.0.0.0/24'])), /not up/);
});

t.test('routes of a family the session did not negotiate are ignored', async (t) => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.0.0.1' });
  rib.addPeer({ id: 'e1', address: '192.0.2.1', asn: 65001 });
  rib.peerUp('e1', { families: [IPV4_UNICAST], txContext: ctx });
  rib.ingest('e1', {
    type: 2,
    withdrawn: [],
    attributes: [
      { kind: 'origin', origin: 0 },
      { kind: 'as-path', segments: [{ type: 2, asns: [65001] }] },
      { kind: 'mp-reach-nlri', afi: 2, safi: 1, nextHop: ['2001:db8::1'], nlri: [parsePrefix('2001:db8:1::/48')] },
    ],
    nlri: [],
  });
  t.equal(rib.prefixCount, 0);
});
