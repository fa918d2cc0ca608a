/**
 * The values of a Router configuration, checked the same way whichever form wrote them (YAML fields or FRR
 * `router bgp` text): AS numbers (RFC 6793: 1..4294967295), BGP Identifiers (RFC 4271 §4.2 / RFC 6286: a non-zero
 * 32-bit value written as a dotted quad), cluster IDs (RFC 4456 §7; FRR also takes a plain number), addresses,
 * prefixes, hold times (RFC 4271 §4.2: 0 or at least 3), ports, endpoints, communities and RFC 9003 shutdown
 * messages.
 *
 * Each checker returns the canonical value, or a `Problem` saying what is wrong (the caller adds the position).
 *
 * Imports lib/wire and this folder.
 */
import { numberToIPv4, parseCommunity, parseExtendedCommunity, parseLargeCommunity } from '../wire/index.js';
import { canonicalAddress, cidrText, parseAddress, parseCidr } from './address.js';
import type { RouterEndpoint, RouterRemoteAs } from './router-types.js';

/** What is wrong with a value, in words for a diagnostic. */
export class Problem {
  constructor(readonly message: string) {}
  toString(): string {
    return this.message;
  }
}

export type Checked<T> = T | Problem;

export const isProblem = (v: unknown): v is Problem => v instanceof Problem;

const problem = (message: string): Problem => new Problem(message);

const MAX_U32 = 0xffffffff;

export function checkAsn(n: number): Checked<number> {
  return Number.isInteger(n) && n >= 1 && n <= MAX_U32 ? n : problem(`an AS number is 1..4294967295, not ${n}`);
}

/** An AS number from text (`65100`); asdot (`1.10`) is accepted as FRR does. */
export function parseAsnText(text: string | undefined): Checked<number> {
  if (text === undefined) return problem('an AS number is missing');
  const dot = /^(\d{1,5})\.(\d{1,5})$/.exec(text);
  if (dot) {
    const hi = Number(dot[1]);
    const lo = Number(dot[2]);
    if (hi > 0xffff || lo > 0xffff) return problem(`not an AS number: ${JSON.stringify(text)}`);
    return checkAsn(hi * 0x10000 + lo);
  }
  if (!/^\d{1,10}$/.test(text)) return problem(`not an AS number: ${JSON.stringify(text)}`);
  return checkAsn(Number(text));
}

/** `remote-as` words: a number, `internal` or `external`. */
export function parseRemoteAs(text: string | undefined): Checked<RouterRemoteAs> {
  if (text === 'internal' || text === 'external') return text;
  const n = parseAsnText(text);
  return isProblem(n) ? problem(`${n.message} (or internal, external)`) : n;
}

/** A BGP Identifier: an IPv4 address other than 0.0.0.0 (RFC 4271 §6.2: a zero identifier is refused by peers). */
export function checkRouterId(text: string): Checked<string> {
  const a = parseAddress(text);
  if (a === undefined || a.afi !== 1) return problem(`not an IPv4 address: ${JSON.stringify(text)}`);
  if (a.value === 0n) return problem('the BGP Identifier must not be 0.0.0.0 (RFC 4271 §6.2)');
  return canonicalAddress(text) as string;
}

/** RFC 4456 §7 CLUSTER_ID: a dotted quad, or (as FRR's `bgp cluster-id (1-4294967295)`) a number. */
export function checkClusterId(value: string | number): Checked<string> {
  if (typeof value === 'number' || /^\d+$/.test(value)) {
    const n = Number(value);
    return Number.isInteger(n) && n >= 1 && n <= MAX_U32 ? numberToIPv4(n) : problem(`a cluster ID is an IPv4 address or 1..4294967295, not ${value}`);
  }
  const a = parseAddress(value);
  if (a === undefined || a.afi !== 1) return problem(`a cluster ID is an IPv4 address or 1..4294967295, not ${JSON.stringify(value)}`);
  return canonicalAddress(value) as string;
}

export function checkAddress(text: string): Checked<string> {
  return canonicalAddress(text) ?? problem(`not an IP address: ${JSON.stringify(text)}`);
}

/** A prefix with its host bits clear (FRR refuses `network 10.1.1.1/24` too). */
export function checkPrefix(text: string): Checked<string> {
  const r = parseCidr(text);
  if (typeof r === 'string') return problem(r);
  const canonical = cidrText(r.cidr);
  if (r.hostBits) return problem(`${JSON.stringify(text)} has host bits set: did you mean ${canonical}?`);
  return canonical;
}

/** RFC 4271 §4.2: "the Hold Time MUST be either zero or at least three seconds". */
export function checkHoldTime(n: number): Checked<number> {
  return Number.isInteger(n) && (n === 0 || (n >= 3 && n <= 65535)) ? n : problem(`a hold time is 0 or 3..65535 seconds, not ${n}`);
}

export function checkIntIn(n: number, min: number, max: number, what: string): Checked<number> {
  return Number.isInteger(n) && n >= min && n <= max ? n : problem(`${what} is ${min}..${max}, not ${n}`);
}

/** An integer written as text, within bounds. */
export function parseIntText(text: string | undefined, min: number, max: number, what: string): Checked<number> {
  if (text === undefined || !/^\d{1,10}$/.test(text)) return problem(`${what} is a number ${min}..${max}, not ${JSON.stringify(text ?? '')}`);
  return checkIntIn(Number(text), min, max, what);
}

/** RFC 9003 §2: the shutdown communication is at most 255 octets of UTF-8. */
export function checkShutdownMessage(text: string): Checked<string> {
  const n = new TextEncoder().encode(text).length;
  return n <= 255 ? text : problem(`a shutdown message is at most 255 octets of UTF-8 (RFC 9003), this one is ${n}`);
}

/** `host:port`, `[v6]:port` or a unix socket path (absolute, or `unix:PATH`). */
export function parseEndpointText(text: string): Checked<RouterEndpoint> {
  if (text.startsWith('unix:')) return text.length > 5 ? { socketPath: text.slice(5) } : problem('an empty socket path');
  if (text.startsWith('/')) return { socketPath: text };
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  if (!m) return problem(`expected HOST:PORT, [IPV6]:PORT or a socket path, not ${JSON.stringify(text)}`);
  const port = Number(m[2]);
  if (port > 65535) return problem(`port ${port} is above 65535`);
  const host = m[1] as string;
  return { host: host === 'localhost' ? host : (canonicalAddress(host) ?? host), port };
}

const COMMUNITY_PARSERS = {
  communities: parseCommunity,
  largeCommunities: parseLargeCommunity,
  extendedCommunities: parseExtendedCommunity,
} as const;

/** One community of an originated network (RFC 1997, RFC 8092, RFC 4360), checked by the codec's own parser. */
export function checkCommunity(kind: keyof typeof COMMUNITY_PARSERS, text: string): Checked<string> {
  try {
    COMMUNITY_PARSERS[kind](text);
    return text;
  } catch (err) {
    return problem((err as Error).message);
  }
}
