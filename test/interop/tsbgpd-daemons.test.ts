/**
 * tsbgpd peering with five real BGP implementations — FRR, BIRD, GoBGP, OpenBGPD and ExaBGP — each in a namespace
 * of its own, on `lo` addresses (172.30.0.x: FRR and GoBGP refuse 127/8 next hops, peers.md).
 *
 * Per daemon, two tsbgpd Speakers (two child processes) share its namespace:
 * - "active" (172.30.0.10) dials the daemon, which is configured passive toward it;
 * - "passive" (172.30.0.20) waits, and the daemon dials it.
 * Both sessions must reach Established on both sides, and tsbgpd's own status must confirm who dialled (our end
 * of the connection is port 179 only when the peer connected to us). Routes flow both ways with their
 * attributes, checked in the daemon's own CLI output through the harness's typed views and in tsbgpd's Loc-RIB;
 * a route announced and withdrawn at run time appears in the daemon and leaves it. Where the daemon passes the
 * active tsbgpd's route on to the passive one (both are AS 65010), the passive one must reject it as a loop.
 *
 * tsbgpd runs with RFC 8212 on and a permit-any policy in and out on every session, as an operator would
 * configure it. Toward ExaBGP it does not advertise route refresh: ExaBGP 4.2.21 resets the connection on a
 * ROUTE-REFRESH it receives (peers.md). The daemons run in parallel; each leaves nothing behind (last test).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import t, { type Test } from 'tap';
import { asObject, startDaemon, type DaemonKind, type PathView, type RouteSpec } from '../helpers/daemons.js';
import { requireInterop, waitEstablished, waitFor, waitNoRoute, waitRoute } from '../helpers/interop.js';
import { Netns } from '../helpers/netns.js';
import { startTsbgpd, type TsbgpdPeerSpec, type TsbgpdSpec } from '../helpers/tsbgpd.js';

const TSBGPD_AS = 65010;
/** tsbgpd dials from here; the daemon is passive toward it. */
const ACTIVE = '172.30.0.10';
/** tsbgpd listens here; the daemon dials it. */
const PASSIVE = '172.30.0.20';

interface DaemonCase {
  readonly kind: DaemonKind;
  readonly title: string;
  readonly address: string;
  readonly as: number;
  /** What the daemon originates; tsbgpd must see it with `expect`. */
  readonly route: RouteSpec;
  readonly expect: Partial<PathView>;
  /** tsbgpd's side of the session beyond the defaults. */
  readonly peer?: Partial<TsbgpdPeerSpec>;
  /**
   * The daemon passes a route learned from one tsbgpd on to the other, though its AS_PATH holds the receiver's
   * AS (FRR, BIRD and OpenBGPD do; GoBGP holds it back, ExaBGP is no router). The receiver must reject it.
   */
  readonly readvertises: boolean;
}

const CASES: readonly DaemonCase[] = [
  {
    kind: 'frr',
    title: 'FRR 8.4',
    address: '172.30.0.1',
    as: 65001,
    route: { prefix: '10.1.0.0/24', communities: ['65001:1'], med: 11 },
    expect: { asPath: [65001], nextHop: '172.30.0.1', communities: ['65001:1'], med: 11, origin: 'igp' },
    readvertises: true,
  },
  {
    kind: 'bird',
    title: 'BIRD 2',
    address: '172.30.0.2',
    as: 65002,
    route: { prefix: '10.2.0.0/24', largeCommunities: ['65002:2:2'], origin: 'egp' },
    expect: { asPath: [65002], nextHop: '172.30.0.2', largeCommunities: ['65002:2:2'], origin: 'egp' },
    readvertises: true,
  },
  {
    kind: 'gobgp',
    title: 'GoBGP 3',
    address: '172.30.0.3',
    as: 65003,
    route: { prefix: '10.3.0.0/24', communities: ['65003:3', '65003:33'] },
    expect: { asPath: [65003], nextHop: '172.30.0.3', communities: ['65003:3', '65003:33'] },
    readvertises: false,
  },
  {
    kind: 'openbgpd',
    title: 'OpenBGPD 7.7',
    address: '172.30.0.4',
    as: 65004,
    route: { prefix: '10.4.0.0/24', communities: ['65004:4'], med: 44 },
    expect: { asPath: [65004], nextHop: '172.30.0.4', communities: ['65004:4'], med: 44 },
    readvertises: true,
  },
  {
    kind: 'exabgp',
    title: 'ExaBGP 4.2',
    address: '172.30.0.5',
    as: 65005,
    // ExaBGP sends `asPath` verbatim: its own AS first, or the path would not be a valid eBGP path.
    route: { prefix: '10.5.0.0/24', asPath: [65005], communities: ['65005:5'] },
    expect: { asPath: [65005], nextHop: '172.30.0.5', communities: ['65005:5'] },
    peer: { capabilities: { routeRefresh: false } },
    readvertises: false,
  },
];

/** What each tsbgpd announces, and how the daemon must show it. */
const ANNOUNCED = {
  [ACTIVE]: { prefix: '10.110.0.0/24', communities: ['65010:110'], largeCommunities: ['65010:1:110'], med: 110 },
  [PASSIVE]: { prefix: '10.120.0.0/24', communities: ['65010:120'] },
} as const satisfies Record<string, RouteSpec>;

const namespaces: Netns[] = [];

/** Compare only the fields named in `want`, exactly (t.match would accept a longer AS_PATH). */
function expectPath(t: Test, path: PathView, want: Partial<PathView>, message: string): void {
  const got = Object.fromEntries(Object.keys(want).map((k) => [k, path[k as keyof PathView]]));
  t.same(got, want, message);
}

function tsbgpdSpec(address: string, c: DaemonCase, passive: boolean): TsbgpdSpec {
  return {
    as: TSBGPD_AS,
    routerId: address,
    address,
    rfc8212: true,
    peers: [{ address: c.address, as: c.as, permitAny: true, ...(passive ? { passive: true } : {}), ...c.peer }],
    routes: [ANNOUNCED[address === ACTIVE ? ACTIVE : PASSIVE]],
  };
}

t.test('tsbgpd with real routers', async (t) => {
  t.jobs = CASES.length;
  for (const c of CASES) {
    t.test(`${c.title}: tsbgpd active and passive, routes both ways`, async (t) => {
      if (!requireInterop(t, c.kind)) return;
      const ns = await Netns.create(t);
      namespaces.push(ns);
      await Promise.all([c.address, ACTIVE, PASSIVE].map((a) => ns.addAddress(a)));
      // tsbgpd first: OpenBGPD and ExaBGP have no connect-retry knob, and a refused first attempt would cost
      // them their full retry interval (120 s for OpenBGPD).
      const [active, passive] = await Promise.all([
        startTsbgpd(t, ns, tsbgpdSpec(ACTIVE, c, false), 'tsbgpd-active'),
        startTsbgpd(t, ns, tsbgpdSpec(PASSIVE, c, true), 'tsbgpd-passive'),
      ]);
      const daemon = await startDaemon(t, c.kind, ns, {
        as: c.as,
        routerId: c.address,
        address: c.address,
        peers: [
          { address: ACTIVE, as: TSBGPD_AS, passive: true },
          { address: PASSIVE, as: TSBGPD_AS },
        ],
        routes: [c.route],
      });

      const started = Date.now();
      await Promise.all([
        waitEstablished(t, active, c.address),
        waitEstablished(t, passive, c.address),
        waitEstablished(t, daemon, ACTIVE),
        waitEstablished(t, daemon, PASSIVE),
      ]);
      t.comment(`${c.kind}: both sessions Established ${Date.now() - started} ms after the daemon started`);
      const dialled = await active.status(c.address);
      const accepted = await passive.status(c.address);
      t.not(dialled?.localEndpoint?.port, 179, 'the active tsbgpd dialled (its end is an ephemeral port)');
      t.equal(accepted?.localEndpoint?.port, 179, 'the passive tsbgpd was dialled (its end is port 179)');
      t.match(
        await daemon.peer(ACTIVE),
        { state: 'Established', remoteAs: TSBGPD_AS, remoteRouterId: ACTIVE },
        `${c.kind} read tsbgpd's OPEN`,
      );
      t.match(dialled, { peerAsn: c.as, peerRouterId: c.address }, `tsbgpd read ${c.kind}'s OPEN`);
      if (daemon.kind === 'exabgp') {
        // ExaBGP records the OPENs it receives: route refresh (2, or the pre-standard 128) must not be in ours.
        const opens = (await daemon.messages()).filter((m) => m['type'] === 'open');
        const codes = opens.flatMap((m) => Object.keys(asObject(asObject(asObject(m['neighbor'])['open'])['capabilities'])));
        t.ok(opens.length >= 2 && codes.includes('65'), 'ExaBGP recorded both OPENs of tsbgpd, with their capabilities');
        t.notOk(codes.includes('2') || codes.includes('128'), 'neither advertised route refresh to ExaBGP');
      }

      // tsbgpd → daemon, as the daemon's own CLI shows it.
      expectPath(
        t,
        await waitRoute(t, daemon, ANNOUNCED[ACTIVE].prefix, (p) => p.from === ACTIVE),
        { nextHop: ACTIVE, asPath: [TSBGPD_AS], communities: ['65010:110'], largeCommunities: ['65010:1:110'], med: 110 },
        `${c.kind} shows the active tsbgpd's route with its attributes`,
      );
      expectPath(
        t,
        await waitRoute(t, daemon, ANNOUNCED[PASSIVE].prefix, (p) => p.from === PASSIVE),
        { nextHop: PASSIVE, asPath: [TSBGPD_AS], communities: ['65010:120'] },
        `${c.kind} shows the passive tsbgpd's route with its attributes`,
      );

      // daemon → tsbgpd, in both Speakers' Loc-RIB.
      for (const [name, speaker] of [
        ['active', active],
        ['passive', passive],
      ] as const) {
        const path = await waitRoute(t, speaker, c.route.prefix, (p) => p.from === c.address);
        expectPath(t, path, { ...c.expect, best: true }, `the ${name} tsbgpd has ${c.kind}'s route as best`);
      }

      if (c.readvertises) {
        // RFC 4271 §9.1.2: a route whose AS_PATH holds our own AS is not eligible — it came back around a loop.
        const echoed = await waitFor(
          t,
          async () => (await passive.adjRibIn(c.address)).find((p) => p.prefix === ANNOUNCED[ACTIVE].prefix),
          { what: `${c.kind} to pass the active tsbgpd's route to the passive one` },
        );
        t.same(
          { asPath: echoed.asPath, accepted: echoed.accepted },
          { asPath: [c.as, TSBGPD_AS], accepted: false },
          'the passive tsbgpd rejects it (AS loop)',
        );
        t.notOk((await passive.routes()).has(ANNOUNCED[ACTIVE].prefix), 'and keeps it out of its Loc-RIB');
      }

      // A route announced and withdrawn at run time reaches the daemon and leaves it.
      await active.announce({ prefix: '10.111.0.0/24', communities: ['65010:111'] });
      expectPath(
        t,
        await waitRoute(t, daemon, '10.111.0.0/24', (p) => p.from === ACTIVE),
        { asPath: [TSBGPD_AS], communities: ['65010:111'] },
        `${c.kind} shows a route announced at run time`,
      );
      await active.withdraw('10.111.0.0/24');
      await waitNoRoute(t, daemon, '10.111.0.0/24');
      t.pass(`the withdrawal reached ${c.kind}`);

      const [a, p] = [await active.status(c.address), await passive.status(c.address)];
      t.same([a?.flaps, p?.flaps], [0, 0], 'no session went down meanwhile');
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
