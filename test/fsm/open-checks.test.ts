// RFC 4271 §6.2 OPEN checks and their refinements: each refusal with its exact code, subcode and Data.
import t from 'tap';
import { checkOpen, localOpenFor, remoteAsMatches, resolveConfig } from '../../lib/fsm/index.js';
import type { PeerFsmConfig } from '../../lib/fsm/index.js';
import type { Capability, OpenMessage } from '../../lib/wire/types.js';

const base: PeerFsmConfig = { localAsn: 65000, routerId: '192.0.2.1', remoteAs: 65001 };
const mp = (afi: number, safi: number): Capability => ({ kind: 'multiprotocol', code: 1, afi, safi });
const as4 = (asn: number): Capability => ({ kind: 'four-octet-as', code: 65, asn });
const role = (r: number): Capability => ({ kind: 'role', code: 9, role: r });

const open = (o: Partial<OpenMessage> = {}): OpenMessage => ({
  type: 1,
  version: 4,
  myAs: 65001,
  holdTime: 90,
  bgpIdentifier: '192.0.2.2',
  capabilities: [mp(1, 1), as4(65001)],
  ...o,
});

/** `code/subcode data=hex`, or `ok`. */
function check(o: Partial<OpenMessage>, config: Partial<PeerFsmConfig> = {}): string {
  const resolved = resolveConfig({ ...base, ...config });
  const e = checkOpen(resolved, localOpenFor(resolved), open(o));
  return e ? `${e.code}/${e.subcode}${e.data.length ? ` data=${Buffer.from(e.data).toString('hex')}` : ''}` : 'ok';
}

const cases: [name: string, open: Partial<OpenMessage>, config: Partial<PeerFsmConfig>, expected: string][] = [
  ['an ordinary eBGP OPEN', {}, {}, 'ok'],
  // 2/1: Data is the 2-octet version we support.
  ['version 3', { version: 3 }, {}, '2/1 data=0004'],
  ['version 5', { version: 5 }, {}, '2/1 data=0004'],
  ['version is checked first', { version: 5, myAs: 1 }, {}, '2/1 data=0004'],
  // 2/2.
  ['another AS', { myAs: 65002, capabilities: [mp(1, 1), as4(65002)] }, {}, '2/2'],
  ['another AS, 2-octet speaker', { myAs: 65002, capabilities: [mp(1, 1)] }, {}, '2/2'],
  ['the expected AS from a 2-octet speaker', { capabilities: [mp(1, 1)] }, {}, 'ok'],
  ['My AS 0 (RFC 7607)', { myAs: 0, capabilities: [mp(1, 1)] }, { remoteAs: 'any' }, '2/2'],
  ['4-octet AS 0', { capabilities: [mp(1, 1), as4(0)] }, { remoteAs: 'any' }, '2/2'],
  ['4-octet AS AS_TRANS', { myAs: 23456, capabilities: [mp(1, 1), as4(23456)] }, { remoteAs: 'any' }, '2/2'],
  ['AS_TRANS without the 4-octet capability', { myAs: 23456, capabilities: [mp(1, 1)] }, { remoteAs: 23456 }, '2/2'],
  ['My AS contradicts a 2-octet-sized 4-octet AS', { myAs: 65003 }, {}, '2/2'],
  ['a 4-octet AS behind AS_TRANS', { myAs: 23456, capabilities: [mp(1, 1), as4(4200000000)] }, { remoteAs: 4200000000 }, 'ok'],
  ['dynamic internal, same AS', { myAs: 65000, capabilities: [as4(65000)] }, { remoteAs: 'internal' }, 'ok'],
  ['dynamic internal, other AS', {}, { remoteAs: 'internal' }, '2/2'],
  ['dynamic external, other AS', {}, { remoteAs: 'external' }, 'ok'],
  ['dynamic external, same AS', { myAs: 65000, capabilities: [as4(65000)] }, { remoteAs: 'external' }, '2/2'],
  ['dynamic any', { myAs: 64999, capabilities: [as4(64999)] }, { remoteAs: 'any' }, 'ok'],
  // 2/3.
  ['BGP Identifier 0.0.0.0', { bgpIdentifier: '0.0.0.0' }, {}, '2/3'],
  ['our BGP Identifier on iBGP', { myAs: 65000, bgpIdentifier: '192.0.2.1', capabilities: [as4(65000)] }, { remoteAs: 65000 }, '2/3'],
  ['our BGP Identifier on eBGP (RFC 6286)', { bgpIdentifier: '192.0.2.1' }, {}, 'ok'],
  ['a high identifier is unsigned, not zero', { bgpIdentifier: '255.255.255.255' }, {}, 'ok'],
  // 2/4.
  ['an optional parameter other than Capabilities', { parameters: [{ kind: 'other', type: 1, value: new Uint8Array(2) }] }, {}, '2/4'],
  // 2/6.
  ['hold time 1', { holdTime: 1 }, {}, '2/6'],
  ['hold time 2', { holdTime: 2 }, {}, '2/6'],
  ['hold time 3', { holdTime: 3 }, {}, 'ok'],
  ['hold time 0', { holdTime: 0 }, {}, 'ok'],
  ['hold time 0 refused by configuration', { holdTime: 0 }, { refuseZeroHoldTime: true }, '2/6'],
  ['hold time below the configured minimum', { holdTime: 9 }, { minHoldTime: 10 }, '2/6'],
  ['hold time at the configured minimum', { holdTime: 10 }, { minHoldTime: 10 }, 'ok'],
  // 2/7: Data lists the capabilities, encoded as in our OPEN.
  ['no family in common', { capabilities: [mp(2, 1), as4(65001)] }, {}, '2/7 data=010400010001'],
  [
    'no family in common, two of ours',
    { capabilities: [mp(25, 70), as4(65001)] },
    { families: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }] },
    '2/7 data=010400010001010400020001',
  ],
  ['no Multiprotocol at all implies IPv4 unicast', { capabilities: [as4(65001)] }, {}, 'ok'],
  ['implied IPv4 unicast against our IPv6-only', { capabilities: [as4(65001)] }, { families: [{ afi: 2, safi: 1 }] }, '2/7 data=010400020001'],
  ['a malformed Multiprotocol is as good as none', { capabilities: [{ kind: 'unknown', code: 1, value: new Uint8Array(3), malformed: true }, mp(2, 1)] }, {}, '2/7 data=010400010001'],
  ['required 4-octet AS missing', { capabilities: [mp(1, 1)] }, { requiredCapabilities: [65] }, '2/7 data=41040000fde8'],
  ['required route refresh met by code 128', { capabilities: [mp(1, 1), as4(65001), { kind: 'route-refresh', code: 128 }] }, { requiredCapabilities: [2] }, 'ok'],
  ['required route refresh missing', {}, { requiredCapabilities: [2] }, '2/7 data=0200'],
  ['required capability we do not send ourselves', {}, { requiredCapabilities: [70] }, '2/7 data=4600'],
  ['missing family and capability together', { capabilities: [mp(2, 1)] }, { requiredCapabilities: [65] }, '2/7 data=01040001000141040000fde8'],
  // 2/11 (RFC 9234 §4.2).
  ['roles Provider / Customer', { capabilities: [mp(1, 1), as4(65001), role(3)] }, { capabilities: { role: 0 } }, 'ok'],
  ['roles Customer / Provider', { capabilities: [mp(1, 1), as4(65001), role(0)] }, { capabilities: { role: 3 } }, 'ok'],
  ['roles RS / RS-Client', { capabilities: [mp(1, 1), as4(65001), role(2)] }, { capabilities: { role: 1 } }, 'ok'],
  ['roles Peer / Peer', { capabilities: [mp(1, 1), as4(65001), role(4)] }, { capabilities: { role: 4 } }, 'ok'],
  ['roles Provider / Provider', { capabilities: [mp(1, 1), as4(65001), role(0)] }, { capabilities: { role: 0 } }, '2/11'],
  ['roles Peer / Customer', { capabilities: [mp(1, 1), as4(65001), role(3)] }, { capabilities: { role: 4 } }, '2/11'],
  ['no peer role, not strict', {}, { capabilities: { role: 4 } }, 'ok'],
  ['no peer role, strict', {}, { capabilities: { role: 4, strictRole: true } }, '2/11'],
  ['two different peer roles', { capabilities: [mp(1, 1), as4(65001), role(4), role(3)] }, { capabilities: { role: 4 } }, '2/11'],
  ['the same peer role twice', { capabilities: [mp(1, 1), as4(65001), role(4), role(4)] }, { capabilities: { role: 4 } }, 'ok'],
  ['a peer role when we have none', { capabilities: [mp(1, 1), as4(65001), role(0)] }, {}, 'ok'],
];

for (const [name, o, config, expected] of cases) {
  t.equal(check(o, config), expected, name);
}

t.test('remoteAsMatches', async (t) => {
  t.ok(remoteAsMatches(65001, 65000, 65001));
  t.notOk(remoteAsMatches(65001, 65000, 65002));
  t.ok(remoteAsMatches('internal', 65000, 65000));
  t.notOk(remoteAsMatches('internal', 65000, 65001));
  t.ok(remoteAsMatches('external', 65000, 65001));
  t.notOk(remoteAsMatches('external', 65000, 65000));
  t.ok(remoteAsMatches('any', 65000, 1));
});
