/**
 * MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760 §3–§4): routes of any address family inside path attributes.
 *
 *   MP_REACH_NLRI (type 14)                          MP_UNREACH_NLRI (type 15)
 *   +-------------------------------------------+    +-------------------------------------------+
 *   | Address Family Identifier (2 octets)      |    | Address Family Identifier (2 octets)      |
 *   | Subsequent AFI (1 octet)                  |    | Subsequent AFI (1 octet)                  |
 *   | Length of Next Hop Network Address (1)    |    | Withdrawn Routes (variable)               |
 *   | Network Address of Next Hop (variable)    |    +-------------------------------------------+
 *   | Reserved (1 octet)                        |
 *   | Network Layer Reachability Information    |
 *   +-------------------------------------------+
 *
 * IPv4 and IPv6 unicast and multicast are decoded: next hops as text — one IPv4 address (4 octets); one IPv6
 * address (16), or a global and a link-local one (32; RFC 2545 §3), which RFC 8950 §3 also allows for IPv4 NLRI —
 * and NLRI as prefixes, with RFC 7911 Path Identifiers where the context says so. Every other family (VPN,
 * labelled, EVPN, FlowSpec, …) keeps its next hop and NLRI as opaque octets that re-encode unchanged.
 *
 * Errors: RFC 7606 §7.11 and §5.3 — a next hop length the family does not allow, or NLRI that do not parse, leave
 * no way to know which routes the attribute carried, so the "session reset" approach applies; RFC 4760 §7 names
 * the NOTIFICATION: UPDATE Message Error / Optional Attribute Error. Imports only its siblings.
 */
import { AttrFlag, AttrType, familyKey } from './constants.js';
import { ErrorAction } from './errors.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './address.js';
import { encodePrefixes, tryDecodePrefixes } from './nlri.js';
import { fault, type AttributeDescriptor } from './attr-codec.js';
import type { CodecContext, MpReachNlriAttribute, MpUnreachNlriAttribute, Prefix } from './types.js';

const EMPTY_PREFIXES: readonly Prefix[] = Object.freeze([]);
const EMPTY_STRINGS: readonly string[] = Object.freeze([]);

/** True for the families whose next hops and NLRI this codec decodes: AFI 1 or 2, SAFI 1 or 2. */
export function isDecodedFamily(afi: number, safi: number): afi is 1 | 2 {
  return (afi === 1 || afi === 2) && (safi === 1 || safi === 2);
}

/** RFC 4760 §3, RFC 2545 §3, RFC 8950 §3: the next hops in `buf[start..end)`, or undefined for a length not allowed. */
function decodeNextHops(buf: Uint8Array, start: number, end: number, afi: 1 | 2): string[] | undefined {
  switch (end - start) {
    case 4:
      return afi === 1 ? [formatIPv4(buf, start)] : undefined;
    case 16:
      return [formatIPv6(buf, start)];
    case 32:
      return [formatIPv6(buf, start), formatIPv6(buf, start + 16)];
    default:
      return undefined;
  }
}

/** Each next hop's octets in order: a dotted quad takes 4, an IPv6 address 16 (global first, then link-local). */
function encodeNextHops(nextHops: readonly string[]): Uint8Array {
  const parts = nextHops.map((text) => {
    const b = parseIPv4(text) ?? parseIPv6(text);
    if (!b) throw new TypeError(`MP_REACH_NLRI: next hop ${JSON.stringify(text)} is not an address`);
    return b;
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function u16(buf: Uint8Array, o: number): number {
  return ((buf[o] as number) << 8) | (buf[o + 1] as number);
}

function addPathFor(ctx: CodecContext, afi: number, safi: number): boolean {
  return ctx.addPath.size > 0 && ctx.addPath.has(familyKey(afi, safi));
}

export const mpReachNlri: AttributeDescriptor<MpReachNlriAttribute> = {
  typeCode: AttrType.MpReachNlri,
  kind: 'mp-reach-nlri',
  flags: AttrFlag.Optional,
  malformed: ErrorAction.SessionReset,
  decode(buf, start, end, flags, ctx) {
    if (end - start < 5) return fault.optional(`length ${end - start}, shorter than the 5 fixed octets`);
    const afi = u16(buf, start);
    const safi = buf[start + 2] as number;
    const nhStart = start + 4;
    const nhEnd = nhStart + (buf[start + 3] as number);
    if (nhEnd + 1 > end) return fault.optional(`next hop length ${nhEnd - nhStart} overruns the attribute`);
    const reserved = buf[nhEnd] as number;
    const nlriStart = nhEnd + 1;
    if (!isDecodedFamily(afi, safi)) {
      const opaque: MpReachNlriAttribute = {
        kind: 'mp-reach-nlri',
        flags,
        afi,
        safi,
        nextHop: EMPTY_STRINGS,
        nlri: EMPTY_PREFIXES,
        nextHopBytes: buf.slice(nhStart, nhEnd),
        nlriBytes: buf.slice(nlriStart, end),
      };
      return reserved === 0 ? opaque : { ...opaque, reserved };
    }
    const nextHop = decodeNextHops(buf, nhStart, nhEnd, afi);
    if (nextHop === undefined) return fault.optional(`next hop length ${nhEnd - nhStart} is not valid for AFI ${afi} SAFI ${safi}`);
    const nlri = nlriStart === end ? EMPTY_PREFIXES : tryDecodePrefixes(buf, nlriStart, end, afi, addPathFor(ctx, afi, safi));
    if (typeof nlri === 'string') return fault.optional(`NLRI: ${nlri}`);
    return reserved === 0
      ? { kind: 'mp-reach-nlri', flags, afi, safi, nextHop, nlri }
      : { kind: 'mp-reach-nlri', flags, afi, safi, nextHop, nlri, reserved };
  },
  encode(a, ctx) {
    const nh = a.nextHopBytes ?? encodeNextHops(a.nextHop);
    if (nh.length > 255) throw new RangeError(`MP_REACH_NLRI: next hop of ${nh.length} octets`);
    const nlri = a.nlriBytes ?? encodeFamilyPrefixes(a.nlri, a.afi, a.safi, ctx, 'MP_REACH_NLRI');
    const out = new Uint8Array(5 + nh.length + nlri.length);
    writeAfiSafi(out, a.afi, a.safi, 'MP_REACH_NLRI');
    out[3] = nh.length;
    out.set(nh, 4);
    out[4 + nh.length] = a.reserved ?? 0;
    out.set(nlri, 5 + nh.length);
    return out;
  },
};

export const mpUnreachNlri: AttributeDescriptor<MpUnreachNlriAttribute> = {
  typeCode: AttrType.MpUnreachNlri,
  kind: 'mp-unreach-nlri',
  flags: AttrFlag.Optional,
  malformed: ErrorAction.SessionReset,
  decode(buf, start, end, flags, ctx) {
    if (end - start < 3) return fault.optional(`length ${end - start}, shorter than the 3 fixed octets`);
    const afi = u16(buf, start);
    const safi = buf[start + 2] as number;
    const wStart = start + 3;
    if (!isDecodedFamily(afi, safi)) {
      return { kind: 'mp-unreach-nlri', flags, afi, safi, withdrawn: EMPTY_PREFIXES, withdrawnBytes: buf.slice(wStart, end) };
    }
    const withdrawn = wStart === end ? EMPTY_PREFIXES : tryDecodePrefixes(buf, wStart, end, afi, addPathFor(ctx, afi, safi));
    if (typeof withdrawn === 'string') return fault.optional(`withdrawn routes: ${withdrawn}`);
    return { kind: 'mp-unreach-nlri', flags, afi, safi, withdrawn };
  },
  encode(a, ctx) {
    const w = a.withdrawnBytes ?? encodeFamilyPrefixes(a.withdrawn, a.afi, a.safi, ctx, 'MP_UNREACH_NLRI');
    const out = new Uint8Array(3 + w.length);
    writeAfiSafi(out, a.afi, a.safi, 'MP_UNREACH_NLRI');
    out.set(w, 3);
    return out;
  },
};

function writeAfiSafi(out: Uint8Array, afi: number, safi: number, name: string): void {
  if (!Number.isInteger(afi) || afi < 0 || afi > 0xffff || !Number.isInteger(safi) || safi < 0 || safi > 0xff) {
    throw new RangeError(`${name}: invalid AFI ${afi} / SAFI ${safi}`);
  }
  out[0] = afi >>> 8;
  out[1] = afi & 0xff;
  out[2] = safi;
}

function encodeFamilyPrefixes(prefixes: readonly Prefix[], afi: number, safi: number, ctx: CodecContext, name: string): Uint8Array {
  if (prefixes.length === 0) return new Uint8Array(0);
  if (!isDecodedFamily(afi, safi)) throw new TypeError(`${name}: AFI ${afi} SAFI ${safi} needs its NLRI as octets`);
  return encodePrefixes(prefixes, afi, addPathFor(ctx, afi, safi));
}
