import t from 'tap';
import { CeaseError, ErrorCode } from '../../lib/wire/constants.js';
import { createContext } from '../../lib/wire/context.js';
import { BgpError, errors } from '../../lib/wire/errors.js';
import { encodeMessage } from '../../lib/wire/message.js';
import {
  decodeNotification,
  encodeNotification,
  hardResetData,
  notificationFor,
  shutdownData,
} from '../../lib/wire/notification.js';
import type { NotificationMessage } from '../../lib/wire/types.js';
import { checkMessageLaws, fromHex, fuzzMessages, hex, message, thrown, throwsBgpError } from '../helpers/codec-laws.js';

const fixtures: { name: string; bytes: Uint8Array; value: NotificationMessage }[] = [
  {
    name: 'Hold Timer Expired, no Data',
    bytes: message(3, '04 00'),
    value: { type: 3, code: 4, subcode: 0, data: new Uint8Array(0) },
  },
  {
    name: 'Bad Message Length with the Length field',
    bytes: message(3, '01 02 1001'),
    value: { type: 3, code: 1, subcode: 2, data: fromHex('1001') },
  },
  {
    name: 'Unsupported Capability listing a multiprotocol capability (RFC 5492 §5)',
    bytes: message(3, '02 07 01 04 0002 00 01'),
    value: { type: 3, code: 2, subcode: 7, data: fromHex('01 04 0002 00 01') },
  },
  {
    name: 'RFC 9003 Administrative Shutdown "maintenance"',
    bytes: message(3, '06 02 0b 6d61696e74656e616e6365'),
    value: { type: 3, code: 6, subcode: 2, data: fromHex('0b 6d61696e74656e616e6365'), shutdownMessage: 'maintenance' },
  },
  {
    name: 'RFC 9003 Administrative Reset in UTF-8 "café ☕"',
    bytes: message(3, '06 04 09 636166c3a9 20 e29895'),
    value: { type: 3, code: 6, subcode: 4, data: fromHex('09 636166c3a9 20 e29895'), shutdownMessage: 'café ☕' },
  },
  {
    name: 'RFC 9003 empty communication',
    bytes: message(3, '06 02 00'),
    value: { type: 3, code: 6, subcode: 2, data: fromHex('00'), shutdownMessage: '' },
  },
  {
    name: 'Administrative Shutdown without Data',
    bytes: message(3, '06 02'),
    value: { type: 3, code: 6, subcode: 2, data: new Uint8Array(0) },
  },
  {
    name: 'RFC 9003: a Length longer than the Data is not interpreted',
    bytes: message(3, '06 02 05 6f6666'),
    value: { type: 3, code: 6, subcode: 2, data: fromHex('05 6f6666') },
  },
  {
    name: 'RFC 9003: a Length shorter than the Data is not interpreted',
    bytes: message(3, '06 02 01 6f6666'),
    value: { type: 3, code: 6, subcode: 2, data: fromHex('01 6f6666') },
  },
  {
    name: 'RFC 9003: invalid UTF-8 is not interpreted',
    bytes: message(3, '06 04 02 c328'),
    value: { type: 3, code: 6, subcode: 4, data: fromHex('02 c328') },
  },
  {
    name: 'a Length octet outside Cease 2 and 4 means nothing',
    bytes: message(3, '06 03 02 6f6b'),
    value: { type: 3, code: 6, subcode: 3, data: fromHex('02 6f6b') },
  },
  {
    name: 'RFC 8538 Hard Reset for Hold Timer Expired',
    bytes: message(3, '06 09 04 00'),
    value: { type: 3, code: 6, subcode: 9, data: fromHex('04 00'), hardReset: { code: 4, subcode: 0, data: new Uint8Array(0) } },
  },
  {
    name: 'RFC 8538 Hard Reset for an Administrative Reset with a communication',
    bytes: message(3, '06 09 06 04 05 7265736574'),
    value: {
      type: 3,
      code: 6,
      subcode: 9,
      data: fromHex('06 04 05 7265736574'),
      hardReset: { code: 6, subcode: 4, data: fromHex('05 7265736574') },
    },
  },
  {
    name: 'RFC 8538 Hard Reset with one octet of Data is not interpreted',
    bytes: message(3, '06 09 04'),
    value: { type: 3, code: 6, subcode: 9, data: fromHex('04') },
  },
];

t.test('codec laws', async (t) => {
  for (const f of fixtures) checkMessageLaws(t, f);
});

t.test('a body shorter than code and subcode is Bad Message Length', async (t) => {
  throwsBgpError(t, () => decodeNotification(fromHex('06')), { code: 1, subcode: 2, data: fromHex('0014') }, 'one octet');
  throwsBgpError(t, () => decodeNotification(new Uint8Array(0)), { code: 1, subcode: 2, data: fromHex('0013') }, 'empty');
});

t.test('shutdownData: RFC 9003 Length and UTF-8, cut at 255 octets on a character boundary', async (t) => {
  t.equal(hex(shutdownData('maintenance')), '0b6d61696e74656e616e6365');
  t.equal(hex(shutdownData('')), '00');
  const ascii = shutdownData('a'.repeat(300));
  t.equal(ascii.length, 256);
  t.equal(ascii[0], 255);
  // 'é' is 2 octets: 127 fit in 254, the 128th would straddle octet 255.
  const twoOctet = shutdownData('é'.repeat(200));
  t.equal(twoOctet[0], 254);
  t.equal(Buffer.from(twoOctet.subarray(1)).toString('utf8'), 'é'.repeat(127));
  // '☕' is 3 octets: 85 of them are exactly 255.
  t.equal(shutdownData('☕'.repeat(90))[0], 255);
  // '𝄞' is 4 octets: 63 fit in 252.
  const fourOctet = shutdownData('𝄞'.repeat(64));
  t.equal(fourOctet[0], 252);
  t.equal(Buffer.from(fourOctet.subarray(1)).toString('utf8'), '𝄞'.repeat(63));
  const decoded = decodeNotification(Uint8Array.of(6, 2, ...fourOctet));
  t.equal(decoded.shutdownMessage, '𝄞'.repeat(63), 'what is cut still decodes');
});

t.test('notificationFor: a BgpError becomes the NOTIFICATION that reports it', async (t) => {
  const shutdown = notificationFor(errors.cease(CeaseError.AdministrativeShutdown, shutdownData('bye')));
  t.strictSame(shutdown, { type: 3, code: 6, subcode: 2, data: fromHex('03 627965'), shutdownMessage: 'bye' });
  const length = notificationFor(errors.badMessageLength(5000));
  t.strictSame(length, { type: 3, code: 1, subcode: 2, data: fromHex('1388') });
  const hard = notificationFor(errors.cease(CeaseError.HardReset, hardResetData(errors.holdTimerExpired())));
  t.strictSame(hard.hardReset, { code: 4, subcode: 0, data: new Uint8Array(0) });
  t.equal(hex(encodeNotification(hard)), '06090400');

  // Data as long as the message that caused the error is cut so the NOTIFICATION fits in one message.
  const huge = new BgpError(ErrorCode.UpdateMessage, 5, new Uint8Array(5000).fill(7));
  const cut = notificationFor(huge);
  t.equal(cut.data.length, 4096 - 21);
  t.equal(encodeMessage(cut, createContext()).length, 4096, 'fits 4096 octets');
  t.equal(notificationFor(huge, { extendedMessage: true }).data.length, 5000, 'RFC 8654: all of it fits');
  const data = fromHex('0102');
  const copy = notificationFor(new BgpError(1, 2, data));
  data.fill(0);
  t.equal(hex(copy.data), '0102', 'the message keeps a copy of the Data');
});

t.test('encoder field checks', async (t) => {
  t.type(thrown(() => encodeNotification({ type: 3, code: 256, subcode: 0, data: new Uint8Array(0) })), TypeError);
  t.type(thrown(() => encodeNotification({ type: 3, code: 6, subcode: -1, data: new Uint8Array(0) })), TypeError);
  t.type(thrown(() => hardResetData({ code: 6, subcode: 300, data: new Uint8Array(0) })), TypeError);
});

t.test('seeded mutations: a value or a BgpError', async (t) => {
  fuzzMessages(t, fixtures.map((f) => f.bytes), { seed: 0x9003, rounds: 1000 });
});
