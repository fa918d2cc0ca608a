// Every UPDATE of every capture in fixtures/pcap/ (FRR, BIRD, GoBGP, OpenBGPD, ExaBGP talking to each other):
// decoded under the context its session negotiated, it must be clean and re-encode byte for byte, and what it says
// must agree with tshark's dissection stored beside the capture (the oracle: prefixes, attribute order and flags,
// and the values tshark shows).
import t, { type Test } from 'tap';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { readBgpCapture } from '../../lib/capture/index.js';
import { decodeOpen } from '../../lib/wire/open.js';
import { familyKey } from '../../lib/wire/constants.js';
import { announcedPrefixes, decodeUpdate, encodeUpdate, withdrawnPrefixes } from '../../lib/wire/update.js';
import { encodeAttribute } from '../../lib/wire/attributes.js';
import type { CodecContext, OpenMessage, PathAttribute, Prefix, UpdateMessage } from '../../lib/wire/types.js';

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'pcap');
/** The tshark dissection beside a capture, plain or gzipped, if there is one. */
function oracleFile(capture: string): string | undefined {
  const base = join(dir, capture.replace(/\.pcap$/, '.tshark.json'));
  return [base, `${base}.gz`].find((f) => existsSync(f));
}
const captures = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.pcap') && oracleFile(f) !== undefined) : [];

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Every value of `key` anywhere under `o`, arrays flattened, in document order. */
function collect(o: Json | undefined, key: string, out: string[] = []): string[] {
  if (Array.isArray(o)) for (const v of o) collect(v, key, out);
  else if (o !== null && typeof o === 'object') {
    for (const [k, v] of Object.entries(o)) {
      if (k === key) {
        if (Array.isArray(v)) for (const x of v) out.push(String(x));
        else if (typeof v !== 'object' || v === null) out.push(String(v));
        else collect(v, key, out);
      } else {
        collect(v, key, out);
      }
    }
  }
  return out;
}

/** The CIDR keys under the containers named: tshark names each prefix node by its text (`10.0.0.0/24 PathId 2 `). */
function cidrs(o: Json | undefined, containers: string[]): string[] {
  const out: string[] = [];
  const walk = (x: Json | undefined, inside: boolean): void => {
    if (Array.isArray(x)) for (const v of x) walk(v, inside);
    else if (x !== null && typeof x === 'object') {
      for (const [k, v] of Object.entries(x)) {
        const m = inside ? /^([0-9a-fA-F:.]+\/\d+)(?: PathId (\d+) ?)?$/.exec(k) : null;
        if (m) out.push(m[2] === undefined ? (m[1] as string) : `${m[1]}#${m[2]}`);
        walk(v, inside || containers.includes(k));
      }
    }
  };
  walk(o, false);
  return out.sort();
}

/** tshark's UPDATE messages, by frame number, in order. */
function tsharkUpdates(file: string): Map<number, Json[]> {
  const raw = readFileSync(file);
  const frames = JSON.parse((file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8')) as { _source: { layers: Record<string, Json> } }[];
  const byFrame = new Map<number, Json[]>();
  for (const f of frames) {
    const layers = f._source.layers;
    const number = Number((layers['frame'] as Record<string, Json> | undefined)?.['frame.number']);
    const bgp = layers['bgp'];
    for (const m of Array.isArray(bgp) ? bgp : bgp === undefined ? [] : [bgp]) {
      if ((m as Record<string, Json>)['bgp.type'] === '2') byFrame.set(number, [...(byFrame.get(number) ?? []), m]);
    }
  }
  return byFrame;
}

function hasCap<K extends OpenMessage['capabilities'][number]['kind']>(o: OpenMessage | undefined, kind: K): boolean {
  return o?.capabilities.some((c) => c.kind === kind) ?? false;
}

/** The context of the direction `from` → `to` (RFC 6793, RFC 7911 §4, RFC 8654). */
function contextFor(from: OpenMessage | undefined, to: OpenMessage | undefined): CodecContext {
  const addPath = new Set<number>();
  const modes = (o: OpenMessage | undefined): Map<number, number> => {
    const m = new Map<number, number>();
    for (const c of o?.capabilities ?? []) if (c.kind === 'add-path') for (const f of c.families) m.set(familyKey(f.afi, f.safi), f.mode);
    return m;
  };
  const send = modes(from);
  const receive = modes(to);
  for (const [key, mode] of send) if (mode & 2 && (receive.get(key) ?? 0) & 1) addPath.add(key);
  return {
    fourOctetAs: hasCap(from, 'four-octet-as') && hasCap(to, 'four-octet-as'),
    addPath,
    extendedMessage: hasCap(from, 'extended-message') && hasCap(to, 'extended-message'),
  };
}

function asns(a: PathAttribute): string[] {
  return a.kind === 'as-path' || a.kind === 'as4-path' ? a.segments.flatMap((s) => s.asns.map(String)) : [];
}

/** Compares one decoded attribute with tshark's node for it. */
function compareAttribute(t: Test, a: PathAttribute, node: Json, ctx: CodecContext, where: string): void {
  const field = (k: string): string[] => collect(node, `bgp.update.path_attribute.${k}`);
  const wireLength = encodeAttribute(a, ctx).length - ((a.flags ?? 0) & 0x10 ? 4 : 3);
  t.equal(field('length')[0], String(wireLength), `${where}: length`);
  switch (a.kind) {
    case 'origin':
      t.same(field('origin'), [String(a.origin)], `${where}: ORIGIN`);
      break;
    case 'as-path': {
      const theirs = [...field('as_path_segment.as4'), ...field('as_path_segment.as2')];
      // tshark guesses the ASN size from the octets alone; when it cannot, it says so and shows no ASNs.
      if (theirs.length === 0 && collect(node, 'bgp.attr.as_path.as_len').length > 0) t.pass(`${where}: AS_PATH (tshark could not size the ASNs)`);
      else t.same(theirs, asns(a), `${where}: AS_PATH`);
      break;
    }
    case 'next-hop':
      t.same(field('next_hop'), [a.nextHop], `${where}: NEXT_HOP`);
      break;
    case 'multi-exit-disc':
      t.same(field('multi_exit_disc'), [String(a.med)], `${where}: MED`);
      break;
    case 'local-pref':
      t.same(field('local_pref'), [String(a.localPref)], `${where}: LOCAL_PREF`);
      break;
    case 'communities': {
      const as = field('community_as');
      const values = field('community_value');
      const theirs = as.map((x, i) => Number(x) * 65536 + Number(values[i])).concat(field('community_wellknown').map((x) => Number(x)));
      t.same(theirs.sort((x, y) => x - y), [...a.communities].sort((x, y) => x - y), `${where}: COMMUNITIES`);
      break;
    }
    case 'originator-id':
      t.same(collect(node, 'bgp.update.path_attribute.originator_id'), [a.originatorId], `${where}: ORIGINATOR_ID`);
      break;
    case 'cluster-list':
      t.same(collect(node, 'bgp.path_attribute.cluster_id'), a.clusterList, `${where}: CLUSTER_LIST`);
      break;
    case 'mp-reach-nlri': {
      const hops = [...field('mp_reach_nlri.next_hop.ipv6'), ...field('mp_reach_nlri.next_hop.ipv6.link_local'), ...field('mp_reach_nlri.next_hop.ipv4')];
      if (hops.length > 0) t.same(hops, a.nextHop, `${where}: MP_REACH_NLRI next hops`);
      t.same(field('mp_reach_nlri.afi').concat(field('mp_reach_nlri.safi')), [String(a.afi), String(a.safi)], `${where}: MP_REACH_NLRI family`);
      break;
    }
    case 'mp-unreach-nlri':
      t.same(field('mp_unreach_nlri.afi').concat(field('mp_unreach_nlri.safi')), [String(a.afi), String(a.safi)], `${where}: MP_UNREACH_NLRI family`);
      break;
    default:
      break;
  }
}

t.test('captures are present', async (t) => {
  if (captures.length === 0) t.plan(0, 'no fixtures/pcap/*.pcap with a .tshark.json(.gz) beside it');
  else t.pass(`${captures.length} captures: ${captures.join(', ')}`);
});

let totalUpdates = 0;
for (const name of captures) {
  t.test(name, async (t) => {
    const oracle = tsharkUpdates(oracleFile(name) as string);
    const opens = new Map<string, OpenMessage>();
    let updates = 0;
    let compared = 0;
    for (const ev of readBgpCapture(readFileSync(join(dir, name)))) {
      if (ev.kind !== 'message') continue;
      const type = ev.bytes[18];
      if (type === 1) opens.set(ev.stream, decodeOpen(ev.bytes.subarray(19)));
      if (type !== 2) continue;
      updates++;
      const where = `frame ${ev.frame} ${ev.stream}`;
      const ctx = contextFor(opens.get(ev.stream), opens.get(`${ev.dst}>${ev.src}`));
      const body = ev.bytes.subarray(19);
      let msg: UpdateMessage;
      try {
        msg = decodeUpdate(body, ctx);
      } catch (e) {
        t.fail(`${where}: ${String(e)}`, { body: toHex(body) });
        continue;
      }
      t.equal(msg.issues, undefined, `${where}: clean`);
      t.equal(toHex(encodeUpdate(msg, ctx)), toHex(body), `${where}: byte-exact`);

      const theirs = oracle.get(ev.frame)?.shift();
      if (theirs === undefined) continue; // tshark 4.0 does not dissect messages over 4096 octets
      compared++;
      const mine = (ps: Prefix[]): string[] =>
        ps.map((p) => `${p.address}/${p.length}${p.pathId === undefined ? '' : `#${p.pathId}`}`).sort();
      // Families kept opaque (FlowSpec, VPN, EVPN …) carry no Prefix values; tshark shows their contents, so only the
      // classic fields are compared for those UPDATEs.
      const opaque = msg.attributes.some(
        (a) => (a.kind === 'mp-reach-nlri' && a.nlriBytes !== undefined) || (a.kind === 'mp-unreach-nlri' && a.withdrawnBytes !== undefined),
      );
      const mp = (k: string): string[] => (opaque ? [] : [`bgp.update.path_attribute.${k}`]);
      t.same(mine(opaque ? [...msg.nlri] : announcedPrefixes(msg)), cidrs(theirs, ['bgp.update.nlri', ...mp('mp_reach_nlri')]), `${where}: announced`);
      t.same(
        mine(opaque ? [...msg.withdrawn] : withdrawnPrefixes(msg)),
        cidrs(theirs, ['bgp.update.withdrawn_routes', ...mp('mp_unreach_nlri')]),
        `${where}: withdrawn`,
      );
      const nodes = ((): Json[] => {
        const pa = (theirs as Record<string, Json>)['bgp.update.path_attributes'] as Record<string, Json> | undefined;
        const list = pa?.['bgp.update.path_attribute'];
        return Array.isArray(list) ? list : list === undefined ? [] : [list];
      })();
      t.same(
        nodes.map((n) => [Number(collect(n, 'bgp.update.path_attribute.type_code')[0]), Number(collect(n, 'bgp.update.path_attribute.flags')[0])]),
        msg.attributes.map((a) => [a.kind === 'unknown' || a.kind === 'malformed' ? a.typeCode : Number(encodeAttribute(a, ctx)[1]), a.flags]),
        `${where}: attribute types and flags in order`,
      );
      msg.attributes.forEach((a, i) => {
        const node = nodes[i];
        if (node !== undefined) compareAttribute(t, a, node, ctx, `${where} attribute ${i}`);
      });
    }
    t.pass(`${updates} UPDATEs, ${compared} compared with tshark`);
    totalUpdates += updates;
  });
}

t.test('the captures hold UPDATEs at all', async (t) => {
  if (captures.length === 0) t.plan(0, 'no captures');
  else t.ok(totalUpdates > 0, `${totalUpdates} UPDATEs decoded`);
});
