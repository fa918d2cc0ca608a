// What tshark 4.0 cannot show, checked by hand against the RFCs instead (tshark.test.ts compares everything it
// does show):
// - messages longer than 4096 octets (RFC 8654 Extended Message): tshark prints the header's length and nothing
//   else, so each such UPDATE is taken apart here octet by octet (RFC 4271 §4.3) and compared with the codec;
// - AS_PATHs whose ASN width tshark's heuristic could not guess (it then shows no segments): decoded here at the
//   width both OPENs negotiated (RFC 6793);
// - `large-table-extended-message`: the 10,000 prefixes of steps.txt, next hop self, the AS paths both daemons
//   must send;
// - `bgp-role`: the BGP Role capability value (RFC 9234 §4.1; tshark shows a raw octet), the OTC attribute
//   (RFC 9234 §5; tshark shows "Unknown (35)" without its value), and the Hard Reset NOTIFICATION whose data
//   carries the inner Cease (RFC 8538 §3; tshark shows raw octets).
import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { decodeCapture, type DecodedLine } from '../../lib/inspect/index.js';
import { attributeTypeCode, type BgpMessage, type UpdateMessage } from '../../lib/wire/index.js';
import { oracleFileFor, readTsharkOracle, type OracleMessage, type OracleOpen } from '../helpers/tshark-oracle.js';

const PCAP_DIR = new URL('../../fixtures/pcap/', import.meta.url);

interface Pair {
  readonly message: BgpMessage | undefined;
  readonly bytes: Uint8Array;
  readonly oracle: OracleMessage;
  /** Both OPENs of this message's session as tshark read them (sender's first), once both were seen. */
  readonly opens?: readonly [OracleOpen, OracleOpen];
}

/** Our messages paired with tshark's by frame and order in the frame (tshark.test.ts checks the pairing itself). */
function pairs(file: string): Pair[] {
  const path = new URL(file, PCAP_DIR).pathname;
  const oracleFile = oracleFileFor(path);
  if (!oracleFile) return [];
  const ours = new Map<number, DecodedLine[]>();
  for (const l of decodeCapture(readFileSync(path))) {
    if (l.json.event === undefined) ours.set(Number(l.json.frame), [...(ours.get(Number(l.json.frame)) ?? []), l]);
  }
  const opens = new Map<string, OracleOpen>();
  const out: Pair[] = [];
  for (const o of readTsharkOracle(oracleFile)) {
    const line = ours.get(o.frame)?.[o.index];
    if (!line?.bytes) continue;
    if (o.open) opens.set(`${o.src}>${o.dst}`, o.open);
    const mine = opens.get(`${o.src}>${o.dst}`);
    const peer = opens.get(`${o.dst}>${o.src}`);
    out.push({
      message: line.message,
      bytes: line.bytes,
      oracle: o,
      ...(mine && peer && { opens: [mine, peer] as const }),
    });
  }
  return out;
}

const hasCapability = (o: OracleOpen, code: number): boolean =>
  o.parameters.some((p) => p.capabilities.some((c) => c.code === code));
const fourOctetAs = (p: Pair): boolean | undefined =>
  p.opens && hasCapability(p.opens[0], 65) && hasCapability(p.opens[1], 65);

// ---------------------------------------------------------------------------------------------------------------
// An UPDATE taken apart by hand (RFC 4271 §4.3), IPv4 NLRI without path ids: all these captures need.

interface HandAttribute {
  flags: number;
  code: number;
  value: Uint8Array;
}

function ipv4Prefixes(b: Uint8Array, start: number, end: number): string[] {
  const out: string[] = [];
  for (let i = start; i < end;) {
    const length = b[i] ?? 0;
    const octets = Math.ceil(length / 8);
    const address = [0, 1, 2, 3].map((k) => (k < octets ? (b[i + 1 + k] ?? 0) : 0));
    out.push(`${address.join('.')}/${length}`);
    i += 1 + octets;
  }
  return out;
}

function handUpdate(b: Uint8Array): { withdrawn: string[]; attributes: HandAttribute[]; nlri: string[] } {
  const u16 = (i: number): number => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
  const withdrawnEnd = 21 + u16(19);
  const attributesEnd = withdrawnEnd + 2 + u16(withdrawnEnd);
  const attributes: HandAttribute[] = [];
  for (let i = withdrawnEnd + 2; i < attributesEnd;) {
    const flags = b[i] ?? 0;
    const extended = (flags & 0x10) !== 0; // Extended Length: a two-octet length
    const length = extended ? u16(i + 2) : (b[i + 2] ?? 0);
    const at = i + (extended ? 4 : 3);
    attributes.push({ flags, code: b[i + 1] ?? 0, value: b.subarray(at, at + length) });
    i = at + length;
  }
  return { withdrawn: ipv4Prefixes(b, 21, withdrawnEnd), attributes, nlri: ipv4Prefixes(b, attributesEnd, b.length) };
}

/** RFC 4271 §4.3 AS_PATH: segments of type, count and `width`-octet ASNs. */
function handAsPath(v: Uint8Array, width: number): { type: number; asns: number[] }[] {
  const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
  const out: { type: number; asns: number[] }[] = [];
  for (let i = 0; i + 2 <= v.length;) {
    const count = view.getUint8(i + 1);
    const asns = Array.from({ length: count }, (_, k) =>
      width === 4 ? view.getUint32(i + 2 + 4 * k) : view.getUint16(i + 2 + 2 * k),
    );
    out.push({ type: view.getUint8(i), asns });
    i += 2 + width * count;
  }
  return out;
}

const u32 = (v: Uint8Array): number => new DataView(v.buffer, v.byteOffset, v.byteLength).getUint32(0);
const dotted = (v: Uint8Array): string => [...v].join('.');
const segmentsOf = (u: UpdateMessage, kind: 'as-path'): { type: number; asns: number[] }[] | undefined => {
  const a = u.attributes.find((x) => x.kind === kind);
  return a?.kind === 'as-path' ? a.segments.map((s) => ({ type: s.type, asns: [...s.asns] })) : undefined;
};

// ---------------------------------------------------------------------------------------------------------------

const captures = readdirSync(PCAP_DIR)
  .filter((f) => /\.pcap(?:ng)?$/.test(f))
  .sort();

t.test('messages tshark leaves undissected are the RFC 8654 ones, and they match a decoding by hand', async (t) => {
  let checked = 0;
  for (const file of captures) {
    for (const p of pairs(file).filter((x) => x.oracle.type === undefined)) {
      const at = `${file} frame ${p.oracle.frame}`;
      t.ok(p.bytes.length > 4096 && p.bytes.length <= 65535, `${at}: ${p.bytes.length} octets, an Extended Message`);
      t.ok(
        p.bytes.subarray(0, 16).every((x) => x === 0xff),
        `${at}: marker`,
      );
      t.equal((p.bytes[16] ?? 0) * 256 + (p.bytes[17] ?? 0), p.bytes.length, `${at}: the header's length`);
      t.ok(
        p.opens?.every((o) => hasCapability(o, 6)),
        `${at}: both OPENs carry Extended Message (6)`,
      );
      const m = p.message;
      if (m?.type !== 2) {
        t.fail(`${at}: expected an UPDATE, got ${m?.type}`);
        continue;
      }
      const hand = handUpdate(p.bytes);
      t.same(
        m.withdrawn.map((x) => `${x.address}/${x.length}`),
        hand.withdrawn,
        `${at}: withdrawn routes`,
      );
      t.same(
        m.nlri.map((x) => `${x.address}/${x.length}`),
        hand.nlri,
        `${at}: ${hand.nlri.length} NLRI`,
      );
      t.same(
        m.attributes.map((a) => [attributeTypeCode(a), a.flags]),
        hand.attributes.map((a) => [a.code, a.flags]),
        `${at}: attributes`,
      );
      for (const h of hand.attributes) {
        const a = m.attributes.find((x) => attributeTypeCode(x) === h.code);
        if (a?.kind === 'origin') t.equal(a.origin, h.value[0], `${at}: ORIGIN`);
        if (a?.kind === 'next-hop') t.equal(a.nextHop, dotted(h.value), `${at}: NEXT_HOP`);
        if (a?.kind === 'as-path')
          t.same(segmentsOf(m, 'as-path'), handAsPath(h.value, fourOctetAs(p) ? 4 : 2), `${at}: AS_PATH`);
      }
      checked++;
    }
  }
  t.ok(
    checked > 0 || !captures.includes('large-table-extended-message.pcap'),
    `${checked} undissected messages checked`,
  );
});

t.test('AS_PATHs whose ASN width tshark could not guess, decoded by hand at the negotiated width', async (t) => {
  let checked = 0;
  for (const file of captures) {
    for (const p of pairs(file)) {
      const unread = p.oracle.update?.attributes.filter((a) => a.code === 2 && a.asPath === undefined) ?? [];
      if (unread.length === 0 || p.message?.type !== 2) continue;
      const width = fourOctetAs(p) === undefined ? undefined : fourOctetAs(p) ? 4 : 2;
      const hand = handUpdate(p.bytes).attributes.find((a) => a.code === 2);
      if (width === undefined || !hand) {
        t.fail(`${file} frame ${p.oracle.frame}: no OPENs to tell the ASN width`);
        continue;
      }
      t.same(segmentsOf(p.message, 'as-path'), handAsPath(hand.value, width), `${file} frame ${p.oracle.frame}`);
      checked++;
    }
  }
  t.comment(`${checked} AS_PATHs that tshark showed without segments`);
});

t.test(
  'large-table-extended-message: the 10,000 prefixes of steps.txt, next hop self, the expected AS paths',
  async (t) => {
    const all = pairs('large-table-extended-message.pcap');
    t.ok(all.length > 0, 'the capture and its oracle are there');
    // steps.txt: 10.128.0.0/24 … 10.167.15.0/24, i.e. 39 × 256 + 16 = 10,000 consecutive /24s.
    const table = Array.from({ length: 10_000 }, (_, i) => `10.${128 + (i >> 8)}.${i & 0xff}.0/24`);
    t.equal(table.at(-1), '10.167.15.0/24');
    // ExaBGP (AS 65111) originates; FRR (AS 65110) advertises them back with its own AS prepended (RFC 4271 §5.1.2).
    const paths: Record<number, number[]> = { 65111: [65111], 65110: [65110, 65111] };
    const bySender = new Map<string, Set<string>>();
    for (const p of all) {
      if (p.message?.type !== 2 || p.message.nlri.length === 0) continue;
      const sender = p.opens?.[0].parameters.flatMap((x) => x.capabilities).find((c) => c.code === 65)?.asn ?? -1;
      const at = `frame ${p.oracle.frame} from AS ${sender}`;
      const nextHop = p.message.attributes.find((a) => a.kind === 'next-hop');
      t.equal(
        nextHop?.kind === 'next-hop' && nextHop.nextHop,
        p.oracle.src.replace(/:\d+$/, ''),
        `${at}: next hop self`,
      );
      t.same(segmentsOf(p.message, 'as-path'), [{ type: 2, asns: paths[sender] }], `${at}: AS_PATH`);
      const set = bySender.get(p.oracle.src.replace(/:\d+$/, '')) ?? new Set<string>();
      p.message.nlri.forEach((x) => set.add(`${x.address}/${x.length}`));
      bySender.set(p.oracle.src.replace(/:\d+$/, ''), set);
    }
    t.same([...bySender.keys()].sort(), ['172.30.11.1', '172.30.11.2'], 'both speakers sent the table');
    for (const [sender, set] of bySender)
      t.same([...set].sort(), [...table].sort(), `${sender}: exactly the 10,000 prefixes`);
    t.ok(
      all.some((p) => p.bytes.length > 4096),
      'the table crossed in Extended Messages (over 4096 octets)',
    );
  },
);

t.test("bgp-role: Role capability values, OTC on the provider's routes only, Hard Reset data", async (t) => {
  const all = pairs('bgp-role.pcap');
  t.ok(all.length > 0, 'the capture and its oracle are there');
  // The configs (fixtures/pcap/bgp-role/*.conf): AS 64600 is `local-role provider`, AS 64601 `local-role customer`.
  const PROVIDER = 64600;
  const role: Record<number, number> = { 64600: 0, 64601: 3 }; // RFC 9234 §4.1: 0 Provider, 3 Customer
  let otc = 0;
  let hardResets = 0;
  for (const p of all) {
    const m = p.message;
    const at = `frame ${p.oracle.frame}`;
    if (m?.type === 1) {
      const r = m.capabilities.find((c) => c.kind === 'role');
      t.equal(r?.kind === 'role' && r.role, role[m.myAs], `${at}: AS ${m.myAs} sends role ${role[m.myAs]}`);
      const raw = p.oracle.open?.parameters.flatMap((x) => x.capabilities).find((c) => c.code === 9)?.raw;
      t.same([...(raw ?? [])], [role[m.myAs]], `${at}: tshark's raw octet agrees`);
    }
    if (m?.type === 2 && m.nlri.length > 0) {
      const sender = p.opens?.[0].myAs;
      const hand = handUpdate(p.bytes).attributes.find((a) => a.code === 35);
      const ours = m.attributes.find((a) => a.kind === 'otc');
      if (sender === PROVIDER) {
        // RFC 9234 §5: routes sent to a customer carry OTC = the local AS, optional transitive (0xc0), 4 octets.
        t.same(hand && [hand.flags, hand.value.length, u32(hand.value)], [0xc0, 4, PROVIDER], `${at}: OTC on the wire`);
        t.same(ours?.kind === 'otc' && [ours.flags, ours.asn], [0xc0, PROVIDER], `${at}: OTC decoded`);
        otc++;
      } else {
        t.equal(hand, undefined, `${at}: no OTC from the customer`);
        t.equal(ours, undefined, `${at}: none decoded`);
      }
    }
    if (m?.type === 3 && m.code === 6 && m.subcode === 9) {
      // RFC 8538 §3: the Data of a Hard Reset begins with the code and subcode of the NOTIFICATION it stands for.
      t.same(
        m.hardReset && [m.hardReset.code, m.hardReset.subcode],
        [m.data[0], m.data[1]],
        `${at}: Hard Reset inner Cease`,
      );
      t.same(
        [...(p.oracle.notification?.data ?? [])].slice(0, 2),
        [6, 2],
        `${at}: tshark's raw data is Cease / Administrative Shutdown`,
      );
      hardResets++;
    }
  }
  t.ok(otc > 0, `${otc} provider UPDATEs carry OTC`);
  t.ok(hardResets > 0, `${hardResets} Hard Reset NOTIFICATIONs`);
});
