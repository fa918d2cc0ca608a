// Replays every input the fuzzer kept in fixtures/crashers (bench/fuzz.ts writes them; README.md there describes
// the format). Each must now pass its target's oracle; one whose note still carries `open` (the diagnosis of a bug
// not yet fixed in lib/) is reported as a todo with that diagnosis — delete `open` from the note with the fix.
import t from 'tap';
import { join } from 'node:path';
import { loadCorpus, repoRoot } from '../../bench/lib/fuzz-corpus.js';
import { loadCrashers } from '../../bench/lib/fuzz-crashers.js';
import { check } from '../../bench/lib/fuzz-oracles.js';

const dir = join(repoRoot(), 'fixtures', 'crashers');
const crashers = loadCrashers(dir);
const corpus = loadCorpus();

t.test('every crasher has its note', async (t) => {
  for (const c of crashers) {
    t.ok(c.note.failure.length > 0 && c.note.found.seed >= 0, `${c.name}: ${c.note.target}`);
  }
  t.pass(`${crashers.length} crashers in fixtures/crashers`);
});

for (const c of crashers) {
  const options = c.note.open === undefined ? {} : { todo: c.note.open };
  t.test(`${c.name} (${c.note.target}): ${c.note.failure.slice(0, 120)}`, options, async (t) => {
    const verdict = check(c.fuzzCase, corpus);
    t.equal(verdict.failure, undefined, 'the oracle holds');
  });
}
