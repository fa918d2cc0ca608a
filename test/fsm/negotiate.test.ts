// Capability negotiation against the default OPENs of FRR, BIRD, GoBGP, OpenBGPD and ExaBGP (shared/peers.md),
// plus the corner cases of each rule: hold time, families, ADD-PATH directions, graceful restart, codec contexts.
import t from 'tap';
import { announcedFamilies, localOpenFor, negotiate, negotiateHoldTime, resolveConfig } from '../../lib/fsm/index.js';
import type { Negotiated, PeerFsmConfig } from '../../lib/fsm/index.js';
import { IPV4_UNICAST, IPV6_UNICAST } from '../../lib/wire/constants.js';
import type { Capability, OpenMessage } from '../../lib/wire/types.js';

const mp = (afi: number, safi: number): Capability => ({ kind: 'multiprotocol', code: 1, afi, safi });
const as4 = (asn: number): Capability => ({ kind: 'four-octet-as', code: 65, asn });
const rr: Capability = { kind: 'route-refresh', code: 2 };
const rrOld: Capability = { kind: 'route-refresh', code: 128 };
const enhanced: Capability = { kind: 'enhanced-route-refresh', code: 70 };
const extMsg: Capability = { kind: 'extended-message', code: 6 };
const gr = (restartTime: number, restartFlags = 0, families: { afi: number; safi: number; flags: number }[] = []): Capability => ({
  kind: 'graceful-restart',
  code: 64,
  restartFlags,
  restartTime,
  families,
});
const llgr = (families: { afi: number; safi: number; flags: number; staleTime: number }[] = []): Capability => ({
  kind: 'long-lived-graceful-restart',
  code: 71,
  families,
});
const fqdn = (hostname: string, domainName = ''): Capability => ({ kind: 'fqdn', code: 73, hostname, domainName });

const peer = (holdTime: number, capabilities: Capability[]): OpenMessage => ({
  type: 1,
  version: 4,
  myAs: 65001,
  holdTime,
  bgpIdentifier: '192.0.2.2',
  capabilities,
});

/** What each daemon sends by default (peers.md, "What each sends in OPEN by default"). */
const daemons: Record<string, OpenMessage> = {
  'FRR 8.4': peer(180, [
    mp(1, 1),
    rrOld,
    rr,
    enhanced,
    as4(65001),
    extMsg,
    { kind: 'add-path', code: 69, families: [{ afi: 1, safi: 1, mode: 1 }] },
    fqdn('frr1'),
    gr(120),
    llgr(),
  ]),
  'GoBGP 3.10': peer(90, [
    rr,
    fqdn('gobgp', 'example.net'),
    mp(1, 1),
    as4(65001),
    { kind: 'extended-next-hop', code: 5, entries: [{ afi: 1, safi: 1, nextHopAfi: 2 }] },
  ]),
  'BIRD 2.0': peer(240, [mp(1, 1), rr, gr(120), as4(65001), enhanced, llgr()]),
  'OpenBGPD 7.7': peer(90, [mp(1, 1), rr, gr(0), as4(65001)]),
  'ExaBGP 4.2': peer(180, [mp(1, 1), as4(65001), extMsg]),
};

const metallbLike: PeerFsmConfig = { localAsn: 65000, routerId: '192.0.2.1', remoteAs: 65001 };
const rich: PeerFsmConfig = {
  ...metallbLike,
  families: [
    { afi: 1, safi: 1 },
    { afi: 2, safi: 1 },
  ],
  capabilities: {
    enhancedRouteRefresh: true,
    extendedMessage: true,
    addPath: [{ afi: 1, safi: 1, mode: 'both' }],
    gracefulRestart: { restartTime: 120 },
    longLivedGracefulRestart: { families: [{ afi: 1, safi: 1, staleTime: 3600 }] },
    extendedNextHop: [{ afi: 1, safi: 1, nextHopAfi: 2 }],
  },
};

function run(config: PeerFsmConfig, peerOpen: OpenMessage): Negotiated {
  const resolved = resolveConfig(config);
  return negotiate(resolved, localOpenFor(resolved), peerOpen);
}

/** The negotiated result as comparable plain data. */
function summary(n: Negotiated): Record<string, unknown> {
  return {
    hold: `${n.holdTime}/${n.keepaliveTime}`,
    families: n.families,
    fourOctetAs: n.fourOctetAs,
    extendedMessage: n.extendedMessage,
    routeRefresh: n.routeRefresh,
    enhancedRouteRefresh: n.enhancedRouteRefresh,
    addPath: `send ${[...n.addPath.send].join(',')} / receive ${[...n.addPath.receive].join(',')}`,
    gracefulRestart: n.gracefulRestart?.restartTime,
    llgr: n.longLivedGracefulRestart !== undefined,
    extendedNextHop: n.extendedNextHop.map((e) => `${e.afi}/${e.safi}/${e.nextHopAfi}`),
    fqdn: n.peerFqdn?.hostname,
  };
}

const expectations: Record<string, [metallb: Record<string, unknown>, rich: Record<string, unknown>]> = {
  'FRR 8.4': [
    { hold: '90/30', families: [257], fourOctetAs: true, extendedMessage: false, routeRefresh: true, enhancedRouteRefresh: false, addPath: 'send  / receive ', gracefulRestart: 120, llgr: true, extendedNextHop: [], fqdn: 'frr1' },
    { hold: '90/30', families: [257], fourOctetAs: true, extendedMessage: true, routeRefresh: true, enhancedRouteRefresh: true, addPath: 'send 257 / receive ', gracefulRestart: 120, llgr: true, extendedNextHop: [], fqdn: 'frr1' },
  ],
  'GoBGP 3.10': [
    { hold: '90/30', families: [257], fourOctetAs: true, extendedMessage: false, routeRefresh: true, enhancedRouteRefresh: false, addPath: 'send  / receive ', gracefulRestart: undefined, llgr: false, extendedNextHop: [], fqdn: 'gobgp' },
    { hold: '90/30', families: [257], fourOctetAs: true, extendedMessage: false, routeRefresh: true, enhancedRouteRefresh: false, addPath: 'send  / receive ', gracefulRestart: undefined, llgr: false, extendedNextHop: ['1/1/2'], fqdn: 'gobgp' },
  ],
  'BIRD 2.0': [
    { hold: '90/30', families: [257], fourOctetAs: true, extendedMessage: false, routeRefresh: true, enhancedRouteRefresh: false, addPath: 'send  / receive ', gracefulRestart: 120, llgr: true, extendedNextHop: [], fqdn: undefined },
    { hold: '90/30', families: [257], fourOctetAs: true, extendedMessage: false, routeRefresh: true, enhancedRouteRefresh: true, addPath: 'send  / receive ', gracefulRestart: 120, llgr: true, extendedNextHop: [], fqdn: undefined },
  ],
  'OpenBGPD 7.7': [
    { hold: '90/30', families: [257], fourOctetAs: true, extendedMessage: false, routeRefresh: true, enhancedRouteRefresh: false, addPath: 'send  / receive ', gracefulRestart: 0, llgr: false, extendedNextHop: [], fqdn: undefined },
    { hold: '90/30', families: [257], fourOctetAs: true, extendedMessage: false, routeRefresh: true, enhancedRouteRefresh: false, addPath: 'send  / receive ', gracefulRestart: 0, llgr: false, extendedNextHop: [], fqdn: undefined },
  ],
  'ExaBGP 4.2': [
    { hold: '90/30', families: [257], fourOctetAs: true, extendedMessage: false, routeRefresh: false, enhancedRouteRefresh: false, addPath: 'send  / receive ', gracefulRestart: undefined, llgr: false, extendedNextHop: [], fqdn: undefined },
    { hold: '90/30', families: [257], fourOctetAs: true, extendedMessage: true, routeRefresh: false, enhancedRouteRefresh: false, addPath: 'send  / receive ', gracefulRestart: undefined, llgr: false, extendedNextHop: [], fqdn: undefined },
  ],
};

for (const [daemon, open] of Object.entries(daemons)) {
  t.test(daemon, async (t) => {
    const [plain, full] = expectations[daemon] as [Record<string, unknown>, Record<string, unknown>];
    t.strictSame(summary(run(metallbLike, open)), plain, 'against a MetalLB-like OPEN');
    const n = run(rich, open);
    t.strictSame(summary(n), full, 'against a rich OPEN');
    t.equal(n.peerAsn, 65001);
    t.equal(n.internal, false);
    t.equal(n.peerOpen, open);
    // The codec contexts mirror the negotiated booleans and ADD-PATH directions.
    t.strictSame(
      { ...n.tx, addPath: [...n.tx.addPath] },
      { fourOctetAs: n.fourOctetAs, addPath: [...n.addPath.send], extendedMessage: n.extendedMessage },
    );
    t.strictSame(
      { ...n.rx, addPath: [...n.rx.addPath] },
      { fourOctetAs: n.fourOctetAs, addPath: [...n.addPath.receive], extendedMessage: n.extendedMessage },
    );
  });
}

t.test('hold time and keepalive', async (t) => {
  t.strictSame(negotiateHoldTime(90, 180, undefined), { holdTime: 90, keepaliveTime: 30 });
  t.strictSame(negotiateHoldTime(180, 90, undefined), { holdTime: 90, keepaliveTime: 30 });
  t.strictSame(negotiateHoldTime(90, 90, 10), { holdTime: 90, keepaliveTime: 10 }, 'a smaller configured keepalive');
  t.strictSame(negotiateHoldTime(90, 30, 60), { holdTime: 30, keepaliveTime: 10 }, 'a configured keepalive above hold/3');
  t.strictSame(negotiateHoldTime(90, 0, 10), { holdTime: 0, keepaliveTime: 0 }, 'hold 0 disables both');
  t.strictSame(negotiateHoldTime(0, 90, undefined), { holdTime: 0, keepaliveTime: 0 });
  t.strictSame(negotiateHoldTime(90, 3, undefined), { holdTime: 3, keepaliveTime: 1 });
  t.strictSame(negotiateHoldTime(90, 4, undefined), { holdTime: 4, keepaliveTime: 1 });
});

t.test('families: intersection in our order; none announced implies IPv4 unicast', async (t) => {
  t.strictSame(announcedFamilies(peer(90, [as4(1)])), [IPV4_UNICAST]);
  t.strictSame(announcedFamilies(peer(90, [mp(2, 1), mp(2, 1), mp(1, 1)])), [IPV6_UNICAST, IPV4_UNICAST]);
  const n = run(rich, peer(90, [mp(25, 70), mp(2, 1), mp(1, 1), as4(65001)]));
  t.strictSame(n.families, [IPV4_UNICAST, IPV6_UNICAST]);
  t.strictSame(run(rich, peer(90, [as4(65001)])).families, [IPV4_UNICAST], 'a peer without Multiprotocol');
});

t.test('ADD-PATH per family and direction (RFC 7911 §5)', async (t) => {
  const cfg = (mode: 'receive' | 'send' | 'both'): PeerFsmConfig => ({
    ...rich,
    capabilities: { addPath: [{ afi: 1, safi: 1, mode }, { afi: 2, safi: 1, mode }] },
  });
  const addPath = (families: { afi: number; safi: number; mode: number }[]): Capability => ({ kind: 'add-path', code: 69, families });
  const dirs = (n: Negotiated): string => `send ${[...n.addPath.send].join(',')} / receive ${[...n.addPath.receive].join(',')}`;
  const v4v6 = [mp(1, 1), mp(2, 1), as4(65001)];
  t.equal(dirs(run(cfg('both'), peer(90, [...v4v6, addPath([{ afi: 1, safi: 1, mode: 3 }])]))), 'send 257 / receive 257');
  t.equal(dirs(run(cfg('send'), peer(90, [...v4v6, addPath([{ afi: 1, safi: 1, mode: 3 }])]))), 'send 257 / receive ');
  t.equal(dirs(run(cfg('receive'), peer(90, [...v4v6, addPath([{ afi: 1, safi: 1, mode: 2 }])]))), 'send  / receive 257');
  t.equal(dirs(run(cfg('receive'), peer(90, [...v4v6, addPath([{ afi: 1, safi: 1, mode: 1 }])]))), 'send  / receive ', 'both only receive');
  t.equal(
    dirs(run(cfg('both'), peer(90, [...v4v6, addPath([{ afi: 1, safi: 1, mode: 1 }, { afi: 2, safi: 1, mode: 2 }])]))),
    'send 257 / receive 513',
  );
  t.equal(
    dirs(run(cfg('both'), peer(90, [mp(1, 1), as4(65001), addPath([{ afi: 2, safi: 1, mode: 3 }])]))),
    'send  / receive ',
    'only on negotiated families',
  );
  const n = run(cfg('both'), peer(90, [...v4v6, addPath([{ afi: 1, safi: 1, mode: 3 }])]));
  t.strictSame([...n.tx.addPath], [IPV4_UNICAST]);
  t.strictSame([...n.rx.addPath], [IPV4_UNICAST]);
});

t.test('4-octet AS needs both sides; a 2-octet peer is still understood', async (t) => {
  const twoOctet = run(metallbLike, peer(90, [mp(1, 1), rr]));
  t.equal(twoOctet.fourOctetAs, false);
  t.equal(twoOctet.rx.fourOctetAs, false);
  t.equal(twoOctet.tx.fourOctetAs, false);
  t.equal(twoOctet.peerAsn, 65001);
  const ours2 = run({ ...metallbLike, capabilities: { fourOctetAs: false } }, daemons['BIRD 2.0'] as OpenMessage);
  t.equal(ours2.fourOctetAs, false, 'we did not send it');
  const big = run({ ...metallbLike, remoteAs: 4200000000 }, { ...peer(90, [mp(1, 1), as4(4200000000)]), myAs: 23456 });
  t.equal(big.peerAsn, 4200000000);
});

t.test('graceful restart: the last instance counts; LLGR only beside GR', async (t) => {
  const n = run(metallbLike, peer(90, [mp(1, 1), as4(65001), gr(90), gr(300, 0xc, [{ afi: 1, safi: 1, flags: 0x80 }]), llgr([{ afi: 1, safi: 1, flags: 0x80, staleTime: 86400 }])]));
  t.strictSame(n.gracefulRestart, {
    restartTime: 300,
    restarting: true,
    notification: true,
    families: [{ afi: 1, safi: 1, forwardingPreserved: true }],
  });
  t.strictSame(n.longLivedGracefulRestart, { families: [{ afi: 1, safi: 1, forwardingPreserved: true, staleTime: 86400 }] });
  const alone = run(metallbLike, peer(90, [mp(1, 1), as4(65001), llgr([{ afi: 1, safi: 1, flags: 0, staleTime: 10 }])]));
  t.equal(alone.longLivedGracefulRestart, undefined);
});

t.test('route refresh: either code from the peer; enhanced needs both', async (t) => {
  t.equal(run(metallbLike, peer(90, [mp(1, 1), rrOld])).routeRefresh, true);
  t.equal(run(metallbLike, peer(90, [mp(1, 1)])).routeRefresh, false);
  t.equal(run({ ...metallbLike, capabilities: { enhancedRouteRefresh: true } }, peer(90, [mp(1, 1), enhanced])).enhancedRouteRefresh, true);
  t.equal(run(metallbLike, peer(90, [mp(1, 1), enhanced])).enhancedRouteRefresh, false);
});

t.test('roles and iBGP', async (t) => {
  const n = run({ ...metallbLike, capabilities: { role: 3 } }, peer(90, [mp(1, 1), { kind: 'role', code: 9, role: 0 }]));
  t.strictSame(n.role, { local: 3, peer: 0 });
  const ibgp = run({ ...metallbLike, remoteAs: 65000 }, { ...peer(90, [mp(1, 1), as4(65000)]), myAs: 65000 });
  t.equal(ibgp.internal, true);
});
