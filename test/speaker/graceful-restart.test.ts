// Graceful restart between two Speakers over loopback (127.0.0.1 helper A listening, 127.0.0.2 restarting B
// dialling): RFC 4724 §4.2 stale routes kept across B's restart and refreshed by its End-of-RIB, dropped when B
// stays away past its Restart Time, dropped at once when the new OPEN has no F bit or A is no receiving speaker;
// RFC 8538 N bit: a Cease keeps them, a purposeful stop sends Hard Reset and drops them.
// A peer that reconnects while its old session still looks Established (§4.2: replaced without a NOTIFICATION, its
// routes kept stale) and the R bit only in the first OPEN (§3), against a raw peer. Plus the pure decisions, and
// what router mode's `bgp graceful-restart` gives each peer.
import t from 'tap';
import { Speaker, type PeerConfig } from '../../lib/speaker/index.js';
import { permitAny } from '../../lib/policy/index.js';
import { retainOnClose, staleToDropOnReturn, purposefulCease } from '../../lib/speaker/graceful-restart.js';
import { IPV4_UNICAST, IPV6_UNICAST, errors, BgpError, createContext, endOfRibUpdate, parsePrefix } from '../../lib/wire/index.js';
import { RestartHelper } from '../../lib/speaker/restart-helper.js';
import { Rib } from '../../lib/rib/index.js';
import { FakeClock, silentLogger } from '../../lib/session/index.js';
import type { Negotiated } from '../../lib/fsm/index.js';
import { loadRouterConfig } from '../../lib/config/router-index.js';
import { neighborPeerConfig, planReload } from '../../lib/router/index.js';
import type { PolicySlot } from '../../lib/router/policy-slot.js';
import { RawPeer, announce } from '../helpers/raw-peer.js';
import { openFor, type Capability, type OpenMessage } from '../../lib/wire/index.js';
import { waitUntil as waitFor } from '../helpers/wait.js';

type Gr = NonNullable<NonNullable<PeerConfig['capabilities']>['gracefulRestart']>;
const gr = (restartTime: number, extra: Partial<Gr> = {}): Gr => ({ restartTime, families: [{ afi: 1, safi: 1, forwarding: true }], ...extra });

declare namespace Tap {
  type Test = Parameters<Parameters<typeof t.test>[1]>[0];
}

/** A: the receiving speaker, listening on 127.0.0.1. */
async function helper(t: Tap.Test, capabilities: PeerConfig['capabilities']): Promise<Speaker> {
  const A = new Speaker({ asn: 65100, routerId: '10.0.0.1', listen: { host: '127.0.0.1', port: 0 } });
  await A.start();
  A.addPeer({ address: '127.0.0.2', passive: true, remoteAs: 65101, importPolicy: permitAny, exportPolicy: permitAny, ...(capabilities ? { capabilities } : {}) });
  t.teardown(() => A.stop());
  return A;
}

/** B: the restarting speaker on 127.0.0.2, announcing `prefixes`. */
async function restarting(t: Tap.Test, A: Speaker, capabilities: PeerConfig['capabilities'], prefixes: string[]): Promise<Speaker> {
  const B = new Speaker({ asn: 65101, routerId: '10.0.0.2', listen: false });
  for (const p of prefixes) B.announce(p);
  B.addPeer({
    address: '127.0.0.1',
    port: A.listenAddress!.port,
    localAddress: '127.0.0.2',
    remoteAs: 65100,
    connectRetryTime: 1,
    importPolicy: permitAny,
    exportPolicy: permitAny,
    ...(capabilities ? { capabilities } : {}),
  });
  await B.start();
  t.teardown(() => B.stop());
  await waitFor('B established', () => A.peer('127.0.0.2')?.state === 'Established' && B.peer('127.0.0.1')?.state === 'Established');
  return B;
}

const PREFIXES = ['10.8.0.1/32', '10.8.0.2/32'];
const route = (A: Speaker, p: string) => A.routes(p)[0]?.paths[0];

t.test('helper: routes kept stale across the restart, refreshed, the rest dropped by End-of-RIB', async (t) => {
  const A = await helper(t, { gracefulRestart: gr(120) });
  const B = await restarting(t, A, { gracefulRestart: gr(30) }, PREFIXES);
  await waitFor('both routes at A', () => A.routes().length === 2);
  t.equal(A.peer('127.0.0.2')?.negotiated?.gracefulRestart?.restartTime, 30, 'A saw B advertise restart time 30');

  await B.stop('restarting', { gracefulRestart: true }); // no N bit: the transport closes without a NOTIFICATION
  await waitFor('A to see the session down', () => A.peer('127.0.0.2')?.state !== 'Established');
  t.equal(A.peer('127.0.0.2')?.lastNotificationReceived, undefined, 'no NOTIFICATION was received');
  for (const p of PREFIXES) {
    t.equal(route(A, p)?.stale, true, `${p} kept, stale`);
    t.equal(route(A, p)?.best, true, `${p} still best`);
  }
  t.match(A.peer('127.0.0.2')?.prefixes, { received: 2 }, 'counted while stale');

  // B comes back (R bit set) announcing only the first prefix, then End-of-RIB.
  const B2 = await restarting(t, A, { gracefulRestart: gr(30, { restarting: true }) }, ['10.8.0.1/32']);
  t.equal(A.peer('127.0.0.2')?.negotiated?.gracefulRestart?.restarting, true, 'the new OPEN carries the R bit');
  await waitFor('the stale route dropped by End-of-RIB', () => A.routes('10.8.0.2/32').length === 0);
  t.equal(route(A, '10.8.0.1/32')?.stale, false, 'the route sent again is fresh');
  t.equal(A.rib.staleCount('127.0.0.2'), 0);
  await B2.stop();
});

t.test('helper: a peer away past its Restart Time loses its routes', async (t) => {
  const A = await helper(t, { gracefulRestart: gr(120) });
  const B = await restarting(t, A, { gracefulRestart: gr(1) }, PREFIXES);
  await waitFor('both routes at A', () => A.routes().length === 2);
  await B.stop('gone', { gracefulRestart: true });
  await waitFor('A down', () => A.peer('127.0.0.2')?.state !== 'Established');
  t.equal(A.routes().length, 2, 'kept at first');
  const started = Date.now();
  await waitFor('the restart timer to drop them', () => A.routes().length === 0, 5000);
  t.ok(Date.now() - started >= 500, 'not before the restart time');
});

t.test('helper: no F bit in the new OPEN drops the stale routes at once', async (t) => {
  const A = await helper(t, { gracefulRestart: gr(120) });
  const B = await restarting(t, A, { gracefulRestart: gr(30) }, PREFIXES);
  await waitFor('both routes at A', () => A.routes().length === 2);
  await B.stop('restarting', { gracefulRestart: true });
  await waitFor('A down', () => A.peer('127.0.0.2')?.state !== 'Established');
  // B2 announces nothing and never preserves forwarding state: nothing may stay.
  await restarting(t, A, { gracefulRestart: { restartTime: 30, families: [{ afi: 1, safi: 1, forwarding: false }] } }, []);
  await waitFor('dropped on the new session', () => A.routes().length === 0);
  t.pass('stale routes dropped when the F bit is clear');
});

t.test('no receiving speaker: A without the capability drops at once', async (t) => {
  const A = await helper(t, undefined);
  const B = await restarting(t, A, { gracefulRestart: gr(30) }, PREFIXES);
  await waitFor('both routes at A', () => A.routes().length === 2);
  await B.stop('restarting', { gracefulRestart: true });
  await waitFor('dropped', () => A.routes().length === 0);
  t.pass();
});

t.test('RFC 8538: with the N bit a Cease keeps the routes, a plain stop sends Hard Reset', async (t) => {
  const A = await helper(t, { gracefulRestart: gr(120, { notification: true }) });
  const B = await restarting(t, A, { gracefulRestart: gr(30, { notification: true }) }, PREFIXES);
  await waitFor('both routes at A', () => A.routes().length === 2);
  await B.stop('restarting', { gracefulRestart: true });
  const n = await waitFor('A to receive the Cease', () => A.peer('127.0.0.2')?.lastNotificationReceived);
  t.match(n, { code: 6, subcode: 2 }, 'Cease / Administrative Shutdown received');
  t.equal(route(A, '10.8.0.1/32')?.stale, true, 'and the routes are kept stale');

  const B2 = await restarting(t, A, { gracefulRestart: gr(30, { notification: true, restarting: true }) }, PREFIXES);
  await waitFor('fresh again', () => A.rib.staleCount('127.0.0.2') === 0 && A.routes().length === 2);
  await B2.stop('for good');
  const hard = await waitFor('Hard Reset', () => {
    const r = A.peer('127.0.0.2')?.lastNotificationReceived;
    return r?.subcode === 9 ? r : undefined;
  });
  t.match(hard, { code: 6, subcode: 9 }, 'Cease / Hard Reset received');
  await waitFor('dropped', () => A.routes().length === 0);
  t.pass('Hard Reset drops the routes at once');
});

// ---------------------------------------------------------------------------------------------------------------
// RFC 4724 §4.2: B restarts without its old TCP connection closing — a raw peer at 127.0.0.2 (AS 65101) plays B,
// dialling A a second time while the first connection is still up.

const RAW_B = { asn: 65101, routerId: '10.0.0.2' } as const;
/** B's capabilities: 4-octet AS, IPv4 unicast, graceful restart (restart time 30, F bit) with `restartFlags`. */
const rawCapabilities = (restartFlags: number): Capability[] => [
  { kind: 'multiprotocol', code: 1, afi: 1, safi: 1 },
  { kind: 'four-octet-as', code: 65, asn: RAW_B.asn },
  { kind: 'graceful-restart', code: 64, restartFlags, restartTime: 30, families: [{ afi: 1, safi: 1, flags: 0x80 }] },
];
async function dialA(t: Tap.Test, A: Speaker): Promise<RawPeer> {
  const peer = await RawPeer.connect({ host: '127.0.0.1', port: A.listenAddress!.port, localAddress: '127.0.0.2' });
  t.teardown(() => peer.socket.destroy());
  return peer;
}
const isOpen = (r: { message?: { type: number } }): OpenMessage | undefined => (r.message?.type === 1 ? (r.message as OpenMessage) : undefined);
const rBitOf = (open: OpenMessage): boolean | undefined => {
  const c = open.capabilities.find((x) => x.kind === 'graceful-restart');
  return c?.kind === 'graceful-restart' ? (c.restartFlags & 0x8) !== 0 : undefined;
};

t.test('helper: B reconnects while its old session still looks Established — replaced silently, routes kept stale', async (t) => {
  const A = await helper(t, { gracefulRestart: gr(120) });
  const old = await dialA(t, A);
  await old.establish({ ...RAW_B, capabilities: rawCapabilities(0) });
  old.sendMessage(announce(PREFIXES, RAW_B.asn, '127.0.0.2'));
  await waitFor('both routes at A', () => A.routes().length === 2);

  // B's process dies and comes back before A's hold timer notices: the old connection stays open (no FIN, no RST),
  // and a new one arrives with an OPEN carrying the R bit.
  const fresh = await dialA(t, A);
  await fresh.waitFor("A's OPEN on the new connection", isOpen);
  t.equal(A.peer('127.0.0.2')?.state, 'Established', 'the new TCP connection alone ends nothing');
  t.equal(old.isClosed, false);
  fresh.sendMessage(openFor({ asn: RAW_B.asn, holdTime: 90, bgpIdentifier: RAW_B.routerId, capabilities: rawCapabilities(0x8) }));

  await old.closed();
  t.equal(old.count(3), 0, 'A closed the old connection without a NOTIFICATION');
  t.equal(A.peer('127.0.0.2')?.lastNotificationSent, undefined, 'and sent none at all');
  t.match(A.peer('127.0.0.2')?.lastDownReason, /replaced by a new connection \(RFC 4724 §4\.2\)/);
  for (const p of PREFIXES) t.equal(route(A, p)?.stale, true, `${p} kept, stale, while the new session comes up`);

  await fresh.waitFor("A's KEEPALIVE", (r) => ('message' in r && r.message.type === 4 ? true : undefined));
  fresh.sendMessage({ type: 4 });
  await waitFor('the new session Established', () => A.peer('127.0.0.2')?.state === 'Established');
  t.equal(A.peer('127.0.0.2')?.negotiated?.gracefulRestart?.restarting, true, 'the new session is the restarted peer');
  t.equal(A.rib.staleCount('127.0.0.2'), 2, 'still stale until End-of-RIB');

  // B sends one route again, then End-of-RIB: that one is fresh, the other goes.
  fresh.sendMessage(announce(['10.8.0.1/32'], RAW_B.asn, '127.0.0.2'));
  fresh.sendMessage(endOfRibUpdate(1, 1));
  await waitFor('End-of-RIB to drop the route not sent again', () => A.routes('10.8.0.2/32').length === 0);
  t.equal(route(A, '10.8.0.1/32')?.stale, false, 'the route sent again is fresh');
  t.equal(A.rib.staleCount('127.0.0.2'), 0);
  t.equal(fresh.count(3), 0, 'the new session got no NOTIFICATION either');
});

t.test('no graceful restart on the old session: the new connection is refused (RFC 4271 §6.8)', async (t) => {
  const A = await helper(t, undefined);
  const old = await dialA(t, A);
  await old.establish({ ...RAW_B, capabilities: rawCapabilities(0) });
  old.sendMessage(announce(PREFIXES, RAW_B.asn, '127.0.0.2'));
  await waitFor('both routes at A', () => A.routes().length === 2);
  const fresh = await dialA(t, A);
  t.match(await fresh.notification(), { code: 6, subcode: 7 }, 'Cease / Connection Collision Resolution');
  await fresh.closed();
  t.equal(A.peer('127.0.0.2')?.state, 'Established', 'the old session stands');
  t.equal(old.isClosed, false);
  t.equal(route(A, '10.8.0.1/32')?.stale, false, 'its routes are not stale');
});

t.test('RFC 4724 §3: the R bit is in the first OPEN only, not after a flap', async (t) => {
  const A = await helper(t, { gracefulRestart: gr(120, { restarting: true }) });
  const first = await dialA(t, A);
  await first.establish({ ...RAW_B, capabilities: rawCapabilities(0) });
  const open1 = await first.waitFor("A's first OPEN", isOpen);
  t.equal(rBitOf(open1), true, 'the first OPEN of the process claims the restart');
  await waitFor('Established', () => A.peer('127.0.0.2')?.state === 'Established');

  first.reset(); // the session flaps
  await waitFor('A to see it down', () => A.peer('127.0.0.2')?.state !== 'Established');
  const second = await dialA(t, A);
  const open2 = await second.waitFor("A's OPEN after the flap", isOpen);
  t.equal(rBitOf(open2), false, 'a later session claims no restart');
  t.ok(open2.capabilities.some((c) => c.kind === 'graceful-restart'), 'the capability itself is still advertised');
});

// ---------------------------------------------------------------------------------------------------------------
// The pure decisions

function negotiated(peer: Negotiated['gracefulRestart'], families = [IPV4_UNICAST]): Negotiated {
  return { families, gracefulRestart: peer } as unknown as Negotiated;
}
const peerGr = (notification: boolean, forwarding = true): Negotiated['gracefulRestart'] => ({
  restartTime: 90,
  restarting: false,
  notification,
  families: [{ afi: 1, safi: 1, forwardingPreserved: forwarding }, { afi: 2, safi: 1, forwardingPreserved: forwarding }],
});

t.test('retainOnClose', async (t) => {
  const local = gr(120, { notification: true });
  const tcp = { kind: 'tcp-failure' } as const;
  t.same(retainOnClose(local, negotiated(peerGr(false)), tcp), { families: [IPV4_UNICAST], restartTime: 90 }, 'TCP failure: negotiated families the peer listed');
  t.same(retainOnClose(undefined, negotiated(peerGr(false)), tcp).families, [], 'we are no receiving speaker');
  t.same(retainOnClose(local, negotiated(undefined), tcp).families, [], 'the peer did not advertise');
  t.same(retainOnClose(local, negotiated({ ...peerGr(false)!, restartTime: 0 }), tcp).families, [], 'restart time 0');
  const hold = { kind: 'notification-sent', error: new BgpError(4, 0) } as const;
  t.same(retainOnClose(local, negotiated(peerGr(false)), hold).families, [IPV4_UNICAST], 'hold timer expiry');
  const cease = { kind: 'notification-received', notification: { type: 3, code: 6, subcode: 2, data: new Uint8Array() } } as const;
  t.same(retainOnClose(local, negotiated(peerGr(false)), cease as never).families, [], 'a NOTIFICATION without the N bit');
  t.same(retainOnClose(local, negotiated(peerGr(true)), cease as never).families, [IPV4_UNICAST], 'with the N bit on both sides');
  t.same(retainOnClose(gr(120), negotiated(peerGr(true)), cease as never).families, [], 'the N bit on one side only');
  const hard = { kind: 'notification-received', notification: { type: 3, code: 6, subcode: 9, data: new Uint8Array() } } as const;
  t.same(retainOnClose(local, negotiated(peerGr(true)), hard as never).families, [], 'Hard Reset');
  t.same(retainOnClose(local, negotiated(peerGr(false), [IPV4_UNICAST, IPV6_UNICAST]), tcp).families, [IPV4_UNICAST, IPV6_UNICAST]);
});

t.test('staleToDropOnReturn and purposefulCease', async (t) => {
  t.same(staleToDropOnReturn([IPV4_UNICAST], negotiated(peerGr(false))), [], 'F bit set: wait for End-of-RIB');
  t.same(staleToDropOnReturn([IPV4_UNICAST], negotiated(peerGr(false, false))), [IPV4_UNICAST], 'F bit clear');
  t.same(staleToDropOnReturn([IPV4_UNICAST], negotiated(undefined)), [IPV4_UNICAST], 'no capability');
  t.same(staleToDropOnReturn([IPV6_UNICAST], negotiated(peerGr(false))), [IPV6_UNICAST], 'family not negotiated');
  const admin = errors.cease(3, new Uint8Array([1, 0x41]));
  t.equal(purposefulCease(gr(120), negotiated(peerGr(true)), admin), admin, 'no N bit on our side: unchanged');
  const hard = purposefulCease(gr(120, { notification: true }), negotiated(peerGr(true)), admin);
  t.same([hard.code, hard.subcode, ...hard.data], [6, 9, 6, 3, 1, 0x41], 'Hard Reset wrapping code, subcode and data');
});

// ---------------------------------------------------------------------------------------------------------------
// What the router mode gives the Speaker (`bgp graceful-restart`, FRR text and YAML alike)

t.test('router configuration: bgp graceful-restart → each peer advertises it, the Speaker waits stalePathTime', async (t) => {
  const frr = (lines: string[]) =>
    loadRouterConfig({
      name: 'r.yaml',
      text: `apiVersion: tsbgpd.io/v1alpha1\nkind: Router\nspec:\n  frr: |\n    router bgp 65100\n     bgp router-id 10.0.0.1\n${lines.map((l) => `     ${l}\n`).join('')}     neighbor 10.0.0.2 remote-as 65200\n    exit\n`,
    });
  const off = frr([]);
  t.ok(off.ok && off.config.gracefulRestart === undefined, 'off unless configured');
  const on = frr(['bgp graceful-restart', 'bgp graceful-restart restart-time 30', 'bgp graceful-restart stalepath-time 60', 'bgp graceful-restart preserve-fw-state']);
  t.same(on.ok ? on.config.gracefulRestart : on.errors, { restartTime: 30, stalePathTime: 60, notification: true, preserveForwardingState: true });
  const noN = frr(['bgp graceful-restart', 'no bgp graceful-restart notification']);
  t.equal(noN.ok && noN.config.gracefulRestart?.notification, false, 'no bgp graceful-restart notification');
  const alone = frr(['bgp graceful-restart restart-time 30']);
  t.ok(alone.ok && alone.config.gracefulRestart === undefined, 'restart-time alone turns nothing on');
  t.match(alone.warnings.map((w) => w.message).join(), /no effect without bgp graceful-restart/);
  const bad = frr(['bgp graceful-restart restart-time 5000']);
  t.notOk(bad.ok, 'restart-time out of range is an error');

  const yaml = loadRouterConfig({
    name: 'r.yaml',
    text: 'apiVersion: tsbgpd.io/v1alpha1\nkind: Router\nspec:\n  asn: 65100\n  routerId: 10.0.0.1\n  gracefulRestart: { restartTime: 30, stalePathTime: 60, preserveForwardingState: true }\n  neighbors: [{ address: 10.0.0.2, remoteAs: 65200 }]\n',
  });
  t.same(yaml.ok ? yaml.config.gracefulRestart : yaml.errors, on.ok ? on.config.gracefulRestart : undefined, 'YAML and FRR text agree');
  const yes = loadRouterConfig({ name: 'r.yaml', text: 'apiVersion: tsbgpd.io/v1alpha1\nkind: Router\nspec:\n  asn: 65100\n  routerId: 10.0.0.1\n  gracefulRestart: true\n' });
  t.same(yes.ok ? yes.config.gracefulRestart : yes.errors, { restartTime: 120, stalePathTime: 360, notification: true, preserveForwardingState: false });

  if (!on.ok) return;
  const slot = { policy: permitAny } as unknown as PolicySlot;
  const peer = neighborPeerConfig({ address: '10.0.0.2' }, { remoteAs: 65200, families: ['ipv4-unicast', 'ipv6-unicast'] }, { in: slot, out: slot }, on.config.gracefulRestart);
  t.same(peer.capabilities?.gracefulRestart, {
    restartTime: 30,
    notification: true,
    families: [
      { afi: 1, safi: 1, forwarding: true },
      { afi: 2, safi: 1, forwarding: true },
    ],
  });
  t.equal(neighborPeerConfig({ address: '10.0.0.2' }, { remoteAs: 65200 }, { in: slot, out: slot }).capabilities, undefined, 'none without it');
  t.same(planReload(off.ok ? off.config : on.config, on.config).restart, ['graceful-restart'], 'changing it restarts the instance');
});

// ---------------------------------------------------------------------------------------------------------------
// The helper's timers under a fake clock: restart time, stale-path time, End-of-RIB stopping the wait

t.test('RestartHelper: restart timer, stale-path timer, End-of-RIB', async (t) => {
  const setup = () => {
    const rib = new Rib({ localAsn: 65100, routerId: '10.0.0.1' });
    rib.addPeer({ id: 'p', address: '192.0.2.1', asn: 65200 });
    rib.peerUp('p', { families: [IPV4_UNICAST], txContext: createContext() });
    rib.ingest('p', {
      type: 2,
      withdrawn: [],
      attributes: [{ kind: 'origin', origin: 0 }, { kind: 'as-path', segments: [{ type: 2, asns: [65200] }] }, { kind: 'next-hop', nextHop: '192.0.2.1' }],
      nlri: [parsePrefix('10.9.0.0/24')],
    });
    const clock = new FakeClock();
    return { rib, clock, helper: new RestartHelper(rib, clock, 60) };
  };
  const tcp = { kind: 'tcp-failure' } as const;
  const local = gr(120);
  const n = negotiated({ ...peerGr(false)!, restartTime: 30 });

  const a = setup();
  t.equal(a.helper.sessionDown('p', local, n, tcp, silentLogger), true, 'routes kept');
  a.clock.advance(29_000);
  t.equal(a.rib.staleCount('p'), 1, 'still there before the restart time');
  a.clock.advance(1_000);
  t.equal(a.rib.prefixCount, 0, 'gone at the restart time');

  const b = setup();
  b.helper.sessionDown('p', local, n, tcp, silentLogger);
  b.clock.advance(10_000);
  t.equal(b.helper.sessionReturning('p', n, silentLogger), 1, 'back with the F bit: one stale route waits');
  b.rib.peerUp('p', { families: [IPV4_UNICAST], txContext: createContext() });
  b.helper.sessionUp('p', silentLogger);
  b.clock.advance(30_000);
  t.equal(b.rib.staleCount('p'), 1, 'the restart timer no longer runs once the peer is back');
  b.clock.advance(30_000);
  t.equal(b.rib.prefixCount, 0, 'no End-of-RIB within the stale-path time: dropped');

  const c = setup();
  c.helper.sessionDown('p', local, n, tcp, silentLogger);
  c.helper.sessionReturning('p', n, silentLogger);
  c.rib.peerUp('p', { families: [IPV4_UNICAST], txContext: createContext() });
  c.helper.sessionUp('p', silentLogger);
  c.rib.on('end-of-rib', (id, _f, remaining) => c.helper.endOfRib(id, remaining));
  c.rib.ingest('p', endOfRibUpdate(1, 1));
  t.equal(c.rib.prefixCount, 0, 'End-of-RIB drops the stale route');
  t.equal(c.helper.sessionDown('p', local, negotiated(undefined), tcp, silentLogger), false, 'a peer without the capability: nothing kept');
});
