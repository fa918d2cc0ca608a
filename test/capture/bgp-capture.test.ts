// End to end: synthetic captures in every container and link type → BGP messages, gaps and junk; the real
// fixture checked against tshark; robustness against truncated, mutated and random files.
import { readFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import { CaptureFormatError, readBgpCapture, type CaptureEvent } from '../../lib/capture/index.js';
import {
  FIN,
  PSH,
  PcapngWriter,
  TcpConversation,
  bgpMessage,
  concat,
  ethernet,
  keepalive,
  nullHeader,
  pcapFile,
  prng,
  sll,
  sll2,
  update,
} from '../helpers/pcap-writer.js';

const open = (): Uint8Array => bgpMessage(1, Uint8Array.of(4, 0xfd, 0xe8, 0, 90, 10, 0, 0, 1, 0));

/** A whole BGP session as IP packets, and the messages each direction sent, in order. */
function session(client: string, server: string): { packets: Uint8Array[]; sent: Map<string, Uint8Array[]> } {
  const c = new TcpConversation({ address: client, port: 40000 }, { address: server, port: 179 });
  const big = update(3000, 0x55);
  const batch = [update(20, 1), update(21, 2), keepalive(), update(22, 3)];
  const packets = [
    ...c.handshake(),
    c.segment('client', PSH, open()),
    c.segment('server', PSH, concat(open(), keepalive())),
    c.segment('client', PSH, keepalive()),
    c.segment('server', PSH, concat(...batch)), // many messages in one segment
    c.segment('client', PSH, big.subarray(0, 1000)), // one message over three segments
    c.segment('client', PSH, big.subarray(1000, 2000)),
    c.segment('client', PSH, concat(big.subarray(2000), keepalive())),
    c.segment('server', FIN),
    c.segment('client', FIN),
  ];
  // Endpoints are named in RFC 5952 text, whatever spelling the packets were built from.
  const canonical: Record<string, string> = { '2001:db8:0:0:1::2': '2001:db8::1:0:0:2' };
  const ep = (a: string, port: number): string => (a.includes(':') ? `[${canonical[a] ?? a}]:${port}` : `${a}:${port}`);
  const sent = new Map([
    [`${ep(client, 40000)}>${ep(server, 179)}`, [open(), keepalive(), big, keepalive()]],
    [`${ep(server, 179)}>${ep(client, 40000)}`, [open(), keepalive(), ...batch]],
  ]);
  return { packets, sent };
}

/** Wraps an IP packet for a link type. */
function frame(linkType: number, packet: Uint8Array, variant = 0): Uint8Array {
  const v6 = packet[0]! >> 4 === 6;
  const etherType = v6 ? 0x86dd : 0x0800;
  switch (linkType) {
    case 1:
      return variant === 0
        ? ethernet(etherType, packet)
        : ethernet(etherType, packet, [
            { tpid: 0x88a8, vid: 7 },
            { tpid: 0x8100, vid: 8 },
          ]);
    case 113:
      return sll(etherType, packet);
    case 276:
      return sll2(etherType, packet);
    case 0:
      return nullHeader(v6 ? 30 : 2, packet, variant === 0);
    case 108:
      return nullHeader(v6 ? 24 : 2, packet, false);
    default:
      return packet; // 101, 228, 229
  }
}

function messagesByStream(events: readonly CaptureEvent[]): Map<string, number[][]> {
  const out = new Map<string, number[][]>();
  for (const e of events) {
    if (e.kind !== 'message') continue;
    out.set(e.stream, [...(out.get(e.stream) ?? []), [...e.bytes]]);
  }
  return out;
}

function expectSession(t: Test, events: readonly CaptureEvent[], sent: Map<string, Uint8Array[]>, label: string): void {
  t.same(
    events.filter((e) => e.kind !== 'message').map((e) => e.kind),
    [],
    `${label}: no gaps or junk`,
  );
  const got = messagesByStream(events);
  t.same([...got.keys()].sort(), [...sent.keys()].sort(), `${label}: streams`);
  for (const [stream, messages] of sent) t.same(got.get(stream), messages.map((m) => [...m]), `${label}: ${stream}`);
}

const linkTypes = [1, 113, 276, 0, 108, 101];

t.test('every container, byte order and link type, IPv4 and IPv6', async (t) => {
  for (const [client, server] of [
    ['192.0.2.1', '192.0.2.2'],
    ['2001:db8::1', '2001:db8:0:0:1::2'],
  ] as const) {
    const { packets, sent } = session(client, server);
    for (const linkType of [...linkTypes, client.includes(':') ? 229 : 228]) {
      for (const variant of [0, 1]) {
        const records = packets.map((p, i) => ({
          data: frame(linkType, p, variant),
          timeNs: 1_700_000_000_000_000_000n + BigInt(i) * 1000n,
        }));
        const label = `${linkType}/${variant} ${client}`;
        for (const littleEndian of [true, false]) {
          for (const nanoseconds of [false, true]) {
            const file = pcapFile(records, { linkType, littleEndian, nanoseconds });
            const order = `${littleEndian ? 'LE' : 'BE'} ${nanoseconds ? 'ns' : 'us'}`;
            expectSession(t, [...readBgpCapture(file)], sent, `pcap ${order} ${label}`);
          }
          // Interface 0 is an unrelated link type: the packets are on interface 1.
          const writer = new PcapngWriter().section(littleEndian).interface({ linkType: 105 });
          writer.interface({ linkType, tsresol: 9 });
          records.forEach((r) => writer.enhancedPacket(1, r.timeNs, r.data));
          expectSession(t, [...readBgpCapture(writer.bytes())], sent, `pcapng ${littleEndian ? 'LE' : 'BE'} ${label}`);
        }
      }
    }
  }
});

t.test('event fields: endpoints, stream, frame of the completing packet, time', async (t) => {
  const { packets } = session('2001:db8::a', '2001:db8::b');
  const records = packets.map((p, i) => ({ data: p, timeNs: 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n }));
  const file = pcapFile(records, { linkType: 101, nanoseconds: true });
  const events = [...readBgpCapture(file)];
  const first = events[0];
  t.match(first, {
    kind: 'message',
    src: '[2001:db8::a]:40000',
    dst: '[2001:db8::b]:179',
    stream: '[2001:db8::a]:40000>[2001:db8::b]:179',
    frame: 4,
    timeNs: 1_700_000_000_003_000_000n,
  });
  t.ok(first && Math.abs(first.time - 1_700_000_000.003) < 1e-6);
  const big = events.find((e) => e.kind === 'message' && e.bytes.length === 3019);
  t.equal(big?.frame, 10, 'a message spanning segments is stamped with the segment that completed it');
  t.same(events.map((e) => e.frame), [...events.map((e) => e.frame)].sort((a, b) => a - b), 'capture order');
});

t.test('ports: 179 by default, or a configured list; other traffic is ignored', async (t) => {
  const c = new TcpConversation({ address: '10.0.0.1', port: 50000 }, { address: '10.0.0.2', port: 1179 });
  const packets = [...c.handshake(), c.segment('client', PSH, keepalive())];
  const web = new TcpConversation({ address: '10.0.0.1', port: 50001 }, { address: '10.0.0.3', port: 80 });
  packets.push(web.segment('client', PSH, keepalive()));
  packets.push(Uint8Array.of(0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2)); // UDP, no payload
  const file = pcapFile(packets.map((data) => ({ data })), { linkType: 101 });
  t.equal([...readBgpCapture(file)].length, 0);
  t.equal([...readBgpCapture(file, { ports: [1179] })].length, 1);
  t.equal([...readBgpCapture(file, { ports: [80, 1179] })].length, 2);
  const arp = pcapFile([{ data: ethernet(0x0806, new Uint8Array(28)) }], { linkType: 1 });
  t.same([...readBgpCapture(arp)], []);
});

t.test('reordered and retransmitted segments in a capture', async (t) => {
  const c = new TcpConversation({ address: '10.0.0.1', port: 40000 }, { address: '10.0.0.2', port: 179 });
  const messages = [update(100, 1), update(200, 2), update(300, 3)];
  const [syn] = c.handshake();
  const [s1, s2, s3] = messages.map((m) => c.segment('client', PSH, m));
  const packets = [syn!, s3!, s1!, s1!, s2!, s3!];
  const events = [...readBgpCapture(pcapFile(packets.map((data) => ({ data })), { linkType: 101 }))];
  t.same(events.map((e) => [e.kind, e.frame, e.kind === 'message' ? e.bytes[19] : 0]), [
    ['message', 3, 1],
    ['message', 5, 2],
    ['message', 5, 3],
  ]);
});

t.test('a lost segment: gap reported, partial message is junk, decoding resumes at the next marker', async (t) => {
  const c = new TcpConversation({ address: '10.0.0.1', port: 40000 }, { address: '10.0.0.2', port: 179 });
  const stream = concat(update(50, 1), update(60, 2), update(70, 3), keepalive());
  const packets = [...c.handshake().slice(0, 1)];
  for (let at = 0; at < stream.length; at += 40) packets.push(c.segment('client', PSH, stream.subarray(at, at + 40)));
  packets.splice(3, 1); // lose stream bytes 80..120, inside message 2 (69..148)
  const events = [...readBgpCapture(pcapFile(packets.map((data) => ({ data })), { linkType: 101 }))];
  t.same(
    events.map((e) => {
      if (e.kind === 'message') return `msg ${e.bytes.length}`;
      return e.kind === 'gap' ? `gap ${e.missing}` : `junk ${e.bytes.length} ${e.reason}`;
    }),
    [
      'msg 69', // stream bytes 0..69
      'junk 11 message cut short by a gap in the capture', // 69..80, the start of the 79-byte message 2
      'gap 40', // 80..120 never seen
      'junk 28 resynchronising after a gap in the capture', // 120..148, the rest of message 2
      'msg 89',
      'msg 19',
    ],
  );
});

t.test('a connection cut mid-message reports the leftover as junk', async (t) => {
  const c = new TcpConversation({ address: '10.0.0.1', port: 40000 }, { address: '10.0.0.2', port: 179 });
  const packets = [
    ...c.handshake(),
    c.segment('client', PSH, concat(keepalive(), update(10).subarray(0, 7))),
    c.segment('client', FIN),
  ];
  const events = [...readBgpCapture(pcapFile(packets.map((data) => ({ data })), { linkType: 101 }))];
  t.match(events, [{ kind: 'message' }, { kind: 'junk', reason: 'connection closed (FIN) mid-message', frame: 5 }]);
});

t.test('a capture cut short mid-packet yields what came before and no error', async (t) => {
  const { packets } = session('10.1.1.1', '10.1.1.2');
  const pcap = pcapFile(packets.map((p) => ({ data: ethernet(0x0800, p) })), { linkType: 1 });
  const writer = new PcapngWriter().section().interface({ linkType: 1 });
  packets.forEach((p) => writer.enhancedPacket(0, 0n, ethernet(0x0800, p)));
  for (const file of [pcap, writer.bytes()]) {
    const full = [...readBgpCapture(file)].filter((e) => e.kind === 'message').length;
    let previous = 0;
    for (let cut = 28; cut <= file.length; cut += 7) {
      const events = [...readBgpCapture(file.subarray(0, cut))];
      const messages = events.filter((e) => e.kind === 'message').length;
      t.ok(messages >= previous && messages <= full, `cut ${cut}: ${messages} messages`);
      previous = messages;
    }
  }
});

t.test('the seed fixture matches tshark, frame by frame', async (t) => {
  const pcap = readFileSync(new URL('../../fixtures/pcap/seed-announce-withdraw.pcap', import.meta.url));
  interface TsharkPacket {
    _source: { layers: { frame: { 'frame.number': string }; bgp?: unknown } };
  }
  const oraclePath = new URL('../../fixtures/pcap/seed-announce-withdraw.tshark.json', import.meta.url);
  const oracle = JSON.parse(readFileSync(oraclePath, 'utf8')) as TsharkPacket[];
  const expected: [number, number, number][] = [];
  for (const p of oracle) {
    const bgp = p._source.layers.bgp;
    if (bgp === undefined) continue;
    for (const m of (Array.isArray(bgp) ? bgp : [bgp]) as Record<string, string>[]) {
      expected.push([Number(p._source.layers.frame['frame.number']), Number(m['bgp.type']), Number(m['bgp.length'])]);
    }
  }
  const events = [...readBgpCapture(pcap)];
  t.same(events.filter((e) => e.kind !== 'message'), []);
  t.same(events.map((e) => (e.kind === 'message' ? [e.frame, e.bytes[18], e.bytes.length] : [])), expected);
  t.ok(expected.length > 0);
});

t.test('garbage never escapes as anything but events or CaptureFormatError', async (t) => {
  const random = prng(0x5eed);
  const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
  const consume = (file: Uint8Array): void => {
    try {
      for (const e of readBgpCapture(file)) {
        if (e.kind !== 'message' && e.kind !== 'gap' && e.kind !== 'junk') throw new Error('unknown event');
      }
    } catch (error) {
      if (!(error instanceof CaptureFormatError)) throw error;
    }
  };
  const { packets } = session('10.2.2.1', '10.2.2.2');
  const writer = new PcapngWriter().section().interface({ linkType: 1 });
  packets.forEach((p) => writer.enhancedPacket(0, 5n, ethernet(0x0800, p)));
  const seeds = [
    pcapFile(packets.map((p) => ({ data: ethernet(0x0800, p) })), { linkType: 1 }),
    pcapFile(packets.map((p) => ({ data: sll2(0x0800, p) })), { linkType: 276, littleEndian: false }),
    writer.bytes(),
  ];
  let runs = 0;
  t.doesNotThrow(() => {
    for (let i = 0; i < 300; i++) consume(bytes(Math.floor(random() * 2000))); // mostly unknown magic
    // A valid pcap file header, then random records; a valid SHB + IDB, then random blocks.
    for (let i = 0; i < 300; i++) consume(concat(seeds[0]!.subarray(0, 24), bytes(Math.floor(random() * 4000))));
    for (let i = 0; i < 300; i++) consume(concat(seeds[2]!.subarray(0, 48), bytes(Math.floor(random() * 4000))));
    for (let i = 0; i < 1500; i++) {
      const mutated = seeds[i % seeds.length]!.slice(0, Math.floor(random() * 1.2 * seeds[i % seeds.length]!.length));
      const flips = 1 + Math.floor(random() * 20);
      for (let f = 0; f < flips && mutated.length > 0; f++) {
        mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
      }
      consume(mutated);
      runs += 1;
    }
  });
  t.equal(runs, 1500);
});

t.test('100k messages read in reasonable time', async (t) => {
  const c = new TcpConversation({ address: '10.3.3.1', port: 40000 }, { address: '10.3.3.2', port: 179 });
  const records = c.handshake().map((data) => ({ data }));
  const perSegment = concat(...Array.from({ length: 20 }, (_, i) => update(40 + i)));
  for (let i = 0; i < 5000; i++) records.push({ data: c.segment('client', PSH, perSegment) });
  const file = pcapFile(records, { linkType: 101 });
  const started = process.hrtime.bigint();
  let messages = 0;
  for (const e of readBgpCapture(file)) if (e.kind === 'message') messages += 1;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  t.equal(messages, 100_000);
  t.ok(ms < 5000, `took ${ms.toFixed(0)} ms`);
});
