// RFC 7606 over a live session: an UPDATE whose attributes are malformed in a way that does not endanger the rest
// of the message is "treat-as-withdraw" — the session stays up, and every prefix the UPDATE carries is withdrawn
// (from tsbgpd's Loc-RIB, and so from its other peers) as if the UPDATE had withdrawn them.
import t from 'tap';
import { announce, lab, RAW, sleep, waitUntil } from '../helpers/raw-peer.js';

const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
/** A whole UPDATE from its Path Attributes and NLRI (no withdrawn routes), in hex. */
function update(attributes: string, nlri: string): Uint8Array {
  const a = h(attributes);
  const body = Buffer.concat([h('0000'), Buffer.from([a.length >> 8, a.length & 0xff]), a, h(nlri)]);
  return Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from([(19 + body.length) >> 8, (19 + body.length) & 0xff, 2]), body]);
}
const AS_PATH = '40 02 06 02 01 0000fdea'; // [65002]
const NEXT_HOP = '40 03 04 7f000002'; // 127.0.0.2
const NLRI = '18 c63364 18 cb0071'; // 198.51.100.0/24, 203.0.113.0/24
const PREFIXES = ['198.51.100.0/24', '203.0.113.0/24'];

for (const [why, attributes] of [
  ['RFC 7606 §7.1: ORIGIN value 5', `40 01 01 05 ${AS_PATH} ${NEXT_HOP}`],
  ['RFC 7606 §7.3: NEXT_HOP of 5 octets', `40 01 01 00 ${AS_PATH} 40 03 05 7f00000200`],
  ['RFC 7606 §7.2: AS_PATH segment overrunning the attribute', `40 01 01 00 40 02 06 02 02 0000fdea ${NEXT_HOP}`],
  ['RFC 7606 §3 d: ORIGIN missing', `${AS_PATH} ${NEXT_HOP}`],
] as const) {
  t.test(`${why}: the session stays up and the prefixes are withdrawn`, async (t) => {
    const L = await lab(t);
    const p = await L.connect();
    t.teardown(() => p.socket.destroy());
    await p.establish(RAW);
    p.startKeepalives(1000);
    await waitUntil('Established at A', () => L.A.peer(RAW.address)?.state === 'Established');
    p.sendMessage(announce(PREFIXES));
    await waitUntil('both routes at B', () => PREFIXES.every((x) => L.B.routes(x).length > 0));
    p.send(update(attributes, NLRI));
    await waitUntil('withdrawn at A', () => PREFIXES.every((x) => L.A.routes(x).length === 0));
    await waitUntil('withdrawn at B', () => PREFIXES.every((x) => L.B.routes(x).length === 0));
    await sleep(300);
    t.equal(L.A.peer(RAW.address)?.state, 'Established', 'the session is still up');
    t.equal(p.count(3), 0, 'no NOTIFICATION');
    // And the session still works: a well-formed UPDATE is taken as usual.
    p.sendMessage(announce(['192.0.2.0/24']));
    await waitUntil('a later route at B', () => L.B.routes('192.0.2.0/24')[0]);
    t.ok(L.abUp());
  });
}
