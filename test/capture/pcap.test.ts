// Classic pcap container: both byte orders, µs/ns magic, Kuznetzov records, FCS bits, truncation.
import t from 'tap';
import { CaptureFormatError, readPackets, parsePcapFileHeader } from '../../lib/capture/index.js';
import { pcapFile } from '../helpers/pcap-writer.js';

const frames = [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6, 7, 8), new Uint8Array(0)];
const stamps = [1_700_000_000_123_456_000n, 1_700_000_001_000_001_000n, 1_700_000_002_999_999_000n];
const records = frames.map((data, i) => ({ data, timeNs: stamps[i]! }));

for (const littleEndian of [true, false]) {
  for (const nanoseconds of [false, true]) {
    t.test(`pcap ${littleEndian ? 'LE' : 'BE'} ${nanoseconds ? 'ns' : 'µs'}`, async (t) => {
      const file = pcapFile(records, { linkType: 1, littleEndian, nanoseconds });
      const header = parsePcapFileHeader(file);
      t.same(header, {
        littleEndian,
        ticksPerSecond: nanoseconds ? 1e9 : 1e6,
        versionMajor: 2,
        versionMinor: 4,
        snapLength: 262144,
        linkType: 1,
        recordHeaderLength: 16,
      });
      const packets = [...readPackets(file)];
      t.equal(packets.length, 3);
      packets.forEach((p, i) => {
        t.equal(p.frame, i + 1);
        t.equal(p.linkType, 1);
        t.same([...p.data], [...frames[i]!]);
        t.equal(p.timeNs, stamps[i]);
        t.equal(p.originalLength, frames[i]!.length);
        t.ok(Math.abs(p.time - Number(stamps[i]!) / 1e9) < 1e-6, 'float time agrees with timeNs');
      });
    });
  }
}

t.test('nanosecond magic keeps nanoseconds', async (t) => {
  const record = { data: Uint8Array.of(0), timeNs: 1_700_000_000_123_456_789n };
  const file = pcapFile([record], { linkType: 1, nanoseconds: true });
  const [p] = [...readPackets(file)];
  t.equal(p?.timeNs, 1_700_000_000_123_456_789n);
  const micro = pcapFile([record], { linkType: 1 });
  t.equal([...readPackets(micro)][0]?.timeNs, 1_700_000_000_123_456_000n, 'µs file truncates to µs');
});

t.test('packet data is a view into the file, not a copy', async (t) => {
  const file = pcapFile(records, { linkType: 1 });
  const [p] = [...readPackets(file)];
  t.equal(p?.data.buffer, file.buffer);
});

t.test('Kuznetzov modified pcap (0xa1b2cd34, 24-byte record headers)', async (t) => {
  for (const littleEndian of [true, false]) {
    const file = pcapFile(records, { linkType: 113, littleEndian, kuznetzov: true });
    const packets = [...readPackets(file)];
    t.same(packets.map((p) => [...p.data]), frames.map((f) => [...f]));
    t.same(packets.map((p) => p.linkType), [113, 113, 113]);
  }
});

t.test('FCS bits in the LinkType word do not change the link type', async (t) => {
  const file = pcapFile(records, { linkType: 1, linkTypeFlags: 0x04000000 | (2 << 28) });
  t.equal(parsePcapFileHeader(file)?.linkType, 1);
  t.equal([...readPackets(file)][0]?.linkType, 1);
});

t.test('snapped packets report their wire length', async (t) => {
  const file = pcapFile([{ data: Uint8Array.of(1, 2), originalLength: 1500 }], { linkType: 1 });
  const [p] = [...readPackets(file)];
  t.equal(p?.data.length, 2);
  t.equal(p?.originalLength, 1500);
});

t.test('a file cut short mid-record ends quietly at every cut point', async (t) => {
  const file = pcapFile(records, { linkType: 1 });
  // Record boundaries: 24, 24+16+3=43, 43+16+5=64, 64+16=80.
  const expected = (cut: number): number => (cut >= 80 ? 3 : cut >= 64 ? 2 : cut >= 43 ? 1 : 0);
  for (let cut = 24; cut <= file.length; cut++) {
    const packets = [...readPackets(file.subarray(0, cut))];
    t.equal(packets.length, expected(cut), `cut at ${cut}`);
  }
});

t.test('unknown magic and truncated headers are CaptureFormatError', async (t) => {
  t.throws(() => readPackets(new Uint8Array(0)), CaptureFormatError);
  t.throws(() => readPackets(Uint8Array.of(0xd4, 0xc3)), CaptureFormatError);
  t.throws(() => readPackets(new TextEncoder().encode('hello, world, not a capture')), {
    name: 'CaptureFormatError',
    message: /unknown magic 0x68656c6c/,
  });
  const file = pcapFile(records, { linkType: 1 });
  for (let cut = 4; cut < 24; cut++) {
    t.throws(() => readPackets(file.subarray(0, cut)), CaptureFormatError, `header cut at ${cut}`);
  }
  t.doesNotThrow(() => [...readPackets(file.subarray(0, 24))], 'header alone is an empty capture');
});

t.test('works on a Uint8Array that is a window into a larger buffer', async (t) => {
  const file = pcapFile(records, { linkType: 1, littleEndian: false });
  const big = new Uint8Array(file.length + 13);
  big.set(file, 7);
  const packets = [...readPackets(big.subarray(7, 7 + file.length))];
  t.same(packets.map((p) => [...p.data]), frames.map((f) => [...f]));
});
