// The receive fast path on octets: a canonical attribute block is interned as is and found by hash next time; a
// non-canonical one (FRR writes AS_PATH with Extended Length) is the same set, found under its key string; the
// decoded path agrees; RFC 7606 outcomes still come from the full decoder; a whole message can be passed with the
// body's offset; and `flushBatch` lays out exactly the messages `flush` returns.
import t from 'tap';
import {
  IPV4_UNICAST,
  createContext,
  decodeUpdate,
  encodeUpdate,
  parsePrefix,
  type PathAttribute,
  type UpdateMessage,
} from '../../lib/wire/index.js';
import { Rib } from '../../lib/rib/index.js';
import { isCanonicalBlock, scanAttributes } from '../../lib/rib/raw-update.js';

const ctx = createContext();
const attrs = (asns: number[], med?: number): PathAttribute[] => [
  { kind: 'origin', origin: 0 },
  { kind: 'as-path', segments: [{ type: 2, asns }] },
  { kind: 'next-hop', nextHop: '192.0.2.1' },
  ...(med === undefined ? [] : [{ kind: 'multi-exit-disc', med } as const]),
];
const update = (a: PathAttribute[], nlri: string[], withdrawn: string[] = []): UpdateMessage => ({
  type: 2,
  withdrawn: withdrawn.map((p) => parsePrefix(p)),
  attributes: a,
  nlri: nlri.map((p) => parsePrefix(p)),
});

function setup(): Rib {
  const rib = new Rib({ localAsn: 65000, routerId: '10.0.0.1' });
  rib.addPeer({ id: 'e1', address: '192.0.2.1', asn: 65001 });
  rib.addPeer({ id: 'e2', address: '192.0.2.2', asn: 65002 });
  for (const id of ['e1', 'e2']) {
    rib.peerUp(id, { families: [IPV4_UNICAST], txContext: ctx, localAddress: { ipv4: '192.0.2.100' } });
    while (rib.hasPending(id)) rib.flush(id);
  }
  return rib;
}

/** The body with AS_PATH's flags rewritten to 0x50 and its length to two octets, as FRR sends it. */
function frrStyle(body: Uint8Array): Uint8Array {
  const wl = ((body[0] as number) << 8) | (body[1] as number);
  const as = 4 + wl;
  const out: number[] = [...body.subarray(0, as)];
  const attrEnd = as + (((body[2 + wl] as number) << 8) | (body[3 + wl] as number));
  const block: number[] = [];
  for (let pos = as; pos < attrEnd; ) {
    const len = body[pos + 2] as number;
    if (body[pos + 1] === 2) block.push(0x50, 2, 0, len, ...body.subarray(pos + 3, pos + 3 + len));
    else block.push(...body.subarray(pos, pos + 3 + len));
    pos += 3 + len;
  }
  out[2 + wl] = block.length >>> 8;
  out[3 + wl] = block.length & 0xff;
  return Uint8Array.from([...out, ...block, ...body.subarray(attrEnd)]);
}

const received = (rib: Rib, prefix: string) => rib.locRibEntry(parsePrefix(prefix))?.paths[0]?.received;

t.test('a canonical block is interned as is and then found by its octets', async (t) => {
  const rib = setup();
  const body = encodeUpdate(update(attrs([65001, 5]), ['10.0.0.0/24', '10.0.1.0/24']), ctx);
  const f = 4 + ((body[0] as number) << 8 | (body[1] as number));
  t.ok(isCanonicalBlock(decodeUpdate(body, ctx).attributes, body, f, f + (((body[f - 2] as number) << 8) | (body[f - 1] as number))));
  rib.ingestUpdate('e1', body, ctx);
  const created = rib.interner.created;
  const hits = rib.interner.hits;
  rib.ingestUpdate('e1', encodeUpdate(update(attrs([65001, 5]), ['10.0.2.0/24']), ctx), ctx);
  t.equal(rib.interner.created, created, 'no new set');
  t.equal(rib.interner.hits, hits + 1, 'found by the raw lookup');
  t.equal(received(rib, '10.0.2.0/24'), received(rib, '10.0.0.0/24'), 'the same set');
  t.equal(rib.counters('e1').received, 3);
});

t.test('a non-canonical block is the same set, remembered under its key', async (t) => {
  const rib = setup();
  rib.ingest('e1', update(attrs([65001, 6], 5), ['10.1.0.0/24']));
  const frr = frrStyle(encodeUpdate(update(attrs([65001, 6], 5), ['10.1.1.0/24']), ctx));
  const f = 4 + ((frr[0] as number) << 8 | (frr[1] as number));
  t.notOk(isCanonicalBlock(decodeUpdate(frr, ctx).attributes, frr, f, f + (((frr[f - 2] as number) << 8) | (frr[f - 1] as number))), 'Extended Length on a short AS_PATH');
  const created = rib.interner.created;
  rib.ingestUpdate('e1', frr, ctx);
  t.equal(rib.interner.created, created, 'the decoded set is the one already known');
  t.equal(received(rib, '10.1.1.0/24'), received(rib, '10.1.0.0/24'));
  const hits = rib.interner.hits;
  rib.ingestUpdate('e1', frrStyle(encodeUpdate(update(attrs([65001, 6], 5), ['10.1.2.0/24']), ctx)), ctx);
  t.equal(rib.interner.hits, hits + 1, 'found under its key string, no decoding');
  t.equal(received(rib, '10.1.2.0/24'), received(rib, '10.1.0.0/24'));
});

t.test('canonical means ascending types, the encoder\'s flags, nothing normalisation removes', async (t) => {
  const check = (a: PathAttribute[]): boolean => {
    const body = encodeUpdate(update(a, ['10.0.0.0/24']), ctx);
    const f = 4 + ((body[0] as number) << 8 | (body[1] as number));
    return isCanonicalBlock(decodeUpdate(body, ctx).attributes, body, f, f + (((body[f - 2] as number) << 8) | (body[f - 1] as number)));
  };
  t.ok(check(attrs([1])));
  t.notOk(check([...attrs([1]).reverse()]), 'descending types');
  t.notOk(check([...attrs([1]), { kind: 'as4-path', segments: [{ type: 2, asns: [1] }] }]), 'AS4_PATH');
  t.notOk(check([...attrs([1]), { kind: 'unknown', typeCode: 99, flags: 0xc0, value: Uint8Array.of(1) }]), 'unknown without Partial');
  t.ok(check([...attrs([1]), { kind: 'unknown', typeCode: 99, flags: 0xe0, value: Uint8Array.of(1) }]), 'unknown with Partial');
  t.notOk(check([...attrs([1]), { kind: 'unknown', typeCode: 98, flags: 0x80, value: Uint8Array.of(1) }]), 'unknown non-transitive');
  t.ok(check([attrs([1])[0] as PathAttribute, { kind: 'as-path', segments: [{ type: 2, asns: Array.from({ length: 70 }, (_, i) => i + 1) }] }, attrs([1])[2] as PathAttribute]), 'long AS_PATH with Extended Length');
});

t.test('scanAttributes leaves MP attributes not flagged optional non-transitive to the full decoder', async (t) => {
  // ORIGIN IGP, then MP_UNREACH_NLRI (RFC 4760 §4) withdrawing 10.0.0.0/8 with the given flags octet.
  const block = (flags: number): Uint8Array => Uint8Array.of(0x40, 1, 1, 0, flags, 15, 5, 0, 1, 1, 8, 10);
  const scanned = (flags: number) => scanAttributes(block(flags), 0, block(flags).length);
  t.match(scanned(0x80), { mpUnreach: { afi: 1, safi: 1, start: 10, end: 12 } }, 'optional non-transitive');
  t.match(scanned(0xa0), { mpUnreach: { afi: 1, safi: 1 } }, 'Partial is not looked at, as in decodeAttributes');
  t.equal(scanned(0x80)?.rawKey, scanned(0xa0)?.rawKey, 'and is not part of the key');
  for (const flags of [0x00, 0x40, 0xc0, 0xe0]) t.equal(scanned(flags), undefined, `flags 0x${flags.toString(16)}`);
});

t.test('decoded and raw paths give the same RIB; RFC 7606 outcomes still apply', async (t) => {
  const slow = setup();
  const fast = setup();
  const updates = [
    update(attrs([65001, 7]), ['10.2.0.0/24', '10.2.1.0/24']),
    update(attrs([65001, 7]), ['10.2.2.0/24'], ['10.2.1.0/24']),
    update(attrs([65001, 8], 3), ['10.2.0.0/24']),
  ];
  for (const u of updates) {
    slow.ingest('e1', u);
    // The whole message, body at offset 19, as the speaker passes it.
    const body = encodeUpdate(u, ctx);
    const message = new Uint8Array(19 + body.length);
    message.set(body, 19);
    fast.ingestUpdate('e1', message, ctx, 19);
  }
  const view = (r: Rib) => [...r.locRib()].map((e) => [`${e.prefix.address}/${e.prefix.length}`, e.paths.map((p) => p.attributes)]);
  t.same(view(fast), view(slow));
  // RFC 7606 §3 d: NLRI without NEXT_HOP is treat-as-withdraw — the known route goes.
  const missing = encodeUpdate(update(attrs([65001, 7]).slice(0, 2), ['10.2.2.0/24']), ctx);
  fast.ingestUpdate('e1', missing, ctx);
  t.equal(fast.locRibEntry(parsePrefix('10.2.2.0/24')), undefined, 'withdrawn');
  // A malformed NLRI field (a /33) resets the session: nothing of the UPDATE is applied.
  const bad = Uint8Array.from([...encodeUpdate(update(attrs([65001, 7]), ['10.2.3.0/24']), ctx), 33, 10]);
  t.throws(() => fast.ingestUpdate('e1', bad, ctx), { name: 'BgpError' });
  t.equal(fast.locRibEntry(parsePrefix('10.2.3.0/24')), undefined, 'not applied');
  const badWithdrawn = Uint8Array.of(0, 2, 40, 10, 0, 0);
  t.throws(() => fast.ingestUpdate('e1', badWithdrawn, ctx), { name: 'BgpError' }, 'a malformed Withdrawn Routes field');
});

t.test('flushBatch lays out the same messages as flush, end to end', async (t) => {
  const make = (): Rib => {
    const rib = setup();
    for (let i = 0; i < 3000; i++) rib.ingest('e1', update(attrs([65001, 1 + (i % 40)], i % 3), [`10.${3 + (i >> 8)}.${i & 0xff}.0/24`]));
    return rib;
  };
  const a = make();
  const b = make();
  const viaFlush: number[] = [];
  let count = 0;
  while (a.hasPending('e2')) for (const m of a.flush('e2')) {
    viaFlush.push(...m);
    count++;
  }
  const viaBatch: number[] = [];
  let batches = 0;
  let messages = 0;
  for (let out = b.flushBatch('e2', { maxBytes: 16384 }); out !== null; out = b.flushBatch('e2', { maxBytes: 16384 })) {
    viaBatch.push(...out.bytes);
    messages += out.messages;
    batches++;
    t.ok(out.bytes.length <= 16384);
  }
  t.equal(messages, count, 'as many messages');
  t.ok(batches < count / 10, `${batches} batches for ${count} messages`);
  t.same(viaBatch, viaFlush, 'the same octets');
  t.same(b.counters('e2'), a.counters('e2'));
  t.equal(b.flushBatch('e2'), null, 'nothing left');
});
