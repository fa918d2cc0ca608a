// Export on the octets must give exactly the set export on objects gives (export.ts), for every kind of target
// and source the byte path takes: thousands of seeded random attribute sets — long AS_PATHs (Extended Length),
// AS_SETs, missing attributes, well-known communities, RFC 4456 attributes, unknown transitive attributes — are
// exported both ways by an outbound group and must intern to the same set (same octets). The cases the byte path
// declines (MP_REACH_NLRI, confederation segments) are checked to fall back.
import t from 'tap';
import { createContext, parsePrefix, type AsPathSegment, type PathAttribute } from '../../lib/wire/index.js';
import { AttrStore, SetFlag } from '../../lib/rib/attr-store.js';
import { ipv4Number, normaliseAttributes } from '../../lib/rib/attr-set.js';
import { exportBase, exportFinal, type ExportSource, type ExportTarget } from '../../lib/rib/export.js';
import { rewriteAttributes } from '../../lib/rib/export-bytes.js';
import { OutboundGroup } from '../../lib/rib/outbound-group.js';
import { PrefixIndex } from '../../lib/rib/prefix-index.js';
import { prefixKey } from '../../lib/rib/prefix-key.js';

const ctx4 = createContext({ fourOctetAs: true });
const speaker = { localAsn: 65000, clusterId: '10.0.0.9' };

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function randomSet(rand: () => number): PathAttribute[] {
  const int = (n: number): number => Math.floor(rand() * n);
  const asn = (): number => (rand() < 0.3 ? 70000 + int(4e9) : 1 + int(65000));
  const attrs: PathAttribute[] = [];
  if (rand() < 0.95) attrs.push({ kind: 'origin', origin: int(3) });
  if (rand() < 0.95) {
    const segments: AsPathSegment[] = [];
    const count = int(3);
    for (let s = 0; s < count; s++) {
      // Long sequences need Extended Length once prepended; a full one (255) makes the prepend open a new segment.
      const length = rand() < 0.1 ? (rand() < 0.5 ? 255 : 62 + int(5)) : 1 + int(5);
      segments.push({ type: rand() < 0.2 ? 1 : 2, asns: Array.from({ length }, asn) });
    }
    attrs.push({ kind: 'as-path', segments });
  }
  if (rand() < 0.9) attrs.push({ kind: 'next-hop', nextHop: `192.0.2.${1 + int(200)}` });
  if (rand() < 0.4) attrs.push({ kind: 'multi-exit-disc', med: int(1000) });
  if (rand() < 0.3) attrs.push({ kind: 'local-pref', localPref: int(500) });
  if (rand() < 0.1) attrs.push({ kind: 'atomic-aggregate' });
  if (rand() < 0.1) attrs.push({ kind: 'aggregator', asn: asn(), address: '198.51.100.1' });
  if (rand() < 0.4) {
    const communities = Array.from({ length: 1 + int(4) }, () => int(2 ** 32));
    if (rand() < 0.15) communities.push([0xffffff01, 0xffffff02, 0xffffff03][int(3)] as number);
    attrs.push({ kind: 'communities', communities });
  }
  if (rand() < 0.2) attrs.push({ kind: 'originator-id', originatorId: `7.7.7.${int(250)}` });
  if (rand() < 0.2) attrs.push({ kind: 'cluster-list', clusterList: Array.from({ length: 1 + int(3) }, () => `8.8.8.${int(250)}`) });
  if (rand() < 0.1) attrs.push({ kind: 'large-community', communities: [[65000, int(100), int(100)]] });
  if (rand() < 0.1) attrs.push({ kind: 'unknown', typeCode: 99, flags: 0xc0, value: Uint8Array.of(int(256), int(256)) });
  return attrs;
}

interface Case {
  readonly name: string;
  readonly target: ExportTarget;
  readonly sources: readonly (ExportSource | null)[];
}

const ebgpSource: ExportSource = { ibgp: false, rrClient: false, routerId: '1.1.1.1', routerIdNumber: ipv4Number('1.1.1.1') };
const clientSource: ExportSource = { ibgp: true, rrClient: true, routerId: '3.3.3.3', routerIdNumber: ipv4Number('3.3.3.3') };
const internalSource: ExportSource = { ibgp: true, rrClient: false, routerId: '4.4.4.4', routerIdNumber: ipv4Number('4.4.4.4') };
const target = (ibgp: boolean, rrClient: boolean, nextHopSelf: boolean, localAddress4?: string): ExportTarget => ({
  ibgp,
  rrClient,
  nextHopSelf,
  localAddress4,
  localAddress6: undefined,
});
const cases: Case[] = [
  { name: 'eBGP', target: target(false, false, false, '192.0.2.100'), sources: [null, ebgpSource, clientSource, internalSource] },
  { name: 'eBGP without an IPv4 address of ours', target: target(false, false, false), sources: [null, ebgpSource] },
  { name: 'iBGP route-reflector client', target: target(true, true, false, '10.0.0.1'), sources: [null, ebgpSource, clientSource, internalSource] },
  { name: 'iBGP non-client', target: target(true, false, false, '10.0.0.1'), sources: [null, ebgpSource, clientSource] },
  { name: 'iBGP next-hop-self', target: target(true, true, true, '10.0.0.1'), sources: [null, ebgpSource, clientSource] },
];

for (const c of cases) {
  t.test(`byte path = object path: ${c.name}`, async (t) => {
    const rand = prng(c.name.length * 7919);
    const store = new AttrStore({ localAsn: 65000, routerId: ipv4Number('10.0.0.1'), clusterId: ipv4Number('10.0.0.9') });
    const prefixes = new PrefixIndex();
    const p = prefixes.add(prefixKey(parsePrefix('203.0.113.0/24')) as number);
    const group = new OutboundGroup('g', c.target, ctx4, undefined, { id: 'x', address: '192.0.2.2', asn: 65002 }, speaker, store, prefixes);
    let compared = 0;
    let mismatches = 0;
    let advertised = 0;
    for (let i = 0; i < 1500; i++) {
      const set = store.intern(randomSet(rand));
      store.retain(set);
      c.sources.forEach((source, slot) => {
        const viaGroup = group.exportRoute(p, slot + 1, source, set);
        const base = exportBase(store.attributes(set), store.flags[set] as number, source, c.target, speaker);
        const final = base === null ? null : exportFinal(base, base, 1, c.target, speaker);
        const expected = final === null ? 0 : store.intern(final);
        compared++;
        if (viaGroup !== expected) {
          mismatches++;
          if (mismatches <= 3) t.comment(JSON.stringify({ set: normaliseAttributes(store.attributes(set)), source }, (_, v) => (v instanceof Uint8Array ? [...v] : v)));
        }
        if (viaGroup !== 0) advertised++;
      });
    }
    t.equal(mismatches, 0, `${compared} exports agree`);
    if (advertised > 0) t.ok(group.octetExports > advertised / 2, `${group.octetExports} of them on the octets`);
    t.ok(c.target.localAddress4 === undefined && !c.target.ibgp ? advertised === 0 : advertised > compared / 2, `${advertised} advertised`);
  });
}

t.test('the byte path declines what it does not handle', async (t) => {
  const store = new AttrStore({ localAsn: 65000, routerId: 1, clusterId: 1 });
  const out = new Uint8Array(1024);
  const plan = { drop: 0, prependAs: 65000, nextHop: 0xc0000264, localPref: -1, originatorId: -1, clusterId: -1 };
  const octets = (attrs: PathAttribute[]): [Uint8Array, number, number] => {
    const id = store.intern(attrs);
    return [store.page(id), store.start(id), store.start(id) + (store.len[id] as number)];
  };
  const mp: PathAttribute[] = [
    { kind: 'origin', origin: 0 },
    { kind: 'as-path', segments: [{ type: 2, asns: [65001] }] },
    { kind: 'mp-reach-nlri', afi: 2, safi: 1, nextHop: ['2001:db8::1'], nlri: [] },
  ];
  t.equal(rewriteAttributes(...octets(mp), plan, out), -1, 'MP_REACH_NLRI');
  const confed: PathAttribute[] = [{ kind: 'origin', origin: 0 }, { kind: 'as-path', segments: [{ type: 3, asns: [64512] }, { type: 2, asns: [65001] }] }];
  t.equal(rewriteAttributes(...octets(confed), plan, out), -1, 'confederation segments');
  t.equal(rewriteAttributes(...octets([{ kind: 'origin', origin: 0 }]), plan, out), -1, 'no AS_PATH to prepend to');
  t.equal(rewriteAttributes(...octets([{ kind: 'origin', origin: 0 }, { kind: 'as-path', segments: [] }]), { ...plan, nextHop: -1 }, out), -1, 'no NEXT_HOP to keep');
  t.ok(rewriteAttributes(...octets([{ kind: 'origin', origin: 0 }, { kind: 'as-path', segments: [] }]), plan, out) > 0, 'an empty AS_PATH is prepended to');
  t.equal(rewriteAttributes(...octets(confed.slice(0, 1).concat([{ kind: 'as-path', segments: [{ type: 2, asns: [1] }] }])), plan, new Uint8Array(8)), -1, 'no room');
  t.ok((store.flags[store.intern(mp)] as number) & SetFlag.MpReach);
});
