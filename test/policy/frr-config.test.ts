// The FRR-style text front end: every object kind, FRR's re-entry rules (same seq replaces, automatic seq,
// duplicates ignored, a second match of a kind replaces the first), pfSense's configuration, and errors with line
// numbers.
import t from 'tap';
import { parseFrrPolicy } from '../../lib/policy/index.js';
import type { FrrParseResult, PolicyDefinition } from '../../lib/policy/index.js';

function ok(r: FrrParseResult): PolicyDefinition {
  if (!r.ok) throw new Error(`unexpected errors: ${JSON.stringify(r.errors)}`);
  return r.definition;
}

t.test('the seed pfSense configuration', async (t) => {
  const text = `
frr version 8.4
frr defaults traditional
!
router bgp 65100
 bgp router-id 192.168.3.1
 no bgp ebgp-requires-policy
 neighbor rubrik-metallb peer-group
 neighbor rubrik-metallb remote-as 65101
 neighbor 192.168.3.15 peer-group rubrik-metallb
 !
 address-family ipv4 unicast
  neighbor rubrik-metallb activate
  neighbor rubrik-metallb route-map Permit-Any in
  neighbor rubrik-metallb route-map Permit-Any out
 exit-address-family
exit
!
route-map Permit-Any permit 100
exit
!
line vty
!
`;
  const strict = parseFrrPolicy(text);
  t.notOk(strict.ok, 'router bgp is not a policy command');
  if (!strict.ok) t.equal(strict.errors[0]?.line, 2);
  const r = parseFrrPolicy(text, { ignoreUnknown: true });
  const def = ok(r);
  t.same(def.routeMaps, [{ name: 'Permit-Any', entries: [{ seq: 100, action: 'permit', match: [], set: [] }] }]);
  if (r.ok) t.ok(r.policies.routeMap('Permit-Any'));
});

t.test('prefix lists', async (t) => {
  const r = parseFrrPolicy(`
ip prefix-list PL seq 5 permit 10.8.0.0/16 le 32
ip prefix-list PL deny 10.9.0.0/16 ge 24 le 28
ip prefix-list PL permit any
ip prefix-list PL description lab addresses
ipv6 prefix-list PL seq 10 permit 2001:db8::/32 le 64
ip prefix-list HOST permit 10.8.0.1/16
`);
  const def = ok(r);
  t.same(def.prefixLists, [
    {
      name: 'PL',
      afi: 1,
      description: 'lab addresses',
      entries: [
        { seq: 5, action: 'permit', prefix: '10.8.0.0/16', le: 32 },
        { seq: 10, action: 'deny', prefix: '10.9.0.0/16', ge: 24, le: 28 },
        { seq: 15, action: 'permit', prefix: '0.0.0.0/0', le: 32 },
      ],
    },
    { name: 'PL', afi: 2, entries: [{ seq: 10, action: 'permit', prefix: '2001:db8::/32', le: 64 }] },
    { name: 'HOST', afi: 1, entries: [{ seq: 5, action: 'permit', prefix: '10.8.0.0/16' }] },
  ]);
  t.match(r.ok && r.warnings.join('\n'), /line 7: ip prefix-list HOST: prefix changed from 10\.8\.0\.1\/16 to 10\.8\.0\.0\/16/);
});

t.test('FRR re-entry rules for lists', async (t) => {
  const r = parseFrrPolicy(`
ip prefix-list PL seq 12 permit 10.0.0.0/8
ip prefix-list PL permit 10.1.0.0/16
ip prefix-list PL seq 12 deny 10.0.0.0/8
ip prefix-list PL permit 10.1.0.0/16
bgp as-path access-list AP permit ^65101_
bgp as-path access-list AP permit ^65101_
`);
  const def = ok(r);
  t.same(def.prefixLists[0]?.entries, [
    { seq: 12, action: 'deny', prefix: '10.0.0.0/8' },
    { seq: 15, action: 'permit', prefix: '10.1.0.0/16' },
  ], 'automatic seq is the next multiple of 5; the same seq replaces; a repeat is ignored');
  t.same(def.asPathLists, [{ name: 'AP', entries: [{ seq: 5, action: 'permit', regex: '^65101_' }] }]);
  t.equal(r.ok && r.warnings.filter((w) => /duplicate of seq/.test(w)).length, 2);
  const dupWithSeq = parseFrrPolicy('ip prefix-list PL seq 5 permit 10.0.0.0/8\nip prefix-list PL seq 10 permit 10.0.0.0/8\n');
  t.notOk(dupWithSeq.ok, 'an explicit seq that repeats another entry is an error');
});

t.test('community, large community and AS-path lists', async (t) => {
  const def = ok(
    parseFrrPolicy(`
bgp community-list standard CL seq 5 permit 65000:2 65000:1 no-export
bgp community-list expanded CX permit ^65000:[0-9]+ _65001:
bgp community-list 10 deny local-AS
bgp community-list 110 permit .*
bgp large-community-list standard LL permit 65000:1:2
bgp large-community-list expanded LX deny ^65000:
ip community-list standard OLD permit 1:1
ip as-path access-list OLDAP deny _666_
bgp as-path access-list AP seq 20 deny ^$
`),
  );
  t.same(def.communityLists, [
    { name: 'CL', style: 'standard', entries: [{ seq: 5, action: 'permit', values: [65000 * 65536 + 1, 65000 * 65536 + 2, 0xffffff01] }] },
    { name: 'CX', style: 'expanded', entries: [{ seq: 5, action: 'permit', regex: '^65000:[0-9]+ _65001:' }] },
    { name: '10', style: 'standard', entries: [{ seq: 5, action: 'deny', values: [0xffffff03] }] },
    { name: '110', style: 'expanded', entries: [{ seq: 5, action: 'permit', regex: '.*' }] },
    { name: 'OLD', style: 'standard', entries: [{ seq: 5, action: 'permit', values: [65537] }] },
  ]);
  t.same(def.largeCommunityLists, [
    { name: 'LL', style: 'standard', entries: [{ seq: 5, action: 'permit', values: [[65000, 1, 2]] }] },
    { name: 'LX', style: 'expanded', entries: [{ seq: 5, action: 'deny', regex: '^65000:' }] },
  ]);
  t.same(def.asPathLists, [
    { name: 'OLDAP', entries: [{ seq: 5, action: 'deny', regex: '_666_' }] },
    { name: 'AP', entries: [{ seq: 20, action: 'deny', regex: '^$' }] },
  ]);
});

t.test('route maps: clauses, replacement, canonical order, re-entry', async (t) => {
  const def = ok(
    parseFrrPolicy(`
route-map RM permit 10
 description tag and prefer
 set community 65100:1 additive
 match community CL
 match ip address prefix-list A
 match ip address prefix-list B
 set local-preference 200
 set as-path prepend 65100 65100
 on-match goto 30
route-map RM permit 20
match origin egp
continue
route-map RM deny 30
route-map RM permit 10
 set metric -5
route-map RM permit 20
route-map RM permit 20
 call OTHER
`),
  );
  const [e10, e20, e30] = def.routeMaps[0]?.entries ?? [];
  t.same(e10, {
    seq: 10,
    action: 'permit',
    description: 'tag and prefer',
    match: [
      { kind: 'prefix-list', family: 'ipv4', list: 'B' },
      { kind: 'community', list: 'CL', mode: 'default' },
    ],
    set: [
      { kind: 'local-preference', value: { op: 'set', value: 200 } },
      { kind: 'metric', value: { op: 'subtract', value: 5 } },
      { kind: 'as-path-prepend', asns: [65100, 65100] },
      { kind: 'community', values: [65100 * 65536 + 1], additive: true },
    ],
    onMatch: { kind: 'goto', seq: 30 },
  }, 'a later match of the same kind replaces; sets in canonical order; re-entering adds to the entry');
  t.same(e20, { seq: 20, action: 'permit', match: [{ kind: 'origin', origin: 1 }], set: [], onMatch: { kind: 'next' }, call: 'OTHER' });
  t.same(e30, { seq: 30, action: 'deny', match: [], set: [] });
  const reset = ok(parseFrrPolicy('route-map X permit 10\n set metric 1\nroute-map X deny 10\n'));
  t.same(reset.routeMaps[0]?.entries, [{ seq: 10, action: 'deny', match: [], set: [] }], 'the other action starts afresh');
});

t.test('every supported match and set line parses', async (t) => {
  const lines = [
    'match ip address prefix-list P',
    'match ipv6 address prefix-list P',
    'match ip next-hop prefix-list P',
    'match ipv6 next-hop prefix-list P',
    'match community C exact-match',
    'match large-community L any',
    'match as-path A',
    'match metric 0',
    'match local-preference 100',
    'match origin incomplete',
    'match peer 2001:db8::1',
    'set local-preference +10',
    'set metric 4294967295',
    'set origin igp',
    'set community none',
    'set comm-list C delete',
    'set large-community 1:2:3 4:5:6 additive',
    'set large-comm-list L delete',
    'set as-path prepend last-as 3',
    'set as-path exclude 65000 64512.1',
    'set as-path exclude all',
    'set ip next-hop peer-address',
    'set ipv6 next-hop global 2001:db8::1',
    'set ipv6 next-hop peer-address',
    'on-match next',
    'continue 20',
  ];
  for (const line of lines) {
    const r = parseFrrPolicy(`route-map M permit 10\n ${line}\n`);
    t.ok(r.ok, line);
  }
  const asdot = ok(parseFrrPolicy('route-map M permit 10\n set as-path exclude 64512.1\n'));
  t.same(asdot.routeMaps[0]?.entries[0]?.set, [{ kind: 'as-path-exclude', asns: [64512 * 65536 + 1] }], 'asdot ASNs');
});

t.test('errors name the line and say why', async (t) => {
  const text = [
    'ip prefix-list PL seq 5 permit 10.8.0.0/33', // 1
    'ip prefix-list PL seq 6 permit 10.8.0.0/16 ge 8', // 2
    'ip prefix-list PL seq 7 permit 10.8.0.0/16 le 24 ge 28', // 3
    'ipv6 prefix-list P6 permit 10.0.0.0/8', // 4
    'ip prefix-list PL seq 0 permit 10.0.0.0/8', // 5
    'ip prefix-list PL allow 10.0.0.0/8', // 6
    'match community CL', // 7
    'route-map RM permit 70000', // 8
    'route-map RM permit 10', // 9
    ' match ip address ACL', // 10
    ' set weight 100', // 11
    ' set local-preference lots', // 12
    ' on-match goto 5', // 13
    ' match tag 7', // 14
    ' set community 65000:1 bogus', // 15
    'bgp community-list standard CL permit 65000:1', // 16
    'bgp community-list expanded CL permit ^1', // 17
    'bgp as-path access-list AP permit ^(65101', // 18
    'bgp as-path access-list AP permit \\d+', // 19
    'router ospf', // 20
    'no route-map RM', // 21
    'bgp large-community-list standard LL permit 1:2', // 22
    'ip prefix-list PL permit any ge 8', // 23
    'route-map RM2 permit 10', // 24
    ' set ip next-hop 2001:db8::1', // 25
    ' set as-path prepend last-as 11', // 26
  ].join('\n');
  const r = parseFrrPolicy(text);
  t.notOk(r.ok);
  if (r.ok) return;
  const lines = r.errors.map((e) => e.line);
  t.same(lines, [1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20, 21, 22, 23, 25, 26]);
  const byLine = new Map(r.errors.map((e) => [e.line, e.message]));
  t.match(byLine.get(1), /prefix/);
  t.match(byLine.get(2), /mask length \(16\) <= ge <= le/);
  t.match(byLine.get(3), /ge is greater than le/);
  t.match(byLine.get(4), /IPv6 prefix/);
  t.match(byLine.get(5), /seq must be an integer from 1/);
  t.match(byLine.get(6), /permit or deny/);
  t.match(byLine.get(7), /outside a route-map/);
  t.match(byLine.get(8), /1 to 65535/);
  t.match(byLine.get(10), /access list is not supported/);
  t.match(byLine.get(11), /weight is not supported/);
  t.match(byLine.get(12), /local-preference must be a value/);
  t.match(byLine.get(13), /cannot jump backwards/);
  t.match(byLine.get(14), /unsupported match clause/);
  t.match(byLine.get(15), /not a community: "bogus"/);
  t.match(byLine.get(17), /CL is standard/);
  t.match(byLine.get(18), /invalid regular expression/);
  t.match(byLine.get(19), /not POSIX/);
  t.match(byLine.get(20), /not a policy command/);
  t.match(byLine.get(21), /"no" commands/);
  t.match(byLine.get(22), /not a large community/);
  t.match(byLine.get(23), /"any" takes no ge\/le/);
  t.match(byLine.get(25), /not an IPv4 address/);
  t.match(byLine.get(26), /last-as must be an integer from 1 to 10/);
  t.equal(r.errors[0]?.text, 'ip prefix-list PL seq 5 permit 10.8.0.0/33', 'the offending line, trimmed');
});

t.test('comments, blank lines, CRLF and exit', async (t) => {
  const def = ok(parseFrrPolicy('! comment\r\n# another\r\n\r\nroute-map A permit 10\r\n set metric 1\r\nexit\r\nroute-map B permit 10\r\n'));
  t.same(def.routeMaps.map((m) => m.name), ['A', 'B']);
  const after = parseFrrPolicy('route-map A permit 10\nexit\n set metric 1\n');
  t.notOk(after.ok, 'a set after exit is outside the route map');
});
