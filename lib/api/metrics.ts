/**
 * Prometheus metrics: a registry of collectors read at scrape time, the text exposition format (version 0.0.4)
 * written by hand, and the `GET /metrics` listener (off unless configured; 127.0.0.1 by default).
 *
 * Why not prom-client: every value here already lives in the speaker (counters, RIB sizes) and is read when
 * Prometheus scrapes, so the registry is a list of functions; prom-client's value stores, global default
 * registry and aggregation would add a dependency and a second copy of state to keep in step. The format is
 * small and is checked here: metric and label names are validated, label values and help text escaped, and
 * each family is written once with its HELP and TYPE even when several collectors contribute samples.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeHttp, describeEndpoint, listenHttp, send, sendError, type Endpoint } from './http.js';
import { ApiError } from './errors.js';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'untyped';

export interface MetricSample {
  /** A histogram's series are the family name plus `_bucket`, `_sum` or `_count`. */
  readonly suffix?: '_bucket' | '_sum' | '_count';
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly MetricSample[];
}

/** Returns the families it knows at the moment of the scrape. */
export type MetricsCollector = () => readonly MetricFamily[];

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Label values: backslash, double quote and line feed escaped (exposition format 0.0.4). */
function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** HELP text: backslash and line feed escaped. */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatLabels(labels: Readonly<Record<string, string>> | undefined, metric: string): string {
  if (!labels) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_NAME.test(k) || k.startsWith('__')) throw new Error(`metric ${metric}: invalid label name ${JSON.stringify(k)}`);
    parts.push(`${k}="${escapeLabelValue(v)}"`);
  }
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/**
 * The text exposition of `families`, in order. Families of the same name are merged (their types must agree);
 * a family with no samples still states its HELP and TYPE, as client libraries do.
 */
export function renderExposition(families: readonly MetricFamily[]): string {
  const merged = new Map<string, { help: string; type: MetricType; samples: MetricSample[] }>();
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new Error(`invalid metric name ${JSON.stringify(f.name)}`);
    const seen = merged.get(f.name);
    if (seen) {
      if (seen.type !== f.type) throw new Error(`metric ${f.name} registered as ${seen.type} and ${f.type}`);
      seen.samples.push(...f.samples);
    } else {
      merged.set(f.name, { help: f.help, type: f.type, samples: [...f.samples] });
    }
  }
  let out = '';
  for (const [name, f] of merged) {
    out += `# HELP ${name} ${escapeHelp(f.help)}\n# TYPE ${name} ${f.type}\n`;
    for (const s of f.samples) out += `${name}${s.suffix ?? ''}${formatLabels(s.labels, name)} ${formatValue(s.value)}\n`;
  }
  return out;
}

/**
 * A Prometheus histogram's state: observations counted into cumulative `le` buckets, with their sum. Kept here
 * rather than in the speaker because only the exposition needs buckets; the speaker reports each observation.
 */
export class Histogram {
  readonly bounds: readonly number[];
  private readonly counts: Float64Array;
  private total = 0;
  private sum = 0;

  /** `bounds`: the upper bounds of the buckets, ascending; `+Inf` is implied. */
  constructor(bounds: readonly number[]) {
    for (let i = 1; i < bounds.length; i++) {
      if (!((bounds[i] as number) > (bounds[i - 1] as number))) throw new Error('histogram bounds must ascend');
    }
    this.bounds = [...bounds];
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    this.total++;
    this.sum += value;
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (value <= (b[i] as number)) {
        this.counts[i] = (this.counts[i] as number) + 1;
        return;
      }
    }
  }

  get count(): number {
    return this.total;
  }

  /** The `_bucket` (cumulative, ending with `le="+Inf"`), `_sum` and `_count` samples under `labels`. */
  samples(labels: Readonly<Record<string, string>> = {}): MetricSample[] {
    const out: MetricSample[] = [];
    let cumulative = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      cumulative += this.counts[i] as number;
      out.push({ suffix: '_bucket', labels: { ...labels, le: formatValue(this.bounds[i] as number) }, value: cumulative });
    }
    out.push({ suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: this.total });
    out.push({ suffix: '_sum', labels, value: this.sum });
    out.push({ suffix: '_count', labels, value: this.total });
    return out;
  }
}

export class MetricsRegistry {
  private readonly collectors = new Map<string, MetricsCollector>();

  /**
   * Adds a collector under a name (e.g. `speaker`, `allocator`); the hook other parts of the daemon use to
   * export their metrics. Returns a function that removes it again.
   */
  register(name: string, collector: MetricsCollector): () => void {
    if (this.collectors.has(name)) throw new Error(`metrics collector ${name} is already registered`);
    this.collectors.set(name, collector);
    return () => {
      if (this.collectors.get(name) === collector) this.collectors.delete(name);
    };
  }

  collect(): MetricFamily[] {
    return [...this.collectors.values()].flatMap((c) => c());
  }

  render(): string {
    return renderExposition(this.collect());
  }
}

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Default metrics listener: loopback only, MetalLB's speaker metrics port. */
export const DEFAULT_METRICS_ENDPOINT: Endpoint = { host: '127.0.0.1', port: 7472 };

export interface MetricsServerOptions {
  registry: MetricsRegistry;
  /** Default 127.0.0.1:7472. */
  endpoint?: Endpoint;
  /**
   * Permit a non-loopback address (Prometheus scraping from another host). Metrics are read-only, but the
   * listener stays on loopback unless the configuration says otherwise.
   */
  allowRemote?: boolean;
}

/** `GET /metrics` on its own listener, apart from the control API. */
export class MetricsServer {
  private readonly options: MetricsServerOptions;
  private server: Server | undefined;
  private bound: Endpoint | undefined;

  constructor(options: MetricsServerOptions) {
    this.options = options;
  }

  get endpoint(): Endpoint | undefined {
    return this.bound;
  }

  async listen(): Promise<Endpoint> {
    if (this.server) throw new Error('metrics already listening');
    const endpoint = this.options.endpoint ?? DEFAULT_METRICS_ENDPOINT;
    const { server, endpoint: bound } = await listenHttp((req, res) => this.handle(req, res), endpoint, {
      ...(this.options.allowRemote !== undefined ? { allowRemote: this.options.allowRemote } : {}),
    });
    this.server = server;
    this.bound = bound;
    return bound;
  }

  async close(): Promise<void> {
    const server = this.server;
    const bound = this.bound;
    this.server = undefined;
    this.bound = undefined;
    if (server && bound) await closeHttp(server, bound);
  }

  describe(): string {
    return this.bound ? describeEndpoint(this.bound) : 'not listening';
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    try {
      const path = new URL(req.url ?? '/', 'http://tsbgpd').pathname;
      if (path !== '/metrics') throw new ApiError(404, `no such endpoint: ${path} (metrics are at /metrics)`);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        throw new ApiError(405, `${req.method ?? '?'} is not allowed on /metrics`);
      }
      send(res, { text: this.options.registry.render(), contentType: EXPOSITION_CONTENT_TYPE }, req.method === 'HEAD');
    } catch (err) {
      sendError(res, err);
    }
  }
}
