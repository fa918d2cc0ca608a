// `show neighbors` against FRR's `show bgp neighbors` layout: capabilities phrased "advertised and received",
// the message statistics table, RFC 8212 policy lines per family, and tsbgpd's last NOTIFICATION lines.
import t from 'tap';
import { renderNeighbor, renderNeighbors, type NeighborView } from '../../lib/api/index.js';

const messages = (open: number, update: number, notification: number, keepalive: number, routeRefresh: number) => ({
  open,
  update,
  notification,
  keepalive,
  routeRefresh,
  total: open + update + notification + keepalive + routeRefresh,
});

const established: NeighborView = {
  address: '192.168.0.2',
  dynamic: false,
  port: 179,
  remoteAs: 65001,
  peerAs: 65001,
  localAs: 65000,
  link: 'external',
  description: 'spine1',
  peerGroup: 'spines',
  routerId: '10.0.0.2',
  localRouterId: '10.0.0.1',
  state: 'Established',
  upDownSeconds: 83,
  connections: { established: 2, dropped: 1 },
  timers: { holdTime: 90, keepaliveTime: 30, configuredHoldTime: 90, configuredKeepaliveTime: 30 },
  capabilities: {
    advertised: [
      { name: 'multiprotocol', code: 1, family: 'ipv4-unicast' },
      { name: 'route-refresh', code: 2 },
      { name: 'four-octet-as', code: 65, asn: 65000 },
      { name: 'add-path', code: 69, families: [{ family: 'ipv4-unicast', mode: 'both' }] },
      { name: 'graceful-restart', code: 64, restartTime: 120, restarting: false, notification: false, families: [] },
    ],
    received: [
      { name: 'multiprotocol', code: 1, family: 'ipv4-unicast' },
      { name: 'multiprotocol', code: 1, family: 'ipv6-unicast' },
      { name: 'route-refresh', code: 128 },
      { name: 'route-refresh', code: 2 },
      { name: 'four-octet-as', code: 65, asn: 65001 },
      { name: 'add-path', code: 69, families: [{ family: 'ipv4-unicast', mode: 'receive' }] },
      { name: 'fqdn', code: 73, hostname: 'spine1', domainName: '' },
      {
        name: 'graceful-restart',
        code: 64,
        restartTime: 120,
        restarting: false,
        notification: false,
        families: [{ family: 'ipv4-unicast', forwardingPreserved: true }],
      },
      { name: 'unknown', code: 200, value: 'ab', malformed: false },
    ],
    negotiated: {
      fourOctetAs: true,
      routeRefresh: true,
      enhancedRouteRefresh: false,
      extendedMessage: false,
      families: ['ipv4-unicast'],
      addPath: { send: ['ipv4-unicast'], receive: [] },
      gracefulRestart: { restartTime: 120, restarting: false, notification: false, families: ['ipv4-unicast'] },
      extendedNextHop: [],
      role: { local: null, peer: null },
    },
  },
  messages: { sent: messages(2, 5, 1, 40, 0), received: messages(2, 7, 0, 39, 1) },
  queues: { in: 0, out: 0 },
  lastNotificationSent: {
    code: 6,
    subcode: 2,
    name: 'Cease / Administrative Shutdown',
    shutdownMessage: 'maintenance',
    at: '2024-01-01T00:00:00.000Z',
    agoSeconds: 3725,
  },
  lastNotificationReceived: null,
  lastReset: { reason: 'sent NOTIFICATION Cease / Administrative Shutdown', agoSeconds: null },
  families: [{ family: 'ipv4-unicast', received: 3, accepted: 2, sent: 1 }],
  prefixes: { received: 3, accepted: 2, sent: 1 },
  policyBlocked: { in: null, out: 'rfc8212-no-policy' },
  localHost: { address: '192.168.0.1', port: 179 },
};

t.test('an established eBGP session, field by field as FRR prints it', async (t) => {
  t.equal(
    renderNeighbor(established),
    [
      'BGP neighbor is 192.168.0.2, remote AS 65001, local AS 65000, external link',
      ' Description: spine1',
      ' Member of peer-group spines for session parameters',
      '  BGP version 4, remote router ID 10.0.0.2, local router ID 10.0.0.1',
      '  BGP state = Established, up for 00:01:23',
      '  Hold time is 90 seconds, keepalive interval is 30 seconds',
      '  Configured hold time is 90 seconds, keepalive interval is 30 seconds',
      '  Neighbor capabilities:',
      '    4 Byte AS: advertised and received',
      '    AddPath:',
      '      IPv4 Unicast: TX advertised',
      '      IPv4 Unicast: RX advertised and received',
      '    Route refresh: advertised and received(old & new)',
      '    Address Family IPv4 Unicast: advertised and received',
      '    Address Family IPv6 Unicast: received',
      '    Hostname Capability: not advertised received (name: spine1,domain name: n/a)',
      '    Graceful Restart Capability: advertised and received',
      '      Remote Restart timer is 120 seconds',
      '      Address families by peer:',
      '        IPv4 Unicast(preserved)',
      '    Capability code 200: received',
      '  Message statistics:',
      '    Inq depth is 0',
      '    Outq depth is 0',
      '                         Sent       Rcvd',
      '    Opens:                  2          2',
      '    Notifications:          1          0',
      '    Updates:                5          7',
      '    Keepalives:            40         39',
      '    Route Refresh:          0          1',
      '    Capability:             0          0',
      '    Total:                 48         49',
      '',
      ' For address family: IPv4 Unicast',
      '  Outbound updates discarded due to missing policy',
      '  3 received, 2 accepted, 1 sent prefixes',
      '',
      '  Connections established 2; dropped 1',
      '  Last reset: sent NOTIFICATION Cease / Administrative Shutdown',
      '  Last notification sent 01:02:05 ago: Cease/Administrative Shutdown (6/2)',
      '    Message: "maintenance"',
      '  Last notification received: never',
      'Local host: 192.168.0.1, Local port: 179',
      '',
    ].join('\n'),
  );
});

const idle: NeighborView = {
  ...established,
  address: '2001:db8::2',
  dynamic: true,
  remoteAs: 'external',
  peerAs: null,
  link: 'external',
  description: null,
  peerGroup: null,
  routerId: null,
  state: 'Active',
  upDownSeconds: 4000,
  connections: { established: 1, dropped: 1 },
  timers: { holdTime: null, keepaliveTime: null, configuredHoldTime: 90, configuredKeepaliveTime: null },
  capabilities: null,
  messages: { sent: messages(1, 0, 0, 0, 0), received: messages(1, 0, 1, 0, 0) },
  lastNotificationSent: null,
  lastNotificationReceived: {
    code: 6,
    subcode: 4,
    name: 'Cease / Administrative Reset',
    shutdownMessage: null,
    at: '2024-01-01T00:00:00.000Z',
    agoSeconds: 4000,
  },
  lastReset: { reason: 'received NOTIFICATION Cease / Administrative Reset', agoSeconds: 4000 },
  families: [],
  prefixes: { received: 0, accepted: 0, sent: 0 },
  policyBlocked: { in: null, out: null },
  localHost: null,
};

t.test('a session that is down: no capabilities, no negotiated timers, last reset with its age', async (t) => {
  t.equal(
    renderNeighbor(idle),
    [
      'BGP neighbor is *2001:db8::2, remote AS external, local AS 65000, external link',
      '  BGP version 4, remote router ID 0.0.0.0, local router ID 10.0.0.1',
      '  BGP state = Active',
      '  Configured hold time is 90 seconds',
      '  Message statistics:',
      '    Inq depth is 0',
      '    Outq depth is 0',
      '                         Sent       Rcvd',
      '    Opens:                  1          1',
      '    Notifications:          0          1',
      '    Updates:                0          0',
      '    Keepalives:             0          0',
      '    Route Refresh:          0          0',
      '    Capability:             0          0',
      '    Total:                  1          2',
      '',
      '  Connections established 1; dropped 1',
      '  Last reset 01:06:40,  received NOTIFICATION Cease / Administrative Reset',
      '  Last notification sent: never',
      '  Last notification received 01:06:40 ago: Cease/Administrative Reset (6/4)',
      '',
    ].join('\n'),
  );
});

t.test('roles (RFC 9234), other policy reasons and a never-reset peer', async (t) => {
  const view: NeighborView = {
    ...established,
    capabilities: {
      ...established.capabilities!,
      negotiated: { ...established.capabilities!.negotiated, role: { local: 'provider', peer: 'customer' } },
    },
    policyBlocked: { in: 'route-map-missing', out: null },
    lastReset: null,
  };
  const text = renderNeighbor(view);
  t.ok(text.startsWith('BGP neighbor is 192.168.0.2, remote AS 65001, local AS 65000, external link\n  Local Role: provider\n  Remote Role: customer\n'));
  t.ok(text.includes('\n  Inbound updates discarded by policy (route-map-missing)\n'));
  t.notOk(text.includes('Outbound updates discarded'));
  t.ok(text.includes('\n  Last reset never\n'));
});

t.test('several neighbours are separated by a blank line', async (t) => {
  const text = renderNeighbors({ routerId: '10.0.0.1', localAs: 65000, neighbors: [established, idle] });
  t.equal(text, `${renderNeighbor(established)}\n${renderNeighbor(idle)}\n`);
});
