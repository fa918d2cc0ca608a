// COMMUNITIES (RFC 1997), EXTENDED_COMMUNITIES (RFC 4360, RFC 5668), LARGE_COMMUNITY (RFC 8092): values and text.
import t from 'tap';
import {
  decodeCommunityValues,
  decodeExtendedCommunityValues,
  decodeLargeCommunityValues,
  encodeCommunityValues,
  encodeExtendedCommunityValues,
  encodeLargeCommunityValues,
  formatCommunity,
  formatExtendedCommunity,
  formatLargeCommunity,
  parseCommunity,
  parseExtendedCommunity,
  parseLargeCommunity,
} from '../../lib/wire/communities.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

t.test('standard communities: bytes both ways', async (t) => {
  const wire = 'fde80001 ffffff01 00000000 ffffffff';
  const values = [0xfde80001, 0xffffff01, 0, 0xffffffff];
  t.same(decodeCommunityValues(hex(wire), 0, 16), values);
  t.equal(toHex(encodeCommunityValues(values)), wire.replace(/\s+/g, ''));
  t.throws(() => encodeCommunityValues([2 ** 32]), RangeError);
  t.throws(() => encodeCommunityValues([1.5]), RangeError);
});

t.test('standard communities: RFC 7606 §7.8 lengths', async (t) => {
  t.match(decodeCommunityValues(new Uint8Array(0), 0, 0), /non-zero multiple of 4/);
  t.match(decodeCommunityValues(hex('fde80001ff'), 0, 5), /length 5/);
  t.match(decodeCommunityValues(hex('fde800'), 0, 3), /length 3/);
});

t.test('standard communities: text as FRR prints it', async (t) => {
  const cases: [number, string][] = [
    [0xfde80001, '65000:1'],
    [0x00010002, '1:2'],
    [0, 'internet'],
    [0xffffff01, 'no-export'],
    [0xffffff02, 'no-advertise'],
    [0xffffff03, 'local-AS'],
    [0xffffff04, 'no-peer'],
    [0xffff029a, 'blackhole'],
    [0xffff0000, 'graceful-shutdown'],
    [0xffff0001, 'accept-own'],
    [0xffff0006, 'llgr-stale'],
    [0xffff0007, 'no-llgr'],
    [0xffff0008, 'accept-own-nexthop'],
    [0xffff0002, 'route-filter-translated-v4'],
    [0xffff0005, 'route-filter-v6'],
    [0xffffffff, '65535:65535'],
  ];
  for (const [value, text] of cases) {
    t.equal(formatCommunity(value), text);
    t.equal(parseCommunity(text), value, `parse ${text}`);
  }
  t.equal(parseCommunity('NO-EXPORT'), 0xffffff01, 'names are case-insensitive');
  t.equal(parseCommunity('no-export-subconfed'), 0xffffff03);
  t.equal(parseCommunity(' 65000:1 '), 0xfde80001);
  t.equal(parseCommunity('4259840001'), 0xfde80001, 'a plain 32-bit number');
  for (const bad of ['65536:1', '1:65536', '1:2:3', 'no-such', '', '-1:1', '4294967296', '1:']) {
    t.throws(() => parseCommunity(bad), TypeError, bad);
  }
});

t.test('extended communities: bytes both ways', async (t) => {
  const wire = '0002fde800000064 000300010000002a 0102c000020100 07 0202fa56ea000001';
  const b = hex(wire);
  const values = decodeExtendedCommunityValues(b, 0, b.length);
  if (typeof values === 'string') throw new Error(values);
  t.equal(values.length, 4);
  t.equal(toHex(encodeExtendedCommunityValues(values)), toHex(b));
  b[0] = 0x99;
  t.equal((values[0] as Uint8Array)[0], 0x00, 'decoded values are copies, not views');
  t.match(decodeExtendedCommunityValues(new Uint8Array(0), 0, 0), /non-zero multiple of 8/);
  t.match(decodeExtendedCommunityValues(new Uint8Array(12), 0, 12), /length 12/);
  t.throws(() => encodeExtendedCommunityValues([new Uint8Array(7)]), RangeError);
});

t.test('extended communities: text', async (t) => {
  const cases: [string, string, string][] = [
    ['0002fde800000064', 'rt 65000:100', 'RT:65000:100'],
    ['0003fde800000064', 'soo 65000:100', 'SoO:65000:100'],
    ['0102c000020100 07'.replace(' ', ''), 'rt 192.0.2.1:7', 'RT:192.0.2.1:7'],
    ['0103c00002010007', 'soo 192.0.2.1:7', 'SoO:192.0.2.1:7'],
    ['0202fa56ea000001', 'rt 4200000000:1', 'RT:4200000000:1'],
    ['0002ffffffffffff', 'rt 65535:4294967295', 'RT:65535:4294967295'],
  ];
  for (const [wire, routeMap, display] of cases) {
    t.equal(formatExtendedCommunity(hex(wire)), routeMap);
    t.equal(formatExtendedCommunity(hex(wire), 'display'), display);
    t.equal(toHex(parseExtendedCommunity(routeMap)), wire, `parse ${routeMap}`);
    t.equal(toHex(parseExtendedCommunity(display)), wire, `parse ${display}`);
  }
  // Anything else: its octets in hex, read back the same.
  t.equal(formatExtendedCommunity(hex('030c000000000008')), '0x030c000000000008');
  t.equal(toHex(parseExtendedCommunity('0x030c000000000008')), '030c000000000008');
  t.equal(formatExtendedCommunity(hex('4004fde849989680')), '0x4004fde849989680', 'link bandwidth (non-transitive) in hex');
  t.equal(formatExtendedCommunity(hex('0004fde800000064')), '0x0004fde800000064', 'other sub-type');
  for (const bad of ['rt 65536:4294967296', 'rt 4294967296:1', 'rt 192.0.2.1:65536', 'rt 1.2.3:4', 'xx 1:2', '0x01', 'rt 65000']) {
    t.throws(() => parseExtendedCommunity(bad), TypeError, bad);
  }
  t.equal(toHex(parseExtendedCommunity('rt 65536:100')), '0202000100000064', 'a 4-octet ASN picks type 0x02 (RFC 5668)');
});

t.test('large communities: bytes and text', async (t) => {
  const wire = '0000fde8 00000001 00000002 ffffffff ffffffff ffffffff';
  const b = hex(wire);
  const values = decodeLargeCommunityValues(b, 0, b.length);
  t.same(values, [
    [65000, 1, 2],
    [0xffffffff, 0xffffffff, 0xffffffff],
  ]);
  if (typeof values === 'string') throw new Error(values);
  t.equal(toHex(encodeLargeCommunityValues(values)), toHex(b));
  t.match(decodeLargeCommunityValues(new Uint8Array(0), 0, 0), /non-zero multiple of 12/);
  t.match(decodeLargeCommunityValues(new Uint8Array(13), 0, 13), /length 13/);
  t.throws(() => encodeLargeCommunityValues([[1, 2, 2 ** 32]]), RangeError);
  t.equal(formatLargeCommunity([65000, 1, 2]), '65000:1:2');
  t.same(parseLargeCommunity('65000:1:2'), [65000, 1, 2]);
  t.same(parseLargeCommunity('4294967295:0:4294967295'), [4294967295, 0, 4294967295]);
  for (const bad of ['65000:1', '1:2:3:4', '4294967296:1:1', 'a:b:c']) t.throws(() => parseLargeCommunity(bad), TypeError, bad);
});
