// Every path attribute: exact bytes, decoded value, round trip, default flags, 2- vs 4-octet contexts, and what
// each truncation does (a recorded RFC 7606 issue with the attribute's approach, never another exception).
import t from 'tap';
import {
  attributeTypeCode,
  decodeAttributes,
  defaultFlags,
  encodeAttribute,
  encodeAttributes,
  passOnUnknown,
} from '../../lib/wire/attributes.js';
import { BgpError } from '../../lib/wire/errors.js';
import type { CodecContext, PathAttribute } from '../../lib/wire/types.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ctx4: CodecContext = { fourOctetAs: true, addPath: new Set(), extendedMessage: false };
const ctx2: CodecContext = { ...ctx4, fourOctetAs: false };

function attr(flags: number, type: number, value: string): string {
  const v = value.replace(/\s+/g, '');
  const len = v.length / 2;
  const l = flags & 0x10 ? len.toString(16).padStart(4, '0') : len.toString(16).padStart(2, '0');
  return flags.toString(16).padStart(2, '0') + type.toString(16).padStart(2, '0') + l + v;
}

interface Case {
  name: string;
  ctx: CodecContext;
  flags: number;
  type: number;
  value: string;
  decoded: PathAttribute;
  /** RFC 7606 approach for a malformed value. */
  action: 'treat-as-withdraw' | 'attribute-discard';
  /** Value lengths below the full one that are still well-formed. */
  validShorter?: number[];
}

const cases: Case[] = [
  { name: 'ORIGIN IGP', ctx: ctx4, flags: 0x40, type: 1, value: '00', decoded: { kind: 'origin', flags: 0x40, origin: 0 }, action: 'treat-as-withdraw' },
  { name: 'ORIGIN INCOMPLETE', ctx: ctx4, flags: 0x40, type: 1, value: '02', decoded: { kind: 'origin', flags: 0x40, origin: 2 }, action: 'treat-as-withdraw' },
  {
    name: 'AS_PATH 4-octet',
    ctx: ctx4,
    flags: 0x40,
    type: 2,
    value: '0202 0000fde9 fa56ea00 0101 00000007',
    decoded: { kind: 'as-path', flags: 0x40, segments: [{ type: 2, asns: [65001, 4200000000] }, { type: 1, asns: [7] }] },
    action: 'treat-as-withdraw',
    validShorter: [0, 10],
  },
  {
    name: 'AS_PATH 2-octet',
    ctx: ctx2,
    flags: 0x40,
    type: 2,
    value: '0203 fde9 5ba0 fdea',
    decoded: { kind: 'as-path', flags: 0x40, segments: [{ type: 2, asns: [65001, 23456, 65002] }] },
    action: 'treat-as-withdraw',
    validShorter: [0],
  },
  {
    name: 'AS_PATH empty (iBGP)',
    ctx: ctx4,
    flags: 0x40,
    type: 2,
    value: '',
    decoded: { kind: 'as-path', flags: 0x40, segments: [] },
    action: 'treat-as-withdraw',
  },
  { name: 'NEXT_HOP', ctx: ctx4, flags: 0x40, type: 3, value: 'c0000201', decoded: { kind: 'next-hop', flags: 0x40, nextHop: '192.0.2.1' }, action: 'treat-as-withdraw' },
  { name: 'MULTI_EXIT_DISC', ctx: ctx4, flags: 0x80, type: 4, value: 'ffffffff', decoded: { kind: 'multi-exit-disc', flags: 0x80, med: 0xffffffff }, action: 'treat-as-withdraw' },
  { name: 'LOCAL_PREF', ctx: ctx4, flags: 0x40, type: 5, value: '00000064', decoded: { kind: 'local-pref', flags: 0x40, localPref: 100 }, action: 'treat-as-withdraw' },
  { name: 'ATOMIC_AGGREGATE', ctx: ctx4, flags: 0x40, type: 6, value: '', decoded: { kind: 'atomic-aggregate', flags: 0x40 }, action: 'attribute-discard' },
  {
    name: 'AGGREGATOR 4-octet',
    ctx: ctx4,
    flags: 0xc0,
    type: 7,
    value: 'fa56ea00 c0000201',
    decoded: { kind: 'aggregator', flags: 0xc0, asn: 4200000000, address: '192.0.2.1' },
    action: 'attribute-discard',
  },
  {
    name: 'AGGREGATOR 2-octet',
    ctx: ctx2,
    flags: 0xc0,
    type: 7,
    value: 'fde9 c0000201',
    decoded: { kind: 'aggregator', flags: 0xc0, asn: 65001, address: '192.0.2.1' },
    action: 'attribute-discard',
  },
  {
    name: 'COMMUNITIES',
    ctx: ctx4,
    flags: 0xc0,
    type: 8,
    value: 'fde80001 ffffff01',
    decoded: { kind: 'communities', flags: 0xc0, communities: [0xfde80001, 0xffffff01] },
    action: 'treat-as-withdraw',
    validShorter: [4],
  },
  { name: 'ORIGINATOR_ID', ctx: ctx4, flags: 0x80, type: 9, value: '0a000001', decoded: { kind: 'originator-id', flags: 0x80, originatorId: '10.0.0.1' }, action: 'treat-as-withdraw' },
  {
    name: 'CLUSTER_LIST',
    ctx: ctx4,
    flags: 0x80,
    type: 10,
    value: '0a000001 0a000002',
    decoded: { kind: 'cluster-list', flags: 0x80, clusterList: ['10.0.0.1', '10.0.0.2'] },
    action: 'treat-as-withdraw',
    validShorter: [4],
  },
  {
    name: 'EXTENDED_COMMUNITIES',
    ctx: ctx4,
    flags: 0xc0,
    type: 16,
    value: '0002fde800000064',
    decoded: { kind: 'extended-communities', flags: 0xc0, communities: [hex('0002fde800000064')] },
    action: 'treat-as-withdraw',
  },
  {
    name: 'AS4_PATH',
    ctx: ctx2,
    flags: 0xc0,
    type: 17,
    value: '0202 0000fde9 fa56ea00',
    decoded: { kind: 'as4-path', flags: 0xc0, segments: [{ type: 2, asns: [65001, 4200000000] }] },
    action: 'attribute-discard',
  },
  {
    name: 'AS4_AGGREGATOR',
    ctx: ctx2,
    flags: 0xc0,
    type: 18,
    value: 'fa56ea00 c0000201',
    decoded: { kind: 'as4-aggregator', flags: 0xc0, asn: 4200000000, address: '192.0.2.1' },
    action: 'attribute-discard',
  },
  {
    name: 'LARGE_COMMUNITY',
    ctx: ctx4,
    flags: 0xc0,
    type: 32,
    value: '0000fde8 00000001 00000002',
    decoded: { kind: 'large-community', flags: 0xc0, communities: [[65000, 1, 2]] },
    action: 'treat-as-withdraw',
  },
  { name: 'OTC', ctx: ctx4, flags: 0xc0, type: 35, value: '0000fde9', decoded: { kind: 'otc', flags: 0xc0, asn: 65001 }, action: 'treat-as-withdraw' },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const wire = attr(c.flags, c.type, c.value);
    const b = hex(wire);
    const d = decodeAttributes(b, 0, b.length, c.ctx);
    t.same(d.attributes, [c.decoded], 'decode');
    t.equal(d.issues, undefined);
    t.equal(d.action, undefined);
    t.equal(toHex(encodeAttribute(c.decoded, c.ctx)), wire, 'encode: exact bytes');
    const { flags: _f, ...bare } = c.decoded as PathAttribute & { flags?: number };
    t.equal(toHex(encodeAttribute(bare as PathAttribute, c.ctx)), wire, 'encode without flags: the default flags');
    t.equal(defaultFlags(c.type), c.flags);
    t.equal(attributeTypeCode(c.decoded), c.type);

    // Extended Length form of the same attribute decodes the same and re-encodes in that form.
    const ext = hex(attr(c.flags | 0x10, c.type, c.value));
    const de = decodeAttributes(ext, 0, ext.length, c.ctx);
    t.same(de.attributes, [{ ...c.decoded, flags: c.flags | 0x10 }], 'Extended Length decode');
    t.equal(toHex(encodeAttribute(de.attributes[0] as PathAttribute, c.ctx)), toHex(ext), 'Extended Length kept');

    // Every shorter value (length field consistent): well-formed where listed, else an issue with the approach.
    const full = c.value.replace(/\s+/g, '').length / 2;
    for (let len = 0; len < full; len++) {
      const short = hex(attr(c.flags, c.type, c.value.replace(/\s+/g, '').slice(0, len * 2)));
      const ds = decodeAttributes(short, 0, short.length, c.ctx);
      if (c.validShorter?.includes(len)) {
        t.equal(ds.issues, undefined, `value of ${len} octets is well-formed`);
        continue;
      }
      t.equal(ds.action, c.action, `value of ${len} octets → ${c.action}`);
      t.equal(ds.issues?.length, 1);
      const issue = ds.issues?.[0];
      t.equal(issue?.typeCode, c.type);
      t.ok(issue?.error instanceof BgpError && issue.error.code === 3);
      t.same(ds.attributes, [{ kind: 'malformed', flags: c.flags, typeCode: c.type, value: short.subarray(3) }], 'kept raw');
      t.equal(toHex(encodeAttributes(ds.attributes, c.ctx)), toHex(short), 'malformed re-encodes byte for byte');
    }
    // One octet too many is malformed too (except for lists where it breaks the multiple).
    const longer = hex(attr(c.flags, c.type, c.value + '00'));
    const dl = decodeAttributes(longer, 0, longer.length, c.ctx);
    t.equal(dl.action, c.action, 'one extra octet');
    // Truncated inside the field (the length field claims more than there is): RFC 7606 §4 → treat-as-withdraw.
    if (b.length > 3) {
      const cut = b.subarray(0, b.length - 1);
      const dc = decodeAttributes(cut, 0, cut.length, c.ctx);
      t.equal(dc.action, 'treat-as-withdraw', 'overrun → treat-as-withdraw');
      t.match(dc.issues?.[0]?.error, { code: 3, subcode: 5, data: cut });
    }
  });
}

t.test('the same AS_PATH and AGGREGATOR octets in the other ASN size are malformed', async (t) => {
  const path4 = hex(attr(0x40, 2, '0202 0000fde9 fa56ea00'));
  const d = decodeAttributes(path4, 0, path4.length, ctx2);
  t.equal(d.action, 'treat-as-withdraw');
  t.match(d.issues?.[0]?.error, { code: 3, subcode: 11, data: new Uint8Array(0) }, 'Malformed AS_PATH, no Data');
  const agg2 = hex(attr(0xc0, 7, 'fde9 c0000201'));
  const da = decodeAttributes(agg2, 0, agg2.length, ctx4);
  t.equal(da.action, 'attribute-discard');
  t.match(da.issues?.[0]?.error, { code: 3, subcode: 5, data: agg2 });
});

t.test('AS_PATH encoding follows the context; AS_TRANS in 2-octet form', async (t) => {
  const a: PathAttribute = { kind: 'as-path', segments: [{ type: 2, asns: [65001, 4200000000] }] };
  t.equal(toHex(encodeAttribute(a, ctx4)), attr(0x40, 2, '0202 0000fde9 fa56ea00'));
  t.equal(toHex(encodeAttribute(a, ctx2)), attr(0x40, 2, '0202 fde9 5ba0'));
  const g: PathAttribute = { kind: 'aggregator', asn: 4200000000, address: '192.0.2.1' };
  t.equal(toHex(encodeAttribute(g, ctx2)), attr(0xc0, 7, '5ba0 c0000201'));
});

t.test('value errors beyond the length', async (t) => {
  const cases: [string, string, CodecContext, number, string][] = [
    ['ORIGIN 3', attr(0x40, 1, '03'), ctx4, 6, 'treat-as-withdraw'],
    ['NEXT_HOP 0.0.0.0', attr(0x40, 3, '00000000'), ctx4, 8, 'treat-as-withdraw'],
    ['NEXT_HOP multicast', attr(0x40, 3, 'e0000001'), ctx4, 8, 'treat-as-withdraw'],
    ['NEXT_HOP broadcast', attr(0x40, 3, 'ffffffff'), ctx4, 8, 'treat-as-withdraw'],
    ['AS_PATH with AS 0 (RFC 7607)', attr(0x40, 2, '0201 00000000'), ctx4, 11, 'treat-as-withdraw'],
    ['AS_PATH segment type 5', attr(0x40, 2, '0501 00000001'), ctx4, 11, 'treat-as-withdraw'],
    ['AGGREGATOR AS 0 (RFC 7607)', attr(0xc0, 7, '00000000 c0000201'), ctx4, 9, 'attribute-discard'],
    ['AS4_PATH with AS 0', attr(0xc0, 17, '0201 00000000'), ctx2, 9, 'attribute-discard'],
    ['AS4_PATH empty', attr(0xc0, 17, ''), ctx2, 9, 'attribute-discard'],
    ['AS4_AGGREGATOR AS 0', attr(0xc0, 18, '00000000 c0000201'), ctx2, 9, 'attribute-discard'],
  ];
  for (const [name, wire, c, subcode, action] of cases) {
    const b = hex(wire);
    const d = decodeAttributes(b, 0, b.length, c);
    t.equal(d.action, action, name);
    t.match(d.issues?.[0]?.error, { code: 3, subcode }, `${name}: subcode ${subcode}`);
    if (subcode !== 11) t.same(d.issues?.[0]?.error.data, b, `${name}: Data is the attribute`);
  }
  const conf = hex(attr(0xc0, 17, '0301 0000fde9 0201 0000fdea'));
  t.equal(decodeAttributes(conf, 0, conf.length, ctx2).issues, undefined, 'AS4_PATH confed segments are decoded (RFC 6793 §6)');
  const loop = hex(attr(0x40, 3, '7f000001'));
  t.equal(decodeAttributes(loop, 0, loop.length, ctx4).issues, undefined, 'a loopback next hop is syntactically valid');
});

t.test('unknown optional attributes are kept with their flags and re-encode unchanged', async (t) => {
  const wire = attr(0xe0, 99, 'deadbeef') + attr(0x80, 200, '') + attr(0xd0, 250, '01');
  const b = hex(wire);
  const d = decodeAttributes(b, 0, b.length, ctx4);
  t.same(d.attributes, [
    { kind: 'unknown', flags: 0xe0, typeCode: 99, value: hex('deadbeef') },
    { kind: 'unknown', flags: 0x80, typeCode: 200, value: new Uint8Array(0) },
    { kind: 'unknown', flags: 0xd0, typeCode: 250, value: hex('01') },
  ]);
  t.equal(d.issues, undefined);
  t.equal(toHex(encodeAttributes(d.attributes, ctx4)), wire);
  b[4] = 0;
  t.equal((d.attributes[0] as { value: Uint8Array }).value[0], 0xde, 'values are copies');
  t.equal(toHex(encodeAttribute({ kind: 'unknown', typeCode: 99, value: hex('01') }, ctx4)), 'c0630101', 'default optional transitive');
});

t.test('passOnUnknown: Partial set on optional transitive, optional non-transitive dropped (RFC 4271 §5)', async (t) => {
  t.same(passOnUnknown({ kind: 'unknown', flags: 0xc0, typeCode: 99, value: hex('01') }), { kind: 'unknown', flags: 0xe0, typeCode: 99, value: hex('01') });
  t.same(passOnUnknown({ kind: 'unknown', flags: 0xd0, typeCode: 99, value: hex('01') })?.flags, 0xf0, 'Extended Length kept');
  t.same(passOnUnknown({ kind: 'unknown', typeCode: 99, value: hex('01') })?.flags, 0xe0, 'default flags');
  t.equal(passOnUnknown({ kind: 'unknown', flags: 0x80, typeCode: 99, value: hex('01') }), undefined);
  t.equal(toHex(encodeAttribute(passOnUnknown({ kind: 'unknown', flags: 0xc0, typeCode: 99, value: hex('01') }) as PathAttribute, ctx4)), 'e0630101');
});

t.test('Extended Length is set automatically above 255 octets', async (t) => {
  const communities = Array.from({ length: 64 }, (_, i) => i);
  const a: PathAttribute = { kind: 'communities', communities };
  const out = encodeAttribute(a, ctx4);
  t.equal(out[0], 0xd0);
  t.equal((out[2] as number) * 256 + (out[3] as number), 256);
  const d = decodeAttributes(out, 0, out.length, ctx4);
  t.same(d.attributes, [{ kind: 'communities', flags: 0xd0, communities }]);
  const small = encodeAttribute({ kind: 'communities', flags: 0xc0, communities: Array.from({ length: 70 }, () => 1) }, ctx4);
  t.equal(small[0], 0xd0, 'given flags without the bit get it when needed');
  t.throws(() => encodeAttribute({ kind: 'unknown', typeCode: 99, value: new Uint8Array(65536) }, ctx4), RangeError);
});

t.test('attribute order and low flag bits are kept', async (t) => {
  const wire = attr(0x40, 3, 'c0000201') + attr(0x4f, 1, '00') + attr(0x50, 2, '') + attr(0xc0, 8, 'fde80001');
  const b = hex(wire);
  const d = decodeAttributes(b, 0, b.length, ctx4);
  t.same(d.attributes.map((a) => a.kind), ['next-hop', 'origin', 'as-path', 'communities']);
  t.equal(d.issues, undefined, 'the four unused flag bits are ignored');
  t.equal(toHex(encodeAttributes(d.attributes, ctx4)), wire);
  t.equal(d.seen, (1 << 1) | (1 << 2) | (1 << 3) | (1 << 8));
});

t.test('encoding rejects values the caller built wrong', async (t) => {
  t.throws(() => encodeAttribute({ kind: 'next-hop', nextHop: '2001:db8::1' }, ctx4), TypeError);
  t.throws(() => encodeAttribute({ kind: 'multi-exit-disc', med: -1 }, ctx4), RangeError);
  t.throws(() => encodeAttribute({ kind: 'local-pref', localPref: 2 ** 32 }, ctx4), RangeError);
  t.throws(() => encodeAttribute({ kind: 'origin', origin: 256 }, ctx4), RangeError);
  t.throws(() => encodeAttribute({ kind: 'aggregator', asn: -5, address: '1.2.3.4' }, ctx2), RangeError);
  t.throws(() => encodeAttribute({ kind: 'cluster-list', clusterList: ['x'] }, ctx4), TypeError);
  t.throws(() => encodeAttribute({ kind: 'bogus' } as unknown as PathAttribute, ctx4), TypeError);
});
