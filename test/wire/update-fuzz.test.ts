// Seeded mutation fuzzing of decodeUpdate: from a corpus of well-formed UPDATE bodies, random byte edits, length
// tweaks, truncations and insertions under random contexts. Only a value or a BgpError may come out; a value with
// no issues re-encodes byte for byte, and any value re-encodes and decodes again. Reproducible: FUZZ_SEED and
// FUZZ_ITERATIONS override the defaults; a failure names its seed, iteration and input.
import t from 'tap';
import { decodeUpdate, encodeUpdate } from '../../lib/wire/update.js';
import { BgpError } from '../../lib/wire/errors.js';
import { familyKey } from '../../lib/wire/constants.js';
import type { CodecContext, UpdateMessage } from '../../lib/wire/types.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function attr(flags: number, type: number, value: string): string {
  const v = value.replace(/\s+/g, '');
  const len = v.length / 2;
  const l = flags & 0x10 ? len.toString(16).padStart(4, '0') : len.toString(16).padStart(2, '0');
  return flags.toString(16).padStart(2, '0') + type.toString(16).padStart(2, '0') + l + v;
}
const u16 = (n: number): string => n.toString(16).padStart(4, '0');
function body(withdrawn: string, attrs: string, nlri: string): string {
  const w = withdrawn.replace(/\s+/g, '');
  const a = attrs.replace(/\s+/g, '');
  return u16(w.length / 2) + w + u16(a.length / 2) + a + nlri.replace(/\s+/g, '');
}

/** Mulberry32. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const G = '20010db8000000000000000000000001';
const LL = 'fe80000000000000021122fffe334455';
const BASIC4 = attr(0x40, 1, '00') + attr(0x40, 2, '0202 0000fde9 fa56ea00 0101 00000007') + attr(0x40, 3, 'c0000201');
const BASIC2 = attr(0x40, 1, '01') + attr(0x40, 2, '0202 fde9 5ba0') + attr(0x40, 3, 'c0000201');
const corpus: string[] = [
  body('', BASIC4 + attr(0x80, 4, '00000064') + attr(0x40, 5, '00000064') + attr(0xc0, 8, 'fde80001 ffffff01'), '18c63364 100a08 200a000001'),
  body('18c63364 080a', '', ''),
  '00000000',
  body('', attr(0x80, 15, '0002 01'), ''),
  body('', attr(0x90, 14, `0002 01 20 ${G}${LL} 00 40 20010db800010002 30 20010db80003`) + attr(0x40, 1, '00') + attr(0x40, 2, ''), ''),
  body('', attr(0x80, 15, '0002 01 40 20010db800010002 00'), ''),
  body('', attr(0x80, 14, `0001 01 10 ${G} 00 18c63364`) + BASIC4.slice(0, 8) + attr(0x40, 2, '0201 0000fde9'), ''),
  body(
    '',
    BASIC2 + attr(0xc0, 17, '0202 0000fde9 fa56ea00') + attr(0xc0, 7, '5ba0 c0000201') + attr(0xc0, 18, 'fa56ea00 c0000201') + attr(0x40, 6, ''),
    '18c63364',
  ),
  body(
    '',
    BASIC4 +
      attr(0x80, 9, '0a000001') +
      attr(0x80, 10, '0a000001 0a000002') +
      attr(0xc0, 16, '0002fde800000064 0102c00002010007') +
      attr(0xc0, 32, '0000fde8 00000001 00000002') +
      attr(0xc0, 35, '0000fde9') +
      attr(0xe0, 99, 'deadbeef'),
    '18c63364',
  ),
  body('00000002 18c63364', BASIC4, '00000001 18c63364 00000003 100a08'),
  body('', attr(0x80, 14, '0001 80 0c 0000000000000000c0000201 00 70 000641 0000fde800000001 c63364') + BASIC4, ''),
  body('', attr(0x90, 14, '0001 85 00 00 0701180a0000 0381 06') + BASIC4, ''),
  body('', attr(0x80, 14, `0002 01 10 ${G} 00 0000000a 40 20010db800010002`) + BASIC4, ''),
].map((s) => s.replace(/\s+/g, ''));

const contexts: CodecContext[] = [
  { fourOctetAs: true, addPath: new Set(), extendedMessage: false },
  { fourOctetAs: false, addPath: new Set(), extendedMessage: false },
  { fourOctetAs: true, addPath: new Set([familyKey(1, 1), familyKey(2, 1)]), extendedMessage: false },
  { fourOctetAs: false, addPath: new Set([familyKey(2, 1)]), extendedMessage: false },
];
const encodeCtx = (c: CodecContext): CodecContext => ({ ...c, extendedMessage: true });

function mutate(input: Uint8Array, rand: () => number): Uint8Array {
  let b = Array.from(input);
  const edits = 1 + Math.floor(rand() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * (b.length + 1));
    const r = rand();
    if (r < 0.35 && b.length > 0) b[at % b.length] = Math.floor(rand() * 256);
    else if (r < 0.45 && b.length > 0) b[at % b.length] = [0, 1, 0x7f, 0x80, 0xff, 0x10, 0x20, 0x21, 0x81][Math.floor(rand() * 9)] as number;
    else if (r < 0.55 && b.length > 0) b[at % b.length] = ((b[at % b.length] as number) + (rand() < 0.5 ? 1 : 255)) & 0xff;
    else if (r < 0.65) b = b.slice(0, at);
    else if (r < 0.75) b.splice(at, 0, ...Array.from({ length: 1 + Math.floor(rand() * 6) }, () => Math.floor(rand() * 256)));
    else if (r < 0.85) b.splice(at, 1 + Math.floor(rand() * 4));
    else if (b.length > 0) b[at % b.length] = (b[at % b.length] as number) ^ (1 << Math.floor(rand() * 8));
  }
  return Uint8Array.from(b);
}

/** Runs one input; returns a failure description or undefined. */
function check(input: Uint8Array, ctx: CodecContext): string | undefined {
  let msg: UpdateMessage;
  try {
    msg = decodeUpdate(input, ctx);
  } catch (e) {
    return e instanceof BgpError ? undefined : `decode threw ${String(e)}`;
  }
  let again: Uint8Array;
  try {
    again = encodeUpdate(msg, encodeCtx(ctx));
  } catch (e) {
    return `encode of a decoded value threw ${String(e)}`;
  }
  if (msg.issues === undefined && toHex(again) !== toHex(input)) return `clean decode not byte-exact: ${toHex(again)}`;
  try {
    decodeUpdate(again, ctx);
  } catch (e) {
    return `re-decode threw ${String(e)}`;
  }
  return undefined;
}

t.test('the corpus is well-formed and byte-exact under its context', async (t) => {
  for (const [i, s] of corpus.entries()) {
    const c = i === 7 ? (contexts[1] as CodecContext) : i === 9 ? (contexts[2] as CodecContext) : i === 12 ? (contexts[2] as CodecContext) : (contexts[0] as CodecContext);
    const m = decodeUpdate(hex(s), c);
    t.equal(m.issues, undefined, `corpus ${i} clean`);
    t.equal(toHex(encodeUpdate(m, c)), s, `corpus ${i} byte-exact`);
  }
});

t.test('mutations: only a value or a BgpError, and values re-encode', async (t) => {
  const seed = Number(process.env['FUZZ_SEED'] ?? 0x7606);
  const iterations = Number(process.env['FUZZ_ITERATIONS'] ?? 30000);
  const rand = prng(seed);
  const outcomes = { value: 0, issues: 0, error: 0 };
  let failures = 0;
  for (let i = 0; i < iterations; i++) {
    const base = hex(corpus[Math.floor(rand() * corpus.length)] as string);
    const input = mutate(base, rand);
    const ctx = contexts[Math.floor(rand() * contexts.length)] as CodecContext;
    const problem = check(input, ctx);
    if (problem !== undefined) {
      if (failures++ < 5) t.fail(`seed ${seed} iteration ${i}: ${problem}`, { input: toHex(input), ctx: { ...ctx, addPath: [...ctx.addPath] } });
      continue;
    }
    try {
      const m = decodeUpdate(input, ctx);
      outcomes[m.issues ? 'issues' : 'value']++;
    } catch {
      outcomes.error++;
    }
  }
  t.equal(failures, 0, `${iterations} mutations from seed ${seed}`);
  // The mutations must exercise every outcome, or the fuzzer is not testing much.
  t.ok(outcomes.value > iterations / 20 && outcomes.issues > iterations / 20 && outcomes.error > iterations / 20, JSON.stringify(outcomes));
});

t.test('random bytes', async (t) => {
  const rand = prng(1997);
  let failures = 0;
  for (let i = 0; i < 20000; i++) {
    const len = Math.floor(rand() * 64);
    const input = Uint8Array.from({ length: len }, () => Math.floor(rand() * 256));
    // Make the length fields plausible half of the time so the walker is reached.
    if (len >= 4 && rand() < 0.5) {
      const wl = Math.floor(rand() * Math.min(8, len - 4));
      input[0] = 0;
      input[1] = wl;
      input[2 + wl] = 0;
      input[3 + wl] = Math.floor(rand() * (len - 3 - wl));
    }
    const problem = check(input, contexts[i % contexts.length] as CodecContext);
    if (problem !== undefined && failures++ < 5) t.fail(`iteration ${i}: ${problem}`, { input: toHex(input) });
  }
  t.equal(failures, 0);
});
