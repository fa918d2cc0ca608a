// `show summary` against FRR's `show bgp summary` layout: column widths, Up/Down forms, state names in place of
// counts, RFC 8212 "(Policy)", description cut to 20, dynamic neighbours and the wider IPv6 Neighbor column.
import t from 'tap';
import { renderSummary, type SummaryPeerView, type SummaryView } from '../../lib/api/index.js';

function peer(over: Partial<SummaryPeerView> & { address: string }): SummaryPeerView {
  return {
    dynamic: false,
    port: 179,
    remoteAs: 65001,
    peerAs: null,
    description: null,
    peerGroup: null,
    state: 'Established',
    upDownSeconds: 0,
    messages: { received: 0, sent: 0 },
    inQueue: 0,
    outQueue: 0,
    prefixes: { received: 0, accepted: 0, sent: 0 },
    policyBlocked: { in: null, out: null },
    ...over,
  };
}

const HEADER = 'V         AS   MsgRcvd   MsgSent   TblVer  InQ OutQ  Up/Down State/PfxRcd   PfxSnt Desc';

t.test('FRR columns for established, never-up, policy-blocked and flapped peers', async (t) => {
  const view: SummaryView = {
    routerId: '10.0.0.1',
    localAs: 65000,
    ribEntries: 3,
    peers: [
      peer({
        address: '192.168.0.2',
        peerAs: 65001,
        description: 'spine1',
        upDownSeconds: 83,
        messages: { received: 10, sent: 12 },
        prefixes: { received: 3, accepted: 2, sent: 1 },
      }),
      peer({ address: '192.168.0.3', remoteAs: 65002, state: 'Active', upDownSeconds: null }),
      peer({
        address: '192.168.0.4',
        remoteAs: 65003,
        peerAs: 65003,
        description: 'a very long description of a peer',
        upDownSeconds: 93780,
        messages: { received: 5, sent: 6 },
        outQueue: 7,
        prefixes: { received: 4, accepted: 0, sent: 0 },
        policyBlocked: { in: 'rfc8212-no-policy', out: 'rfc8212-no-policy' },
      }),
      peer({ address: '192.168.0.5', remoteAs: 'external', state: 'Idle', upDownSeconds: 700000 }),
    ],
  };
  t.equal(
    renderSummary(view),
    [
      'BGP router identifier 10.0.0.1, local AS number 65000',
      'RIB entries 3',
      'Peers 4',
      '',
      `Neighbor        ${HEADER}`,
      '192.168.0.2     4      65001        10        12        0    0    0 00:01:23            2        1 spine1',
      '192.168.0.3     4      65002         0         0        0    0    0    never       Active        0 N/A',
      '192.168.0.4     4      65003         5         6        0    0    7 1d02h03m     (Policy) (Policy) a very long descript',
      '192.168.0.5     4   external         0         0        0    0    0 01w1d02h         Idle        0 N/A',
      '',
      'Total number of neighbors 4',
      '',
    ].join('\n'),
  );
});

t.test('policy on one direction only shows the count of the other', async (t) => {
  const view: SummaryView = {
    routerId: '10.0.0.1',
    localAs: 65000,
    ribEntries: 0,
    peers: [peer({ address: '10.1.1.1', prefixes: { received: 9, accepted: 9, sent: 0 }, policyBlocked: { in: null, out: 'rfc8212-no-policy' } })],
  };
  t.match(renderSummary(view), /^10\.1\.1\.1 +4 +65001 .* 00:00:00 {12}9 \(Policy\) N\/A$/m);
});

t.test('the Neighbor column widens for long addresses; dynamic neighbours are starred and counted', async (t) => {
  const view: SummaryView = {
    routerId: '10.0.0.1',
    localAs: 65000,
    ribEntries: 0,
    peers: [
      peer({ address: '2001:db8:ffff::1234', upDownSeconds: 5 }),
      peer({ address: '10.0.0.7', dynamic: true, remoteAs: 'internal', peerAs: 65000, upDownSeconds: 5 }),
    ],
  };
  const text = renderSummary(view);
  // 19 characters of address + one space = a 20-wide column.
  t.ok(text.includes(`Neighbor            ${HEADER}\n`), 'header padded to the widest neighbour');
  t.ok(text.includes('\n2001:db8:ffff::1234 4      65001 '), 'IPv6 row');
  t.ok(text.includes('\n*10.0.0.7           4      65000 '), 'dynamic row starred, peer AS shown');
  t.ok(text.endsWith('Total number of neighbors 2\n* - dynamic neighbor\n1 dynamic neighbor(s)\n'));
});

t.test('a missing route map denies everything but is not RFC 8212: FRR shows the count', async (t) => {
  const view: SummaryView = {
    routerId: '10.0.0.1',
    localAs: 65000,
    ribEntries: 0,
    peers: [peer({ address: '10.1.1.1', prefixes: { received: 9, accepted: 0, sent: 0 }, policyBlocked: { in: 'route-map-missing', out: null } })],
  };
  t.match(renderSummary(view), /^10\.1\.1\.1 +4 +65001 .* 00:00:00 {12}0 {8}0 N\/A$/m);
});

t.test('no neighbours', async (t) => {
  t.equal(
    renderSummary({ routerId: '10.0.0.1', localAs: 65000, ribEntries: 1, peers: [] }),
    'BGP router identifier 10.0.0.1, local AS number 65000\nRIB entries 1\nPeers 0\n\n% No BGP neighbors found\n',
  );
});
