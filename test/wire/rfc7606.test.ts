// RFC 7606 (Revised Error Handling for BGP UPDATE Messages), one test per case, through decodeUpdate: what is thrown
// (session reset) and what is returned (issues, the strongest action, the attribute kept raw), with the RFC 4271 §6.3
// error each finding would have sent and its Data.
import t, { type Test } from 'tap';
import { decodeUpdate, encodeUpdate } from '../../lib/wire/update.js';
import type { CodecContext, UpdateMessage } from '../../lib/wire/types.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ctx: CodecContext = { fourOctetAs: true, addPath: new Set(), extendedMessage: false };
const ctx2: CodecContext = { ...ctx, fourOctetAs: false };

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

const ORIGIN = attr(0x40, 1, '00');
const AS_PATH = attr(0x40, 2, '0201 0000fde9');
const NEXT_HOP = attr(0x40, 3, 'c0000201');
const BASIC = ORIGIN + AS_PATH + NEXT_HOP;
const NLRI = '18c63364';
const MP_REACH = attr(0x80, 14, '0002 01 10 20010db8000000000000000000000001 00 2020010db8');

/**
 * Decodes and checks that the message still re-encodes byte for byte — except after a framing error (§4), where the
 * octets past the break are not an attribute and are not kept.
 */
function outcome(t: Test, b: string, c: CodecContext = ctx, framing = false): UpdateMessage {
  const msg = decodeUpdate(hex(b), c);
  if (!framing) t.equal(toHex(encodeUpdate(msg, c)), b, 're-encodes byte for byte');
  return msg;
}

t.test('§3 b: Withdrawn Routes Length / Total Attribute Length too large → session reset, Malformed Attribute List', async (t) => {
  t.throws(() => decodeUpdate(hex('0009 18c63364 0000'), ctx), { code: 3, subcode: 1 });
  t.throws(() => decodeUpdate(hex(`0000 00ff ${BASIC}`), ctx), { code: 3, subcode: 1 });
});

t.test('§3 c: Optional/Transitive bits in conflict → malformed, the attribute\'s approach', async (t) => {
  // ORIGIN sent as optional: treat-as-withdraw, Attribute Flags Error with the attribute as Data.
  const badOrigin = attr(0xc0, 1, '00');
  const m = outcome(t, body('', badOrigin + AS_PATH + NEXT_HOP, NLRI));
  t.equal(m.action, 'treat-as-withdraw');
  t.match(m.issues, [{ typeCode: 1, action: 'treat-as-withdraw', error: { code: 3, subcode: 4, data: hex(badOrigin) } }]);
  t.same(m.attributes[0], { kind: 'malformed', flags: 0xc0, typeCode: 1, value: hex('00') });
  t.same(m.nlri.length, 1, 'the NLRI are still there, to be withdrawn');
  // MED sent as well-known transitive.
  t.equal(outcome(t, body('', BASIC + attr(0x40, 4, '00000001'), NLRI)).action, 'treat-as-withdraw');
  // COMMUNITIES without Transitive.
  t.equal(outcome(t, body('', BASIC + attr(0x80, 8, '00010001'), NLRI)).action, 'treat-as-withdraw');
  // AGGREGATOR (§3 f) and AS4_AGGREGATOR (RFC 6793 §6) with wrong flags: attribute discard.
  t.equal(outcome(t, body('', BASIC + attr(0x80, 7, '0000fde9 c0000201'), NLRI)).action, 'attribute-discard');
  const basic2 = ORIGIN + attr(0x40, 2, '0201 5ba0') + NEXT_HOP;
  t.equal(outcome(t, body('', basic2 + attr(0x40, 18, '0000fde9 c0000201'), NLRI), ctx2).action, 'attribute-discard');
  // MP_REACH_NLRI with wrong flags: its routes cannot be trusted → session reset.
  const badMp = attr(0xc0, 14, '0002 01 10 20010db8000000000000000000000001 00 2020010db8');
  t.throws(() => decodeUpdate(hex(body('', badMp + ORIGIN + AS_PATH, '')), ctx), { code: 3, subcode: 4, data: hex(badMp) });
  // Partial, Extended Length and the unused bits are not part of the check.
  t.equal(outcome(t, body('', attr(0x6f, 1, '00') + AS_PATH + NEXT_HOP + attr(0xe0, 8, '00010001'), NLRI)).issues, undefined);
});

t.test('§3 d: a missing well-known mandatory attribute → treat-as-withdraw, Missing Well-known Attribute', async (t) => {
  for (const [missing, attrs] of [
    [1, AS_PATH + NEXT_HOP],
    [2, ORIGIN + NEXT_HOP],
    [3, ORIGIN + AS_PATH],
  ] as const) {
    const m = outcome(t, body('', attrs, NLRI));
    t.equal(m.action, 'treat-as-withdraw');
    t.match(m.issues, [{ typeCode: missing, action: 'treat-as-withdraw', error: { code: 3, subcode: 3, data: Uint8Array.of(missing) } }]);
  }
  const none = outcome(t, body('', '', NLRI));
  t.same(none.issues?.map((i) => i.typeCode), [1, 2, 3]);
  // RFC 4760 §3: with MP_REACH_NLRI only, NEXT_HOP is not needed, ORIGIN and AS_PATH are.
  t.equal(outcome(t, body('', MP_REACH + ORIGIN + AS_PATH, '')).issues, undefined);
  t.same(outcome(t, body('', MP_REACH + ORIGIN, '')).issues?.map((i) => i.typeCode), [2]);
  // Without announced routes nothing is mandatory.
  t.equal(outcome(t, body(NLRI, '', '')).issues, undefined);
  // A malformed ORIGIN is present, not missing.
  t.same(outcome(t, body('', attr(0x40, 1, '09') + AS_PATH + NEXT_HOP, NLRI)).issues?.map((i) => i.error.subcode), [6]);
});

t.test('§3 e: ORIGIN, AS_PATH, NEXT_HOP, MULTI_EXIT_DISC, LOCAL_PREF errors → treat-as-withdraw', async (t) => {
  const cases: [string, string, number][] = [
    ['ORIGIN', attr(0x40, 1, '0000') + AS_PATH + NEXT_HOP, 5],
    ['AS_PATH', ORIGIN + attr(0x40, 2, '0202 0000fde9') + NEXT_HOP, 11],
    ['NEXT_HOP', ORIGIN + AS_PATH + attr(0x40, 3, 'c00002'), 5],
    ['MULTI_EXIT_DISC', BASIC + attr(0x80, 4, '0001'), 5],
    ['LOCAL_PREF', BASIC + attr(0x40, 5, '000000000064'), 5],
  ];
  for (const [name, attrs, subcode] of cases) {
    const m = outcome(t, body('', attrs, NLRI));
    t.equal(m.action, 'treat-as-withdraw', name);
    t.equal(m.issues?.[0]?.error.subcode, subcode, `${name}: subcode ${subcode}`);
  }
});

t.test('§3 f: ATOMIC_AGGREGATE and AGGREGATOR errors → attribute discard', async (t) => {
  const atomic = attr(0x40, 6, '01');
  const m = outcome(t, body('', BASIC + atomic, NLRI));
  t.equal(m.action, 'attribute-discard');
  t.match(m.issues, [{ typeCode: 6, action: 'attribute-discard', error: { code: 3, subcode: 5, data: hex(atomic) } }]);
  t.equal(outcome(t, body('', BASIC + attr(0xc0, 7, '0000fde9c00002'), NLRI)).action, 'attribute-discard');
});

t.test('§3 g: MP_REACH_NLRI or MP_UNREACH_NLRI twice → session reset, Malformed Attribute List', async (t) => {
  t.throws(() => decodeUpdate(hex(body('', MP_REACH + MP_REACH + ORIGIN + AS_PATH, '')), ctx), { code: 3, subcode: 1 });
  const unreach = attr(0x80, 15, '0002 01 2020010db8');
  t.throws(() => decodeUpdate(hex(body('', unreach + unreach, '')), ctx), { code: 3, subcode: 1 });
});

t.test('§3 g: any other repeated attribute: all but the first discarded', async (t) => {
  const m = outcome(t, body('', BASIC + attr(0xc0, 8, '00010001') + attr(0x40, 1, '02') + attr(0xc0, 8, '00020002'), NLRI));
  t.equal(m.action, 'attribute-discard');
  t.same(
    m.issues?.map((i) => [i.typeCode, i.action, i.error.subcode]),
    [
      [1, 'attribute-discard', 1],
      [8, 'attribute-discard', 1],
    ],
  );
  t.same(m.attributes.map((a) => a.kind), ['origin', 'as-path', 'next-hop', 'communities', 'malformed', 'malformed']);
  t.same(m.attributes[0], { kind: 'origin', flags: 0x40, origin: 0 }, 'the first ORIGIN counts');
  // Unknown attributes too.
  const u = outcome(t, body('', BASIC + attr(0xc0, 99, '01') + attr(0xc0, 99, '02'), NLRI));
  t.same(u.issues?.map((i) => i.typeCode), [99]);
  // A repeated attribute whose first instance was malformed: first counts (malformed), second discarded.
  const mm = outcome(t, body('', BASIC + attr(0xc0, 8, '0001') + attr(0xc0, 8, '00010001'), NLRI));
  t.same(mm.issues?.map((i) => i.action), ['treat-as-withdraw', 'attribute-discard']);
  t.equal(mm.action, 'treat-as-withdraw');
});

t.test('§3 h: several errors → the strongest approach', async (t) => {
  const m = outcome(t, body('', BASIC + attr(0x40, 6, '01') + attr(0xc0, 8, '000100') + attr(0xc0, 7, '00'), NLRI));
  t.same(m.issues?.map((i) => i.action), ['attribute-discard', 'treat-as-withdraw', 'attribute-discard']);
  t.equal(m.action, 'treat-as-withdraw');
  // Session reset beats both: a bad MP_REACH_NLRI after other errors still throws.
  t.throws(() => decodeUpdate(hex(body('', attr(0x40, 6, '01') + attr(0x80, 14, '0002 01 04 c0000201 00') + BASIC, NLRI)), ctx), {
    code: 3,
    subcode: 9,
  });
});

t.test('§3 i and §5.3: Withdrawn Routes and NLRI fields syntactically incorrect → session reset, Invalid Network Field', async (t) => {
  t.throws(() => decodeUpdate(hex(body('21 0a000000 00', '', '')), ctx), { code: 3, subcode: 10, data: new Uint8Array(0) }, 'withdrawn length 33');
  t.throws(() => decodeUpdate(hex(body('18c633', '', '')), ctx), { code: 3, subcode: 10 }, 'withdrawn overrun');
  t.throws(() => decodeUpdate(hex(body('', BASIC, '21c6336400ff')), ctx), { code: 3, subcode: 10 }, 'NLRI length 33');
  t.throws(() => decodeUpdate(hex(body('', BASIC, '18c63364 18')), ctx), { code: 3, subcode: 10 }, 'NLRI trailing octet');
});

t.test('§3 j, §5.3, §7.11, §7.12: MP_REACH_NLRI / MP_UNREACH_NLRI that cannot be parsed → session reset, Optional Attribute Error', async (t) => {
  const badNh = attr(0x80, 14, '0002 01 04 c0000201 00 2020010db8');
  t.throws(() => decodeUpdate(hex(body('', badNh + ORIGIN + AS_PATH, '')), ctx), { code: 3, subcode: 9, data: hex(badNh) }, '§7.11 next hop length');
  const badNlri = attr(0x80, 14, '0002 01 10 20010db8000000000000000000000001 00 8120010db8');
  t.throws(() => decodeUpdate(hex(body('', badNlri + ORIGIN + AS_PATH, '')), ctx), { code: 3, subcode: 9, data: hex(badNlri) }, '§5.3 NLRI');
  const badUnreach = attr(0x80, 15, '0002 01 4020010db8');
  t.throws(() => decodeUpdate(hex(body('', badUnreach, '')), ctx), { code: 3, subcode: 9, data: hex(badUnreach) }, '§7.12');
});

t.test('§4 first case: an attribute overrunning the field → treat-as-withdraw, NLRI found from the total length', async (t) => {
  // COMMUNITIES claims 8 octets; 4 remain in the field. The NLRI after the field still decode.
  const attrs = BASIC + 'c00808 00010001';
  const m = outcome(t, body('', attrs, NLRI), ctx, true);
  t.equal(m.action, 'treat-as-withdraw');
  t.match(m.issues, [{ typeCode: 8, action: 'treat-as-withdraw', error: { code: 3, subcode: 5, data: hex('c00808 00010001') } }]);
  t.same(m.nlri, [{ afi: 1, address: '198.51.100.0', length: 24 }]);
  t.equal(m.attributes.length, 3, 'the overrunning attribute is not kept');
});

t.test('§4 first case with MP_REACH_NLRI / MP_UNREACH_NLRI overrunning (§3 j) → session reset', async (t) => {
  const cut = MP_REACH.slice(0, -4);
  t.throws(() => decodeUpdate(hex(body('', ORIGIN + AS_PATH + cut, '')), ctx), { code: 3, subcode: 5, data: hex(cut) });
  t.throws(() => decodeUpdate(hex(body('', '800f09 000201', '')), ctx), { code: 3, subcode: 5 });
});

t.test('§4 second case: too few octets left for an attribute header → treat-as-withdraw', async (t) => {
  for (const tail of ['40', '4001', '500101']) {
    const m = outcome(t, body('', BASIC + tail, NLRI), ctx, true);
    t.equal(m.action, 'treat-as-withdraw', tail);
    t.match(m.issues, [{ action: 'treat-as-withdraw', error: { code: 3, subcode: 1 } }]);
    t.equal(m.attributes.length, 3);
  }
});

t.test('§4: a zero attribute length is malformed except for AS_PATH and ATOMIC_AGGREGATE', async (t) => {
  t.equal(outcome(t, body('', BASIC + attr(0x40, 6, ''), NLRI)).issues, undefined, 'ATOMIC_AGGREGATE');
  t.equal(outcome(t, body('', ORIGIN + attr(0x40, 2, '') + NEXT_HOP, NLRI)).issues, undefined, 'AS_PATH');
  for (const [type, flags, action] of [
    [1, 0x40, 'treat-as-withdraw'],
    [3, 0x40, 'treat-as-withdraw'],
    [4, 0x80, 'treat-as-withdraw'],
    [5, 0x40, 'treat-as-withdraw'],
    [7, 0xc0, 'attribute-discard'],
    [8, 0xc0, 'treat-as-withdraw'],
    [9, 0x80, 'treat-as-withdraw'],
    [10, 0x80, 'treat-as-withdraw'],
    [16, 0xc0, 'treat-as-withdraw'],
    [17, 0xc0, 'attribute-discard'],
    [18, 0xc0, 'attribute-discard'],
    [32, 0xc0, 'treat-as-withdraw'],
    [35, 0xc0, 'treat-as-withdraw'],
  ] as const) {
    // ORIGIN and NEXT_HOP replace their well-formed instance (a second one would be a §3 g duplicate).
    const attrs =
      type === 1 ? AS_PATH + NEXT_HOP + attr(flags, 1, '') : type === 3 ? ORIGIN + AS_PATH + attr(flags, 3, '') : BASIC + attr(flags, type, '');
    t.equal(outcome(t, body('', attrs, NLRI)).action, action, `type ${type}`);
  }
});

t.test('§5.2: errors other than attribute-discard in an UPDATE without reachable NLRI → session reset', async (t) => {
  // A withdrawal carrying a malformed COMMUNITIES: the error it would have sent is thrown.
  const badComm = attr(0xc0, 8, '000100');
  t.throws(() => decodeUpdate(hex(body(NLRI, badComm, '')), ctx), { code: 3, subcode: 5, data: hex(badComm) });
  // Attributes but no NLRI at all.
  t.throws(() => decodeUpdate(hex(body('', attr(0x40, 1, '07'), '')), ctx), { code: 3, subcode: 6 });
  // Only attribute-discard: processed.
  const m = outcome(t, body(NLRI, attr(0x40, 6, '01'), ''));
  t.equal(m.action, 'attribute-discard');
  // Reachable routes in MP_REACH_NLRI count.
  t.equal(outcome(t, body('', MP_REACH + ORIGIN + AS_PATH + attr(0xc0, 8, '01'), '')).action, 'treat-as-withdraw');
});

t.test('§7.1 ORIGIN: length not 1 or an undefined value → treat-as-withdraw', async (t) => {
  const bad = attr(0x40, 1, '03');
  const m = outcome(t, body('', bad + AS_PATH + NEXT_HOP, NLRI));
  t.match(m.issues, [{ typeCode: 1, action: 'treat-as-withdraw', error: { code: 3, subcode: 6, data: hex(bad) } }]);
});

t.test('§7.2 AS_PATH: unrecognized segment type, overrun, single trailing octet, zero segment length → treat-as-withdraw', async (t) => {
  for (const v of ['0501 0000fde9', '0202 0000fde9', '0201 0000fde9 02', '0200', '0201 0000fde9 0200']) {
    const m = outcome(t, body('', ORIGIN + attr(0x40, 2, v) + NEXT_HOP, NLRI));
    t.match(m.issues, [{ typeCode: 2, action: 'treat-as-withdraw', error: { code: 3, subcode: 11, data: new Uint8Array(0) } }], v);
  }
  // 2-octet context: 4-octet ASNs do not fit.
  t.equal(outcome(t, body('', BASIC, NLRI), ctx2).action, 'treat-as-withdraw');
});

t.test('§7.3 NEXT_HOP: length not 4 → treat-as-withdraw; not a host address → Invalid NEXT_HOP', async (t) => {
  const m = outcome(t, body('', ORIGIN + AS_PATH + attr(0x40, 3, '20010db8000000000000000000000001'), NLRI));
  t.match(m.issues, [{ typeCode: 3, action: 'treat-as-withdraw', error: { code: 3, subcode: 5 } }]);
  const z = attr(0x40, 3, '00000000');
  t.match(outcome(t, body('', ORIGIN + AS_PATH + z, NLRI)).issues, [{ typeCode: 3, error: { code: 3, subcode: 8, data: hex(z) } }]);
});

t.test('§7.4 MULTI_EXIT_DISC and §7.5 LOCAL_PREF: length not 4 → treat-as-withdraw', async (t) => {
  t.match(outcome(t, body('', BASIC + attr(0x80, 4, '0000000001'), NLRI)).issues, [{ typeCode: 4, action: 'treat-as-withdraw' }]);
  t.match(outcome(t, body('', BASIC + attr(0x40, 5, '0064'), NLRI)).issues, [{ typeCode: 5, action: 'treat-as-withdraw' }]);
});

t.test('§7.6 ATOMIC_AGGREGATE: length not 0 → attribute discard', async (t) => {
  t.match(outcome(t, body('', BASIC + attr(0x40, 6, '00'), NLRI)).issues, [{ typeCode: 6, action: 'attribute-discard' }]);
});

t.test('§7.7 AGGREGATOR: length not 6 (2-octet AS) or 8 (4-octet AS) → attribute discard', async (t) => {
  const six = attr(0xc0, 7, 'fde9 c0000201');
  const eight = attr(0xc0, 7, '0000fde9 c0000201');
  t.equal(outcome(t, body('', BASIC + eight, NLRI)).issues, undefined);
  t.match(outcome(t, body('', BASIC + six, NLRI)).issues, [{ typeCode: 7, action: 'attribute-discard', error: { subcode: 5 } }]);
  const b2 = ORIGIN + attr(0x40, 2, '0201 fde9') + NEXT_HOP;
  t.equal(outcome(t, body('', b2 + six, NLRI), ctx2).issues, undefined);
  t.match(outcome(t, body('', b2 + eight, NLRI), ctx2).issues, [{ typeCode: 7, action: 'attribute-discard' }]);
});

t.test('§7.8 COMMUNITIES, §7.9 ORIGINATOR_ID, §7.10 CLUSTER_LIST, §7.14 EXTENDED_COMMUNITIES → treat-as-withdraw', async (t) => {
  for (const [type, flags, v] of [
    [8, 0xc0, '000100'],
    [9, 0x80, '0a00000100'],
    [10, 0x80, '0a0000'],
    [16, 0xc0, '0002fde8000000'],
  ] as const) {
    t.match(outcome(t, body('', BASIC + attr(flags, type, v), NLRI)).issues, [{ typeCode: type, action: 'treat-as-withdraw', error: { code: 3, subcode: 5 } }]);
  }
});

t.test('RFC 6793 §6: malformed AS4_PATH / AS4_AGGREGATOR → attribute discard', async (t) => {
  const b2 = ORIGIN + attr(0x40, 2, '0201 5ba0') + NEXT_HOP;
  t.match(outcome(t, body('', b2 + attr(0xc0, 17, '0202 0000fde9'), NLRI), ctx2).issues, [{ typeCode: 17, action: 'attribute-discard', error: { subcode: 9 } }]);
  t.match(outcome(t, body('', b2 + attr(0xc0, 18, '0000fde9'), NLRI), ctx2).issues, [{ typeCode: 18, action: 'attribute-discard', error: { subcode: 5 } }]);
});

t.test('RFC 8092 §6 LARGE_COMMUNITY and RFC 9234 §5 OTC: malformed → treat-as-withdraw', async (t) => {
  t.match(outcome(t, body('', BASIC + attr(0xc0, 32, '0000fde8 00000001'), NLRI)).issues, [{ typeCode: 32, action: 'treat-as-withdraw' }]);
  t.match(outcome(t, body('', BASIC + attr(0xc0, 35, '0000fde900'), NLRI)).issues, [{ typeCode: 35, action: 'treat-as-withdraw' }]);
});

t.test('RFC 7607 §2: AS number 0 in AS_PATH → treat-as-withdraw, in AGGREGATOR → attribute discard', async (t) => {
  t.match(outcome(t, body('', ORIGIN + attr(0x40, 2, '0202 0000fde9 00000000') + NEXT_HOP, NLRI)).issues, [{ typeCode: 2, action: 'treat-as-withdraw' }]);
  t.match(outcome(t, body('', BASIC + attr(0xc0, 7, '00000000 c0000201'), NLRI)).issues, [{ typeCode: 7, action: 'attribute-discard' }]);
});

t.test('RFC 4271 §6.3: an unrecognized well-known attribute → session reset with the attribute as Data', async (t) => {
  const unknown = attr(0x40, 99, 'abcd');
  t.throws(() => decodeUpdate(hex(body('', BASIC + unknown, NLRI)), ctx), { code: 3, subcode: 2, data: hex(unknown) });
  const ext = attr(0x50, 200, '');
  t.throws(() => decodeUpdate(hex(body('', ext, '')), ctx), { code: 3, subcode: 2, data: hex(ext) });
  // Unknown optional ones are kept, whatever their other bits.
  t.equal(outcome(t, body('', BASIC + attr(0x80, 99, 'abcd') + attr(0xf0, 98, ''), NLRI)).issues, undefined);
});
