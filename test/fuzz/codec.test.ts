// Seeded structure-aware fuzzing of the message decoders (bench/lib/fuzz-*.ts) for a few seconds: whole messages
// (decodeMessage), and the OPEN, NOTIFICATION, ROUTE-REFRESH and capabilities decoders on their own. Seeds are the
// fixture captures' messages; every outcome must be a value or a BgpError, and a value must re-encode to its bytes
// and decode to itself. FUZZ_SEED and FUZZ_SCALE (a multiplier of the input counts) override the defaults;
// `node dist/bench/fuzz.js` is the long mode.
import t from 'tap';
import { loadCorpus } from '../../bench/lib/fuzz-corpus.js';
import { failureReport, fuzz } from '../../bench/lib/fuzz-inputs.js';

const corpus = loadCorpus();
const seed = Number(process.env['FUZZ_SEED'] ?? 4271);
const scale = Number(process.env['FUZZ_SCALE'] ?? 1);

t.test('the corpus holds every message type from the fixture captures', async (t) => {
  for (const type of [1, 2, 3, 4, 5]) t.ok((corpus.byType.get(type)?.length ?? 0) > 0, `type ${type} seeds`);
  t.ok(corpus.capabilities.length > 0 && corpus.captures.length > 5);
  t.ok(corpus.seeds.some((s) => s.bytes.length > 4096), 'an RFC 8654 extended message among the seeds');
});

// [target, inputs, the least share of inputs that must be accepted and that must be rejected]
for (const [target, n, least] of [
  ['message', 20000, 0.05],
  ['open', 8000, 0.05],
  // Any Data is a valid NOTIFICATION (RFC 4271 §4.5): only a body under 2 octets is rejected.
  ['notification', 4000, 0.01],
  ['route-refresh', 3000, 0.05],
  ['capabilities', 8000, 0.05],
] as const) {
  t.test(`${target}: mutated fixture messages give a value or a BgpError, and values round-trip`, async (t) => {
    const stats = fuzz({ seed, inputs: Math.round(n * scale), corpus, targets: [target] });
    const s = stats.byTarget[target];
    t.equal(stats.failureCount, 0, `${s.inputs} inputs from seed ${seed}`, { failures: failureReport(stats) });
    // Mutations that are nearly all rejected (or all accepted) would test little.
    t.ok(s.accepted > s.inputs * least && s.inputs - s.accepted > s.inputs * least, `${s.accepted} accepted, ${s.inputs - s.accepted} rejected`);
  });
}
