// Watch mode: bursts of writes give one reload; editors' write-and-rename is seen; files outside the
// configuration (other extensions, hidden files, the ignored state file) are not; reading a directory is ordered.
import t from 'tap';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readConfigFiles, watchPaths } from '../../lib/announcer/index.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, fn: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

t.test('a burst of changes in a watched directory is one reload', async (t) => {
  const dir = t.testdir({ 'a.yaml': 'x: 1\n' });
  let calls = 0;
  const w = watchPaths([dir], () => void calls++, { debounceMs: 100, ignore: [join(dir, 'state.json')] });
  t.teardown(() => w.close());
  await sleep(50);
  for (let i = 0; i < 5; i++) writeFileSync(join(dir, 'a.yaml'), `x: ${i}\n`);
  await until('reload', () => calls > 0);
  await sleep(250);
  t.equal(calls, 1, 'debounced');
  writeFileSync(join(dir, 'notes.txt'), 'not config');
  writeFileSync(join(dir, '.hidden.yaml'), 'x: 1');
  writeFileSync(join(dir, 'state.json'), '{}');
  await sleep(300);
  t.equal(calls, 1, 'other files, hidden files and ignored files do not count');
  writeFileSync(join(dir, 'b.json'), '{}');
  await until('reload for a new file', () => calls === 2);
  t.pass('a new configuration file counts');
});

t.test('a watched file replaced by rename (how editors save) is seen, again and again', async (t) => {
  const dir = t.testdir({ 'metallb.yaml': 'x: 1\n', 'other.yaml': 'y: 1\n' });
  const file = join(dir, 'metallb.yaml');
  let calls = 0;
  const w = watchPaths([file], () => void calls++, { debounceMs: 50 });
  t.teardown(() => w.close());
  await sleep(50);
  for (let i = 1; i <= 2; i++) {
    writeFileSync(join(dir, '.metallb.yaml.swp'), `x: ${i}\n`);
    renameSync(join(dir, '.metallb.yaml.swp'), file);
    await until(`reload ${i}`, () => calls === i);
  }
  writeFileSync(join(dir, 'other.yaml'), 'y: 2\n');
  await sleep(200);
  t.equal(calls, 2, 'a sibling file is not watched');
});

t.test('reloads never overlap; a change during a reload runs one more', async (t) => {
  const dir = t.testdir({ 'a.yaml': '' });
  let active = 0;
  let maxActive = 0;
  let calls = 0;
  const w = watchPaths(
    [dir],
    async () => {
      calls++;
      active++;
      maxActive = Math.max(maxActive, active);
      await sleep(150);
      active--;
    },
    { debounceMs: 20 },
  );
  t.teardown(() => w.close());
  await sleep(50);
  writeFileSync(join(dir, 'a.yaml'), '1');
  await until('first reload', () => calls === 1);
  writeFileSync(join(dir, 'a.yaml'), '2');
  await sleep(60);
  writeFileSync(join(dir, 'a.yaml'), '3');
  await until('second reload', () => calls === 2);
  await sleep(300);
  t.equal(maxActive, 1);
  t.ok(calls <= 3);
});

t.test('directories are read in name order; only YAML and JSON, no hidden files', async (t) => {
  const dir = t.testdir({ 'b.yml': 'b', 'a.yaml': 'a', 'c.json': 'c', 'd.txt': 'd', '.e.yaml': 'e', sub: { 'f.yaml': 'f' } });
  t.same(
    readConfigFiles([dir]).map((f) => [f.name.slice(dir.length + 1), f.text]),
    [
      ['a.yaml', 'a'],
      ['b.yml', 'b'],
      ['c.json', 'c'],
    ],
  );
  t.throws(() => readConfigFiles([join(dir, 'nope')]), /cannot read .*nope: ENOENT/);
});
