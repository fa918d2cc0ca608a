// Seeded fuzzing of the stream Framer (RFC 4271 §4.1 framing): streams of one to six fixture messages, some
// mutated (header damage included: marker, Length, Type), sometimes cut short, pushed whole and in random chunks
// down to single octets. Only messages or a BgpError may come out, the same however the stream is chunked, each
// message a faithful slice of the stream whose Length field is its size.
import t from 'tap';
import { loadCorpus } from '../../bench/lib/fuzz-corpus.js';
import { failureReport, fuzz } from '../../bench/lib/fuzz-inputs.js';
import { check, chunking } from '../../bench/lib/fuzz-oracles.js';
import { createContext, Framer } from '../../lib/wire/index.js';

const corpus = loadCorpus();
const seed = Number(process.env['FUZZ_SEED'] ?? 8654);
const scale = Number(process.env['FUZZ_SCALE'] ?? 1);

t.test('random chunkings of mutated streams frame alike and fail alike', async (t) => {
  const stats = fuzz({ seed, inputs: Math.round(20000 * scale), corpus, targets: ['framer'] });
  const s = stats.byTarget.framer;
  t.equal(stats.failureCount, 0, `${s.inputs} streams from seed ${seed}`, { failures: failureReport(stats) });
  t.ok(s.accepted > s.inputs / 20 && s.inputs - s.accepted > s.inputs / 20, `${s.accepted} framed cleanly, ${s.inputs - s.accepted} stopped by a header error`);
});

t.test('the chunkings cover every size from single octets up', async (t) => {
  const sizes = chunking(10000, 1);
  t.equal(sizes.reduce((a, b) => a + b, 0), 10000);
  t.ok(sizes.includes(1) && sizes.includes(2) && sizes.some((n) => n > 32));
});

t.test('the oracle notices a framer that loses a message when the stream is chunked', async (t) => {
  // Two KEEPALIVEs: a correct framer hands out both in any chunking.
  const stream = new Uint8Array(38).fill(0xff);
  for (const at of [0, 19]) stream.set([0, 19, 4], at + 16);
  t.same(check({ target: 'framer', bytes: stream, ctx: createContext(), chunkSeed: 3 }), { accepted: true });
  const next = Framer.prototype.next;
  let calls = 0;
  Framer.prototype.next = function (this: Framer) {
    const m = next.call(this);
    // Drop the second message handed out by any framer: a chunking-dependent loss in the whole-stream run.
    return m !== undefined && ++calls === 2 ? next.call(this) : m;
  };
  try {
    t.match(check({ target: 'framer', bytes: stream, ctx: createContext(), chunkSeed: 3 }).failure, /chunking changed the message count/);
  } finally {
    Framer.prototype.next = next;
  }
});
