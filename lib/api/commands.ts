/**
 * The CLI's side of the control API, one function per command: build the request (path, query, body), send it,
 * and return the text to print — FRR-style tables, or the JSON itself with `json: true`. bin/ parses argv and
 * prints; everything between argv and stdout that knows about the API lives here.
 */
import type { RouteAttributes } from '../speaker/index.js';
import { request, type RequestOptions } from './client.js';
import type { Endpoint } from './http.js';
import type { ClearKind } from './requests.js';
import { renderNeighbor, renderNeighbors } from './show-neighbors.js';
import { renderRoutes } from './show-routes.js';
import { renderSummary } from './show-summary.js';
import type { NeighborView, NeighborsView, RoutesView, SummaryView } from './views.js';

export type ShowCommand =
  | { readonly what: 'summary' }
  | { readonly what: 'neighbors'; readonly address?: string }
  | { readonly what: 'routes'; readonly prefix?: string; readonly neighbor?: string; readonly view?: 'received' | 'advertised' };

export interface CommandOptions extends RequestOptions {
  /** Print the API's JSON instead of the table. */
  json?: boolean;
}

/** The request path of a `show` command, query string included. */
export function showPath(command: ShowCommand): string {
  switch (command.what) {
    case 'summary':
      return '/v1/summary';
    case 'neighbors':
      return command.address === undefined ? '/v1/neighbors' : `/v1/neighbors/${encodeURIComponent(command.address)}`;
    case 'routes': {
      const query = new URLSearchParams();
      if (command.prefix !== undefined) query.set('prefix', command.prefix);
      if (command.neighbor !== undefined) query.set('neighbor', command.neighbor);
      if (command.view !== undefined) query.set('view', command.view);
      const q = query.toString();
      return q === '' ? '/v1/routes' : `/v1/routes?${q}`;
    }
  }
}

const asJson = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Runs `show …` against the daemon and returns what to print. Errors are the client's (ApiError, ApiUnavailableError). */
export async function show(endpoint: Endpoint, command: ShowCommand, options: CommandOptions = {}): Promise<string> {
  const body = await request(endpoint, 'GET', showPath(command), undefined, options);
  if (options.json) return asJson(body);
  // The daemon answers these paths with the views of views.ts (the server and this file are one version).
  switch (command.what) {
    case 'summary':
      return renderSummary(body as SummaryView);
    case 'neighbors':
      return command.address === undefined ? renderNeighbors(body as NeighborsView) : renderNeighbor(body as NeighborView);
    case 'routes':
      return renderRoutes(body as RoutesView);
  }
}

/** Announces a prefix; returns the confirmation line (or JSON). */
export async function announce(endpoint: Endpoint, prefix: string, attributes: RouteAttributes = {}, options: CommandOptions = {}): Promise<string> {
  const body = (await request(endpoint, 'POST', '/v1/announce', { prefix, attributes }, options)) as { announced: string };
  return options.json ? asJson(body) : `announced ${body.announced}\n`;
}

export async function withdraw(endpoint: Endpoint, prefix: string, options: CommandOptions = {}): Promise<string> {
  const body = (await request(endpoint, 'POST', '/v1/withdraw', { prefix }, options)) as { withdrawn: string };
  return options.json ? asJson(body) : `withdrew ${body.withdrawn}\n`;
}

/** FRR `clear bgp ADDR [soft in|out]`; `message` (hard only) is the RFC 9003 shutdown communication. */
export async function clear(endpoint: Endpoint, address: string, kind: ClearKind = 'hard', message?: string, options: CommandOptions = {}): Promise<string> {
  const payload = kind === 'hard' ? (message === undefined ? {} : { message }) : { soft: kind };
  const body = (await request(endpoint, 'POST', `/v1/neighbors/${encodeURIComponent(address)}/clear`, payload, options)) as {
    neighbor: string;
    done: string;
  };
  return options.json ? asJson(body) : `cleared ${body.neighbor}: ${body.done}\n`;
}
