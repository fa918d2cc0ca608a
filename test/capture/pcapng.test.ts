// pcapng container: SHB byte orders, IDB timestamp resolution/offset, EPB/SPB/obsolete PB, unknown blocks,
// multiple sections and interfaces, truncation.
import t from 'tap';
import { CaptureFormatError, readPackets } from '../../lib/capture/index.js';
import { PcapngWriter } from '../helpers/pcap-writer.js';

const data = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

for (const littleEndian of [true, false]) {
  t.test(`section in ${littleEndian ? 'little' : 'big'}-endian order, every packet block type`, async (t) => {
    const file = new PcapngWriter()
      .section(littleEndian)
      .interface({ linkType: 1 })
      .block(4, data(8, 0)) // Name Resolution Block: skipped.
      .enhancedPacket(0, 1_700_000_000_000_001n, data(5, 0xaa), 60)
      .simplePacket(data(7, 0xbb))
      .obsoletePacket(0, 1_700_000_000_500_000n, data(3, 0xcc))
      .block(0x12345678, data(12, 0xee)) // Unknown block type: skipped.
      .block(5, data(20, 0)) // Interface Statistics Block: skipped.
      .enhancedPacket(0, 1_700_000_001_000_000n, data(1, 0xdd))
      .bytes();
    const packets = [...readPackets(file)];
    t.same(
      packets.map((p) => [p.frame, p.linkType, p.data.length, p.data[0], p.originalLength]),
      [
        [1, 1, 5, 0xaa, 60],
        [2, 1, 7, 0xbb, 7],
        [3, 1, 3, 0xcc, 3],
        [4, 1, 1, 0xdd, 1],
      ],
    );
    t.equal(packets[0]?.timeNs, 1_700_000_000_000_001_000n, 'default resolution is microseconds');
    t.equal(packets[1]?.timeNs, 0n, 'SPB has no timestamp');
    t.equal(packets[2]?.timeNs, 1_700_000_000_500_000_000n);
    t.ok(Math.abs((packets[3]?.time ?? 0) - 1_700_000_001) < 1e-6);
  });
}

t.test('if_tsresol: powers of ten and of two; if_tsoffset', async (t) => {
  const file = new PcapngWriter()
    .section()
    .interface({ linkType: 1, tsresol: 9 })
    .interface({ linkType: 1, tsresol: 3 })
    .interface({ linkType: 1, tsresol: 12 })
    .interface({ linkType: 1, tsresol: 0x80 | 10 })
    .interface({ linkType: 1, tsresol: 6, tsoffset: 100n })
    .enhancedPacket(0, 1_700_000_000_123_456_789n, data(1, 0))
    .enhancedPacket(1, 1_700_000_000_123n, data(1, 1))
    .enhancedPacket(2, 12_345_678_901_234_567_890n, data(1, 2)) // picoseconds: ~1970-05-23
    .enhancedPacket(3, 3n * 1024n + 512n, data(1, 3))
    .enhancedPacket(4, 5_000_001n, data(1, 4))
    .bytes();
  const packets = [...readPackets(file)];
  t.same(
    packets.map((p) => p.timeNs),
    [1_700_000_000_123_456_789n, 1_700_000_000_123_000_000n, 12_345_678_901_234_567n, 3_500_000_000n, 105_000_001_000n],
  );
  t.same(packets.map((p) => p.interfaceId), [0, 1, 2, 3, 4]);
  t.equal(packets[3]?.time, 3.5);
});

t.test('multiple interfaces with different link types, and multiple sections in different byte orders', async (t) => {
  const file = new PcapngWriter()
    .section(true)
    .interface({ linkType: 1 })
    .interface({ linkType: 113 })
    .enhancedPacket(1, 1n, data(2, 1))
    .enhancedPacket(0, 2n, data(2, 2))
    .section(false) // New section: interfaces restart, byte order flips.
    .interface({ linkType: 276 })
    .enhancedPacket(0, 3n, data(2, 3))
    .enhancedPacket(1, 4n, data(2, 4)) // No interface 1 in this section: skipped, but still a frame.
    .section(true)
    .interface({ linkType: 101 })
    .enhancedPacket(0, 5n, data(2, 5))
    .bytes();
  const packets = [...readPackets(file)];
  t.same(
    packets.map((p) => [p.frame, p.linkType, p.data[0]]),
    [
      [1, 113, 1],
      [2, 1, 2],
      [3, 276, 3],
      [5, 101, 5],
    ],
  );
});

t.test('SPB captured length is bounded by the snap length', async (t) => {
  const file = new PcapngWriter().section().interface({ linkType: 1, snapLength: 4 }).simplePacket(data(10, 9)).bytes();
  const [p] = [...readPackets(file)];
  t.equal(p?.data.length, 4);
  t.equal(p?.originalLength, 10);
});

t.test('packets before any interface, and malformed packet blocks, are skipped', async (t) => {
  const file = new PcapngWriter()
    .section()
    .enhancedPacket(0, 1n, data(2, 1))
    .simplePacket(data(2, 2))
    .interface({ linkType: 1 })
    .block(6, data(8, 0)) // EPB too short for its fixed fields.
    .enhancedPacket(0, 1n, data(2, 3))
    .bytes();
  const packets = [...readPackets(file)];
  t.same(packets.map((p) => [p.frame, p.data[0]]), [[4, 3]]);
});

t.test('a file cut anywhere after the first SHB ends quietly with the whole blocks before the cut', async (t) => {
  const writer = new PcapngWriter().section().interface({ linkType: 1 });
  const shbAndIdb = writer.bytes().length;
  const file = writer.enhancedPacket(0, 1n, data(5, 1)).enhancedPacket(0, 2n, data(6, 2)).bytes();
  const epb1 = 32 + 8; // header 8 + fixed 20 + data padded to 8 + trailer 4
  for (let cut = 28; cut <= file.length; cut++) {
    const n = [...readPackets(file.subarray(0, cut))].length;
    const expected = cut >= file.length ? 2 : cut >= shbAndIdb + epb1 ? 1 : 0;
    t.equal(n, expected, `cut at ${cut}`);
  }
});

t.test('corrupt block lengths end the read', async (t) => {
  const file = new PcapngWriter().section().interface({ linkType: 1 }).enhancedPacket(0, 1n, data(4, 1)).bytes();
  const view = new DataView(file.buffer);
  const idbAt = 28;
  view.setUint32(idbAt + 4, 22, true); // Not a multiple of 4.
  t.same([...readPackets(file)], []);
  view.setUint32(idbAt + 4, 8, true); // Shorter than a block header.
  t.same([...readPackets(file)], []);
});

t.test('bad or truncated first section header is CaptureFormatError', async (t) => {
  const file = new PcapngWriter().section().interface({ linkType: 1 }).bytes();
  for (let cut = 4; cut < 28; cut++) {
    t.throws(() => readPackets(file.subarray(0, cut)), CaptureFormatError, `SHB cut at ${cut}`);
  }
  const badMagic = file.slice();
  badMagic[8] = 0;
  t.throws(() => readPackets(badMagic), { name: 'CaptureFormatError', message: /byte-order magic/ });
  const badLength = file.slice();
  new DataView(badLength.buffer).setUint32(4, 1000, true);
  t.throws(() => readPackets(badLength), CaptureFormatError);
});

t.test('a corrupt later section header ends the read', async (t) => {
  const writer = new PcapngWriter().section().interface({ linkType: 1 }).enhancedPacket(0, 1n, data(4, 1));
  const firstLength = writer.bytes().length;
  const file = writer.section(false).interface({ linkType: 1 }).enhancedPacket(0, 1n, data(4, 2)).bytes();
  file[firstLength + 8] = 0x99;
  t.same([...readPackets(file)].map((p) => p.data[0]), [1]);
});
