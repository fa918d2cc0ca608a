// The tshark oracle parser on hand-written tshark JSON: every shape tshark 4.0 uses for the same thing (one value or
// an array, one message or several per frame, NLRI as object keys, merged duplicate keys, well-known communities
// apart), and a clear OracleShapeError — not a TypeError — on a shape it does not know.
import t from 'tap';
import {
  OracleShapeError,
  addressBytes,
  canonicalAddress,
  parseTsharkJson,
  toInt,
  type TsharkJson,
} from '../helpers/tshark-oracle.js';

const A = 'bgp.update.path_attribute.';

/** One packet as tshark writes it; `extra` adds layers (an `ipv6` layer replaces the default `ip`). */
function packet(frame: number, bgp: TsharkJson, extra: { [key: string]: TsharkJson } = {}): TsharkJson {
  const ip = extra.ipv6 === undefined ? { ip: { 'ip.src': '10.0.0.1', 'ip.dst': '10.0.0.2' } } : {};
  const tcp = { 'tcp.srcport': '179', 'tcp.dstport': '40000' };
  return { _source: { layers: { frame: { 'frame.number': String(frame) }, ...ip, tcp, ...extra, bgp } } };
}

const attr = (code: number, fields: { [key: string]: TsharkJson }, length = 4, flags = '0x40'): TsharkJson => ({
  [`${A}flags`]: flags,
  [`${A}type_code`]: String(code),
  [`${A}length`]: String(length),
  ...fields,
});

const updateMessage = (fields: { [key: string]: TsharkJson }, attributes: TsharkJson[] = []): TsharkJson => ({
  'bgp.length': '99',
  'bgp.type': '2',
  ...(attributes.length > 0 && {
    'bgp.update.path_attributes': {
      'bgp.update.path_attribute': attributes.length === 1 ? (attributes[0] ?? null) : attributes,
    },
  }),
  ...fields,
});

t.test('frames: one message is an object, several an array; endpoints and order within the frame', async (t) => {
  const keepalive = { 'bgp.length': '19', 'bgp.type': '4' };
  const msgs = parseTsharkJson([
    packet(3, keepalive),
    packet(5, [
      keepalive,
      {
        ...keepalive,
        'bgp.length': '21',
        'bgp.type': '3',
        'bgp.notify.major_error': '6',
        'bgp.notify.minor_error_cease': '2',
      },
    ]),
  ]);
  t.same(
    msgs.map((m) => [m.frame, m.index, m.type, m.length]),
    [
      [3, 0, 4, 19],
      [5, 0, 4, 19],
      [5, 1, 3, 21],
    ],
  );
  t.equal(msgs[0]?.src, '10.0.0.1:179');
  t.equal(msgs[0]?.dst, '10.0.0.2:40000');
  t.same(msgs[2]?.notification, { code: 6, subcode: 2 });
  const v6 = parseTsharkJson([packet(1, keepalive, { ipv6: { 'ipv6.src': 'FD00:30:2:0::1', 'ipv6.dst': 'fe80::1' } })]);
  t.equal(v6[0]?.src, '[fd00:30:2::1]:179');
});

t.test(
  'an undissected message (RFC 8654 length) keeps its length, reassembled octets and the malformed mark',
  async (t) => {
    const big = { 'bgp.marker': 'ff', 'bgp.length': '40043', 'bgp.length_tree': { '_ws.malformed': '' } };
    const [m] = parseTsharkJson([packet(23, big, { 'tcp.segments': { 'tcp.reassembled.data': 'ff:ff:9c:6b' } })]);
    t.equal(m?.type, undefined);
    t.equal(m?.length, 40043);
    t.equal(m?.malformed, true);
    t.same([...(m?.reassembled ?? [])], [0xff, 0xff, 0x9c, 0x6b]);
  },
);

t.test('NLRI keyed by prefix, with path ids, merged duplicates and IPv6 in canonical form', async (t) => {
  const nlri = {
    '10.70.0.0/24 PathId 4 ': { 'bgp.nlri_path_id': '4', 'bgp.prefix_length': '24', 'bgp.nlri_prefix': '10.70.0.0' },
    '10.70.1.0/24': { 'bgp.prefix_length': '24', 'bgp.nlri_prefix': '10.70.1.0' },
  };
  const merged = {
    '10.9.0.0/16': [
      { 'bgp.prefix_length': '16', 'bgp.withdrawn_prefix': '10.9.0.0' },
      { 'bgp.prefix_length': '16', 'bgp.withdrawn_prefix': '10.9.0.0' },
    ],
  };
  const mp = attr(
    14,
    {
      [`${A}mp_reach_nlri.afi`]: '2',
      [`${A}mp_reach_nlri.safi`]: '1',
      [`${A}mp_reach_nlri.next_hop`]: '10:00:00:00:00:00:00:00:00:00:00:ff:ff:ac:1e:08:01',
      [`${A}mp_reach_nlri.next_hop_tree`]: { [`${A}mp_reach_nlri.next_hop.ipv6`]: '::ffff:172.30.8.1' },
      [`${A}mp_reach_nlri`]: {
        '2001:DB8:80:1::/64': { 'bgp.prefix_length': '64', 'bgp.mp_reach_nlri_ipv6_prefix': '2001:DB8:80:1::' },
      },
    },
    30,
    '0x90',
  );
  const unreach = attr(
    15,
    { [`${A}mp_unreach_nlri.afi`]: '2', [`${A}mp_unreach_nlri.safi`]: '1', [`${A}mp_unreach_nlri`]: '' },
    3,
  );
  const [m] = parseTsharkJson([
    packet(9, updateMessage({ 'bgp.update.nlri': nlri, 'bgp.update.withdrawn_routes': merged }, [mp, unreach])),
  ]);
  t.same(m?.update?.nlri, { prefixes: ['10.70.0.0/24#4', '10.70.1.0/24'], ordered: true });
  t.same(m?.update?.withdrawn, { prefixes: ['10.9.0.0/16', '10.9.0.0/16'], ordered: false });
  const reach = m?.update?.attributes[0]?.mpReach;
  t.same(reach?.nextHops, ['::ffff:ac1e:801']);
  t.same(
    [...(reach?.nextHopBytes ?? [])],
    [...addressBytes('::ffff:172.30.8.1')],
    'the next hop length octet is dropped',
  );
  t.same(reach?.nlri.prefixes, ['2001:db8:80:1::/64']);
  t.equal(m?.update?.attributes[0]?.flags, 0x90);
  t.same(m?.update?.attributes[1]?.mpUnreach, {
    afi: 2,
    safi: 1,
    withdrawn: { prefixes: [], ordered: true },
    flowspec: [],
  });
  t.same(m?.unrecognised, []);
});

t.test('AS_PATH: as2 / as4, one value or several, and tshark giving up on the ASN width', async (t) => {
  const seg = (key: 'as2' | 'as4', type: string, asns: TsharkJson): TsharkJson => ({
    [`${A}as_path_segment.type`]: type,
    [`${A}as_path_segment.length`]: '1',
    [`${A}as_path_segment.${key}`]: asns,
  });
  const msgs = parseTsharkJson([
    packet(1, updateMessage({}, [attr(2, { [`${A}as_path_segment`]: seg('as2', '2', '65500') }, 4)])),
    packet(
      2,
      updateMessage({}, [
        attr(2, { [`${A}as_path_segment`]: [seg('as4', '2', ['1', '2']), seg('as4', '1', '3')] }, 20),
      ]),
    ),
    packet(3, updateMessage({}, [attr(2, { '_ws.expert': { 'bgp.attr.as_path.as_len': '' } }, 6, '0x50')])),
    packet(4, updateMessage({}, [attr(2, {}, 0)])),
  ]);
  t.same(
    msgs.map((m) => m.update?.attributes[0]?.asPath),
    [
      [{ type: 2, width: 2, asns: [65500] }],
      [
        { type: 2, width: 4, asns: [1, 2] },
        { type: 1, width: 4, asns: [3] },
      ],
      undefined,
      [],
    ],
  );
  t.same(msgs[2]?.unrecognised, [], 'expert notes are not values');
});

t.test('communities, extended and large communities', async (t) => {
  const communities = attr(
    8,
    {
      [`${A}communities`]: {
        [`${A}community`]: { [`${A}community_as`]: '65400', [`${A}community_value`]: '2' },
        [`${A}community_wellknown`]: ['0xffffff02', '0xffffff01'],
      },
    },
    12,
    '0xc0',
  );
  const ext = attr(
    16,
    {
      'bgp.ext_communities': {
        'bgp.ext_community': [
          {
            'bgp.ext_com.type': '0x00',
            'bgp.ext_com.stype_tr_as2': '0x02',
            'bgp.ext_com.value_as2': '65400',
            'bgp.ext_com.value_an4': '100',
          },
          {
            'bgp.ext_com.type': '0x80',
            'bgp.ext_com.stype_tr_exp': '0x06',
            'bgp.ext_com.value_as2': '0',
            'bgp.ext_com_flow.rate_limit': '9600',
          },
        ],
      },
    },
    16,
    '0xc0',
  );
  const large = attr(
    32,
    {
      'bgp.large_communities': '[ Null ]',
      'bgp.large_communities_tree': {
        'bgp.large_communities.ga': '4200000000',
        'bgp.large_communities.ldp1': '3',
        'bgp.large_communities.ldp2': '4',
      },
    },
    12,
    '0xc0',
  );
  const [m] = parseTsharkJson([packet(1, updateMessage({}, [communities, ext, large]))]);
  const [c, e, l] = m?.update?.attributes ?? [];
  t.same(c?.communities, [65400 * 65536 + 2, 0xffffff01, 0xffffff02], 'sorted: tshark lists well-known values apart');
  t.same(e?.extCommunities, [
    { type: 0, subtype: 2, fields: { as2: 65400, an4: 100 } },
    { type: 0x80, subtype: 6, fields: { as2: 0, rateLimit: 9600 } },
  ]);
  t.same(l?.largeCommunities, [[4200000000, 3, 4]]);
});

t.test('OPEN: parameters with one capability or several, decoded and raw values', async (t) => {
  const open = {
    'bgp.length': '60',
    'bgp.type': '1',
    'bgp.open.version': '4',
    'bgp.open.myas': '23456',
    'bgp.open.holdtime': '90',
    'bgp.open.identifier': '192.0.2.1',
    'bgp.open.opt': {
      'bgp.open.opt.param': [
        {
          'bgp.open.opt.param.type': '2',
          'bgp.cap': { 'bgp.cap.type': '65', 'bgp.cap.length': '4', 'bgp.cap.4as': '4200000001' },
        },
        {
          'bgp.open.opt.param.type': '2',
          'bgp.cap': [
            { 'bgp.cap.type': '9', 'bgp.cap.length': '1', 'bgp.cap.unknown': '03' },
            {
              'bgp.cap.type': '69',
              'bgp.cap.length': '8',
              'bgp.cap.ap.afi': ['1', '2'],
              'bgp.cap.ap.safi': ['1', '1'],
              'bgp.cap.ap.sendreceive': ['3', '1'],
            },
            {
              'bgp.cap.type': '64',
              'bgp.cap.length': '6',
              'bgp.cap.gr.timers_tree': {
                'bgp.cap.gr.timers.restart_flag': '1',
                'bgp.cap.gr.timers.notification_flag': '0',
                'bgp.cap.gr.timers.restart_time': '120',
              },
              'bgp.cap.gr.afi': '2',
              'bgp.cap.gr.safi': '1',
              'bgp.cap.gr.flag': '0x80',
            },
          ],
        },
      ],
    },
  };
  const [m] = parseTsharkJson([packet(4, open)]);
  t.same(
    m?.open?.parameters.map((p) => p.capabilities.map((c) => c.code)),
    [[65], [9, 69, 64]],
  );
  const [four, role, addPath, gr] = m?.open?.parameters.flatMap((p) => p.capabilities) ?? [];
  t.equal(four?.asn, 4200000001);
  t.same([...(role?.raw ?? [])], [3]);
  t.same(addPath?.addPath, [
    { afi: 1, safi: 1, mode: 3 },
    { afi: 2, safi: 1, mode: 1 },
  ]);
  t.same([gr?.restartFlags, gr?.restartTime, gr?.gracefulRestart], [8, 120, [{ afi: 2, safi: 1, flags: 0x80 }]]);
});

t.test('NOTIFICATION: the subcode key follows the code; data, RFC 9003 text, bad peer AS', async (t) => {
  const n = (fields: { [key: string]: TsharkJson }): TsharkJson => ({ 'bgp.length': '23', 'bgp.type': '3', ...fields });
  const msgs = parseTsharkJson([
    packet(
      1,
      n({
        'bgp.notify.major_error': '2',
        'bgp.notify.minor_error_open': '2',
        'bgp.notify.error_open.bad_peer_as': '23456',
      }),
    ),
    packet(
      2,
      n({ 'bgp.notify.major_error': '6', 'bgp.notify.minor_error_cease': '9', 'bgp.notify.minor_data': '06:02' }),
    ),
    packet(
      3,
      n({ 'bgp.notify.major_error': '6', 'bgp.notify.minor_error_cease': '2', 'bgp.notify.communication': 'bye' }),
    ),
  ]);
  t.same(msgs[0]?.notification, { code: 2, subcode: 2, badPeerAs: 23456 });
  t.same([...(msgs[1]?.notification?.data ?? [])], [6, 2]);
  t.equal(msgs[2]?.notification?.communication, 'bye');
});

t.test('unknown fields are named, unknown shapes are OracleShapeError', async (t) => {
  const [m] = parseTsharkJson([
    packet(1, updateMessage({ 'bgp.update.future': '1' }, [attr(99, { 'bgp.some.future_field': '1' })])),
  ]);
  t.same(m?.unrecognised, ['bgp.update.future', 'attribute 99: bgp.some.future_field']);
  const open = {
    'bgp.length': '29',
    'bgp.type': '1',
    'bgp.open.version': '4',
    'bgp.open.myas': '1',
    'bgp.open.holdtime': '0',
    'bgp.open.identifier': '1.2.3.4',
  };
  const cap = { 'bgp.cap.type': '99', 'bgp.cap.length': '1', 'bgp.cap.future': '7' };
  const [o] = parseTsharkJson([
    packet(1, {
      ...open,
      'bgp.open.opt': { 'bgp.open.opt.param': { 'bgp.open.opt.param.type': '2', 'bgp.cap': cap } },
    }),
  ]);
  t.same(o?.unrecognised, ['capability 99: bgp.cap.future']);
  t.throws(
    () => parseTsharkJson([packet(1, updateMessage({}, [attr(3, { [`${A}next_hop`]: ['10.0.0.1', '10.0.0.2'] })]))]),
    OracleShapeError,
  );
  t.throws(() => parseTsharkJson([packet(1, { 'bgp.length': { nested: '1' } })]), OracleShapeError);
  t.throws(() => parseTsharkJson([{ _source: {} }]), OracleShapeError);
  t.throws(
    () => parseTsharkJson([packet(1, updateMessage({ 'bgp.update.nlri': { '10.0.0.0/8': 'x' } }))]),
    OracleShapeError,
  );
  t.throws(() => toInt('12a', 'x'), OracleShapeError);
  t.throws(() => canonicalAddress('10.0.0.256'), OracleShapeError);
  t.throws(() => canonicalAddress('fe80::g'), OracleShapeError);
});

t.test('addresses: one canonical text, and their octets', async (t) => {
  t.equal(canonicalAddress('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
  t.equal(canonicalAddress('::ffff:172.30.8.1'), canonicalAddress('::ffff:ac1e:801'));
  t.same([...addressBytes('172.30.8.1')], [172, 30, 8, 1]);
  t.same([...addressBytes('fe80::1')], [0xfe, 0x80, ...new Array<number>(13).fill(0), 1]);
  t.same([...addressBytes('::')], new Array<number>(16).fill(0));
});
