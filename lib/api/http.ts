/**
 * The HTTP plumbing the control API and the metrics listener share, on node:http alone: where to listen (a unix
 * socket, or a TCP port that must be loopback unless remote access is allowed explicitly), a small router with
 * `:name` path parameters, bounded JSON bodies, and JSON / error responses.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { chmod, lstat, unlink } from 'node:fs/promises';
import { parseIPv4, parseIPv6 } from '../wire/index.js';
import { ApiError, badRequest } from './errors.js';

/** A unix socket path, or a TCP address. */
export type Endpoint = { readonly socketPath: string } | { readonly host: string; readonly port: number };

export function describeEndpoint(e: Endpoint): string {
  if ('socketPath' in e) return e.socketPath;
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and `localhost`: addresses no other host can reach. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const v4 = parseIPv4(host);
  if (v4) return v4[0] === 127;
  const v6 = parseIPv6(host);
  if (!v6) return false;
  const zeros = (from: number, to: number): boolean => v6.subarray(from, to).every((b) => b === 0);
  // ::1, or an IPv4-mapped loopback (::ffff:127.0.0.1).
  if (zeros(0, 15) && v6[15] === 1) return true;
  return zeros(0, 10) && v6[10] === 0xff && v6[11] === 0xff && v6[12] === 127;
}

/** Answers a path that exists with the wrong method: 405 and the methods it takes. */
class MethodNotAllowed extends ApiError {
  readonly allow: string[];
  constructor(method: string, path: string, allow: string[]) {
    super(405, `${method} is not allowed on ${path} (allowed: ${allow.join(', ')})`);
    this.allow = allow;
  }
}

export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  /** The `:name` segments of the matched route, decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The parsed JSON body (undefined when there was none). */
  readonly body: unknown;
}

/** A handler's answer: a JSON value (status 200), or a status, body and content type of its own. */
export type ApiResult = { status?: number; json: unknown } | { status?: number; text: string; contentType: string };
export type ApiHandler = (req: ApiRequest) => ApiResult | Promise<ApiResult>;

interface Route {
  readonly method: string;
  readonly pattern: string;
  readonly segments: readonly string[];
  readonly handler: ApiHandler;
}

export class Router {
  private readonly routes: Route[] = [];

  /** Adds a route: `GET /v1/neighbors/:addr`. A second handler for the same method and pattern is an error. */
  add(method: string, pattern: string, handler: ApiHandler): void {
    if (!pattern.startsWith('/')) throw new Error(`route pattern must start with /: ${pattern}`);
    const m = method.toUpperCase();
    if (this.routes.some((r) => r.method === m && r.pattern === pattern)) throw new Error(`route ${m} ${pattern} exists`);
    this.routes.push({ method: m, pattern, segments: pattern.split('/').slice(1), handler });
  }

  /** The handler and parameters for a request; throws 404 for an unknown path, 405 for a wrong method. */
  match(method: string, path: string): { handler: ApiHandler; params: Record<string, string> } {
    const parts = path.split('/').slice(1);
    const allow: string[] = [];
    for (const r of this.routes) {
      const params = matchSegments(r.segments, parts);
      if (!params) continue;
      if (r.method === method || (method === 'HEAD' && r.method === 'GET')) return { handler: r.handler, params };
      allow.push(r.method);
    }
    if (allow.length > 0) throw new MethodNotAllowed(method, path, allow);
    throw new ApiError(404, `no such endpoint: ${path}`);
  }
}

function matchSegments(pattern: readonly string[], parts: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const part = parts[i] as string;
    if (p.startsWith(':')) {
      if (part === '') return undefined;
      try {
        params[p.slice(1)] = decodeURIComponent(part);
      } catch {
        return undefined;
      }
    } else if (p !== part) {
      return undefined;
    }
  }
  return params;
}

/** Reads the body, at most `limit` bytes, and parses it as JSON (an empty body is undefined). */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) throw new ApiError(413, `request body larger than ${limit} bytes`);
    chunks.push(b);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`request body is not JSON: ${(err as Error).message}`);
  }
}

export function send(res: ServerResponse, result: ApiResult, head = false): void {
  const status = result.status ?? 200;
  const [body, type] = 'json' in result ? [`${JSON.stringify(result.json, null, 2)}\n`, 'application/json; charset=utf-8'] : [result.text, result.contentType];
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(head ? undefined : body);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const status = err instanceof ApiError ? err.status : 500;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof MethodNotAllowed) res.setHeader('allow', err.allow.join(', '));
  send(res, { status, json: { error: message } });
}

export interface ListenOptions {
  /** Allow a TCP address other hosts can reach (default false: loopback only). */
  allowRemote?: boolean;
  /** File mode of a unix socket (default 0o660: owner and group). */
  socketMode?: number;
}

/**
 * Creates the server and listens. A TCP host other than loopback is refused unless `allowRemote`. A unix socket
 * left behind by a process that died is removed; one that answers means another instance runs, and is an error.
 * Resolves with the bound endpoint (the real port when 0 was asked).
 */
export async function listenHttp(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  endpoint: Endpoint,
  options: ListenOptions = {},
): Promise<{ server: Server; endpoint: Endpoint }> {
  if (!('socketPath' in endpoint) && !options.allowRemote && !isLoopback(endpoint.host)) {
    throw new Error(`refusing to listen on ${describeEndpoint(endpoint)}: not a loopback address (set allowRemote to permit it)`);
  }
  if ('socketPath' in endpoint) await removeStaleSocket(endpoint.socketPath);
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => {
      server.off('error', reject);
      resolve();
    };
    if ('socketPath' in endpoint) server.listen(endpoint.socketPath, done);
    else server.listen(endpoint.port, endpoint.host, done);
  });
  if ('socketPath' in endpoint) {
    try {
      await chmod(endpoint.socketPath, options.socketMode ?? 0o660);
    } catch (err) {
      await closeHttp(server, endpoint);
      throw err;
    }
    return { server, endpoint };
  }
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : endpoint.port;
  return { server, endpoint: { host: endpoint.host, port } };
}

async function removeStaleSocket(path: string): Promise<void> {
  let stat;
  try {
    stat = await lstat(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new Error(`${path} exists and is not a socket`);
  const alive = await new Promise<boolean>((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`${path} is in use: is another tsbgpd running?`);
  await unlink(path);
}

/** Closes the server, ending idle keep-alive connections, and removes its unix socket. */
export async function closeHttp(server: Server, endpoint: Endpoint): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  if ('socketPath' in endpoint) await unlink(endpoint.socketPath).catch(() => undefined);
}
