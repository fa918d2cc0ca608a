// Seeded structure-aware fuzzing of decodeUpdate under every codec context a session can negotiate: 2- and
// 4-octet AS numbers (RFC 6793), ADD-PATH for IPv4, IPv6, both or neither (RFC 7911), and extended messages
// (RFC 8654). The same seed UPDATE means different things under each, which is what breaks decoders. Every outcome
// must be a value or a BgpError; a clean value re-encodes byte-exact, a value with RFC 7606 findings re-encodes.
import t from 'tap';
import { CONTEXTS, contextName, loadCorpus } from '../../bench/lib/fuzz-corpus.js';
import { failureReport, fuzz } from '../../bench/lib/fuzz-inputs.js';

const corpus = loadCorpus();
const seed = Number(process.env['FUZZ_SEED'] ?? 7606);
const scale = Number(process.env['FUZZ_SCALE'] ?? 1);

t.equal(CONTEXTS.length, 16, 'every combination of the three context settings');

for (const [i, context] of CONTEXTS.entries()) {
  t.test(`UPDATE under ${contextName(context)}`, async (t) => {
    const stats = fuzz({ seed: seed + i, inputs: Math.round(2500 * scale), corpus, targets: ['update'], context });
    const s = stats.byTarget.update;
    t.equal(stats.failureCount, 0, `${s.inputs} inputs from seed ${seed + i}`, { failures: failureReport(stats) });
    t.ok(s.accepted > s.inputs / 20 && s.inputs - s.accepted > s.inputs / 20, `${s.accepted} accepted, ${s.inputs - s.accepted} rejected`);
  });
}

t.test('whole UPDATE messages under every context, through decodeMessage', async (t) => {
  for (const [i, context] of CONTEXTS.entries()) {
    const stats = fuzz({ seed: seed + 100 + i, inputs: Math.round(600 * scale), corpus, targets: ['message'], context });
    t.equal(stats.failureCount, 0, `${contextName(context)}: ${stats.inputs} messages`, { failures: failureReport(stats) });
  }
});
