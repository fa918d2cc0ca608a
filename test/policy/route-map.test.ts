// Route maps as FRR evaluates them: entry order, implicit deny, deny entries, every set clause (and that an
// unchanged route keeps its attribute array), on-match next/goto, continue, call, and the recursion limit.
import t from 'tap';
import type { PathAttribute, Prefix } from '../../lib/wire/index.js';
import { PolicySet, parseFrrPolicy } from '../../lib/policy/index.js';
import type { Policy, PolicyDirection, PolicyPeer, PolicyRoute } from '../../lib/policy/index.js';

function policies(text: string): PolicySet {
  const r = parseFrrPolicy(text);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.policies;
}

function prefix(text: string): Prefix {
  const [address, len] = text.split('/') as [string, string];
  return { afi: address.includes(':') ? 2 : 1, address, length: Number(len) };
}

/** Deeply frozen, so any mutation by a policy throws. */
function frozen<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !Object.isFrozen(v)) {
    for (const k of Object.keys(v)) frozen((v as Record<string, unknown>)[k]);
    Object.freeze(v);
  }
  return v;
}

const c = (asn: number, v: number): number => asn * 65536 + v;

function route(p: string, extra: PathAttribute[] = [], asns: number[] = [65101]): PolicyRoute {
  const attributes: PathAttribute[] = [
    { kind: 'origin', origin: 0 },
    { kind: 'as-path', segments: asns.length > 0 ? [{ type: 2, asns }] : [] },
    { kind: 'next-hop', nextHop: '192.168.3.15' },
    ...extra,
  ];
  return frozen({ prefix: prefix(p), attributes });
}

const ebgp: PolicyPeer = { address: '192.168.3.15', asn: 65101, localAsn: 65100, ibgp: false, localAddress: '192.168.3.1' };
const ibgp: PolicyPeer = { address: '10.0.0.2', asn: 65100, localAsn: 65100, ibgp: true, localAddress: '10.0.0.1' };

function apply(p: PolicySet, map: string, r: PolicyRoute, peer: PolicyPeer = ebgp, dir: PolicyDirection = 'in'): readonly PathAttribute[] | null {
  return p.routeMapPolicy(map, dir)(r, peer);
}

function get<K extends PathAttribute['kind']>(attrs: readonly PathAttribute[] | null, kind: K): Extract<PathAttribute, { kind: K }> | undefined {
  return attrs?.find((a) => a.kind === kind) as Extract<PathAttribute, { kind: K }> | undefined;
}

t.test('Permit-Any: no match clause matches all, and the route is returned as it came', async (t) => {
  const p = policies('route-map Permit-Any permit 100\n');
  const r = route('10.8.0.0/32');
  t.equal(apply(p, 'Permit-Any', r), r.attributes, 'the same array object');
  t.equal(apply(p, 'Permit-Any', r, ebgp, 'out'), r.attributes);
});

t.test('implicit deny, deny entries, and entry order by sequence number', async (t) => {
  const p = policies(`
ip prefix-list LAB seq 5 permit 10.8.0.0/16 le 32
ip prefix-list BAD seq 5 permit 10.8.66.0/24 le 32
route-map IN permit 20
 match ip address prefix-list LAB
route-map IN deny 10
 match ip address prefix-list BAD
`);
  t.ok(apply(p, 'IN', route('10.8.0.0/32')), 'permitted by seq 20');
  t.equal(apply(p, 'IN', route('10.8.66.1/32')), null, 'seq 10 (written later) is tried first and denies');
  t.equal(apply(p, 'IN', route('192.0.2.0/24')), null, 'implicit deny at the end');
  t.equal(apply(p, 'IN', route('2001:db8::/32')), null, 'an IPv6 route never matches an IPv4 prefix list');
});

t.test('a missing prefix list never matches; a missing route map denies everything', async (t) => {
  const r = parseFrrPolicy('route-map IN permit 10\n match ip address prefix-list NOPE\n');
  t.ok(r.ok);
  if (!r.ok) return;
  t.match(r.warnings.join('\n'), /ip prefix-list NOPE does not exist/);
  t.equal(apply(r.policies, 'IN', route('10.8.0.0/32')), null);
  const missing = r.policies.routeMapPolicy('Nowhere', 'in');
  t.equal(missing(route('10.8.0.0/32'), ebgp), null);
  t.equal(missing.denyReason, 'route-map-missing');
  t.equal(r.policies.routeMapPolicy('IN', 'in'), r.policies.routeMapPolicy('IN', 'in'), 'one function per name and direction');
});

t.test('set local-preference and metric: absolute, +N, -N, clamped', async (t) => {
  const p = policies(`
route-map LP permit 10
 set local-preference 200
route-map LPADD permit 10
 set local-preference +4294967200
route-map LPSUB permit 10
 set local-preference -50
route-map MED permit 10
 set metric 10
route-map MEDADD permit 10
 set metric +5
route-map MEDSUB permit 10
 set metric -500
`);
  t.equal(get(apply(p, 'LP', route('10.0.0.0/8')), 'local-pref')?.localPref, 200);
  const withLp = route('10.0.0.0/8', [{ kind: 'local-pref', localPref: 100 }]);
  t.equal(get(apply(p, 'LPADD', withLp), 'local-pref')?.localPref, 0xffffffff, 'clamped at 2^32-1');
  t.equal(get(apply(p, 'LPSUB', withLp), 'local-pref')?.localPref, 50);
  t.equal(get(apply(p, 'LPSUB', route('10.0.0.0/8')), 'local-pref')?.localPref, 0, 'absent counts as 0, clamped at 0');
  t.equal(get(apply(p, 'MED', route('10.0.0.0/8')), 'multi-exit-disc')?.med, 10);
  const withMed = route('10.0.0.0/8', [{ kind: 'multi-exit-disc', med: 20 }]);
  t.equal(get(apply(p, 'MEDADD', withMed), 'multi-exit-disc')?.med, 25);
  t.equal(get(apply(p, 'MEDSUB', withMed), 'multi-exit-disc')?.med, 0);
  const same = route('10.0.0.0/8', [{ kind: 'multi-exit-disc', med: 10 }]);
  t.equal(apply(p, 'MED', same), same.attributes, 'setting the value it already has is no change');
  // New attributes go in type-code order (MED 4 before LOCAL_PREF 5 before COMMUNITIES 8).
  const out = apply(p, 'LP', route('10.0.0.0/8', [{ kind: 'multi-exit-disc', med: 1 }, { kind: 'communities', communities: [1] }]));
  t.same(out?.map((a) => a.kind), ['origin', 'as-path', 'next-hop', 'multi-exit-disc', 'local-pref', 'communities']);
});

t.test('new attributes keep type-code order around unknown ones', async (t) => {
  const p = policies('route-map LP permit 10\n set local-preference 120\n set large-community 1:2:3\n');
  const r = route('10.0.0.0/8', [
    { kind: 'unknown', typeCode: 30, value: Uint8Array.of(1), flags: 0xe0 },
    { kind: 'unknown', typeCode: 40, value: Uint8Array.of(2), flags: 0xe0 },
  ]);
  const out = apply(p, 'LP', r);
  t.same(
    out?.map((a) => (a.kind === 'unknown' ? a.typeCode : a.kind)),
    ['origin', 'as-path', 'next-hop', 'local-pref', 30, 'large-community', 40],
  );
  t.equal(out?.[4], r.attributes[3], 'untouched attributes are the same objects');
});

t.test('set origin', async (t) => {
  const p = policies('route-map O permit 10\n set origin incomplete\n');
  t.equal(get(apply(p, 'O', route('10.0.0.0/8')), 'origin')?.origin, 2);
});

t.test('set community: replace, additive, none; comm-list delete', async (t) => {
  const p = policies(`
bgp community-list standard OURS permit 65100:1
bgp community-list expanded FOREIGN permit ^65101:
route-map REPLACE permit 10
 set community 65100:2 65100:1 no-export
route-map ADD permit 10
 set community 65100:1 additive
route-map NONE permit 10
 set community none
route-map SCRUB permit 10
 set comm-list FOREIGN delete
route-map SCRUB-THEN-TAG permit 10
 set community 65100:1 additive
 set comm-list OURS delete
`);
  const r = route('10.0.0.0/8', [{ kind: 'communities', communities: [c(65101, 5), c(65101, 6), c(1, 1)] }]);
  t.same(get(apply(p, 'REPLACE', r), 'communities')?.communities, [c(65100, 1), c(65100, 2), 0xffffff01], 'sorted, as FRR stores them');
  t.same(get(apply(p, 'ADD', r), 'communities')?.communities, [c(1, 1), c(65100, 1), c(65101, 5), c(65101, 6)]);
  t.same(get(apply(p, 'ADD', route('10.0.0.0/8')), 'communities')?.communities, [c(65100, 1)], 'additive on none');
  t.equal(get(apply(p, 'NONE', r), 'communities'), undefined);
  const noComm = route('10.0.0.0/8');
  t.equal(apply(p, 'NONE', noComm), noComm.attributes, 'none on a route without communities changes nothing');
  t.same(get(apply(p, 'SCRUB', r), 'communities')?.communities, [c(1, 1)]);
  const onlyForeign = route('10.0.0.0/8', [{ kind: 'communities', communities: [c(65101, 5)] }]);
  t.equal(get(apply(p, 'SCRUB', onlyForeign), 'communities'), undefined, 'attribute removed when empty');
  // Deletion runs before addition whatever the order written, so the tag survives.
  const spoofed = route('10.0.0.0/8', [{ kind: 'communities', communities: [c(65100, 1), c(7, 7)] }]);
  t.same(get(apply(p, 'SCRUB-THEN-TAG', spoofed), 'communities')?.communities, [c(7, 7), c(65100, 1)]);
});

t.test('set large-community: replace, additive, none; large-comm-list delete', async (t) => {
  const p = policies(`
bgp large-community-list standard L1 permit 65100:1:1
route-map REPLACE permit 10
 set large-community 65100:9:9 65100:1:1
route-map ADD permit 10
 set large-community 65100:2:2 additive
route-map NONE permit 10
 set large-community none
route-map DEL permit 10
 set large-comm-list L1 delete
`);
  const r = route('10.0.0.0/8', [{ kind: 'large-community', communities: [[65100, 1, 1], [7, 7, 7]] }]);
  t.same(get(apply(p, 'REPLACE', r), 'large-community')?.communities, [[65100, 1, 1], [65100, 9, 9]]);
  t.same(get(apply(p, 'ADD', r), 'large-community')?.communities, [[7, 7, 7], [65100, 1, 1], [65100, 2, 2]]);
  t.equal(get(apply(p, 'NONE', r), 'large-community'), undefined);
  t.same(get(apply(p, 'DEL', r), 'large-community')?.communities, [[7, 7, 7]]);
});

t.test('set as-path prepend, last-as, exclude', async (t) => {
  const p = policies(`
route-map PREPEND permit 10
 set as-path prepend 65100 65100
route-map LAST permit 10
 set as-path prepend last-as 2
route-map EXCL permit 10
 set as-path exclude 65666
`);
  const r = route('10.0.0.0/8', [], [65101, 65666, 65102]);
  t.same(get(apply(p, 'PREPEND', r), 'as-path')?.segments, [{ type: 2, asns: [65100, 65100, 65101, 65666, 65102] }]);
  t.same(get(apply(p, 'LAST', r), 'as-path')?.segments, [{ type: 2, asns: [65101, 65101, 65101, 65666, 65102] }]);
  const local = route('10.0.0.0/8', [], []);
  t.equal(apply(p, 'LAST', local), local.attributes, 'last-as on an empty path does nothing');
  t.same(get(apply(p, 'PREPEND', local), 'as-path')?.segments, [{ type: 2, asns: [65100, 65100] }]);
  t.same(get(apply(p, 'EXCL', r), 'as-path')?.segments, [{ type: 2, asns: [65101, 65102] }]);
  t.equal(apply(p, 'EXCL', r, ibgp), r.attributes, 'exclude only applies on external sessions (FRR)');
});

t.test('set next-hop: address, peer-address (in/out), self, IPv6 in MP_REACH_NLRI', async (t) => {
  const p = policies(`
route-map NH permit 10
 set ip next-hop 192.0.2.1
route-map PEER permit 10
 set ip next-hop peer-address
route-map SELF permit 10
 set ip next-hop self
route-map NH6 permit 10
 set ipv6 next-hop global 2001:DB8::1
route-map SELF6 permit 10
 set ipv6 next-hop self
`);
  const r = route('10.0.0.0/8');
  t.equal(get(apply(p, 'NH', r), 'next-hop')?.nextHop, '192.0.2.1');
  const v6 = frozen<PolicyRoute>({
    prefix: prefix('2001:db8:100::/48'),
    attributes: [
      { kind: 'origin', origin: 0 },
      { kind: 'mp-reach-nlri', afi: 2, safi: 1, nextHop: ['2001:db8::15', 'fe80::15'], nlri: [] },
    ],
  });
  t.equal(apply(p, 'NH', v6), v6.attributes, 'an ip next-hop clause leaves IPv6 routes alone');
  t.same(get(apply(p, 'NH6', v6), 'mp-reach-nlri')?.nextHop, ['2001:db8::1', 'fe80::15'], 'global replaced, link-local kept');
  t.equal(apply(p, 'NH6', r), r.attributes, 'an ipv6 clause leaves IPv4 routes alone');
  const other = route('10.0.0.0/8', [], [65101]);
  const moved = { ...ebgp, address: '192.168.3.16' };
  t.equal(get(apply(p, 'PEER', other, moved, 'in'), 'next-hop')?.nextHop, '192.168.3.16', 'in: the peer address');
  t.equal(get(apply(p, 'PEER', other, moved, 'out'), 'next-hop')?.nextHop, '192.168.3.1', 'out: our address');
  t.equal(get(apply(p, 'SELF', other), 'next-hop')?.nextHop, '192.168.3.1');
  const noLocal: PolicyPeer = { address: '192.168.3.15', asn: 65101, localAsn: 65100, ibgp: false };
  t.equal(apply(p, 'SELF', other, noLocal), other.attributes, 'no local address known: unchanged');
  const perFamily: PolicyPeer = { ...noLocal, localAddress: { ipv4: '192.168.3.1', ipv6: '2001:db8::100' } };
  t.equal(get(apply(p, 'SELF6', v6, perFamily), 'mp-reach-nlri')?.nextHop[0], '2001:db8::100', 'per-family local addresses');
  t.equal(apply(p, 'SELF6', v6, ebgp), v6.attributes, 'an IPv4 local address is no IPv6 next hop');
});

t.test('match clauses of every kind', async (t) => {
  const p = policies(`
ip prefix-list NH seq 5 permit 192.168.3.0/24 le 32
ipv6 prefix-list V6 seq 5 permit 2001:db8::/32 le 128
bgp community-list standard CL permit 65000:1
bgp large-community-list standard LL permit 65000:1:1
bgp as-path access-list AP permit ^65101_
route-map NH permit 10
 match ip next-hop prefix-list NH
route-map V6 permit 10
 match ipv6 address prefix-list V6
route-map COMM permit 10
 match community CL
route-map EXACT permit 10
 match community CL exact-match
route-map LARGE permit 10
 match large-community LL
route-map AS permit 10
 match as-path AP
route-map MED permit 10
 match metric 0
route-map LP permit 10
 match local-preference 150
route-map ORIGIN permit 10
 match origin igp
route-map PEER permit 10
 match peer 192.168.3.15
route-map PEER6 permit 10
 match peer 2001:DB8:0::1
route-map BOTH permit 10
 match community CL
 match as-path AP
`);
  const r = route('10.0.0.0/8', [{ kind: 'communities', communities: [c(65000, 1), c(65000, 2)] }]);
  t.ok(apply(p, 'NH', r));
  const elsewhere = frozen<PolicyRoute>({ ...r, attributes: r.attributes.map((a) => (a.kind === 'next-hop' ? { kind: 'next-hop', nextHop: '10.9.9.9' } : a)) });
  t.notOk(apply(p, 'NH', elsewhere), 'next hop outside the list');
  t.ok(apply(p, 'V6', route('2001:db8:1::/48')));
  t.notOk(apply(p, 'V6', route('10.0.0.0/8')));
  t.ok(apply(p, 'COMM', r));
  t.notOk(apply(p, 'EXACT', r), 'an extra community');
  t.ok(apply(p, 'EXACT', route('10.0.0.0/8', [{ kind: 'communities', communities: [c(65000, 1)] }])));
  t.ok(apply(p, 'LARGE', route('10.0.0.0/8', [{ kind: 'large-community', communities: [[65000, 1, 1]] }])));
  t.notOk(apply(p, 'LARGE', r));
  t.ok(apply(p, 'AS', r));
  t.notOk(apply(p, 'AS', route('10.0.0.0/8', [], [65102, 65101])));
  t.ok(apply(p, 'MED', r), 'no MED compares as 0');
  t.notOk(apply(p, 'MED', route('10.0.0.0/8', [{ kind: 'multi-exit-disc', med: 5 }])));
  t.ok(apply(p, 'LP', route('10.0.0.0/8', [{ kind: 'local-pref', localPref: 150 }])));
  t.notOk(apply(p, 'LP', r));
  t.ok(apply(p, 'ORIGIN', r));
  t.notOk(apply(p, 'ORIGIN', { ...r, attributes: r.attributes.filter((a) => a.kind !== 'origin') }), 'absent ORIGIN is INCOMPLETE');
  t.ok(apply(p, 'PEER', r));
  t.notOk(apply(p, 'PEER', r, ibgp));
  t.ok(apply(p, 'PEER6', r, { ...ebgp, address: '2001:db8::1' }), 'IPv6 addresses compare in any spelling');
  t.ok(apply(p, 'BOTH', r), 'all clauses must match');
  t.notOk(apply(p, 'BOTH', route('10.0.0.0/8', [], [65101])));
});

t.test('on-match next and goto, continue', async (t) => {
  const p = policies(`
bgp community-list standard CL permit 65000:1
route-map NEXT permit 10
 set local-preference 200
 on-match next
route-map NEXT permit 20
 set metric 7
route-map NEXT-THEN-MISS permit 10
 set local-preference 200
 on-match next
route-map NEXT-THEN-MISS permit 20
 match community CL
 set metric 7
route-map LAST-NEXT permit 10
 set local-preference 200
 on-match next
route-map GOTO permit 10
 set local-preference 200
 on-match goto 30
route-map GOTO deny 20
route-map GOTO permit 30
 set metric 3
route-map GOTO-PAST permit 10
 set local-preference 200
 on-match goto 100
route-map GOTO-PAST deny 20
route-map CONT permit 10
 set local-preference 300
 continue 25
route-map CONT deny 20
route-map CONT permit 30
 set metric 9
`);
  const r = route('10.0.0.0/8');
  const both = apply(p, 'NEXT', r);
  t.equal(get(both, 'local-pref')?.localPref, 200);
  t.equal(get(both, 'multi-exit-disc')?.med, 7, 'sets of both entries');
  // FRR: after on-match next, a later entry that does not match turns the result into deny.
  t.equal(apply(p, 'NEXT-THEN-MISS', r), null);
  const tagged = route('10.0.0.0/8', [{ kind: 'communities', communities: [c(65000, 1)] }]);
  t.equal(get(apply(p, 'NEXT-THEN-MISS', tagged), 'multi-exit-disc')?.med, 7);
  t.equal(get(apply(p, 'LAST-NEXT', r), 'local-pref')?.localPref, 200, 'running off the end from a permit keeps it');
  const g = apply(p, 'GOTO', r);
  t.equal(get(g, 'multi-exit-disc')?.med, 3, 'goto skips the deny at 20');
  t.equal(get(apply(p, 'GOTO-PAST', r), 'local-pref')?.localPref, 200, 'goto past the end: permit');
  const cont = apply(p, 'CONT', r);
  t.equal(get(cont, 'local-pref')?.localPref, 300);
  t.equal(get(cont, 'multi-exit-disc')?.med, 9, 'continue 25 lands on the first entry ≥ 25');
});

t.test('call', async (t) => {
  const p = policies(`
ip prefix-list BAD seq 5 permit 10.66.0.0/16 le 32
route-map SUB deny 10
 match ip address prefix-list BAD
route-map SUB permit 20
 set community 65100:7
route-map MAIN permit 10
 set local-preference 150
 call SUB
route-map GHOST permit 10
 set metric 1
 call NOWHERE
route-map LOOP permit 10
 call LOOP
`);
  const ok = apply(p, 'MAIN', route('10.8.0.0/16'));
  t.equal(get(ok, 'local-pref')?.localPref, 150);
  t.same(get(ok, 'communities')?.communities, [c(65100, 7)], 'the called map sets on the same route');
  t.equal(apply(p, 'MAIN', route('10.66.1.0/24')), null, 'the called map denies: deny');
  t.equal(get(apply(p, 'GHOST', route('10.8.0.0/16')), 'multi-exit-disc')?.med, 1, 'a missing called map is ignored');
  t.equal(apply(p, 'LOOP', route('10.8.0.0/16')), null, 'recursion beyond the limit denies');
  const r = parseFrrPolicy('route-map LOOP permit 10\n call LOOP\n');
  t.ok(r.ok && r.warnings.some((w) => /calls itself/.test(w)));
});

t.test('a route map without entries denies', async (t) => {
  const p = new PolicySet({ prefixLists: [], communityLists: [], largeCommunityLists: [], asPathLists: [], routeMaps: [{ name: 'EMPTY', entries: [] }] });
  t.equal(apply(p, 'EMPTY', route('10.0.0.0/8')), null);
});

t.test('explain lists the entries tried', async (t) => {
  const p = policies('ip prefix-list PL seq 5 permit 10.0.0.0/8\nroute-map M deny 5\n match ip address prefix-list PL\nroute-map M permit 10\n');
  const map = p.routeMap('M');
  t.ok(map);
  const e = map?.explain(route('192.0.2.0/24'), ebgp, 'in');
  t.same(e?.steps, [
    { map: 'M', seq: 5, matched: false },
    { map: 'M', seq: 10, matched: true },
  ]);
  t.ok(e?.result);
});

t.test('a policy is an ordinary function for the RIB', async (t) => {
  const p = policies('route-map LP permit 10\n set local-preference 120\n');
  const policy: Policy = p.routeMapPolicy('LP', 'in');
  const r = route('10.0.0.0/8');
  const out = policy(r, ibgp);
  t.not(out, r.attributes, 'a changed route is a new array');
  t.equal(r.attributes.length, 3, 'the input is untouched');
  t.equal(get(out, 'local-pref')?.localPref, 120);
});
