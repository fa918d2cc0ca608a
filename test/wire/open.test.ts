import t from 'tap';
import { decodeOpen, encodeOpen, openFor, peerAsn } from '../../lib/wire/open.js';
import type { Capability, OpenMessage } from '../../lib/wire/types.js';
import { checkMessageLaws, fromHex, fuzzMessages, hex, message, thrown, throwsBgpError } from '../helpers/codec-laws.js';

// FRR 8.4's OPEN (AS 65001, hold time 180, router id 192.0.2.1, hostname frr1), built by hand from the RFCs. FRR
// puts every capability in an optional parameter of its own, so the grouping must survive a round trip.
const frrCapabilities: Capability[] = [
  { kind: 'multiprotocol', code: 1, afi: 1, safi: 1 },
  { kind: 'route-refresh', code: 128 },
  { kind: 'route-refresh', code: 2 },
  { kind: 'enhanced-route-refresh', code: 70 },
  { kind: 'four-octet-as', code: 65, asn: 65001 },
  { kind: 'extended-message', code: 6 },
  { kind: 'add-path', code: 69, families: [{ afi: 1, safi: 1, mode: 1 }] },
  { kind: 'fqdn', code: 73, hostname: 'frr1', domainName: '' },
  // Graceful restart helper: N bit (RFC 8538), restart time 120 s, no family preserved.
  { kind: 'graceful-restart', code: 64, restartFlags: 0x4, restartTime: 120, families: [] },
  { kind: 'long-lived-graceful-restart', code: 71, families: [{ afi: 1, safi: 1, flags: 0, staleTime: 0 }] },
];
const frrOpen: OpenMessage = {
  type: 1,
  version: 4,
  myAs: 65001,
  holdTime: 180,
  bgpIdentifier: '192.0.2.1',
  capabilities: frrCapabilities,
  parameters: frrCapabilities.map((c) => ({ kind: 'capabilities', capabilities: [c] })),
};
const frrBytes = message(
  1,
  `04 fde9 00b4 c0000201 43
   02 06 01 04 0001 00 01
   02 02 80 00
   02 02 02 00
   02 02 46 00
   02 06 41 04 0000fde9
   02 02 06 00
   02 06 45 04 0001 01 01
   02 08 49 06 04 66727231 00
   02 04 40 02 4078
   02 09 47 07 0001 01 00 000000`,
);

// A BIRD-style OPEN: every capability in one parameter, a 4-octet ASN behind AS_TRANS.
const birdCapabilities: Capability[] = [
  { kind: 'multiprotocol', code: 1, afi: 1, safi: 1 },
  { kind: 'multiprotocol', code: 1, afi: 2, safi: 1 },
  { kind: 'route-refresh', code: 2 },
  { kind: 'extended-next-hop', code: 5, entries: [{ afi: 1, safi: 1, nextHopAfi: 2 }] },
  { kind: 'four-octet-as', code: 65, asn: 4200000000 },
  { kind: 'enhanced-route-refresh', code: 70 },
  { kind: 'role', code: 9, role: 3 },
];
const birdOpen: OpenMessage = {
  type: 1,
  version: 4,
  myAs: 23456,
  holdTime: 240,
  bgpIdentifier: '198.51.100.7',
  capabilities: birdCapabilities,
};
const birdBytes = message(
  1,
  `04 5ba0 00f0 c6336407 23
   02 21
      01 04 0001 00 01
      01 04 0002 00 01
      02 00
      05 06 0001 0001 0002
      41 04 fa56ea00
      46 00
      09 01 03`,
);

// RFC 9072 form chosen by the sender although it was not needed.
const extendedOpen: OpenMessage = {
  type: 1,
  version: 4,
  myAs: 65001,
  holdTime: 90,
  bgpIdentifier: '10.0.0.1',
  capabilities: [
    { kind: 'multiprotocol', code: 1, afi: 1, safi: 1 },
    { kind: 'route-refresh', code: 2 },
  ],
  extendedParameters: true,
};
const extendedBytes = message(1, '04 fde9 005a 0a000001 ff ff 000b  02 0008  01 04 0001 00 01  02 00');

// RFC 9072 form needed: 60 multiprotocol capabilities are 360 octets, more than one parameter can hold.
const manyFamilies: Capability[] = Array.from({ length: 60 }, (_, i) => ({ kind: 'multiprotocol', code: 1, afi: 1, safi: i + 1 }));
const largeOpen: OpenMessage = {
  type: 1,
  version: 4,
  myAs: 64512,
  holdTime: 3,
  bgpIdentifier: '10.0.0.2',
  capabilities: manyFamilies,
  extendedParameters: true,
};
const largeBytes = message(
  1,
  `04 fc00 0003 0a000002 ff ff 016b 02 0168 ${manyFamilies.map((_, i) => `01 04 0001 00 ${(i + 1).toString(16).padStart(2, '0')}`).join(' ')}`,
);

const plainOpen: OpenMessage = { type: 1, version: 4, myAs: 65002, holdTime: 0, bgpIdentifier: '10.255.0.1', capabilities: [] };
const plainBytes = message(1, '04 fdea 0000 0aff0001 00');

// An empty Capabilities parameter and two capabilities in another: the grouping is not the default one.
const groupedOpen: OpenMessage = {
  type: 1,
  version: 4,
  myAs: 65003,
  holdTime: 9,
  bgpIdentifier: '10.0.0.3',
  capabilities: [
    { kind: 'route-refresh', code: 2 },
    { kind: 'four-octet-as', code: 65, asn: 65003 },
  ],
  parameters: [
    { kind: 'capabilities', capabilities: [] },
    {
      kind: 'capabilities',
      capabilities: [
        { kind: 'route-refresh', code: 2 },
        { kind: 'four-octet-as', code: 65, asn: 65003 },
      ],
    },
  ],
};
const groupedBytes = message(1, '04 fdeb 0009 0a000003 0c 02 00 02 08 02 00 41 04 0000fdeb');

const fixtures = [
  { name: 'FRR 8.4 OPEN, one parameter per capability', bytes: frrBytes, value: frrOpen },
  { name: 'BIRD-style OPEN, one parameter, AS_TRANS', bytes: birdBytes, value: birdOpen },
  { name: 'RFC 9072 form by choice', bytes: extendedBytes, value: extendedOpen },
  { name: 'RFC 9072 form by need (360 octets of capabilities)', bytes: largeBytes, value: largeOpen },
  { name: 'OPEN without optional parameters', bytes: plainBytes, value: plainOpen },
  { name: 'OPEN with an empty Capabilities parameter', bytes: groupedBytes, value: groupedOpen },
];

t.test('codec laws', async (t) => {
  for (const f of fixtures) checkMessageLaws(t, f);
});

t.test('the hand-built FRR OPEN has the lengths the RFCs give', async (t) => {
  t.equal(frrBytes.length, 96, 'message length');
  t.equal(frrBytes[28], 0x43, 'Opt Parm Len is 67');
});

t.test('the encoder picks the RFC 9072 form only when it must or is told to', async (t) => {
  const { extendedParameters: _, ...withoutFlag } = largeOpen;
  t.equal(hex(encodeOpen(withoutFlag)), hex(largeBytes.subarray(19)), 'more than 255 octets: extended form');
  const { extendedParameters: __, ...small } = extendedOpen;
  t.equal(hex(encodeOpen(small)), '04fde9005a0a000001' + '0a' + '0208' + '010400010001' + '0200', 'small: RFC 4271 form');
  // Exactly 255 octets of parameters still fit the one-octet length: 42 × 6 + 2 = 254, plus one route refresh is 256.
  const fits: Capability[] = [...Array.from({ length: 42 }, (_, i) => ({ kind: 'multiprotocol', code: 1, afi: 1, safi: i }) as Capability)];
  t.equal(encodeOpen({ ...plainOpen, capabilities: fits })[9], 254, '254 octets: RFC 4271 form');
  const over = encodeOpen({ ...plainOpen, capabilities: [...fits, { kind: 'route-refresh', code: 2 }] });
  t.strictSame([over[9], over[10]], [255, 255], '256 octets: extended form');
  // Several parameters that fit alone but not together also need the extended form.
  const params = Array.from({ length: 2 }, () => ({ kind: 'capabilities' as const, capabilities: fits.slice(0, 21) }));
  const twoParams = encodeOpen({ ...plainOpen, capabilities: fits, parameters: params });
  t.strictSame([twoParams[9], twoParams[10]], [255, 255], 'two parameters of 126 octets each: 256 with headers');
});

t.test('syntax errors', async (t) => {
  const cases: [string, Uint8Array, { code: number; subcode: number; data?: Uint8Array }][] = [
    ['body shorter than 10 octets', fromHex('04 fde9 00b4 c0000201'), { code: 1, subcode: 2, data: fromHex('001c') }],
    ['Opt Parm Len past the end', fromHex('04 fde9 00b4 c0000201 05 02 02 02 00'), { code: 2, subcode: 0 }],
    ['Opt Parm Len short of the end', fromHex('04 fde9 00b4 c0000201 02 02 00 00'), { code: 2, subcode: 0 }],
    ['parameter length past Opt Parm Len', fromHex('04 fde9 00b4 c0000201 02 02 01'), { code: 2, subcode: 0 }],
    ['lone parameter type', fromHex('04 fde9 00b4 c0000201 01 02'), { code: 2, subcode: 0 }],
    ['capability past its parameter', fromHex('04 fde9 00b4 c0000201 04 02 02 41 04'), { code: 2, subcode: 0 }],
    ['RFC 4271 §6.2: authentication parameter (1)', fromHex('04 fde9 00b4 c0000201 03 01 01 00'), { code: 2, subcode: 4 }],
    ['unknown parameter type 42', fromHex('04 fde9 00b4 c0000201 02 2a 00'), { code: 2, subcode: 4 }],
    ['RFC 9072: extended length truncated', fromHex('04 fde9 00b4 c0000201 ff ff 00'), { code: 2, subcode: 0 }],
    ['RFC 9072: extended length past the end', fromHex('04 fde9 00b4 c0000201 ff ff 0004 02 0000'), { code: 2, subcode: 0 }],
    ['RFC 9072: 2-octet parameter length past the end', fromHex('04 fde9 00b4 c0000201 ff ff 0004 02 0002 02'), { code: 2, subcode: 0 }],
    ['RFC 9072: parameter header truncated', fromHex('04 fde9 00b4 c0000201 ff ff 0002 02 00'), { code: 2, subcode: 0 }],
  ];
  for (const [name, body, expected] of cases) throwsBgpError(t, () => decodeOpen(body), expected, name);
});

t.test('semantic checks are left to the FSM', async (t) => {
  const odd = decodeOpen(fromHex('03 0000 0001 00000000 00'));
  t.strictSame(odd, { type: 1, version: 3, myAs: 0, holdTime: 1, bgpIdentifier: '0.0.0.0', capabilities: [] });
});

t.test('RFC 9072: a Non-Ext OP Len other than 255 still selects the extended form', async (t) => {
  const open = decodeOpen(fromHex('04 fde9 00b4 c0000201 05 ff 0003 02 0000'));
  t.strictSame(open.parameters, [{ kind: 'capabilities', capabilities: [] }]);
  t.equal(open.extendedParameters, true);
});

t.test('encoder field checks', async (t) => {
  const bad: [string, OpenMessage][] = [
    ['myAs 65536', { ...plainOpen, myAs: 65536 }],
    ['holdTime -1', { ...plainOpen, holdTime: -1 }],
    ['version 256', { ...plainOpen, version: 256 }],
    ['identifier not an address', { ...plainOpen, bgpIdentifier: 'router' }],
    ['parameter type 255', { ...plainOpen, parameters: [{ kind: 'other', type: 255, value: new Uint8Array(0) }] }],
    ['parameters of more than 65535 octets', { ...plainOpen, parameters: Array.from({ length: 300 }, () => ({ kind: 'other', type: 9, value: new Uint8Array(255) })) }],
  ];
  for (const [name, msg] of bad) t.type(thrown(() => encodeOpen(msg)), TypeError, name);
  // Other parameter types can be sent (to exercise a peer's error handling) and are refused on receipt.
  const other = encodeOpen({ ...plainOpen, parameters: [{ kind: 'other', type: 1, value: fromHex('00') }] });
  t.equal(hex(other.subarray(9)), '03010100');
  throwsBgpError(t, () => decodeOpen(other), { code: 2, subcode: 4 }, 'decoded back: Unsupported Optional Parameter');
});

t.test('openFor and peerAsn: RFC 6793 4-octet AS numbers', async (t) => {
  const as4 = openFor({
    asn: 4200000000,
    holdTime: 90,
    bgpIdentifier: '10.0.0.1',
    capabilities: [{ kind: 'four-octet-as', code: 65, asn: 4200000000 }],
  });
  t.equal(as4.myAs, 23456, 'AS_TRANS in My Autonomous System');
  t.equal(as4.version, 4);
  t.equal(peerAsn(as4), 4200000000, 'peerAsn reads the capability');
  t.equal(peerAsn(decodeOpen(encodeOpen(as4))), 4200000000, 'and survives the wire');
  const as2 = openFor({ asn: 65001, holdTime: 180, bgpIdentifier: '10.0.0.1', capabilities: [{ kind: 'four-octet-as', code: 65, asn: 65001 }] });
  t.equal(as2.myAs, 65001, 'a 2-octet ASN goes in My Autonomous System');
  const old = openFor({ asn: 65010, holdTime: 180, bgpIdentifier: '10.0.0.1', capabilities: [] });
  t.equal(peerAsn(old), 65010, 'without the capability, My Autonomous System is the ASN');
  t.type(thrown(() => openFor({ asn: 4200000000, holdTime: 90, bgpIdentifier: '10.0.0.1', capabilities: [] })), TypeError, '4-octet ASN without the capability');
  t.type(
    thrown(() => openFor({ asn: 65001, holdTime: 90, bgpIdentifier: '10.0.0.1', capabilities: [{ kind: 'four-octet-as', code: 65, asn: 65002 }] })),
    TypeError,
    'capability contradicting the ASN',
  );
  t.type(thrown(() => openFor({ asn: 2 ** 32, holdTime: 90, bgpIdentifier: '10.0.0.1', capabilities: [] })), TypeError, 'ASN out of range');
  t.type(thrown(() => openFor({ asn: 1, holdTime: 65536, bgpIdentifier: '10.0.0.1', capabilities: [] })), TypeError, 'hold time out of range');
  t.type(thrown(() => openFor({ asn: 1, holdTime: 90, bgpIdentifier: '10.0.0', capabilities: [] })), TypeError, 'bad identifier');
});

t.test('seeded mutations: a value or a BgpError', async (t) => {
  fuzzMessages(t, fixtures.map((f) => f.bytes), { seed: 0x0be0, rounds: 2000 });
});
