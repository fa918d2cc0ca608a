/**
 * The interop harness tested against itself: namespaces (addresses, veth, exec timeouts, process groups, a node
 * child over JSON lines, destroy and the stale sweep), then pairs of real daemons peering inside namespaces —
 * FRR↔BIRD over a veth (IPv4 and IPv6), FRR↔GoBGP, BIRD↔OpenBGPD, FRR↔ExaBGP on `lo` — each asserting
 * Established and the other side's route, with its attributes, through the typed query methods, plus a
 * NOTIFICATION seen by the typed neighbor view. Pairs run in parallel. The last test checks that no namespace,
 * process or work directory is left behind.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import { startDaemon, type PathView } from '../helpers/daemons.js';
import {
  netnsUnavailable,
  requireInterop,
  waitEstablished,
  waitFor,
  waitNoRoute,
  waitRoute,
  type InteropTest,
} from '../helpers/interop.js';
import { Netns, sweepStale } from '../helpers/netns.js';

const namespaces: Netns[] = [];
const pids = new Set<number>();

async function newNs(tt: Parameters<typeof Netns.create>[0]): Promise<Netns> {
  const ns = await Netns.create(tt);
  namespaces.push(ns);
  return ns;
}

/** Compare only the fields named in `want`, exactly (t.match would accept a longer AS_PATH). */
function expectPath(t: Test, path: PathView, want: Partial<PathView>, message: string): void {
  const got = Object.fromEntries(Object.keys(want).map((k) => [k, path[k as keyof PathView]]));
  t.same(got, want, message);
}

/** Remember every pid in the namespace (forked children included) for the final check. */
async function recordPids(...list: Netns[]): Promise<void> {
  for (const ns of list) for (const pid of await ns.pids()) pids.add(pid);
}

t.test('requireInterop skips with the reason, or fails under REQUIRE_INTEROP=1; waitFor is bounded', async (t) => {
  const calls: string[] = [];
  const fake: InteropTest = {
    plan: (n, comment) => void calls.push(`plan ${n} ${comment ?? ''}`),
    fail: (message) => (calls.push(`fail ${message}`), false),
    comment: () => undefined,
  };
  netnsUnavailable(); // cached from here on: only the daemon lookup sees the PATH below
  const saved = { PATH: process.env['PATH'], REQUIRE_INTEROP: process.env['REQUIRE_INTEROP'] };
  try {
    // gobgpd and gobgp live in /usr/bin, which is neither on this PATH nor an sbin directory. No await in here:
    // the parallel tests never see this PATH.
    process.env['PATH'] = '/nonexistent';
    delete process.env['REQUIRE_INTEROP'];
    t.equal(requireInterop(fake, 'gobgp'), false, 'a missing daemon: do not go on');
    process.env['REQUIRE_INTEROP'] = '1';
    t.equal(requireInterop(fake, 'gobgp'), false, 'under REQUIRE_INTEROP=1 either');
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  t.match(
    calls,
    [
      /^plan 0 .*GoBGP is not installed \(missing gobgpd, gobgp\)$/,
      /^fail REQUIRE_INTEROP=1 but .*GoBGP is not installed/,
    ],
    'the reason is given either way',
  );

  let polls = 0;
  const started = Date.now();
  await t.rejects(
    waitFor(fake, () => ++polls > 1000 && 'never', { what: 'the impossible', timeout: 300, interval: 50 }),
    { message: /^timed out after 300 ms waiting for the impossible$/, found: false },
    'waitFor gives up at its timeout with the last value',
  );
  t.ok(Date.now() - started < 1000 && polls >= 3, `polled ${polls} times within the bound`);
  const value = await waitFor(fake, () => (++polls % 2 === 0 ? { polls } : undefined), {
    what: 'an even poll',
    interval: 10,
  });
  t.equal(value.polls % 2, 0, 'waitFor returns the first value that is not undefined/null/false');
});

t.test('harness', async (t) => {
  t.jobs = 5;

  t.test('netns: addresses, veth, exec, process groups, spawnNode, destroy, sweep', async (t) => {
    if (!requireInterop(t)) return;
    const [a, b] = await Promise.all([newNs(t), newNs(t)]);
    await a.addAddress('172.30.1.1');
    await a.addAddress('fd00:1::1');
    const ifs = await Netns.link(a, b, {
      a: { addresses: ['10.99.0.1/30', 'fd00:99::1/64'] },
      b: { name: 'eth0', addresses: ['10.99.0.2/30', 'fd00:99::2/64'] },
    });
    t.same(ifs, { a: 'veth1', b: 'eth0' }, 'veth names: generated and chosen');
    t.match(
      await a.run('ip', ['-br', 'addr', 'show', 'lo']),
      /172\.30\.1\.1\/32.*fd00:1::1\/128/,
      'loopback addresses as /32 and /128',
    );

    const started = Date.now();
    const slow = await a.exec('sleep', ['5'], { timeout: 300 });
    t.not(slow.code, 0, 'a command past its timeout fails');
    t.match(slow.stderr, /killed after 300 ms/, 'the timeout is reported');
    t.ok(Date.now() - started < 2000, 'and is killed at the timeout');

    // A process group: the background sleep dies with its shell.
    const shell = a.spawn(
      'sh',
      ['-c', 'echo hello from $(ip -br addr show lo | grep -o 172.30.1.1); sleep 60 & sleep 60'],
      { log: 'shell.log' },
    );
    await waitFor(t, () => readFileSync(shell.logFile, 'utf8').includes('hello from 172.30.1.1'), {
      what: 'the shell to log',
      timeout: 5000,
    });
    t.equal((await a.pids()).length, 3, 'shell and two sleeps inside the namespace');
    const status = await shell.stop(1000);
    t.equal(status.signal, 'SIGTERM', 'stop() sends SIGTERM first');
    await waitFor(t, async () => (await a.pids()).length === 0, {
      what: 'the background sleep to die with its group',
      timeout: 3000,
    });

    // A TypeScript child through tap's loader, inside namespace b, over JSON lines.
    const probe = b.spawnNode(new URL('../helpers/fixtures/ns-probe.ts', import.meta.url).pathname);
    const ready = await probe.channel.next((m) => m['ready'] === true, 15_000);
    t.equal(typeof ready['pid'], 'number', 'the TypeScript child started and said so');
    const seen = await probe.channel.request({ op: 'addresses' });
    t.ok((seen['addresses'] as string[]).includes('10.99.0.2'), 'the child sees its namespace’s address');
    t.notOk((seen['addresses'] as string[]).includes('172.30.1.1'), 'and not the other namespace’s');
    const refused = await probe.channel.request({ op: 'connect', host: '10.99.0.1', port: 179 });
    t.match(
      refused,
      { ok: false, error: /ECONNREFUSED/ },
      'a TCP SYN crossed the veth to namespace a, which refused it',
    );
    const refused6 = await probe.channel.request({ op: 'connect', host: 'fd00:99::1', port: 179 });
    t.match(refused6, { ok: false, error: /ECONNREFUSED/ }, 'over IPv6 too, with no wait for DAD');
    const unreachable = await probe.channel.request({ op: 'connect', host: '172.30.1.1', port: 179 });
    t.match(unreachable, { ok: false, error: /ENETUNREACH|EHOSTUNREACH/ }, 'no route from b to a’s loopback');
    await waitFor(t, () => readFileSync(probe.logFile, 'utf8').includes('a plain line'), {
      what: 'stdout noise in the log',
      timeout: 3000,
    });
    probe.channel.send({ op: 'exit', code: 3 });
    t.equal((await probe.exited).code, 3, 'the child exits when told to');

    // A compiled (.mjs, like dist/) script runs with plain node: no TypeScript loader, our args and env.
    const script = a.path('child.mjs');
    writeFileSync(
      script,
      'process.stdout.write(JSON.stringify({ argv: process.argv.slice(2), env: process.env.PROBE, execArgv: process.execArgv }) + "\\n")\n',
    );
    const plain = a.spawnNode(script, ['--flag'], { PROBE: 'yes' });
    const said = await plain.channel.next();
    t.match(said, { argv: ['--flag'], env: 'yes' }, 'a .mjs child gets its args and env');
    t.notOk(
      (said['execArgv'] as string[]).some((x) => x.includes('typescript')),
      'and no TypeScript loader',
    );

    // destroy(): everything in it dies, the namespace and its directory go; a second call is a no-op.
    const lingering = b.spawn('sleep', ['60']);
    await b.destroy();
    await b.destroy();
    t.equal(lingering.running, false, 'destroy() killed a process still running in it');
    t.notOk(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(b.name), 'namespace deleted');
    t.notOk(existsSync(b.dir), 'work directory removed');

    // The sweep: a tsbgp-<pid>-<n> namespace whose pid is dead goes; ours stays.
    const dead = spawnSync('true').pid;
    const stale = `tsbgp-${dead}-999`;
    execFileSync('ip', ['netns', 'add', stale]);
    const removed = sweepStale();
    t.ok(removed.includes(stale), 'stale namespace swept');
    t.notOk(removed.includes(a.name), 'a live test’s namespace is kept');
  });

  t.test('FRR ↔ BIRD over a veth, IPv4 and IPv6 sessions', async (t) => {
    if (!requireInterop(t, 'frr', 'bird')) return;
    const [nf, nb] = await Promise.all([newNs(t), newNs(t)]);
    await Netns.link(nf, nb, {
      a: { name: 'eth0', addresses: ['10.0.12.1/30', 'fd00:12::1/64'] },
      b: { name: 'eth0', addresses: ['10.0.12.2/30', 'fd00:12::2/64'] },
    });
    const [frr, bird] = await Promise.all([
      startDaemon(t, 'frr', nf, {
        as: 65001,
        routerId: '10.0.12.1',
        address: '10.0.12.1',
        address6: 'fd00:12::1',
        peers: [
          { address: '10.0.12.2', as: 65002 },
          { address: 'fd00:12::2', as: 65002 },
        ],
        routes: [{ prefix: '10.1.0.0/24', communities: ['65001:100'], med: 5 }, { prefix: '2001:db8:1::/48' }],
      }),
      startDaemon(t, 'bird', nb, {
        as: 65002,
        routerId: '10.0.12.2',
        address: '10.0.12.2',
        address6: 'fd00:12::2',
        // IPv6 stays multihop: a direct IPv6 session adds a link-local next hop that FRR without zebra rejects.
        peers: [
          { address: '10.0.12.1', as: 65001, multihop: false },
          { address: 'fd00:12::1', as: 65001 },
        ],
        routes: [
          { prefix: '10.2.0.0/24', largeCommunities: ['65002:1:2'] },
          { prefix: '2001:db8:2::/48', communities: ['65002:7'] },
        ],
      }),
    ]);
    await recordPids(nf, nb);
    await Promise.all([
      waitEstablished(t, frr, '10.0.12.2'),
      waitEstablished(t, frr, 'fd00:12::2'),
      waitEstablished(t, bird, '10.0.12.1'),
      waitEstablished(t, bird, 'fd00:12::1'),
    ]);
    t.match(
      await frr.peer('10.0.12.2'),
      { state: 'Established', remoteAs: 65002, remoteRouterId: '10.0.12.2' },
      'FRR’s view of BIRD',
    );

    expectPath(
      t,
      await waitRoute(t, frr, '10.2.0.0/24', (p) => p.best),
      { nextHop: '10.0.12.2', asPath: [65002], largeCommunities: ['65002:1:2'], best: true, from: '10.0.12.2' },
      'FRR shows 10.2.0.0/24 as sent',
    );
    expectPath(
      t,
      await waitRoute(t, frr, '2001:db8:2::/48'),
      { nextHop: 'fd00:12::2', asPath: [65002], communities: ['65002:7'] },
      'FRR shows 2001:db8:2::/48 as sent',
    );
    expectPath(
      t,
      await waitRoute(t, bird, '10.1.0.0/24', (p) => p.best),
      { nextHop: '10.0.12.1', asPath: [65001], communities: ['65001:100'], med: 5, origin: 'igp', best: true },
      'BIRD shows 10.1.0.0/24 as sent',
    );
    expectPath(
      t,
      await waitRoute(t, bird, '2001:db8:1::/48'),
      { nextHop: 'fd00:12::1', asPath: [65001] },
      'BIRD shows 2001:db8:1::/48 as sent',
    );
    t.match(
      (await frr.routes('ipv4')).get('10.1.0.0/24'),
      [{ from: undefined, best: true }],
      'FRR’s own route, locally originated',
    );

    // A Cease with an RFC 9003 message, as FRR's typed neighbor view reports it.
    await bird.birdc('disable peer_10_0_12_1 "maintenance window"');
    const down = await waitFor(
      t,
      async () => {
        const p = await frr.peer('10.0.12.2');
        return p?.state !== 'Established' && p?.lastNotification !== undefined ? p : undefined;
      },
      { what: 'FRR to record the Cease' },
    );
    t.match(down.lastNotification, {
      direction: 'received',
      code: 6,
      subcode: 2,
      shutdownMessage: 'maintenance window',
    });
    await waitNoRoute(t, frr, '10.2.0.0/24');
    t.ok((await frr.routes()).has('2001:db8:2::/48'), 'the IPv6 session is unaffected');
  });

  t.test('FRR ↔ GoBGP on lo, RFC 8212 with permit-any route maps', async (t) => {
    if (!requireInterop(t, 'frr', 'gobgp')) return;
    const ns = await newNs(t);
    await Promise.all([ns.addAddress('172.30.0.1'), ns.addAddress('172.30.0.3')]);
    const [frr, gobgp] = await Promise.all([
      startDaemon(t, 'frr', ns, {
        as: 65001,
        routerId: '172.30.0.1',
        address: '172.30.0.1',
        rfc8212: true,
        peers: [{ address: '172.30.0.3', as: 65003, permitAny: true }],
        routes: [{ prefix: '10.1.0.0/24', largeCommunities: ['65001:1:1'] }],
      }),
      startDaemon(t, 'gobgp', ns, {
        as: 65003,
        routerId: '172.30.0.3',
        address: '172.30.0.3',
        peers: [{ address: '172.30.0.1', as: 65001, holdTime: 30 }],
        routes: [{ prefix: '10.3.0.0/24', communities: ['65003:1', '65003:2'], origin: 'egp' }],
      }),
    ]);
    await recordPids(ns);
    await Promise.all([waitEstablished(t, frr, '172.30.0.3'), waitEstablished(t, gobgp, '172.30.0.1')]);
    const peer = await frr.neighbor('172.30.0.3');
    t.match(peer?.raw, { bgpTimerHoldTimeMsecs: 30000 }, 'GoBGP offered hold time 30, FRR took the smaller one');
    t.match(
      await gobgp.peer('172.30.0.1'),
      { state: 'Established', remoteAs: 65001, remoteRouterId: '172.30.0.1' },
      'GoBGP’s view of FRR',
    );

    expectPath(
      t,
      await waitRoute(t, frr, '10.3.0.0/24'),
      { nextHop: '172.30.0.3', asPath: [65003], communities: ['65003:1', '65003:2'], origin: 'egp' },
      'FRR shows 10.3.0.0/24 as sent',
    );
    expectPath(
      t,
      await waitRoute(t, gobgp, '10.1.0.0/24'),
      { nextHop: '172.30.0.1', asPath: [65001], largeCommunities: ['65001:1:1'], from: '172.30.0.1' },
      'GoBGP shows 10.1.0.0/24 as sent',
    );

    await gobgp.addRoute({ prefix: '10.33.0.0/24', med: 33 });
    expectPath(t, await waitRoute(t, frr, '10.33.0.0/24'), { med: 33 }, 'FRR shows 10.33.0.0/24 as sent');
    await gobgp.deleteRoute('10.33.0.0/24');
    await waitNoRoute(t, frr, '10.33.0.0/24');
    t.pass('a route added and deleted at run time reached FRR and left it');
  });

  t.test('BIRD ↔ OpenBGPD on lo, OpenBGPD as a 2-octet-AS speaker', async (t) => {
    if (!requireInterop(t, 'bird', 'openbgpd')) return;
    const ns = await newNs(t);
    await Promise.all([ns.addAddress('172.30.0.2'), ns.addAddress('172.30.0.4')]);
    const [bird, bgpd] = await Promise.all([
      startDaemon(t, 'bird', ns, {
        as: 65002,
        routerId: '172.30.0.2',
        address: '172.30.0.2',
        peers: [{ address: '172.30.0.4', as: 65004 }],
        routes: [{ prefix: '10.2.0.0/24', communities: ['65002:2'], asPath: [64999] }],
      }),
      startDaemon(t, 'openbgpd', ns, {
        as: 65004,
        routerId: '172.30.0.4',
        address: '172.30.0.4',
        peers: [{ address: '172.30.0.2', as: 65002, as4: false }],
        routes: [{ prefix: '10.4.0.0/24', communities: ['65004:7'], largeCommunities: ['65004:1:2'], med: 10 }],
      }),
    ]);
    await recordPids(ns);
    await Promise.all([waitEstablished(t, bird, '172.30.0.4'), waitEstablished(t, bgpd, '172.30.0.2')]);
    const session = (await bird.protocols()).find((p) => p.name === 'peer_172_30_0_4');
    t.ok(
      session !== undefined && !/AS4/.test(session.details['Session'] ?? 'AS4'),
      'no 4-octet AS on the BIRD session',
    );

    expectPath(
      t,
      await waitRoute(t, bird, '10.4.0.0/24', (p) => p.best),
      {
        nextHop: '172.30.0.4',
        asPath: [65004],
        communities: ['65004:7'],
        largeCommunities: ['65004:1:2'],
        med: 10,
        from: '172.30.0.4',
        best: true,
      },
      'BIRD shows 10.4.0.0/24 as sent',
    );
    expectPath(
      t,
      await waitRoute(t, bgpd, '10.2.0.0/24'),
      { nextHop: '172.30.0.2', asPath: [65002, 64999], communities: ['65002:2'], from: '172.30.0.2' },
      'OpenBGPD shows 10.2.0.0/24 as sent',
    );

    await bgpd.bgpctl(['neighbor', '172.30.0.2', 'down', 'planned reboot']);
    const down = await waitFor(
      t,
      async () => {
        const p = await bird.peer('172.30.0.4');
        return p?.lastNotification !== undefined ? p : undefined;
      },
      { what: 'BIRD to record the Cease' },
    );
    t.match(down.lastNotification, {
      direction: 'received',
      text: /Administrative shutdown/,
      shutdownMessage: 'planned reboot',
    });
    t.match(await bgpd.peer('172.30.0.2'), { state: 'Idle' }, 'OpenBGPD holds the session down');
  });

  t.test('FRR ↔ ExaBGP on lo: runtime announce and withdraw, received updates', async (t) => {
    if (!requireInterop(t, 'frr', 'exabgp')) return;
    const ns = await newNs(t);
    await Promise.all([ns.addAddress('172.30.0.1'), ns.addAddress('172.30.0.5')]);
    // ExaBGP is passive: start it first so FRR's first connect finds it listening.
    const exabgp = await startDaemon(t, 'exabgp', ns, {
      as: 65005,
      routerId: '172.30.0.5',
      address: '172.30.0.5',
      peers: [{ address: '172.30.0.1', as: 65001, passive: true }],
      // ExaBGP sends an AS_PATH verbatim: its own AS first, for a path FRR accepts from an eBGP neighbor.
      routes: [{ prefix: '10.5.0.0/24', asPath: [65005, 64999], communities: ['65005:1'] }],
    });
    const frr = await startDaemon(t, 'frr', ns, {
      as: 65001,
      routerId: '172.30.0.1',
      address: '172.30.0.1',
      peers: [{ address: '172.30.0.5', as: 65005 }],
      routes: [{ prefix: '10.1.0.0/24', communities: ['65001:9'] }],
    });
    await recordPids(ns);
    await Promise.all([waitEstablished(t, frr, '172.30.0.5'), waitEstablished(t, exabgp, '172.30.0.1')]);
    t.match(
      await exabgp.peer('172.30.0.1'),
      { remoteAs: 65001, remoteRouterId: '172.30.0.1' },
      'ExaBGP read FRR’s OPEN',
    );

    expectPath(
      t,
      await waitRoute(t, frr, '10.5.0.0/24'),
      { asPath: [65005, 64999], communities: ['65005:1'], nextHop: '172.30.0.5' },
      'FRR shows 10.5.0.0/24 as sent',
    );
    expectPath(
      t,
      await waitRoute(t, exabgp, '10.1.0.0/24'),
      { asPath: [65001], communities: ['65001:9'], nextHop: '172.30.0.1', from: '172.30.0.1' },
      'ExaBGP shows 10.1.0.0/24 as sent',
    );
    t.ok((await exabgp.updates()).length > 0, 'raw UPDATEs are readable too');

    await exabgp.announce({ prefix: '10.55.0.0/24', med: 55, largeCommunities: ['65005:5:5'] });
    expectPath(
      t,
      await waitRoute(t, frr, '10.55.0.0/24'),
      { med: 55, largeCommunities: ['65005:5:5'] },
      'FRR shows 10.55.0.0/24 as sent',
    );
    await exabgp.withdraw('10.55.0.0/24');
    await waitNoRoute(t, frr, '10.55.0.0/24');
    await t.rejects(
      exabgp.command('announce nonsense'),
      /answered "error"/,
      'a bad API command is an error, not a hang',
    );

    // An administrative shutdown configured through vtysh: Cease 6/2, as ExaBGP reports it. (With a shutdown
    // message ExaBGP 4.2.21 cannot decode FRR's NOTIFICATION and answers 1/0 — asserted below.)
    await frr.configure(['router bgp 65001', 'neighbor 172.30.0.5 shutdown']);
    const gone = await waitFor(
      t,
      async () => {
        const p = await exabgp.peer('172.30.0.1');
        return p?.state === 'Idle' && p.lastNotification !== undefined ? p : undefined;
      },
      { what: 'ExaBGP to see FRR’s Cease' },
    );
    t.match(
      gone.lastNotification,
      { direction: 'received', code: 6, subcode: 2, shutdownMessage: undefined },
      'Cease 6/2',
    );
    t.notOk((await exabgp.routes()).has('10.1.0.0/24'), 'routes from a session that went down are gone');

    // The quirk: a Cease with an RFC 9003 message makes ExaBGP 4.2.21 answer with NOTIFICATION 1/0.
    await frr.configure(['router bgp 65001', 'no neighbor 172.30.0.5 shutdown']);
    await waitEstablished(t, exabgp, '172.30.0.1');
    await frr.configure(['router bgp 65001', 'neighbor 172.30.0.5 shutdown message going away']);
    const quirk = await waitFor(
      t,
      async () => {
        const p = await exabgp.peer('172.30.0.1');
        return p?.state === 'Idle' && p.lastNotification?.direction === 'sent' ? p : undefined;
      },
      { what: 'ExaBGP to reject a shutdown message' },
    );
    t.match(
      quirk.lastNotification,
      { code: 1, subcode: 0, text: /can not decode/ },
      'ExaBGP sent 1/0, as its log says',
    );
  });
});

t.test('nothing is left behind', async (t) => {
  if (!requireInterop(t)) return;
  const listed = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const ns of namespaces) {
    t.ok(ns.destroyed, `${ns.name} destroyed`);
    t.notOk(listed.includes(ns.name), `${ns.name} not listed`);
    t.notOk(existsSync(ns.dir), `${ns.dir} removed`);
  }
  const alive = [...pids].filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  t.same(alive, [], `none of the ${pids.size} daemon processes is alive`);
  t.equal(
    spawnSync('pgrep', ['-f', `/tmp/tsbgp-${process.pid}-`]).status,
    1,
    'pgrep finds no process using our work directories',
  );
});
