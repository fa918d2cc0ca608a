/**
 * tshark's BGP dissection as a conformance oracle: reads the JSON that `tshark -r F -Y bgp -T json
 * --no-duplicate-keys` (tshark 4.0) writes and turns it into one normalised record per BGP message, with numbers as
 * numbers, addresses in one canonical text form and the RFC's structure (RFC 4271 §4 messages, RFC 5492
 * capabilities, RFC 4760 MP_REACH/MP_UNREACH, RFC 7911 path identifiers, RFC 1997 / 4360 / 8092 communities).
 *
 * tshark's JSON is shaped by its display tree, not by the protocol, and this parser absorbs that:
 * - a field that occurs once is a plain value, several times an array (`--no-duplicate-keys` merges repeats);
 * - several BGP messages in one frame are an array under `bgp`, and a message reassembled from several segments
 *   sits under the frame that completed it;
 * - NLRI are keys of an object (`"10.8.0.0/32": {...}`, `"10.70.0.0/24 PathId 4 ": {...}`); two identical keys are
 *   merged into one array, which loses their position (the list is then marked unordered);
 * - COMMUNITIES puts well-known values under a separate key, so their order against the others is lost too.
 * Nothing here uses the codec under test: an oracle must not share the bugs it is meant to find.
 * What tshark does not show stays absent (undefined), so a comparison can only ever check what tshark did decode.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export type TsharkJson = string | number | boolean | null | TsharkJson[] | { [key: string]: TsharkJson };
type JsonObject = { [key: string]: TsharkJson };

/** A shape this parser does not understand: the oracle file changed, or tshark did. */
export class OracleShapeError extends Error {
  override readonly name = 'OracleShapeError';
}

export interface OraclePrefixList {
  /** `address/length`, with `#pathId` appended when tshark shows an RFC 7911 Path Identifier. */
  readonly prefixes: readonly string[];
  /** False when tshark merged two identical NLRI keys, so that the wire order is no longer known. */
  readonly ordered: boolean;
}

export interface OracleCapability {
  readonly code: number;
  readonly length: number;
  readonly afi?: number;
  readonly safi?: number;
  /** RFC 4760 §8: the octet between AFI and SAFI of the Multiprotocol capability. */
  readonly reserved?: number;
  readonly asn?: number;
  readonly addPath?: readonly { afi: number; safi: number; mode: number }[];
  readonly extendedNextHop?: readonly { afi: number; safi: number; nextHopAfi: number }[];
  /** RFC 4724: only the R (8) and N (4) bits, the two tshark 4.0 names. */
  readonly restartFlags?: number;
  readonly restartTime?: number;
  readonly gracefulRestart?: readonly { afi: number; safi: number; flags: number }[];
  readonly hostname?: string;
  readonly domainName?: string;
  /** The value as raw bytes, where tshark does not decode the capability (`bgp.cap.unknown`). */
  readonly raw?: Uint8Array;
}

export interface OracleOpen {
  readonly version: number;
  readonly myAs: number;
  readonly holdTime: number;
  readonly identifier: string;
  readonly parameters: readonly { type: number; capabilities: readonly OracleCapability[] }[];
}

export interface OracleAsSegment {
  readonly type: number;
  /** Octets per ASN as tshark read them (`as_path_segment.as2` or `.as4`). */
  readonly width: 2 | 4;
  readonly asns: readonly number[];
}

/** One RFC 4360 community: type, sub-type and the value fields tshark named (offsets are the test's business). */
export interface OracleExtCommunity {
  readonly type: number;
  readonly subtype?: number;
  readonly fields: Readonly<Record<string, number | string>>;
}

export interface OracleMpReach {
  readonly afi: number;
  readonly safi: number;
  /** The next hop octets (tshark shows them after their length octet, which is checked and dropped). */
  readonly nextHopBytes?: Uint8Array;
  /** The next hop(s) tshark decoded (global, then link-local), canonical text; absent when it decoded none. */
  readonly nextHops?: readonly string[];
  readonly nlri: OraclePrefixList;
  /** RFC 8955 NLRI, each with its length octet(s), as tshark shows them (`bgp.flowspec_nlri`). */
  readonly flowspec: readonly Uint8Array[];
  /** The octet after the next hop: Number of SNPAs in RFC 2858, Reserved in RFC 4760. */
  readonly reserved?: number;
}

export interface OracleMpUnreach {
  readonly afi: number;
  readonly safi: number;
  readonly withdrawn: OraclePrefixList;
  readonly flowspec: readonly Uint8Array[];
}

export interface OracleAttribute {
  readonly code: number;
  readonly flags: number;
  readonly length: number;
  readonly origin?: number;
  /** AS_PATH / AS4_PATH; absent when tshark could not tell the ASN width ("uncalculated by heuristic"). */
  readonly asPath?: readonly OracleAsSegment[];
  readonly nextHop?: string;
  readonly med?: number;
  readonly localPref?: number;
  readonly aggregator?: { readonly asn: number; readonly address: string };
  /** RFC 1997 values, sorted: tshark separates well-known ones, losing their position. */
  readonly communities?: readonly number[];
  readonly originatorId?: string;
  readonly clusterList?: readonly string[];
  readonly mpReach?: OracleMpReach;
  readonly mpUnreach?: OracleMpUnreach;
  readonly extCommunities?: readonly OracleExtCommunity[];
  readonly largeCommunities?: readonly (readonly [number, number, number])[];
}

export interface OracleUpdate {
  readonly withdrawn: OraclePrefixList;
  readonly attributes: readonly OracleAttribute[];
  readonly nlri: OraclePrefixList;
}

export interface OracleNotification {
  readonly code: number;
  readonly subcode?: number;
  readonly data?: Uint8Array;
  /** RFC 9003 shutdown communication. */
  readonly communication?: string;
  /** OPEN error 2/2: the peer AS tshark read from the data. */
  readonly badPeerAs?: number;
}

export interface OracleMessage {
  readonly frame: number;
  /** Position among the BGP messages tshark shows under this frame. */
  readonly index: number;
  /** `address:port` (`[address]:port` for IPv6), canonical address text. */
  readonly src: string;
  readonly dst: string;
  readonly length: number;
  /** Absent when tshark did not dissect the message (tshark 4.0: longer than 4096 octets, RFC 8654). */
  readonly type?: number;
  /** tshark flagged the message as malformed somewhere in its tree. */
  readonly malformed: boolean;
  readonly open?: OracleOpen;
  readonly update?: OracleUpdate;
  readonly notification?: OracleNotification;
  readonly routeRefresh?: { readonly afi: number; readonly safi: number; readonly subtype: number };
  /** The frame's `tcp.reassembled.data`, when tshark reassembled segments for it. */
  readonly reassembled?: Uint8Array;
  /** Fields tshark showed that this parser does not interpret (so a report can name what was not compared). */
  readonly unrecognised: readonly string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Primitive readers. Every one of them checks the shape and throws OracleShapeError rather than guess.

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function isObject(v: TsharkJson | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A field that may occur once (a value) or several times (an array), as a list. */
function listOf(v: TsharkJson | undefined): TsharkJson[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function objects(v: TsharkJson | undefined, where: string): JsonObject[] {
  return listOf(v).map((o) => {
    if (!isObject(o)) throw new OracleShapeError(`${where}: expected an object, got ${JSON.stringify(o)}`);
    return o;
  });
}

function text(o: JsonObject, key: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new OracleShapeError(`${key}: expected one string, got ${JSON.stringify(v)}`);
  return v;
}

/** tshark prints integers in decimal or as `0x…`. */
export function toInt(s: string, where: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  if (/^0x[0-9a-f]+$/i.test(s)) return Number.parseInt(s.slice(2), 16);
  throw new OracleShapeError(`${where}: not an integer: ${JSON.stringify(s)}`);
}

function int(o: JsonObject, key: string): number | undefined {
  const s = text(o, key);
  return s === undefined ? undefined : toInt(s, key);
}

function intOf(o: JsonObject, key: string): number {
  const n = int(o, key);
  if (n === undefined) throw new OracleShapeError(`missing ${key}`);
  return n;
}

function ints(o: JsonObject, key: string): number[] {
  return listOf(o[key]).map((v) => {
    if (typeof v !== 'string') throw new OracleShapeError(`${key}: expected strings, got ${JSON.stringify(v)}`);
    return toInt(v, key);
  });
}

/** tshark's byte fields: `ff:00:1a`, or `""` for none. */
function hexBytes(s: string, where: string): Uint8Array {
  const h = s.replace(/:/g, '');
  if (!/^(?:[0-9a-f]{2})*$/i.test(h)) throw new OracleShapeError(`${where}: not hex bytes: ${JSON.stringify(s)}`);
  return Uint8Array.from(h.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
}

/**
 * One text form per address, so that `::ffff:172.30.8.1` and `::ffff:ac1e:801` compare equal: IPv4 as a dotted
 * quad, IPv6 as the WHATWG URL serialiser writes it (RFC 5952 compression, lowercase).
 */
export function canonicalAddress(address: string): string {
  if (!address.includes(':')) {
    const parts = address.split('.');
    if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) {
      throw new OracleShapeError(`not an IPv4 address: ${JSON.stringify(address)}`);
    }
    return parts.map(Number).join('.');
  }
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    throw new OracleShapeError(`not an IPv6 address: ${JSON.stringify(address)}`);
  }
}

export function canonicalPrefix(address: string, length: number, pathId?: number): string {
  return `${canonicalAddress(address)}/${length}${pathId === undefined ? '' : `#${pathId}`}`;
}

// ---------------------------------------------------------------------------------------------------------------
// NLRI: objects keyed by prefix text.

const PREFIX_KEY = /^[0-9a-f.:]+\/\d+(?: PathId \d+ ?)?$/i;
const PREFIX_ADDRESS_KEYS = [
  'bgp.nlri_prefix',
  'bgp.withdrawn_prefix',
  'bgp.mp_reach_nlri_ipv4_prefix',
  'bgp.mp_reach_nlri_ipv6_prefix',
  'bgp.mp_unreach_nlri_ipv4_prefix',
  'bgp.mp_unreach_nlri_ipv6_prefix',
];

/** The prefixes among an object's keys; other keys are left to the caller (returned in `rest`). */
function prefixList(o: JsonObject | undefined): { list: OraclePrefixList; rest: string[] } {
  const prefixes: string[] = [];
  const rest: string[] = [];
  let ordered = true;
  for (const [key, value] of Object.entries(o ?? {})) {
    if (!PREFIX_KEY.test(key)) {
      rest.push(key);
      continue;
    }
    if (Array.isArray(value)) ordered = false; // identical keys merged: their wire positions are gone
    for (const p of objects(value, key)) {
      const addressKey = PREFIX_ADDRESS_KEYS.find((k) => p[k] !== undefined);
      if (addressKey === undefined) throw new OracleShapeError(`${key}: no prefix address field`);
      prefixes.push(
        canonicalPrefix(text(p, addressKey) ?? '', intOf(p, 'bgp.prefix_length'), int(p, 'bgp.nlri_path_id')),
      );
    }
  }
  return { list: { prefixes, ordered }, rest };
}

// ---------------------------------------------------------------------------------------------------------------
// OPEN (RFC 4271 §4.2, RFC 5492).

/** tshark's parallel per-family lists (`…afi`, `…safi`, `…flag`) as one record per family. */
function families<K extends string>(c: JsonObject, keys: Record<K, string>): Record<K, number>[] {
  const columns = Object.entries<string>(keys).map(([name, key]) => [name, ints(c, key)] as const);
  const n = columns[0]?.[1].length ?? 0;
  if (columns.some(([, v]) => v.length !== n))
    throw new OracleShapeError(`uneven lists: ${Object.values(keys).join(', ')}`);
  return Array.from(
    { length: n },
    (_, i) => Object.fromEntries(columns.map(([name, v]) => [name, v[i]])) as Record<K, number>,
  );
}

const CAPABILITY_KEYS = /^bgp\.cap\.(?:type|length|length_tree|reserved|unknown|mp\.|4as$|ap\.|enh\.|gr\.|orf\.fqdn\.)/;

function capability(c: JsonObject, unrecognised: string[]): OracleCapability {
  const code = intOf(c, 'bgp.cap.type');
  const out: Mutable<OracleCapability> = { code, length: intOf(c, 'bgp.cap.length') };
  const unknown = text(c, 'bgp.cap.unknown');
  if (unknown !== undefined) out.raw = hexBytes(unknown, 'bgp.cap.unknown');
  if (c['bgp.cap.mp.afi'] !== undefined) {
    Object.assign(out, { afi: intOf(c, 'bgp.cap.mp.afi'), safi: intOf(c, 'bgp.cap.mp.safi') });
    const reserved = text(c, 'bgp.cap.reserved');
    if (reserved !== undefined) out.reserved = hexBytes(reserved, 'bgp.cap.reserved')[0] ?? 0;
  }
  const asn = int(c, 'bgp.cap.4as');
  if (asn !== undefined) out.asn = asn;
  if (c['bgp.cap.ap.afi'] !== undefined) {
    out.addPath = families(c, { afi: 'bgp.cap.ap.afi', safi: 'bgp.cap.ap.safi', mode: 'bgp.cap.ap.sendreceive' });
  }
  if (c['bgp.cap.enh.afi'] !== undefined) {
    out.extendedNextHop = families(c, {
      afi: 'bgp.cap.enh.afi',
      safi: 'bgp.cap.enh.safi',
      nextHopAfi: 'bgp.cap.enh.nhafi',
    });
  }
  const timers = c['bgp.cap.gr.timers_tree'];
  if (isObject(timers)) {
    const bit = (name: string): number => intOf(timers, `bgp.cap.gr.timers.${name}`);
    out.restartFlags = 8 * bit('restart_flag') + 4 * bit('notification_flag');
    out.restartTime = bit('restart_time');
    out.gracefulRestart = families(c, { afi: 'bgp.cap.gr.afi', safi: 'bgp.cap.gr.safi', flags: 'bgp.cap.gr.flag' });
  }
  const hostname = text(c, 'bgp.cap.orf.fqdn.hostname');
  if (hostname !== undefined)
    Object.assign(out, { hostname, domainName: text(c, 'bgp.cap.orf.fqdn.domain_name') ?? '' });
  unrecognised.push(
    ...Object.keys(c)
      .filter((k) => !CAPABILITY_KEYS.test(k))
      .map((k) => `capability ${code}: ${k}`),
  );
  return out;
}

function open(m: JsonObject, unrecognised: string[]): OracleOpen {
  const opt = m['bgp.open.opt'];
  const parameters = (isObject(opt) ? objects(opt['bgp.open.opt.param'], 'bgp.open.opt.param') : []).map((p) => ({
    type: intOf(p, 'bgp.open.opt.param.type'),
    capabilities: objects(p['bgp.cap'], 'bgp.cap').map((c) => capability(c, unrecognised)),
  }));
  return {
    version: intOf(m, 'bgp.open.version'),
    myAs: intOf(m, 'bgp.open.myas'),
    holdTime: intOf(m, 'bgp.open.holdtime'),
    identifier: canonicalAddress(text(m, 'bgp.open.identifier') ?? ''),
    parameters,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// UPDATE path attributes (RFC 4271 §5, RFC 4760, RFC 6793, RFC 4456, RFC 1997, RFC 4360, RFC 8092).

const A = 'bgp.update.path_attribute.';

function asSegments(a: JsonObject): OracleAsSegment[] | undefined {
  const segments = objects(a[`${A}as_path_segment`], 'as_path_segment').map((s): OracleAsSegment => {
    const width = s[`${A}as_path_segment.as2`] !== undefined ? 2 : 4;
    return { type: intOf(s, `${A}as_path_segment.type`), width, asns: ints(s, `${A}as_path_segment.as${width}`) };
  });
  // An empty AS_PATH has no segments; a non-empty one without segments is tshark giving up on the ASN width.
  return segments.length === 0 && intOf(a, `${A}length`) > 0 ? undefined : segments;
}

function extCommunity(c: JsonObject): OracleExtCommunity {
  const fields: Record<string, number | string> = {};
  const names: Record<string, string> = {
    'bgp.ext_com.value_as2': 'as2',
    'bgp.ext_com.value_an4': 'an4',
    'bgp.ext_com.value_as4': 'as4',
    'bgp.ext_com.value_an2': 'an2',
    'bgp.ext_com.value_fs_dscp': 'dscp',
    'bgp.ext_com_flow.sample': 'sample',
    'bgp.ext_com_flow.traff_act': 'terminal',
  };
  let subtype: number | undefined;
  for (const [key, value] of Object.entries(c)) {
    if (typeof value !== 'string') continue;
    if (key.startsWith('bgp.ext_com.stype')) subtype = toInt(value, key);
    else if (key === 'bgp.ext_com_flow.rate_limit') fields.rateLimit = Number(value);
    else if (key === 'bgp.ext_com.value_IP4') fields.ipv4 = canonicalAddress(value);
    else if (names[key] !== undefined) fields[names[key]] = toInt(value, key);
  }
  const out = { type: intOf(c, 'bgp.ext_com.type'), fields };
  return subtype === undefined ? out : { ...out, subtype };
}

function flowspecNlri(o: JsonObject | undefined): Uint8Array[] {
  return listOf(o?.['bgp.flowspec_nlri']).map((v) => hexBytes(typeof v === 'string' ? v : '?', 'bgp.flowspec_nlri'));
}

function mpReach(a: JsonObject, unrecognised: string[]): OracleMpReach {
  const body = a[`${A}mp_reach_nlri`];
  const { list, rest } = prefixList(isObject(body) ? body : undefined);
  unrecognised.push(...rest.filter((k) => !k.startsWith('bgp.flowspec_nlri')).map((k) => `MP_REACH_NLRI ${k}`));
  const tree = a[`${A}mp_reach_nlri.next_hop_tree`];
  const nextHops = isObject(tree)
    ? Object.values(tree).flatMap((v) =>
        listOf(v)
          .filter((x): x is string => typeof x === 'string')
          .map(canonicalAddress),
      )
    : undefined;
  const reserved = int(a, `${A}mp_reach_nlri.nbr_snpa`);
  const out = {
    afi: intOf(a, `${A}mp_reach_nlri.afi`),
    safi: intOf(a, `${A}mp_reach_nlri.safi`),
    nlri: list,
    ...(nextHops && { nextHops }),
    ...(reserved !== undefined && { reserved }),
  };
  const raw = text(a, `${A}mp_reach_nlri.next_hop`);
  const flowspec = flowspecNlri(isObject(body) ? body : undefined);
  if (raw === undefined) return { ...out, flowspec };
  const bytes = hexBytes(raw, 'mp_reach_nlri.next_hop');
  // tshark 4.0 shows the Length of Next Hop Network Address octet as part of this field.
  const nextHopBytes = bytes[0] === bytes.length - 1 ? bytes.subarray(1) : bytes;
  return { ...out, flowspec, nextHopBytes };
}

function mpUnreach(a: JsonObject, unrecognised: string[]): OracleMpUnreach {
  const body = a[`${A}mp_unreach_nlri`];
  const { list, rest } = prefixList(isObject(body) ? body : undefined);
  unrecognised.push(...rest.filter((k) => !k.startsWith('bgp.flowspec_nlri')).map((k) => `MP_UNREACH_NLRI ${k}`));
  return {
    afi: intOf(a, `${A}mp_unreach_nlri.afi`),
    safi: intOf(a, `${A}mp_unreach_nlri.safi`),
    withdrawn: list,
    flowspec: flowspecNlri(isObject(body) ? body : undefined),
  };
}

/** Keys that carry no value to compare: flag bits, lengths, expert notes. */
const STRUCTURAL = /(?:_tree|\.flags|\.length|\.type_code|^_ws\..*)$/;

const SCALARS = { origin: 'origin', med: 'multi_exit_disc', localPref: 'local_pref' } as const;
const ADDRESSES = { nextHop: `${A}next_hop`, originatorId: `${A}originator_id` } as const;

function attribute(a: JsonObject, unrecognised: string[]): OracleAttribute {
  const code = intOf(a, `${A}type_code`);
  const out: Mutable<OracleAttribute> = { code, flags: intOf(a, `${A}flags`), length: intOf(a, `${A}length`) };
  // "[ Null ]" placeholders (the values are in the tree), and an empty marker for types tshark does not know.
  const known = new Set(['bgp.large_communities', 'bgp.update.path_attributes.unknown']);
  const take = (key: string): JsonObject | string | undefined => {
    known.add(key);
    const v = a[key];
    if (Array.isArray(v)) throw new OracleShapeError(`attribute ${code}: ${key} repeated`);
    return v === undefined || typeof v === 'string' || isObject(v) ? v : undefined;
  };
  for (const [name, key] of Object.entries(SCALARS)) {
    const v = take(`${A}${key}`);
    if (typeof v === 'string') out[name as keyof typeof SCALARS] = toInt(v, key);
  }
  for (const [name, key] of Object.entries(ADDRESSES)) {
    const v = take(key);
    if (typeof v === 'string') out[name as keyof typeof ADDRESSES] = canonicalAddress(v);
  }
  if (code === 2 || code === 17) {
    known.add(`${A}as_path_segment`); // one object per segment: an array when there are several
    const path = asSegments(a);
    if (path) out.asPath = path;
  }
  const [aggregatorAs, aggregatorOrigin] = [take(`${A}aggregator_as`), take(`${A}aggregator_origin`)];
  if (typeof aggregatorAs === 'string' && typeof aggregatorOrigin === 'string') {
    out.aggregator = { asn: toInt(aggregatorAs, 'aggregator_as'), address: canonicalAddress(aggregatorOrigin) };
  }
  const communities = take(`${A}communities`);
  if (isObject(communities)) {
    const regular = objects(communities[`${A}community`], 'community').map(
      (c) => intOf(c, `${A}community_as`) * 0x10000 + intOf(c, `${A}community_value`),
    );
    out.communities = [...regular, ...ints(communities, `${A}community_wellknown`)].sort((x, y) => x - y);
  }
  const clusterList = take('bgp.path_attribute.cluster_list');
  if (isObject(clusterList)) {
    out.clusterList = listOf(clusterList['bgp.path_attribute.cluster_id']).map((v) => canonicalAddress(String(v)));
  }
  if (code === 14) {
    ['', '.afi', '.safi', '.next_hop', '.nbr_snpa'].forEach((k) => take(`${A}mp_reach_nlri${k}`));
    out.mpReach = mpReach(a, unrecognised);
  }
  if (code === 15) {
    ['', '.afi', '.safi'].forEach((k) => take(`${A}mp_unreach_nlri${k}`));
    out.mpUnreach = mpUnreach(a, unrecognised);
  }
  const ext = take('bgp.ext_communities');
  if (isObject(ext)) out.extCommunities = objects(ext['bgp.ext_community'], 'bgp.ext_community').map(extCommunity);
  if (a['bgp.large_communities_tree'] !== undefined) {
    out.largeCommunities = objects(a['bgp.large_communities_tree'], 'bgp.large_communities_tree').map((c) => {
      const [ga, ld1, ld2] = ['ga', 'ldp1', 'ldp2'].map((k) => intOf(c, `bgp.large_communities.${k}`));
      return [ga ?? 0, ld1 ?? 0, ld2 ?? 0] as const;
    });
  }
  unrecognised.push(
    ...Object.keys(a)
      .filter((k) => !known.has(k) && !STRUCTURAL.test(k))
      .map((k) => `attribute ${code}: ${k}`),
  );
  return out;
}

function update(m: JsonObject, unrecognised: string[]): OracleUpdate {
  const withdrawn = m['bgp.update.withdrawn_routes'];
  const nlri = m['bgp.update.nlri'];
  const attrs = m['bgp.update.path_attributes'];
  const w = prefixList(isObject(withdrawn) ? withdrawn : undefined);
  const n = prefixList(isObject(nlri) ? nlri : undefined);
  unrecognised.push(...w.rest.map((k) => `withdrawn routes: ${k}`), ...n.rest.map((k) => `NLRI: ${k}`));
  const attributes = isObject(attrs)
    ? objects(attrs['bgp.update.path_attribute'], 'bgp.update.path_attribute').map((a) => attribute(a, unrecognised))
    : [];
  return { withdrawn: w.list, attributes, nlri: n.list };
}

// ---------------------------------------------------------------------------------------------------------------
// NOTIFICATION (RFC 4271 §4.5, RFC 9003) and ROUTE-REFRESH (RFC 2918, RFC 7313).

function notification(m: JsonObject): OracleNotification {
  // tshark has one subcode field per error code: minor_error_open, minor_error_cease, minor_error_expired, …
  const minorKey = Object.keys(m).find((k) => k.startsWith('bgp.notify.minor_error'));
  const out: Mutable<OracleNotification> = { code: intOf(m, 'bgp.notify.major_error') };
  if (minorKey !== undefined) out.subcode = intOf(m, minorKey);
  const data = text(m, 'bgp.notify.minor_data');
  if (data !== undefined) out.data = hexBytes(data, 'bgp.notify.minor_data');
  const communication = text(m, 'bgp.notify.communication');
  if (communication !== undefined) out.communication = communication;
  const badPeerAs = int(m, 'bgp.notify.error_open.bad_peer_as');
  if (badPeerAs !== undefined) out.badPeerAs = badPeerAs;
  return out;
}

/** Message fields that are structure, or that the functions above read (`bgp.` omitted). */
const MESSAGE_KEYS = new RegExp(
  `^bgp\\.(?:${[
    'marker|length|length_tree|type',
    'open\\.(?:version|myas|holdtime|identifier|opt|opt\\.len)',
    'update\\.(?:withdrawn_routes|withdrawn_routes\\.length|path_attributes|path_attributes\\.length|nlri)',
    'notify\\.(?:major_error|minor_error\\w*|minor_data|communication|communication_length|error_open\\.bad_peer_as)',
    'route_refresh\\.(?:afi|safi|subtype)',
  ].join('|')})$`,
);

function containsMalformed(v: TsharkJson): boolean {
  if (Array.isArray(v)) return v.some(containsMalformed);
  if (!isObject(v)) return false;
  return Object.entries(v).some(([k, x]) => k === '_ws.malformed' || containsMalformed(x));
}

// ---------------------------------------------------------------------------------------------------------------
// Packets.

function endpoint(layers: JsonObject, side: 'src' | 'dst'): string {
  const tcp = objects(layers.tcp, 'tcp').at(-1);
  const port = tcp ? text(tcp, `tcp.${side}port`) : undefined;
  const ip4 = objects(layers.ip, 'ip').at(-1);
  const ip6 = objects(layers.ipv6, 'ipv6').at(-1);
  if (ip6) return `[${canonicalAddress(text(ip6, `ipv6.${side}`) ?? '')}]:${port ?? '?'}`;
  return `${canonicalAddress((ip4 && text(ip4, `ip.${side}`)) ?? '')}:${port ?? '?'}`;
}

/** Every BGP message of a tshark `-T json --no-duplicate-keys` document, in frame order. */
export function parseTsharkJson(document: TsharkJson): OracleMessage[] {
  const out: OracleMessage[] = [];
  for (const packet of objects(document, 'packet')) {
    const source = packet._source;
    const layers = isObject(source) ? source.layers : undefined;
    if (!isObject(layers)) throw new OracleShapeError('packet without _source.layers');
    const frameLayer = layers.frame;
    if (!isObject(frameLayer)) throw new OracleShapeError('packet without frame layer');
    const frame = intOf(frameLayer, 'frame.number');
    const segments = layers['tcp.segments'];
    const reassembledText = isObject(segments) ? text(segments, 'tcp.reassembled.data') : undefined;
    const reassembled = reassembledText === undefined ? undefined : hexBytes(reassembledText, 'tcp.reassembled.data');
    const src = endpoint(layers, 'src');
    const dst = endpoint(layers, 'dst');
    objects(layers.bgp, `frame ${frame} bgp`).forEach((m, index) => {
      const unrecognised = Object.keys(m).filter((k) => !MESSAGE_KEYS.test(k));
      const type = int(m, 'bgp.type');
      const base = {
        frame,
        index,
        src,
        dst,
        length: intOf(m, 'bgp.length'),
        malformed: containsMalformed(m),
        unrecognised,
      };
      const extra = {
        ...(type !== undefined && { type }),
        ...(reassembled && { reassembled }),
        ...(type === 1 && { open: open(m, unrecognised) }),
        ...(type === 2 && { update: update(m, unrecognised) }),
        ...(type === 3 && { notification: notification(m) }),
        ...(type === 5 && {
          routeRefresh: {
            afi: intOf(m, 'bgp.route_refresh.afi'),
            safi: intOf(m, 'bgp.route_refresh.safi'),
            subtype: intOf(m, 'bgp.route_refresh.subtype'),
          },
        }),
      };
      out.push({ ...base, ...extra });
    });
  }
  return out;
}

/** The oracle file beside a capture: `<scenario>.tshark.json`, or `.tshark.json.gz` for large ones. */
export function oracleFileFor(capture: string): string | undefined {
  const base = capture.replace(/\.pcap(?:ng)?$/, '');
  return [`${base}.tshark.json`, `${base}.tshark.json.gz`].find((f) => existsSync(f));
}

export function readTsharkOracle(file: string): OracleMessage[] {
  const raw = readFileSync(file);
  const json = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return parseTsharkJson(JSON.parse(json) as TsharkJson);
}

/** The octets of an address in canonical text (for comparing decoded next hops with tshark's raw field). */
export function addressBytes(address: string): Uint8Array {
  const canonical = canonicalAddress(address);
  if (!canonical.includes(':')) return Uint8Array.from(canonical.split('.'), Number);
  const [head = '', tail] = canonical.split('::');
  const groups = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return Uint8Array.from(all.flatMap((g) => [g >> 8, g & 0xff]));
}
