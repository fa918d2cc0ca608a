// BGP framing: many messages per chunk, one message over many chunks, bad marker/length resync, gaps, ends.
import t from 'tap';
import { BgpFramer, ByteQueue, type FramerOutput } from '../../lib/capture/index.js';
import { bgpMessage, concat, keepalive, update } from '../helpers/pcap-writer.js';

const summary = (outputs: readonly FramerOutput[]): string[] =>
  outputs.map((o) =>
    o.kind === 'message' ? `msg type=${o.bytes[18]} len=${o.bytes.length}` : `junk ${o.bytes.length}: ${o.reason}`,
  );
const MID_STREAM = 'stream does not start with a BGP marker (capture began mid-stream?)';

t.test('many messages in one chunk come out as views of it', async (t) => {
  const chunk = concat(keepalive(), update(30), bgpMessage(1, new Uint8Array(10)), keepalive());
  const out = new BgpFramer().push(chunk);
  t.same(summary(out), ['msg type=4 len=19', 'msg type=2 len=49', 'msg type=1 len=29', 'msg type=4 len=19']);
  t.ok(out.every((o) => o.bytes.buffer === chunk.buffer), 'no copies');
});

t.test('one message over many chunks (down to one byte each) is copied whole', async (t) => {
  const message = update(4000, 0x37);
  const framer = new BgpFramer();
  const outs: FramerOutput[] = [];
  for (let i = 0; i < message.length; i++) outs.push(...framer.push(message.subarray(i, i + 1)));
  t.equal(outs.length, 1);
  t.same(outs[0]?.bytes, message);
  t.not(outs[0]?.bytes.buffer, message.buffer);
});

t.test('messages split at every possible point', async (t) => {
  const stream = concat(keepalive(), update(25), keepalive());
  for (let cut = 0; cut <= stream.length; cut++) {
    const framer = new BgpFramer();
    const out = [...framer.push(stream.subarray(0, cut)), ...framer.push(stream.subarray(cut)), ...framer.end('end')];
    t.same(summary(out), ['msg type=4 len=19', 'msg type=2 len=44', 'msg type=4 len=19'], `cut ${cut}`);
  }
});

t.test('a stream that starts mid-message skips to the first marker', async (t) => {
  const stream = concat(update(40).subarray(25), keepalive(), update(5));
  const out = new BgpFramer().push(stream);
  t.same(summary(out), [
    `junk 34: ${MID_STREAM}`,
    'msg type=4 len=19',
    'msg type=2 len=24',
  ]);
});

t.test('bad marker and bad length resynchronise on the next marker', async (t) => {
  const badMarker = keepalive();
  badMarker[3] = 0;
  const badLength = bgpMessage(4);
  badLength[17] = 18;
  const framer = new BgpFramer();
  const out = [
    ...framer.push(keepalive()),
    ...framer.push(concat(badMarker, keepalive())),
    ...framer.push(concat(badLength, update(3))),
  ];
  t.same(summary(out), [
    'msg type=4 len=19',
    'junk 19: bad BGP marker',
    'msg type=4 len=19',
    'junk 19: bad BGP message length 18',
    'msg type=2 len=22',
  ]);
});

t.test('a run of more than 16 0xff bytes: the marker is its last 16', async (t) => {
  const out = new BgpFramer().push(concat(Uint8Array.of(1, 0xff, 0xff, 0xff), keepalive()));
  t.same(summary(out), [`junk 4: ${MID_STREAM}`, 'msg type=4 len=19']);
});

t.test('a marker split across chunks while resynchronising is still found', async (t) => {
  const stream = concat(Uint8Array.of(1, 2, 3, 4, 5), keepalive(), keepalive());
  for (let cut = 0; cut <= stream.length; cut++) {
    const framer = new BgpFramer();
    const out = [...framer.push(stream.subarray(0, cut)), ...framer.push(stream.subarray(cut)), ...framer.end('end')];
    t.same(summary(out).slice(-2), ['msg type=4 len=19', 'msg type=4 len=19'], `cut ${cut}`);
    const junk = out.filter((o) => o.kind === 'junk').reduce((n, o) => n + o.bytes.length, 0);
    t.equal(junk, 5, `cut ${cut}: exactly the 5 leading bytes are junk`);
  }
});

t.test('a marker followed by an impossible length is not a resync point', async (t) => {
  const fake = concat(new Uint8Array(16).fill(0xff), Uint8Array.of(0, 5));
  const out = new BgpFramer().push(concat(Uint8Array.of(9), fake, keepalive()));
  t.same(summary(out), [`junk 19: ${MID_STREAM}`, 'msg type=4 len=19']);
});

t.test('a gap turns the partial message into junk and resynchronises after it', async (t) => {
  const framer = new BgpFramer();
  const message = update(50);
  const out = [
    ...framer.push(concat(keepalive(), message.subarray(0, 30))),
    ...framer.gap(),
    ...framer.push(concat(message.subarray(60), keepalive())),
  ];
  t.same(summary(out), [
    'msg type=4 len=19',
    'junk 30: message cut short by a gap in the capture',
    'junk 9: resynchronising after a gap in the capture',
    'msg type=4 len=19',
  ]);
  const clean = new BgpFramer();
  const aligned = [...clean.push(keepalive()), ...clean.gap(), ...clean.push(keepalive())];
  t.same(summary(aligned), ['msg type=4 len=19', 'msg type=4 len=19'], 'gap on a message boundary loses nothing');
});

t.test('end of stream: a partial message is junk with the given reason, and the framer starts afresh', async (t) => {
  const framer = new BgpFramer();
  const out = [
    ...framer.push(concat(keepalive(), update(10).subarray(0, 12))),
    ...framer.end('capture ended mid-message'),
  ];
  t.same(summary(out), ['msg type=4 len=19', 'junk 12: capture ended mid-message']);
  t.same(summary(framer.push(keepalive())), ['msg type=4 len=19']);
  t.same(framer.end('x'), [], 'nothing left');
});

t.test('garbage streams: junk events are bounded in size and every byte is accounted for', async (t) => {
  const framer = new BgpFramer();
  const garbage = new Uint8Array(300_000).fill(0xff);
  garbage[0] = 0;
  const outs: FramerOutput[] = [];
  for (let at = 0; at < garbage.length; at += 1448) outs.push(...framer.push(garbage.subarray(at, at + 1448)));
  outs.push(...framer.end('end'));
  t.ok(outs.every((o) => o.kind === 'junk' && o.bytes.length <= 65536 + 1448));
  t.equal(outs.reduce((n, o) => n + o.bytes.length, 0), garbage.length);
});

t.test('ByteQueue: views when contiguous, copies when straddling', async (t) => {
  const q = new ByteQueue();
  const a = Uint8Array.of(1, 2, 3);
  const b = Uint8Array.of(4, 5, 6);
  q.push(a);
  q.push(new Uint8Array());
  q.push(b);
  t.equal(q.length, 6);
  const scratch = new Uint8Array(4);
  t.same([...q.peek(4, scratch)], [1, 2, 3, 4]);
  t.equal(q.peek(2, scratch).buffer, a.buffer);
  const first = q.take(2);
  t.equal(first.buffer, a.buffer);
  t.same([...q.take(2)], [3, 4]);
  q.skip(1);
  t.same([...q.takeAll()], [6]);
  t.equal(q.length, 0);
  for (let i = 0; i < 5000; i++) q.push(Uint8Array.of(i & 0xff));
  for (let i = 0; i < 4990; i++) q.take(1);
  t.same([...q.coalesce()], Array.from({ length: 10 }, (_, k) => (4990 + k) & 0xff));
});
