// MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760) with RFC 2545 and RFC 8950 next hops, RFC 7911 ADD-PATH, opaque
// families, and the session reset RFC 7606 §7.11 / §5.3 call for when they do not parse.
import t from 'tap';
import { mpReachNlri, mpUnreachNlri, isDecodedFamily } from '../../lib/wire/mp-nlri.js';
import { decodeAttributes, encodeAttribute } from '../../lib/wire/attributes.js';
import { AttributeFault } from '../../lib/wire/attr-codec.js';
import { familyKey } from '../../lib/wire/constants.js';
import type { CodecContext, MpReachNlriAttribute, MpUnreachNlriAttribute, PathAttribute } from '../../lib/wire/types.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ctx: CodecContext = { fourOctetAs: true, addPath: new Set(), extendedMessage: false };
const ctxAddPath6: CodecContext = { ...ctx, addPath: new Set([familyKey(2, 1)]) };

/** One attribute: flags, type, length (2 octets when Extended Length), value. */
function attr(flags: number, type: number, value: string): string {
  const v = value.replace(/\s+/g, '');
  const len = v.length / 2;
  const l = flags & 0x10 ? len.toString(16).padStart(4, '0') : len.toString(16).padStart(2, '0');
  return flags.toString(16).padStart(2, '0') + type.toString(16).padStart(2, '0') + l + v;
}

function decodeOne(wire: string, c: CodecContext = ctx): PathAttribute {
  const b = hex(wire);
  const d = decodeAttributes(b, 0, b.length, c);
  if (d.issues !== undefined) throw new Error(`unexpected issues: ${d.issues.map((i) => i.error.message).join('; ')}`);
  return d.attributes[0] as PathAttribute;
}

const GLOBAL = '20010db8000000000000000000000001';
const LINK_LOCAL = 'fe80000000000000021122fffe334455';

t.test('IPv6 unicast with a global next hop', async (t) => {
  const wire = attr(0x80, 14, `0002 01 10 ${GLOBAL} 00 40 20010db800010002 30 20010db80003`);
  const a = decodeOne(wire);
  t.same(a, {
    kind: 'mp-reach-nlri',
    flags: 0x80,
    afi: 2,
    safi: 1,
    nextHop: ['2001:db8::1'],
    nlri: [
      { afi: 2, address: '2001:db8:1:2::', length: 64 },
      { afi: 2, address: '2001:db8:3::', length: 48 },
    ],
  });
  t.equal(toHex(encodeAttribute(a, ctx)), wire);
  t.equal(toHex(encodeAttribute({ ...(a as MpReachNlriAttribute), flags: undefined } as unknown as PathAttribute, ctx)), wire, 'default flags 0x80');
});

t.test('RFC 2545 §3: global and link-local next hops (32 octets)', async (t) => {
  const wire = attr(0x90, 14, `0002 01 20 ${GLOBAL}${LINK_LOCAL} 00 80 ${GLOBAL}`);
  const a = decodeOne(wire) as MpReachNlriAttribute;
  t.same(a.nextHop, ['2001:db8::1', 'fe80::211:22ff:fe33:4455']);
  t.equal(a.flags, 0x90, 'Extended Length kept');
  t.equal(toHex(encodeAttribute(a, ctx)), wire, 'Extended Length with a short value re-encodes the same');
});

t.test('IPv4 unicast in MP_REACH, and RFC 8950 IPv6 next hops for IPv4 NLRI', async (t) => {
  const v4 = attr(0x80, 14, '0001 01 04 c0000201 00 18c63364');
  const a = decodeOne(v4) as MpReachNlriAttribute;
  t.same(a.nextHop, ['192.0.2.1']);
  t.same(a.nlri, [{ afi: 1, address: '198.51.100.0', length: 24 }]);
  t.equal(toHex(encodeAttribute(a, ctx)), v4);
  const e16 = attr(0x80, 14, `0001 01 10 ${GLOBAL} 00 18c63364`);
  const b = decodeOne(e16) as MpReachNlriAttribute;
  t.same(b.nextHop, ['2001:db8::1']);
  t.same(b.nlri, [{ afi: 1, address: '198.51.100.0', length: 24 }]);
  t.equal(toHex(encodeAttribute(b, ctx)), e16);
  const e32 = attr(0x80, 14, `0001 02 20 ${GLOBAL}${LINK_LOCAL} 00 18c63364`);
  const c = decodeOne(e32) as MpReachNlriAttribute;
  t.same([c.safi, c.nextHop], [2, ['2001:db8::1', 'fe80::211:22ff:fe33:4455']], 'IPv4 multicast, 32-octet next hop');
  t.equal(toHex(encodeAttribute(c, ctx)), e32);
});

t.test('IPv4-mapped IPv6 next hop', async (t) => {
  const wire = attr(0x80, 14, `0002 01 10 00000000000000000000ffffc0000201 00 2020010db8`);
  const a = decodeOne(wire) as MpReachNlriAttribute;
  t.same(a.nextHop, ['::ffff:192.0.2.1']);
  t.equal(toHex(encodeAttribute(a, ctx)), wire);
});

t.test('a non-zero Reserved octet is kept', async (t) => {
  const wire = attr(0x80, 14, `0002 01 10 ${GLOBAL} 07 2020010db8`);
  const a = decodeOne(wire) as MpReachNlriAttribute;
  t.equal(a.reserved, 7);
  t.equal(toHex(encodeAttribute(a, ctx)), wire);
  const z = decodeOne(attr(0x80, 14, `0002 01 10 ${GLOBAL} 00 2020010db8`)) as MpReachNlriAttribute;
  t.notOk('reserved' in z, 'zero is not recorded');
});

t.test('ADD-PATH per family (RFC 7911)', async (t) => {
  const wire = attr(0x80, 14, `0002 01 10 ${GLOBAL} 00 0000000a 40 20010db800010002`);
  const a = decodeOne(wire, ctxAddPath6) as MpReachNlriAttribute;
  t.same(a.nlri, [{ afi: 2, address: '2001:db8:1:2::', length: 64, pathId: 10 }]);
  t.equal(toHex(encodeAttribute(a, ctxAddPath6)), wire);
  const u = attr(0x80, 15, '0002 01 0000000b 40 20010db800010002');
  const w = decodeOne(u, ctxAddPath6) as MpUnreachNlriAttribute;
  t.same(w.withdrawn, [{ afi: 2, address: '2001:db8:1:2::', length: 64, pathId: 11 }]);
  t.equal(toHex(encodeAttribute(w, ctxAddPath6)), u);
  // ADD-PATH for IPv6 does not apply to IPv4 in MP_REACH.
  const v4 = decodeOne(attr(0x80, 14, '0001 01 04 c0000201 00 18c63364'), ctxAddPath6) as MpReachNlriAttribute;
  t.same(v4.nlri, [{ afi: 1, address: '198.51.100.0', length: 24 }]);
});

t.test('MP_UNREACH_NLRI: bytes both ways, empty (End-of-RIB form)', async (t) => {
  const wire = attr(0x80, 15, '0002 01 40 20010db800010002 00');
  const a = decodeOne(wire) as MpUnreachNlriAttribute;
  t.same(a, {
    kind: 'mp-unreach-nlri',
    flags: 0x80,
    afi: 2,
    safi: 1,
    withdrawn: [
      { afi: 2, address: '2001:db8:1:2::', length: 64 },
      { afi: 2, address: '::', length: 0 },
    ],
  });
  t.equal(toHex(encodeAttribute(a, ctx)), wire);
  const eor = decodeOne(attr(0x80, 15, '0002 01')) as MpUnreachNlriAttribute;
  t.same(eor.withdrawn, []);
  t.equal(toHex(encodeAttribute({ kind: 'mp-unreach-nlri', afi: 2, safi: 1, withdrawn: [] }, ctx)), '800f03000201');
});

t.test('other families stay opaque and re-encode byte for byte', async (t) => {
  const cases: [string, string][] = [
    // VPNv4 (RFC 4364): next hop = RD (8 zero octets) + IPv4; NLRI = labels + RD + prefix.
    ['vpnv4', attr(0x80, 14, '0001 80 0c 0000000000000000c0000201 00 70 000641 0000fde800000001 c63364')],
    // FlowSpec (RFC 8955): next hop length 0.
    ['flowspec', attr(0x90, 14, '0001 85 00 00 0701180a0000 0381 06')],
    // EVPN (RFC 7432) type 3 route.
    ['evpn', attr(0x80, 14, '0019 46 04 c0000201 00 0311 0000fde800000001 00000064 20 c0000201')],
    // Labelled unicast withdrawal (RFC 8277).
    ['labelled withdraw', attr(0x80, 15, '0001 04 38 800000 c63364')],
  ];
  for (const [name, wire] of cases) {
    const a = decodeOne(wire);
    t.equal(toHex(encodeAttribute(a, ctx)), wire, name);
    if (a.kind === 'mp-reach-nlri') {
      t.same([a.nextHop, a.nlri], [[], []], `${name}: nothing decoded`);
      t.ok(a.nextHopBytes instanceof Uint8Array && a.nlriBytes instanceof Uint8Array);
    } else if (a.kind === 'mp-unreach-nlri') {
      t.ok(a.withdrawnBytes instanceof Uint8Array && a.withdrawnBytes.length > 0);
    } else {
      t.fail(`${name}: kind ${a.kind}`);
    }
  }
  t.ok(isDecodedFamily(1, 1) && isDecodedFamily(2, 2));
  t.notOk(isDecodedFamily(1, 128) || isDecodedFamily(25, 70) || isDecodedFamily(3, 1));
});

t.test('malformed MP attributes reset the session with Optional Attribute Error (RFC 4760 §7, RFC 7606 §7.11, §5.3)', async (t) => {
  const cases: [string, string][] = [
    ['too short', attr(0x80, 14, '0002 01 00')],
    ['next hop overruns', attr(0x80, 14, '0002 01 20 20010db8')],
    ['no reserved octet', attr(0x80, 14, `0002 01 10 ${GLOBAL}`)],
    ['IPv6 next hop of 4 octets', attr(0x80, 14, '0002 01 04 c0000201 00')],
    ['IPv4 next hop of 8 octets', attr(0x80, 14, '0001 01 08 c0000201c0000202 00')],
    ['next hop of 0 octets', attr(0x80, 14, '0002 01 00 00 2020010db8')],
    ['NLRI length 129', attr(0x80, 14, `0002 01 10 ${GLOBAL} 00 81${GLOBAL}00`)],
    ['NLRI overrun', attr(0x80, 14, `0002 01 10 ${GLOBAL} 00 4020010db8`)],
    ['IPv4 NLRI length 33', attr(0x80, 14, '0001 01 04 c0000201 00 21c0000201ff')],
    ['unreach too short', attr(0x80, 15, '0002')],
    ['unreach overrun', attr(0x80, 15, '0002 01 4020010db8')],
    ['unreach ADD-PATH truncated', attr(0x80, 15, '0002 01 000000')],
  ];
  for (const [name, wire] of cases) {
    const b = hex(wire);
    const c = name.includes('ADD-PATH') ? ctxAddPath6 : ctx;
    t.throws(() => decodeAttributes(b, 0, b.length, c), { name: 'BgpError', code: 3, subcode: 9, data: b }, name);
  }
  // The descriptor itself reports a fault; the walker turns it into the NOTIFICATION.
  t.ok(mpReachNlri.decode(hex('000201'), 0, 3, 0x80, ctx) instanceof AttributeFault);
  t.ok(mpUnreachNlri.decode(hex('00'), 0, 1, 0x80, ctx) instanceof AttributeFault);
});

t.test('encoding: raw octets override, text next hops, errors', async (t) => {
  const a: MpReachNlriAttribute = {
    kind: 'mp-reach-nlri',
    afi: 2,
    safi: 1,
    nextHop: ['2001:db8::1', 'fe80::211:22ff:fe33:4455'],
    nlri: [{ afi: 2, address: '2001:db8::', length: 32 }],
  };
  t.equal(toHex(encodeAttribute(a, ctx)), attr(0x80, 14, `0002 01 20 ${GLOBAL}${LINK_LOCAL} 00 2020010db8`));
  t.equal(
    toHex(encodeAttribute({ ...a, nextHopBytes: hex('c0000201'), nlriBytes: hex('18c63364') }, ctx)),
    attr(0x80, 14, '0002 01 04 c0000201 00 18c63364'),
  );
  t.throws(() => encodeAttribute({ ...a, nextHop: ['nope'] }, ctx), TypeError);
  t.throws(() => encodeAttribute({ ...a, afi: 1, safi: 128 }, ctx), TypeError, 'an opaque family needs nlriBytes');
  t.throws(() => encodeAttribute({ ...a, afi: 70000, nlriBytes: new Uint8Array(0) }, ctx), RangeError);
  t.throws(() => encodeAttribute({ ...a, nextHopBytes: new Uint8Array(256) }, ctx), RangeError);
});
