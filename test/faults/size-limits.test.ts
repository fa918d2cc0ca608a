// Message size limits on a live session. RFC 4271 §4.1: a message is at most 4096 octets, and §6.1: a Length
// beyond that is Bad Message Length (1/2) with the erroneous Length field as Data. RFC 8654: once both OPENs carry
// the Extended Message capability, UPDATEs may be up to 65535 octets.
import t, { type Test } from 'tap';
import { createContext, encodeMessage, type Capability, type UpdateMessage } from '../../lib/wire/index.js';
import { announce, lab, RAW, sleep, waitUntil, type Lab } from '../helpers/raw-peer.js';

/** An UPDATE for `prefix` padded to exactly `size` octets with an optional transitive attribute (type 250). */
function updateOfSize(prefix: string, size: number): Uint8Array {
  const base = announce([prefix]);
  const padded = (n: number): UpdateMessage => ({
    ...base,
    attributes: [...base.attributes, { kind: 'unknown', typeCode: 250, flags: 0xd0, value: new Uint8Array(n) }],
  });
  const wide = createContext({ extendedMessage: true });
  const overhead = encodeMessage(padded(0), wide).length;
  const bytes = encodeMessage(padded(size - overhead), wide);
  if (bytes.length !== size) throw new Error(`built ${bytes.length} octets, wanted ${size}`);
  return bytes;
}

async function established(t: Test, L: Lab, extended: boolean): Promise<Awaited<ReturnType<Lab['connect']>>> {
  const p = await L.connect();
  t.teardown(() => p.socket.destroy());
  const caps: Capability[] = [
    { kind: 'multiprotocol', code: 1, afi: 1, safi: 1 },
    { kind: 'four-octet-as', code: 65, asn: RAW.asn },
    ...(extended ? [{ kind: 'extended-message', code: 6 } as const] : []),
  ];
  await p.establish({ ...RAW, capabilities: caps });
  p.startKeepalives(1000);
  await waitUntil('Established at A', () => L.A.peer(RAW.address)?.state === 'Established');
  return p;
}


t.test('exactly 4096 octets is accepted; 4097 is Bad Message Length with the Length as Data', async (t) => {
  const L = await lab(t);
  const p = await established(t, L, false);
  t.equal(L.A.peer(RAW.address)?.negotiated?.extendedMessage, false);
  p.send(updateOfSize('198.51.100.0/24', 4096));
  await waitUntil('the 4096-octet UPDATE’s route at A', () => L.A.routes('198.51.100.0/24')[0]);
  t.equal(L.A.peer(RAW.address)?.state, 'Established', 'still Established');
  // Passed on to B it would need 4100 octets (our AS prepended) and B has no RFC 8654: it is not sent (RFC 8654
  // §4 leaves no other choice), and nothing else breaks.
  await sleep(300);
  t.same(L.B.routes('198.51.100.0/24'), [], 'too big for B: not advertised');
  t.ok(L.abUp(), 'A–B unaffected');
  p.send(updateOfSize('203.0.113.0/24', 4097));
  const n = await p.notification();
  t.match(n, { code: 1, subcode: 2 }, 'Message Header Error / Bad Message Length');
  t.equal(Buffer.from(n.data).toString('hex'), '1001', 'Data: the Length field, 4097');
  await p.closed();
  t.same(L.A.routes('203.0.113.0/24'), [], 'nothing of the oversized message was taken');
  await waitUntil('the earlier route withdrawn at A', () => L.A.routes('198.51.100.0/24').length === 0);
  t.ok(L.abUp(), 'A–B unaffected');
});

t.test('with extended messages negotiated (RFC 8654), a 65535-octet UPDATE is accepted', async (t) => {
  const L = await lab(t, { capabilities: { extendedMessage: true } });
  const p = await established(t, L, true);
  t.equal(L.A.peer(RAW.address)?.negotiated?.extendedMessage, true, 'negotiated');
  p.send(updateOfSize('198.51.100.0/24', 65535));
  p.send(updateOfSize('203.0.113.0/24', 4097));
  await waitUntil('both routes at A', () => L.A.routes('198.51.100.0/24')[0] && L.A.routes('203.0.113.0/24')[0]);
  await sleep(300);
  t.equal(L.A.peer(RAW.address)?.state, 'Established', 'still Established');
  t.equal(p.count(3), 0, 'no NOTIFICATION');
});

t.test('without the capability on our side, the peer’s alone does not raise the limit', async (t) => {
  const L = await lab(t);
  const p = await established(t, L, true);
  t.equal(L.A.peer(RAW.address)?.negotiated?.extendedMessage, false, 'one side only: not negotiated');
  p.send(updateOfSize('198.51.100.0/24', 5000));
  t.match(await p.notification(), { code: 1, subcode: 2 });
});
