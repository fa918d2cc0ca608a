/**
 * Validation of what clients send: the JSON bodies of `POST /v1/announce`, `/v1/withdraw` and
 * `/v1/neighbors/:addr/clear`, and the query of `GET /v1/routes`. Anything malformed is a 400 naming the field;
 * unknown fields are refused too, so that a typo (`localpref`) never silently announces a different route.
 */
import { MAX_SHUTDOWN_COMMUNICATION } from '../wire/index.js';
import { toPathAttributes, type RouteAttributes } from '../speaker/index.js';
import { badRequest } from './errors.js';
import type { RoutesQuery } from './route-views.js';

type JsonObject = Record<string, unknown>;

function object(value: unknown, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest(`${what} must be a JSON object`);
  return value as JsonObject;
}

function onlyKeys(o: JsonObject, allowed: readonly string[], what: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw badRequest(`${what}: unknown field ${JSON.stringify(k)} (expected ${allowed.join(', ')})`);
  }
}

function string(o: JsonObject, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw badRequest(`${what}.${key} must be a non-empty string`);
  return v;
}

function optionalString(o: JsonObject, key: string, what: string): string | undefined {
  return o[key] === undefined ? undefined : string(o, key, what);
}

function optionalInteger(o: JsonObject, key: string, what: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw badRequest(`${what}.${key} must be an integer from 0 to 4294967295`);
  }
  return v;
}

function optionalStrings(o: JsonObject, key: string, what: string): string[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) throw badRequest(`${what}.${key} must be an array of strings`);
  return v;
}

const ATTRIBUTE_FIELDS = ['origin', 'asPath', 'med', 'localPref', 'communities', 'largeCommunities', 'extendedCommunities', 'nextHop'] as const;

/** `attributes` of an announcement, in the words of `RouteAttributes`; every value checked as the speaker will. */
export function parseRouteAttributes(value: unknown): RouteAttributes {
  const what = 'attributes';
  if (value === undefined) return {};
  const o = object(value, what);
  onlyKeys(o, ATTRIBUTE_FIELDS, what);
  const out: RouteAttributes = {};
  if (o.origin !== undefined) {
    if (o.origin !== 'igp' && o.origin !== 'egp' && o.origin !== 'incomplete') throw badRequest(`${what}.origin must be igp, egp or incomplete`);
    out.origin = o.origin;
  }
  if (o.asPath !== undefined) {
    const path = o.asPath;
    if (!Array.isArray(path) || !path.every((x): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xffffffff)) {
      throw badRequest(`${what}.asPath must be an array of AS numbers`);
    }
    out.asPath = path;
  }
  const med = optionalInteger(o, 'med', what);
  if (med !== undefined) out.med = med;
  const localPref = optionalInteger(o, 'localPref', what);
  if (localPref !== undefined) out.localPref = localPref;
  const communities = optionalStrings(o, 'communities', what);
  if (communities !== undefined) out.communities = communities;
  const large = optionalStrings(o, 'largeCommunities', what);
  if (large !== undefined) out.largeCommunities = large;
  const extended = optionalStrings(o, 'extendedCommunities', what);
  if (extended !== undefined) out.extendedCommunities = extended;
  const nextHop = optionalString(o, 'nextHop', what);
  if (nextHop !== undefined) out.nextHop = nextHop;
  // The speaker's own conversion names the field of a bad community or next hop; run it now for a 400.
  try {
    toPathAttributes(out);
  } catch (err) {
    throw badRequest(`${what}.${(err as Error).message}`);
  }
  return out;
}

export function parseAnnounce(body: unknown): { prefix: string; attributes: RouteAttributes } {
  const o = object(body, 'body');
  onlyKeys(o, ['prefix', 'attributes'], 'body');
  return { prefix: string(o, 'prefix', 'body'), attributes: parseRouteAttributes(o.attributes) };
}

export function parseWithdraw(body: unknown): { prefix: string } {
  const o = object(body, 'body');
  onlyKeys(o, ['prefix'], 'body');
  return { prefix: string(o, 'prefix', 'body') };
}

export type ClearKind = 'hard' | 'in' | 'out' | 'both';

/** `{}` or no body: hard clear; `{ soft: 'in' | 'out' | 'both' }`; `message`: RFC 9003 text of a hard clear. */
export function parseClear(body: unknown): { kind: ClearKind; message: string | undefined } {
  if (body === undefined) return { kind: 'hard', message: undefined };
  const o = object(body, 'body');
  onlyKeys(o, ['soft', 'message'], 'body');
  const soft = o.soft;
  if (soft !== undefined && soft !== 'in' && soft !== 'out' && soft !== 'both') throw badRequest(`body.soft must be in, out or both`);
  const message = o.message === undefined ? undefined : string(o, 'message', 'body');
  if (message !== undefined && soft !== undefined) throw badRequest('body.message goes with a hard clear only (RFC 9003)');
  if (message !== undefined && Buffer.byteLength(message, 'utf8') > MAX_SHUTDOWN_COMMUNICATION) {
    throw badRequest(`body.message is longer than ${MAX_SHUTDOWN_COMMUNICATION} octets of UTF-8 (RFC 9003 §2)`);
  }
  return { kind: soft ?? 'hard', message };
}

/** `?prefix=&neighbor=&view=received|advertised`; empty parameters count as absent. */
export function parseRoutesQuery(query: URLSearchParams): RoutesQuery {
  const out: RoutesQuery = {};
  for (const key of query.keys()) {
    if (key !== 'prefix' && key !== 'neighbor' && key !== 'view') throw badRequest(`unknown query parameter ${JSON.stringify(key)}`);
  }
  const prefix = query.get('prefix');
  if (prefix) out.prefix = prefix;
  const neighbor = query.get('neighbor');
  if (neighbor) out.neighbor = neighbor;
  const view = query.get('view');
  if (view) {
    if (view !== 'received' && view !== 'advertised') throw badRequest('view must be received or advertised');
    out.view = view;
  }
  return out;
}
