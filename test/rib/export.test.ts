// What peers are sent: eBGP export (own AS prepended, next hop self, no LOCAL_PREF, no learned MED), iBGP export
// (LOCAL_PREF always present, next hop kept), RFC 1997 well-known communities, IPv6 in MP_REACH_NLRI, and RFC 6793
// for 2-octet peers (AS4_PATH generated on send, merged on receipt). Every message is decoded with the wire codec.
import t from 'tap';
import {
  AS_TRANS,
  IPV4_UNICAST,
  IPV6_UNICAST,
  WellKnownCommunity,
  createContext,
  decodeUpdate,
  encodeUpdate,
  parsePrefix,
  type CodecContext,
  type PathAttribute,
  type UpdateMessage,
} from '../../lib/wire/index.js';
import { Rib } from '../../lib/rib/index.js';

const ctx4 = createContext();
const ctx2 = createContext({ fourOctetAs: false });

function update(attributes: PathAttribute[], nlri: string[]): UpdateMessage {
  return { type: 2, withdrawn: [], attributes, nlri: nlri.map((p) => parsePrefix(p)) };
}
function drain(rib: Rib, id: string, ctx: CodecContext = ctx4): UpdateMessage[] {
  const out: UpdateMessage[] = [];
  while (rib.hasPending(id)) {
    for (const m of rib.flush(id)) {
      if (((m[16] as number) << 8 | (m[17] as number)) !== m.length) throw new Error('header length mismatch');
      out.push(decodeUpdate(m.subarray(19), ctx));
    }
  }
  return out.filter((u) => u.endOfRib === undefined);
}
const find = <K extends PathAttribute['kind']>(u: UpdateMessage | undefined, kind: K) =>
  u?.attributes.find((a) => a.kind === kind) as Extract<PathAttribute, { kind: K }> | undefined;

function setup(localAsn = 65000): Rib {
  const rib = new Rib({ localAsn, routerId: '10.0.0.1' });
  rib.addPeer({ id: 'e1', address: '192.0.2.1', asn: 65001 });
  rib.addPeer({ id: 'e2', address: '192.0.2.2', asn: 65002 });
  rib.addPeer({ id: 'i1', address: '10.1.1.1', asn: localAsn });
  const families = [IPV4_UNICAST, IPV6_UNICAST];
  rib.peerUp('e1', { families, routerId: '1.1.1.1', txContext: ctx4, localAddress: { ipv4: '192.0.2.100', ipv6: '2001:db8::100' } });
  rib.peerUp('e2', { families, routerId: '2.2.2.2', txContext: ctx4, localAddress: { ipv4: '192.0.2.200', ipv6: '2001:db8::200' } });
  rib.peerUp('i1', { families, routerId: '3.3.3.3', txContext: ctx4, localAddress: { ipv4: '10.1.1.100' } });
  for (const id of ['e1', 'e2', 'i1']) drain(rib, id);
  return rib;
}

t.test('eBGP export of a local route: own AS, next hop self, no LOCAL_PREF', async (t) => {
  const rib = setup();
  rib.originate(parsePrefix('10.8.0.0/32'), [
    { kind: 'local-pref', localPref: 300 },
    { kind: 'multi-exit-disc', med: 7 },
  ]);
  const [u] = drain(rib, 'e1');
  t.same(u?.nlri, [{ afi: 1, address: '10.8.0.0', length: 32 }]);
  t.same(find(u, 'as-path')?.segments, [{ type: 2, asns: [65000] }]);
  t.equal(find(u, 'next-hop')?.nextHop, '192.0.2.100');
  t.equal(find(u, 'origin')?.origin, 0);
  t.equal(find(u, 'local-pref'), undefined, 'LOCAL_PREF never goes to eBGP');
  t.equal(find(u, 'multi-exit-disc')?.med, 7, 'a MED we set ourselves is sent');
  const [i] = drain(rib, 'i1');
  t.equal(find(i, 'local-pref')?.localPref, 300, 'iBGP gets LOCAL_PREF');
  t.same(find(i, 'as-path')?.segments, [], 'no prepend on iBGP');
  t.equal(find(i, 'next-hop')?.nextHop, '10.1.1.100', 'a local route without next hop gets ours');
});

t.test('eBGP to eBGP: prepend, next hop self, learned MED and LOCAL_PREF dropped; not sent back', async (t) => {
  const rib = setup();
  rib.ingest('e1', update([
    { kind: 'origin', origin: 1 },
    { kind: 'as-path', segments: [{ type: 2, asns: [65001, 65100] }] },
    { kind: 'next-hop', nextHop: '192.0.2.1' },
    { kind: 'multi-exit-disc', med: 20 },
    { kind: 'communities', communities: [0xfde80001] },
  ], ['198.51.100.0/24']));
  const [u] = drain(rib, 'e2');
  t.same(find(u, 'as-path')?.segments, [{ type: 2, asns: [65000, 65001, 65100] }]);
  t.equal(find(u, 'next-hop')?.nextHop, '192.0.2.200');
  t.equal(find(u, 'multi-exit-disc'), undefined);
  t.equal(find(u, 'origin')?.origin, 1);
  t.same(find(u, 'communities')?.communities, [0xfde80001]);
  t.same(drain(rib, 'e1'), [], 'split horizon: nothing back to e1');
  const [i] = drain(rib, 'i1');
  t.equal(find(i, 'next-hop')?.nextHop, '192.0.2.1', 'iBGP: next hop kept');
  t.equal(find(i, 'local-pref')?.localPref, 100, 'iBGP: default LOCAL_PREF added');
  t.equal(find(i, 'multi-exit-disc')?.med, 20, 'iBGP: MED kept');
  t.same(find(i, 'as-path')?.segments, [{ type: 2, asns: [65001, 65100] }]);
});

t.test('iBGP-learned routes go to eBGP but not to other iBGP peers', async (t) => {
  const rib = setup();
  rib.addPeer({ id: 'i2', address: '10.1.1.2', asn: 65000 });
  rib.peerUp('i2', { families: [IPV4_UNICAST], routerId: '4.4.4.4', txContext: ctx4, localAddress: { ipv4: '10.1.1.100' } });
  drain(rib, 'i2');
  rib.ingest('i1', update([
    { kind: 'origin', origin: 0 },
    { kind: 'as-path', segments: [] },
    { kind: 'next-hop', nextHop: '10.1.1.1' },
    { kind: 'local-pref', localPref: 150 },
  ], ['203.0.113.0/24']));
  t.same(drain(rib, 'i2'), []);
  const [u] = drain(rib, 'e1');
  t.same(find(u, 'as-path')?.segments, [{ type: 2, asns: [65000] }]);
  t.equal(find(u, 'local-pref'), undefined);
});

t.test('export policy: deny, modify, and a changed next hop is kept on eBGP', async (t) => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.0.0.1' });
  rib.addPeer({
    id: 'e1',
    address: '192.0.2.1',
    asn: 65001,
    exportPolicy: (route) => {
      if (route.prefix.address === '10.9.0.0') return null;
      if (route.prefix.address === '10.9.1.0') {
        return [...route.attributes.filter((a) => a.kind !== 'next-hop'), { kind: 'next-hop', nextHop: '192.0.2.77' }];
      }
      return route.attributes;
    },
  });
  rib.peerUp('e1', { families: [IPV4_UNICAST], txContext: ctx4, localAddress: { ipv4: '192.0.2.100' } });
  for (const p of ['10.9.0.0/24', '10.9.1.0/24', '10.9.2.0/24']) rib.originate(parsePrefix(p), [{ kind: 'next-hop', nextHop: '10.0.0.1' }]);
  const msgs = drain(rib, 'e1');
  const byPrefix = new Map(msgs.flatMap((u) => u.nlri.map((p) => [p.address, find(u, 'next-hop')?.nextHop] as const)));
  t.same([...byPrefix.keys()].sort(), ['10.9.1.0', '10.9.2.0']);
  t.equal(byPrefix.get('10.9.1.0'), '192.0.2.77');
  t.equal(byPrefix.get('10.9.2.0'), '192.0.2.100');
});

t.test('RFC 1997: NO_EXPORT stays in the AS, NO_ADVERTISE goes nowhere', async (t) => {
  const rib = setup();
  rib.originate(parsePrefix('10.8.1.0/24'), [{ kind: 'communities', communities: [WellKnownCommunity.NoExport] }]);
  rib.originate(parsePrefix('10.8.2.0/24'), [{ kind: 'communities', communities: [WellKnownCommunity.NoAdvertise] }]);
  t.same(drain(rib, 'e1'), []);
  const i = drain(rib, 'i1');
  t.same(i.flatMap((u) => u.nlri.map((p) => p.address)), ['10.8.1.0']);
});

t.test('IPv6 routes travel in MP_REACH_NLRI with our IPv6 next hop on eBGP', async (t) => {
  const rib = setup();
  rib.originate(parsePrefix('2001:db8:8::/64'));
  const [u] = drain(rib, 'e1');
  const mp = find(u, 'mp-reach-nlri');
  t.equal(mp?.afi, 2);
  t.same(mp?.nextHop, ['2001:db8::100']);
  t.same(mp?.nlri, [{ afi: 2, address: '2001:db8:8::', length: 64 }]);
  t.equal(find(u, 'next-hop'), undefined);
  t.same(drain(rib, 'i1'), [], 'no IPv6 local address on i1: cannot be next hop, so not sent');
  rib.withdrawLocal(parsePrefix('2001:db8:8::/64'));
  const [w] = drain(rib, 'e1');
  t.same(find(w, 'mp-unreach-nlri')?.withdrawn, [{ afi: 2, address: '2001:db8:8::', length: 64 }]);
});

t.test('RFC 6793: to a 2-octet peer, 4-octet ASNs become AS_TRANS and AS4_PATH carries them', async (t) => {
  const rib = new Rib({ localAsn: 4200000000, routerId: '10.0.0.1' });
  rib.addPeer({ id: 'old', address: '192.0.2.9', asn: 65009 });
  rib.peerUp('old', { families: [IPV4_UNICAST], txContext: ctx2, localAddress: { ipv4: '192.0.2.100' } });
  rib.originate(parsePrefix('10.8.0.0/32'), [{ kind: 'aggregator', asn: 4200000000, address: '10.0.0.1' }]);
  const [u] = drain(rib, 'old', ctx2);
  t.same(find(u, 'as-path')?.segments, [{ type: 2, asns: [AS_TRANS] }]);
  t.same(find(u, 'as4-path')?.segments, [{ type: 2, asns: [4200000000] }]);
  t.equal(find(u, 'aggregator')?.asn, AS_TRANS);
  t.equal(find(u, 'as4-aggregator')?.asn, 4200000000);
});

t.test('RFC 6793: no AS4_PATH when every ASN fits in 2 octets', async (t) => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.0.0.1' });
  rib.addPeer({ id: 'old', address: '192.0.2.9', asn: 65009 });
  rib.peerUp('old', { families: [IPV4_UNICAST], txContext: ctx2, localAddress: { ipv4: '192.0.2.100' } });
  rib.originate(parsePrefix('10.8.0.0/32'));
  const [u] = drain(rib, 'old', ctx2);
  t.same(find(u, 'as-path')?.segments, [{ type: 2, asns: [65000] }]);
  t.equal(find(u, 'as4-path'), undefined);
});

t.test('RFC 6793: AS_PATH and AS4_PATH from a 2-octet peer are merged, and sent on in 4 octets', async (t) => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.0.0.1' });
  rib.addPeer({ id: 'old', address: '192.0.2.9', asn: 65009 });
  rib.addPeer({ id: 'new', address: '192.0.2.10', asn: 65010 });
  rib.peerUp('old', { families: [IPV4_UNICAST], txContext: ctx2, localAddress: { ipv4: '192.0.2.100' } });
  rib.peerUp('new', { families: [IPV4_UNICAST], txContext: ctx4, localAddress: { ipv4: '192.0.2.101' } });
  drain(rib, 'old', ctx2);
  drain(rib, 'new');
  // What an OLD speaker sends: its own AS, then AS_TRANS for 4200000001, and the AS4_PATH it passed along.
  const body = encodeUpdate(
    update([
      { kind: 'origin', origin: 0 },
      { kind: 'as-path', segments: [{ type: 2, asns: [65009, AS_TRANS, 65020] }] },
      { kind: 'next-hop', nextHop: '192.0.2.9' },
      { kind: 'as4-path', segments: [{ type: 2, asns: [4200000001, 65020] }] },
    ], ['198.51.100.0/24']),
    ctx2,
  );
  rib.ingestUpdate('old', body, ctx2);
  const path = rib.locRibEntry(parsePrefix('198.51.100.0/24'))?.paths[0];
  t.same(path?.attributes.find((a) => a.kind === 'as-path'), { kind: 'as-path', segments: [{ type: 2, asns: [65009, 4200000001, 65020] }] });
  t.notOk(path?.attributes.some((a) => a.kind === 'as4-path'), 'AS4_PATH is not stored');
  const [u] = drain(rib, 'new');
  t.same(find(u, 'as-path')?.segments, [{ type: 2, asns: [65000, 65009, 4200000001, 65020] }]);
  t.equal(find(u, 'as4-path'), undefined, 'no AS4_PATH to a NEW speaker');
});

t.test('RFC 6793: AS4 attributes are ignored when AGGREGATOR names a 2-octet AS', async (t) => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.0.0.1' });
  rib.addPeer({ id: 'old', address: '192.0.2.9', asn: 65009 });
  rib.peerUp('old', { families: [IPV4_UNICAST], txContext: ctx2 });
  rib.ingest('old', update([
    { kind: 'origin', origin: 0 },
    { kind: 'as-path', segments: [{ type: 2, asns: [65009, 65030] }] },
    { kind: 'next-hop', nextHop: '192.0.2.9' },
    { kind: 'aggregator', asn: 65030, address: '10.3.0.1' },
    { kind: 'as4-path', segments: [{ type: 2, asns: [4200000001] }] },
    { kind: 'as4-aggregator', asn: 4200000001, address: '10.3.0.2' },
  ], ['198.51.100.0/24']));
  const path = rib.locRibEntry(parsePrefix('198.51.100.0/24'))?.paths[0];
  t.same(path?.attributes.find((a) => a.kind === 'as-path'), { kind: 'as-path', segments: [{ type: 2, asns: [65009, 65030] }] });
  t.same(path?.attributes.find((a) => a.kind === 'aggregator'), { kind: 'aggregator', asn: 65030, address: '10.3.0.1' });
});
