// The README's first command runs `tsbgpd demo`: here non-interactively (--once) and live (a Service file added and
// removed in the demo's directory, then Ctrl-C), checking what a newcomer would see.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'bin', 'tsbgpd.ts');

t.test('demo --once prints the router table the way the seed\'s pfSense shows it', async (t) => {
  const r = spawnSync(process.execPath, [...process.execArgv, cli, 'demo', '--once'], { encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /example\/guestbook-ui: 10\.8\.0\.0\n/, 'the seed Service gets the first address of the pool');
  t.match(r.stdout, /example\/shop-frontend: 10\.8\.0\.1\n/);
  t.match(r.stdout, /BGP local router ID is 192\.168\.3\.1/);
  t.match(r.stdout, /local AS 65100/);
  for (const prefix of ['10.8.0.0/32', '10.8.0.1/32']) {
    const block = new RegExp(`\\*> ${prefix.replace(/\./g, '\\.')}\\s+127\\.0\\.0\\.15\\s+0 65101 i\\n(\\*=\\s+127\\.0\\.0\\.1[678]\\s+0 65101 i\\n){3}`);
    t.match(r.stdout, block, `${prefix}: best path plus three multipaths, one per node`);
  }
  t.match(r.stdout, /Displayed\s+2 routes and 8 total paths/);
});

t.test('demo live: a Service added and removed shows in the table, Ctrl-C stops cleanly', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbgpd-demo-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [...process.execArgv, cli, 'demo', '--dir', dir, '--nodes', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const waitFor = async (re: RegExp, what: string): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!re.test(output)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await waitFor(/Live: add or remove a Service/, 'the live prompt');
  writeFileSync(
    join(dir, 'service-added.yaml'),
    'apiVersion: v1\nkind: Service\nmetadata: { name: added, namespace: example }\nspec: { type: LoadBalancer, ports: [{ port: 443 }] }\n',
  );
  await waitFor(/\+ 10\.8\.0\.2\/32 via 127\.0\.0\.15, 127\.0\.0\.16/, 'the new Service announced by both nodes');
  rmSync(join(dir, 'service-added.yaml'));
  await waitFor(/- 10\.8\.0\.2\/32 withdrawn/, 'its withdrawal');
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  t.equal(code, 0, 'exits cleanly');
  t.match(output, /stopping: withdrawing routes and closing sessions…\ndone\./);
});
