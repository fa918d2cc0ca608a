// IPv4/IPv6/TCP header decoding and RFC 5952 address text.
import t from 'tap';
import { decodeIp, decodeTcp, formatEndpoint, formatIPv6 } from '../../lib/capture/index.js';
import { addressBytes, ipv4, ipv6, tcp, ACK, PSH } from '../helpers/pcap-writer.js';

const payload = Uint8Array.of(9, 8, 7, 6, 5);

t.test('IPv4: addresses, protocol, payload bounded by Total Length (Ethernet padding dropped)', async (t) => {
  const packet = ipv4({ src: '10.0.0.1', dst: '172.30.1.2', payload, protocol: 6 });
  const padded = Uint8Array.of(...packet, 0, 0, 0, 0, 0, 0);
  const ip = decodeIp(padded);
  t.same(ip && { ...ip, payload: [...ip.payload] }, {
    version: 4,
    src: '10.0.0.1',
    dst: '172.30.1.2',
    protocol: 6,
    payload: [...payload],
  });
});

t.test('IPv4 options are skipped using the IHL', async (t) => {
  const packet = ipv4({ src: '1.2.3.4', dst: '5.6.7.8', payload, options: Uint8Array.of(0x94, 4, 0, 0, 1, 1, 1, 0) });
  t.same([...(decodeIp(packet)?.payload ?? [])], [...payload]);
});

t.test('IPv4 fragments are ignored, first or not; DF is fine', async (t) => {
  t.ok(decodeIp(ipv4({ src: '1.1.1.1', dst: '2.2.2.2', payload, fragment: 0x4000 })));
  t.ok(decodeIp(ipv4({ src: '1.1.1.1', dst: '2.2.2.2', payload, fragment: 0 })));
  const fragment = (word: number): Uint8Array => ipv4({ src: '1.1.1.1', dst: '2.2.2.2', payload, fragment: word });
  t.equal(decodeIp(fragment(0x2000)), undefined, 'first fragment (MF)');
  t.equal(decodeIp(fragment(0x0010)), undefined, 'last fragment');
  t.equal(decodeIp(fragment(0x2010)), undefined, 'middle fragment');
});

t.test('IPv4 length oddities', async (t) => {
  const tso = decodeIp(ipv4({ src: '1.1.1.1', dst: '2.2.2.2', payload, totalLength: 0 }));
  t.equal(tso?.payload.length, payload.length, 'Total Length 0 (TSO) means to the end of the frame');
  const short = ipv4({ src: '1.1.1.1', dst: '2.2.2.2', payload, totalLength: 19 });
  t.equal(decodeIp(short), undefined, 'Total Length shorter than the header');
  const snapped = ipv4({ src: '1.1.1.1', dst: '2.2.2.2', payload }).subarray(0, 22);
  t.equal(decodeIp(snapped)?.payload.length, 2, 'snapped packet keeps what was captured');
  const badIhl = ipv4({ src: '1.1.1.1', dst: '2.2.2.2', payload });
  badIhl[0] = 0x44;
  t.equal(decodeIp(badIhl), undefined, 'IHL below 5');
  badIhl[0] = 0x4f;
  t.equal(decodeIp(badIhl), undefined, 'IHL beyond the packet');
});

t.test('IPv6 with extension headers: hop-by-hop, routing, destination options, AH', async (t) => {
  const packet = ipv6({
    src: '2001:db8::1',
    dst: 'fe80::2',
    payload,
    extensions: [
      { type: 0, body: new Uint8Array(6) },
      { type: 43, body: new Uint8Array(22) },
      { type: 60, body: new Uint8Array(14) },
      { type: 51, body: new Uint8Array(22) },
    ],
  });
  const ip = decodeIp(packet);
  t.same(ip && { ...ip, payload: [...ip.payload] }, {
    version: 6,
    src: '2001:db8::1',
    dst: 'fe80::2',
    protocol: 6,
    payload: [...payload],
  });
});

t.test('IPv6 fragments, no-next-header, truncation', async (t) => {
  const fragment = ipv6({ src: '::1', dst: '::1', payload, extensions: [{ type: 44, body: new Uint8Array(6) }] });
  t.equal(decodeIp(fragment), undefined);
  t.equal(decodeIp(ipv6({ src: '::1', dst: '::1', payload, nextHeader: 59 }))?.protocol, 59);
  const hopByHop = ipv6({ src: '::1', dst: '::1', payload, extensions: [{ type: 0, body: new Uint8Array(14) }] });
  const cut = hopByHop.subarray(0, 46);
  t.equal(decodeIp(cut), undefined, 'extension header runs past the capture');
  t.equal(decodeIp(ipv6({ src: '::1', dst: '::1', payload }).subarray(0, 39)), undefined);
  const jumbo = ipv6({ src: '::1', dst: '::1', payload, payloadLength: 0 });
  t.equal(decodeIp(jumbo)?.payload.length, payload.length, 'Payload Length 0 means to the end of the frame');
  t.equal(decodeIp(new Uint8Array()), undefined);
  t.equal(decodeIp(Uint8Array.of(0x50)), undefined);
});

t.test('no input length makes the IP decoder throw', async (t) => {
  const v4 = ipv4({ src: '1.1.1.1', dst: '2.2.2.2', payload });
  const v6 = ipv6({ src: '::1', dst: '::2', payload, extensions: [{ type: 0, body: new Uint8Array(6) }] });
  for (const packet of [v4, v6]) {
    for (let n = 0; n <= packet.length; n++) t.doesNotThrow(() => decodeIp(packet.subarray(0, n)));
  }
});

t.test('RFC 5952 IPv6 text', async (t) => {
  const cases: [string, string][] = [
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // §4.2.3: first of equal runs.
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // §4.2.2: one zero group is not shortened.
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // §4.2.3: the longest run.
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['2001:DB8:AAAA:BBBB:CCCC:DDDD:EEEE:FFFF', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff'],
    ['0:0:0:0:0:ffff:c000:0201', '::ffff:192.0.2.1'], // §5: IPv4-mapped in mixed notation.
  ];
  for (const [input, expected] of cases) {
    const full = input
      .split(':')
      .map((g) => g.padStart(4, '0'))
      .join('');
    const bytes = Uint8Array.from(full.match(/../g) ?? [], (h) => parseInt(h, 16));
    t.equal(formatIPv6(bytes), expected, input);
  }
  t.equal(formatIPv6(Uint8Array.of(0, 0, ...addressBytes('2001:db8::5')), 2), '2001:db8::5', 'at an offset');
});

t.test('TCP header: ports, sequence numbers, flags, options skipped', async (t) => {
  const segment = tcp({
    srcPort: 179,
    dstPort: 40000,
    seq: 0xfffffff0,
    ack: 0x80000001,
    flags: ACK | PSH,
    payload,
    options: Uint8Array.of(1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2),
  });
  const header = decodeTcp(segment);
  t.same(header && { ...header, payload: [...header.payload] }, {
    srcPort: 179,
    dstPort: 40000,
    seq: 0xfffffff0,
    ack: 0x80000001,
    flags: ACK | PSH,
    payload: [...payload],
  });
  for (let n = 0; n < 32; n++) t.doesNotThrow(() => decodeTcp(segment.subarray(0, n)));
  t.equal(decodeTcp(segment.subarray(0, 19)), undefined);
  t.equal(decodeTcp(segment.subarray(0, 25)), undefined, 'Data Offset beyond the segment');
  const badOffset = segment.slice();
  badOffset[12] = 0x40;
  t.equal(decodeTcp(badOffset), undefined, 'Data Offset below 5');
});

t.test('endpoint text', async (t) => {
  t.equal(formatEndpoint(4, '192.0.2.1', 179), '192.0.2.1:179');
  t.equal(formatEndpoint(6, '2001:db8::1', 179), '[2001:db8::1]:179');
});
