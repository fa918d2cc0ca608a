// Our OPEN from a peer's configuration (and the configuration checks behind it), down to the encoded bytes.
import t from 'tap';
import { DEFAULTS, buildLocalOpen, resolveConfig } from '../../lib/fsm/index.js';
import type { PeerFsmConfig } from '../../lib/fsm/index.js';
import { decodeOpen, encodeOpen } from '../../lib/wire/open.js';

const base: PeerFsmConfig = { localAsn: 64501, routerId: '192.168.3.15', remoteAs: 64500 };
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

t.test('the seed\'s MetalLB peer: My AS, hold 90, MP IPv4 unicast, route refresh, 4-octet AS', async (t) => {
  const open = buildLocalOpen(base);
  t.strictSame(open, {
    type: 1,
    version: 4,
    myAs: 64501,
    holdTime: 90,
    bgpIdentifier: '192.168.3.15',
    capabilities: [
      { kind: 'multiprotocol', code: 1, afi: 1, safi: 1 },
      { kind: 'route-refresh', code: 2 },
      { kind: 'four-octet-as', code: 65, asn: 64501 },
    ],
  });
  // version 4 | My AS 64501 | hold 90 | 192.168.3.15 | opt len 16 | Capabilities (2), length 14: MP 1/1, RR, AS4.
  t.equal(hex(encodeOpen(open)), '04fbf5005ac0a8030f10020e0104000100010200410400' + '00fbf5');
  t.strictSame(decodeOpen(encodeOpen(open)).capabilities, open.capabilities, 'decodes back');
});

t.test('a 4-octet ASN travels in the capability behind AS_TRANS (RFC 6793 §4.1)', async (t) => {
  const open = buildLocalOpen({ ...base, localAsn: 4200000000 });
  t.equal(open.myAs, 23456);
  t.strictSame(open.capabilities.find((c) => c.kind === 'four-octet-as'), { kind: 'four-octet-as', code: 65, asn: 4200000000 });
  t.equal(hex(encodeOpen(open)).slice(0, 10), '045ba0005a');
});

t.test('every configurable capability, in order', async (t) => {
  const open = buildLocalOpen({
    ...base,
    holdTime: 180,
    families: [
      { afi: 1, safi: 1 },
      { afi: 2, safi: 1 },
    ],
    capabilities: {
      enhancedRouteRefresh: true,
      extendedMessage: true,
      addPath: [{ afi: 1, safi: 1, mode: 'both' }, { afi: 2, safi: 1, mode: 'receive' }],
      extendedNextHop: [{ afi: 1, safi: 1, nextHopAfi: 2 }],
      gracefulRestart: { restartTime: 120, notification: true, families: [{ afi: 1, safi: 1, forwarding: true }] },
      longLivedGracefulRestart: { families: [{ afi: 1, safi: 1, staleTime: 3600 }] },
      role: 3,
      fqdn: { hostname: 'node-1' },
    },
  });
  t.equal(open.holdTime, 180);
  t.strictSame(open.capabilities, [
    { kind: 'multiprotocol', code: 1, afi: 1, safi: 1 },
    { kind: 'multiprotocol', code: 1, afi: 2, safi: 1 },
    { kind: 'route-refresh', code: 2 },
    { kind: 'enhanced-route-refresh', code: 70 },
    { kind: 'four-octet-as', code: 65, asn: 64501 },
    { kind: 'extended-message', code: 6 },
    { kind: 'add-path', code: 69, families: [{ afi: 1, safi: 1, mode: 3 }, { afi: 2, safi: 1, mode: 1 }] },
    { kind: 'extended-next-hop', code: 5, entries: [{ afi: 1, safi: 1, nextHopAfi: 2 }] },
    { kind: 'graceful-restart', code: 64, restartFlags: 4, restartTime: 120, families: [{ afi: 1, safi: 1, flags: 0x80 }] },
    { kind: 'long-lived-graceful-restart', code: 71, families: [{ afi: 1, safi: 1, flags: 0, staleTime: 3600 }] },
    { kind: 'role', code: 9, role: 3 },
    { kind: 'fqdn', code: 73, hostname: 'node-1', domainName: '' },
  ]);
  t.strictSame(decodeOpen(encodeOpen(open)).capabilities, open.capabilities, 'the codec carries every one');
});

t.test('graceful restart defaults to every configured family; route refresh and 4-octet AS can be left out', async (t) => {
  const open = buildLocalOpen({
    ...base,
    families: [{ afi: 2, safi: 1 }],
    capabilities: { routeRefresh: false, fourOctetAs: false, gracefulRestart: { restartTime: 90, restarting: true } },
  });
  t.strictSame(open.capabilities, [
    { kind: 'multiprotocol', code: 1, afi: 2, safi: 1 },
    { kind: 'graceful-restart', code: 64, restartFlags: 8, restartTime: 90, families: [{ afi: 2, safi: 1, flags: 0 }] },
  ]);
});

t.test('configuration defaults', async (t) => {
  const c = resolveConfig(base);
  t.equal(c.holdTime, DEFAULTS.holdTime);
  t.equal(c.keepaliveTime, undefined);
  t.strictSame(c.connectRetry, { initialMs: 1000, maxMs: 120000 });
  t.strictSame(c.idleHold, { initialMs: 1000, maxMs: 120000 });
  t.equal(c.idleHoldResetMs, 60000);
  t.equal(c.openHoldMs, 240000);
  t.equal(c.routerIdNumber, 0xc0a8030f);
  t.strictSame(c.familyKeys, [257]);
  t.equal(c.passive, false);
  t.equal(c.collisionWithEstablished, false);
});

t.test('configuration mistakes are reported by field', async (t) => {
  const bad: [Partial<PeerFsmConfig>, RegExp][] = [
    [{ localAsn: 0 }, /localAsn/],
    [{ localAsn: 23456 }, /AS_TRANS/],
    [{ localAsn: 2 ** 32 }, /localAsn/],
    [{ routerId: '0.0.0.0' }, /routerId/],
    [{ routerId: '192.168.3' }, /routerId/],
    [{ remoteAs: 0 }, /remoteAs/],
    [{ remoteAs: 'confederation' as 'any' }, /remoteAs/],
    [{ holdTime: 2 }, /holdTime/],
    [{ holdTime: 70000 }, /holdTime/],
    [{ holdTime: 30, keepaliveTime: 40 }, /keepaliveTime/],
    [{ keepaliveTime: 0 }, /keepaliveTime/],
    [{ families: [] }, /families/],
    [{ families: [{ afi: 1, safi: 1 }, { afi: 1, safi: 1 }] }, /twice/],
    [{ localAsn: 4200000000, capabilities: { fourOctetAs: false } }, /fourOctetAs/],
    [{ capabilities: { longLivedGracefulRestart: { families: [] } } }, /graceful restart/],
    [{ capabilities: { gracefulRestart: { restartTime: 5000 } } }, /restartTime/],
    [{ capabilities: { role: 7 } }, /role/],
    [{ capabilities: { strictRole: true } }, /strictRole/],
    [{ capabilities: { fqdn: { hostname: 'x'.repeat(256) } } }, /hostname/],
    [{ requiredCapabilities: [256] }, /requiredCapabilities/],
    [{ connectRetryInitialTime: 200 }, /connectRetryInitialTime/],
    [{ idleHoldTime: 0 }, /idleHoldTime/],
  ];
  for (const [override, message] of bad) {
    t.throws(() => resolveConfig({ ...base, ...override }), message, JSON.stringify(override));
  }
  t.doesNotThrow(() => resolveConfig({ ...base, holdTime: 0, keepaliveTime: 30 }), 'hold 0 with a keepalive is fine');
});
