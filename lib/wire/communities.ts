/**
 * The three community attributes — COMMUNITIES (RFC 1997), EXTENDED_COMMUNITIES (RFC 4360, RFC 5668, RFC 7153) and
 * LARGE_COMMUNITY (RFC 8092) — as wire values and as the text FRR prints and accepts in route maps:
 * `65000:1` and `no-export`, `rt 65000:100` / `soo 192.0.2.1:7` (or `RT:65000:100` as `show bgp` prints them),
 * and `65000:1:2`.
 *
 *   COMMUNITIES       n × 4 octets: ASN (2) | value (2)
 *   EXTENDED_COMM.    n × 8 octets: type (1) | sub-type (1) | value (6)
 *   LARGE_COMMUNITY   n × 12 octets: global administrator (4) | local data 1 (4) | local data 2 (4)
 *
 * RFC 7606 §7.8 / §7.14 and RFC 8092 §6: a length of zero or not a multiple of the element size is malformed; the
 * decoders return the reason instead of a value and the attribute walker decides what follows. Parsers of text throw
 * a TypeError (they read configuration, never the wire). Imports only its siblings.
 */
import { WellKnownCommunity } from './constants.js';
import { formatIPv4, parseIPv4 } from './address.js';

// ---------------------------------------------------------------------------------------------------------------
// COMMUNITIES (RFC 1997)

/** Decodes `buf[start..end)` as 4-octet communities, or returns why it is malformed (RFC 7606 §7.8). */
export function decodeCommunityValues(buf: Uint8Array, start: number, end: number): number[] | string {
  const len = end - start;
  if (len === 0 || len % 4 !== 0) return `length ${len} is not a non-zero multiple of 4`;
  const out = new Array<number>(len >>> 2);
  for (let i = 0, o = start; o < end; i++, o += 4) {
    out[i] = (buf[o] as number) * 0x1000000 + (((buf[o + 1] as number) << 16) | ((buf[o + 2] as number) << 8) | (buf[o + 3] as number));
  }
  return out;
}

export function encodeCommunityValues(communities: readonly number[]): Uint8Array {
  const out = new Uint8Array(communities.length * 4);
  let o = 0;
  for (const c of communities) {
    if (!Number.isInteger(c) || c < 0 || c > 0xffffffff) throw new RangeError(`COMMUNITIES: invalid community ${c}`);
    out[o++] = (c >>> 24) & 0xff;
    out[o++] = (c >>> 16) & 0xff;
    out[o++] = (c >>> 8) & 0xff;
    out[o++] = c & 0xff;
  }
  return out;
}

/** FRR's names for well-known communities (`show bgp` and route maps use the same words). */
const communityNames: ReadonlyMap<number, string> = new Map([
  [0, 'internet'],
  [WellKnownCommunity.GracefulShutdown, 'graceful-shutdown'],
  [WellKnownCommunity.AcceptOwn, 'accept-own'],
  [0xffff0002, 'route-filter-translated-v4'],
  [0xffff0003, 'route-filter-v4'],
  [0xffff0004, 'route-filter-translated-v6'],
  [0xffff0005, 'route-filter-v6'],
  [WellKnownCommunity.LlgrStale, 'llgr-stale'],
  [WellKnownCommunity.NoLlgr, 'no-llgr'],
  [0xffff0008, 'accept-own-nexthop'],
  [WellKnownCommunity.Blackhole, 'blackhole'],
  [WellKnownCommunity.NoExport, 'no-export'],
  [WellKnownCommunity.NoAdvertise, 'no-advertise'],
  [WellKnownCommunity.NoExportSubconfed, 'local-AS'],
  [WellKnownCommunity.NoPeer, 'no-peer'],
]);
const communityByName: ReadonlyMap<string, number> = new Map(
  [...communityNames].map(([value, name]) => [name.toLowerCase(), value] as const).concat([['no-export-subconfed', WellKnownCommunity.NoExportSubconfed]]),
);

/** `65000:1`, or FRR's name of a well-known community (`no-export`, `local-AS`, `blackhole`, …). */
export function formatCommunity(c: number): string {
  return communityNames.get(c) ?? `${Math.floor(c / 65536)}:${c & 0xffff}`;
}

/** Parses `AA:NN`, a well-known name (case-insensitive; `no-export-subconfed` = `local-AS`) or a 32-bit number. */
export function parseCommunity(text: string): number {
  const t = text.trim();
  const named = communityByName.get(t.toLowerCase());
  if (named !== undefined) return named;
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(t);
  if (m) {
    const asn = Number(m[1]);
    const value = Number(m[2]);
    if (asn <= 0xffff && value <= 0xffff) return asn * 65536 + value;
  } else if (/^\d{1,10}$/.test(t) && Number(t) <= 0xffffffff) {
    return Number(t);
  }
  throw new TypeError(`not a community: ${JSON.stringify(text)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// EXTENDED_COMMUNITIES (RFC 4360; RFC 7153 registries; RFC 5668 4-octet AS specific)

/** RFC 7153 §5.1 high-order type octets (the 0x40 bit set = non-transitive). */
export const ExtCommunityType = {
  TwoOctetAsSpecific: 0x00,
  Ipv4AddressSpecific: 0x01,
  FourOctetAsSpecific: 0x02,
  Opaque: 0x03,
  NonTransitiveTwoOctetAsSpecific: 0x40,
} as const;
/** Sub-types shared by the three "specific" types (RFC 4360 §4–5, RFC 5668 §2). */
export const ExtCommunitySubtype = { RouteTarget: 0x02, RouteOrigin: 0x03 } as const;

/** Decodes `buf[start..end)` as 8-octet extended communities (copies), or returns why it is malformed (RFC 7606 §7.14). */
export function decodeExtendedCommunityValues(buf: Uint8Array, start: number, end: number): Uint8Array[] | string {
  const len = end - start;
  if (len === 0 || len % 8 !== 0) return `length ${len} is not a non-zero multiple of 8`;
  const out = new Array<Uint8Array>(len >>> 3);
  for (let i = 0, o = start; o < end; i++, o += 8) out[i] = buf.slice(o, o + 8);
  return out;
}

export function encodeExtendedCommunityValues(communities: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(communities.length * 8);
  communities.forEach((c, i) => {
    if (c.length !== 8) throw new RangeError(`EXTENDED_COMMUNITIES: a community is 8 octets, not ${c.length}`);
    out.set(c, i * 8);
  });
  return out;
}

function u16(b: Uint8Array, o: number): number {
  return ((b[o] as number) << 8) | (b[o + 1] as number);
}
function u32(b: Uint8Array, o: number): number {
  return (b[o] as number) * 0x1000000 + (((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number));
}

/**
 * Text of one extended community. Route Targets and Route Origins of the three "specific" types print as FRR's
 * route maps take them (`rt 65000:100`, `soo 192.0.2.1:7`, `rt 4200000000:1`), or with `style: 'display'` as
 * `show bgp` prints them (`RT:65000:100`, `SoO:192.0.2.1:7`). Anything else is its 8 octets in hex (`0x030c…`),
 * which `parseExtendedCommunity` reads back.
 */
export function formatExtendedCommunity(c: Uint8Array, style: 'route-map' | 'display' = 'route-map'): string {
  if (c.length === 8) {
    const type = c[0] as number;
    const subtype = c[1] as number;
    if (subtype === ExtCommunitySubtype.RouteTarget || subtype === ExtCommunitySubtype.RouteOrigin) {
      let value: string | undefined;
      if (type === ExtCommunityType.TwoOctetAsSpecific) value = `${u16(c, 2)}:${u32(c, 4)}`;
      else if (type === ExtCommunityType.Ipv4AddressSpecific) value = `${formatIPv4(c, 2)}:${u16(c, 6)}`;
      else if (type === ExtCommunityType.FourOctetAsSpecific) value = `${u32(c, 2)}:${u16(c, 6)}`;
      if (value !== undefined) {
        const rt = subtype === ExtCommunitySubtype.RouteTarget;
        return style === 'display' ? `${rt ? 'RT' : 'SoO'}:${value}` : `${rt ? 'rt' : 'soo'} ${value}`;
      }
    }
  }
  let hex = '0x';
  for (const b of c) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/**
 * Parses `rt X:Y` / `soo X:Y` (also `RT:X:Y`, `SoO:X:Y`) or `0x` + 16 hex digits. X is an IPv4 address (type 0x01,
 * Y ≤ 65535), an ASN ≤ 65535 with Y < 2^32 (type 0x00), or a larger ASN with Y ≤ 65535 (type 0x02, RFC 5668).
 */
export function parseExtendedCommunity(text: string): Uint8Array {
  const t = text.trim();
  const fail = (): never => {
    throw new TypeError(`not an extended community: ${JSON.stringify(text)}`);
  };
  const hex = /^0x([0-9a-fA-F]{16})$/.exec(t);
  if (hex) {
    const out = new Uint8Array(8);
    for (let i = 0; i < 8; i++) out[i] = parseInt((hex[1] as string).slice(2 * i, 2 * i + 2), 16);
    return out;
  }
  const m = /^(rt|soo)(?:\s+|:)([^:\s]+):(\d{1,10})$/i.exec(t);
  if (!m) return fail();
  const subtype = (m[1] as string).toLowerCase() === 'rt' ? ExtCommunitySubtype.RouteTarget : ExtCommunitySubtype.RouteOrigin;
  const admin = m[2] as string;
  const local = Number(m[3]);
  const out = new Uint8Array(8);
  const dv = new DataView(out.buffer);
  out[1] = subtype;
  const ip = parseIPv4(admin);
  if (ip) {
    if (local > 0xffff) return fail();
    out[0] = ExtCommunityType.Ipv4AddressSpecific;
    out.set(ip, 2);
    dv.setUint16(6, local);
    return out;
  }
  if (!/^\d{1,10}$/.test(admin)) return fail();
  const asn = Number(admin);
  if (asn <= 0xffff && local <= 0xffffffff) {
    out[0] = ExtCommunityType.TwoOctetAsSpecific;
    dv.setUint16(2, asn);
    dv.setUint32(4, local);
  } else if (asn <= 0xffffffff && local <= 0xffff) {
    out[0] = ExtCommunityType.FourOctetAsSpecific;
    dv.setUint32(2, asn);
    dv.setUint16(6, local);
  } else {
    fail();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// LARGE_COMMUNITY (RFC 8092)

export type LargeCommunity = readonly [number, number, number];

/** Decodes `buf[start..end)` as 12-octet large communities, or returns why it is malformed (RFC 8092 §6). */
export function decodeLargeCommunityValues(buf: Uint8Array, start: number, end: number): LargeCommunity[] | string {
  const len = end - start;
  if (len === 0 || len % 12 !== 0) return `length ${len} is not a non-zero multiple of 12`;
  const out = new Array<LargeCommunity>(len / 12);
  for (let i = 0, o = start; o < end; i++, o += 12) out[i] = [u32(buf, o), u32(buf, o + 4), u32(buf, o + 8)];
  return out;
}

export function encodeLargeCommunityValues(communities: readonly LargeCommunity[]): Uint8Array {
  const out = new Uint8Array(communities.length * 12);
  const dv = new DataView(out.buffer);
  communities.forEach((c, i) => {
    for (let k = 0; k < 3; k++) {
      const v = c[k];
      if (v === undefined || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
        throw new RangeError(`LARGE_COMMUNITY: invalid field ${String(v)}`);
      }
      dv.setUint32(i * 12 + k * 4, v);
    }
  });
  return out;
}

/** `65000:1:2`. */
export function formatLargeCommunity(c: LargeCommunity): string {
  return `${c[0]}:${c[1]}:${c[2]}`;
}

/** Parses `G:L1:L2`, each a 32-bit unsigned decimal. */
export function parseLargeCommunity(text: string): LargeCommunity {
  const m = /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/.exec(text.trim());
  if (m) {
    const parts = [Number(m[1]), Number(m[2]), Number(m[3])] as const;
    if (parts.every((p) => p <= 0xffffffff)) return parts;
  }
  throw new TypeError(`not a large community: ${JSON.stringify(text)}`);
}
