/**
 * The control API: HTTP/JSON over a unix socket (by default) or a loopback TCP port, for the `tsbgpd` CLI and
 * scripts. Reads are the views of views.ts; writes announce and withdraw routes and clear sessions.
 *
 *   GET  /v1/summary                      SummaryView
 *   GET  /v1/neighbors                    NeighborsView
 *   GET  /v1/neighbors/:addr              NeighborView                         404 unknown peer
 *   GET  /v1/routes?prefix=&neighbor=&view=received|advertised   RoutesView
 *   POST /v1/announce {prefix, attributes}                                       400 bad prefix/attribute
 *   POST /v1/withdraw {prefix}                                                   404 not announced here
 *   POST /v1/neighbors/:addr/clear {soft?: in|out|both, message?}                409 soft clear, session down
 *
 * Errors are `{ "error": "…" }` with 400 (bad request), 404 (no such peer / route / endpoint), 405, 409, 413 or
 * 500. `route()` lets other parts of the daemon (the announcer's `GET /v1/services`) add endpoints.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { formatPrefix, parsePrefix } from '../wire/index.js';
import { silentLogger, type Logger } from '../session/index.js';
import { ApiError, badRequest, conflict, notFound } from './errors.js';
import { closeHttp, describeEndpoint, listenHttp, readJsonBody, Router, send, sendError, type ApiHandler, type Endpoint } from './http.js';
import { findPeer, neighborView, neighborsView, summaryView } from './peer-views.js';
import { parseAnnounce, parseClear, parseRoutesQuery, parseWithdraw } from './requests.js';
import { routesView } from './route-views.js';
import { hardReset, softOut, type SpeakerControl } from './source.js';

/** Where the daemon listens when the configuration names no endpoint. */
export const DEFAULT_SOCKET_PATH = '/run/tsbgpd.sock';

export interface ControlServerOptions {
  speaker: SpeakerControl;
  /** Default `{ socketPath: DEFAULT_SOCKET_PATH }`. */
  endpoint?: Endpoint;
  /** Permit a TCP address that is not loopback (the API can withdraw every route: keep it local). */
  allowRemote?: boolean;
  /** Mode of the unix socket file (default 0o660). */
  socketMode?: number;
  logger?: Logger;
  /** Largest request body accepted (default 64 KiB). */
  maxBodyBytes?: number;
  /** Time allowed to receive a whole request (default 10 s). */
  requestTimeoutMs?: number;
}

export class ControlServer {
  private readonly options: ControlServerOptions;
  private readonly speaker: SpeakerControl;
  private readonly log: Logger;
  private readonly router = new Router();
  private server: Server | undefined;
  private bound: Endpoint | undefined;

  constructor(options: ControlServerOptions) {
    this.options = options;
    this.speaker = options.speaker;
    this.log = options.logger ?? silentLogger;
    this.addRoutes();
  }

  /** The endpoint actually listened on (after `listen`; a TCP port 0 is resolved). */
  get endpoint(): Endpoint | undefined {
    return this.bound;
  }

  /**
   * Adds an endpoint (the extension point for other daemon parts, e.g. `GET /v1/services`). Patterns take
   * `:name` segments; the handler returns `{ json }` or throws an `ApiError` for its status.
   */
  route(method: string, pattern: string, handler: ApiHandler): void {
    this.router.add(method, pattern, handler);
  }

  async listen(): Promise<Endpoint> {
    if (this.server) throw new Error('control API already listening');
    const endpoint = this.options.endpoint ?? { socketPath: DEFAULT_SOCKET_PATH };
    const { server, endpoint: bound } = await listenHttp((req, res) => void this.handle(req, res), endpoint, {
      ...(this.options.allowRemote !== undefined ? { allowRemote: this.options.allowRemote } : {}),
      ...(this.options.socketMode !== undefined ? { socketMode: this.options.socketMode } : {}),
    });
    server.requestTimeout = this.options.requestTimeoutMs ?? 10_000;
    server.headersTimeout = Math.min(server.requestTimeout, 10_000);
    this.server = server;
    this.bound = bound;
    this.log.info({ event: 'api-listening', endpoint: describeEndpoint(bound) }, `control API on ${describeEndpoint(bound)}`);
    return bound;
  }

  async close(): Promise<void> {
    const server = this.server;
    const bound = this.bound;
    this.server = undefined;
    this.bound = undefined;
    if (server && bound) await closeHttp(server, bound);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    try {
      const url = new URL(req.url ?? '/', 'http://tsbgpd');
      const { handler, params } = this.router.match(method, url.pathname);
      const body = method === 'GET' || method === 'HEAD' ? undefined : await readJsonBody(req, this.options.maxBodyBytes ?? 65536);
      const result = await handler({ method, path: url.pathname, params, query: url.searchParams, body });
      send(res, result, method === 'HEAD');
    } catch (err) {
      if (!(err instanceof ApiError)) {
        this.log.error({ event: 'api-error', method, url: req.url, err: (err as Error).message }, 'control API request failed');
      }
      sendError(res, err);
    }
  }

  private addRoutes(): void {
    const s = this.speaker;
    this.route('GET', '/v1/summary', () => ({ json: summaryView(s) }));
    this.route('GET', '/v1/neighbors', () => ({ json: neighborsView(s) }));
    this.route('GET', '/v1/neighbors/:addr', (req) => ({ json: neighborView(s, findPeer(s, req.params.addr as string)) }));
    this.route('GET', '/v1/routes', (req) => ({ json: routesView(s, parseRoutesQuery(req.query)) }));
    this.route('POST', '/v1/announce', (req) => this.announce(req.body));
    this.route('POST', '/v1/withdraw', (req) => this.withdraw(req.body));
    this.route('POST', '/v1/neighbors/:addr/clear', (req) => this.clear(req.params.addr as string, req.body));
  }

  private announce(body: unknown): { json: unknown } {
    const { prefix, attributes } = parseAnnounce(body);
    const canonical = canonicalPrefix(prefix);
    this.speaker.announce(canonical, attributes);
    this.log.info({ event: 'api-announce', prefix: canonical, attributes }, `announced ${canonical}`);
    return { json: { announced: canonical } };
  }

  private withdraw(body: unknown): { json: unknown } {
    const canonical = canonicalPrefix(parseWithdraw(body).prefix);
    const ours = this.speaker.routes(canonical).some((e) => e.paths.some((p) => p.from === null));
    if (!ours) throw notFound(`${canonical} is not announced by this speaker`);
    this.speaker.withdraw(canonical);
    this.log.info({ event: 'api-withdraw', prefix: canonical }, `withdrew ${canonical}`);
    return { json: { withdrawn: canonical } };
  }

  private async clear(addr: string, body: unknown): Promise<{ json: unknown }> {
    const peer = findPeer(this.speaker, addr);
    const { kind, message } = parseClear(body);
    const address = peer.address;
    const notUp = (): ApiError => conflict(`neighbor ${address} is ${peer.state}, not Established: nothing to refresh`);
    let done: string;
    if (kind === 'hard') {
      const how = await hardReset(this.speaker, address, message);
      done = how === 'reset' ? 'hard (Cease / Administrative Reset)' : 'hard (Cease / Administrative Shutdown, then started again)';
    } else {
      if (kind === 'in' || kind === 'both') {
        if (!this.speaker.refreshIn(address)) throw notUp();
      }
      if (kind === 'out' || kind === 'both') {
        if (!softOut(this.speaker, address)) throw notUp();
      }
      done = `soft ${kind}`;
    }
    this.log.info({ event: 'api-clear', peer: address, kind }, `cleared ${address}: ${done}`);
    return { json: { neighbor: address, clear: kind, done } };
  }
}

/** The prefix in the speaker's spelling (`10.8.0.0/24`), or a 400. A bare address is a host route. */
function canonicalPrefix(text: string): string {
  try {
    return formatPrefix(parsePrefix(text));
  } catch {
    throw badRequest(`not a prefix: ${JSON.stringify(text)}`);
  }
}
