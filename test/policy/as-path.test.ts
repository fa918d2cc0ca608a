// FRR's regular-expression dialect (the `_` delimiter, POSIX brackets) and AS-path access lists over the path
// text as FRR prints it, plus the AS_PATH edits of route maps (prepend, last-as, exclude).
import t from 'tap';
import type { AsPathAttribute, AsPathSegment } from '../../lib/wire/index.js';
import { AsPathList, asPathText, compileFrrRegex, translateFrrRegex } from '../../lib/policy/index.js';
import { excludeAsns, leftmostAs, prependAsns } from '../../lib/policy/as-path.js';

const seq = (...asns: number[]): AsPathSegment => ({ type: 2, asns });
const set = (...asns: number[]): AsPathSegment => ({ type: 1, asns });
const confedSeq = (...asns: number[]): AsPathSegment => ({ type: 3, asns });
const confedSet = (...asns: number[]): AsPathSegment => ({ type: 4, asns });
const path = (...segments: AsPathSegment[]): AsPathAttribute => ({ kind: 'as-path', segments });

function re(src: string): RegExp {
  const r = compileFrrRegex(src);
  if (!(r instanceof RegExp)) throw new Error(`${src}: ${r.error}`);
  return r;
}

t.test('AS path text as FRR prints it', async (t) => {
  t.equal(asPathText(undefined), '');
  t.equal(asPathText(path()), '');
  t.equal(asPathText(path(seq(65101, 65102), set(1, 2))), '65101 65102 {1,2}');
  t.equal(asPathText(path(confedSeq(64512, 64513), seq(65101), confedSet(7, 8))), '(64512 64513) 65101 [7,8]');
  t.equal(asPathText(path(seq(4200000000))), '4200000000', 'asplain for 4-octet ASNs');
});

t.test('FRR regex cases against AS path text', async (t) => {
  // [regex, text, expected]
  const cases: [string, string, boolean][] = [
    ['^$', '', true],
    ['^$', '65101', false],
    ['_65101_', '65101', true],
    ['_65101_', '65100 65101 65102', true],
    ['_65101_', '165101 651011', false],
    ['_65101_', '{1,65101}', true],
    ['_65101_', '(65101 2)', true],
    ['^65101_', '65101 65102', true],
    ['^65101_', '65102 65101', false],
    ['^65101_', '651011', false],
    ['_65102$', '65101 65102', true],
    ['_65102$', '65102 65101', false],
    ['^65101$', '65101', true],
    ['^65101$', '65101 65101', false],
    ['^65101(_65101)*$', '65101 65101 65101', true],
    ['^[0-9]+$', '65101', true],
    ['^[0-9]+$', '65101 65102', false],
    ['^[[:digit:]]+_[[:digit:]]+$', '1 2', true],
    ['_6510[0-9]_', '65000 65105', true],
    ['_6510[^0-4]_', '65103', false],
    ['_6510[^0-4]_', '65105', true],
    ['.*', '', true],
    ['65101', '165101', true], // unanchored search, as regexec
    ['^(65101|65102)_', '65102 1', true],
    ['\\{1,2\\}', '3 {1,2}', true],
    ['[{]', '3 {1,2}', true],
    ['^3_{2}1', '3 {1,2}', true], // `{2}` is an interval (two delimiters: space and brace), not literal braces
    ['^3_{2}1', '3 1', false],
    ['^1_{1,2}2$', '1 2', true],
    ['_4200000000_', '65001 4200000000', true],
  ];
  for (const [src, text, expected] of cases) t.equal(re(src).test(text), expected, `${src} on ${JSON.stringify(text)}`);
});

t.test('translation details', async (t) => {
  t.equal(translateFrrRegex('_1_'), '(?:^|[,{}() ]|$)1(?:^|[,{}() ]|$)');
  t.equal(translateFrrRegex('[_]'), '[_]', 'an underscore inside brackets is literal');
  t.equal(translateFrrRegex('[\\]'), '[\\\\]', 'a backslash inside brackets is literal (POSIX)');
  t.equal(translateFrrRegex('[]a]'), '[\\]a]', 'a leading ] is a member');
  t.ok(re('[\\]').test('a\\b'));
  t.ok(re('\\<65101\\>').test('1 65101 2'));
  t.ok(re('^\\.$').test('.'));
  t.notOk(re('^\\.$').test('x'));
  for (const bad of ['[abc', '\\', '\\d+', '\\1', '(?=1)', '(?:1)', '*1', 'a(b', '[[:nope:]]', '[[.a.]]', '[[:alpha:]']) {
    const r = compileFrrRegex(bad);
    t.notOk(r instanceof RegExp, `refuses ${JSON.stringify(bad)}`);
  }
});

t.test('access list: first match decides, none denies, answers are cached per attribute', async (t) => {
  const list = new AsPathList({
    name: 'AP',
    entries: [
      { seq: 5, action: 'deny', regex: '_65666_' },
      { seq: 10, action: 'permit', regex: '^65101_' },
      { seq: 15, action: 'permit', regex: '^$' },
    ],
  });
  t.ok(list.permits(path(seq(65101, 65102))));
  t.notOk(list.permits(path(seq(65101, 65666))), 'seq 5 denies first');
  t.notOk(list.permits(path(seq(65102))), 'implicit deny');
  t.ok(list.permits(undefined), 'no AS_PATH: the empty text');
  t.ok(list.permits(path()), 'empty AS_PATH');
  const a = path(seq(65101));
  t.equal(list.permits(a), list.permits(a), 'stable when cached');
  t.ok(list.permitsText('65101 1'));
});

t.test('prepend', async (t) => {
  t.same(prependAsns([], [65000, 65000]), [seq(65000, 65000)]);
  t.same(prependAsns([seq(65101, 65102)], [65000]), [seq(65000, 65101, 65102)], 'into the leading AS_SEQUENCE');
  t.same(prependAsns([set(1, 2)], [65000]), [seq(65000), set(1, 2)], 'before a leading AS_SET');
  t.same(prependAsns([confedSeq(64512), seq(65101)], [65000]), [seq(65000, 65101)], 'leading confederation sequence dropped');
  const long = prependAsns([seq(...new Array<number>(250).fill(1))], new Array<number>(10).fill(2));
  t.same(long.map((s) => s.asns.length), [255, 5], 'segments stay within 255 ASNs');
  t.equal(long[0]?.asns[9], 2);
  t.equal(long[0]?.asns[10], 1);
});

t.test('leftmost AS and exclude', async (t) => {
  t.equal(leftmostAs([seq(65101, 2)]), 65101);
  t.equal(leftmostAs([set(1, 2)]), 0);
  t.equal(leftmostAs([]), 0);
  t.same(excludeAsns([seq(1, 2, 3), set(2), seq(4)], [2]), [seq(1, 3), seq(4)]);
  t.same(excludeAsns([seq(1, 2)], 'all'), []);
  const untouched = [seq(1)];
  t.equal(excludeAsns(untouched, [9])[0], untouched[0], 'unchanged segments are kept as they are');
});
