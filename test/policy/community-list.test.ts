// Community and large community lists with FRR's semantics (bgpd/bgp_clist.c): standard entries need all their
// values, exact-match needs set equality, any needs one value; expanded entries search the sorted text with
// well-known names; deletion removes what the first matching entry permits.
import t from 'tap';
import { CommunityList, LargeCommunityList } from '../../lib/policy/index.js';
import type { CommunityListEntry, LargeCommunityValue } from '../../lib/policy/index.js';

const c = (asn: number, v: number): number => asn * 65536 + v;
const NO_EXPORT = 0xffffff01;
const NO_ADVERTISE = 0xffffff02;
const BLACKHOLE = 0xffff029a;

function std(seq: number, action: 'permit' | 'deny', ...values: number[]): CommunityListEntry<number> {
  return { seq, action, values };
}
function exp(seq: number, action: 'permit' | 'deny', regex: string): CommunityListEntry<number> {
  return { seq, action, regex };
}

t.test('standard: every value of the entry must be present', async (t) => {
  const list = new CommunityList({ name: 'CL', style: 'standard', entries: [std(5, 'permit', c(65000, 1), c(65000, 2))] });
  t.ok(list.matches([c(65000, 2), c(65000, 1)], 'default'));
  t.ok(list.matches([c(65000, 1), c(65000, 3), c(65000, 2)], 'default'), 'extra values are fine');
  t.notOk(list.matches([c(65000, 1)], 'default'));
  t.notOk(list.matches(undefined, 'default'), 'no COMMUNITIES attribute');
});

t.test('standard: first matching entry decides, none → no match', async (t) => {
  const list = new CommunityList({
    name: 'CL',
    style: 'standard',
    entries: [std(5, 'deny', NO_EXPORT), std(10, 'permit', c(65000, 1))],
  });
  t.notOk(list.matches([c(65000, 1), NO_EXPORT], 'default'), 'seq 5 denies');
  t.ok(list.matches([c(65000, 1)], 'default'));
  t.notOk(list.matches([c(65000, 2)], 'default'));
});

t.test('well-known communities by value', async (t) => {
  const list = new CommunityList({ name: 'WK', style: 'standard', entries: [std(5, 'permit', BLACKHOLE)] });
  t.ok(list.matches([BLACKHOLE], 'default'));
  t.notOk(list.matches([NO_ADVERTISE], 'default'));
});

t.test('exact-match: the same set of values', async (t) => {
  const list = new CommunityList({ name: 'CL', style: 'standard', entries: [std(5, 'permit', c(65000, 1), c(65000, 2))] });
  t.ok(list.matches([c(65000, 2), c(65000, 1)], 'exact'), 'order does not matter');
  t.ok(list.matches([c(65000, 2), c(65000, 1), c(65000, 1)], 'exact'), 'duplicates do not matter');
  t.notOk(list.matches([c(65000, 1), c(65000, 2), c(65000, 3)], 'exact'), 'an extra value does');
  t.notOk(list.matches([c(65000, 1)], 'exact'));
  t.notOk(list.matches(undefined, 'exact'));
});

t.test('any: some value of the route is listed', async (t) => {
  const list = new CommunityList({ name: 'CL', style: 'standard', entries: [std(5, 'permit', c(65000, 1), c(65000, 2))] });
  t.ok(list.matches([c(65000, 2), c(1, 1)], 'any'));
  t.notOk(list.matches([c(1, 1)], 'any'));
  t.notOk(list.matches(undefined, 'any'));
  const re = new CommunityList({ name: 'CX', style: 'expanded', entries: [exp(5, 'permit', '^65000:')] });
  t.ok(re.matches([c(1, 1), c(65000, 7)], 'any'), 'regex against each value alone');
});

t.test('expanded: regex over the sorted text with names', async (t) => {
  const list = new CommunityList({
    name: 'CX',
    style: 'expanded',
    entries: [exp(5, 'deny', 'no-export'), exp(10, 'permit', '^65000:1 65000:2$'), exp(15, 'permit', '^$')],
  });
  t.ok(list.matches([c(65000, 2), c(65000, 1)], 'default'), 'text is sorted: "65000:1 65000:2"');
  t.notOk(list.matches([c(65000, 1), c(65000, 2), NO_EXPORT], 'default'), 'no-export printed by name, seq 5 denies');
  t.ok(list.matches(undefined, 'default'), '^$ matches a route without communities');
  t.notOk(list.matches([c(65000, 3)], 'default'));
  const underscore = new CommunityList({ name: 'U', style: 'expanded', entries: [exp(5, 'permit', '_65000:2_')] });
  t.ok(underscore.matches([c(65000, 1), c(65000, 2), c(65000, 3)], 'default'));
  t.notOk(underscore.matches([c(65000, 22)], 'default'));
  const internet = new CommunityList({ name: 'I', style: 'expanded', entries: [exp(5, 'permit', '^internet$')] });
  t.ok(internet.matches([0], 'default'), '0:0 prints as internet in the full text');
});

t.test('results are cached per attribute object but stay correct', async (t) => {
  const list = new CommunityList({ name: 'CL', style: 'standard', entries: [std(5, 'permit', c(65000, 1))] });
  const a = { kind: 'communities' as const, communities: [c(65000, 1)] };
  const b = { kind: 'communities' as const, communities: [c(65000, 2)] };
  t.ok(list.matches(a.communities, 'default', a));
  t.notOk(list.matches(b.communities, 'default', b));
  t.ok(list.matches(a.communities, 'default', a), 'cached');
  const ab = { kind: 'communities' as const, communities: [c(65000, 1), c(65000, 2)] };
  t.ok(list.matches(ab.communities, 'default', ab));
  t.notOk(list.matches(ab.communities, 'exact', ab), 'modes are cached apart');
});

t.test('delete: values whose first matching entry permits', async (t) => {
  const list = new CommunityList({
    name: 'DEL',
    style: 'standard',
    entries: [std(5, 'deny', c(65000, 100)), std(10, 'permit', c(65000, 100), c(65000, 1), c(65000, 2))],
  });
  // FRR tests each value alone against each entry: a standard entry matches a value it lists.
  t.same(list.deleteFrom([c(65000, 2), c(65000, 1), c(65000, 100), c(1, 1)]), [c(1, 1), c(65000, 100)], 'sorted result');
  const values = [c(9, 9)];
  t.equal(list.deleteFrom(values), values, 'nothing deleted: the same array');
  const rx = new CommunityList({ name: 'RX', style: 'expanded', entries: [exp(5, 'permit', '^65000:')] });
  t.same(rx.deleteFrom([c(65000, 1), c(65001, 1), c(65000, 5)]), [c(65001, 1)]);
  t.same(rx.deleteFrom([c(65000, 1)]), [], 'everything removed');
});

t.test('large community lists', async (t) => {
  const v = (a: number, b: number, d: number): LargeCommunityValue => [a, b, d];
  const list = new LargeCommunityList({
    name: 'LL',
    style: 'standard',
    entries: [{ seq: 5, action: 'permit', values: [v(65000, 1, 2), v(65000, 3, 4)] }],
  });
  t.ok(list.matches([v(65000, 3, 4), v(65000, 1, 2), v(1, 1, 1)], 'default'));
  t.notOk(list.matches([v(65000, 1, 2)], 'default'));
  t.ok(list.matches([v(65000, 3, 4), v(65000, 1, 2)], 'exact'));
  t.notOk(list.matches([v(65000, 3, 4), v(65000, 1, 2), v(1, 1, 1)], 'exact'));
  t.ok(list.matches([v(65000, 1, 2)], 'any'));
  t.notOk(list.matches(undefined, 'default'));
  const rx = new LargeCommunityList({ name: 'LX', style: 'expanded', entries: [{ seq: 5, action: 'permit', regex: '^4200000000:1:2 ' }] });
  t.ok(rx.matches([v(4200000001, 0, 0), v(4200000000, 1, 2)], 'default'), 'sorted by global administrator');
  t.same(list.deleteFrom([v(65000, 1, 2), v(7, 7, 7)]), [v(7, 7, 7)]);
});
