import t from 'tap';
import { checkHeader, writeHeader } from '../../lib/wire/header.js';
import { fromHex, hex, thrown, throwsBgpError } from '../helpers/codec-laws.js';

const MARKER = 'ffffffffffffffffffffffffffffffff';
const plain = { extendedMessage: false };
const extended = { extendedMessage: true };

/** A header (and optionally a body) from its Length and Type. */
function header(length: number, type: number, bodyLength = 0): Uint8Array {
  const out = new Uint8Array(19 + bodyLength);
  writeHeader(out, 0, length, type);
  return out;
}

t.test('writeHeader lays out marker, Length and Type', async (t) => {
  t.equal(hex(header(19, 4)), `${MARKER}001304`);
  const out = new Uint8Array(25).fill(0xaa);
  writeHeader(out, 3, 0xfedc, 2);
  t.equal(hex(out), `aaaaaa${MARKER}fedc02aaaaaa`, 'at an offset, touching nothing else');
});

t.test('well-formed headers of every type', async (t) => {
  const cases: [number, number][] = [
    [29, 1],
    [4096, 1],
    [23, 2],
    [4096, 2],
    [21, 3],
    [19, 4],
    [23, 5],
  ];
  for (const [length, type] of cases) t.strictSame(checkHeader(header(length, type), 0, plain), { length, type }, `type ${type} length ${length}`);
  const inside = new Uint8Array(40).fill(0);
  inside.set(header(19, 4), 9);
  t.strictSame(checkHeader(inside, 9, plain), { length: 19, type: 4 }, 'at an offset');
});

t.test('§6.1 Connection Not Synchronized: any marker octet not all ones', async (t) => {
  for (let i = 0; i < 16; i++) {
    const h = header(19, 4);
    h[i] = 0xfe;
    throwsBgpError(t, () => checkHeader(h, 0, plain), { code: 1, subcode: 1, data: new Uint8Array(0) }, `octet ${i}`);
  }
  const both = header(5, 9);
  both[0] = 0;
  throwsBgpError(t, () => checkHeader(both, 0, plain), { code: 1, subcode: 1 }, 'the marker is checked first');
});

t.test('§6.1 Bad Message Length: Data is the Length field', async (t) => {
  const cases: [string, number, number, { extendedMessage: boolean }][] = [
    ['below 19', 18, 4, plain],
    ['zero', 0, 2, plain],
    ['above 4096', 4097, 2, plain],
    ['above 4096, even before the type is known', 4097, 9, plain],
    ['OPEN below 29', 28, 1, plain],
    ['UPDATE below 23', 22, 2, plain],
    ['NOTIFICATION below 21', 20, 3, plain],
    ['KEEPALIVE above 19', 20, 4, plain],
    ['RFC 8654 §4: OPEN above 4096 even with extended messages', 4097, 1, extended],
    ['RFC 8654 §4: KEEPALIVE stays 19 with extended messages', 4097, 4, extended],
  ];
  for (const [name, length, type, ctx] of cases) {
    throwsBgpError(t, () => checkHeader(header(length, type), 0, ctx), { code: 1, subcode: 2, data: Uint8Array.of(length >> 8, length & 0xff) }, name);
  }
  t.strictSame(checkHeader(header(65535, 2), 0, extended), { length: 65535, type: 2 }, 'RFC 8654: UPDATE up to 65535');
  t.strictSame(checkHeader(header(4097, 3), 0, extended), { length: 4097, type: 3 }, 'RFC 8654: NOTIFICATION above 4096');
});

t.test('§6.1 Bad Message Type: Data is the Type field', async (t) => {
  for (const type of [0, 6, 7, 128, 255]) {
    throwsBgpError(t, () => checkHeader(header(19, type), 0, plain), { code: 1, subcode: 3, data: Uint8Array.of(type) }, `type ${type}`);
  }
});

t.test('RFC 7313 §5: ROUTE-REFRESH of the wrong length, with the complete message as Data', async (t) => {
  for (const length of [19, 20, 22, 24, 40]) {
    const whole = header(length, 5, length - 19);
    whole.fill(0x01, 19);
    throwsBgpError(t, () => checkHeader(whole, 0, plain), { code: 7, subcode: 1, data: whole }, `length ${length}`);
  }
  // Until the whole message is there the error cannot carry it: the header passes and is checked again later.
  t.strictSame(checkHeader(header(24, 5), 0, plain), { length: 24, type: 5 }, 'incomplete: header returned');
  const input = header(24, 5, 5);
  const e = thrown(() => checkHeader(input, 0, plain)) as { data: Uint8Array };
  e.data.fill(0);
  t.equal(hex(input.subarray(16, 19)), '001805', 'the Data is a copy, not a view of the input');
});

t.test('fewer than 19 octets is a BgpError, not a RangeError', async (t) => {
  for (let n = 0; n < 19; n++) {
    throwsBgpError(t, () => checkHeader(fromHex(`${MARKER}0013`).subarray(0, n), 0, plain), { code: 1, subcode: 2 }, `${n} octets`);
  }
  throwsBgpError(t, () => checkHeader(header(19, 4), 5, plain), { code: 1, subcode: 2 }, 'offset leaves 14 octets');
  throwsBgpError(t, () => checkHeader(header(19, 4), 40, plain), { code: 1, subcode: 2 }, 'offset past the end');
});
