/**
 * The fuzzer's crashers on disk: each failing input is kept as `<hash>.bin` (the bytes given to the target) beside
 * `<hash>.json` (a `CrasherNote`: the target, the codec context, the framer's chunking seed, what broke, where the
 * fuzzer found it, and — while the bug is not fixed — `open`, its diagnosis). The hash covers everything that
 * defines the case, so the same input found twice is one file. fixtures/crashers/README.md describes the format
 * for people; test/fuzz/crashers.test.ts replays every file with `loadCrashers`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext } from '../../lib/wire/index.js';
import type { FuzzFailure } from './fuzz-inputs.js';
import { TARGETS, type FuzzCase, type TargetName } from './fuzz-oracles.js';

export interface CrasherNote {
  readonly target: TargetName;
  readonly context: { readonly fourOctetAs: boolean; readonly addPath: readonly number[]; readonly extendedMessage: boolean };
  readonly chunkSeed?: number;
  /** What broke when it was found. */
  readonly failure: string;
  readonly found: { readonly seed: number; readonly input: number; readonly date: string };
  /** While the bug is not fixed: the diagnosis. The replay test reports such a crasher as a todo. */
  readonly open?: string;
}

export interface Crasher {
  readonly name: string;
  readonly fuzzCase: FuzzCase;
  readonly note: CrasherNote;
}

/** The file name (without extension) of a case: a hash of everything that defines it. */
export function crasherName(c: FuzzCase): string {
  const h = createHash('sha256');
  h.update(`${c.target}|${c.ctx.fourOctetAs}|${[...c.ctx.addPath].join(',')}|${c.ctx.extendedMessage}|${c.chunkSeed ?? ''}|`);
  h.update(c.bytes);
  return h.digest('hex').slice(0, 16);
}

/** Writes a failure as `<hash>.bin` and `<hash>.json` in `dir`; returns the hash. */
export function writeCrasher(dir: string, seed: number, f: FuzzFailure): string {
  const c = f.fuzzCase;
  const name = crasherName(c);
  const note: CrasherNote = {
    target: c.target,
    context: { fourOctetAs: c.ctx.fourOctetAs, addPath: [...c.ctx.addPath], extendedMessage: c.ctx.extendedMessage },
    ...(c.chunkSeed === undefined ? {} : { chunkSeed: c.chunkSeed }),
    failure: f.failure,
    found: { seed, input: f.index, date: new Date().toISOString() },
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.bin`), c.bytes);
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(note, null, 2)}\n`);
  return name;
}

/** Every crasher in `dir`. Throws when a `.bin` has no readable note, or a note names an unknown target. */
export function loadCrashers(dir: string): Crasher[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bin'))
    .sort()
    .map((file) => {
      const name = file.slice(0, -4);
      const note = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as CrasherNote;
      if (!TARGETS.includes(note.target)) throw new Error(`${name}.json: unknown target ${String(note.target)}`);
      const ctx = createContext({ ...note.context, addPath: new Set(note.context.addPath) });
      const bytes = new Uint8Array(readFileSync(join(dir, file)));
      const fuzzCase: FuzzCase = { target: note.target, bytes, ctx, ...(note.chunkSeed === undefined ? {} : { chunkSeed: note.chunkSeed }) };
      return { name, fuzzCase, note };
    });
}
