/**
 * Capabilities (RFC 5492 §4): the TLVs inside an OPEN's Capabilities optional parameter, decoded into the typed
 * values of types.ts and encoded back.
 *
 *     +------------------------------+
 *     | Capability Code (1 octet)    |
 *     +------------------------------+
 *     | Capability Length (1 octet)  |
 *     +------------------------------+
 *     | Capability Value (variable)  |
 *     ~                              ~
 *     +------------------------------+
 *
 * Understood: Multiprotocol (1, RFC 4760 §8), Route Refresh (2, RFC 2918, and the pre-standard 128), Extended Next
 * Hop (5, RFC 8950), Extended Message (6, RFC 8654), BGP Role (9, RFC 9234), Graceful Restart (64, RFC 4724),
 * 4-octet AS (65, RFC 6793), ADD-PATH (69, RFC 7911), Enhanced Route Refresh (70, RFC 7313), Long-Lived Graceful
 * Restart (71, RFC 9494) and FQDN (73, draft-walton-bgp-hostname-capability). Any other code is kept opaque.
 *
 * RFC 5492 §3 makes an unrecognised capability something to ignore, never an error; a known capability whose value
 * does not parse is kept the same way, as `kind: 'unknown', malformed: true` with its bytes, so that negotiation
 * treats it as not received and a re-encoding is still byte-exact. The only error here is a capability whose length
 * runs past its parameter — then the parameter itself is unreadable (OPEN Message Error / Unspecific).
 * Decoded values never share memory with the input. Imports only node:buffer and its siblings.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { AddPathMode, CapabilityCode } from './constants.js';
import { errors } from './errors.js';
import type { AfiSafi, Capability, UnknownCapability } from './types.js';

/** The largest value a capability can carry: its length field is one octet. */
const MAX_CAPABILITY_VALUE = 255;

// ---------------------------------------------------------------------------------------------------------------
// Decoding

/**
 * Decodes a sequence of capability TLVs — the value of one Capabilities optional parameter, or the Data of an
 * OPEN Message Error / Unsupported Capability NOTIFICATION (RFC 5492 §5).
 */
export function decodeCapabilities(bytes: Uint8Array): Capability[] {
  const capabilities: Capability[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (i + 2 > bytes.length) {
      throw errors.openUnspecific(`capability at octet ${i} of a ${bytes.length}-octet parameter is truncated`);
    }
    const code = bytes[i] as number;
    const length = bytes[i + 1] as number;
    const end = i + 2 + length;
    if (end > bytes.length) {
      throw errors.openUnspecific(`capability ${code} of length ${length} runs past its parameter`);
    }
    capabilities.push(decodeCapability(code, bytes.subarray(i + 2, end)));
    i = end;
  }
  return capabilities;
}

/** Decodes one capability from its code and value; never throws. */
export function decodeCapability(code: number, value: Uint8Array): Capability {
  const decode = decoders[code];
  const decoded = decode?.(value);
  if (decoded !== undefined) return decoded;
  const opaque: UnknownCapability = { kind: 'unknown', code, value: new Uint8Array(value) };
  return decode === undefined ? opaque : { ...opaque, malformed: true };
}

type Decoder = (v: Uint8Array) => Capability | undefined;

const decoders: Readonly<Record<number, Decoder>> = {
  // RFC 4760 §8: AFI (2), Reserved (1), SAFI (1). "Reserved ... SHOULD be set to 0 by the sender and ignored by
  // the receiver" — it is kept only so that a non-zero octet re-encodes unchanged.
  [CapabilityCode.Multiprotocol]: (v) => {
    if (v.length !== 4) return undefined;
    const reserved = v[2] as number;
    const afiSafi = { afi: u16(v, 0), safi: v[3] as number };
    return reserved === 0
      ? { kind: 'multiprotocol', code: 1, ...afiSafi }
      : { kind: 'multiprotocol', code: 1, ...afiSafi, reserved };
  },
  [CapabilityCode.RouteRefresh]: (v) => (v.length === 0 ? { kind: 'route-refresh', code: 2 } : undefined),
  [CapabilityCode.RouteRefreshOld]: (v) => (v.length === 0 ? { kind: 'route-refresh', code: 128 } : undefined),
  // RFC 8950 §3: a list of (NLRI AFI (2), NLRI SAFI (2), Nexthop AFI (2)).
  [CapabilityCode.ExtendedNextHop]: (v) => {
    const entries = list(v, 6, (i) => ({ afi: u16(v, i), safi: u16(v, i + 2), nextHopAfi: u16(v, i + 4) }));
    return entries && { kind: 'extended-next-hop', code: 5, entries };
  },
  [CapabilityCode.ExtendedMessage]: (v) => (v.length === 0 ? { kind: 'extended-message', code: 6 } : undefined),
  // RFC 9234 §4.1: one octet, the BGP Role. Whether the value is acceptable is for negotiation to say.
  [CapabilityCode.Role]: (v) => (v.length === 1 ? { kind: 'role', code: 9, role: v[0] as number } : undefined),
  // RFC 4724 §3: Restart Flags (4 bits), Restart Time (12 bits), then (AFI (2), SAFI (1), Flags (1)) per family.
  [CapabilityCode.GracefulRestart]: (v) => {
    if (v.length < 2) return undefined;
    const families = list(v.subarray(2), 4, (i) => ({ afi: u16(v, 2 + i), safi: v[4 + i] as number, flags: v[5 + i] as number }));
    if (!families) return undefined;
    const field = u16(v, 0);
    return { kind: 'graceful-restart', code: 64, restartFlags: field >>> 12, restartTime: field & 0x0fff, families };
  },
  // RFC 6793 §3: the speaker's 4-octet AS number.
  [CapabilityCode.FourOctetAs]: (v) => (v.length === 4 ? { kind: 'four-octet-as', code: 65, asn: u32(v, 0) } : undefined),
  // RFC 7911 §4: (AFI (2), SAFI (1), Send/Receive (1)) per family. "If any other value is received, then the
  // capability SHOULD be treated as not received" — a malformed capability is exactly that.
  [CapabilityCode.AddPath]: (v) => {
    const families = list(v, 4, (i) => ({ afi: u16(v, i), safi: v[i + 2] as number, mode: v[i + 3] as number }));
    if (!families || families.some((f) => f.mode < AddPathMode.Receive || f.mode > AddPathMode.Both)) return undefined;
    return { kind: 'add-path', code: 69, families };
  },
  [CapabilityCode.EnhancedRouteRefresh]: (v) =>
    v.length === 0 ? { kind: 'enhanced-route-refresh', code: 70 } : undefined,
  // RFC 9494 §3: (AFI (2), SAFI (1), Flags (1), Long-lived Stale Time (3)) per family.
  [CapabilityCode.LongLivedGracefulRestart]: (v) => {
    const families = list(v, 7, (i) => ({
      afi: u16(v, i),
      safi: v[i + 2] as number,
      flags: v[i + 3] as number,
      staleTime: u24(v, i + 4),
    }));
    return families && { kind: 'long-lived-graceful-restart', code: 71, families };
  },
  // draft-walton-bgp-hostname-capability §3: Hostname Length (1), Hostname, Domain Name Length (1), Domain Name.
  // Text that is not UTF-8 could not be re-encoded byte-exact, so it leaves the capability malformed.
  [CapabilityCode.Fqdn]: (v) => {
    if (v.length < 2) return undefined;
    const hostLength = v[0] as number;
    if (1 + hostLength + 1 > v.length) return undefined;
    const domainLength = v[1 + hostLength] as number;
    if (2 + hostLength + domainLength !== v.length) return undefined;
    const hostname = utf8(v.subarray(1, 1 + hostLength));
    const domainName = utf8(v.subarray(2 + hostLength));
    if (hostname === undefined || domainName === undefined) return undefined;
    return { kind: 'fqdn', code: 73, hostname, domainName };
  },
};

/** Splits `v` into entries of `size` octets, or undefined when it is not a whole number of them. */
function list<T>(v: Uint8Array, size: number, entry: (offset: number) => T): T[] | undefined {
  if (v.length % size !== 0) return undefined;
  const out: T[] = [];
  for (let i = 0; i < v.length; i += size) out.push(entry(i));
  return out;
}

function utf8(bytes: Uint8Array): string | undefined {
  if (!isUtf8(bytes)) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
}

function u16(v: Uint8Array, i: number): number {
  return ((v[i] as number) << 8) | (v[i + 1] as number);
}

function u24(v: Uint8Array, i: number): number {
  return ((v[i] as number) << 16) | ((v[i + 1] as number) << 8) | (v[i + 2] as number);
}

function u32(v: Uint8Array, i: number): number {
  return (((v[i] as number) << 24) | ((v[i + 1] as number) << 16) | ((v[i + 2] as number) << 8) | (v[i + 3] as number)) >>> 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

/** Encodes capabilities as consecutive TLVs (the value of one Capabilities parameter). */
export function encodeCapabilities(capabilities: readonly Capability[]): Uint8Array {
  const values = capabilities.map(capabilityValue);
  let total = 0;
  for (const v of values) total += 2 + v.length;
  const out = new Uint8Array(total);
  let i = 0;
  capabilities.forEach((capability, n) => {
    const value = values[n] as Uint8Array;
    out[i] = capability.code;
    out[i + 1] = value.length;
    out.set(value, i + 2);
    i += 2 + value.length;
  });
  return out;
}

/** Encodes one capability as a TLV. */
export function encodeCapability(capability: Capability): Uint8Array {
  return encodeCapabilities([capability]);
}

/**
 * The Capability Value of `capability`. Throws a `TypeError` naming the field when a value does not fit its field
 * (values come from the caller, never from the wire).
 */
export function capabilityValue(capability: Capability): Uint8Array {
  const value = valueOf(capability);
  checkField(capability.code, 0xff, 'capability code');
  if (value.length > MAX_CAPABILITY_VALUE) {
    throw new TypeError(`capability ${capability.code}: value of ${value.length} octets exceeds ${MAX_CAPABILITY_VALUE}`);
  }
  return value;
}

function valueOf(c: Capability): Uint8Array {
  switch (c.kind) {
    case 'multiprotocol':
      return bytes(4, (w) => w.u16(c.afi, 'afi').u8(c.reserved ?? 0, 'reserved').u8(c.safi, 'safi'));
    case 'route-refresh':
    case 'extended-message':
    case 'enhanced-route-refresh':
      return new Uint8Array(0);
    case 'extended-next-hop':
      return bytes(6 * c.entries.length, (w) => {
        for (const e of c.entries) w.u16(e.afi, 'afi').u16(e.safi, 'safi').u16(e.nextHopAfi, 'nextHopAfi');
      });
    case 'role':
      return bytes(1, (w) => w.u8(c.role, 'role'));
    case 'graceful-restart':
      checkField(c.restartFlags, 0xf, 'restartFlags');
      checkField(c.restartTime, 0xfff, 'restartTime');
      return bytes(2 + 4 * c.families.length, (w) => {
        w.u16((c.restartFlags << 12) | c.restartTime, 'restart');
        for (const f of c.families) familyHead(w, f).u8(f.flags, 'flags');
      });
    case 'four-octet-as':
      return bytes(4, (w) => w.u32(c.asn, 'asn'));
    case 'add-path':
      return bytes(4 * c.families.length, (w) => {
        for (const f of c.families) familyHead(w, f).u8(f.mode, 'mode');
      });
    case 'long-lived-graceful-restart':
      return bytes(7 * c.families.length, (w) => {
        for (const f of c.families) familyHead(w, f).u8(f.flags, 'flags').u24(f.staleTime, 'staleTime');
      });
    case 'fqdn': {
      const host = Buffer.from(c.hostname, 'utf8');
      const domain = Buffer.from(c.domainName, 'utf8');
      return bytes(2 + host.length + domain.length, (w) => {
        w.u8(host.length, 'hostname length').raw(host).u8(domain.length, 'domainName length').raw(domain);
      });
    }
    case 'unknown':
      return new Uint8Array(c.value);
  }
}

/** AFI (2 octets) and SAFI (1 octet), the head of a per-family entry in GR, ADD-PATH and LLGR. */
function familyHead(w: Writer, f: AfiSafi): Writer {
  return w.u16(f.afi, 'afi').u8(f.safi, 'safi');
}

interface Writer {
  u8(n: number, field: string): Writer;
  u16(n: number, field: string): Writer;
  u24(n: number, field: string): Writer;
  u32(n: number, field: string): Writer;
  raw(b: Uint8Array): Writer;
}

/** Fills a buffer of `size` octets through a bounds-checked writer. */
function bytes(size: number, fill: (w: Writer) => void): Uint8Array {
  const out = new Uint8Array(size);
  let i = 0;
  const w: Writer = {
    u8: (n, field) => {
      checkField(n, 0xff, field);
      out[i++] = n;
      return w;
    },
    u16: (n, field) => {
      checkField(n, 0xffff, field);
      out[i++] = n >>> 8;
      out[i++] = n & 0xff;
      return w;
    },
    u24: (n, field) => {
      checkField(n, 0xffffff, field);
      out[i++] = n >>> 16;
      out[i++] = (n >>> 8) & 0xff;
      out[i++] = n & 0xff;
      return w;
    },
    u32: (n, field) => {
      checkField(n, 0xffffffff, field);
      out[i++] = n >>> 24;
      out[i++] = (n >>> 16) & 0xff;
      out[i++] = (n >>> 8) & 0xff;
      out[i++] = n & 0xff;
      return w;
    },
    raw: (b) => {
      out.set(b, i);
      i += b.length;
      return w;
    },
  };
  fill(w);
  return out;
}

function checkField(n: number, max: number, field: string): void {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new TypeError(`${field}: ${n} is not an integer in 0..${max}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Lookup

/** The first capability of `kind`, typed as that kind. */
export function findCapability<K extends Capability['kind']>(
  capabilities: readonly Capability[],
  kind: K,
): Extract<Capability, { kind: K }> | undefined {
  return capabilities.find((c): c is Extract<Capability, { kind: K }> => c.kind === kind);
}
