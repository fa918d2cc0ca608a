// The control API over a temporary unix socket (and loopback TCP) with a real Speaker that listens nowhere:
// reads, announce and withdraw, the 400 / 404 / 405 / 409 / 413 answers, the extension point, the loopback rule,
// stale and busy sockets, and the client's errors when the daemon is not there.
import t from 'tap';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Speaker } from '../../lib/speaker/index.js';
import {
  ApiError,
  ApiUnavailableError,
  ControlServer,
  isLoopback,
  parseEndpoint,
  renderRoutes,
  renderSummary,
  request,
  type Endpoint,
  type RoutesView,
  type SummaryView,
} from '../../lib/api/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tsbgpd-api-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let sockets = 0;
const socketPath = (): string => join(dir, `api-${++sockets}.sock`);

async function setup(t: Tap.Test): Promise<{ speaker: Speaker; server: ControlServer; endpoint: Endpoint }> {
  const speaker = new Speaker({ asn: 65000, routerId: '10.0.0.1', listen: false });
  speaker.addPeer({ address: '127.0.0.2', remoteAs: 65001, description: 'spine1' });
  const server = new ControlServer({ speaker, endpoint: { socketPath: socketPath() } });
  const endpoint = await server.listen();
  t.teardown(() => server.close());
  return { speaker, server, endpoint };
}

declare namespace Tap {
  type Test = Parameters<Parameters<typeof t.test>[1]>[0];
}

/** The status of a rejected request (ApiError), or 0 when it succeeded. */
async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 0;
  } catch (err) {
    if (err instanceof ApiError) return err.status;
    throw err;
  }
}

t.test('reads: summary and neighbours, rendered as FRR would print them', async (t) => {
  const { endpoint } = await setup(t);
  const summary = (await request(endpoint, 'GET', '/v1/summary')) as SummaryView;
  t.match(summary, { routerId: '10.0.0.1', localAs: 65000, ribEntries: 0 });
  t.match(summary.peers, [{ address: '127.0.0.2', remoteAs: 65001, state: 'Idle', upDownSeconds: null, description: 'spine1' }]);
  t.match(renderSummary(summary), /^127\.0\.0\.2 +4 +65001 +0 +0 +0 +0 +0 +never +Idle +0 spine1$/m);
  const neighbors = (await request(endpoint, 'GET', '/v1/neighbors')) as { neighbors: unknown[] };
  t.equal(neighbors.neighbors.length, 1);
  t.match(await request(endpoint, 'GET', '/v1/neighbors/127.0.0.2'), { address: '127.0.0.2', state: 'Idle', capabilities: null });
  t.equal(await statusOf(request(endpoint, 'GET', '/v1/neighbors/127.0.0.99')), 404);
  t.equal(await statusOf(request(endpoint, 'GET', '/v1/neighbors/banana')), 400);
});

t.test('announce, look up, withdraw', async (t) => {
  const { speaker, endpoint } = await setup(t);
  const announced = await request(endpoint, 'POST', '/v1/announce', {
    prefix: '10.8.0.0/32',
    attributes: { communities: ['65000:1', 'no-export'], med: 5, largeCommunities: ['65000:1:2'], asPath: [65010] },
  });
  t.same(announced, { announced: '10.8.0.0/32' });
  t.equal(speaker.routes('10.8.0.0/32').length, 1, 'in the speaker');
  await request(endpoint, 'POST', '/v1/announce', { prefix: '2001:db8:100::/48' });

  const all = (await request(endpoint, 'GET', '/v1/routes')) as RoutesView;
  t.same(all.families.map((f) => f.family), ['ipv4-unicast', 'ipv6-unicast']);
  t.match(all.families[0]!.routes[0]!.paths[0], {
    source: 'local',
    best: true,
    med: 5,
    asPath: '65010',
    communities: ['65000:1', 'no-export'],
    largeCommunities: ['65000:1:2'],
  });

  const one = (await request(endpoint, 'GET', `/v1/routes?prefix=${encodeURIComponent('10.8.0.0/32')}`)) as RoutesView;
  t.equal(one.totals.routes, 1);
  const text = renderRoutes(one);
  t.ok(text.startsWith('BGP routing table entry for 10.8.0.0/32\nPaths: (1 available, best #1, table default)\n  65010\n'), text);
  t.ok(text.includes('      Origin IGP, metric 5, weight 32768, valid, sourced, local, best\n      Community: 65000:1 no-export\n'));

  t.same(await request(endpoint, 'POST', '/v1/withdraw', { prefix: '10.8.0.0/32' }), { withdrawn: '10.8.0.0/32' });
  t.equal(speaker.routes('10.8.0.0/32').length, 0, 'gone from the speaker');
  t.equal(await statusOf(request(endpoint, 'POST', '/v1/withdraw', { prefix: '10.8.0.0/32' })), 404, 'not announced any more');
  t.same(await request(endpoint, 'POST', '/v1/withdraw', { prefix: '2001:DB8:100:0::/48' }), { withdrawn: '2001:db8:100::/48' }, 'any spelling');
});

t.test('bad requests are 400 with the field named', async (t) => {
  const { endpoint } = await setup(t);
  const error = async (p: Promise<unknown>): Promise<{ status: number; message: string }> => {
    try {
      await p;
    } catch (err) {
      if (err instanceof ApiError) return { status: err.status, message: err.message };
    }
    return { status: 0, message: '' };
  };
  t.match(await error(request(endpoint, 'POST', '/v1/announce', { prefix: '10.8.0.0/33' })), { status: 400, message: /not a prefix/ });
  t.match(await error(request(endpoint, 'POST', '/v1/announce', { prefix: '10.8.0.0/32', attributes: { localpref: 200 } })), {
    status: 400,
    message: /unknown field "localpref"/,
  });
  t.match(await error(request(endpoint, 'POST', '/v1/announce', { prefix: '10.8.0.0/32', attributes: { communities: ['65000:banana'] } })), {
    status: 400,
    message: /communities/,
  });
  t.match(await error(request(endpoint, 'POST', '/v1/announce', { prefix: '10.8.0.0/32', attributes: { med: -1 } })), { status: 400, message: /med/ });
  t.match(await error(request(endpoint, 'POST', '/v1/announce', { prefix: '10.8.0.0/32', attributes: { origin: 'bgp' } })), {
    status: 400,
    message: /origin/,
  });
  t.match(await error(request(endpoint, 'POST', '/v1/announce', { prefix: '10.8.0.0/32', attributes: { nextHop: '2001:db8::1' } })), {
    status: 400,
    message: /nextHop/,
  });
  t.match(await error(request(endpoint, 'POST', '/v1/announce')), { status: 400, message: /JSON object/ });
  t.match(await error(request(endpoint, 'POST', '/v1/announce', [1, 2])), { status: 400, message: /JSON object/ });
  t.match(await error(request(endpoint, 'GET', '/v1/routes?view=sideways&neighbor=127.0.0.2')), { status: 400, message: /view/ });
  t.match(await error(request(endpoint, 'GET', '/v1/routes?view=received')), { status: 400, message: /needs a neighbor/ });
  t.match(await error(request(endpoint, 'GET', '/v1/routes?colour=blue')), { status: 400, message: /colour/ });
  t.match(await error(request(endpoint, 'POST', '/v1/neighbors/127.0.0.2/clear', { soft: 'sideways' })), { status: 400 });
  t.match(await error(request(endpoint, 'POST', '/v1/neighbors/127.0.0.2/clear', { message: 'x'.repeat(256) })), {
    status: 400,
    message: /255 octets/,
  });

  // Not JSON at all: sent by hand, the client always encodes.
  const { request: raw } = await import('node:http');
  const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = raw({ socketPath: (endpoint as { socketPath: string }).socketPath, method: 'POST', path: '/v1/announce' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end('{prefix: 10.8.0.0/32');
  });
  t.equal(reply.status, 400);
  t.match(JSON.parse(reply.body), { error: /not JSON/ });
});

t.test('unknown endpoints 404, wrong methods 405, bodies over the limit 413, HEAD answers headers', async (t) => {
  const { endpoint } = await setup(t);
  t.equal(await statusOf(request(endpoint, 'GET', '/v1/nope')), 404);
  t.equal(await statusOf(request(endpoint, 'GET', '/v1/announce')), 405);
  t.equal(await statusOf(request(endpoint, 'DELETE', '/v1/summary')), 405);
  t.equal(await statusOf(request(endpoint, 'POST', '/v1/announce', { prefix: '10.8.0.0/32', pad: 'x'.repeat(70_000) })), 413);
  t.equal(await request(endpoint, 'HEAD', '/v1/summary'), undefined, 'no body');
});

t.test('clear: soft needs an Established session (409); unknown peers are 404', async (t) => {
  const { endpoint } = await setup(t);
  t.equal(await statusOf(request(endpoint, 'POST', '/v1/neighbors/127.0.0.2/clear', { soft: 'in' })), 409);
  t.equal(await statusOf(request(endpoint, 'POST', '/v1/neighbors/127.0.0.2/clear', { soft: 'out' })), 409);
  t.equal(await statusOf(request(endpoint, 'POST', '/v1/neighbors/127.0.0.99/clear', {})), 404);
  // A hard clear of a peer that is not running stops and re-enables it (the speaker was never started).
  t.match(await request(endpoint, 'POST', '/v1/neighbors/127.0.0.2/clear'), { neighbor: '127.0.0.2', clear: 'hard' });
});

t.test('the extension point adds endpoints, with parameters; duplicates are refused', async (t) => {
  const speaker = new Speaker({ asn: 65000, routerId: '10.0.0.1', listen: false });
  const server = new ControlServer({ speaker, endpoint: { socketPath: socketPath() } });
  server.route('GET', '/v1/services', () => ({ json: { services: [{ name: 'default/web', ip: '10.8.0.1' }] } }));
  server.route('GET', '/v1/services/:ns/:name', (req) => ({ json: { namespace: req.params.ns, name: req.params.name } }));
  t.throws(() => server.route('GET', '/v1/services', () => ({ json: {} })), /exists/);
  const endpoint = await server.listen();
  t.teardown(() => server.close());
  t.same(await request(endpoint, 'GET', '/v1/services'), { services: [{ name: 'default/web', ip: '10.8.0.1' }] });
  t.same(await request(endpoint, 'GET', '/v1/services/default/web%2D1'), { namespace: 'default', name: 'web-1' });
});

t.test('TCP: loopback only unless allowed; port 0 resolves to the bound port', async (t) => {
  const speaker = new Speaker({ asn: 65000, routerId: '10.0.0.1', listen: false });
  for (const host of ['0.0.0.0', '::', '192.0.2.1']) {
    const s = new ControlServer({ speaker, endpoint: { host, port: 0 } });
    await t.rejects(s.listen(), /not a loopback address/, `${host} refused`);
  }
  const server = new ControlServer({ speaker, endpoint: { host: '127.0.0.1', port: 0 } });
  const endpoint = await server.listen();
  t.teardown(() => server.close());
  t.ok('port' in endpoint && endpoint.port > 0, 'a real port');
  t.match(await request(endpoint, 'GET', '/v1/summary'), { routerId: '10.0.0.1' });

  t.ok(isLoopback('127.0.0.1') && isLoopback('127.9.8.7') && isLoopback('::1') && isLoopback('0:0::1'));
  t.ok(isLoopback('::ffff:127.0.0.1') && isLoopback('localhost'));
  t.notOk(isLoopback('0.0.0.0') || isLoopback('::') || isLoopback('10.0.0.1') || isLoopback('::2') || isLoopback('example.com'));
});

t.test('unix sockets: a stale one is replaced, a live one is refused, closing removes it', async (t) => {
  const path = socketPath();
  // A process that listens and is killed leaves its socket file behind.
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`]);
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  t.ok(existsSync(path), 'stale socket left behind');

  const speaker = new Speaker({ asn: 65000, routerId: '10.0.0.1', listen: false });
  const server = new ControlServer({ speaker, endpoint: { socketPath: path } });
  await server.listen();
  t.match(await request({ socketPath: path }, 'GET', '/v1/summary'), { localAs: 65000 }, 'listening over the stale file');

  const second = new ControlServer({ speaker, endpoint: { socketPath: path } });
  await t.rejects(second.listen(), /in use: is another tsbgpd running/);
  await server.close();
  t.notOk(existsSync(path), 'removed on close');
});

t.test('the client says when the daemon is not there or does not answer', async (t) => {
  const missing = join(dir, 'missing.sock');
  await t.rejects(request({ socketPath: missing }, 'GET', '/v1/summary'), {
    constructor: ApiUnavailableError,
    message: `tsbgpd is not running at ${missing} (no such socket)`,
  });

  const probe = createServer();
  const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)));
  await new Promise((resolve) => probe.close(resolve));
  await t.rejects(request({ host: '127.0.0.1', port }, 'GET', '/v1/summary'), {
    message: `tsbgpd is not running at 127.0.0.1:${port} (connection refused)`,
  });

  // Accepts the connection and never answers.
  const held: import('node:net').Socket[] = [];
  const silent = createServer((socket) => held.push(socket));
  const silentPort = await new Promise<number>((resolve) => silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port)));
  await t.rejects(request({ host: '127.0.0.1', port: silentPort }, 'GET', '/v1/summary', undefined, { timeoutMs: 200 }), {
    message: `tsbgpd at 127.0.0.1:${silentPort} did not answer within 200 ms`,
  });
  for (const s of held) s.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

t.test('endpoints as users write them', async (t) => {
  t.same(parseEndpoint('/run/tsbgpd.sock'), { socketPath: '/run/tsbgpd.sock' });
  t.same(parseEndpoint('unix:/tmp/x.sock'), { socketPath: '/tmp/x.sock' });
  t.same(parseEndpoint('127.0.0.1:7473'), { host: '127.0.0.1', port: 7473 });
  t.same(parseEndpoint('[::1]:7473'), { host: '::1', port: 7473 });
  t.same(parseEndpoint('http://localhost:7473/'), { host: 'localhost', port: 7473 });
  t.throws(() => parseEndpoint('127.0.0.1'), TypeError);
  t.throws(() => parseEndpoint('127.0.0.1:0'), TypeError);
  t.throws(() => parseEndpoint('127.0.0.1:99999'), TypeError);
});
