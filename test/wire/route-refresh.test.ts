import t from 'tap';
import { createContext } from '../../lib/wire/context.js';
import { decodeMessage } from '../../lib/wire/message.js';
import { decodeRouteRefresh, encodeRouteRefresh, routeRefreshFor } from '../../lib/wire/route-refresh.js';
import type { RouteRefreshMessage } from '../../lib/wire/types.js';
import { checkMessageLaws, fromHex, fuzzMessages, hex, message, thrown, throwsBgpError } from '../helpers/codec-laws.js';

const fixtures: { name: string; bytes: Uint8Array; value: RouteRefreshMessage }[] = [
  { name: 'RFC 2918 request for IPv4 unicast', bytes: message(5, '0001 00 01'), value: { type: 5, afi: 1, subtype: 0, safi: 1 } },
  { name: 'RFC 7313 BoRR for IPv6 unicast', bytes: message(5, '0002 01 01'), value: { type: 5, afi: 2, subtype: 1, safi: 1 } },
  { name: 'RFC 7313 EoRR for VPNv4', bytes: message(5, '0001 02 80'), value: { type: 5, afi: 1, subtype: 2, safi: 128 } },
  // RFC 7313 §5 says to ignore an unknown subtype; that is the FSM's decision, so the codec decodes it.
  { name: 'unknown subtype 7 is decoded', bytes: message(5, '0001 07 01'), value: { type: 5, afi: 1, subtype: 7, safi: 1 } },
  { name: 'reserved subtype 255 is decoded', bytes: message(5, '0019 ff 46'), value: { type: 5, afi: 25, subtype: 255, safi: 70 } },
];

t.test('codec laws', async (t) => {
  for (const f of fixtures) checkMessageLaws(t, f);
});

t.test('RFC 7313 §5: a wrong length is Invalid Message Length with the complete message as Data', async (t) => {
  for (const body of ['', '00', '000100', '0001000100', '0001 01 01 0000']) {
    const whole = message(5, body);
    throwsBgpError(t, () => decodeRouteRefresh(fromHex(body)), { code: 7, subcode: 1, data: whole }, `body of ${fromHex(body).length} octets`);
    throwsBgpError(t, () => decodeMessage(whole, createContext()), { code: 7, subcode: 1, data: whole }, `whole message of ${whole.length}`);
  }
});

t.test('routeRefreshFor and the encoder', async (t) => {
  t.strictSame(routeRefreshFor({ afi: 2, safi: 1 }), { type: 5, afi: 2, subtype: 0, safi: 1 });
  t.equal(hex(encodeRouteRefresh(routeRefreshFor({ afi: 1, safi: 1 }, 1))), '00010101');
  t.type(thrown(() => encodeRouteRefresh({ type: 5, afi: 65536, subtype: 0, safi: 1 })), TypeError);
  t.type(thrown(() => encodeRouteRefresh({ type: 5, afi: 1, subtype: 0, safi: 256 })), TypeError);
  t.type(thrown(() => encodeRouteRefresh({ type: 5, afi: 1, subtype: 1.5, safi: 1 })), TypeError);
});

t.test('seeded mutations: a value or a BgpError', async (t) => {
  fuzzMessages(t, fixtures.map((f) => f.bytes), { seed: 0x7313, rounds: 500 });
});
