/**
 * The `match …` and `set …` lines of an FRR route map, as tokens, parsed into typed clauses.
 *
 * Supported, with FRR's words (bgpd/bgp_routemap.c):
 *   match ip address prefix-list NAME        match ipv6 address prefix-list NAME
 *   match ip next-hop prefix-list NAME       match ipv6 next-hop prefix-list NAME
 *   match community NAME [exact-match|any]   match large-community NAME [exact-match|any]
 *   match as-path NAME    match metric N    match local-preference N    match origin igp|egp|incomplete
 *   match peer A.B.C.D|X:X::X:X
 *   set local-preference [+|-]N              set metric [+|-]N           set origin igp|egp|incomplete
 *   set community none | COMMUNITY… [additive]          set comm-list NAME delete
 *   set large-community none | LARGE… [additive]       set large-comm-list NAME delete
 *   set as-path prepend ASN… | last-as (1-10)           set as-path exclude ASN… | all
 *   set ip next-hop A.B.C.D | peer-address | self       set ipv6 next-hop global X:X::X | peer-address | self
 * (`self` is tsbgpd's.) Commands FRR has but tsbgpd cannot honour are refused by name rather than ignored, so a
 * configuration never silently means less than it says: access lists (`match ip address NAME`), `set weight`
 * (not a path attribute), `set ip next-hop unchanged`, `set metric rtt`, tags, EVPN and the like.
 *
 * Imports its siblings only.
 */
import { normaliseAddress, parseAddressWords } from './ip-prefix.js';
import type { CommunityMatchMode, MatchClause, SetClause } from './types.js';
import {
  ValueError,
  isError,
  parseAdjustable,
  parseAsns,
  parseCommunities,
  parseIntIn,
  parseLargeCommunities,
  parseOrigin,
  parseU32,
} from './values.js';

const fail = (message: string): ValueError => new ValueError(message);

function listName(tokens: readonly string[], at: number, usage: string): string | ValueError {
  const name = tokens[at];
  if (name === undefined || tokens.length !== at + 1) return fail(`usage: ${usage}`);
  return name;
}

function communityMode(tokens: readonly string[], usage: string): { list: string; mode: CommunityMatchMode } | ValueError {
  const list = tokens[1];
  const option = tokens[2];
  if (list === undefined || tokens.length > 3) return fail(`usage: ${usage}`);
  if (option === undefined) return { list, mode: 'default' };
  if (option === 'exact-match') return { list, mode: 'exact' };
  if (option === 'any') return { list, mode: 'any' };
  return fail(`usage: ${usage}`);
}

/** Parses the tokens after `match`. */
export function parseMatchTokens(t: readonly string[]): MatchClause | ValueError {
  const [a, b, c] = t;
  if ((a === 'ip' || a === 'ipv6') && (b === 'address' || b === 'next-hop')) {
    const family = a === 'ip' ? 'ipv4' : 'ipv6';
    if (c !== 'prefix-list') {
      if (t.length === 3) return fail(`match ${a} ${b} with an access list is not supported; use "match ${a} ${b} prefix-list NAME"`);
      return fail(`unsupported match clause: match ${t.join(' ')}`);
    }
    const list = listName(t, 3, `match ${a} ${b} prefix-list NAME`);
    if (isError(list)) return list;
    return { kind: b === 'address' ? 'prefix-list' : 'next-hop-prefix-list', family, list };
  }
  switch (a) {
    case 'community':
    case 'large-community': {
      const r = communityMode(t, `match ${a} NAME [exact-match|any]`);
      return isError(r) ? r : { kind: a, list: r.list, mode: r.mode };
    }
    case 'as-path': {
      const list = listName(t, 1, 'match as-path NAME');
      return isError(list) ? list : { kind: 'as-path', list };
    }
    case 'metric':
    case 'local-preference': {
      if (t.length !== 2) return fail(`usage: match ${a} (0-4294967295)`);
      const value = parseU32(b, a);
      return isError(value) ? value : { kind: a, value };
    }
    case 'origin': {
      if (t.length !== 2) return fail('usage: match origin igp|egp|incomplete');
      const origin = parseOrigin(b);
      return isError(origin) ? origin : { kind: 'origin', origin };
    }
    case 'peer': {
      if (t.length !== 2 || b === undefined) return fail('usage: match peer A.B.C.D|X:X::X:X');
      const address = normaliseAddress(b);
      if (address === undefined) return fail(`match peer: only a peer address is supported, not ${JSON.stringify(b)}`);
      return { kind: 'peer', address };
    }
    default:
      return fail(`unsupported match clause: match ${t.join(' ')}`);
  }
}

function parseNextHop(family: 'ipv4' | 'ipv6', value: string | undefined, extra: boolean): SetClause | ValueError {
  const cmd = family === 'ipv4' ? 'set ip next-hop' : 'set ipv6 next-hop global';
  if (value === undefined || extra) return fail(`usage: ${cmd} ADDRESS|peer-address|self`);
  if (value === 'peer-address' || value === 'self') return { kind: 'next-hop', family, value };
  if (value === 'unchanged') return fail(`${cmd} unchanged is not supported`);
  const parsed = parseAddressWords(value);
  if (!parsed || parsed.afi !== (family === 'ipv4' ? 1 : 2)) return fail(`${cmd}: not an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address: ${JSON.stringify(value)}`);
  return { kind: 'next-hop', family, value: { address: normaliseAddress(value) as string } };
}

/** Parses the tokens after `set`. */
export function parseSetTokens(t: readonly string[]): SetClause | ValueError {
  const [a, b] = t;
  switch (a) {
    case 'local-preference':
    case 'metric': {
      if (t.length !== 2) return fail(`usage: set ${a} [+|-](0-4294967295)`);
      if (b === 'rtt' || b === '+rtt' || b === '-rtt') return fail(`set ${a} ${b} is not supported`);
      const value = parseAdjustable(b, a);
      return isError(value) ? value : { kind: a, value };
    }
    case 'origin': {
      if (t.length !== 2) return fail('usage: set origin igp|egp|incomplete');
      const origin = parseOrigin(b);
      return isError(origin) ? origin : { kind: 'origin', origin };
    }
    case 'community':
    case 'large-community': {
      const rest = t.slice(1);
      if (rest.length === 1 && rest[0] === 'none') return { kind: a, values: 'none', additive: false };
      const additive = rest[rest.length - 1] === 'additive';
      const items = additive ? rest.slice(0, -1) : rest;
      if (a === 'community') {
        const values = parseCommunities(items);
        return isError(values) ? values : { kind: a, values, additive };
      }
      const values = parseLargeCommunities(items);
      return isError(values) ? values : { kind: a, values, additive };
    }
    case 'comm-list':
    case 'large-comm-list': {
      if (t.length !== 3 || t[2] !== 'delete' || b === undefined) return fail(`usage: set ${a} NAME delete`);
      return { kind: a === 'comm-list' ? 'community-delete' : 'large-community-delete', list: b };
    }
    case 'as-path': {
      const rest = t.slice(2);
      if (b === 'prepend') {
        if (rest[0] === 'last-as') {
          if (rest.length !== 2) return fail('usage: set as-path prepend last-as (1-10)');
          const count = parseIntIn(rest[1], 1, 10, 'last-as');
          return isError(count) ? count : { kind: 'as-path-prepend-last-as', count };
        }
        const asns = parseAsns(rest);
        return isError(asns) ? asns : { kind: 'as-path-prepend', asns };
      }
      if (b === 'exclude') {
        if (rest.length === 1 && rest[0] === 'all') return { kind: 'as-path-exclude', asns: 'all' };
        if (rest[0] === 'as-path-access-list') return fail('set as-path exclude as-path-access-list is not supported');
        const asns = parseAsns(rest);
        return isError(asns) ? asns : { kind: 'as-path-exclude', asns };
      }
      return fail(`unsupported set clause: set ${t.join(' ')}`);
    }
    case 'ip':
      if (b !== 'next-hop') break;
      return parseNextHop('ipv4', t[2], t.length > 3);
    case 'ipv6':
      if (b !== 'next-hop') break;
      if (t[2] === 'global') return parseNextHop('ipv6', t[3], t.length > 4);
      if (t[2] === 'peer-address' || t[2] === 'self') return parseNextHop('ipv6', t[2], t.length > 3);
      return fail(`set ipv6 next-hop ${t.slice(2).join(' ')} is not supported; use "set ipv6 next-hop global ADDRESS"`);
    case 'weight':
      return fail('set weight is not supported: weight is local to a router, not a path attribute');
    default:
      break;
  }
  return fail(`unsupported set clause: set ${t.join(' ')}`);
}
