// The fuzzer itself (bench/lib/fuzz-*.ts): its grammar must be faithful — every seed serialises back to the bytes
// it was parsed from, with OPEN and UPDATE seeds broken into elements (else the mutations would not be
// structure-aware) — its inputs reproducible from a seed, and its oracle able to fail: a decoder that throws
// something other than a BgpError, or a value that does not re-encode to its bytes, must be reported.
import t from 'tap';
import { loadCorpus } from '../../bench/lib/fuzz-corpus.js';
import { mutateSeed, Rand, serialize, walk } from '../../bench/lib/fuzz-grammar.js';
import { makeCase } from '../../bench/lib/fuzz-inputs.js';
import { roundTrip } from '../../bench/lib/fuzz-oracles.js';
import { errors } from '../../lib/wire/index.js';

const corpus = loadCorpus();
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

t.test('every seed serialises back to its own bytes', async (t) => {
  const differ = corpus.seeds.filter((s) => hex(serialize(s.tree)) !== hex(s.bytes));
  t.equal(differ.length, 0, `${corpus.seeds.length} seeds`);
});

t.test('OPEN and UPDATE seeds are parsed into elements', async (t) => {
  const roles = new Set<string>();
  for (const s of corpus.seeds) walk(s.tree.body, (n) => n.role !== undefined && roles.add(n.role));
  for (const role of ['attr', 'cap', 'param', 'prefix4', 'prefix6', 'segment', 'item']) t.ok(roles.has(role), role);
  const flat = corpus.seeds.filter((s) => (s.tree.type === 1 || s.tree.type === 2) && s.tree.body.k === 'raw');
  t.equal(flat.length, 0, 'no OPEN or UPDATE seed left as one raw leaf');
});

t.test('inputs are reproducible from a seed and differ from their seeds', async (t) => {
  const a = Array.from({ length: 50 }, ((r) => () => hex(makeCase('message', corpus, r).bytes))(new Rand(9)));
  const b = Array.from({ length: 50 }, ((r) => () => hex(makeCase('message', corpus, r).bytes))(new Rand(9)));
  t.same(a, b);
  const seed = corpus.byType.get(2)?.[0];
  if (!seed) throw new Error('no UPDATE seed');
  const rand = new Rand(1);
  const changed = Array.from({ length: 200 }, () => mutateSeed(seed.tree, rand, corpus.donors)).filter((m) => hex(m) !== hex(seed.bytes));
  t.ok(changed.length > 180, `${changed.length} of 200 mutations changed the message`);
  t.equal(hex(serialize(seed.tree)), hex(seed.bytes), 'mutating leaves the seed untouched');
});

t.test('the round-trip oracle fails a decoder that breaks the laws', async (t) => {
  const input = Uint8Array.of(1, 2, 3);
  t.same(roundTrip(input, (b) => ({ b: b.slice() }), (v) => v.b), { accepted: true }, 'a faithful codec passes');
  t.same(roundTrip(input, () => { throw errors.malformedAttributeList(); }, () => input), { accepted: false }, 'a BgpError is a rejection');
  t.match(roundTrip(input, (b) => b[5]!.toFixed(), () => input).failure, /^decode: TypeError/, 'a TypeError is a failure');
  t.match(roundTrip(input, (b) => ({ b: b.slice(1) }), (v) => v.b).failure, /not byte-exact/, 'a lossy codec is a failure');
  t.match(roundTrip(input, (b) => ({ n: b.length }), () => { throw new RangeError('no'); }).failure, /re-encoding/, 'an encoder that cannot take the value');
});
