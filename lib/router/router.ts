/**
 * Router mode: a BGP speaker that stands in for the seed's pfSense/FRR box — a route reflector (RFC 4456) with
 * peer groups, listen ranges for dynamic neighbours, FRR route maps and RFC 8212 — run from a `RouterConfig`.
 *
 *   const router = await startRouter(config, { logger });   // Speaker, control API, metrics
 *   const result = await router.reload(newConfig);           // no session reset that is not needed
 *   await router.stop('maintenance');                        // Cease / Administrative Shutdown + RFC 9003 text
 *
 * A reload follows `planReload` (reload-plan.ts): instance settings rebuild everything; otherwise neighbours are
 * added and removed, a neighbour whose session settings changed is re-added (only it resets), settings that only
 * matter to the next session wait for it, and a neighbour whose route maps now mean something else keeps its
 * session: its `PolicySlot`s are re-targeted, then a ROUTE-REFRESH (RFC 2918) re-runs import policy and its
 * Adj-RIB-Out is exported again, the differences sent — routes the new policy denies withdrawn (soft-out.ts). Dynamic neighbours follow their peer group and their listen range.
 * Reloads run one at a time.
 *
 * Imports lib/config, lib/speaker, lib/api, lib/session and this folder.
 */
import { effectiveSettings, type RouterConfig, type RouterListener } from '../config/router-index.js';
import { ControlServer, MetricsRegistry, MetricsServer, processMetrics, speakerMetrics, type ApiHandler, type Endpoint } from '../api/index.js';
import { silentLogger, type Logger } from '../session/index.js';
import { cidrContains, parseCidr, Speaker, type SpeakerOptions } from '../speaker/index.js';
import { addNeighbor, defineGroup, dropDynamic, neighborKey, readdNeighbor, removeNeighbor, Slots } from './neighbors.js';
import { planReload, type ReloadPlan } from './reload-plan.js';
import { resendAdjRibOut, type SoftOutResult } from './soft-out.js';

export interface StartRouterOptions {
  readonly logger?: Logger;
  /** Passed to the Speaker (tests: a fake clock, connector or random source). */
  readonly speakerOptions?: Partial<Pick<SpeakerOptions, 'clock' | 'connector' | 'random'>>;
  /** More control API endpoints (added again whenever the API is re-created). */
  readonly routes?: readonly { readonly method: string; readonly pattern: string; readonly handler: ApiHandler }[];
}

/** `GET /v1/router`: the configuration in force, in brief, and what the last reload did. */
export interface RouterView {
  readonly name: string;
  readonly file: string;
  readonly localAs: number;
  readonly routerId: string;
  readonly clusterId: string;
  readonly listen: RouterConfig['listen'];
  readonly peerGroups: readonly string[];
  readonly listenRanges: RouterConfig['listenRanges'];
  readonly neighbors: number;
  /** Neighbours whose changed settings wait for their next session. */
  readonly pending: readonly string[];
  readonly lastReload: { readonly at: string; readonly result: ReloadResult } | null;
}

/** What a reload did. */
export interface ReloadResult {
  /** Instance settings that changed: the Speaker was rebuilt and every session reset. Empty otherwise. */
  readonly restarted: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Neighbours re-created under new settings — their session reset if it was up — and which settings. */
  readonly reset: readonly { readonly address: string; readonly reasons: readonly string[] }[];
  /** Neighbours whose changed settings wait for their next session. */
  readonly deferred: readonly { readonly address: string; readonly fields: readonly string[] }[];
  /** ROUTE-REFRESH sent (or import policy re-run over what was kept). */
  readonly refreshedIn: readonly string[];
  readonly refreshedOut: readonly { readonly address: string; readonly outcome: SoftOutResult['outcome'] }[];
  readonly shutdown: readonly string[];
  readonly enabled: readonly string[];
  /** Dynamic neighbours ended (their range or group went, or their group's session settings changed). */
  readonly dynamicDropped: readonly string[];
  readonly announced: readonly string[];
  readonly withdrawn: readonly string[];
}

export interface RunningRouter {
  /** The Speaker now running (a new one after a reload that rebuilt it). */
  readonly speaker: Speaker;
  readonly config: RouterConfig;
  readonly apiEndpoint: Endpoint | undefined;
  readonly metricsEndpoint: Endpoint | undefined;
  /** Neighbours with settings waiting for their next session. */
  readonly pending: readonly string[];
  reload(next: RouterConfig): Promise<ReloadResult>;
  /** What `GET /v1/router` answers. */
  view(): RouterView;
  /** Ends every session with Cease / Administrative Shutdown (and `message`, RFC 9003) and closes the listeners. */
  stop(message?: string): Promise<void>;
}

type Mutable = {
  -readonly [K in keyof ReloadResult]: ReloadResult[K] extends readonly (infer T)[] ? T[] : ReloadResult[K];
};

const emptyResult = (): Mutable => ({
  restarted: [],
  added: [],
  removed: [],
  reset: [],
  deferred: [],
  refreshedIn: [],
  refreshedOut: [],
  shutdown: [],
  enabled: [],
  dynamicDropped: [],
  announced: [],
  withdrawn: [],
});

class Router implements RunningRouter {
  #config: RouterConfig;
  #speaker: Speaker | undefined;
  #api: ControlServer | undefined;
  #metrics: { server: MetricsServer; dispose: () => void } | undefined;
  readonly #slots = new Slots();
  readonly #pending = new Set<string>();
  readonly #log: Logger;
  readonly #options: StartRouterOptions;
  #lastReload: RouterView['lastReload'] = null;
  /** Reloads and deferred re-adds, one at a time. */
  #queue: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(config: RouterConfig, options: StartRouterOptions) {
    this.#config = config;
    this.#options = options;
    this.#log = options.logger ?? silentLogger;
  }

  get speaker(): Speaker {
    if (this.#speaker === undefined) throw new Error('router is not running');
    return this.#speaker;
  }

  get config(): RouterConfig {
    return this.#config;
  }

  get apiEndpoint(): Endpoint | undefined {
    return this.#api?.endpoint;
  }

  get metricsEndpoint(): Endpoint | undefined {
    return this.#metrics?.server.endpoint;
  }

  get pending(): readonly string[] {
    return [...this.#pending];
  }

  /** Builds the Speaker from the configuration, starts it, then the control API and metrics. */
  async build(): Promise<void> {
    const c = this.#config;
    const speaker = new Speaker({
      asn: c.asn,
      routerId: c.routerId,
      listen: c.listen === false ? false : { host: c.listen.address, port: c.listen.port },
      ...(c.clusterId !== undefined ? { clusterId: c.clusterId } : {}),
      maximumPaths: c.maximumPaths,
      alwaysCompareMed: c.alwaysCompareMed,
      ebgpRequiresPolicy: c.ebgpRequiresPolicy,
      listenLimit: c.listenLimit,
      ...(c.gracefulRestart !== undefined ? { stalePathTime: c.gracefulRestart.stalePathTime } : {}),
      logger: this.#log,
      ...this.#options.speakerOptions,
    });
    this.#speaker = speaker;
    speaker.on('peerDown', (address) => {
      if (!this.#pending.has(address) || this.#stopped) return;
      this.#enqueue(() => this.#applyPending(address)).catch((err: unknown) =>
        this.#log.error({ event: 'router-deferred-failed', peer: address, err: (err as Error).message }, `could not apply the new settings of ${address}`),
      );
    });
    for (const g of c.peerGroups) defineGroup(speaker, this.#slots, c, g);
    for (const r of c.listenRanges) speaker.addListenRange(r);
    const [down, up] = partition(c.neighbors, (n) => effectiveSettings(c, n).shutdown === true);
    for (const n of up) await addNeighbor(speaker, this.#slots, c, n);
    for (const net of c.networks) speaker.announce(net.prefix, net.attributes);
    try {
      await speaker.start();
      // After start, which would start them: shut-down neighbours are added and stopped at once.
      for (const n of down) await addNeighbor(speaker, this.#slots, c, n);
      await this.#startApi();
      await this.#startMetrics();
    } catch (err) {
      await this.#teardown();
      throw err;
    }
    this.#log.info({ event: 'router-started', asn: c.asn, routerId: c.routerId, neighbors: c.neighbors.length }, `router ${c.name} started (AS ${c.asn}, router ID ${c.routerId})`);
  }

  reload(next: RouterConfig): Promise<ReloadResult> {
    return this.#enqueue(async () => {
      const result = await this.#reload(next);
      this.#lastReload = { at: new Date().toISOString(), result };
      return result;
    });
  }

  view(): RouterView {
    const c = this.#config;
    return {
      name: c.name,
      file: c.file,
      localAs: c.asn,
      routerId: c.routerId,
      clusterId: c.clusterId ?? c.routerId,
      listen: c.listen,
      peerGroups: c.peerGroups.map((g) => g.name),
      listenRanges: c.listenRanges,
      neighbors: c.neighbors.length,
      pending: this.pending,
      lastReload: this.#lastReload,
    };
  }

  async stop(message?: string): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#queue.catch(() => undefined);
    await this.#teardown(message);
    this.#log.info({ event: 'router-stopped' }, `router ${this.#config.name} stopped`);
  }

  #enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.#stopped) throw new Error('router is stopped');
      return job();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #teardown(message?: string): Promise<void> {
    const speaker = this.#speaker;
    this.#speaker = undefined;
    await this.#api?.close();
    this.#api = undefined;
    this.#metrics?.dispose();
    await this.#metrics?.server.close();
    this.#metrics = undefined;
    await speaker?.stop(message);
  }

  async #startApi(): Promise<void> {
    await this.#api?.close();
    this.#api = undefined;
    const api = this.#config.api;
    if (api === false) return;
    const server = new ControlServer({ speaker: this.speaker, ...listenerOptions(api), logger: this.#log });
    server.route('GET', '/v1/router', () => ({ json: this.view() }));
    for (const r of this.#options.routes ?? []) server.route(r.method, r.pattern, r.handler);
    await server.listen();
    this.#api = server;
  }

  async #startMetrics(): Promise<void> {
    this.#metrics?.dispose();
    await this.#metrics?.server.close();
    this.#metrics = undefined;
    const m = this.#config.metrics;
    if (m === false) return;
    const registry = new MetricsRegistry();
    const collector = speakerMetrics(this.speaker);
    registry.register('speaker', collector.collect);
    registry.register('process', processMetrics());
    const server = new MetricsServer({ registry, ...listenerOptions(m) });
    try {
      await server.listen();
    } catch (err) {
      collector.dispose();
      throw err;
    }
    this.#metrics = { server, dispose: collector.dispose };
  }

  /**
   * Stops everything and builds `next`. When that fails (a listen address that cannot be bound), the previous
   * configuration is built again, so a failed reload leaves the router as it was, and the error is thrown.
   */
  async #rebuild(next: RouterConfig, message: string): Promise<void> {
    const previous = this.#config;
    await this.#teardown(message);
    this.#pending.clear();
    this.#slots.clear();
    this.#config = next;
    try {
      await this.build();
    } catch (err) {
      this.#log.error({ event: 'router-reload-failed', err: (err as Error).message }, `cannot start the new configuration; restoring the previous one`);
      this.#config = previous;
      this.#slots.clear();
      await this.build();
      throw err;
    }
  }

  /** A neighbour with deferred settings went down: re-add it now, as configured. */
  async #applyPending(address: string): Promise<void> {
    if (!this.#pending.delete(address)) return;
    const n = this.#config.neighbors.find((x) => x.address === address);
    if (n === undefined || this.#speaker === undefined) return;
    this.#log.info({ event: 'router-deferred-applied', peer: address }, `applying the new settings of ${address} while its session is down`);
    await readdNeighbor(this.#speaker, this.#slots, this.#config, n, 'configuration changed');
  }

  async #reload(next: RouterConfig): Promise<ReloadResult> {
    const plan = planReload(this.#config, next);
    const result = emptyResult();
    this.#log.info({ event: 'router-reload', plan: summary(plan) }, `reloading router ${next.name}`);
    if (plan.restart.length > 0) {
      result.restarted.push(...plan.restart);
      await this.#rebuild(next, `configuration changed: ${plan.restart.join(', ')}`);
      return result;
    }
    const speaker = this.speaker;
    const up = (a: string): boolean => speaker.peer(a)?.state === 'Established';
    const changedGroup = new Map(plan.changedGroups.map((g) => [g.name, g]));
    const dynamic = speaker.peers().filter((p) => p.dynamic);

    // The sessions up now whose export policy changes and that keep their session: re-exported once the slots are
    // re-targeted, sending the differences (a reset or a shutdown sends the new Adj-RIB-Out, or none, anyway).
    const refreshOut: string[] = [];
    for (const c of plan.changedNeighbors) {
      if (c.refreshOut && c.reset.length === 0 && c.admin === undefined && up(c.name)) refreshOut.push(c.name);
    }
    for (const p of dynamic) {
      const g = p.peerGroup === undefined ? undefined : changedGroup.get(p.peerGroup);
      if (g?.refreshOut === true && g.reset.length === 0 && p.state === 'Established') refreshOut.push(p.address);
    }

    this.#config = next;
    for (const g of next.peerGroups) defineGroup(speaker, this.#slots, next, g);
    // Every neighbour's slots to the new compiled policy (for those not listed as changed, it decides as before).
    for (const n of next.neighbors) if (speaker.peer(n.address) !== undefined) this.#slots.update(neighborKey(n.address), next, effectiveSettings(next, n));
    for (const r of plan.removeRanges) speaker.removeListenRange(r.prefix);
    for (const r of plan.addRanges) speaker.addListenRange(r);

    for (const address of plan.removeNeighbors) {
      this.#pending.delete(address);
      await removeNeighbor(speaker, this.#slots, address);
      result.removed.push(address);
    }
    for (const n of plan.addNeighbors) {
      await addNeighbor(speaker, this.#slots, next, n);
      result.added.push(n.address);
    }

    for (const c of plan.changedNeighbors) {
      const n = next.neighbors.find((x) => x.address === c.name);
      if (n === undefined) continue;
      const settings = effectiveSettings(next, n);
      const wasUp = up(c.name);
      // A new session is needed, or the session is (or is about to be) down anyway: re-add it as configured now.
      if (c.reset.length > 0 || c.admin === 'enable' || (c.deferred.length > 0 && (!wasUp || c.admin === 'shutdown'))) {
        this.#pending.delete(c.name);
        const reasons = [...c.reset, ...c.deferred];
        await readdNeighbor(speaker, this.#slots, next, n, `configuration changed: ${reasons.join(', ')}`);
        if (reasons.length > 0) result.reset.push({ address: c.name, reasons });
        if (c.admin === 'enable') result.enabled.push(c.name);
        if (c.admin === 'shutdown') result.shutdown.push(c.name);
        continue;
      }
      if (c.admin === 'shutdown') {
        await speaker.shutdownPeer(c.name, settings.shutdownMessage);
        result.shutdown.push(c.name);
        continue;
      }
      if (c.deferred.length > 0) {
        this.#pending.add(c.name);
        result.deferred.push({ address: c.name, fields: c.deferred });
      }
      if (c.refreshIn && wasUp && speaker.refreshIn(c.name)) result.refreshedIn.push(c.name);
    }

    for (const p of dynamic) {
      const group = next.peerGroups.find((g) => g.name === p.peerGroup);
      const covered = next.listenRanges.some((r) => r.peerGroup === p.peerGroup && cidrContains(parseCidr(r.prefix), p.address));
      const change = p.peerGroup === undefined ? undefined : changedGroup.get(p.peerGroup);
      if (group === undefined || !covered) {
        await dropDynamic(speaker, p.address, 'configuration changed: listen range removed');
        result.dynamicDropped.push(p.address);
      } else if (change !== undefined && change.reset.length > 0) {
        await dropDynamic(speaker, p.address, `configuration changed: ${change.reset.join(', ')}`);
        result.dynamicDropped.push(p.address);
      } else if (change?.refreshIn === true && p.state === 'Established' && speaker.refreshIn(p.address)) {
        result.refreshedIn.push(p.address);
      }
    }

    const outcomes = await Promise.all(refreshOut.map(async (address) => ({ address, outcome: (await resendAdjRibOut(speaker, address)).outcome })));
    result.refreshedOut.push(...outcomes);

    for (const prefix of plan.withdraw) {
      speaker.withdraw(prefix);
      result.withdrawn.push(prefix);
    }
    for (const net of plan.announce) {
      speaker.announce(net.prefix, net.attributes);
      result.announced.push(net.prefix);
    }
    if (plan.api) await this.#startApi();
    if (plan.metrics) await this.#startMetrics();
    this.#log.info({ event: 'router-reloaded', result }, `router ${next.name} reloaded`);
    return result;
  }
}

function listenerOptions(l: RouterListener): { endpoint?: Endpoint; allowRemote: boolean } {
  return { ...(l.endpoint !== undefined ? { endpoint: l.endpoint } : {}), allowRemote: l.allowRemote };
}

function partition<T>(list: readonly T[], test: (t: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const x of list) (test(x) ? yes : no).push(x);
  return [yes, no];
}

function summary(p: ReloadPlan): Record<string, unknown> {
  return {
    restart: p.restart,
    add: p.addNeighbors.map((n) => n.address),
    remove: p.removeNeighbors,
    changed: p.changedNeighbors,
    groups: p.changedGroups,
    ranges: { add: p.addRanges, remove: p.removeRanges },
    networks: { announce: p.announce.map((n) => n.prefix), withdraw: p.withdraw },
  };
}

/**
 * Starts a router: the Speaker with every peer group, listen range, neighbour and network of `config`, the
 * control API (unless `api: false`) and the metrics listener (if configured). Rejects — with nothing left
 * running — when a listener cannot be opened.
 */
export async function startRouter(config: RouterConfig, options: StartRouterOptions = {}): Promise<RunningRouter> {
  const router = new Router(config, options);
  await router.build();
  return router;
}
