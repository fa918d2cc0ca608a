/**
 * The long mode of the fuzzer: millions of structure-aware mutations of the fixture captures' messages through
 * every decoder of wire input — the message codec and each body decoder, the stream framer, the RIB's raw UPDATE
 * path and the capture reader (bench/lib/fuzz-*.ts hold the grammar, corpus, oracles and loop; test/fuzz runs
 * the same code for a few seconds per target in `npm test`).
 *
 *   npx tsc -p . && node dist/bench/fuzz.js --inputs 10000000 --seed 1 [--targets message,framer,…] [--crashers DIR]
 *
 * Reports inputs per second, per target and overall. Each new kind of failure is written at once to
 * fixtures/crashers/<hash>.bin (the input) with <hash>.json (target, codec context, chunking seed, what broke,
 * where it was found); test/fuzz/crashers.test.ts replays every one. Exits 1 when anything failed.
 */
import { join } from 'node:path';
import { loadCorpus, repoRoot } from './lib/fuzz-corpus.js';
import { writeCrasher } from './lib/fuzz-crashers.js';
import { fuzz, type FuzzStats } from './lib/fuzz-inputs.js';
import { TARGETS, type TargetName } from './lib/fuzz-oracles.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function count(name: string, fallback: number): number {
  const v = arg(name);
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name}: not a non-negative integer: ${v}`);
  return n;
}

const rate = (n: number, ms: number): string => `${Math.round(n / Math.max(ms / 1000, 1e-9)).toLocaleString('en-US')}/s`;

function report(stats: FuzzStats): void {
  console.log(`\n${stats.inputs.toLocaleString('en-US')} inputs in ${(stats.ms / 1000).toFixed(1)} s: ${rate(stats.inputs, stats.ms)}`);
  for (const t of TARGETS) {
    const s = stats.byTarget[t];
    if (s.inputs === 0) continue;
    const share = `${Math.round((100 * s.accepted) / s.inputs)}% accepted`;
    console.log(`  ${t.padEnd(14)} ${s.inputs.toLocaleString('en-US').padStart(12)} inputs  ${share.padStart(14)}  ${s.failures} failures`);
  }
  console.log(`failures: ${stats.failureCount} (${stats.failures.length} distinct)`);
}

function main(): void {
  const inputs = count('inputs', 1_000_000);
  const seed = count('seed', 1);
  const targets = (arg('targets')?.split(',') ?? [...TARGETS]) as TargetName[];
  for (const t of targets) if (!TARGETS.includes(t)) throw new Error(`--targets: unknown target ${t} (one of ${TARGETS.join(', ')})`);
  const root = repoRoot();
  const dir = arg('crashers') ?? join(root, 'fixtures', 'crashers');
  const corpus = loadCorpus(root);
  console.log(`corpus: ${corpus.seeds.length} messages, ${corpus.capabilities.length} capability lists, ${corpus.captures.length} captures`);
  console.log(`fuzzing ${inputs.toLocaleString('en-US')} inputs from seed ${seed}: ${targets.join(', ')}`);
  const stats = fuzz({
    seed,
    inputs,
    corpus,
    targets,
    progressEvery: 1_000_000,
    onProgress: (s) => console.log(`  ${s.inputs.toLocaleString('en-US')} inputs, ${rate(s.inputs, s.ms)}, ${s.failureCount} failures`),
    onFailure: (f) => console.log(`CRASH ${f.fuzzCase.target} #${f.index} → ${join(dir, writeCrasher(dir, seed, f))}.bin: ${f.failure}`),
  });
  report(stats);
  if (stats.failureCount > 0) process.exitCode = 1;
}

main();
