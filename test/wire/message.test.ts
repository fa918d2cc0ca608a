import t from 'tap';
import { Buffer } from 'node:buffer';
import { createContext, maxMessageLength } from '../../lib/wire/context.js';
import { Framer } from '../../lib/wire/framer.js';
import * as wire from '../../lib/wire/index.js';
import { KEEPALIVE, decodeKeepalive, encodeKeepalive } from '../../lib/wire/keepalive.js';
import { decodeMessage, encodeMessage, messageLength } from '../../lib/wire/message.js';
import type { BgpMessage, Capability, OpenMessage } from '../../lib/wire/types.js';
import { checkMessageLaws, fromHex, fuzzMessages, hex, message, prng, thrown, throwsBgpError } from '../helpers/codec-laws.js';

const ctx = createContext();

const openValue: OpenMessage = {
  type: 1,
  version: 4,
  myAs: 65001,
  holdTime: 180,
  bgpIdentifier: '192.0.2.1',
  capabilities: [
    { kind: 'multiprotocol', code: 1, afi: 1, safi: 1 },
    { kind: 'four-octet-as', code: 65, asn: 65001 },
  ],
};
const fixtures: { name: string; bytes: Uint8Array; value: BgpMessage }[] = [
  { name: 'KEEPALIVE', bytes: message(4, ''), value: { type: 4 } },
  { name: 'OPEN', bytes: message(1, '04 fde9 00b4 c0000201 0e 02 0c 01 04 0001 00 01 41 04 0000fde9'), value: openValue },
  { name: 'NOTIFICATION', bytes: message(3, '06 02 03 627965'), value: { type: 3, code: 6, subcode: 2, data: fromHex('03 627965'), shutdownMessage: 'bye' } },
  { name: 'ROUTE-REFRESH', bytes: message(5, '0001 00 01'), value: { type: 5, afi: 1, subtype: 0, safi: 1 } },
  {
    name: 'UPDATE: End-of-RIB for IPv4 unicast',
    bytes: message(2, '0000 0000'),
    value: { type: 2, withdrawn: [], attributes: [], nlri: [], endOfRib: { afi: 1, safi: 1 } },
  },
];

// UPDATEs whose values belong to the UPDATE half's tests; here only dispatch and the byte-exact round trip count.
const updates: [string, Uint8Array][] = [
  [
    'announce 10.8.0.0/16: ORIGIN IGP, AS_PATH 65001, NEXT_HOP 10.0.0.1',
    message(2, '0000 0014 40 01 01 00  40 02 06 02 01 0000fde9  40 03 04 0a000001  10 0a08'),
  ],
  ['withdraw 10.8.0.0/16', message(2, '0003 10 0a08 0000')],
];

t.test('codec laws for one message of each type', async (t) => {
  for (const f of fixtures) checkMessageLaws(t, f);
});

t.test('UPDATE goes through the UPDATE half, byte-exact', async (t) => {
  for (const [name, bytes] of updates) {
    const value = decodeMessage(bytes, ctx);
    t.equal(value.type, 2, `${name}: an UPDATE`);
    t.equal(hex(encodeMessage(value, ctx)), hex(bytes), `${name}: round trip`);
    t.equal(messageLength(value, ctx), bytes.length, `${name}: length`);
  }
});

t.test('KEEPALIVE: RFC 4271 §4.4, the header alone', async (t) => {
  t.equal(decodeKeepalive(new Uint8Array(0)), KEEPALIVE);
  t.equal(encodeKeepalive().length, 0);
  t.ok(Object.isFrozen(KEEPALIVE));
  throwsBgpError(t, () => decodeKeepalive(fromHex('00')), { code: 1, subcode: 2, data: fromHex('0014') }, 'a body');
  throwsBgpError(t, () => decodeMessage(message(4, '00'), ctx), { code: 1, subcode: 2, data: fromHex('0014') }, 'through decodeMessage');
});

t.test('decodeMessage: the octets must be exactly the message the header announces', async (t) => {
  const keepalive = message(4, '');
  throwsBgpError(t, () => decodeMessage(Uint8Array.from([...keepalive, 0, 0]), ctx), { code: 1, subcode: 2, data: fromHex('0013') }, 'two octets too many');
  const open = fixtures[1]?.bytes as Uint8Array;
  throwsBgpError(t, () => decodeMessage(open.subarray(0, open.length - 1), ctx), { code: 1, subcode: 2, data: open.subarray(16, 18) }, 'one octet short');
  throwsBgpError(t, () => decodeMessage(new Uint8Array(0), ctx), { code: 1, subcode: 2 }, 'nothing');
  throwsBgpError(t, () => decodeMessage(keepalive.subarray(0, 18), ctx), { code: 1, subcode: 2 }, 'a partial header');
  const unsynced = keepalive.slice();
  unsynced[3] = 0;
  throwsBgpError(t, () => decodeMessage(unsynced, ctx), { code: 1, subcode: 1 }, 'the header is checked first');
});

t.test('encodeMessage: a Buffer, and a TypeError for a message too long for the context', async (t) => {
  const buf = encodeMessage({ type: 4 }, ctx);
  t.ok(Buffer.isBuffer(buf), 'a Buffer for socket.write');
  t.equal(hex(buf), 'ffffffffffffffffffffffffffffffff001304');

  const data = new Uint8Array(4096 - 21 + 1);
  const tooLong: BgpMessage = { type: 3, code: 3, subcode: 1, data };
  const e = thrown(() => encodeMessage(tooLong, ctx));
  t.type(e, TypeError, 'NOTIFICATION of 4097 octets without RFC 8654');
  t.match(String(e), /NOTIFICATION of 4097 octets exceeds the maximum of 4096/);
  t.equal(encodeMessage(tooLong, createContext({ extendedMessage: true })).length, 4097, 'fine with RFC 8654');
  t.equal(encodeMessage({ type: 3, code: 3, subcode: 1, data: data.subarray(1) }, ctx).length, 4096, 'exactly 4096');

  // RFC 8654 §4: OPEN stays within 4096 even with extended messages.
  const huge: Capability[] = Array.from({ length: 17 }, () => ({ kind: 'unknown', code: 200, value: new Uint8Array(255) }));
  const bigOpen: OpenMessage = { ...openValue, capabilities: huge };
  t.type(thrown(() => encodeMessage(bigOpen, createContext({ extendedMessage: true }))), TypeError, 'OPEN above 4096');

  // An UPDATE body that cannot fit is reported the same way, whichever error the UPDATE encoder raises.
  const nlri = Array.from({ length: 1100 }, (_, i) => ({ afi: 1 as const, address: `10.${i >> 8}.${i & 0xff}.0`, length: 24 }));
  const bigUpdate: BgpMessage = { type: 2, withdrawn: nlri, attributes: [], nlri: [] };
  t.type(thrown(() => encodeMessage(bigUpdate, ctx)), TypeError, 'UPDATE above 4096');
  t.equal(encodeMessage(bigUpdate, createContext({ extendedMessage: true })).length, 19 + 4 + 1100 * 4, 'fine with RFC 8654');

  t.type(thrown(() => encodeMessage({ type: 9 } as unknown as BgpMessage, ctx)), TypeError, 'not a message type');
});

t.test('maxMessageLength', async (t) => {
  t.equal(maxMessageLength(ctx), 4096);
  t.equal(maxMessageLength({ extendedMessage: true }), 65535);
  t.equal(maxMessageLength({ extendedMessage: true }, 1), 4096, 'OPEN');
  t.equal(maxMessageLength({ extendedMessage: true }, 4), 4096, 'KEEPALIVE');
  t.equal(maxMessageLength({ extendedMessage: true }, 2), 65535, 'UPDATE');
});

t.test('createContext defaults and copies', async (t) => {
  t.strictSame({ ...ctx, addPath: [...ctx.addPath] }, { fourOctetAs: true, addPath: [], extendedMessage: false });
  const families = new Set([wire.IPV4_UNICAST]);
  const custom = createContext({ addPath: families, fourOctetAs: false });
  families.add(wire.IPV6_UNICAST);
  t.strictSame([...custom.addPath], [wire.IPV4_UNICAST], 'the set is copied');
  t.equal(custom.fourOctetAs, false);
  t.ok(Object.isFrozen(custom));
});

t.test('a framed stream decodes to the same values', async (t) => {
  const stream = [...fixtures.map((f) => f.bytes), ...updates.map(([, b]) => b)];
  const whole = Uint8Array.from(stream.flatMap((b) => [...b]));
  const expected = stream.map((b) => decodeMessage(b, ctx));
  const random = prng(4271);
  const framer = new Framer();
  const values: BgpMessage[] = [];
  for (let i = 0; i < whole.length; ) {
    const n = 1 + Math.floor(random() * 40);
    for (const m of framer.push(whole.subarray(i, i + n))) values.push(decodeMessage(m, ctx));
    i += n;
  }
  t.strictSame(values, expected);
});

t.test('index re-exports the whole wire API', async (t) => {
  const names = [
    'decodeMessage',
    'encodeMessage',
    'messageLength',
    'Framer',
    'checkHeader',
    'decodeOpen',
    'openFor',
    'peerAsn',
    'decodeCapabilities',
    'notificationFor',
    'shutdownData',
    'decodeRouteRefresh',
    'KEEPALIVE',
    'createContext',
    'maxMessageLength',
    'BgpError',
    'errors',
    'ErrorCode',
    'formatIPv4',
    'decodeUpdate',
    'encodeUpdate',
    'forEachPrefix',
  ];
  const exported = wire as unknown as Record<string, unknown>;
  t.strictSame(names.filter((n) => exported[n] === undefined), [], 'all present');
});

t.test('seeded mutations of every message type: a value or a BgpError', async (t) => {
  fuzzMessages(t, [...fixtures.map((f) => f.bytes), ...updates.map(([, b]) => b)], { seed: 1, rounds: 1000 });
});
