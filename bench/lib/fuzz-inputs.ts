/**
 * The fuzzer's inputs and its loop: how each target's cases are made from the corpus, and `fuzz()`, which draws
 * targets by weight, makes a case, runs its oracle and counts. One `Rand` drives everything, so a seed replays the
 * same run; a failing case carries all it needs to be replayed on its own (see fuzz-oracles.ts).
 *
 * - Decoders get a seed message of their type, mutated (fuzz-grammar.ts), under the context its session
 *   negotiated or, one time in four, under another one (ADD-PATH, 2-octet AS, extended messages).
 * - The framer gets a stream of one to six messages, some mutated (header damage included), sometimes cut short.
 * - The capture reader gets a fixture capture with octets changed in place — mostly inside BGP messages, near a
 *   marker, so the TCP streams stay valid and the damage reaches the message decoders — or cut short.
 */
import { performance } from 'node:perf_hooks';
import type { CodecContext } from '../../lib/wire/index.js';
import { CONTEXTS, contextName, type Corpus, type Seed } from './fuzz-corpus.js';
import { mutateRaw, mutateSeed, Rand } from './fuzz-grammar.js';
import { check, TARGETS, type FuzzCase, type TargetName, type Verdict } from './fuzz-oracles.js';

/** Relative frequency of each target: cheap decoders often, whole captures rarely. */
export const WEIGHTS: Readonly<Record<TargetName, number>> = {
  message: 30,
  update: 20,
  rib: 14,
  framer: 10,
  open: 8,
  capabilities: 6,
  notification: 4,
  'route-refresh': 2,
  capture: 1,
};

const TYPE_OF: Partial<Record<TargetName, number>> = { open: 1, update: 2, rib: 2, notification: 3, 'route-refresh': 5 };

/** Seeds beyond RFC 4271's 4096 octets (RFC 8654 full-table UPDATEs) cost a hundred small ones: drawn 1 in 10. */
const LARGE_SEED = 4096;

function seedOf(corpus: Corpus, rand: Rand, type: number | undefined): Seed {
  const pool = type === undefined ? corpus.seeds : (corpus.byType.get(type) ?? corpus.seeds);
  let seed = rand.pick(pool);
  while (seed.bytes.length > LARGE_SEED && rand.chance(0.9)) seed = rand.pick(pool);
  return seed;
}

/** Offsets of every BGP marker (16 × 0xff) in a capture, found once per capture. */
const markerCache = new WeakMap<Uint8Array, number[]>();
function markers(file: Uint8Array): number[] {
  let found = markerCache.get(file);
  if (found !== undefined) return found;
  found = [];
  for (let i = 24, run = 0; i < file.length; i++) {
    run = file[i] === 0xff ? run + 1 : 0;
    if (run === 16) found.push(i - 15);
  }
  markerCache.set(file, found);
  return found;
}

function captureInput(corpus: Corpus, rand: Rand): Uint8Array {
  const file = rand.pick(corpus.captures).bytes;
  const out = file.slice();
  const at = markers(file);
  const edits = 1 + rand.int(4);
  for (let e = 0; e < edits; e++) {
    const r = rand.next();
    if (r < 0.6 && at.length > 0) {
      // Inside a message: the Length and Type octets and the first octets of the body.
      const i = Math.min(out.length - 1, rand.pick(at) + 16 + rand.int(48));
      out[i] = rand.chance(0.5) ? rand.int(256) : rand.pick([0, 1, 0x10, 0x13, 0x40, 0x7f, 0x80, 0xff]);
    } else if (r < 0.85) {
      const i = rand.int(out.length);
      out[i] = rand.int(256);
    } else if (r < 0.95) {
      return out.subarray(0, rand.int(out.length));
    } else {
      return mutateRaw(out, rand);
    }
  }
  return out;
}

/** A fresh input for `target`; `context` forces the codec context (else the seed's, or one time in four another). */
export function makeCase(target: TargetName, corpus: Corpus, rand: Rand, context?: CodecContext): FuzzCase {
  if (target === 'capture') return { target, bytes: captureInput(corpus, rand), ctx: CONTEXTS[0] as FuzzCase['ctx'] };
  if (target === 'framer') {
    const parts: Uint8Array[] = [];
    for (let n = 1 + rand.int(6); n > 0; n--) {
      const s = seedOf(corpus, rand, undefined);
      parts.push(rand.chance(0.3) ? mutateSeed(s.tree, rand, corpus.donors) : s.bytes);
    }
    let stream = Buffer.concat(parts);
    if (rand.chance(0.2)) stream = stream.subarray(0, rand.int(stream.length + 1));
    return { target, bytes: new Uint8Array(stream), ctx: context ?? rand.pick(CONTEXTS), chunkSeed: rand.int(2 ** 32) };
  }
  if (target === 'capabilities') {
    const tree = rand.pick(corpus.capabilities);
    return { target, bytes: mutateSeed(tree, rand, corpus.donors).subarray(19), ctx: CONTEXTS[0] as FuzzCase['ctx'] };
  }
  const seed = seedOf(corpus, rand, TYPE_OF[target]);
  const ctx = context ?? (rand.chance(0.75) ? seed.ctx : rand.pick(CONTEXTS));
  const message = mutateSeed(seed.tree, rand, corpus.donors);
  return { target, bytes: target === 'message' ? message : message.subarray(19), ctx };
}

export interface FuzzFailure {
  readonly index: number;
  readonly fuzzCase: FuzzCase;
  readonly failure: string;
}

export interface FuzzStats {
  inputs: number;
  ms: number;
  /** Per target: inputs, how many the code under test accepted (the rest it rejected), and failures. */
  readonly byTarget: Record<TargetName, { inputs: number; accepted: number; failures: number }>;
  /** The first failure of each distinct kind (by target and message, digits stripped). */
  readonly failures: FuzzFailure[];
  /** Failures in all, repeats of a kind included. */
  failureCount: number;
}

export interface FuzzOptions {
  readonly seed: number;
  readonly inputs: number;
  readonly corpus: Corpus;
  readonly targets?: readonly TargetName[];
  /** Every case decoded under this context (default: the seed's session's, or one time in four another). */
  readonly context?: CodecContext;
  /** Called with each new kind of failure, as it is found. */
  readonly onFailure?: (failure: FuzzFailure) => void;
  /** Called every `progressEvery` inputs. */
  readonly onProgress?: (stats: FuzzStats) => void;
  readonly progressEvery?: number;
}

/** Runs `inputs` cases from `seed`; never throws for a failing input (that is what it counts). */
export function fuzz(options: FuzzOptions): FuzzStats {
  const targets = options.targets ?? TARGETS;
  const wheel: TargetName[] = targets.flatMap((t) => Array.from({ length: WEIGHTS[t] }, () => t));
  const rand = new Rand(options.seed);
  const stats: FuzzStats = {
    inputs: 0,
    ms: 0,
    byTarget: Object.fromEntries(TARGETS.map((t) => [t, { inputs: 0, accepted: 0, failures: 0 }])) as FuzzStats['byTarget'],
    failures: [],
    failureCount: 0,
  };
  const kinds = new Set<string>();
  const every = options.progressEvery ?? 0;
  // Most inputs end in a BgpError, and capturing a stack for each costs a fifth of the run: none while fuzzing.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const start = performance.now();
  try {
    for (let i = 0; i < options.inputs; i++) {
      const target = rand.pick(wheel);
      const fuzzCase = makeCase(target, options.corpus, rand, options.context);
      const counts = stats.byTarget[target];
      counts.inputs++;
      stats.inputs++;
      const verdict = checked(fuzzCase, options.corpus);
      if (verdict.accepted) counts.accepted++;
      let failure = verdict.failure;
      if (failure !== undefined) {
        // Replayed with stack traces, so that the description names the line in lib/ that threw.
        Error.stackTraceLimit = stackTraceLimit;
        failure = checked(fuzzCase, options.corpus).failure ?? `${failure} (did not fail again on replay)`;
        Error.stackTraceLimit = 0;
        counts.failures++;
        stats.failureCount++;
        const kind = `${target}:${failure.replace(/0x[0-9a-f]+|[0-9a-f]{8,}/g, '…').replace(/\d+/g, 'N')}`;
        if (!kinds.has(kind)) {
          kinds.add(kind);
          const f = { index: i, fuzzCase, failure };
          stats.failures.push(f);
          options.onFailure?.(f);
        }
      }
      if (every > 0 && stats.inputs % every === 0) {
        stats.ms = performance.now() - start;
        options.onProgress?.(stats);
      }
    }
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  stats.ms = performance.now() - start;
  return stats;
}

function checked(fuzzCase: FuzzCase, corpus: Corpus): Verdict {
  try {
    return check(fuzzCase, corpus);
  } catch (e) {
    // An oracle that throws is a failure of the code under test (the oracles catch what they expect).
    return { accepted: false, failure: `oracle threw: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
  }
}

/** The first few failures of a run as plain data (input in hex, context by name), for a test's diagnostics. */
export function failureReport(stats: FuzzStats, max = 3): { failure: string; input: string; context: string; index: number }[] {
  return stats.failures.slice(0, max).map((f) => ({
    failure: f.failure,
    input: Buffer.from(f.fuzzCase.bytes).toString('hex'),
    context: contextName(f.fuzzCase.ctx),
    index: f.index,
  }));
}
