// The malformed-message captures of fixtures/malformed (written by its make.ts): valid TCP conversations carrying
// BGP messages broken on purpose. `decodeCapture` and `tsbgpd decode --verify` must go through each without
// crashing and report every malformed message — as an `error` line with the NOTIFICATION RFC 4271 §6 names, or,
// for RFC 7606 outcomes, as a decoded UPDATE with its `action` and `issues` — exactly as expected.json says.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeCapture, type DecodedLine, type VerifySummary } from '../../lib/inspect/index.js';
import type { Expectation } from '../../fixtures/malformed/make.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, 'fixtures', 'malformed');
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, { why: string; expect: Expectation }[]>;

/** Runs a script under the same TypeScript loader as this test (as test/bin/decode.test.ts does). */
function node(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...process.execArgv, ...args], { encoding: 'utf8', timeout: 60_000, cwd: root });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function decode(file: string): { lines: DecodedLine[]; summary: VerifySummary } {
  const summary: VerifySummary = { messages: 0, exact: 0, malformed: 0, mismatched: 0 };
  const lines = [...decodeCapture(new Uint8Array(readFileSync(join(dir, file))), { verify: true }, summary)];
  return { lines, summary };
}

function matches(line: DecodedLine, expect: Expectation): string | undefined {
  const j = line.json as { error?: { code: number; subcode: number; data: string }; action?: string; issues?: { code: number; subcode: number }[] };
  if ('ok' in expect) return line.verdict === 'exact' ? undefined : `expected a clean message, got ${line.verdict}`;
  if ('action' in expect) {
    if (j.action !== expect.action) return `expected ${expect.action}, got ${String(j.action)}`;
    return j.issues?.some((i) => i.code === expect.code && i.subcode === expect.subcode) ? undefined : `no ${expect.code}/${expect.subcode} issue`;
  }
  if (j.error === undefined) return `expected error ${expect.code}/${expect.subcode}, got a decoded message`;
  if (j.error.code !== expect.code || j.error.subcode !== expect.subcode) return `expected ${expect.code}/${expect.subcode}, got ${j.error.code}/${j.error.subcode}`;
  return expect.data === undefined || j.error.data === expect.data ? undefined : `Data ${j.error.data}, expected ${expect.data}`;
}

for (const [file, cases] of Object.entries(expected)) {
  t.test(`${file}: each malformed message is reported as RFC 4271 §6 and RFC 7606 say`, async (t) => {
    const { lines, summary } = decode(file);
    t.equal(lines.length, cases.length + 2, 'one line per message (after both OPENs)');
    t.equal(summary.mismatched, 0);
    for (const [i, c] of cases.entries()) {
      const line = lines[i + 2];
      t.equal(line && matches(line, c.expect), undefined, c.why);
    }
  });
}

t.test('fuzzed.pcap: 200 mutated fixture messages, one line each, malformed ones with their error', async (t) => {
  const { lines, summary } = decode('fuzzed.pcap');
  t.equal(lines.length, 202);
  t.equal(summary.mismatched, 0, 'what decodes cleanly re-encodes byte-exact');
  const malformed = lines.filter((l) => l.verdict === 'malformed');
  t.ok(malformed.length > 20 && malformed.length < 200, `${malformed.length} malformed`);
  t.ok(malformed.every((l) => 'error' in l.json || 'issues' in l.json), 'each says what is wrong');
});

t.test('tsbgpd decode --verify reports them and exits 0', async (t) => {
  // Two runs of the CLI (each compiles it afresh): the hand-made UPDATE errors and the fuzzed batch.
  for (const file of ['update-errors.pcap', 'fuzzed.pcap']) {
    const r = node(join(root, 'bin', 'tsbgpd.ts'), 'decode', '--verify', join(dir, file));
    t.equal(r.status, 0, `${file}: ${r.stderr.slice(0, 200)}`);
    const out = r.stdout.trim().split('\n');
    const { summary } = decode(file);
    t.equal(out.pop(), `verify: ${summary.messages} messages, ${summary.exact} byte-exact, ${summary.malformed} malformed, 0 mismatched`);
    const errors = out.filter((l) => (JSON.parse(l) as { error?: unknown }).error !== undefined).length;
    const want = file === 'fuzzed.pcap' ? errors : (expected[file] ?? []).filter((c) => 'code' in c.expect && !('action' in c.expect)).length;
    t.equal(errors, want, `${file}: ${errors} error lines`);
    t.notMatch(r.stderr, /at .*\(.*\.ts:\d+/, 'no stack trace');
  }
});

t.test('make.ts regenerates the very same files', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'tsbgpd-malformed-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const r = node(join(dir, 'make.ts'), out);
  t.equal(r.status, 0, r.stderr);
  for (const file of [...Object.keys(expected), 'fuzzed.pcap', 'expected.json']) {
    t.ok(readFileSync(join(out, file)).equals(readFileSync(join(dir, file))), file);
  }
});
