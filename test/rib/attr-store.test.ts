// The attribute store: interning by canonical octets (identity = equality, whatever order or flags the input had),
// the flags and decision values read from the octets, opaque sets for attributes that cannot be encoded, the raw
// fast-path lookup, reference counting with deferred freeing and free hooks, and arena compaction.
import t from 'tap';
import { WellKnownCommunity, createContext, encodeAttributes, type PathAttribute } from '../../lib/wire/index.js';
import { AttrStore, SetFlag } from '../../lib/rib/attr-store.js';
import { SetFields } from '../../lib/rib/set-fields.js';
import { ipv4Number, normaliseAttributes } from '../../lib/rib/attr-set.js';

const ctx4 = createContext({ fourOctetAs: true });
const identity = { localAsn: 65000, routerId: ipv4Number('10.0.0.1'), clusterId: ipv4Number('10.0.0.9') };
const base = (asns: number[] = [65001, 7]): PathAttribute[] => [
  { kind: 'origin', origin: 0 },
  { kind: 'as-path', segments: [{ type: 2, asns }] },
  { kind: 'next-hop', nextHop: '192.0.2.1' },
];
const encode = (attrs: readonly PathAttribute[]): Uint8Array => encodeAttributes(normaliseAttributes(attrs), ctx4);

t.test('equal sets are one id, whatever the order and flags they came with', async (t) => {
  const store = new AttrStore(identity);
  const a = store.intern(base());
  const shuffled: PathAttribute[] = [
    { kind: 'next-hop', nextHop: '192.0.2.1', flags: 0x40 },
    { kind: 'as-path', segments: [{ type: 2, asns: [65001, 7] }], flags: 0x50 },
    { kind: 'origin', origin: 0, flags: 0x40 },
  ];
  t.equal(store.intern(shuffled), a, 'reordered, received flags');
  const octets = encode(base());
  const padded = new Uint8Array(octets.length + 5);
  padded.set(octets, 3);
  t.equal(store.internEncoded(padded, 3, 3 + octets.length), a, 'its canonical octets, anywhere in a buffer');
  t.equal(store.created, 1);
  t.equal(store.hits, 2);
  t.not(store.intern(base([65001, 8])), a, 'a different path is another set');
  t.same(store.attributes(a), normaliseAttributes(base()), 'the canonical list comes back');
  t.equal(store.attributes(a), store.attributes(a), 'the same array while cached');
  t.ok(Object.isFrozen(store.attributes(a)));
});

t.test('flags and decision values are read from the octets', async (t) => {
  const store = new AttrStore(identity);
  const fields = new SetFields();
  const rich = store.intern([
    { kind: 'origin', origin: 1 },
    { kind: 'as-path', segments: [{ type: 3, asns: [64512, 64513] }, { type: 2, asns: [65010, 65011] }, { type: 1, asns: [1, 2, 3] }] },
    { kind: 'next-hop', nextHop: '192.0.2.1' },
    { kind: 'multi-exit-disc', med: 40 },
    { kind: 'local-pref', localPref: 250 },
    { kind: 'communities', communities: [WellKnownCommunity.NoExport, 0xfde80001] },
    { kind: 'originator-id', originatorId: '7.7.7.7' },
    { kind: 'cluster-list', clusterList: ['8.8.8.8', '8.8.8.9'] },
  ]);
  const f = store.flags[rich] as number;
  for (const [name, bit] of Object.entries({ LocalPref: SetFlag.LocalPref, Med: SetFlag.Med, OriginatorId: SetFlag.OriginatorId, InternalOnly: SetFlag.InternalOnly, NoExport: SetFlag.NoExport, NextHop: SetFlag.NextHop })) {
    t.ok(f & bit, name);
  }
  t.notOk(f & (SetFlag.Loops | SetFlag.NoAdvertise | SetFlag.MpReach | SetFlag.Opaque));
  store.readFields(rich, fields);
  t.match(fields, { origin: 1, asPathLength: 3, neighborAs: 65010, localPref: 250, med: 40, originatorId: ipv4Number('7.7.7.7'), clusterListLength: 2 });
  t.equal(store.originatorIdOf(rich), ipv4Number('7.7.7.7'));
  t.equal(store.readFields(store.intern([{ kind: 'as-path', segments: [{ type: 1, asns: [5] }] }]), fields).neighborAs, 0, 'a leading AS_SET has no neighbouring AS');
  t.equal(fields.origin, 2, 'no ORIGIN reads as INCOMPLETE');
  const loops = [
    [{ kind: 'as-path', segments: [{ type: 2, asns: [65001, 65000] }] }],
    [{ kind: 'originator-id', originatorId: '10.0.0.1' }],
    [{ kind: 'cluster-list', clusterList: ['1.1.1.1', '10.0.0.9'] }],
  ] as PathAttribute[][];
  for (const attrs of loops) t.ok((store.flags[store.intern(attrs)] as number) & SetFlag.Loops, `loop: ${attrs[0]?.kind}`);
  const mp = store.intern([{ kind: 'mp-reach-nlri', afi: 2, safi: 1, nextHop: ['2001:db8::1'], nlri: [] }]);
  t.ok((store.flags[mp] as number) & SetFlag.MpReach);
});

t.test('a set the codec cannot encode is kept as objects (opaque)', async (t) => {
  const store = new AttrStore(identity);
  const attrs: PathAttribute[] = [...base().slice(0, 2), { kind: 'next-hop', nextHop: 'not-an-address' }, { kind: 'local-pref', localPref: 300 }];
  const id = store.intern(attrs);
  t.ok((store.flags[id] as number) & SetFlag.Opaque);
  t.equal(store.intern(attrs), id, 'interned by its canonical key');
  t.same(store.attributes(id), normaliseAttributes(attrs));
  t.equal(store.readFields(id, new SetFields()).localPref, 300);
  store.sweep();
  t.equal(store.size, 0, 'freed like any other set');
});

t.test('the raw fast path finds only sets marked as raw NLRI blocks', async (t) => {
  const store = new AttrStore(identity);
  const octets = encode(base());
  const id = store.internEncoded(octets, 0, octets.length);
  t.equal(store.findRawNlri(octets, 0, octets.length), 0, 'not before a block decoded to it');
  store.markRawNlri(id);
  t.equal(store.findRawNlri(Uint8Array.from(octets), 0, octets.length), id);
  t.ok(store.encodingEquals(id, octets, 0, octets.length));
  t.notOk(store.encodingEquals(id, octets, 0, octets.length - 1));
  store.rawSet('n4-key', id);
  t.equal(store.rawGet('n4-key'), id);
  store.sweep(); // never retained: freed
  t.equal(store.rawGet('n4-key'), 0, 'the key of a freed set answers nothing');
  t.equal(store.findRawNlri(octets, 0, octets.length), 0);
});

t.test('references: unretained sets are freed by sweep, free hooks run, ids are reused', async (t) => {
  const store = new AttrStore(identity);
  const freed: number[] = [];
  store.onFree((id) => freed.push(id));
  const a = store.intern(base([1]));
  const b = store.intern(base([2]));
  store.retain(a);
  store.sweep();
  t.same(freed, [b], 'only the unretained one');
  t.equal(store.size, 1);
  store.retain(a);
  store.release(a);
  store.sweep();
  t.equal(store.size, 1, 'still held once');
  store.release(a);
  t.same(store.attributes(a), normaliseAttributes(base([1])), 'valid until the sweep');
  store.sweep();
  t.same(freed, [b, a]);
  t.equal(store.size, 0);
  const c = store.intern(base([3]));
  t.ok(c === a || c === b, 'a freed id is reused');
  t.same(store.attributes(c), normaliseAttributes(base([3])), 'with its new content');
});

t.test('compaction rewrites the arena without freed octets and keeps the rest intact', async (t) => {
  const store = new AttrStore(identity);
  const kept: [number, PathAttribute[]][] = [];
  const n = 80000;
  for (let i = 0; i < n; i++) {
    const attrs = base([65001, 100000 + i, 1 + (i % 7)]);
    const id = store.intern(attrs);
    store.retain(id);
    if (i % 20 === 0) kept.push([id, attrs]);
    else store.release(id);
  }
  const before = store.arenaBytes;
  store.sweep();
  t.ok(store.arenaBytes < before / 10, `live octets ${store.arenaBytes} of ${before}`);
  t.equal(store.size, kept.length);
  let wrong = 0;
  for (const [id, attrs] of kept) {
    const octets = encode(attrs);
    if (store.internEncoded(octets, 0, octets.length) !== id) wrong++;
    if (JSON.stringify(store.attributes(id)) !== JSON.stringify(normaliseAttributes(attrs))) wrong++;
  }
  t.equal(wrong, 0, 'every kept set is found by its octets and decodes as before');
});

t.test('a set that ends exactly at the end of an arena page: the next one starts a new page (soak finding)', async (t) => {
  const store = new AttrStore(identity);
  // One unknown optional transitive attribute (Extended Length) of `total` octets in all, told apart by `i`.
  const block = (total: number, i: number): Uint8Array => {
    const b = new Uint8Array(total);
    const len = total - 4;
    b[0] = 0xf0;
    b[1] = 99;
    b[2] = len >> 8;
    b[3] = len & 0xff;
    b[4] = i & 0xff;
    b[5] = i >> 8;
    return b;
  };
  // 16 sets of 65,532 octets and one of 64 fill the first 1 MiB page to its last octet.
  const sizes = [...Array<number>(16).fill(65532), 64, 100, 65532];
  const ids: number[] = [];
  for (let i = 0; i < sizes.length; i++) {
    const octets = block(sizes[i] as number, i);
    const id = store.internEncoded(octets, 0, octets.length);
    store.retain(id);
    ids.push(id);
  }
  let wrong = 0;
  for (let i = 0; i < sizes.length; i++) {
    const octets = block(sizes[i] as number, i);
    if (store.internEncoded(octets, 0, octets.length) !== ids[i]) wrong++;
  }
  t.equal(wrong, 0, 'every set, the first of the page included, is still found by its octets');
});
