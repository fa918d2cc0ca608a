// Rib.refreshOut: the Adj-RIB-Out exported again against what it says the peer was sent. After an export policy
// change ('changes', FRR `clear bgp X soft out`) a route the new policy denies is withdrawn, one whose attributes
// changed is announced with the new ones, an unchanged one is not sent at all; after a ROUTE-REFRESH ('adj-rib-out',
// RFC 2918 §4) every route is sent again and End-of-RIB follows, denied ones withdrawn all the same. A full table's
// walk stays bounded per flush. Every message is decoded with the wire codec.
import t from 'tap';
import {
  IPV4_UNICAST,
  createContext,
  decodeUpdate,
  formatPrefix,
  numberToIPv4,
  parsePrefix,
  type PathAttribute,
  type UpdateMessage,
} from '../../lib/wire/index.js';
import { Rib, type ExportPolicy } from '../../lib/rib/index.js';

const ctx = createContext();

function decode(m: Uint8Array): UpdateMessage {
  if ((((m[16] as number) << 8) | (m[17] as number)) !== m.length) throw new Error('header length mismatch');
  return decodeUpdate(m.subarray(19), ctx);
}
function drain(rib: Rib, id: string): UpdateMessage[] {
  const out: UpdateMessage[] = [];
  while (rib.hasPending(id)) for (const m of rib.flush(id)) out.push(decode(m));
  return out;
}
const announced = (us: UpdateMessage[]): string[] => us.flatMap((u) => u.nlri.map(formatPrefix)).sort();
const withdrawn = (us: UpdateMessage[]): string[] => us.flatMap((u) => u.withdrawn.map(formatPrefix)).sort();
const eors = (us: UpdateMessage[]): number => us.filter((u) => u.endOfRib !== undefined).length;
const med = (u: UpdateMessage | undefined): number | undefined =>
  (u?.attributes.find((a) => a.kind === 'multi-exit-disc') as Extract<PathAttribute, { kind: 'multi-exit-disc' }> | undefined)?.med;
/** The routes a peer holds after receiving `updates` in order. */
function peerView(updates: UpdateMessage[]): Set<string> {
  const view = new Set<string>();
  for (const u of updates) {
    for (const p of u.withdrawn) view.delete(formatPrefix(p));
    for (const p of u.nlri) view.add(formatPrefix(p));
  }
  return view;
}
const host = (i: number): string => `${numberToIPv4(0x0a000000 + i)}/32`;

/** An export policy whose rules can be swapped under a live session, as router mode's PolicySlot does. */
function slot(): { policy: ExportPolicy; set(rule: ExportPolicy): void } {
  let rule: ExportPolicy = (route) => route.attributes;
  return { policy: (route, peer) => rule(route, peer), set: (r) => (rule = r) };
}
const denying =
  (...prefixes: string[]): ExportPolicy =>
  (route) =>
    prefixes.includes(formatPrefix(route.prefix)) ? null : route.attributes;

/** A RIB originating `prefixes`, and eBGP peer e1 (export policy `policy`) that has been sent all of them. */
function setup(prefixes: string[], policy: ExportPolicy): Rib {
  const rib = new Rib({ localAsn: 65000, routerId: '10.0.0.1' });
  for (const p of prefixes) rib.originate(parsePrefix(p));
  rib.addPeer({ id: 'e1', address: '192.0.2.1', asn: 65001, exportPolicy: policy });
  rib.peerUp('e1', { families: [IPV4_UNICAST], txContext: ctx, localAddress: { ipv4: '192.0.2.100' } });
  drain(rib, 'e1');
  return rib;
}
const held = (rib: Rib): string[] => [...rib.adjRibOut('e1')].map((e) => formatPrefix(e.prefix)).sort();

const THREE = ['10.9.0.0/24', '10.9.1.0/24', '10.9.2.0/24'];

t.test("'changes': a route the new export policy denies is withdrawn, and nothing else is sent", async (t) => {
  const s = slot();
  const rib = setup(THREE, s.policy);
  t.same(held(rib), THREE);
  s.set(denying('10.9.1.0/24'));
  rib.refreshOut('e1', 'changes');
  const us = drain(rib, 'e1');
  t.same(withdrawn(us), ['10.9.1.0/24'], 'the denied route is withdrawn');
  t.same(announced(us), [], 'the others are not sent again');
  t.equal(eors(us), 0, 'no End-of-RIB');
  t.same(held(rib), ['10.9.0.0/24', '10.9.2.0/24'], 'the Adj-RIB-Out says what the peer now has');
  t.equal(rib.counters('e1').sent, 2);

  s.set((route) => route.attributes);
  rib.refreshOut('e1', 'changes');
  const back = drain(rib, 'e1');
  t.same(announced(back), ['10.9.1.0/24'], 'permitted again: announced again');
  t.same(withdrawn(back), []);
  t.same(held(rib), THREE);
});

t.test("'changes': changed attributes are announced, unchanged routes are not", async (t) => {
  const s = slot();
  const rib = setup(THREE, s.policy);
  s.set((route) => (formatPrefix(route.prefix) === '10.9.2.0/24' ? [...route.attributes, { kind: 'multi-exit-disc', med: 77 }] : route.attributes));
  rib.refreshOut('e1', 'changes');
  const us = drain(rib, 'e1');
  t.equal(us.length, 1, 'one UPDATE');
  t.same(announced(us), ['10.9.2.0/24']);
  t.equal(med(us[0]), 77, 'with the attributes the new policy gives it');
  t.same(withdrawn(us), []);
  const entry = [...rib.adjRibOut('e1')].find((e) => formatPrefix(e.prefix) === '10.9.2.0/24');
  t.ok(entry?.attributes.some((a) => a.kind === 'multi-exit-disc' && a.med === 77), 'recorded as sent');
});

t.test("'changes' under an unchanged policy sends nothing", async (t) => {
  const s = slot();
  const rib = setup(THREE, s.policy);
  s.set((route) => route.attributes.slice()); // a new function, the same meaning
  rib.refreshOut('e1', 'changes');
  t.ok(rib.hasPending('e1'), 'the walk is pending until it has run');
  t.same(drain(rib, 'e1'), []);
  t.equal(rib.hasPending('e1'), false);
  t.equal(rib.counters('e1').sent, 3);
});

t.test('ROUTE-REFRESH: the whole Adj-RIB-Out again and End-of-RIB; a denied route is withdrawn too', async (t) => {
  const s = slot();
  const rib = setup(THREE, s.policy);
  rib.refreshOut('e1');
  const all = drain(rib, 'e1');
  t.same(announced(all), THREE, 'unchanged routes are sent again');
  t.same(withdrawn(all), []);
  t.equal(eors(all), 1, 'then End-of-RIB');
  t.equal(rib.counters('e1').sent, 3);

  s.set(denying('10.9.0.0/24'));
  rib.refreshOut('e1', 'adj-rib-out');
  const after = drain(rib, 'e1');
  t.same(withdrawn(after), ['10.9.0.0/24'], 'a route the policy now denies is not left at the peer');
  t.same(announced(after), ['10.9.1.0/24', '10.9.2.0/24']);
  t.equal(eors(after), 1);
  t.same(held(rib), ['10.9.1.0/24', '10.9.2.0/24']);
});

t.test('changes while a refresh is under way are sent once, in their last state', async (t) => {
  const s = slot();
  const rib = setup(THREE, s.policy);
  rib.withdrawLocal(parsePrefix('10.9.0.0/24')); // queued, not yet sent
  s.set(denying('10.9.1.0/24'));
  rib.refreshOut('e1', 'changes');
  rib.originate(parsePrefix('10.9.3.0/24'));
  const us = drain(rib, 'e1');
  t.same(withdrawn(us), ['10.9.0.0/24', '10.9.1.0/24'], 'each withdrawn once');
  t.same(announced(us), ['10.9.3.0/24']);
  t.same(held(rib), ['10.9.2.0/24', '10.9.3.0/24']);
});

t.test('split horizon holds on a resend: a route is not sent back to the peer it came from', async (t) => {
  const rib = new Rib({ localAsn: 65000, routerId: '10.0.0.1' });
  rib.addPeer({ id: 'e1', address: '192.0.2.1', asn: 65001 });
  rib.peerUp('e1', { families: [IPV4_UNICAST], txContext: ctx, localAddress: { ipv4: '192.0.2.100' } });
  rib.originate(parsePrefix('10.9.0.0/24'));
  drain(rib, 'e1');
  const attributes: PathAttribute[] = [
    { kind: 'origin', origin: 0 },
    { kind: 'as-path', segments: [{ type: 2, asns: [65001] }] },
    { kind: 'next-hop', nextHop: '192.0.2.1' },
  ];
  rib.ingest('e1', { type: 2, withdrawn: [], attributes, nlri: [parsePrefix('10.7.0.0/24')] });
  t.same(drain(rib, 'e1'), []);
  rib.refreshOut('e1');
  const us = drain(rib, 'e1');
  t.same(announced(us), ['10.9.0.0/24'], 'only our own route');
  t.same(withdrawn(us), []);
});

t.test('the initial dump interrupted by a policy change: End-of-RIB once, only permitted routes', async (t) => {
  const n = 9000; // more than one walk step
  const prefixes = Array.from({ length: n }, (_, i) => host(i));
  const s = slot();
  const rib = new Rib({ localAsn: 65000, routerId: '10.0.0.1' });
  for (const p of prefixes) rib.originate(parsePrefix(p));
  rib.addPeer({ id: 'e1', address: '192.0.2.1', asn: 65001, exportPolicy: s.policy });
  rib.peerUp('e1', { families: [IPV4_UNICAST], txContext: ctx, localAddress: { ipv4: '192.0.2.100' } });
  const first = rib.flush('e1', { maxMessages: 2 }).map(decode);
  const sentFirst = new Set(announced(first));
  t.ok(sentFirst.size > 0 && sentFirst.size < n, 'part of the table was sent');
  const odd = (route: { prefix: { address: string } }): boolean => Number(route.prefix.address.split('.').at(-1)) % 2 === 1;
  s.set((route) => (odd(route) ? null : route.attributes));
  rib.refreshOut('e1', 'changes');
  const rest = drain(rib, 'e1');
  t.equal(eors([...first, ...rest]), 1, 'End-of-RIB once, after the table');
  t.ok(rest.at(-1)?.endOfRib, 'last');
  const expected = prefixes.filter((p) => Number(p.split('/')[0]?.split('.').at(-1)) % 2 === 0);
  t.same(held(rib), [...expected].sort());
  // Routes queued under the old policy may reach the peer before the walk does; the walk then withdraws them.
  const view = peerView([...first, ...rest]);
  t.same([...view].sort(), [...expected].sort(), 'the peer holds exactly the permitted routes');
  t.ok(
    [...sentFirst].filter((p) => !expected.includes(p)).every((p) => withdrawn(rest).includes(p)),
    'what had been sent and is denied now is withdrawn',
  );
});

t.test("a 'changes' during a ROUTE-REFRESH walk still re-sends every route", async (t) => {
  const n = 9000;
  const prefixes = Array.from({ length: n }, (_, i) => host(i));
  const rib = setup(prefixes, slot().policy);
  rib.refreshOut('e1');
  const part = rib.flush('e1', { maxMessages: 2 }).map(decode);
  rib.refreshOut('e1', 'changes');
  const all = [...part, ...drain(rib, 'e1')];
  t.same([...new Set(announced(all))].sort(), [...prefixes].sort(), 'every route sent again');
  t.equal(eors(all), 1);
});

t.test('a full table: the re-export is bounded per flush, and withdraws exactly what is denied', async (t) => {
  const n = 150_000;
  const prefixes = Array.from({ length: n }, (_, i) => host(i));
  const s = slot();
  const rib = setup(prefixes, s.policy);
  t.equal(rib.counters('e1').sent, n);

  // Unchanged: no flush walks more than its budget allows, so a no-op re-export takes many flushes of nothing.
  s.set((route) => route.attributes.slice());
  rib.refreshOut('e1', 'changes');
  let flushes = 0;
  let sent = 0;
  while (rib.hasPending('e1')) {
    sent += rib.flush('e1', { maxMessages: 4 }).length;
    flushes++;
  }
  t.equal(sent, 0, 'nothing sent');
  t.ok(flushes >= n / (4 * 4096), `${flushes} flushes of at most 4 walk steps each`);

  // Every third route denied: withdrawn, in UPDATEs of at most 4096 octets, at most `maxMessages` per flush.
  const denied = (a: string): boolean => Number(a.split('.').at(-1)) % 3 === 0;
  s.set((route) => (denied(route.prefix.address) ? null : route.attributes));
  rib.refreshOut('e1', 'changes');
  const gone: string[] = [];
  let maxPending = 0;
  let others = 0;
  let maxMessages = 0;
  let maxLength = 0;
  while (rib.hasPending('e1')) {
    const msgs = rib.flush('e1', { maxMessages: 8 });
    maxMessages = Math.max(maxMessages, msgs.length);
    maxPending = Math.max(maxPending, rib.counters('e1').pending);
    for (const m of msgs) {
      maxLength = Math.max(maxLength, m.length);
      const u = decode(m);
      gone.push(...u.withdrawn.map(formatPrefix));
      others += u.nlri.length + (u.endOfRib ? 1 : 0);
    }
  }
  const expected = prefixes.filter((p) => denied(p.split('/')[0] as string));
  t.equal(gone.length, expected.length, 'each denied route withdrawn once');
  t.same(gone.sort(), expected.sort());
  t.equal(others, 0, 'nothing announced');
  t.ok(maxMessages <= 8 && maxLength <= 4096, `at most ${maxMessages} UPDATEs per flush, of at most ${maxLength} octets`);
  t.ok(maxPending <= 2 * 4096, `at most ${maxPending} prefixes queued at once, not the table`);
  t.equal(rib.counters('e1').sent, n - expected.length);
});
