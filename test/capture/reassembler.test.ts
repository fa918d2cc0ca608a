// TCP reassembly: ISN from SYN or first segment, out-of-order, retransmits, overlaps (first-seen wins),
// 32-bit wraparound, holes given up on (end of capture, ACK, buffer limits, time), FIN/RST, reused 4-tuples.
import t from 'tap';
import { TcpReassembler, type StreamEvent, type TcpSegment } from '../../lib/capture/index.js';
import { ACK, FIN, PSH, RST, SYN } from '../helpers/pcap-writer.js';

const A = '192.0.2.1:40000';
const B = '192.0.2.2:179';
const AB = `${A}>${B}`;
const BA = `${B}>${A}`;

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function seg(
  src: string,
  dst: string,
  seq: number,
  flags: number,
  payload = '',
  extra: Partial<TcpSegment> = {},
): TcpSegment {
  return { src, dst, seq: seq >>> 0, ack: 0, flags, payload: text(payload), time: 1000, ...extra };
}

function feed(r: TcpReassembler, segments: readonly TcpSegment[], finish = true): StreamEvent[] {
  const events = segments.flatMap((s) => r.push(s));
  return finish ? [...events, ...r.finish()] : events;
}

/** A compact transcript of one stream's events: data as text, gaps as "<gap N>", ends as "<end reason>". */
function transcript(events: readonly StreamEvent[], stream = AB): string {
  return events
    .filter((e) => e.stream === stream)
    .map((e) => {
      if (e.kind === 'data') return new TextDecoder().decode(e.bytes);
      return e.kind === 'gap' ? `<gap ${e.missing}>` : `<end ${e.reason}>`;
    })
    .join('');
}

t.test('SYN sets the initial sequence number; in-order data flows through as views', async (t) => {
  const r = new TcpReassembler();
  const first = seg(A, B, 1000, SYN);
  const data = seg(A, B, 1001, ACK | PSH, 'hello');
  const events = feed(r, [first, data, seg(A, B, 1006, ACK, ' world')]);
  t.equal(transcript(events), 'hello world<end capture-end>');
  const delivered = events.find((e) => e.kind === 'data');
  t.equal(delivered?.kind === 'data' && delivered.bytes.buffer, data.payload.buffer, 'no copy');
  t.same([...new Set(events.map((e) => [e.src, e.dst].join(' ')))], [`${A} ${B}`]);
});

t.test('without a SYN, the first data segment starts the stream; pure ACKs do not', async (t) => {
  const r = new TcpReassembler();
  const events = feed(r, [
    seg(A, B, 4999, ACK), // e.g. a keepalive probe at SND.NXT-1
    seg(A, B, 5000, ACK, 'abc'),
    seg(A, B, 4990, ACK, '0123456789'), // before the start: treated as a retransmission
    seg(A, B, 5003, ACK, 'def'),
  ]);
  t.equal(transcript(events), 'abcdef<end capture-end>');
});

t.test('out-of-order segments are buffered until the hole fills', async (t) => {
  const r = new TcpReassembler();
  r.push(seg(A, B, 0, SYN));
  t.same(r.push(seg(A, B, 7, ACK, 'ghi')), [], 'third segment first: held');
  t.same(r.push(seg(A, B, 4, ACK, 'def')), [], 'second: still held');
  t.equal(transcript(r.push(seg(A, B, 1, ACK, 'abc'))), 'abcdefghi', 'first arrives: all released');
});

t.test('retransmits and duplicates are dropped', async (t) => {
  const r = new TcpReassembler();
  const events = feed(r, [
    seg(A, B, 0, SYN),
    seg(A, B, 1, ACK, 'abc'),
    seg(A, B, 1, ACK, 'abc'),
    seg(A, B, 7, ACK, 'ghi'),
    seg(A, B, 7, ACK, 'ghi'),
    seg(A, B, 4, ACK, 'def'),
    seg(A, B, 1, ACK, 'abcdefghi'),
    seg(A, B, 0, SYN), // retransmitted SYN, same ISN
    seg(A, B, 10, ACK, 'j'),
  ]);
  t.equal(transcript(events), 'abcdefghij<end capture-end>');
});

t.test('overlapping segments: the first-seen bytes win, delivered or buffered', async (t) => {
  const r = new TcpReassembler();
  const events = feed(r, [
    seg(A, B, 0, SYN),
    seg(A, B, 1, ACK, 'aaaaaaaaaa'), // [1,11) delivered
    seg(A, B, 6, ACK, 'bbbbbbbbbb'), // [6,16): only [11,16) is new
    seg(A, B, 26, ACK, 'xxxxxxxxxx'), // [26,36) buffered
    seg(A, B, 21, ACK, 'yyyyyyyyyyyyyyyyyyyy'), // [21,41): fills [21,26) and [36,41) only
    seg(A, B, 16, ACK, 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz'), // [16,52): fills [16,21) and [41,52)
  ]);
  t.equal(transcript(events), 'aaaaaaaaaabbbbbzzzzzyyyyyxxxxxxxxxxyyyyyzzzzzzzzzzz<end capture-end>');
});

t.test('an in-order segment spanning buffered data keeps the buffered (first-seen) bytes', async (t) => {
  const r = new TcpReassembler();
  const events = feed(r, [seg(A, B, 0, SYN), seg(A, B, 4, ACK, 'XX'), seg(A, B, 1, ACK, 'abcdefgh')]);
  t.equal(transcript(events), 'abcXXfgh<end capture-end>');
});

t.test('32-bit sequence wraparound, in order and out of order', async (t) => {
  const isn = 0xfffffffa;
  const r = new TcpReassembler();
  const events = feed(r, [
    seg(A, B, isn, SYN),
    seg(A, B, isn + 1, ACK, 'abc'), // 0xfffffffb..0xfffffffd
    seg(A, B, isn + 10, ACK, 'jkl'), // wrapped: 4..6, out of order
    seg(A, B, isn + 4, ACK, 'def'), // 0xfffffffe, 0xffffffff, 0
    seg(A, B, isn + 7, ACK, 'ghi'), // 1..3
    seg(A, B, isn + 1, ACK, 'abc'), // old retransmit across the wrap
    seg(A, B, isn + 13, FIN | ACK),
  ]);
  t.equal(transcript(events), 'abcdefghijkl<end fin>');
});

t.test('a hole never filled is skipped at the end of the capture', async (t) => {
  const r = new TcpReassembler();
  const events = feed(r, [
    seg(A, B, 0, SYN),
    seg(A, B, 1, ACK, 'abc'),
    seg(A, B, 9, ACK, 'ijk'),
    seg(A, B, 12, ACK, 'l'),
  ]);
  t.equal(transcript(events), 'abc<gap 5>ijkl<end capture-end>');
});

t.test('a hole the receiver acknowledges is skipped at once', async (t) => {
  const r = new TcpReassembler();
  const handshake = [seg(A, B, 0, SYN), seg(B, A, 500, SYN | ACK, '', { ack: 1 })];
  const before = feed(r, [...handshake, seg(A, B, 1, ACK, 'abc'), seg(A, B, 9, ACK, 'ijk')], false);
  t.equal(transcript(before), 'abc');
  // B acknowledges up to 12: it received 4..8, which the capture missed and which will never be retransmitted.
  const after = r.push(seg(B, A, 501, ACK, '', { ack: 12 }));
  t.equal(transcript(after), '<gap 5>ijk');
  t.equal(transcript(r.push(seg(A, B, 12, ACK, 'lm'))), 'lm');
});

t.test('an ACK inside the hole skips only the acknowledged part', async (t) => {
  const r = new TcpReassembler();
  feed(r, [seg(A, B, 0, SYN), seg(B, A, 0, SYN | ACK, '', { ack: 1 }), seg(A, B, 11, ACK, 'k')], false);
  t.equal(transcript(r.push(seg(B, A, 1, ACK, '', { ack: 4 }))), '<gap 3>');
  t.equal(transcript(r.push(seg(A, B, 4, ACK, 'defghij'))), 'defghijk', 'the rest of the hole still fills');
});

t.test('an ACK seen before the data it covers does not invent a gap while nothing is buffered', async (t) => {
  const r = new TcpReassembler();
  const events = feed(r, [
    seg(A, B, 0, SYN),
    seg(B, A, 0, SYN | ACK, '', { ack: 4 }),
    seg(A, B, 1, ACK, 'abc'),
    seg(A, B, 4, ACK, 'd'),
  ]);
  t.equal(transcript(events), 'abcd<end capture-end>');
});

t.test('buffer limits: too many bytes or segments behind a hole skip it', async (t) => {
  const bytes = new TcpReassembler({ maxBufferedBytes: 10 });
  const events = feed(bytes, [seg(A, B, 0, SYN), seg(A, B, 3, ACK, 'cdefgh'), seg(A, B, 9, ACK, 'ijklm')], false);
  t.equal(transcript(events), '<gap 2>cdefghijklm');
  const segments = new TcpReassembler({ maxBufferedSegments: 2 });
  const holes = [seg(A, B, 0, SYN), seg(A, B, 3, ACK, 'c'), seg(A, B, 5, ACK, 'e'), seg(A, B, 7, ACK, 'g')];
  const more = feed(segments, holes, false);
  t.equal(transcript(more), '<gap 2>c', 'the oldest hole goes first; later holes keep waiting');
  t.equal(transcript(segments.push(seg(A, B, 4, ACK, 'd'))), 'de');
});

t.test('a hole open longer than the wait window is skipped', async (t) => {
  const r = new TcpReassembler({ maxHoleWaitSeconds: 5 });
  feed(r, [seg(A, B, 0, SYN, '', { time: 100 }), seg(A, B, 3, ACK, 'cd', { time: 100 })], false);
  t.equal(transcript(r.push(seg(B, A, 0, SYN, '', { time: 104 }))), '', 'within the window');
  // Any BGP packet advances the clock: here one on another connection.
  const other = r.push(seg('192.0.2.9:179', '192.0.2.8:5000', 0, SYN, '', { time: 106 }));
  t.equal(transcript(other), '<gap 2>cd');
});

t.test('FIN ends the stream once everything before it is delivered', async (t) => {
  const r = new TcpReassembler();
  const segments = [
    seg(A, B, 0, SYN),
    seg(A, B, 4, FIN | ACK, 'def'),
    seg(A, B, 1, ACK, 'abc'),
    seg(A, B, 8, ACK, 'late'),
  ];
  const events = feed(r, segments, false);
  t.equal(transcript(events), 'abcdef<end fin>', 'out-of-order FIN waits; data after FIN is ignored');
  t.equal(transcript(r.finish()), '', 'nothing left at the end of capture');
});

t.test('RST ends the stream, releasing buffered data past its holes', async (t) => {
  const r = new TcpReassembler();
  const segments = [seg(A, B, 0, SYN), seg(A, B, 1, ACK, 'abc'), seg(A, B, 6, ACK, 'fg'), seg(A, B, 8, RST | ACK)];
  const events = feed(r, segments, false);
  t.equal(transcript(events), 'abc<gap 2>fg<end rst>');
  t.equal(transcript(r.push(seg(A, B, 8, ACK, 'zz'))), '', 'data after RST is ignored');
});

t.test('a new SYN on the same 4-tuple starts a new stream', async (t) => {
  const r = new TcpReassembler();
  const events = feed(r, [
    seg(A, B, 100, SYN),
    seg(A, B, 101, ACK, 'old'),
    seg(A, B, 110, ACK, 'buffered'),
    seg(A, B, 9000, SYN),
    seg(A, B, 9001, ACK, 'new'),
  ]);
  t.equal(transcript(events), 'old<gap 6>buffered<end reopened>new<end capture-end>');
  const closed = new TcpReassembler();
  const reused = [seg(A, B, 1, SYN), seg(A, B, 2, FIN | ACK, 'x'), seg(A, B, 50, SYN), seg(A, B, 51, ACK, 'y')];
  const reopened = feed(closed, reused);
  t.equal(transcript(reopened), 'x<end fin>y<end capture-end>');
});

t.test('directions are independent and a SYN carrying data (TFO) delivers it', async (t) => {
  const r = new TcpReassembler();
  const events = feed(r, [
    seg(A, B, 10, SYN, 'tfo'),
    seg(B, A, 77, SYN | ACK, '', { ack: 14 }),
    seg(B, A, 78, ACK | PSH, 'reply', { ack: 14 }),
  ]);
  t.equal(transcript(events, AB), 'tfo<end capture-end>');
  t.equal(transcript(events, BA), 'reply<end capture-end>');
});

t.test('a segment far ahead does not block in-order data, and memory stays bounded', async (t) => {
  const r = new TcpReassembler({ maxBufferedBytes: 1000 });
  const chunk = 'x'.repeat(100);
  const segments = [seg(A, B, 0, SYN), seg(A, B, 1_000_000, ACK, 'far')];
  for (let i = 0; i < 50; i++) segments.push(seg(A, B, 1 + i * 100, ACK, chunk));
  const events = feed(r, segments);
  t.equal(transcript(events), `${chunk.repeat(50)}<gap ${1_000_000 - 5001}>far<end capture-end>`);
});
