/**
 * Graceful restart (RFC 4724, RFC 8538) against real FRR 8.4, both ways.
 *
 * (a) tsbgpd restarting: `tsbgpd run` with `enableGracefulRestart: true` on its BGPPeer, FRR as the seed's pfSense
 *     with `bgp graceful-restart`. SIGTERM, then the same node starts again: FRR holds 10.8.0.0/32 throughout
 *     (sampled all along), shows it stale while tsbgpd is away, and fresh once the new session's End-of-RIB came.
 *     Twice: with FRR's N bit (RFC 8538; FRR 8.4 sets it by default) tsbgpd says goodbye with a Cease, which FRR
 *     honours; with `no bgp graceful-restart notification` at FRR it closes the connection without a NOTIFICATION.
 * (b) FRR restarting: tsbgpd in router mode (`bgp graceful-restart`) learns a route from FRR; FRR's bgpd is killed
 *     (-9) and started again: tsbgpd keeps the route, stale, until FRR's End-of-RIB makes it fresh; killed again and
 *     left down, the route goes once FRR's restart time (short here) runs out.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parseEndpoint, request, type RoutesView } from '../../lib/api/index.js';
import { AnnouncerNode, seedResources, serviceYaml } from '../helpers/announcer-node.js';
import { Frr, startDaemon } from '../helpers/daemons.js';
import { asArray, asObject, type SpeakerSpec } from '../helpers/daemons/types.js';
import { requireInterop, waitFor } from '../helpers/interop.js';
import { Netns, type NodeProcess } from '../helpers/netns.js';
import { pfsenseFrrConfig } from '../helpers/seed.js';

const ROUTER_CHILD = fileURLToPath(new URL('../helpers/fixtures/router-child.ts', import.meta.url));

const ROUTER = '172.30.0.1';
const NODE = '172.30.0.11';
const PREFIX = '10.8.0.0/32';
const WAIT = { timeout: 45_000 };


/** FRR's paths for `prefix` (`show bgp ipv4 unicast PREFIX json`), or [] when it has none. */
async function frrPaths(frr: Frr, prefix: string): Promise<Record<string, unknown>[]> {
  const r = asObject(await frr.json(`show bgp ipv4 unicast ${prefix} json`));
  return asArray(r['paths']).map(asObject);
}

type Test = Parameters<Parameters<typeof t.test>[1]>[0];

/** (a), with FRR setting the N bit (tsbgpd ends with a Cease) or not (tsbgpd closes without a NOTIFICATION). */
async function announcerRestarts(t: Test, notification: boolean): Promise<void> {
  if (!requireInterop(t, 'frr')) return;
  const ns = await Netns.create(t);
  await Promise.all([ROUTER, NODE].map((a) => ns.addAddress(a)));
  const frr = (await startDaemon(t, 'frr', ns, {
    as: 65100,
    routerId: '192.168.3.1',
    address: ROUTER,
    peers: [],
    extraConfig: pfsenseFrrConfig([NODE], { gracefulRestart: true, notification }),
  })) as Frr;
  const seed = seedResources({ routerAddress: ROUTER, routerAs: 65100, nodeAs: 65101, sourceAddress: NODE }).replace(
    `sourceAddress: ${NODE} }`,
    `sourceAddress: ${NODE}, enableGracefulRestart: true }`,
  );
  t.match(seed, /enableGracefulRestart: true/);
  const node = await AnnouncerNode.start(ns, {
    name: 'node1',
    routerId: NODE,
    files: { 'metallb.yaml': seed, 'guestbook-ui.yaml': serviceYaml('guestbook-ui') },
    args: ['--no-watch', '--log-format', 'json'],
  });
  await waitFor(t, async () => (await frrPaths(frr, PREFIX)).length > 0, { ...WAIT, what: `FRR to hold ${PREFIX}` });
  const neighbor = asObject((await frr.peer(NODE))?.raw);
  const grInfo = asObject(neighbor['gracefulRestartInfo']);
  t.comment('FRR gracefulRestartInfo:', JSON.stringify(grInfo));
  t.equal(asObject(neighbor['neighborCapabilities'])['gracefulRestart'], 'advertisedAndReceived', 'FRR: GR capability advertised and received');
  t.match(grInfo, { remoteGrMode: 'Restart', rBit: true, nBit: true, timers: { receivedRestartTimer: 120 }, ipv4Unicast: { fBit: true } }, 'FRR sees our R, N and F bits and restart time 120');
  // (FRR's `nBit` is what it received; whether the N bit counts depends on FRR sending it too.)

  // Sample FRR's view of the prefix all through the restart.
  const samples: { at: number; present: boolean; stale: boolean }[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      try {
        const paths = await frrPaths(frr, PREFIX);
        samples.push({ at: Date.now(), present: paths.length > 0, stale: paths.some((p) => p['stale'] === true) });
      } catch {
        // vtysh busy: skip the sample
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  t.teardown(() => {
    sampling = false;
  });

  const exit = await node.stop();
  t.equal(exit.code, 0, 'tsbgpd exits 0 on SIGTERM');
  await waitFor(t, async () => (await frrPaths(frr, PREFIX)).some((p) => p['stale'] === true), { ...WAIT, what: 'FRR to mark the route stale' });
  const down = asObject((await frr.peer(NODE))?.raw);
  t.comment('FRR while tsbgpd is away:', JSON.stringify({ state: down['bgpState'], lastReset: down['lastResetDueTo'], notification: down['lastErrorCodeSubcode'], gr: down['gracefulRestartInfo'] }));
  t.comment('path while away:', JSON.stringify((await frrPaths(frr, PREFIX))[0]));
  if (notification) {
    // FRR 8.4 honours RFC 8538: the Cease tsbgpd sent (the N bit was exchanged) starts graceful restart.
    t.equal(down['lastErrorCodeSubcode'], '0602', 'FRR received Cease / Administrative Shutdown');
  } else {
    // Without FRR's N bit a Cease would end graceful restart: tsbgpd closed the connection without one.
    t.not(down['lastErrorCodeSubcode'], '0602', 'FRR received no Cease');
    t.match(down['lastResetDueTo'], /NSF peer closed/, 'FRR: "NSF peer closed the session"');
  }
  t.ok(Number(asObject(asObject(down['gracefulRestartInfo'])['timers'])['restartTimerRemaining']) > 100, 'and runs our restart timer');
  t.pass('FRR keeps the route, stale, while tsbgpd is away');

  await node.restart();
  await waitFor(
    t,
    async () => {
      const paths = await frrPaths(frr, PREFIX);
      return paths.length > 0 && paths.every((p) => p['stale'] !== true);
    },
    { ...WAIT, what: 'the route fresh again after the new session' },
  );
  sampling = false;
  await sampler;
  // A query the sampler started while the route was still stale can finish after the wait above saw it fresh: the
  // last word is a sample taken now.
  const final = await frrPaths(frr, PREFIX);
  samples.push({ at: Date.now(), present: final.length > 0, stale: final.some((p) => p['stale'] === true) });
  // How many depends on how fast vtysh answers (slow on a loaded machine); what matters is that the samples span
  // the restart — before, while away (stale), after (fresh) — and that none missed the route.
  t.ok(samples.length >= 3, `${samples.length} samples taken`);
  t.equal(samples.filter((s) => !s.present).length, 0, 'FRR never lost the route');
  t.ok(samples.some((s) => s.stale), 'FRR showed it stale');
  t.notOk(samples.at(-1)?.stale, 'and fresh at the end');
}

t.test('(a) tsbgpd announcer restarts, N bit exchanged: Cease, FRR keeps the route stale, then fresh', (t) => announcerRestarts(t, true));
t.test('(a) tsbgpd announcer restarts, FRR without the N bit: no NOTIFICATION, FRR keeps the route stale, then fresh', (t) =>
  announcerRestarts(t, false),
);

// ---------------------------------------------------------------------------------------------------------------
// (b) FRR restarting, tsbgpd's router mode the receiving speaker.

const RR = '172.30.1.1';
const UPSTREAM = '172.30.1.2';
const UPSTREAM_PREFIX = '10.9.0.0/24';
/** FRR's advertised restart time: how long tsbgpd keeps its routes when it stays away. */
const FRR_RESTART_TIME = 8;

const routerYaml = (socket: string): string => `apiVersion: tsbgpd.io/v1alpha1
kind: Router
metadata: { name: rr }
spec:
  listen: { address: ${RR}, port: 179 }
  api: { socket: ${socket} }
  frr: |
    router bgp 65100
     bgp router-id ${RR}
     no bgp ebgp-requires-policy
     bgp graceful-restart
     neighbor ${UPSTREAM} remote-as 65200
     neighbor ${UPSTREAM} timers connect 1
    exit
`;

/** tsbgpd's paths for `prefix` from its control API (`GET /v1/routes?prefix=`). */
async function routerPaths(socket: string, prefix: string): Promise<{ stale: boolean; best: boolean; peer: string | null }[]> {
  const view = (await request(parseEndpoint(socket), 'GET', `/v1/routes?prefix=${encodeURIComponent(prefix)}`)) as RoutesView;
  return view.families.flatMap((f) => f.routes.filter((r) => r.prefix === prefix).flatMap((r) => r.paths));
}

t.test('(b) FRR restarts: tsbgpd keeps its routes stale until its End-of-RIB, drops them after its restart time', async (t) => {
  if (!requireInterop(t, 'frr')) return;
  const ns = await Netns.create(t);
  await Promise.all([RR, UPSTREAM].map((a) => ns.addAddress(a)));
  const socket = ns.path('rr.sock');
  writeFileSync(ns.path('rr.yaml'), routerYaml(socket));
  const router: NodeProcess = ns.spawnNode(ROUTER_CHILD, [ns.path('rr.yaml')], {}, { log: 'rr.log' });
  t.teardown(async () => {
    if (router.running) await router.channel.request({ op: 'stop' }, 10_000).catch(() => undefined);
    await router.stop(3000);
  });
  const ready = await router.channel.next((m) => typeof m['ready'] === 'boolean', 45_000);
  t.equal(ready['ready'], true, 'the router starts with bgp graceful-restart');

  const spec: SpeakerSpec = {
    as: 65200,
    routerId: UPSTREAM,
    address: UPSTREAM,
    peers: [{ address: RR, as: 65100, connectRetry: 1 }],
    routes: [{ prefix: UPSTREAM_PREFIX }],
    extraConfig: [
      'router bgp 65200',
      ' bgp graceful-restart',
      ' bgp graceful-restart preserve-fw-state',
      ` bgp graceful-restart restart-time ${FRR_RESTART_TIME}`,
      'exit',
    ],
  };
  let frr = await Frr.start(ns, spec, 'upstream');
  const fresh = async (): Promise<boolean> => {
    const paths = await routerPaths(socket, UPSTREAM_PREFIX);
    return paths.length === 1 && paths[0]?.stale === false;
  };
  await waitFor(t, fresh, { ...WAIT, what: `tsbgpd to learn ${UPSTREAM_PREFIX} from FRR` });
  const peer = asObject((await frr.peer(RR))?.raw);
  t.comment('FRR sees tsbgpd:', JSON.stringify(peer['gracefulRestartInfo']));

  // 1. bgpd killed and started again: the route stays, stale, until FRR's End-of-RIB.
  frr.process.signal('SIGKILL');
  await frr.process.stop(5000);
  const stale = await waitFor(
    t,
    async () => {
      const paths = await routerPaths(socket, UPSTREAM_PREFIX);
      return paths[0]?.stale === true ? paths[0] : undefined;
    },
    { ...WAIT, what: 'tsbgpd to mark the route stale' },
  );
  t.equal(stale.best, true, 'kept stale, still best');
  const shown = await request(parseEndpoint(socket), 'GET', `/v1/routes?prefix=${encodeURIComponent(UPSTREAM_PREFIX)}`);
  t.comment('tsbgpd route while FRR is away:', JSON.stringify(shown).slice(0, 400));

  const samples: boolean[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      samples.push((await routerPaths(socket, UPSTREAM_PREFIX).catch(() => [{ stale: true }])).length > 0);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  frr = await Frr.start(ns, spec, 'upstream');
  await waitFor(t, fresh, { ...WAIT, what: 'the route fresh again after FRR came back' });
  sampling = false;
  await sampler;
  t.ok(samples.length > 3, `${samples.length} samples`);
  t.equal(samples.filter((present) => !present).length, 0, 'tsbgpd never lost the route while FRR restarted');
  const log = readFileSync(router.logFile, 'utf8');
  t.match(log, /"graceful-restart-helper"/, 'tsbgpd logged keeping the routes stale');
  t.match(log, /"graceful-restart-returned"/, 'and that FRR came back with stale routes waiting for End-of-RIB');
  t.notMatch(log, /"graceful-restart-not-preserved"/, 'FRR set the F bit: nothing was dropped on its return');

  // 2. Killed again and left down: gone once its restart time has run out, not before.
  frr.process.signal('SIGKILL');
  await frr.process.stop(5000);
  const killed = Date.now();
  await waitFor(t, async () => (await routerPaths(socket, UPSTREAM_PREFIX))[0]?.stale === true, { ...WAIT, what: 'stale again' });
  await waitFor(t, async () => (await routerPaths(socket, UPSTREAM_PREFIX)).length === 0, { timeout: (FRR_RESTART_TIME + 15) * 1000, what: 'the route to go after the restart time' });
  const waited = (Date.now() - killed) / 1000;
  t.ok(waited >= FRR_RESTART_TIME - 1, `dropped after ${waited.toFixed(1)} s (restart time ${FRR_RESTART_TIME} s)`);
  t.match(readFileSync(router.logFile, 'utf8'), /"graceful-restart-timeout"/, 'by the restart timer');
});
