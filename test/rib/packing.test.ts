// Adj-RIB-Out and UPDATE packing: as many prefixes per UPDATE as fit (4096 octets, or 65535 with RFC 8654),
// withdrawals split at the limit (MetalLB's one-UPDATE bug), a newer change replacing a queued one, End-of-RIB
// after the initial table (RFC 4724), flush budgets, and ADD-PATH Path Identifiers. Decoded with the wire codec.
import t from 'tap';
import {
  IPV4_UNICAST,
  IPV6_UNICAST,
  createContext,
  decodeUpdate,
  familyKey,
  numberToIPv4,
  parsePrefix,
  type CodecContext,
  type UpdateMessage,
} from '../../lib/wire/index.js';
import { Rib, SENT_PATH_ID } from '../../lib/rib/index.js';

const ctx = createContext();
const ctxExt = createContext({ extendedMessage: true });

function messages(rib: Rib, id: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  while (rib.hasPending(id)) out.push(...rib.flush(id));
  return out;
}
function decodeAll(msgs: Uint8Array[], c: CodecContext = ctx): UpdateMessage[] {
  return msgs.map((m) => {
    if ((((m[16] as number) << 8) | (m[17] as number)) !== m.length) throw new Error('header length mismatch');
    return decodeUpdate(m.subarray(19), c);
  });
}
function rib(txContext: CodecContext = ctx, families = [IPV4_UNICAST]): Rib {
  const r = new Rib({ localAsn: 65000, routerId: '10.0.0.1' });
  r.addPeer({ id: 'e1', address: '192.0.2.1', asn: 65001 });
  r.peerUp('e1', { families, txContext, localAddress: { ipv4: '192.0.2.100', ipv6: '2001:db8::100' } });
  return r;
}
const host = (i: number): string => `${numberToIPv4(0x0a000000 + i)}/32`;

t.test('End-of-RIB right away when there is nothing to send, one per family', async (t) => {
  const r = rib(ctx, [IPV4_UNICAST, IPV6_UNICAST]);
  const msgs = messages(r, 'e1');
  t.equal(msgs.length, 2);
  t.equal(msgs[0]?.length, 23, 'IPv4 unicast End-of-RIB is an empty UPDATE');
  t.same(decodeAll(msgs).map((u) => u.endOfRib), [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }]);
  t.same(r.flush('e1'), [], 'sent once');
});

for (const [name, c, limit] of [['4096', ctx, 4096], ['65535 with extended messages', ctxExt, 65535]] as const) {
  t.test(`N prefixes → ceil(N / fit) UPDATEs of at most ${name} octets, then End-of-RIB`, async (t) => {
    const n = 20000;
    const r = new Rib({ localAsn: 65000, routerId: '10.0.0.1' });
    for (let i = 0; i < n; i++) r.originate(parsePrefix(host(i)));
    r.addPeer({ id: 'e1', address: '192.0.2.1', asn: 65001 });
    r.peerUp('e1', { families: [IPV4_UNICAST], txContext: c, localAddress: { ipv4: '192.0.2.100' } });
    const msgs = messages(r, 'e1');
    const updates = decodeAll(msgs, c);
    t.same(updates.at(-1)?.endOfRib, { afi: 1, safi: 1 }, 'End-of-RIB comes last');
    const routes = updates.slice(0, -1);
    const first = msgs[0] as Uint8Array;
    const attrLength = ((first[21] as number) << 8) | (first[22] as number);
    const fit = Math.floor((limit - 23 - attrLength) / 5);
    t.equal(routes.length, Math.ceil(n / fit));
    t.ok(msgs.every((m) => m.length <= limit), `every message ≤ ${limit}`);
    t.equal(routes.reduce((s, u) => s + u.nlri.length, 0), n);
    t.equal(new Set(routes.flatMap((u) => u.nlri.map((p) => p.address))).size, n, 'each prefix once');
    t.equal(r.counters('e1').sent, n);
  });
}

t.test('10,000 /32 withdrawals are split into several UPDATEs of at most 4096 octets', async (t) => {
  const r = rib();
  const n = 10000;
  for (let i = 0; i < n; i++) r.originate(parsePrefix(host(i)));
  messages(r, 'e1');
  for (let i = 0; i < n; i++) r.withdrawLocal(parsePrefix(host(i)));
  const msgs = messages(r, 'e1');
  const updates = decodeAll(msgs);
  t.equal(updates.length, Math.ceil(n / Math.floor((4096 - 23) / 5)));
  t.ok(msgs.every((m) => m.length <= 4096));
  t.equal(updates.reduce((s, u) => s + u.withdrawn.length, 0), n);
  t.ok(updates.every((u) => u.attributes.length === 0 && u.nlri.length === 0));
  t.equal(r.counters('e1').sent, 0);
});

t.test('IPv6 withdrawals in MP_UNREACH_NLRI are split too', async (t) => {
  const r = rib(ctx, [IPV6_UNICAST]);
  const n = 3000;
  const p6 = (i: number): string => `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::/64`;
  for (let i = 0; i < n; i++) r.originate(parsePrefix(p6(i)));
  messages(r, 'e1');
  for (let i = 0; i < n; i++) r.withdrawLocal(parsePrefix(p6(i)));
  const msgs = messages(r, 'e1');
  t.ok(msgs.length > 1);
  t.ok(msgs.every((m) => m.length <= 4096));
  const withdrawn = decodeAll(msgs).flatMap((u) => u.attributes.flatMap((a) => (a.kind === 'mp-unreach-nlri' ? a.withdrawn : [])));
  t.equal(withdrawn.length, n);
});

t.test('a newer change replaces a queued one', async (t) => {
  const r = rib();
  messages(r, 'e1');
  const p = parsePrefix('10.8.0.0/32');
  r.originate(p, [{ kind: 'multi-exit-disc', med: 1 }]);
  r.originate(p, [{ kind: 'multi-exit-disc', med: 2 }]);
  t.equal(r.counters('e1').pending, 1);
  const updates = decodeAll(messages(r, 'e1'));
  t.equal(updates.length, 1);
  t.match(updates[0]?.attributes.find((a) => a.kind === 'multi-exit-disc'), { med: 2 });
  // Announce then withdraw before a flush: nothing at all goes out.
  r.originate(parsePrefix('10.8.0.1/32'));
  r.withdrawLocal(parsePrefix('10.8.0.1/32'));
  t.same(messages(r, 'e1'), []);
  // A change and a change back to what the peer has: nothing either.
  r.originate(p, [{ kind: 'multi-exit-disc', med: 3 }]);
  r.originate(p, [{ kind: 'multi-exit-disc', med: 2 }]);
  t.same(messages(r, 'e1'), []);
});

t.test('prefixes sharing an attribute set share UPDATEs; different sets do not mix', async (t) => {
  const r = rib();
  messages(r, 'e1');
  for (let i = 0; i < 10; i++) r.originate(parsePrefix(host(i)), [{ kind: 'multi-exit-disc', med: i % 2 }]);
  const updates = decodeAll(messages(r, 'e1'));
  t.equal(updates.length, 2);
  t.same(updates.map((u) => u.nlri.length), [5, 5]);
});

t.test('flush respects its budget and the outbound event fires once per non-empty transition', async (t) => {
  const r = new Rib({ localAsn: 65000, routerId: '10.0.0.1' });
  const events: string[] = [];
  r.on('outbound', (id) => events.push(id));
  r.addPeer({ id: 'e1', address: '192.0.2.1', asn: 65001 });
  r.peerUp('e1', { families: [IPV4_UNICAST], txContext: ctx, localAddress: { ipv4: '192.0.2.100' } });
  t.same(events, ['e1']);
  t.equal(r.flush('e1').length, 1, 'End-of-RIB');
  for (let i = 0; i < 5000; i++) r.originate(parsePrefix(host(i)), [{ kind: 'multi-exit-disc', med: i % 50 }]);
  t.same(events, ['e1', 'e1']);
  t.equal(r.flush('e1', { maxMessages: 3 }).length, 3);
  t.ok(r.hasPending('e1'));
  const some = r.flush('e1', { maxBytes: 1 });
  t.equal(some.length, 1, 'a byte budget still lets one message through');
  t.equal(decodeAll(messages(r, 'e1')).length, 46);
});

t.test('ADD-PATH send: every prefix carries our Path Identifier', async (t) => {
  const c = createContext({ addPath: new Set([familyKey(1, 1)]) });
  const r = rib(c);
  messages(r, 'e1');
  r.originate(parsePrefix('10.8.0.0/32'));
  r.withdrawLocal(parsePrefix('10.8.0.0/32'));
  r.originate(parsePrefix('10.8.0.1/32'));
  r.originate(parsePrefix('10.8.0.2/32'));
  r.withdrawLocal(parsePrefix('10.8.0.2/32'));
  const updates = decodeAll(messages(r, 'e1'), c);
  t.same(updates.flatMap((u) => u.nlri), [{ afi: 1, address: '10.8.0.1', length: 32, pathId: SENT_PATH_ID }]);
});

t.test('adjRibOut shows what the peer was sent; a peer coming up gets the table then End-of-RIB', async (t) => {
  const r = new Rib({ localAsn: 65000, routerId: '10.0.0.1' });
  r.originate(parsePrefix('10.8.0.0/32'));
  r.addPeer({ id: 'e1', address: '192.0.2.1', asn: 65001 });
  r.peerUp('e1', { families: [IPV4_UNICAST], txContext: ctx, localAddress: { ipv4: '192.0.2.100' } });
  t.same([...r.adjRibOut('e1')], [], 'nothing sent before flush');
  const updates = decodeAll(messages(r, 'e1'));
  t.same(updates.map((u) => (u.endOfRib ? 'eor' : u.nlri.map((p) => p.address).join())), ['10.8.0.0', 'eor']);
  const out = [...r.adjRibOut('e1')];
  t.equal(out.length, 1);
  t.match(out[0]?.attributes.find((a) => a.kind === 'next-hop'), { nextHop: '192.0.2.100' });
  r.refreshOut('e1');
  t.equal(decodeAll(messages(r, 'e1')).length, 2, 'route refresh resends the table and End-of-RIB');
});
