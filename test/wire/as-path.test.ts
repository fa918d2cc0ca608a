// AS_PATH / AS4_PATH values (RFC 4271 §4.3, RFC 5065, RFC 6793), their RFC 7606 §7.2 checks, path length,
// RFC 6793 §4.2.3 reconciliation and FRR-style text.
import t from 'tap';
import {
  asPathLength,
  decodeAsPathSegments,
  encodeAsPathSegments,
  formatAsPath,
  needsAs4Path,
  parseAsPath,
  reconcileAs4Path,
  toAs4Path,
} from '../../lib/wire/as-path.js';
import type { AsPathSegment } from '../../lib/wire/types.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const SEQ = 2;
const SET = 1;
const CSEQ = 3;
const CSET = 4;

t.test('4-octet segments: exact bytes both ways, every segment type', async (t) => {
  const segments: AsPathSegment[] = [
    { type: CSEQ, asns: [64512] },
    { type: CSET, asns: [64513, 64514] },
    { type: SEQ, asns: [65001, 4200000000] },
    { type: SET, asns: [1, 2] },
  ];
  const wire = '0301 0000fc00' + '0402 0000fc01 0000fc02' + '0202 0000fde9 fa56ea00' + '0102 00000001 00000002';
  t.equal(toHex(encodeAsPathSegments(segments, 4)), wire.replace(/\s+/g, ''));
  const b = hex(wire);
  t.same(decodeAsPathSegments(b, 0, b.length, 4), segments);
});

t.test('2-octet segments, and AS_TRANS for ASNs that do not fit (RFC 6793 §4.2.2)', async (t) => {
  t.equal(toHex(encodeAsPathSegments([{ type: SEQ, asns: [65001, 65002] }], 2)), '0202fde9fdea');
  t.same(decodeAsPathSegments(hex('0202fde9fdea'), 0, 6, 2), [{ type: SEQ, asns: [65001, 65002] }]);
  t.equal(toHex(encodeAsPathSegments([{ type: SEQ, asns: [65001, 4200000000] }], 2)), '0202fde95ba0', '4200000000 → 23456');
  t.ok(needsAs4Path([{ type: SEQ, asns: [65001, 4200000000] }]));
  t.notOk(needsAs4Path([{ type: SEQ, asns: [65001, 65535] }]));
});

t.test('the same octets read with the wrong ASN size are malformed or different, never a crash', async (t) => {
  const four = encodeAsPathSegments([{ type: SEQ, asns: [65001, 65002, 65003] }], 4);
  t.type(decodeAsPathSegments(four, 0, four.length, 2), 'string');
  const two = encodeAsPathSegments([{ type: SEQ, asns: [1, 2] }], 2);
  t.type(decodeAsPathSegments(two, 0, two.length, 4), 'string');
});

t.test('empty AS_PATH is valid', async (t) => {
  t.same(decodeAsPathSegments(new Uint8Array(0), 0, 0, 4), []);
  t.equal(encodeAsPathSegments([], 4).length, 0);
});

t.test('RFC 7606 §7.2 malformations', async (t) => {
  const bad: [string, 2 | 4, RegExp][] = [
    ['0501 0001', 2, /unrecognized segment type 5/],
    ['0001 0001', 2, /unrecognized segment type 0/],
    ['0200', 2, /length zero/],
    ['0203 0001 0002', 2, /overruns/],
    ['0201 0001 02', 2, /1 octet left/],
    ['0201 00000001 0201', 4, /overruns/],
    ['02', 4, /1 octet left/],
  ];
  for (const [wire, size, re] of bad) {
    const b = hex(wire);
    t.match(decodeAsPathSegments(b, 0, b.length, size), re, wire);
  }
});

t.test('a segment over 255 ASNs is split on encoding', async (t) => {
  const asns = Array.from({ length: 300 }, (_, i) => i + 1);
  const wire = encodeAsPathSegments([{ type: SEQ, asns }], 4);
  t.equal(wire.length, 2 + 255 * 4 + 2 + 45 * 4);
  t.equal(wire[1], 255);
  t.equal(wire[2 + 255 * 4 + 1], 45);
  const back = decodeAsPathSegments(wire, 0, wire.length, 4);
  t.same(back, [
    { type: SEQ, asns: asns.slice(0, 255) },
    { type: SEQ, asns: asns.slice(255) },
  ]);
  t.equal(asPathLength(back as AsPathSegment[]), 300);
  t.throws(() => encodeAsPathSegments([{ type: SEQ, asns: [-1] }], 4), RangeError);
  t.throws(() => encodeAsPathSegments([{ type: SEQ, asns: [2 ** 32] }], 4), RangeError);
});

t.test('path length (RFC 4271 §9.1.2.2 a, RFC 5065 §5.3)', async (t) => {
  t.equal(asPathLength([]), 0);
  t.equal(asPathLength([{ type: SEQ, asns: [1, 2, 3] }]), 3);
  t.equal(asPathLength([{ type: SEQ, asns: [1, 2] }, { type: SET, asns: [3, 4, 5] }]), 3, 'an AS_SET counts 1');
  t.equal(asPathLength([{ type: CSEQ, asns: [7, 8] }, { type: CSET, asns: [9] }, { type: SEQ, asns: [1] }]), 1, 'confed segments count 0');
});

t.test('RFC 6793 §4.2.3: reconciling AS_PATH and AS4_PATH', async (t) => {
  const T = 23456;
  // An OLD speaker's path: 65001 AS_TRANS AS_TRANS 65004, with AS4_PATH for the last three.
  t.same(
    reconcileAs4Path([{ type: SEQ, asns: [65001, T, T, 65004] }], [{ type: SEQ, asns: [4200000001, 4200000002, 65004] }]),
    [{ type: SEQ, asns: [65001, 4200000001, 4200000002, 65004] }],
  );
  t.same(reconcileAs4Path([{ type: SEQ, asns: [1, 2] }], undefined), [{ type: SEQ, asns: [1, 2] }], 'no AS4_PATH');
  t.same(
    reconcileAs4Path([{ type: SEQ, asns: [1, 2] }], [{ type: SEQ, asns: [3, 4, 5] }]),
    [{ type: SEQ, asns: [1, 2] }],
    'AS4_PATH longer than AS_PATH: ignored',
  );
  t.same(
    reconcileAs4Path(
      [{ type: CSEQ, asns: [64512] }, { type: SEQ, asns: [65001, T] }, { type: SET, asns: [T, 7] }],
      [{ type: SEQ, asns: [4200000000] }, { type: SET, asns: [4200000009, 7] }],
    ),
    [{ type: CSEQ, asns: [64512] }, { type: SEQ, asns: [65001, 4200000000] }, { type: SET, asns: [4200000009, 7] }],
    'leading confed segment kept, an AS_SET counts 1',
  );
  t.same(
    reconcileAs4Path([{ type: SEQ, asns: [T] }], [{ type: CSEQ, asns: [9] }, { type: SEQ, asns: [4200000000] }]),
    [{ type: SEQ, asns: [4200000000] }],
    'confed segments in AS4_PATH are dropped (RFC 6793 §6)',
  );
  t.same(
    reconcileAs4Path([{ type: SEQ, asns: [1, T] }], [{ type: SET, asns: [4200000000] }]),
    [{ type: SEQ, asns: [1] }, { type: SET, asns: [4200000000] }],
  );
  t.same(toAs4Path([{ type: CSEQ, asns: [1] }, { type: SEQ, asns: [2] }, { type: CSET, asns: [3] }, { type: SET, asns: [4] }]), [
    { type: SEQ, asns: [2] },
    { type: SET, asns: [4] },
  ]);
});

t.test('FRR-style text', async (t) => {
  const segments: AsPathSegment[] = [
    { type: SEQ, asns: [65001, 65002] },
    { type: SET, asns: [65003, 65004] },
    { type: CSEQ, asns: [65005, 65006] },
    { type: CSET, asns: [65007, 65008] },
  ];
  const text = '65001 65002 {65003,65004} (65005 65006) [65007,65008]';
  t.equal(formatAsPath(segments), text);
  t.same(parseAsPath(text), segments);
  t.equal(formatAsPath([]), '');
  t.same(parseAsPath(''), []);
  t.same(parseAsPath('  1   2 {3} 4 '), [
    { type: SEQ, asns: [1, 2] },
    { type: SET, asns: [3] },
    { type: SEQ, asns: [4] },
  ]);
  t.equal(formatAsPath([{ type: 9, asns: [1] }]), '<9:1>', 'an unknown type stays visible');
  for (const bad of ['x', '{}', '1 }', '4294967296', '{1,a}']) t.throws(() => parseAsPath(bad), TypeError, bad);
});
