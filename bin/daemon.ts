/**
 * What every long-running tsbgpd mode shares once its speaker is up: the control API (local by default), the
 * Prometheus endpoint (off unless asked for), and the signals — SIGTERM/SIGINT withdraw and close every session
 * with Cease and a shutdown message, then exit (the announcer with a graceful-restart BGPPeer withdraws nothing:
 * its `stop` leaves the routes with the peers for the restart time, docs/announcer.md); SIGHUP reloads the configuration, keeping the running one when the
 * new one is invalid.
 */
import type { Logger } from 'pino';
import {
  ControlServer,
  MetricsRegistry,
  MetricsServer,
  describeEndpoint,
  parseEndpoint,
  processMetrics,
  speakerMetrics,
  type ApiHandler,
  type Endpoint,
  type MetricsCollector,
} from '../lib/api/index.js';
import type { Speaker } from '../lib/speaker/index.js';

export interface DaemonOptions {
  speaker: Speaker;
  logger: Logger;
  /** Control API endpoint (socket path or host:port), or false for none. */
  control: string | false;
  /** Metrics endpoint (host:port), or undefined for none. */
  metrics?: string | undefined;
  /** Extra control API routes, e.g. GET /v1/services. */
  routes?: readonly { method: string; pattern: string; handler: ApiHandler }[];
  /** Extra metrics collectors, e.g. the allocator's. */
  collectors?: Readonly<Record<string, MetricsCollector>>;
  /** Re-reads and applies the configuration; resolves with a line to log, rejects with the reason it was refused. */
  reload?: () => Promise<string>;
  /** Withdraws and closes every session with Cease and `message`. */
  stop: (message: string) => Promise<void>;
}

export interface RunningDaemon {
  control: Endpoint | undefined;
  metrics: Endpoint | undefined;
  /** Resolves when the daemon has stopped (after a signal or `shutdown`). */
  done: Promise<void>;
  shutdown(message: string): Promise<void>;
}

export async function serveDaemon(o: DaemonOptions): Promise<RunningDaemon> {
  const log = o.logger;
  let control: ControlServer | undefined;
  if (o.control !== false) {
    control = new ControlServer({ speaker: o.speaker, endpoint: parseEndpoint(o.control), logger: log });
    for (const r of o.routes ?? []) control.route(r.method, r.pattern, r.handler);
  }
  let metrics: MetricsServer | undefined;
  let disposeSpeakerMetrics: (() => void) | undefined;
  if (o.metrics) {
    const registry = new MetricsRegistry();
    const sm = speakerMetrics(o.speaker);
    disposeSpeakerMetrics = sm.dispose;
    registry.register('speaker', sm.collect);
    registry.register('process', processMetrics());
    for (const [name, c] of Object.entries(o.collectors ?? {})) registry.register(name, c);
    metrics = new MetricsServer({ registry, endpoint: parseEndpoint(o.metrics) });
  }
  const controlAt = control ? await control.listen() : undefined;
  const metricsAt = metrics ? await metrics.listen() : undefined;
  if (metricsAt) log.info({ event: 'metrics', endpoint: describeEndpoint(metricsAt) }, `metrics on ${describeEndpoint(metricsAt)}/metrics`);

  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let stopping: Promise<void> | undefined;
  const shutdown = (message: string): Promise<void> => {
    stopping ??= (async () => {
      log.info({ event: 'shutdown', message }, 'shutting down: withdrawing routes and closing sessions');
      await o.stop(message);
      disposeSpeakerMetrics?.();
      await Promise.all([control?.close(), metrics?.close()]);
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onTerm);
      process.off('SIGHUP', onHup);
      log.info({ event: 'stopped' }, 'stopped');
      resolveDone();
    })();
    return stopping;
  };
  const onTerm = (signal: NodeJS.Signals): void => {
    void shutdown(`tsbgpd stopping (${signal})`);
  };
  let reloading = false;
  const onHup = (): void => {
    if (!o.reload) {
      log.warn({ event: 'reload-unsupported' }, 'SIGHUP: this mode has no configuration to reload');
      return;
    }
    if (reloading) return;
    reloading = true;
    o.reload()
      .then((line) => log.info({ event: 'config-reloaded' }, line))
      .catch((err: unknown) =>
        log.error({ event: 'config-rejected', reason: (err as Error).message }, `new configuration rejected, keeping the running one: ${(err as Error).message}`),
      )
      .finally(() => (reloading = false));
  };
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onTerm);
  process.on('SIGHUP', onHup);
  return { control: controlAt, metrics: metricsAt, done, shutdown };
}
