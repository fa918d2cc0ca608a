// The UPDATE message body (RFC 4271 §4.3): fields, End-of-RIB (RFC 4724 §2), ADD-PATH (RFC 7911), size limits
// (RFC 8654), the RFC 4271 §6.3 length errors, and the conveniences for the layers above.
import t from 'tap';
import {
  announcedPrefixes,
  assembleUpdate,
  decodeUpdate,
  encodeUpdate,
  endOfRibUpdate,
  findAttribute,
  maxUpdateBodyLength,
  updateFields,
  withdrawnPrefixes,
} from '../../lib/wire/update.js';
import { forEachPrefix } from '../../lib/wire/nlri.js';
import { familyKey } from '../../lib/wire/constants.js';
import type { CodecContext, PathAttribute, UpdateMessage } from '../../lib/wire/types.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ctx: CodecContext = { fourOctetAs: true, addPath: new Set(), extendedMessage: false };
const ctx2: CodecContext = { ...ctx, fourOctetAs: false };
const ctxAddPath: CodecContext = { ...ctx, addPath: new Set([familyKey(1, 1)]) };

function attr(flags: number, type: number, value: string): string {
  const v = value.replace(/\s+/g, '');
  const len = v.length / 2;
  const l = flags & 0x10 ? len.toString(16).padStart(4, '0') : len.toString(16).padStart(2, '0');
  return flags.toString(16).padStart(2, '0') + type.toString(16).padStart(2, '0') + l + v;
}
const u16 = (n: number): string => n.toString(16).padStart(4, '0');
function body(withdrawn: string, attrs: string, nlri: string): string {
  const w = withdrawn.replace(/\s+/g, '');
  const a = attrs.replace(/\s+/g, '');
  return u16(w.length / 2) + w + u16(a.length / 2) + a + nlri.replace(/\s+/g, '');
}
/** A whole message: 16 × 0xff, length, type 2, body. */
function message(b: string): Uint8Array {
  return hex('ff'.repeat(16) + u16(19 + b.length / 2) + '02' + b);
}

const ORIGIN = attr(0x40, 1, '00');
const AS_PATH = attr(0x40, 2, '0202 0000fde9 0000fdea');
const NEXT_HOP = attr(0x40, 3, 'c0000201');
const MED = attr(0x80, 4, '00000064');
const COMMUNITIES = attr(0xc0, 8, 'fde80001 ffffff01');
const BASIC = ORIGIN + AS_PATH + NEXT_HOP;

t.test('a typical announcement: exact bytes, decoded value, round trip', async (t) => {
  const b = body('', BASIC + MED + COMMUNITIES, '18c63364 100a08 200a000001');
  const msg = decodeUpdate(hex(b), ctx);
  t.same(msg, {
    type: 2,
    withdrawn: [],
    attributes: [
      { kind: 'origin', flags: 0x40, origin: 0 },
      { kind: 'as-path', flags: 0x40, segments: [{ type: 2, asns: [65001, 65002] }] },
      { kind: 'next-hop', flags: 0x40, nextHop: '192.0.2.1' },
      { kind: 'multi-exit-disc', flags: 0x80, med: 100 },
      { kind: 'communities', flags: 0xc0, communities: [0xfde80001, 0xffffff01] },
    ],
    nlri: [
      { afi: 1, address: '198.51.100.0', length: 24 },
      { afi: 1, address: '10.8.0.0', length: 16 },
      { afi: 1, address: '10.0.0.1', length: 32 },
    ],
  });
  t.notOk('endOfRib' in msg || 'issues' in msg || 'action' in msg, 'no optional fields on a clean UPDATE');
  t.equal(toHex(encodeUpdate(msg, ctx)), b);
});

t.test('decoding a body that is a view into a whole message', async (t) => {
  const b = body('080a', BASIC, '18c63364');
  const m = message(b);
  const msg = decodeUpdate(m.subarray(19), ctx);
  t.same(msg.withdrawn, [{ afi: 1, address: '10.0.0.0', length: 8 }]);
  t.same(msg.nlri, [{ afi: 1, address: '198.51.100.0', length: 24 }]);
  t.equal(toHex(encodeUpdate(msg, ctx)), b);
  // Fields located within the whole message, for the streaming path.
  const f = updateFields(m, 19);
  t.same(f, { withdrawnStart: 21, withdrawnEnd: 23, attributesStart: 25, attributesEnd: 25 + BASIC.length / 2, nlriStart: 25 + BASIC.length / 2, nlriEnd: m.length });
  const seen: number[] = [];
  t.equal(forEachPrefix(m, f.nlriStart, f.nlriEnd, 1, false, (a, len) => seen.push(a, len)), 1);
  t.same(seen, [0xc6336400, 24]);
  m[m.length - 1] = 0;
  t.equal(msg.nlri[0]?.address, '198.51.100.0', 'decoded values do not alias the input');
});

t.test('withdrawal only', async (t) => {
  const b = body('18c63364 080a', '', '');
  const msg = decodeUpdate(hex(b), ctx);
  t.same(msg, {
    type: 2,
    withdrawn: [
      { afi: 1, address: '198.51.100.0', length: 24 },
      { afi: 1, address: '10.0.0.0', length: 8 },
    ],
    attributes: [],
    nlri: [],
  });
  t.equal(toHex(encodeUpdate(msg, ctx)), b);
});

t.test('2-octet AS context', async (t) => {
  const b = body('', ORIGIN + attr(0x40, 2, '0202 fde9 5ba0') + NEXT_HOP + attr(0xc0, 17, '0202 0000fde9 fa56ea00') + attr(0xc0, 7, '5ba0 c0000201') + attr(0xc0, 18, 'fa56ea00 c0000201'), '18c63364');
  const msg = decodeUpdate(hex(b), ctx2);
  t.equal(msg.issues, undefined);
  t.same(findAttribute(msg, 'as-path')?.segments, [{ type: 2, asns: [65001, 23456] }]);
  t.same(findAttribute(msg, 'as4-path')?.segments, [{ type: 2, asns: [65001, 4200000000] }]);
  t.same(findAttribute(msg, 'aggregator'), { kind: 'aggregator', flags: 0xc0, asn: 23456, address: '192.0.2.1' });
  t.equal(findAttribute(msg, 'as4-aggregator')?.asn, 4200000000);
  t.equal(toHex(encodeUpdate(msg, ctx2)), b);
  // The same octets under a 4-octet context: the AS_PATH no longer parses → treat-as-withdraw.
  t.equal(decodeUpdate(hex(b), ctx).action, 'treat-as-withdraw');
});

t.test('ADD-PATH for IPv4 unicast applies to both classic fields (RFC 7911 §3)', async (t) => {
  const b = body('00000002 18c63364', BASIC, '00000001 18c63364 00000003 100a08');
  const msg = decodeUpdate(hex(b), ctxAddPath);
  t.same(msg.withdrawn, [{ afi: 1, address: '198.51.100.0', length: 24, pathId: 2 }]);
  t.same(msg.nlri, [
    { afi: 1, address: '198.51.100.0', length: 24, pathId: 1 },
    { afi: 1, address: '10.8.0.0', length: 16, pathId: 3 },
  ]);
  t.equal(toHex(encodeUpdate(msg, ctxAddPath)), b);
  t.throws(() => decodeUpdate(hex(body('', BASIC, '00000001 21')), ctxAddPath), { code: 3, subcode: 10 });
  t.throws(() => decodeUpdate(hex(body('', BASIC, '000000')), ctxAddPath), { code: 3, subcode: 10 }, 'truncated Path Identifier');
});

t.test('End-of-RIB markers (RFC 4724 §2)', async (t) => {
  const v4 = decodeUpdate(hex('00000000'), ctx);
  t.same(v4, { type: 2, withdrawn: [], attributes: [], nlri: [], endOfRib: { afi: 1, safi: 1 } });
  t.equal(toHex(encodeUpdate(v4, ctx)), '00000000');
  t.equal(toHex(encodeUpdate(endOfRibUpdate(1, 1), ctx)), '00000000');

  const v6wire = body('', attr(0x80, 15, '0002 01'), '');
  const v6 = decodeUpdate(hex(v6wire), ctx);
  t.same(v6.endOfRib, { afi: 2, safi: 1 });
  t.equal(toHex(encodeUpdate(v6, ctx)), v6wire);
  t.equal(toHex(encodeUpdate(endOfRibUpdate(2, 1), ctx)), v6wire);
  t.same(decodeUpdate(encodeUpdate(endOfRibUpdate(25, 70), ctx), ctx).endOfRib, { afi: 25, safi: 70 }, 'EVPN (opaque family)');
  t.same(decodeUpdate(encodeUpdate(endOfRibUpdate(1, 133), ctx), ctx).endOfRib, { afi: 1, safi: 133 }, 'FlowSpec');

  // Not markers:
  t.equal(decodeUpdate(hex(body('080a', '', '')), ctx).endOfRib, undefined, 'a withdrawal');
  t.equal(decodeUpdate(hex(body('', attr(0x80, 15, '0002 01 2020010db8'), '')), ctx).endOfRib, undefined, 'MP_UNREACH with routes');
  t.equal(decodeUpdate(hex(body('', attr(0x80, 15, '0001 85 0701180a0000'), '')), ctx).endOfRib, undefined, 'opaque MP_UNREACH with routes');
  t.equal(decodeUpdate(hex(body('', attr(0x80, 15, '0002 01') + attr(0xe0, 99, '00'), '')), ctx).endOfRib, undefined, 'MP_UNREACH and more');
});

t.test('IPv6 announcement and withdrawal through MP attributes', async (t) => {
  const reach = attr(0x80, 14, '0002 01 10 20010db8000000000000000000000001 00 2020010db8');
  const unreach = attr(0x80, 15, '0002 01 3020010db80001');
  const b = body('', reach + unreach + ORIGIN + AS_PATH, '');
  const msg = decodeUpdate(hex(b), ctx);
  t.equal(msg.issues, undefined, 'NEXT_HOP is not needed without classic NLRI (RFC 4760 §3)');
  t.same(announcedPrefixes(msg), [{ afi: 2, address: '2001:db8::', length: 32 }]);
  t.same(withdrawnPrefixes(msg), [{ afi: 2, address: '2001:db8:1::', length: 48 }]);
  t.equal(toHex(encodeUpdate(msg, ctx)), b);
});

t.test('announcedPrefixes / withdrawnPrefixes / findAttribute', async (t) => {
  const b = body('080a', attr(0x80, 14, '0001 01 04 c0000201 00 18cb0071') + BASIC + attr(0x80, 15, '0001 01 18cb0072'), '18c63364');
  const msg = decodeUpdate(hex(b), ctx);
  t.same(announcedPrefixes(msg).map((p) => `${p.address}/${p.length}`), ['198.51.100.0/24', '203.0.113.0/24']);
  t.same(withdrawnPrefixes(msg).map((p) => `${p.address}/${p.length}`), ['10.0.0.0/8', '203.0.114.0/24']);
  t.equal(findAttribute(msg, 'next-hop')?.nextHop, '192.0.2.1');
  t.equal(findAttribute(msg, 'local-pref'), undefined);
  t.equal(findAttribute(msg, 'mp-reach-nlri')?.nextHop[0], '192.0.2.1');
});

t.test('RFC 4271 §6.3: length fields overrunning the message → Malformed Attribute List', async (t) => {
  t.throws(() => decodeUpdate(hex('0005 0a 0000'), ctx), { code: 3, subcode: 1, data: new Uint8Array(0) }, 'withdrawn length');
  t.throws(() => decodeUpdate(hex('0001 0a 00'), ctx), { code: 3, subcode: 1 }, 'no room for the attribute length');
  t.throws(() => decodeUpdate(hex('0000 0010 40010100'), ctx), { code: 3, subcode: 1 }, 'attribute length');
  t.throws(() => decodeUpdate(hex('0000 00'), ctx), { code: 1, subcode: 2, data: hex('0016') }, 'body of 3 octets: Bad Message Length 22');
  t.throws(() => decodeUpdate(new Uint8Array(0), ctx), { code: 1, subcode: 2 });
  t.throws(() => updateFields(hex('00000000'), 0, 5), { code: 3, subcode: 1 }, 'a range past the buffer is reported, not read');
});

t.test('encoding: size limits (RFC 4271 §4.1, RFC 8654)', async (t) => {
  t.equal(maxUpdateBodyLength(ctx), 4096 - 19);
  t.equal(maxUpdateBodyLength({ extendedMessage: true }), 65535 - 19);
  const nlri = Array.from({ length: 1100 }, (_, i) => ({ afi: 1 as const, address: `10.${i >> 8}.${i & 255}.0`, length: 24 }));
  const attrs: PathAttribute[] = [
    { kind: 'origin', origin: 0 },
    { kind: 'as-path', segments: [] },
    { kind: 'next-hop', nextHop: '192.0.2.1' },
  ];
  const big: UpdateMessage = { type: 2, withdrawn: [], attributes: attrs, nlri };
  t.throws(() => encodeUpdate(big, ctx), RangeError);
  const out = encodeUpdate(big, { ...ctx, extendedMessage: true });
  t.equal(out.length, 4 + 4 + 3 + 7 + 1100 * 4);
  t.same(decodeUpdate(out, ctx).nlri, nlri, 'the decoder does not limit sizes (the framer does)');
  // Exactly 4096 octets with the header: 4 + 14 octets of attributes + 1014 × /24 (4 octets) + one /16 (3 octets).
  const exact: UpdateMessage = { ...big, nlri: [...nlri.slice(0, 1014), { afi: 1, address: '172.16.0.0', length: 16 }] };
  t.equal(encodeUpdate(exact, ctx).length, 4096 - 19);
  t.throws(() => encodeUpdate({ ...exact, nlri: [...exact.nlri, { afi: 1, address: '0.0.0.0', length: 0 }] }, ctx), RangeError, 'one octet more');
  t.equal(toHex(assembleUpdate(hex('080a'), hex(ORIGIN), hex('18c63364'), ctx)), body('080a', ORIGIN, '18c63364'));
});

t.test('encoding ignores decode-only fields', async (t) => {
  const msg: UpdateMessage = {
    type: 2,
    withdrawn: [],
    attributes: [],
    nlri: [],
    endOfRib: { afi: 2, safi: 1 },
    action: 'treat-as-withdraw',
    issues: [],
  };
  t.equal(toHex(encodeUpdate(msg, ctx)), '00000000');
});
