// tsbgpd's plain-object policy form: it yields the same definition as the equivalent FRR text, mixes IPv4 and
// IPv6 in one prefix list, and reports every error with the path of the field at fault.
import t from 'tap';
import { parseFrrPolicy, parsePlainPolicy } from '../../lib/policy/index.js';
import type { PathAttribute } from '../../lib/wire/index.js';
import type { PlainParseResult, PlainPolicyConfig, PolicyDefinition } from '../../lib/policy/index.js';

function ok(r: PlainParseResult): PolicyDefinition {
  if (!r.ok) throw new Error(`unexpected errors: ${JSON.stringify(r.errors)}`);
  return r.definition;
}

t.test('the same configuration as FRR text gives the same definition', async (t) => {
  const text = `
ip prefix-list LAB seq 5 permit 10.8.0.0/16 le 32
ip prefix-list LAB seq 10 deny 0.0.0.0/0 le 32
bgp community-list standard CL permit 65000:1 no-export
bgp community-list expanded CX seq 7 deny ^65001:
bgp large-community-list standard LL permit 65000:1:2
bgp as-path access-list AP permit ^65101_
route-map Permit-Any permit 100
route-map IN permit 10
 match ip address prefix-list LAB
 match community CL exact-match
 match as-path AP
 set local-preference +10
 set metric 5
 set origin igp
 set community 65100:1 additive
 set comm-list CX delete
 set large-community 65100:1:1
 set as-path prepend 65100
 set ip next-hop 192.0.2.1
 on-match goto 30
route-map IN deny 20
 match large-community LL any
route-map IN permit 30
 set as-path prepend last-as 2
 call Permit-Any
`;
  const plain: PlainPolicyConfig = {
    prefixLists: {
      LAB: [
        { seq: 5, action: 'permit', prefix: '10.8.0.0/16', le: 32 },
        { seq: 10, action: 'deny', prefix: '0.0.0.0/0', le: 32 },
      ],
    },
    communityLists: {
      CL: [{ action: 'permit', communities: ['no-export', '65000:1'] }],
      CX: [{ seq: 7, action: 'deny', regex: '^65001:' }],
    },
    largeCommunityLists: { LL: [{ action: 'permit', communities: ['65000:1:2'] }] },
    asPathLists: { AP: [{ action: 'permit', regex: '^65101_' }] },
    routeMaps: {
      'Permit-Any': [{ seq: 100, action: 'permit' }],
      IN: [
        {
          seq: 10,
          action: 'permit',
          match: { ipPrefixList: 'LAB', community: { list: 'CL', exactMatch: true }, asPath: 'AP' },
          set: {
            localPreference: '+10',
            metric: 5,
            origin: 'igp',
            community: { values: ['65100:1'], additive: true },
            communityDelete: 'CX',
            largeCommunity: ['65100:1:1'],
            asPathPrepend: [65100],
            nextHop: '192.0.2.1',
          },
          onMatch: { goto: 30 },
        },
        { seq: 20, action: 'deny', match: { largeCommunity: { list: 'LL', any: true } } },
        { seq: 30, action: 'permit', set: { asPathPrepend: { lastAs: 2 } }, call: 'Permit-Any' },
      ],
    },
  };
  const fromText = parseFrrPolicy(text);
  t.ok(fromText.ok);
  if (!fromText.ok) return;
  const fromPlain = ok(parsePlainPolicy(JSON.parse(JSON.stringify(plain))));
  t.same(fromPlain, fromText.definition);
});

t.test('one prefix list for both families; match.prefixList takes the route family', async (t) => {
  const r = parsePlainPolicy({
    prefixLists: {
      POOLS: [
        { action: 'permit', prefix: '10.8.0.0/16', le: 32 },
        { action: 'permit', prefix: '2001:db8:8::/48', le: 128 },
      ],
    },
    routeMaps: { OUT: [{ seq: 10, action: 'permit', match: { prefixList: 'POOLS' }, set: { nextHop: 'self' } }] },
  });
  const def = ok(r);
  t.same(
    def.prefixLists.map((p) => [p.name, p.afi, p.entries.map((e) => e.seq)]),
    [
      ['POOLS', 1, [5]],
      ['POOLS', 2, [5]],
    ],
  );
  if (!r.ok) return;
  const policy = r.policies.routeMapPolicy('OUT', 'out');
  const peer = { address: '192.168.3.1', asn: 65100, localAsn: 65101, ibgp: false, localAddress: { ipv4: '192.168.3.15', ipv6: '2001:db8::15' } };
  const attrs: PathAttribute[] = [{ kind: 'origin', origin: 0 }];
  const v4 = policy({ prefix: { afi: 1, address: '10.8.0.0', length: 32 }, attributes: attrs }, peer);
  t.same(v4?.find((a) => a.kind === 'next-hop'), { kind: 'next-hop', nextHop: '192.168.3.15' });
  t.ok(policy({ prefix: { afi: 2, address: '2001:db8:8::1', length: 128 }, attributes: attrs }, peer));
  t.equal(policy({ prefix: { afi: 2, address: '2001:db8:9::', length: 48 }, attributes: attrs }, peer), null);
  t.equal(policy({ prefix: { afi: 1, address: '10.9.0.0', length: 32 }, attributes: attrs }, peer), null);
});

t.test('validation errors carry field paths', async (t) => {
  const r = parsePlainPolicy({
    prefixLists: {
      EMPTY: [],
      PL: [
        { seq: 5, action: 'permit', prefix: '10.9.0.0/16' },
        { seq: 5, action: 'permit', prefix: '10.8.0.0/16', le: 16 },
        { seq: 6, action: 'permit', prefix: '10.8.0.0/16', le: 8 },
        { action: 'allow', prefix: '10.10.0.0/16' },
        { action: 'permit', prefix: 'any' },
        { action: 'permit', prefix: '10.11.0.0/16', ge: 'x' },
        { action: 'permit', prefix: '10.12.0.0/16', colour: 'red' },
      ],
    },
    communityLists: {
      MIXED: [
        { action: 'permit', communities: ['65000:1'] },
        { action: 'permit', regex: '^1' },
      ],
      BAD: [{ action: 'permit', communities: ['65000:99999'] }],
      BOTH: [{ action: 'permit', communities: ['1:1'], regex: '^1' }],
    },
    asPathLists: { AP: [{ action: 'permit', regex: '[' }] },
    routeMaps: {
      'Has Space': [],
      RM: [
        { seq: 10, action: 'permit', match: { prefixList: 'PL', colour: 'red' } },
        { seq: 10, action: 'deny' },
        { action: 'permit' },
        { seq: 20, action: 'permit', set: { localPreference: 'lots', weight: 5, community: 'some' } },
        { seq: 30, action: 'permit', set: { nextHop: 'router' }, onMatch: { goto: 25 } },
        { seq: 40, action: 'permit', match: { community: { list: 'C', exactMatch: true, any: true } } },
        { seq: 50, action: 'permit', set: { asPathPrepend: { lastAs: 11 }, asPathExclude: ['x'] } },
        { seq: 60, action: 'permit', match: { origin: 'bgp', peer: 'nobody' }, onMatch: 'later' },
      ],
    },
    extra: true,
  });
  t.notOk(r.ok);
  if (r.ok) return;
  const paths = new Map(r.errors.map((e) => [e.path, e.message]));
  const expect: [string, RegExp][] = [
    ['prefixLists.EMPTY', /empty prefix list would permit every prefix/],
    ['prefixLists.PL[1].seq', /sequence number 5 is also used by entry \[0\]/],
    ['prefixLists.PL[2]', /mask length \(16\) <= ge <= le/],
    ['prefixLists.PL[3].action', /permit or deny/],
    ['prefixLists.PL[4].prefix', /"any" has no family/],
    ['prefixLists.PL[5].ge', /ge must be an integer/],
    ['prefixLists.PL[6].colour', /unknown field/],
    ['communityLists.MIXED[1]', /standard or expanded, not both/],
    ['communityLists.BAD[0].communities', /not a community: "65000:99999"/],
    ['communityLists.BOTH[0]', /either communities \(standard\) or regex/],
    ['asPathLists.AP[0].regex', /unterminated bracket/],
    ['routeMaps["Has Space"]', /must be a name/],
    ['routeMaps.RM[0].match.colour', /unknown field/],
    ['routeMaps.RM[1].seq', /also used by entry \[0\]/],
    ['routeMaps.RM[2].seq', /seq must be an integer from 1 to 65535/],
    ['routeMaps.RM[3].set.localPreference', /localPreference must be a value/],
    ['routeMaps.RM[3].set.weight', /weight is local to a router/],
    ['routeMaps.RM[3].set.community', /list of values, "none", or \{ values, additive \}/],
    ['routeMaps.RM[4].set.nextHop', /address, peer-address or self/],
    ['routeMaps.RM[4].onMatch.goto', /cannot jump backwards/],
    ['routeMaps.RM[5].match.community', /exclude each other/],
    ['routeMaps.RM[6].set.asPathPrepend.lastAs', /from 1 to 10/],
    ['routeMaps.RM[6].set.asPathExclude', /not an AS number/],
    ['routeMaps.RM[7].match.origin', /igp, egp or incomplete/],
    ['routeMaps.RM[7].match.peer', /IPv4 or IPv6 address/],
    ['routeMaps.RM[7].onMatch', /"next" or \{ goto: SEQ \}/],
    ['extra', /unknown field/],
  ];
  for (const [path, re] of expect) t.match(paths.get(path), re, path);
  t.equal(r.errors.length, expect.length, 'no other errors');
});

t.test('shape errors at the top', async (t) => {
  const notObject = parsePlainPolicy([1, 2]);
  t.same(!notObject.ok && notObject.errors, [{ path: '', message: 'must be an object' }]);
  const listsNotMapping = parsePlainPolicy({ routeMaps: ['x'], prefixLists: { PL: { action: 'permit' } } });
  t.same(
    !listsNotMapping.ok && listsNotMapping.errors.map((e) => e.path),
    ['prefixLists.PL', 'routeMaps'],
  );
  t.ok(parsePlainPolicy(undefined).ok, 'no policy configuration is an empty one');
  t.ok(parsePlainPolicy({}).ok);
});

t.test('warnings: dangling references and host bits', async (t) => {
  const r = parsePlainPolicy({
    prefixLists: { PL: [{ action: 'permit', prefix: '10.8.0.1/16' }] },
    routeMaps: { RM: [{ seq: 10, action: 'permit', match: { asPath: 'NOPE' }, call: 'GONE' }] },
  });
  t.ok(r.ok);
  const w = r.warnings.join('\n');
  t.match(w, /prefixLists\.PL\[0\]: prefix changed from 10\.8\.0\.1\/16 to 10\.8\.0\.0\/16/);
  t.match(w, /route-map RM seq 10: as-path access-list NOPE does not exist/);
  t.match(w, /call GONE: route-map does not exist/);
});
