// Prefix codec (RFC 4271 §4.3, RFC 4760 §5, RFC 7911 §3) and its syntax check (RFC 7606 §5.3).
import t from 'tap';
import {
  checkPrefixes,
  decodePrefixes,
  encodePrefixes,
  forEachPrefix,
  formatPrefix,
  maskIPv4,
  parsePrefix,
  prefixEncodingLength,
  prefixKeyIPv4,
  tryDecodePrefixes,
  writePrefixIPv4,
} from '../../lib/wire/nlri.js';
import { BgpError } from '../../lib/wire/errors.js';
import type { Prefix } from '../../lib/wire/types.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

t.test('IPv4 prefixes: exact bytes both ways', async (t) => {
  const cases: [string, Prefix][] = [
    ['00', { afi: 1, address: '0.0.0.0', length: 0 }],
    ['080a', { afi: 1, address: '10.0.0.0', length: 8 }],
    ['100a08', { afi: 1, address: '10.8.0.0', length: 16 }],
    ['18c00002', { afi: 1, address: '192.0.2.0', length: 24 }],
    ['170a0103', { afi: 1, address: '10.1.3.0', length: 23 }], // host bit in the last octet kept as sent
    ['200a080001', { afi: 1, address: '10.8.0.1', length: 32 }],
    ['1980000080', { afi: 1, address: '128.0.0.128', length: 25 }],
  ];
  for (const [wire, p] of cases) {
    t.same(decodePrefixes(hex(wire), 0, wire.length / 2, 1, false), [p], `decode ${wire}`);
    t.equal(toHex(encodePrefixes([p], 1, false)), wire, `encode ${formatPrefix(p)}`);
    t.equal(prefixEncodingLength(p, false), wire.length / 2, `length of ${formatPrefix(p)}`);
  }
});

t.test('IPv6 prefixes: exact bytes both ways', async (t) => {
  const cases: [string, Prefix][] = [
    ['00', { afi: 2, address: '::', length: 0 }],
    ['2020010db8', { afi: 2, address: '2001:db8::', length: 32 }],
    ['4020010db800010002', { afi: 2, address: '2001:db8:1:2::', length: 64 }],
    ['8020010db8000000000000000000000001', { afi: 2, address: '2001:db8::1', length: 128 }],
    ['0cfe8f', { afi: 2, address: 'fe8f::', length: 12 }],
  ];
  for (const [wire, p] of cases) {
    t.same(decodePrefixes(hex(wire), 0, wire.length / 2, 2, false), [p], `decode ${wire}`);
    t.equal(toHex(encodePrefixes([p], 2, false)), wire, `encode ${formatPrefix(p)}`);
  }
});

t.test('ADD-PATH: a 4-octet Path Identifier before each prefix (RFC 7911 §3)', async (t) => {
  const wire = '00000001 18c00002 ffffffff 200a000001';
  const ps = decodePrefixes(hex(wire), 0, 17, 1, true);
  t.same(ps, [
    { afi: 1, address: '192.0.2.0', length: 24, pathId: 1 },
    { afi: 1, address: '10.0.0.1', length: 32, pathId: 0xffffffff },
  ]);
  t.equal(toHex(encodePrefixes(ps, 1, true)), wire.replace(/\s+/g, ''));
  t.equal(toHex(encodePrefixes([{ afi: 1, address: '10.0.0.0', length: 8 }], 1, true)), '00000000080a', 'pathId defaults to 0');
  t.equal(toHex(encodePrefixes([{ afi: 1, address: '10.0.0.0', length: 8, pathId: 7 }], 1, false)), '080a', 'no ADD-PATH: pathId not sent');
  // The same octets read without ADD-PATH are a different, still well-formed field or a malformed one, never a crash.
  t.type(checkPrefixes(hex(wire), 0, 17, 1, false), 'string');
});

t.test('decodePrefixes works on a range inside a larger buffer', async (t) => {
  const buf = hex('ffff 18c00002 080a ffff');
  t.same(decodePrefixes(buf, 2, 8, 1, false).map(formatPrefix), ['192.0.2.0/24', '10.0.0.0/8']);
  t.same(decodePrefixes(buf, 2, 2, 1, false), []);
});

t.test('RFC 7606 §5.3: syntactically incorrect fields → Invalid Network Field', async (t) => {
  const bad: [string, 1 | 2, boolean, RegExp][] = [
    ['21 0a000000 00', 1, false, /length 33 exceeds 32/],
    ['81 20010db8000000000000000000000001 00', 2, false, /length 129 exceeds 128/],
    ['18c000', 1, false, /overruns/],
    ['18c00002 18', 1, false, /overruns/],
    ['000001', 1, true, /truncated/],
    ['00000001 20 0a00', 1, true, /overruns/],
  ];
  for (const [wire, afi, addPath, re] of bad) {
    const buf = hex(wire);
    t.match(checkPrefixes(buf, 0, buf.length, afi, addPath), re, wire);
    t.throws(() => decodePrefixes(buf, 0, buf.length, afi, addPath), { name: 'BgpError', code: 3, subcode: 10, data: new Uint8Array(0) }, `decode ${wire}`);
    let called = 0;
    t.throws(() => forEachPrefix(buf, 0, buf.length, afi, addPath, () => called++), BgpError);
    t.equal(called, 0, 'forEachPrefix checks the whole field before calling back');
  }
  t.throws(() => decodePrefixes(hex('080a'), 0, 5, 1, false), BgpError, 'range beyond the buffer');
  t.match(tryDecodePrefixes(hex('18c000'), 0, 3, 1, false), /overruns/, 'tryDecodePrefixes returns the reason');
  t.match(tryDecodePrefixes(hex('080a'), 0, 5, 1, false), /outside/);
  t.same(tryDecodePrefixes(hex('080a'), 0, 2, 1, false), [{ afi: 1, address: '10.0.0.0', length: 8 }]);
  t.throws(() => forEachPrefix(hex('080a'), 1, 0, 1, false, () => {}), BgpError, 'inverted range');
});

t.test('forEachPrefix streams numbers and offsets without objects', async (t) => {
  const buf = hex('aa 18c00002 170a0103 00 200a080001');
  const seen: [number, number, number, number][] = [];
  const n = forEachPrefix(buf, 1, buf.length, 1, false, (v, len, id, off) => seen.push([v, len, id, off]));
  t.equal(n, 4);
  t.same(seen, [
    [0xc0000200, 24, 0, 2],
    [0x0a010300, 23, 0, 6],
    [0, 0, 0, 10],
    [0x0a080001, 32, 0, 11],
  ]);
  const v6 = hex('00000005 4020010db800010002');
  const got: [number, number, number, number][] = [];
  t.equal(forEachPrefix(v6, 0, v6.length, 2, true, (v, len, id, off) => got.push([v, len, id, off])), 1);
  t.same(got, [[5, 64, 5, 5]], 'IPv6: value is the offset of the address octets');
});

t.test('keys and masks', async (t) => {
  t.equal(prefixKeyIPv4(0xc0000200, 24), 24 * 2 ** 32 + 0xc0000200);
  t.not(prefixKeyIPv4(0, 0), prefixKeyIPv4(0, 1));
  t.equal(prefixKeyIPv4(0xffffffff, 32), 32 * 2 ** 32 + 0xffffffff, 'exact in a double');
  t.equal(maskIPv4(0x0a010301, 23), 0x0a010200);
  t.equal(maskIPv4(0xffffffff, 0), 0);
  t.equal(maskIPv4(0xffffffff, 32), 0xffffffff);
  t.equal(maskIPv4(0xffffffff, 1), 0x80000000);
});

t.test('writePrefixIPv4 matches writePrefix', async (t) => {
  const buf = new Uint8Array(16);
  let o = writePrefixIPv4(buf, 0, 0x0a080000, 16);
  o = writePrefixIPv4(buf, o, 0xc0000201, 32, 9);
  t.equal(toHex(buf.subarray(0, o)), '100a08' + '00000009' + '20c0000201');
});

t.test('parsePrefix / formatPrefix', async (t) => {
  t.same(parsePrefix('10.8.0.0/32'), { afi: 1, address: '10.8.0.0', length: 32 });
  t.same(parsePrefix('10.8.0.0/16'), { afi: 1, address: '10.8.0.0', length: 16 });
  t.same(parsePrefix('10.8.7.9/16'), { afi: 1, address: '10.8.0.0', length: 16 }, 'octets past the length cleared');
  t.same(parsePrefix('10.1.3.9/23'), { afi: 1, address: '10.1.3.0', length: 23 }, 'bits inside the last octet kept');
  t.same(parsePrefix('192.0.2.1'), { afi: 1, address: '192.0.2.1', length: 32 });
  t.same(parsePrefix('2001:DB8::/32'), { afi: 2, address: '2001:db8::', length: 32 });
  t.same(parsePrefix('2001:db8::1'), { afi: 2, address: '2001:db8::1', length: 128 });
  t.same(parsePrefix('10.0.0.0/8', 3), { afi: 1, address: '10.0.0.0', length: 8, pathId: 3 });
  for (const bad of ['10.0.0.0/33', '10.0.0/8', '2001:db8::/129', 'x/8', '10.0.0.0/', '10.0.0.0/-1', '', '1.2.3.4/8/8']) {
    t.throws(() => parsePrefix(bad), TypeError, bad);
  }
  t.equal(formatPrefix(parsePrefix('2001:db8::/48')), '2001:db8::/48');
  t.equal(formatPrefix({ afi: 1, address: '0.0.0.0', length: 0 }), '0.0.0.0/0');
});

t.test('encoding rejects values the caller built wrong', async (t) => {
  t.throws(() => encodePrefixes([{ afi: 2, address: '::', length: 0 }], 1, false), TypeError, 'AFI mismatch');
  t.throws(() => encodePrefixes([{ afi: 1, address: '10.0.0.0', length: 33 }], 1, false), RangeError);
  t.throws(() => encodePrefixes([{ afi: 1, address: '10.0.0', length: 8 }], 1, false), TypeError);
  t.throws(() => encodePrefixes([{ afi: 1, address: '10.0.0.256', length: 8 }], 1, false), TypeError);
  t.throws(() => encodePrefixes([{ afi: 1, address: '10..0.0', length: 8 }], 1, false), TypeError);
  t.throws(() => encodePrefixes([{ afi: 2, address: '10.0.0.0', length: 8 }], 2, false), TypeError);
});

t.test('round trip of many random prefixes', async (t) => {
  let seed = 42;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
  const ps: Prefix[] = [];
  for (let i = 0; i < 500; i++) {
    const p = parsePrefix(`${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}/${Math.floor(rand() * 33)}`);
    ps.push({ ...p, pathId: Math.floor(rand() * 2 ** 32) });
  }
  const wire = encodePrefixes(ps, 1, true);
  t.same(decodePrefixes(wire, 0, wire.length, 1, true), ps);
  let n = 0;
  forEachPrefix(wire, 0, wire.length, 1, true, (addr, len, id) => {
    const p = ps[n++] as Prefix;
    if (formatPrefix({ afi: 1, address: `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`, length: len }) !== formatPrefix(p) || id !== p.pathId) {
      t.fail(`prefix ${n} differs`);
    }
  });
  t.equal(n, ps.length);
});
