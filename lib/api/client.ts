/**
 * The control API client the CLI uses: one request over the daemon's unix socket or TCP endpoint, JSON in and
 * out, with a timeout and errors that say what is wrong in an operator's words ("tsbgpd is not running at …").
 * An error answer from the daemon comes back as an `ApiError` with its status and message.
 */
import { request as httpRequest } from 'node:http';
import { ApiError } from './errors.js';
import { describeEndpoint, type Endpoint } from './http.js';

export interface RequestOptions {
  /** Milliseconds for the whole exchange (default 10 000). */
  timeoutMs?: number;
}

/** A failure to talk to the daemon at all (not running, no permission, no answer). */
export class ApiUnavailableError extends Error {
  readonly code: string | undefined;

  constructor(message: string, code?: string) {
    super(message);
    this.name = 'ApiUnavailableError';
    this.code = code;
  }
}

/**
 * Reads an endpoint as a user writes it: `/run/tsbgpd.sock` or `unix:/run/tsbgpd.sock`, `127.0.0.1:7473`,
 * `[::1]:7473`, or `http://127.0.0.1:7473`. Throws a TypeError otherwise.
 */
export function parseEndpoint(text: string): Endpoint {
  const t = text.trim();
  if (t.startsWith('unix:')) return { socketPath: t.slice(5) };
  if (t.startsWith('/') || t.startsWith('.')) return { socketPath: t };
  const hostPort = t.startsWith('http://') ? t.slice(7).replace(/\/$/, '') : t;
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(hostPort) ?? /^([^:/\s]+):(\d{1,5})$/.exec(hostPort);
  if (m && Number(m[2]) > 0 && Number(m[2]) <= 65535) return { host: m[1] as string, port: Number(m[2]) };
  throw new TypeError(`not an endpoint: ${JSON.stringify(text)} (expected a socket path or host:port)`);
}

function unavailable(endpoint: Endpoint, err: NodeJS.ErrnoException): ApiUnavailableError {
  const where = describeEndpoint(endpoint);
  switch (err.code) {
    case 'ENOENT':
      return new ApiUnavailableError(`tsbgpd is not running at ${where} (no such socket)`, err.code);
    case 'ECONNREFUSED':
      return new ApiUnavailableError(`tsbgpd is not running at ${where} (connection refused)`, err.code);
    case 'EACCES':
    case 'EPERM':
      return new ApiUnavailableError(`permission denied on ${where}: run as a user that may use the control socket`, err.code);
    case 'ECONNRESET':
    case 'EPIPE':
      return new ApiUnavailableError(`tsbgpd at ${where} closed the connection`, err.code);
    default:
      return new ApiUnavailableError(`cannot reach tsbgpd at ${where}: ${err.message}`, err.code);
  }
}

/**
 * Sends one request and resolves with the parsed JSON body of a 2xx answer. Rejects with `ApiError` for an error
 * answer, `ApiUnavailableError` when the daemon cannot be reached or does not answer in time.
 */
export function request(endpoint: Endpoint, method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<unknown> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const target = 'socketPath' in endpoint ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port };
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        ...target,
        method,
        path,
        headers: {
          accept: 'application/json',
          ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(unavailable(endpoint, err));
        });
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text === '' ? undefined : (JSON.parse(text) as unknown);
          } catch {
            reject(new ApiUnavailableError(`tsbgpd at ${describeEndpoint(endpoint)} answered ${res.statusCode} with something that is not JSON`));
            return;
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            resolve(json);
            return;
          }
          const message =
            typeof json === 'object' && json !== null && typeof (json as { error?: unknown }).error === 'string'
              ? (json as { error: string }).error
              : `HTTP ${status}`;
          reject(new ApiError(status, message));
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      reject(new ApiUnavailableError(`tsbgpd at ${describeEndpoint(endpoint)} did not answer within ${timeoutMs} ms`, 'ETIMEDOUT'));
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(unavailable(endpoint, err));
    });
    req.end(payload);
  });
}
