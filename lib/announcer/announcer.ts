/**
 * The Announcer: MetalLB's controller and BGP speaker for one node, on top of a `Speaker`.
 *
 * `start()` loads the saved allocations and applies the initial configuration; `apply(config)` moves from the
 * running configuration to a new one by difference only: services are allocated or released (and the state file
 * written), prefixes announced or withdrawn at once, prefixes whose per-peer attributes changed re-exported, and
 * BGP sessions added, removed, or — when a BGPPeer's session settings changed — reset. Sessions whose BGPPeer did
 * not change stay up. `shutdown(message)` withdraws everything, gives the withdrawals a moment to leave, and
 * closes every session with Cease / Administrative Shutdown (RFC 4486, with an RFC 9003 message) — unless a BGPPeer
 * asks for graceful restart (RFC 4724), when it withdraws nothing and lets the peers keep the routes while we restart.
 *
 * A configuration the running speaker cannot take (another AS or router ID: both are fixed when the speaker is
 * built) is rejected as a whole with `config-rejected`, and the running one stays. Applies are serialised.
 */
import { EventEmitter } from 'node:events';
import { formatDiagnostic, usableCount, type AnnouncerConfig, type BGPPeer, type LoadResult, type Service } from '../config/index.js';
import type { Speaker, SpeakerOptions } from '../speaker/index.js';
import { formatCommunity, formatLargeCommunity } from '../wire/index.js';
import { allocateServices, type AllocateOptions } from './allocate.js';
import { announcerExportPolicy, peerConfigFor, peerSignature } from './peers.js';
import { computeRoutes, sameExport, type AnnouncedPrefix, type RouteTable } from './routes.js';
import { MemoryStateStore, type StateStore, type StoredAssignment } from './state.js';

/** The part of `Speaker` the announcer drives (a test may pass a fake). */
export type AnnouncerSpeaker = Pick<Speaker, 'asn' | 'routerId' | 'addPeer' | 'removePeer' | 'announce' | 'withdraw' | 'stop' | 'peers'>;

export type Logger = NonNullable<SpeakerOptions['logger']>;

export interface AnnouncerOptions extends AllocateOptions {
  readonly speaker: AnnouncerSpeaker;
  /** Where allocations are kept across restarts (default: in memory only). */
  readonly state?: StateStore;
  readonly logger?: Logger;
  /** Announce even from a node labelled node.kubernetes.io/exclude-from-external-load-balancers. */
  readonly ignoreExcludeLB?: boolean;
  /** How long `shutdown` waits for withdrawals to reach established peers before the Cease (default 1000 ms). */
  readonly drainTimeoutMs?: number;
}

/** A service as `kubectl get svc` would show it after MetalLB, plus what this node announces for it. */
export interface ServiceStatus {
  readonly namespace: string;
  readonly name: string;
  readonly key: string;
  /** `metallb.io/ip-allocated-from-pool`. */
  readonly pool: string | undefined;
  /** `status.loadBalancer.ingress`. */
  readonly ingress: readonly { readonly ip: string }[];
  /** Why there are no addresses. */
  readonly error: string | undefined;
  /** Prefixes this node announces for the service. */
  readonly announced: readonly string[];
}

export interface RouteView {
  readonly prefix: string;
  readonly services: readonly string[];
  readonly peers: readonly {
    readonly name: string;
    readonly address: string;
    readonly localPref: number | undefined;
    readonly communities: readonly string[];
    readonly largeCommunities: readonly string[];
  }[];
}

/** What one `apply` changed. */
export interface ApplyChanges {
  readonly allocated: readonly string[];
  readonly released: readonly string[];
  readonly failed: readonly { readonly service: string; readonly reason: string }[];
  readonly announced: readonly string[];
  readonly withdrawn: readonly string[];
  /** Still announced, with other attributes or to other peers. */
  readonly reexported: readonly string[];
  readonly peersAdded: readonly string[];
  readonly peersRemoved: readonly string[];
  /** Session settings changed: the session was reset. */
  readonly peersReset: readonly string[];
}

export type ApplyResult = { readonly ok: true; readonly changes: ApplyChanges } | { readonly ok: false; readonly reasons: readonly string[] };

export interface AnnouncerEvents {
  'service-allocated': [status: ServiceStatus];
  'service-released': [key: string, addresses: readonly string[]];
  'allocation-failed': [key: string, reason: string];
  'config-rejected': [reasons: readonly string[]];
  applied: [changes: ApplyChanges];
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

export class Announcer extends EventEmitter<AnnouncerEvents> {
  private readonly speaker: AnnouncerSpeaker;
  private readonly store: StateStore;
  private readonly log: Logger;
  private readonly options: AnnouncerOptions;
  private current: AnnouncerConfig;
  private started = false;
  private stopped = false;
  private assignments = new Map<string, StoredAssignment>();
  private failures = new Map<string, string>();
  private table: RouteTable = new Map();
  /** Service key → the prefixes announced for it (from `table`). */
  private prefixesByService = new Map<string, string[]>();
  private servicesByKey = new Map<string, Service>();
  private peersByName = new Map<string, BGPPeer>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(config: AnnouncerConfig, options: AnnouncerOptions) {
    super();
    this.current = config;
    this.speaker = options.speaker;
    this.store = options.state ?? new MemoryStateStore();
    this.log = options.logger ?? silent;
    this.options = options;
  }

  /** The running configuration. */
  get config(): AnnouncerConfig {
    return this.current;
  }

  /** Loads the saved allocations and applies the configuration given to the constructor. */
  async start(): Promise<ApplyResult> {
    if (this.started) throw new Error('announcer already started');
    this.started = true;
    this.assignments = new Map(this.store.load());
    return this.apply(this.current, true);
  }

  /** Moves to `config` (already validated by `loadConfig`); serialised with other applies. */
  apply(config: AnnouncerConfig, initial = false): Promise<ApplyResult> {
    const run = this.queue.then(() => this.applyNow(config, initial));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Applies the outcome of `loadConfig`: a valid configuration is applied; an invalid one is rejected with every
   * diagnostic as its reasons (`file:line:col: field: reason`), and the running configuration stays.
   */
  applyLoaded(result: LoadResult): Promise<ApplyResult> {
    if (result.ok) return this.apply(result.config);
    return Promise.resolve(this.rejectConfig(result.errors.map(formatDiagnostic)));
  }

  /** Rejects a configuration that could not even be loaded (unreadable files): logged, `config-rejected` emitted. */
  rejectConfig(reasons: readonly string[]): ApplyResult {
    return this.reject([...reasons]);
  }

  private reject(reasons: string[]): ApplyResult {
    this.log.warn({ event: 'config-rejected', reasons }, `configuration rejected: ${reasons.join('; ')}`);
    this.emit('config-rejected', reasons);
    return { ok: false, reasons };
  }

  private async applyNow(config: AnnouncerConfig, initial: boolean): Promise<ApplyResult> {
    if (this.stopped) return this.reject(['the announcer is shut down']);
    const reasons: string[] = [];
    if (config.node.asn !== undefined && config.node.asn !== this.speaker.asn) {
      reasons.push(`node ${config.node.name} would speak as AS ${config.node.asn}, but the speaker runs as AS ${this.speaker.asn}: restart tsbgpd to change it`);
    }
    if (config.node.routerId !== this.speaker.routerId) {
      reasons.push(`router ID ${config.node.routerId} differs from the running ${this.speaker.routerId}: restart tsbgpd to change it`);
    }
    if (reasons.length > 0) return this.reject(reasons);

    // Allocation, then the state file, then the routes: a crash after announcing never loses an allocation.
    const result = allocateServices(config, this.assignments, this.options);
    const next = new Map<string, StoredAssignment>();
    const nextFailures = new Map<string, string>();
    for (const o of result.services) {
      if (o.assignment) next.set(o.service.key, o.assignment);
      else if (o.reason !== undefined) nextFailures.set(o.service.key, o.reason);
    }
    try {
      this.store.save(next);
    } catch (err) {
      return this.reject([`cannot save allocations: ${(err as Error).message}`]);
    }
    const allocated: string[] = [];
    const previous = this.assignments;
    for (const [key, a] of next) {
      const old = previous.get(key);
      if (!initial && old && old.pool === a.pool && old.addresses.join() === a.addresses.join()) continue;
      allocated.push(key);
    }
    const released = [...previous.keys()].filter((key) => !next.has(key));
    const failed = [...nextFailures].filter(([k, r]) => this.failures.get(k) !== r).map(([service, reason]) => ({ service, reason }));
    this.current = config;
    this.servicesByKey = new Map(config.services.map((svc) => [svc.key, svc]));
    this.assignments = next;
    this.failures = nextFailures;

    const { table, notes } = computeRoutes(config, result.services, this.options);
    for (const note of notes) this.log.warn({ event: 'local-pref-conflict' }, note);
    const continuing = new Set(
      config.nodePeers.filter((p) => {
        const old = this.peersByName.get(p.name);
        return old !== undefined && peerSignature(old) === peerSignature(p);
      }).map((p) => p.name),
    );
    const routeChanges = this.switchRoutes(table, continuing);
    const peerChanges = await this.switchPeers(config.nodePeers);

    for (const key of released) {
      const addresses = previous.get(key)?.addresses ?? [];
      this.log.info({ event: 'service-released', service: key, addresses }, `${key}: released ${addresses.join(', ')}`);
      this.emit('service-released', key, addresses);
    }
    for (const key of allocated) {
      const status = this.serviceStatus(key);
      if (status) {
        this.log.info({ event: 'service-allocated', service: key, pool: status.pool, addresses: status.ingress.map((i) => i.ip) }, `${key}: ${status.ingress.map((i) => i.ip).join(', ')}`);
        this.emit('service-allocated', status);
      }
    }
    for (const f of failed) {
      this.log.warn({ event: 'allocation-failed', service: f.service, reason: f.reason }, `${f.service}: ${f.reason}`);
      this.emit('allocation-failed', f.service, f.reason);
    }
    const changes: ApplyChanges = { allocated, released, failed, ...routeChanges, ...peerChanges };
    this.emit('applied', changes);
    return { ok: true, changes };
  }

  /** Installs `table` and tells the speaker what changed for the sessions in `continuing`. */
  private switchRoutes(table: RouteTable, continuing: ReadonlySet<string>): Pick<ApplyChanges, 'announced' | 'withdrawn' | 'reexported'> {
    const old = this.table;
    // The export policies read `this.table` while the speaker runs them, which is during these calls.
    this.table = table;
    this.prefixesByService = new Map();
    for (const r of table.values()) {
      for (const key of r.services) {
        const list = this.prefixesByService.get(key);
        if (list) list.push(r.text);
        else this.prefixesByService.set(key, [r.text]);
      }
    }
    const withdrawn: string[] = [];
    const announced: string[] = [];
    const reexported: string[] = [];
    for (const [key, r] of old) {
      if (table.has(key)) continue;
      this.speaker.withdraw(r.prefix);
      withdrawn.push(r.text);
    }
    for (const [key, r] of table) {
      const before = old.get(key);
      if (!before) {
        this.speaker.announce(r.prefix);
        announced.push(r.text);
      } else if (!sameExport(before, r, continuing)) {
        // The route itself is unchanged, so the RIB would not run export again; withdrawing and originating it in
        // the same turn does, and the Adj-RIB-Out coalesces the two: a peer whose result is unchanged sees nothing.
        this.speaker.withdraw(r.prefix);
        this.speaker.announce(r.prefix);
        reexported.push(r.text);
      }
    }
    return { announced, withdrawn, reexported };
  }

  /** Adds, removes and resets sessions so that they match `peers` (this node's BGPPeers). */
  private async switchPeers(peers: readonly BGPPeer[]): Promise<Pick<ApplyChanges, 'peersAdded' | 'peersRemoved' | 'peersReset'>> {
    const wanted = new Map(peers.map((p) => [p.name, p]));
    const peersAdded: string[] = [];
    const peersRemoved: string[] = [];
    const peersReset: string[] = [];
    const toAdd: BGPPeer[] = [];
    for (const [name, old] of this.peersByName) {
      const now = wanted.get(name);
      if (now && peerSignature(now) === peerSignature(old)) continue;
      await this.speaker.removePeer(old.peerAddress);
      this.peersByName.delete(name);
      if (now) {
        peersReset.push(name);
        toAdd.push(now);
      } else peersRemoved.push(name);
    }
    for (const p of peers) {
      if (this.peersByName.has(p.name) || toAdd.includes(p)) continue;
      toAdd.push(p);
      peersAdded.push(p.name);
    }
    for (const p of toAdd) {
      this.speaker.addPeer(peerConfigFor(p, announcerExportPolicy(p.name, () => this.table)));
      this.peersByName.set(p.name, p);
      this.log.info({ event: 'peer-configured', peer: p.name, address: p.peerAddress }, `peering with ${p.name} (${p.peerAddress})`);
    }
    return { peersAdded, peersRemoved, peersReset };
  }

  private serviceStatus(key: string): ServiceStatus | undefined {
    const svc = this.servicesByKey.get(key);
    if (!svc) return undefined;
    const a = this.assignments.get(key);
    const announced = this.prefixesByService.get(key) ?? [];
    return {
      namespace: svc.namespace,
      name: svc.name,
      key,
      pool: a?.pool,
      ingress: (a?.addresses ?? []).map((ip) => ({ ip })),
      error: a ? undefined : this.failures.get(key),
      announced,
    };
  }

  /** Every service the announcer handles (LoadBalancer, matching class), sorted by `namespace/name`. */
  services(): ServiceStatus[] {
    const keys = [...new Set([...this.assignments.keys(), ...this.failures.keys()])].sort();
    return keys.map((k) => this.serviceStatus(k)).filter((s): s is ServiceStatus => s !== undefined);
  }

  /** What is announced, per prefix and per peer. */
  routes(): RouteView[] {
    return [...this.table.values()].map((r: AnnouncedPrefix) => ({
      prefix: r.text,
      services: r.services,
      peers: [...r.peers].map(([name, attrs]) => ({
        name,
        address: this.peersByName.get(name)?.peerAddress ?? '',
        localPref: attrs.localPref,
        communities: attrs.communities.map(formatCommunity),
        largeCommunities: attrs.largeCommunities.map(formatLargeCommunity),
      })),
    }));
  }

  /** Addresses in use and usable per pool (for `metallb_allocator_addresses_*`). */
  poolUsage(): { pool: string; inUse: number; total: number }[] {
    const inUse = new Map<string, Set<string>>();
    for (const a of this.assignments.values()) {
      let s = inUse.get(a.pool);
      if (!s) inUse.set(a.pool, (s = new Set()));
      for (const x of a.addresses) s.add(x);
    }
    return this.current.pools.map((p) => {
      const total = p.cidrs.reduce((n, c) => n + usableCount(c, p.avoidBuggyIPs), 0n);
      return { pool: p.name, inUse: inUse.get(p.name)?.size ?? 0, total: total > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(total) };
    });
  }

  /**
   * Withdraws every prefix, waits (bounded) for the withdrawals to reach established peers, then stops the speaker:
   * every session closes with Cease / Administrative Shutdown carrying `message`.
   *
   * Graceful restart (RFC 4724): when a BGPPeer of this node has `enableGracefulRestart` — and unless `withdraw` —
   * this is taken to be a restart, as MetalLB takes a speaker pod's SIGTERM: nothing is withdrawn, and the sessions
   * that negotiated graceful restart end so that the peer keeps our routes, stale, for our restart time (120 s): the
   * node keeps receiving its traffic while tsbgpd restarts, and a node that never comes back is withdrawn by the
   * peer when that time runs out. Sessions without graceful restart still end with the Cease (their peer drops our
   * routes at once).
   */
  async shutdown(message?: string, options: { withdraw?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.queue;
    const graceful = options.withdraw !== true && [...this.peersByName.values()].some((p) => p.enableGracefulRestart);
    if (graceful) {
      this.log.info({ event: 'graceful-restart-shutdown' }, 'graceful restart: routes stay with the peers that support it');
      await this.speaker.stop(message, { gracefulRestart: true });
      this.peersByName.clear();
      return;
    }
    for (const r of this.table.values()) this.speaker.withdraw(r.prefix);
    this.table = new Map();
    this.prefixesByService = new Map();
    const deadline = Date.now() + (this.options.drainTimeoutMs ?? 1000);
    while (Date.now() < deadline && this.speaker.peers().some((p) => p.state === 'Established' && p.prefixes.sent > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await this.speaker.stop(message);
    this.peersByName.clear();
  }
}
