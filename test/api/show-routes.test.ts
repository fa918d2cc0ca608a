// `show routes` against FRR's `show bgp ipv4 unicast`: status codes, the column widths and FRR's wrapping of
// long networks and next hops, one line per path, per-family sections, totals; and the single-prefix detail view.
import t from 'tap';
import { renderRoutes, type RoutePathView, type RoutesView } from '../../lib/api/index.js';

function path(over: Partial<RoutePathView>): RoutePathView {
  return {
    source: 'peer',
    peer: null,
    peerRouterId: null,
    internal: false,
    best: false,
    multipath: false,
    valid: true,
    origin: 'igp',
    asPath: '',
    nextHop: null,
    nextHopLinkLocal: null,
    med: null,
    localPref: null,
    weight: 0,
    communities: [],
    extendedCommunities: [],
    largeCommunities: [],
    atomicAggregate: false,
    aggregator: null,
    originatorId: null,
    clusterList: [],
    otc: null,
    otherAttributes: [],
    ...over,
  };
}

const local = path({ source: 'local', best: true, weight: 32768 });
const viaSpine1 = path({
  peer: '192.168.0.2',
  peerRouterId: '10.0.0.2',
  best: true,
  multipath: true,
  asPath: '65001',
  nextHop: '192.168.0.2',
  med: 0,
  communities: ['65001:1', 'no-export'],
  largeCommunities: ['65001:1:2'],
});
const viaSpine2 = path({
  peer: '192.168.0.3',
  peerRouterId: '10.0.0.3',
  multipath: true,
  asPath: '65002',
  nextHop: '192.168.0.3',
  med: 0,
  extendedCommunities: ['RT:65000:100'],
});
const reflected = path({
  peer: '10.0.0.5',
  peerRouterId: '10.0.0.5',
  internal: true,
  origin: 'incomplete',
  asPath: '65009 65010',
  nextHop: '10.0.0.9',
  localPref: 100,
  atomicAggregate: true,
  aggregator: { asn: 65010, address: '10.0.0.10' },
  originatorId: '10.0.0.9',
  clusterList: ['10.0.0.5', '10.0.0.6'],
});

function view(over: Partial<RoutesView>): RoutesView {
  return {
    routerId: '10.0.0.1',
    localAs: 65000,
    defaultLocalPref: 100,
    view: 'loc-rib',
    neighbor: null,
    prefix: null,
    ribEntries: 4,
    families: [],
    totals: { routes: 0, paths: 0 },
    ...over,
  };
}

const LEGEND = [
  'BGP local router ID is 10.0.0.1',
  'Default local pref 100, local AS 65000',
  'Status codes:  s suppressed, d damped, h history, * valid, > best, = multipath,',
  '               i internal, r RIB-failure, S Stale, R Removed',
  'Origin codes:  i - IGP, e - EGP, ? - incomplete',
  '',
  '   Network          Next Hop            Metric LocPrf Weight Path',
];

t.test('the table: status codes, widths, wrapping, one line per path, per-family sections', async (t) => {
  const v = view({
    families: [
      {
        family: 'ipv4-unicast',
        routes: [
          { prefix: '10.0.0.0/24', paths: [local] },
          { prefix: '10.8.0.0/32', paths: [viaSpine1, viaSpine2, reflected] },
          {
            prefix: '172.16.100.128/25',
            paths: [path({ peer: '192.168.0.2', best: true, origin: 'egp', asPath: '65001 {65005,65006}', nextHop: '192.168.0.2' })],
          },
        ],
      },
      {
        family: 'ipv6-unicast',
        routes: [
          {
            prefix: '2001:db8:100::/48',
            paths: [path({ peer: '2001:db8::2', best: true, asPath: '65001', nextHop: '2001:db8:ffff::1', nextHopLinkLocal: 'fe80::1' })],
          },
          { prefix: '2001:db8:200::/48', paths: [path({ source: 'local', best: true, weight: 32768 })] },
        ],
      },
    ],
    totals: { routes: 5, paths: 7 },
  });
  t.equal(
    renderRoutes(v),
    [
      'For address family: IPv4 Unicast',
      ...LEGEND,
      '*> 10.0.0.0/24      0.0.0.0                            32768 i',
      '*> 10.8.0.0/32      192.168.0.2              0             0 65001 i',
      '*=                  192.168.0.3              0             0 65002 i',
      '* i                 10.0.0.9                      100      0 65009 65010 ?',
      '*> 172.16.100.128/25',
      '                    192.168.0.2                            0 65001 {65005,65006} e',
      '',
      'Displayed  3 routes and 5 total paths',
      '',
      'For address family: IPv6 Unicast',
      ...LEGEND,
      '*> 2001:db8:100::/48',
      '                    2001:db8:ffff::1',
      '                                                           0 65001 i',
      '*> 2001:db8:200::/48',
      '                    ::                                 32768 i',
      '',
      'Displayed  2 routes and 2 total paths',
      '',
    ].join('\n'),
  );
});

t.test('a single family prints without the family line, as `show bgp ipv4 unicast`', async (t) => {
  const text = renderRoutes(view({ families: [{ family: 'ipv4-unicast', routes: [{ prefix: '10.0.0.0/24', paths: [local] }] }] }));
  t.ok(text.startsWith('BGP local router ID is 10.0.0.1\n'));
  t.ok(text.endsWith('\n*> 10.0.0.0/24      0.0.0.0                            32768 i\n\nDisplayed  1 routes and 1 total paths\n'));
});

t.test('Adj-RIB views end with the prefix count; a denied path is not valid', async (t) => {
  const received = view({
    view: 'received',
    neighbor: '192.168.0.2',
    families: [
      {
        family: 'ipv4-unicast',
        routes: [
          { prefix: '10.8.0.0/32', paths: [{ ...viaSpine1, best: false, multipath: false }] },
          { prefix: '10.9.0.0/32', paths: [{ ...viaSpine1, best: false, multipath: false, valid: false }] },
        ],
      },
    ],
  });
  const text = renderRoutes(received);
  t.ok(text.includes('\n*  10.8.0.0/32      192.168.0.2              0             0 65001 i\n'));
  t.ok(text.includes('\n   10.9.0.0/32      192.168.0.2              0             0 65001 i\n'));
  t.ok(text.endsWith('\n\nTotal number of prefixes 2\n'));
});

t.test('empty views', async (t) => {
  t.equal(renderRoutes(view({})), 'No BGP prefixes displayed, 4 exist\n');
  t.equal(renderRoutes(view({ view: 'advertised', neighbor: '192.168.0.2' })), 'Total number of prefixes 0\n');
  t.equal(renderRoutes(view({ prefix: '10.99.0.0/16' })), '% Network not in table\n');
});

t.test('one prefix of the Loc-RIB: the detail view of every path', async (t) => {
  const v = view({ prefix: '10.8.0.0/32', families: [{ family: 'ipv4-unicast', routes: [{ prefix: '10.8.0.0/32', paths: [viaSpine1, viaSpine2, reflected] }] }] });
  t.equal(
    renderRoutes(v),
    [
      'BGP routing table entry for 10.8.0.0/32',
      'Paths: (3 available, best #1, table default)',
      '  65001',
      '    192.168.0.2 from 192.168.0.2 (10.0.0.2)',
      '      Origin IGP, metric 0, valid, external, multipath, best',
      '      Community: 65001:1 no-export',
      '      Large Community: 65001:1:2',
      '  65002',
      '    192.168.0.3 from 192.168.0.3 (10.0.0.3)',
      '      Origin IGP, metric 0, valid, external, multipath',
      '      Extended Community: RT:65000:100',
      '  65009 65010, (aggregated by 65010 10.0.0.10)',
      '    10.0.0.9 from 10.0.0.5 (10.0.0.9)',
      '      Origin incomplete, localpref 100, valid, internal, atomic-aggregate',
      '      Originator: 10.0.0.9, Cluster list: 10.0.0.5 10.0.0.6',
      '',
    ].join('\n'),
  );
  t.equal(renderRoutes(v, { detail: false }).split('\n').filter((l) => l.startsWith('*')).length, 3, 'the table on request');
});

t.test('detail of a local route, an IPv6 route with a link-local next hop, and no best path', async (t) => {
  const v = view({
    prefix: '10.0.0.0/24',
    families: [{ family: 'ipv4-unicast', routes: [{ prefix: '10.0.0.0/24', paths: [local] }] }],
  });
  t.equal(
    renderRoutes(v),
    [
      'BGP routing table entry for 10.0.0.0/24',
      'Paths: (1 available, best #1, table default)',
      '  Local',
      '    0.0.0.0 from 0.0.0.0 (10.0.0.1)',
      '      Origin IGP, weight 32768, valid, sourced, local, best',
      '',
    ].join('\n'),
  );
  const v6 = view({
    prefix: '2001:db8:100::/48',
    families: [
      {
        family: 'ipv6-unicast',
        routes: [
          {
            prefix: '2001:db8:100::/48',
            paths: [path({ peer: '2001:db8::2', peerRouterId: '10.0.0.2', asPath: '65001', nextHop: '2001:db8::2', nextHopLinkLocal: 'fe80::2', otc: 65001 })],
          },
        ],
      },
    ],
  });
  t.equal(
    renderRoutes(v6),
    [
      'BGP routing table entry for 2001:db8:100::/48',
      'Paths: (1 available, no best path)',
      '  65001',
      '    2001:db8::2 from 2001:db8::2 (10.0.0.2)',
      '    (fe80::2)',
      '      Origin IGP, valid, external',
      '      OTC: 65001',
      '',
    ].join('\n'),
  );
});
