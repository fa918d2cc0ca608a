import t from 'tap';
import { BgpError } from '../../lib/wire/errors.js';
import { Framer } from '../../lib/wire/framer.js';
import { hex, message, prng, thrown, throwsBgpError } from '../helpers/codec-laws.js';

const keepalive = message(4, '');
const open = message(1, '04 fde9 00b4 c0000201 00');
const notification = message(3, '06 02 03 627965');
const refresh = message(5, '0001 00 01');
const update = message(2, '0000 0000');
const stream = [open, keepalive, update, refresh, keepalive, notification];

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
}

function drain(framer: Framer): Uint8Array[] {
  return [...framer];
}

t.test('several messages in one chunk are views of that chunk', async (t) => {
  const chunk = concat(stream);
  const framer = new Framer();
  const out = [...framer.push(chunk)];
  t.strictSame(out.map(hex), stream.map(hex), 'every message, in order');
  t.ok(out.every((m) => m.buffer === chunk.buffer), 'no copies');
  t.equal(out[1]?.byteOffset, open.length, 'a view at the message offset');
  t.equal(framer.buffered, 0);
  t.equal(framer.next(), undefined, 'nothing left');
});

t.test('a message split across two chunks at every point is copied once', async (t) => {
  const whole = concat(stream);
  for (let cut = 1; cut < whole.length; cut++) {
    const framer = new Framer();
    const first = drain(framer.push(whole.subarray(0, cut)));
    const second = drain(framer.push(whole.subarray(cut)));
    const all = [...first, ...second];
    if (all.map(hex).join() !== stream.map(hex).join()) {
      t.fail(`cut at ${cut}: messages differ`);
      continue;
    }
    t.equal(framer.buffered, 0, `cut at ${cut}: nothing left`);
  }
  const framer = new Framer();
  const a = open.subarray(0, 10);
  const b = open.subarray(10);
  t.equal(framer.push(a).next(), undefined, 'a partial header waits');
  t.equal(framer.buffered, 10);
  const joined = framer.push(b).next();
  t.equal(hex(joined ?? new Uint8Array(0)), hex(open));
  t.not(joined?.buffer, a.buffer, 'the split message is a fresh buffer');
  t.equal(joined?.byteLength, open.length, 'of exactly its length');
});

t.test('byte by byte, and in random chunks (seeded), the same messages come out', async (t) => {
  const whole = concat([...stream, ...stream, ...stream]);
  const framer = new Framer();
  const one: Uint8Array[] = [];
  for (let i = 0; i < whole.length; i++) one.push(...framer.push(whole.subarray(i, i + 1)));
  t.strictSame(one.map(hex), [...stream, ...stream, ...stream].map(hex), 'one octet at a time');

  const random = prng(42);
  for (let round = 0; round < 200; round++) {
    const f = new Framer();
    const out: Uint8Array[] = [];
    for (let i = 0; i < whole.length; ) {
      const n = 1 + Math.floor(random() * 60);
      // Push without draining sometimes, so several chunks queue up before messages are taken out.
      f.push(whole.subarray(i, i + n));
      if (random() < 0.5) out.push(...f);
      i += n;
    }
    out.push(...f);
    if (out.map(hex).join() !== [...stream, ...stream, ...stream].map(hex).join()) t.fail(`round ${round} differs`);
  }
  t.pass('200 random chunkings');
});

t.test('header errors are raised once the header is in, before the body', async (t) => {
  const framer = new Framer();
  const bad = new Uint8Array(19).fill(0xff);
  bad[16] = 0x20; // Length 8192
  bad[17] = 0x00;
  bad[18] = 2;
  t.equal(framer.push(bad.subarray(0, 18)).next(), undefined, '18 octets: not yet');
  throwsBgpError(t, () => framer.push(bad.subarray(18)).next(), { code: 1, subcode: 2, data: Uint8Array.of(0x20, 0) }, 'Length 8192 with only the header in');
  const again = thrown(() => framer.next());
  t.ok(again instanceof BgpError && again.subcode === 2, 'the framer stays failed');
  t.ok(thrown(() => framer.push(keepalive).next()) instanceof BgpError, 'even after more data');

  const unsynced = new Framer();
  const garbage = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  throwsBgpError(t, () => drain(unsynced.push(garbage)), { code: 1, subcode: 1 }, 'not BGP: Connection Not Synchronized');

  const typed = new Framer();
  const badType = message(9, '');
  throwsBgpError(t, () => drain(typed.push(keepalive).push(badType)), { code: 1, subcode: 3, data: Uint8Array.of(9) }, 'Bad Message Type');

  // Messages before the bad one are handed out first.
  const mixed = new Framer();
  mixed.push(concat([keepalive, badType]));
  t.equal(hex(mixed.next() ?? new Uint8Array(0)), hex(keepalive), 'the good message first');
  t.ok(thrown(() => mixed.next()) instanceof BgpError, 'then the error');
});

t.test('RFC 7313: a ROUTE-REFRESH of the wrong length fails once it is whole, with all of it as Data', async (t) => {
  const long = message(5, '0001 01 01 00');
  for (const cut of [10, 19, 22]) {
    const framer = new Framer();
    t.equal(framer.push(long.subarray(0, cut)).next(), undefined, `cut ${cut}: incomplete, no error yet`);
    throwsBgpError(t, () => framer.push(long.subarray(cut)).next(), { code: 7, subcode: 1, data: long }, `cut ${cut}: completed`);
  }
  const whole = new Framer();
  throwsBgpError(t, () => whole.push(long).next(), { code: 7, subcode: 1, data: long }, 'in one chunk');
});

t.test('the maximum length follows the extendedMessage flag', async (t) => {
  const big = new Uint8Array(5000);
  big.set(message(2, '0000 0000'));
  big[16] = 5000 >> 8;
  big[17] = 5000 & 0xff;

  const strict = new Framer();
  throwsBgpError(t, () => strict.push(big).next(), { code: 1, subcode: 2 }, 'without RFC 8654: Bad Message Length');

  const ext = new Framer({ extendedMessage: true });
  t.equal(ext.push(big).next()?.length, 5000, 'with RFC 8654 from the start');

  // The flag changes after the OPENs; messages still queued are checked against the flag as it is when taken.
  const later = new Framer();
  later.push(concat([keepalive, big]));
  t.equal(later.next()?.length, 19, 'the KEEPALIVE that completes the OPEN exchange');
  later.extendedMessage = true;
  t.equal(later.next()?.length, 5000, 'then a 5000-octet UPDATE');

  const bigOpen = new Uint8Array(5000);
  bigOpen.set(open);
  bigOpen[16] = 5000 >> 8;
  bigOpen[17] = 5000 & 0xff;
  throwsBgpError(t, () => new Framer({ extendedMessage: true }).push(bigOpen).next(), { code: 1, subcode: 2 }, 'RFC 8654 §4: never for OPEN');
});

t.test('empty chunks are ignored', async (t) => {
  const framer = new Framer();
  framer.push(new Uint8Array(0));
  t.equal(framer.next(), undefined);
  t.equal(framer.buffered, 0);
  t.equal(hex(framer.push(new Uint8Array(0)).push(keepalive).next() ?? new Uint8Array(0)), hex(keepalive));
});
