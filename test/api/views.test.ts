// The JSON views built from a RIB and peer statuses: routes from peers (IPv4 and IPv6, ECMP, a denied path),
// the received and advertised views, prefix lookup (exact and longest match), per-family prefix counts, the
// capabilities of real OPENs, and the 400 / 404 answers. The source is a real `Rib` behind the SpeakerSource
// interface, so no sockets are needed.
import t from 'tap';
import { Rib, type RoutePolicy } from '../../lib/rib/index.js';
import { createContext, parsePrefix, type OpenMessage, type PathAttribute, type Prefix } from '../../lib/wire/index.js';
import type { PeerStatus } from '../../lib/speaker/index.js';
import {
  ApiError,
  neighborsView,
  routesView,
  summaryView,
  type SpeakerSource,
} from '../../lib/api/index.js';

type Negotiated = NonNullable<PeerStatus['negotiated']>;

const LOCAL_AS = 65000;
const ctx = createContext({ fourOctetAs: true });

function open(asn: number, id: string, families: [number, number][], extra: OpenMessage['capabilities'] = []): OpenMessage {
  return {
    type: 1,
    version: 4,
    myAs: asn,
    holdTime: 90,
    bgpIdentifier: id,
    capabilities: [
      ...families.map(([afi, safi]) => ({ kind: 'multiprotocol' as const, code: 1 as const, afi, safi })),
      { kind: 'four-octet-as', code: 65, asn },
      ...extra,
    ],
  };
}

function negotiated(asn: number, id: string, families: number[]): Negotiated {
  const fam = families.map((k) => [k >> 8, k & 0xff] as [number, number]);
  return {
    localAsn: LOCAL_AS,
    peerAsn: asn,
    peerBgpIdentifier: id,
    internal: asn === LOCAL_AS,
    holdTime: 90,
    keepaliveTime: 30,
    fourOctetAs: true,
    families,
    addPath: { send: new Set(), receive: new Set() },
    extendedMessage: false,
    routeRefresh: true,
    enhancedRouteRefresh: false,
    gracefulRestart: undefined,
    longLivedGracefulRestart: undefined,
    extendedNextHop: [],
    peerFqdn: undefined,
    role: { local: undefined, peer: undefined },
    rx: ctx,
    tx: ctx,
    localOpen: open(LOCAL_AS, '10.0.0.1', fam, [{ kind: 'route-refresh', code: 2 }]),
    peerOpen: open(asn, id, fam, [
      { kind: 'route-refresh', code: 128 },
      { kind: 'unknown', code: 200, value: new Uint8Array([0xab]) },
    ]),
  };
}

function status(address: string, n: Negotiated | undefined, over: Partial<PeerStatus> = {}): PeerStatus {
  const zero = { open: 0, update: 0, notification: 0, keepalive: 0, routeRefresh: 0, total: 0 };
  return {
    address,
    dynamic: false,
    port: 179,
    remoteAs: n?.peerAsn ?? 65099,
    peerAsn: n?.peerAsn,
    state: n ? 'Established' : 'Active',
    description: undefined,
    peerGroup: undefined,
    upDownSeconds: 10,
    negotiated: n,
    localEndpoint: n ? { address: '127.0.0.1', port: 40000 } : undefined,
    messages: { received: { ...zero }, sent: { ...zero } },
    prefixes: { received: 0, accepted: 0, sent: 0 },
    lastNotificationSent: undefined,
    lastNotificationReceived: undefined,
    lastDownReason: undefined,
    flaps: 0,
    policyBlocked: {},
    ...over,
  };
}

/** A SpeakerSource over a real Rib; peer statuses are fixtures, prefix counts come from the RIB. */
function source(rib: Rib, statuses: PeerStatus[]): SpeakerSource {
  const withCounts = (s: PeerStatus): PeerStatus => {
    if (!rib.isUp(s.address)) return s;
    const c = rib.counters(s.address);
    return { ...s, prefixes: { received: c.received, accepted: c.accepted, sent: c.sent } };
  };
  return {
    asn: LOCAL_AS,
    routerId: '10.0.0.1',
    rib,
    peers: () => statuses.map(withCounts),
    peer: (a) => statuses.map(withCounts).find((s) => s.address === a),
    routes: (prefix) => [...rib.locRib(prefix === undefined ? undefined : parsePrefix(prefix))],
    adjRibIn: (a) => (rib.isUp(a) ? [...rib.adjRibIn(a)] : []),
    adjRibOut: (a) => (rib.isUp(a) ? [...rib.adjRibOut(a)] : []),
  };
}

const v4 = (asPath: number[], nextHop: string, extra: PathAttribute[] = []): PathAttribute[] => [
  { kind: 'origin', origin: 0 },
  { kind: 'as-path', segments: [{ type: 2, asns: asPath }] },
  { kind: 'next-hop', nextHop },
  ...extra,
];

function update(nlri: string[], attributes: PathAttribute[]): { type: 2; withdrawn: Prefix[]; attributes: PathAttribute[]; nlri: Prefix[] } {
  return { type: 2, withdrawn: [], attributes, nlri: nlri.map((p) => parsePrefix(p)) };
}

function build(): { src: SpeakerSource; rib: Rib } {
  const rib = new Rib({ localAsn: LOCAL_AS, routerId: '10.0.0.1', maximumPaths: 4 });
  // Import policy of peer C: deny 10.66.0.0/16 (so one path is received but not accepted).
  const denyC: RoutePolicy = (route) => (route.prefix.address === '10.66.0.0' ? null : route.attributes);
  const A = negotiated(65001, '10.0.0.2', [0x101]);
  const B = negotiated(65001, '10.0.0.3', [0x101]);
  const C = negotiated(65000, '10.0.0.4', [0x101, 0x201]);
  for (const [address, n, importPolicy] of [
    ['127.0.0.2', A, undefined],
    ['127.0.0.3', B, undefined],
    ['127.0.0.4', C, denyC],
  ] as const) {
    rib.addPeer({ id: address, address, asn: n.peerAsn, ...(importPolicy ? { importPolicy } : {}) });
    rib.peerUp(address, { families: n.families, txContext: ctx, routerId: n.peerBgpIdentifier, localAddress: { ipv4: '127.0.0.1', ipv6: '::1' } });
  }
  rib.originate(parsePrefix('10.0.0.0/24'), [{ kind: 'origin', origin: 0 }, { kind: 'as-path', segments: [] }]);
  rib.ingest('127.0.0.2', update(['10.8.0.0/32', '10.8.0.0/16'], v4([65001], '127.0.0.2', [{ kind: 'multi-exit-disc', med: 0 }, { kind: 'communities', communities: [0xfde90001, 0xffffff01] }])));
  rib.ingest('127.0.0.3', update(['10.8.0.0/32'], v4([65001], '127.0.0.3', [{ kind: 'multi-exit-disc', med: 0 }])));
  rib.ingest(
    '127.0.0.4',
    update(
      ['10.66.0.0/16', '10.8.0.0/32'],
      v4([65009], '10.0.0.9', [
        { kind: 'local-pref', localPref: 50 },
        { kind: 'originator-id', originatorId: '10.0.0.9' },
        { kind: 'cluster-list', clusterList: ['10.0.0.5'] },
        { kind: 'large-community', communities: [[65000, 1, 2]] },
        { kind: 'extended-communities', communities: [new Uint8Array([0, 2, 0xfd, 0xe8, 0, 0, 0, 100])] },
        { kind: 'unknown', typeCode: 99, flags: 0xc0, value: new Uint8Array([1, 2]) },
      ]),
    ),
  );
  rib.ingest('127.0.0.4', {
    type: 2,
    withdrawn: [],
    nlri: [],
    attributes: [
      { kind: 'origin', origin: 2 },
      { kind: 'as-path', segments: [] },
      { kind: 'local-pref', localPref: 100 },
      { kind: 'mp-reach-nlri', afi: 2, safi: 1, nextHop: ['2001:db8::4', 'fe80::4'], nlri: [parsePrefix('2001:db8:100::/48')] },
    ],
  });
  // Send every peer what it is owed, so the Adj-RIBs-Out are filled.
  for (const id of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) while (rib.hasPending(id)) rib.flush(id);
  const statuses = [status('127.0.0.2', A), status('127.0.0.3', B), status('127.0.0.4', C), status('127.0.0.9', undefined)];
  return { src: source(rib, statuses), rib };
}

t.test('the Loc-RIB view: sorted per family, ECMP flags, denied paths left out, attributes readable', async (t) => {
  const { src } = build();
  const v = routesView(src);
  t.equal(v.view, 'loc-rib');
  t.same(
    v.families.map((f) => [f.family, f.routes.map((r) => r.prefix)]),
    [
      ['ipv4-unicast', ['10.0.0.0/24', '10.8.0.0/16', '10.8.0.0/32']],
      ['ipv6-unicast', ['2001:db8:100::/48']],
    ],
    'sorted by address then length; 10.66.0.0/16 (denied) absent',
  );
  t.same(v.totals, { routes: 4, paths: 6 });
  t.equal(v.ribEntries, 5, 'the RIB counts the prefix whose only path was denied');

  const local = v.families[0]!.routes[0]!.paths[0]!;
  t.match(local, { source: 'local', peer: null, best: true, weight: 32768, asPath: '', nextHop: null, origin: 'igp' });

  const ecmp = v.families[0]!.routes[2]!.paths;
  t.same(
    ecmp.map((p) => [p.peer, p.best, p.multipath, p.internal]),
    [
      ['127.0.0.2', true, true, false],
      ['127.0.0.3', false, true, false],
      ['127.0.0.4', false, false, true],
    ],
    'best first (LOCAL_PREF 100 over the iBGP path of 50, then the lower router ID); the two paths from AS 65001 are the multipath set',
  );
  const viaA = ecmp.find((p) => p.peer === '127.0.0.2')!;
  t.match(viaA, { peerRouterId: '10.0.0.2', asPath: '65001', nextHop: '127.0.0.2', med: 0, communities: ['65001:1', 'no-export'] });
  const viaC = ecmp.find((p) => p.peer === '127.0.0.4')!;
  t.match(viaC, {
    internal: true,
    localPref: 50,
    originatorId: '10.0.0.9',
    clusterList: ['10.0.0.5'],
    largeCommunities: ['65000:1:2'],
    extendedCommunities: ['RT:65000:100'],
  });
  t.match(viaC.otherAttributes, [{ code: 99, value: '0102' }], 'unknown attribute kept in decode form');

  const v6 = v.families[1]!.routes[0]!.paths[0]!;
  t.match(v6, { nextHop: '2001:db8::4', nextHopLinkLocal: 'fe80::4', origin: 'incomplete', localPref: 100, internal: true });
  t.same(v6.otherAttributes, [], 'MP_REACH_NLRI is read into the next hop, not listed');
});

t.test('prefix lookup: exact CIDR, longest match for a bare address, nothing when nothing covers it', async (t) => {
  const { src } = build();
  t.same(routesView(src, { prefix: '10.8.0.0/32' }).families[0]?.routes.map((r) => r.prefix), ['10.8.0.0/32']);
  t.same(routesView(src, { prefix: '10.8.0.0/16' }).families[0]?.routes.map((r) => r.prefix), ['10.8.0.0/16']);
  t.same(routesView(src, { prefix: '10.8.3.4' }).families[0]?.routes.map((r) => r.prefix), ['10.8.0.0/16'], 'longest match');
  t.same(routesView(src, { prefix: '10.8.0.0' }).families[0]?.routes.map((r) => r.prefix), ['10.8.0.0/32']);
  t.same(routesView(src, { prefix: '2001:db8:100:5::1' }).families[0]?.routes.map((r) => r.prefix), ['2001:db8:100::/48']);
  t.same(routesView(src, { prefix: '192.0.2.1' }).families, []);
  t.same(routesView(src, { prefix: '10.9.0.0/16' }).families, []);
  t.equal(routesView(src, { prefix: '10.8.0.0/32' }).prefix, '10.8.0.0/32', 'the query is echoed');
});

t.test('one neighbour: its Loc-RIB paths, its Adj-RIB-In with the import outcome, its Adj-RIB-Out', async (t) => {
  const { src } = build();
  const fromC = routesView(src, { neighbor: '127.0.0.4' });
  t.same(
    fromC.families.map((f) => f.routes.map((r) => r.prefix)),
    [['10.8.0.0/32'], ['2001:db8:100::/48']],
  );
  t.ok(fromC.families.every((f) => f.routes.every((r) => r.paths.every((p) => p.peer === '127.0.0.4'))));

  const received = routesView(src, { neighbor: '127.0.0.4', view: 'received' });
  t.equal(received.view, 'received');
  const denied = received.families[0]!.routes.find((r) => r.prefix === '10.66.0.0/16');
  t.equal(denied?.paths[0]?.valid, false, 'received but denied by import policy');
  t.equal(received.totals.routes, 3);

  const advertised = routesView(src, { neighbor: '127.0.0.2', view: 'advertised' });
  t.equal(advertised.view, 'advertised');
  const sent = advertised.families.flatMap((f) => f.routes.map((r) => r.prefix));
  t.ok(sent.includes('10.0.0.0/24'), 'our own route was sent to the eBGP peer');
  const own = advertised.families[0]!.routes.find((r) => r.prefix === '10.0.0.0/24')!.paths[0]!;
  t.match(own, { asPath: '65000', nextHop: '127.0.0.1', best: true, weight: 0 }, 'as the peer received it: our AS prepended, next hop self');
  t.same(routesView(src, { neighbor: '127.0.0.2', view: 'advertised', prefix: '10.0.0.0/24' }).totals, { routes: 1, paths: 1 });
});

t.test('errors: 400 for malformed input, 404 for an unknown neighbour', async (t) => {
  const { src } = build();
  const status = (fn: () => unknown): number | undefined => {
    try {
      fn();
    } catch (err) {
      return err instanceof ApiError ? err.status : -1;
    }
    return undefined;
  };
  t.equal(status(() => routesView(src, { prefix: '10.8.0.0/33' })), 400);
  t.equal(status(() => routesView(src, { prefix: 'banana' })), 400);
  t.equal(status(() => routesView(src, { view: 'received' })), 400, 'a view needs a neighbour');
  t.equal(status(() => routesView(src, { neighbor: '127.0.0.77' })), 404);
  t.equal(status(() => routesView(src, { neighbor: 'not-an-address' })), 400);
  t.equal(status(() => neighborsView(src, '127.0.0.77')), 404);
});

t.test('summary and neighbours: counts, per-family counts, capabilities of both OPENs', async (t) => {
  const { src } = build();
  const s = summaryView(src);
  t.match(s, { routerId: '10.0.0.1', localAs: LOCAL_AS, ribEntries: 5 });
  t.match(
    s.peers.find((p) => p.address === '127.0.0.4'),
    { peerAs: 65000, state: 'Established', outQueue: 0, prefixes: { received: 3, accepted: 2 } },
  );
  t.match(s.peers.find((p) => p.address === '127.0.0.9'), { state: 'Active', upDownSeconds: null, peerAs: null });

  const n = neighborsView(src, '127.0.0.4').neighbors[0]!;
  t.equal(n.link, 'internal');
  t.same(
    n.families,
    [
      { family: 'ipv4-unicast', received: 2, accepted: 1, sent: n.families[0]!.sent },
      { family: 'ipv6-unicast', received: 1, accepted: 1, sent: n.families[1]!.sent },
    ],
    'a two-family session is counted per family from its Adj-RIBs',
  );
  t.equal(n.families[0]!.sent + n.families[1]!.sent, n.prefixes.sent, 'the per-family sent counts add up');
  t.same(n.capabilities?.advertised.map((c) => c.name), ['multiprotocol', 'multiprotocol', 'four-octet-as', 'route-refresh']);
  t.same(n.capabilities?.received.at(-1), { name: 'unknown', code: 200, value: 'ab', malformed: false });
  t.same(n.capabilities?.negotiated.families, ['ipv4-unicast', 'ipv6-unicast']);
  t.same(n.timers, { holdTime: 90, keepaliveTime: 30, configuredHoldTime: 90, configuredKeepaliveTime: null });
  t.same(n.localHost, { address: '127.0.0.1', port: 40000 });

  const one = neighborsView(src, '127.0.0.2').neighbors[0]!;
  t.same(one.families, [{ family: 'ipv4-unicast', ...one.prefixes }], 'one family: the speaker totals are that family');
  t.equal(neighborsView(src).neighbors.length, 4);
});

t.test('configured timers come from the speaker configuration when it offers one', async (t) => {
  const { src } = build();
  const withConfig: SpeakerSource = { ...src, peerConfig: (a) => (a === '127.0.0.9' ? { address: a, holdTime: 30 } : undefined) };
  const n = neighborsView(withConfig, '127.0.0.9').neighbors[0]!;
  t.same(n.timers, { holdTime: null, keepaliveTime: null, configuredHoldTime: 30, configuredKeepaliveTime: 10 });
});

t.test('an address is found however it is spelled', async (t) => {
  const { src } = build();
  const v6: SpeakerSource = { ...src, peers: () => [status('2001:db8::1', undefined)], peer: () => undefined };
  t.equal(neighborsView(v6, '2001:DB8:0::1').neighbors[0]?.address, '2001:db8::1');
});
