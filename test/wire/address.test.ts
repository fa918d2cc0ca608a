import t from 'tap';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6, ipv4ToNumber, numberToIPv4, ipv4Bytes } from '../../lib/wire/address.js';

t.test('IPv4 text and octets', async (t) => {
  t.equal(formatIPv4(Uint8Array.of(10, 8, 0, 255)), '10.8.0.255');
  t.same(parseIPv4('192.168.3.1'), Uint8Array.of(192, 168, 3, 1));
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.x', '', '01234.1.1.1']) {
    t.equal(parseIPv4(bad), undefined, `rejects ${JSON.stringify(bad)}`);
  }
  t.equal(ipv4ToNumber(Uint8Array.of(255, 255, 255, 255)), 0xffffffff);
  t.equal(numberToIPv4(0x0a080001), '10.8.0.1');
  t.throws(() => ipv4Bytes('nope', 'nextHop'), TypeError);
});

t.test('IPv6 formatting follows RFC 5952', async (t) => {
  const cases: [string, string][] = [
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:0db8:0000:0001:0001:0001:0001:0001', '2001:db8:0:1:1:1:1:1'], // §4.2.2: one zero group is not compressed
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'], // §4.2.3: first of equal runs
    ['0000:0000:0000:0000:0000:0000:0000:0000', '::'],
    ['fe80:0000:0000:0000:0000:0000:0000:0001', 'fe80::1'],
    ['0000:0000:0000:0000:0000:ffff:0a08:0001', '::ffff:10.8.0.1'],
    ['2001:0db8:0000:0000:0000:0000:0001:0000', '2001:db8::1:0'],
  ];
  for (const [full, text] of cases) {
    const bytes = Uint8Array.from(Buffer.from(full.replace(/:/g, ''), 'hex'));
    t.equal(formatIPv6(bytes), text, full);
    t.same(parseIPv6(text), bytes, `parses ${text}`);
  }
  t.same(parseIPv6('::ffff:10.8.0.1'), Uint8Array.from(Buffer.from('00000000000000000000ffff0a080001', 'hex')));
  t.same(parseIPv6('fe80::1%eth0'), parseIPv6('fe80::1'), 'zone index ignored');
  for (const bad of ['1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', 'g::', ':::']) {
    t.equal(parseIPv6(bad), undefined, `rejects ${bad}`);
  }
});
