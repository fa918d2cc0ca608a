// The CLI's commands end to end over a unix socket: request paths, the text they return, --json, and the
// errors a user sees.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Speaker } from '../../lib/speaker/index.js';
import { ApiError, ControlServer, announce, clear, show, showPath, withdraw } from '../../lib/api/index.js';

t.test('request paths', async (t) => {
  t.equal(showPath({ what: 'summary' }), '/v1/summary');
  t.equal(showPath({ what: 'neighbors' }), '/v1/neighbors');
  t.equal(showPath({ what: 'neighbors', address: 'fe80::1%eth0' }), '/v1/neighbors/fe80%3A%3A1%25eth0');
  t.equal(showPath({ what: 'routes' }), '/v1/routes');
  t.equal(
    showPath({ what: 'routes', prefix: '10.8.0.0/24', neighbor: '127.0.0.2', view: 'received' }),
    '/v1/routes?prefix=10.8.0.0%2F24&neighbor=127.0.0.2&view=received',
  );
});

t.test('show, announce, withdraw and clear as the CLI runs them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbgpd-cli-'));
  const speaker = new Speaker({ asn: 65000, routerId: '10.0.0.1', listen: false });
  speaker.addPeer({ address: '127.0.0.2', remoteAs: 65001 });
  const server = new ControlServer({ speaker, endpoint: { socketPath: join(dir, 'api.sock') } });
  const endpoint = await server.listen();
  t.teardown(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  t.equal(await announce(endpoint, '10.8.0.1/24', { med: 7 }), 'announced 10.8.0.0/24\n', 'canonical prefix');
  const table = await show(endpoint, { what: 'routes' });
  t.ok(table.includes('\n*> 10.8.0.0/24      0.0.0.0                  7         32768 i\n'), table);
  t.ok((await show(endpoint, { what: 'routes', prefix: '10.8.0.99' })).startsWith('BGP routing table entry for 10.8.0.0/24\n'));
  t.ok((await show(endpoint, { what: 'summary' })).startsWith('BGP router identifier 10.0.0.1, local AS number 65000\nRIB entries 1\n'));
  t.ok((await show(endpoint, { what: 'neighbors', address: '127.0.0.2' })).startsWith('BGP neighbor is 127.0.0.2, remote AS 65001'));
  t.ok((await show(endpoint, { what: 'neighbors' })).includes('  BGP state = Idle\n'));
  const json = JSON.parse(await show(endpoint, { what: 'summary' }, { json: true })) as { ribEntries: number };
  t.equal(json.ribEntries, 1, '--json prints the view');
  t.equal(await withdraw(endpoint, '10.8.0.0/24'), 'withdrew 10.8.0.0/24\n');
  t.match(await clear(endpoint, '127.0.0.2', 'hard', 'maintenance'), /^cleared 127\.0\.0\.2: hard \(/);
  await t.rejects(clear(endpoint, '127.0.0.2', 'in'), { constructor: ApiError, status: 409 });
  await t.rejects(show(endpoint, { what: 'neighbors', address: '127.0.0.9' }), { status: 404, message: 'no neighbor 127.0.0.9' });
});
