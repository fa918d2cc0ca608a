// The library guide's examples are programs a user can run; this runs them (built, importing 'tsbgpd' by name
// the way a user's code does) and checks what they print.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

t.test('docs/examples/two-speakers.ts: a route crosses from node to router', async (t) => {
  const script = join(root, 'dist/docs/examples/two-speakers.js');
  t.ok(existsSync(script), 'built by `npm install` (prepare) or `npm run build`');
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 30_000 });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /session established: Established/);
  t.match(r.stdout, /\*> 10\.8\.0\.0\/32 next hop 127\.0\.0\.2 path 65101/);
});
