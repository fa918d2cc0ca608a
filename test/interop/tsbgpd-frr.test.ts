/**
 * tsbgpd's session behaviour against FRR 8.4 (RFC 4271 §6, §8; RFC 4486; RFC 9003), one namespace per case, the
 * cases in parallel:
 * - hold timer expiry (§6.5): FRR's bgpd is frozen with SIGSTOP; tsbgpd's 3 s hold timer expires and it sends
 *   NOTIFICATION 4/0; after SIGCONT the session comes back by itself. And the other way: tsbgpd frozen, FRR
 *   sends 4/0, and thawed tsbgpd ends the dead session once and brings up a new one;
 * - Bad Peer AS (§6.2) in both directions — tsbgpd configured with the wrong AS sends 2/2 and FRR records it;
 *   FRR configured with the wrong AS sends 2/2 and tsbgpd records it — and either way tsbgpd does not retry in a
 *   tight loop (DampPeerOscillations, §8.1.1): a handful of OPENs in 10 s, not hundreds;
 * - administrative shutdown (RFC 4486 Cease 6/2) with an RFC 9003 shutdown communication, which FRR shows as
 *   `lastShutdownDescription` in `show bgp neighbors json`; `enablePeer` brings the session back;
 * - connection collision (§6.8): both sides active and dialling each other at the same moment ends with exactly
 *   one session — the connection opened by the speaker with the higher BGP Identifier — and no flapping.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { startDaemon, type Frr, type PeerSpec } from '../helpers/daemons.js';
import { requireInterop, waitEstablished, waitFor, waitRoute } from '../helpers/interop.js';
import { Netns } from '../helpers/netns.js';
import { startTsbgpd, type Tsbgpd, type TsbgpdPeerSpec } from '../helpers/tsbgpd.js';

const FRR = '172.30.0.1';
const FRR_AS = 65001;
const TSBGPD = '172.30.0.10';
const TSBGPD_AS = 65010;

const namespaces: Netns[] = [];

async function newNs(t: Test): Promise<Netns> {
  const ns = await Netns.create(t);
  namespaces.push(ns);
  await Promise.all([ns.addAddress(FRR), ns.addAddress(TSBGPD)]);
  return ns;
}

interface Pair {
  readonly ns: Netns;
  readonly frr: Frr;
  readonly tsbgpd: Tsbgpd;
}

/**
 * A namespace with tsbgpd (started first, so FRR's first connection finds it listening) and FRR peering on `lo`.
 * FRR originates 10.1.0.0/24 and tsbgpd 10.10.0.0/24, so a session that is up can be seen carrying routes.
 */
async function pair(
  t: Test,
  opts: { tsbgpdPeer?: Partial<TsbgpdPeerSpec>; frrPeer?: Partial<PeerSpec> },
): Promise<Pair> {
  const ns = await newNs(t);
  const tsbgpd = await startTsbgpd(t, ns, {
    as: TSBGPD_AS,
    routerId: TSBGPD,
    address: TSBGPD,
    rfc8212: true,
    peers: [{ address: FRR, as: FRR_AS, permitAny: true, ...opts.tsbgpdPeer }],
    routes: [{ prefix: '10.10.0.0/24' }],
  });
  const frr = await startDaemon(t, 'frr', ns, {
    as: FRR_AS,
    routerId: FRR,
    address: FRR,
    peers: [{ address: TSBGPD, as: TSBGPD_AS, ...opts.frrPeer }],
    routes: [{ prefix: '10.1.0.0/24' }],
  });
  return { ns, frr, tsbgpd };
}

/** FRR's own record of the neighbor (`show bgp neighbors X json`). */
async function frrNeighbor(frr: Frr, address: string): Promise<Record<string, unknown>> {
  const raw = (await frr.peer(address))?.raw;
  return typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
}

/** OPENs tsbgpd sent to `address` over `ms` milliseconds. */
async function opensSentOver(tsbgpd: Tsbgpd, address: string, ms: number): Promise<number> {
  const before = (await tsbgpd.status(address))?.messages.sent.open ?? 0;
  await sleep(ms);
  return ((await tsbgpd.status(address))?.messages.sent.open ?? 0) - before;
}

/** Established TCP connections whose local end is on `local` and remote end on `remote` (`ss` in the namespace). */
async function connections(ns: Netns, local: string, remote: string): Promise<number> {
  const out = await ns.run('ss', ['-Htn', 'state', 'established']);
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/).filter((col) => /:\d+$/.test(col)))
    .filter(([ours, theirs]) => ours?.startsWith(`${local}:`) === true && theirs?.startsWith(`${remote}:`) === true)
    .length;
}

/** A reconnect loop gone wrong sends an OPEN per millisecond; RFC 4271's backoff sends a few in 10 s. */
const MAX_OPENS_IN_10_S = 10;

t.test('tsbgpd and FRR: session behaviour', async (t) => {
  t.jobs = 7;

  t.test('hold timer expiry: FRR frozen, tsbgpd sends 4/0, the session recovers', async (t) => {
    if (!requireInterop(t, 'frr')) return;
    const { frr, tsbgpd } = await pair(t, { tsbgpdPeer: { holdTime: 3 }, frrPeer: { holdTime: 3 } });
    await Promise.all([waitEstablished(t, tsbgpd, FRR), waitEstablished(t, frr, TSBGPD)]);
    t.match(await tsbgpd.status(FRR), { holdTime: 3, keepaliveTime: 1 }, 'hold time 3 s negotiated');
    await waitRoute(t, tsbgpd, '10.1.0.0/24');

    const frozen = Date.now();
    frr.process.signal('SIGSTOP');
    let expired: number;
    try {
      const down = await waitFor(
        t,
        async () => {
          const s = await tsbgpd.status(FRR);
          return s?.lastNotificationSent !== undefined && s.state !== 'Established' ? s : undefined;
        },
        { what: 'tsbgpd to give up on frozen FRR', timeout: 15_000, interval: 100 },
      );
      expired = Date.now() - frozen;
      t.match(down.lastNotificationSent, { code: 4, subcode: 0, name: /Hold Timer Expired/i }, 'tsbgpd sent 4/0');
      // FRR sends a KEEPALIVE a second; allow it to have run a little late before it froze, and our polls too.
      t.ok(expired >= 1000 && expired <= 8000, `it did so ${expired} ms after FRR froze (hold time 3 s)`);
      t.ok((await tsbgpd.routes()).get('10.1.0.0/24') === undefined, 'and dropped the routes learned from FRR');
    } finally {
      frr.process.signal('SIGCONT');
    }

    const recovered = Date.now();
    await Promise.all([waitEstablished(t, tsbgpd, FRR, 30_000), waitEstablished(t, frr, TSBGPD, 30_000)]);
    t.comment(`Established again ${Date.now() - recovered} ms after SIGCONT`);
    await waitRoute(t, tsbgpd, '10.1.0.0/24');
    t.pass('FRR’s route is back in tsbgpd');
    // FRR, thawed, finds both its own hold timer and tsbgpd's 4/0 overdue and keeps no stable record of which it
    // handled first; its connection counters do say the session went down once and came back once.
    t.match(
      await frrNeighbor(frr, TSBGPD),
      { bgpState: 'Established', connectionsEstablished: 2, connectionsDropped: 1 },
      'FRR: one drop, one recovery',
    );
  });

  t.test('hold timer expiry the other way: tsbgpd frozen, FRR sends 4/0, tsbgpd recovers', async (t) => {
    if (!requireInterop(t, 'frr')) return;
    const { frr, tsbgpd } = await pair(t, { tsbgpdPeer: { holdTime: 3 }, frrPeer: { holdTime: 3 } });
    await Promise.all([waitEstablished(t, tsbgpd, FRR), waitEstablished(t, frr, TSBGPD)]);

    tsbgpd.pause();
    try {
      const seen = await waitFor(
        t,
        async () => {
          const p = await frr.peer(TSBGPD);
          return p?.state !== 'Established' && p?.lastNotification !== undefined ? p : undefined;
        },
        { what: 'FRR to give up on frozen tsbgpd', timeout: 15_000, interval: 100 },
      );
      t.match(seen.lastNotification, { direction: 'sent', code: 4, subcode: 0 }, 'FRR sent 4/0');
    } finally {
      tsbgpd.resume();
    }

    // Thawed, tsbgpd finds FRR's NOTIFICATION and the end of the connection waiting, and its own hold timer
    // overdue: whichever it handles first, the old session must end once and a new one come up.
    await Promise.all([waitEstablished(t, tsbgpd, FRR, 30_000), waitEstablished(t, frr, TSBGPD, 30_000)]);
    const events = await tsbgpd.events();
    t.equal(events.filter((e) => e.type === 'down').length, 1, 'tsbgpd: the frozen session went down once');
    t.equal(events.filter((e) => e.type === 'up').length, 2, 'and came back once');
    const status = await tsbgpd.status(FRR);
    t.comment(`tsbgpd saw the end as: ${status?.lastDownReason ?? '?'}`);
    await waitRoute(t, frr, '10.10.0.0/24');
    t.pass('tsbgpd’s route is in FRR again');
  });

  t.test('Bad Peer AS, tsbgpd misconfigured: tsbgpd sends 2/2, FRR records it, no tight loop', async (t) => {
    if (!requireInterop(t, 'frr')) return;
    const { frr, tsbgpd } = await pair(t, { tsbgpdPeer: { as: 65099 } });
    const seen = await waitFor(
      t,
      async () => {
        const p = await frr.peer(TSBGPD);
        return p?.lastNotification?.code !== undefined ? p : undefined;
      },
      { what: 'FRR to record a NOTIFICATION' },
    );
    t.match(seen.lastNotification, { direction: 'received', code: 2, subcode: 2 }, 'FRR received 2/2 (Bad Peer AS)');
    t.match((await tsbgpd.status(FRR))?.lastNotificationSent, { code: 2, subcode: 2 }, 'tsbgpd says it sent 2/2');
    const opens = await opensSentOver(tsbgpd, FRR, 10_000);
    t.ok(opens <= MAX_OPENS_IN_10_S, `tsbgpd sent ${opens} OPENs in 10 s (at most ${MAX_OPENS_IN_10_S})`);
    t.notOk((await tsbgpd.events()).some((e) => e.type === 'up'), 'the session never came up');
  });

  t.test('Bad Peer AS, FRR misconfigured: FRR sends 2/2, tsbgpd records it, no tight loop', async (t) => {
    if (!requireInterop(t, 'frr')) return;
    const { frr, tsbgpd } = await pair(t, { frrPeer: { as: 65099 } });
    const status = await waitFor(
      t,
      async () => {
        const s = await tsbgpd.status(FRR);
        return s?.lastNotificationReceived !== undefined ? s : undefined;
      },
      { what: 'tsbgpd to record a NOTIFICATION' },
    );
    t.match(status.lastNotificationReceived, { code: 2, subcode: 2, name: /Bad Peer AS/i }, 'tsbgpd received 2/2');
    // FRR updates the neighbor's record once it has closed its own connection attempt too: wait for it.
    const frrSide = await waitFor(
      t,
      async () => {
        const p = await frr.peer(TSBGPD);
        return p?.lastNotification?.code !== undefined ? p : undefined;
      },
      { what: 'FRR to record the NOTIFICATION it sent' },
    );
    t.match(frrSide.lastNotification, { direction: 'sent', code: 2, subcode: 2 }, 'FRR says it sent 2/2');
    const opens = await opensSentOver(tsbgpd, FRR, 10_000);
    t.ok(opens <= MAX_OPENS_IN_10_S, `tsbgpd sent ${opens} OPENs in 10 s (at most ${MAX_OPENS_IN_10_S})`);
    t.notOk((await tsbgpd.events()).some((e) => e.type === 'up'), 'the session never came up');
  });

  t.test('administrative shutdown with an RFC 9003 message, then enable', async (t) => {
    if (!requireInterop(t, 'frr')) return;
    const { frr, tsbgpd } = await pair(t, {});
    await Promise.all([waitEstablished(t, tsbgpd, FRR), waitEstablished(t, frr, TSBGPD)]);
    await waitRoute(t, frr, '10.10.0.0/24');

    const message = 'maintenance: tsbgpd interop test, back in 5 min';
    await tsbgpd.shutdownPeer(FRR, message);
    const seen = await waitFor(
      t,
      async () => {
        const p = await frr.peer(TSBGPD);
        return p?.state !== 'Established' && p?.lastNotification?.shutdownMessage !== undefined ? p : undefined;
      },
      { what: 'FRR to record the shutdown communication' },
    );
    t.match(seen.lastNotification, { direction: 'received', code: 6, subcode: 2, shutdownMessage: message }, 'FRR got 6/2 with it');
    t.equal((await frrNeighbor(frr, TSBGPD))['lastShutdownDescription'], message, 'as lastShutdownDescription');
    t.match(
      await tsbgpd.status(FRR),
      { state: 'Idle', lastNotificationSent: { code: 6, subcode: 2, shutdownMessage: message } },
      'tsbgpd holds the peer down and says what it sent',
    );
    t.notOk((await frr.routes()).has('10.10.0.0/24'), 'FRR dropped tsbgpd’s route');

    // FRR keeps dialling (connect retry 5 s); a shut-down peer must stay down.
    await sleep(6000);
    t.equal((await tsbgpd.status(FRR))?.state, 'Idle', 'still Idle after FRR’s retries');

    await tsbgpd.enablePeer(FRR);
    await Promise.all([waitEstablished(t, tsbgpd, FRR), waitEstablished(t, frr, TSBGPD)]);
    await waitRoute(t, frr, '10.10.0.0/24');
    t.pass('enablePeer brought the session and its route back');
  });

  for (const [routerId, winner] of [
    [TSBGPD, 'tsbgpd'],
    ['10.0.0.10', 'FRR'],
  ] as const) {
    t.test(`connection collision, tsbgpd's BGP Identifier ${routerId}: one session, ${winner}'s connection`, async (t) => {
      if (!requireInterop(t, 'frr')) return;
      // Both sides active. To make the two connections cross for certain, FRR is frozen (SIGSTOP) while tsbgpd
      // dials it: the kernel completes tsbgpd's connection and queues its OPEN; once FRR's connect-retry timer
      // (5 s) is overdue, SIGCONT makes FRR dial tsbgpd and read tsbgpd's OPEN in the same turn — each side
      // then holds two connections for one peer (§6.8).
      const ns = await newNs(t);
      const frr = await startDaemon(t, 'frr', ns, {
        as: FRR_AS,
        routerId: FRR,
        address: FRR,
        peers: [{ address: TSBGPD, as: TSBGPD_AS }],
      });
      const frozen = Date.now();
      frr.process.signal('SIGSTOP');
      let tsbgpd: Tsbgpd;
      try {
        tsbgpd = await startTsbgpd(t, ns, {
          as: TSBGPD_AS,
          routerId,
          address: TSBGPD,
          rfc8212: true,
          peers: [{ address: FRR, as: FRR_AS, permitAny: true }],
        });
        await waitFor(t, async () => (await tsbgpd.status(FRR))?.state === 'OpenSent', {
          what: 'tsbgpd to have sent its OPEN to frozen FRR',
          interval: 50,
        });
        await sleep(Math.max(0, 5500 - (Date.now() - frozen)));
      } finally {
        frr.process.signal('SIGCONT');
      }

      await Promise.all([waitEstablished(t, tsbgpd, FRR), waitEstablished(t, frr, TSBGPD)]);
      const events = await tsbgpd.events();
      const collision = events.find(
        (e) => (e.type === 'notification-sent' || e.type === 'notification-received') && e.code === 6 && e.subcode === 7,
      );
      t.ok(collision !== undefined, `a collision happened and was resolved with Cease 6/7 (${collision?.type ?? 'none'})`);

      // §6.8: the connection initiated by the speaker with the higher BGP Identifier survives.
      const port = (await tsbgpd.status(FRR))?.localEndpoint?.port;
      if (winner === 'tsbgpd') t.not(port, 179, 'the surviving connection is the one tsbgpd opened');
      else t.equal(port, 179, 'the surviving connection is the one FRR opened');

      await sleep(4000); // no flapping afterwards
      const n = await frrNeighbor(frr, TSBGPD);
      t.match(n, { bgpState: 'Established', connectionsEstablished: 1, connectionsDropped: 0 }, 'FRR: Established once');
      const after = await tsbgpd.events();
      t.equal(after.filter((e) => e.type === 'up').length, 1, 'tsbgpd: one session up');
      t.equal(after.filter((e) => e.type === 'down').length, 0, 'tsbgpd: none down');
      t.equal(await connections(ns, TSBGPD, FRR), 1, 'one TCP connection between them (ss)');
    });
  }
});

t.test('nothing is left behind', async (t) => {
  if (!requireInterop(t)) return;
  const listed = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const ns of namespaces) {
    t.ok(ns.destroyed && !listed.includes(ns.name), `${ns.name} destroyed`);
    t.notOk(existsSync(ns.dir), `${ns.dir} removed`);
  }
  t.equal(spawnSync('pgrep', ['-f', `/tmp/tsbgp-${process.pid}-`]).status, 1, 'no process uses our work directories');
});
