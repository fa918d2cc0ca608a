// Seeded fuzzing of the capture reader. Two kinds of input: the fixture captures with octets changed in place
// (mostly inside BGP messages, so the TCP streams stay whole; sometimes in the file or record headers) or cut short,
// and new captures whose TCP streams carry mutated fixture messages in random segments (test/helpers/pcap-writer).
// `readBgpCapture` must give events or a CaptureFormatError, never another exception; `decodeCapture --verify`
// must give one line per message — the decoded message, or `error` with the NOTIFICATION it would draw.
import t from 'tap';
import { loadCorpus } from '../../bench/lib/fuzz-corpus.js';
import { failureReport, fuzz } from '../../bench/lib/fuzz-inputs.js';
import { mutateSeed, Rand } from '../../bench/lib/fuzz-grammar.js';
import { readBgpCapture } from '../../lib/capture/index.js';
import { decodeCapture, type VerifySummary } from '../../lib/inspect/index.js';
import { ACK, PSH, TcpConversation, pcapFile } from '../helpers/pcap-writer.js';

const corpus = loadCorpus();
const seed = Number(process.env['FUZZ_SEED'] ?? 2918);
const scale = Number(process.env['FUZZ_SCALE'] ?? 1);

t.test('fixture captures damaged in place: events or CaptureFormatError, and decodeCapture carries on', async (t) => {
  const stats = fuzz({ seed, inputs: Math.round(1500 * scale), corpus, targets: ['capture'] });
  const s = stats.byTarget.capture;
  t.equal(stats.failureCount, 0, `${s.inputs} damaged captures from seed ${seed}`, { failures: failureReport(stats, 2) });
  t.ok(s.accepted > s.inputs / 2, `${s.accepted} still yielded messages`);
});

/** A valid Length field (RFC 4271 §4.1): the stream stays in sync, so the reader must find this very message. */
function framable(m: Uint8Array): boolean {
  return m.length >= 19 && m.length <= 4096 && ((m[16] as number) << 8 | (m[17] as number)) === m.length && m.subarray(0, 16).every((b) => b === 0xff);
}

t.test('mutated messages inside valid TCP streams come out one by one, malformed ones as errors', async (t) => {
  const rand = new Rand(seed);
  let messages = 0;
  let malformed = 0;
  const problems: string[] = [];
  for (let capture = 0; capture < Math.round(150 * scale); capture++) {
    const sent: Uint8Array[] = [];
    while (sent.length < 12) {
      const s = rand.pick(corpus.seeds);
      if (s.bytes.length > 4096) continue;
      const m = rand.chance(0.6) ? mutateSeed(s.tree, rand, corpus.donors) : s.bytes;
      // Header damage desynchronises the stream, which the capture tests cover; here every message must frame.
      if (framable(m) && [1, 2, 3, 4, 5].includes(m[18] as number)) sent.push(m);
    }
    const c = new TcpConversation({ address: '198.51.100.1', port: 40000 + capture }, { address: '198.51.100.2', port: 179 });
    const stream = Buffer.concat(sent);
    const packets = [...c.handshake()];
    for (let at = 0; at < stream.length; ) {
      const n = 1 + rand.int(rand.chance(0.2) ? 40 : 1400);
      packets.push(c.segment('client', PSH | ACK, stream.subarray(at, at + n)));
      at += n;
    }
    const file = pcapFile(packets.map((data) => ({ data })), { linkType: 101 });
    const got = [...readBgpCapture(file)].filter((e) => e.kind === 'message').map((e) => Buffer.from(e.bytes).toString('hex'));
    if (got.join() !== sent.map((m) => Buffer.from(m).toString('hex')).join()) problems.push(`capture ${capture}: messages differ`);
    const summary: VerifySummary = { messages: 0, exact: 0, malformed: 0, mismatched: 0 };
    const lines = [...decodeCapture(file, { verify: true }, summary)];
    if (lines.length !== sent.length) problems.push(`capture ${capture}: ${lines.length} lines for ${sent.length} messages`);
    for (const l of lines) if (l.verdict === 'malformed' && !('error' in l.json) && !('type' in l.json)) problems.push(`capture ${capture}: a malformed line with neither error nor type`);
    if (summary.mismatched > 0) problems.push(`capture ${capture}: ${summary.mismatched} re-encodings differ`);
    messages += summary.messages;
    malformed += summary.malformed;
  }
  t.same(problems.slice(0, 5), [], `${messages} messages in TCP streams, ${malformed} malformed`);
  t.ok(malformed > messages / 20 && malformed < messages, 'both outcomes are common');
});
