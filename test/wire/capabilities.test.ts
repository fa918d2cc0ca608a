import t from 'tap';
import {
  capabilityValue,
  decodeCapabilities,
  decodeCapability,
  encodeCapabilities,
  encodeCapability,
  findCapability,
} from '../../lib/wire/capabilities.js';
import type { Capability } from '../../lib/wire/types.js';
import { BgpError } from '../../lib/wire/errors.js';
import { fromHex, hex, prng, thrown, throwsBgpError } from '../helpers/codec-laws.js';

// Each capability as a TLV built by hand from its RFC, and the value it decodes to.
const known: [string, string, Capability][] = [
  ['RFC 4760 multiprotocol IPv6 unicast', '01 04 0002 00 01', { kind: 'multiprotocol', code: 1, afi: 2, safi: 1 }],
  ['RFC 4760 with a non-zero reserved octet', '01 04 0001 07 01', { kind: 'multiprotocol', code: 1, afi: 1, safi: 1, reserved: 7 }],
  ['RFC 2918 route refresh', '02 00', { kind: 'route-refresh', code: 2 }],
  ['pre-standard route refresh', '80 00', { kind: 'route-refresh', code: 128 }],
  [
    'RFC 8950 extended next hop: IPv4 unicast and VPN over IPv6',
    '05 0c 0001 0001 0002 0001 0080 0002',
    {
      kind: 'extended-next-hop',
      code: 5,
      entries: [
        { afi: 1, safi: 1, nextHopAfi: 2 },
        { afi: 1, safi: 128, nextHopAfi: 2 },
      ],
    },
  ],
  ['RFC 8654 extended message', '06 00', { kind: 'extended-message', code: 6 }],
  ['RFC 9234 role customer', '09 01 03', { kind: 'role', code: 9, role: 3 }],
  [
    'RFC 4724 graceful restart, R bit, 120 s, two families',
    '40 0a 8078 0001 01 80 0002 01 00',
    {
      kind: 'graceful-restart',
      code: 64,
      restartFlags: 8,
      restartTime: 120,
      families: [
        { afi: 1, safi: 1, flags: 0x80 },
        { afi: 2, safi: 1, flags: 0 },
      ],
    },
  ],
  [
    'RFC 4724 graceful restart helper: R and N bits, 4095 s, no family',
    '40 02 cfff',
    { kind: 'graceful-restart', code: 64, restartFlags: 0xc, restartTime: 4095, families: [] },
  ],
  ['RFC 6793 4-octet AS 4200000000', '41 04 fa56ea00', { kind: 'four-octet-as', code: 65, asn: 4200000000 }],
  [
    'RFC 7911 ADD-PATH: IPv4 both, IPv6 send',
    '45 08 0001 01 03 0002 01 02',
    {
      kind: 'add-path',
      code: 69,
      families: [
        { afi: 1, safi: 1, mode: 3 },
        { afi: 2, safi: 1, mode: 2 },
      ],
    },
  ],
  ['RFC 7313 enhanced route refresh', '46 00', { kind: 'enhanced-route-refresh', code: 70 }],
  [
    'RFC 9494 long-lived graceful restart, 3600 s',
    '47 07 0001 01 80 000e10',
    { kind: 'long-lived-graceful-restart', code: 71, families: [{ afi: 1, safi: 1, flags: 0x80, staleTime: 3600 }] },
  ],
  [
    'FQDN router-1 / example.net',
    '49 15 08 726f757465722d31 0b 6578616d706c652e6e6574',
    { kind: 'fqdn', code: 73, hostname: 'router-1', domainName: 'example.net' },
  ],
  ['FQDN with UTF-8 and an empty domain', '49 04 02 c3a9 00', { kind: 'fqdn', code: 73, hostname: 'é', domainName: '' }],
  [
    'an unknown code (75, software version) stays opaque',
    '4b 05 04 46525221',
    { kind: 'unknown', code: 75, value: fromHex('04 46525221') },
  ],
];

t.test('known capabilities: exact bytes, decoded value, round trip', async (t) => {
  for (const [name, bytesHex, value] of known) {
    const bytes = fromHex(bytesHex);
    t.equal(hex(encodeCapability(value)), hex(bytes), `${name}: encode`);
    t.strictSame(decodeCapabilities(bytes), [value], `${name}: decode`);
    t.equal(hex(encodeCapabilities(decodeCapabilities(bytes))), hex(bytes), `${name}: round trip`);
  }
  const all = fromHex(known.map(([, h]) => h).join(''));
  t.strictSame(decodeCapabilities(all), known.map(([, , v]) => v), 'a sequence decodes in order');
  t.equal(hex(encodeCapabilities(known.map(([, , v]) => v))), hex(all), 'a sequence encodes in order');
});

// A known code whose value does not parse is kept as malformed bytes (RFC 5492 §3: never an error).
const malformed: [string, string][] = [
  ['multiprotocol of 3 octets', '01 03 000100'],
  ['route refresh with a value', '02 01 00'],
  ['old route refresh with a value', '80 01 00'],
  ['extended next hop of 5 octets', '05 05 0001000100'],
  ['extended message with a value', '06 01 00'],
  ['role without a value', '09 00'],
  ['role of 2 octets', '09 02 0003'],
  ['graceful restart of 1 octet', '40 01 00'],
  ['graceful restart with a partial family', '40 05 0078 000101'],
  ['4-octet AS of 2 octets', '41 02 fde9'],
  ['ADD-PATH mode 0', '45 04 0001 01 00'],
  ['ADD-PATH mode 4', '45 04 0001 01 04'],
  ['ADD-PATH of 3 octets', '45 03 000101'],
  ['enhanced route refresh with a value', '46 01 00'],
  ['LLGR of 6 octets', '47 06 000101000000'],
  ['FQDN hostname longer than the value', '49 03 05 6162'],
  ['FQDN without the domain length', '49 02 01 61'],
  ['FQDN with trailing octets', '49 05 01 61 00 6262'],
  ['FQDN hostname that is not UTF-8', '49 03 01 ff 00'],
  ['FQDN domain with an overlong UTF-8 form', '49 04 00 02 c0af'],
  ['FQDN of 1 octet', '49 01 00'],
];

t.test('malformed known capabilities are kept byte-exact, not errors', async (t) => {
  for (const [name, bytesHex] of malformed) {
    const bytes = fromHex(bytesHex);
    const [decoded, ...rest] = decodeCapabilities(bytes);
    t.equal(rest.length, 0, `${name}: one capability`);
    t.strictSame(decoded, { kind: 'unknown', code: bytes[0], value: bytes.slice(2), malformed: true }, `${name}: malformed`);
    t.equal(hex(encodeCapabilities(decodeCapabilities(bytes))), hex(bytes), `${name}: round trip`);
  }
  t.strictSame(decodeCapability(200, fromHex('0102')), { kind: 'unknown', code: 200, value: fromHex('0102') }, 'unknown code: not malformed');
});

t.test('a capability running past its parameter is OPEN Message Error / Unspecific', async (t) => {
  for (const [name, h] of [
    ['lone code octet', '02'],
    ['length past the end', '41 04 0000fd'],
    ['second capability truncated', '02 00 41 04 00'],
  ] as const) {
    throwsBgpError(t, () => decodeCapabilities(fromHex(h)), { code: 2, subcode: 0 }, name);
  }
  t.strictSame(decodeCapabilities(new Uint8Array(0)), [], 'an empty parameter holds no capability');
});

t.test('decoded values keep no view of the input', async (t) => {
  const bytes = fromHex('4b 02 abcd 01 03 000100');
  const caps = decodeCapabilities(bytes);
  bytes.fill(0);
  t.strictSame(caps, [
    { kind: 'unknown', code: 75, value: fromHex('abcd') },
    { kind: 'unknown', code: 1, value: fromHex('000100'), malformed: true },
  ]);
});

t.test('the encoder rejects values that do not fit their fields', async (t) => {
  const bad: [string, Capability][] = [
    ['asn ≥ 2^32', { kind: 'four-octet-as', code: 65, asn: 2 ** 32 }],
    ['negative afi', { kind: 'multiprotocol', code: 1, afi: -1, safi: 1 }],
    ['safi 256', { kind: 'multiprotocol', code: 1, afi: 1, safi: 256 }],
    ['restart time 4096', { kind: 'graceful-restart', code: 64, restartFlags: 0, restartTime: 4096, families: [] }],
    ['restart flags 16', { kind: 'graceful-restart', code: 64, restartFlags: 16, restartTime: 0, families: [] }],
    ['stale time 2^24', { kind: 'long-lived-graceful-restart', code: 71, families: [{ afi: 1, safi: 1, flags: 0, staleTime: 2 ** 24 }] }],
    ['fractional role', { kind: 'role', code: 9, role: 1.5 }],
    ['hostname of 256 octets', { kind: 'fqdn', code: 73, hostname: 'h'.repeat(256), domainName: '' }],
    ['FQDN value of 256 octets', { kind: 'fqdn', code: 73, hostname: 'h'.repeat(200), domainName: 'd'.repeat(54) }],
    ['unknown value of 256 octets', { kind: 'unknown', code: 99, value: new Uint8Array(256) }],
    ['unknown code 256', { kind: 'unknown', code: 256, value: new Uint8Array(0) }],
    [
      'LLGR of 37 families (259 octets)',
      {
        kind: 'long-lived-graceful-restart',
        code: 71,
        families: Array.from({ length: 37 }, () => ({ afi: 1, safi: 1, flags: 0, staleTime: 0 })),
      },
    ],
  ];
  for (const [name, capability] of bad) t.type(thrown(() => capabilityValue(capability)), TypeError, name);
  t.equal(capabilityValue({ kind: 'fqdn', code: 73, hostname: 'h'.repeat(200), domainName: 'd'.repeat(53) }).length, 255, 'FQDN of exactly 255 octets');
});

t.test('findCapability returns the first of a kind, typed', async (t) => {
  const caps = decodeCapabilities(fromHex('02 00 41 04 0000fde9 41 04 00000001'));
  const as4 = findCapability(caps, 'four-octet-as');
  t.equal(as4?.asn, 65001);
  t.equal(findCapability(caps, 'add-path'), undefined);
});

t.test('seeded random TLVs: a BgpError, or capabilities that re-encode byte-exact', async (t) => {
  const random = prng(5492);
  const codes = [1, 2, 5, 6, 9, 64, 65, 69, 70, 71, 73, 128, 0, 255];
  const failures: string[] = [];
  let decoded = 0;
  for (let round = 0; round < 3000; round++) {
    // Mostly well-framed TLVs of known codes with random values, sometimes a damaged length.
    const parts: number[] = [];
    const count = Math.floor(random() * 4);
    for (let i = 0; i < count; i++) {
      const length = Math.floor(random() * 12);
      parts.push(codes[Math.floor(random() * codes.length)] as number, length);
      for (let j = 0; j < length; j++) parts.push(random() < 0.5 ? Math.floor(random() * 4) : Math.floor(random() * 256));
    }
    if (parts.length > 0 && random() < 0.2) parts[Math.floor(random() * parts.length)] = Math.floor(random() * 256);
    const bytes = Uint8Array.from(parts);
    const e = thrown(() => decodeCapabilities(bytes));
    if (e === undefined) {
      decoded++;
      const again = hex(encodeCapabilities(decodeCapabilities(bytes)));
      if (again !== hex(bytes)) failures.push(`${hex(bytes)} re-encoded as ${again}`);
    } else if (!(e instanceof BgpError)) {
      failures.push(`${hex(bytes)}: ${String(e)}`);
    }
  }
  t.strictSame(failures.slice(0, 5), []);
  t.ok(decoded > 1000, `${decoded} decoded`);
});
