/**
 * The Speaker: the embeddable BGP speaker. It composes one `PeerSession` per configured peer, a `Listener` for
 * incoming connections, the `Rib` and per-peer policy, and exposes a small typed API: add and remove peers,
 * announce and withdraw routes, read peer state and routes, and events for sessions going up and down.
 *
 * This file owns the peers' lifecycle — configured peers, peer groups, dynamic neighbours from listen ranges, and
 * ending sessions on purpose (shutdown, reset, removal, the speaker stopping, RFC 4486 / RFC 9003 / RFC 4724 §4.1) —
 * and the public API. The parts it composes: `peer-entry.ts` makes a peer's record and session from its
 * configuration, and what `peer()`/`peers()` report of it; `session-wiring.ts` turns session events into RIB calls
 * and Speaker events; `pump.ts` moves what the RIB queues onto the sessions; `restart-helper.ts` keeps a restarting
 * peer's routes; `listen-range.ts` says which connections become dynamic neighbours. Its types are `types.ts`'s.
 *
 * Routes flow: a session delivers an UPDATE → `rib.ingest` → decision → the RIB marks what each peer must be sent
 * and emits `outbound` → the pump moves `rib.flush` into that peer's socket, a bounded batch per event-loop turn
 * and only while the socket takes more (backpressure), so one slow peer never holds up the others or the timers.
 */
import { EventEmitter } from 'node:events';
import { CeaseError, errors, parsePrefix, shutdownData, type BgpError, type Prefix } from '../wire/index.js';
import { Listener, silentLogger, systemClock, type Logger } from '../session/index.js';
import { Rib, type LocRibEntry, type AdjRibInEntry, type AdjRibOutEntry, type RefreshOutScope } from '../rib/index.js';
import type { ListenRangeConfig, PeerConfig, PeerGroupConfig, PeerStatus, SpeakerEvents, SpeakerOptions } from './types.js';
import { createPeerEntry, peerStatus, trackTransport, type PeerEntry } from './peer-entry.js';
import { UpdatePump } from './pump.js';
import { SessionWiring } from './session-wiring.js';
import { toPathAttributes, type RouteAttributes } from './route-attributes.js';
import { ListenRanges } from './listen-range.js';
import { DEFAULT_STALE_PATH_TIME, purposefulCease } from './graceful-restart.js';
import { RestartHelper } from './restart-helper.js';

export class Speaker extends EventEmitter<SpeakerEvents> {
  readonly asn: number;
  readonly routerId: string;
  readonly rib: Rib;
  private readonly options: SpeakerOptions;
  private readonly log: Logger;
  private readonly peerEntries = new Map<string, PeerEntry>();
  private readonly restartHelper: RestartHelper;
  private readonly pump: UpdatePump;
  private readonly wiring: SessionWiring;
  private readonly peerGroups = new Map<string, PeerGroupConfig>();
  private readonly listenRanges: ListenRanges;
  private listener: Listener | undefined;
  private boundListen: { address: string; port: number } | undefined;
  private started = false;

  constructor(options: SpeakerOptions) {
    super();
    this.options = options;
    this.asn = options.asn;
    this.routerId = options.routerId;
    this.log = options.logger ?? silentLogger;
    this.listenRanges = new ListenRanges(options.listenLimit ?? 100);
    this.rib = new Rib({
      localAsn: options.asn,
      routerId: options.routerId,
      ...(options.clusterId ? { clusterId: options.clusterId } : {}),
      ...(options.maximumPaths ? { maximumPaths: options.maximumPaths } : {}),
      ...(options.alwaysCompareMed ? { alwaysCompareMed: true } : {}),
    });
    const clock = options.clock ?? systemClock;
    this.pump = new UpdatePump(this.rib, this.peerEntries, clock, this);
    this.rib.on('outbound', (id) => this.pump.outbound(id));
    this.rib.on('max-prefix', (id, received, limit) => {
      const e = this.peerEntries.get(id);
      if (e) this.wiring.maxPrefix(e, received, limit);
    });
    // RFC 4724 §4.2: the timers of restarting peers run on the sessions' clock.
    this.restartHelper = new RestartHelper(this.rib, clock, options.stalePathTime ?? DEFAULT_STALE_PATH_TIME);
    this.rib.on('end-of-rib', (id, _family, staleRemaining) => this.restartHelper.endOfRib(id, staleRemaining));
    this.wiring = new SessionWiring(this, options, this.rib, this.restartHelper, this.pump, (e) => this.forgetDynamicPeer(e));
  }

  /** The address and port the listener is bound to (after `start`). */
  get listenAddress(): { address: string; port: number } | undefined {
    return this.boundListen;
  }

  /** Starts listening (unless disabled) and starts every peer added so far. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.options.listen !== false) {
      const listen = this.options.listen ?? {};
      this.listener = new Listener((address) => this.peerEntries.has(address) || this.dynamicGroupFor(address) !== undefined);
      this.listener.on('connection', (socket, address) => {
        if (!this.peerEntries.has(address)) {
          const group = this.dynamicGroupFor(address);
          if (group === undefined) {
            socket.destroy();
            return;
          }
          this.addDynamicPeer(address, group);
        }
        const entry = this.peerEntries.get(address);
        if (entry) trackTransport(entry.transports, socket);
        entry?.session.offerConnection(socket);
      });
      this.listener.on('rejected', (address, port) =>
        this.log.warn({ event: 'connection-rejected', remote: `${address}:${port}` }, `rejected connection from unknown peer ${address}`),
      );
      this.listener.on('error', (err) => this.log.error({ event: 'listener-error', err: err.message }, 'listener error'));
      this.boundListen = await this.listener.listen({ host: listen.host ?? '::', port: listen.port ?? 179 });
      this.log.info({ event: 'listening', ...this.boundListen }, `listening on ${this.boundListen.address}:${this.boundListen.port}`);
    }
    for (const e of this.peerEntries.values()) e.session.start();
  }

  /**
   * Stops every session with Cease / Administrative Shutdown (RFC 4486) and an optional RFC 9003 message, after
   * withdrawing nothing explicitly: the peers drop our routes when the session closes.
   *
   * With `gracefulRestart`, this speaker is about to restart (RFC 4724 §4.1): an Established session on which both
   * sides advertised graceful restart ends so that the peer keeps our routes, stale, for our Restart Time — with
   * the Cease when both set the N bit (RFC 8538 §4: any NOTIFICATION but Hard Reset), else by closing the transport
   * without a NOTIFICATION, as a crash would (RFC 4724 keeps routes only when no NOTIFICATION was exchanged).
   * Other sessions end as without it.
   */
  async stop(message?: string, options: { gracefulRestart?: boolean } = {}): Promise<void> {
    const cease = errors.cease(CeaseError.AdministrativeShutdown, message ? shutdownData(message) : undefined, message);
    await Promise.all(
      [...this.peerEntries.values()].map(async (e) => {
        e.purposefulStop = true;
        this.restartHelper.forget(e.config.address);
        const local = e.config.capabilities?.gracefulRestart;
        const n = e.session.state === 'Established' ? e.session.negotiated : undefined;
        const graceful = options.gracefulRestart === true && local !== undefined && n?.gracefulRestart !== undefined;
        if (graceful && !(local.notification === true && n.gracefulRestart?.notification === true)) {
          e.log.info({ event: 'graceful-restart-close' }, 'closing without NOTIFICATION: the peer keeps our routes for our restart time');
          for (const t of e.transports) t.destroy();
          await waitUntil(() => e.session.state !== 'Established', 1000);
        }
        await e.session.stop(graceful ? cease : purposefulCease(local, n, cease));
        e.purposefulStop = false;
      }),
    );
    await this.listener?.close();
    this.listener = undefined;
    this.started = false;
  }

  /** Defines (or redefines, for peers added later) a peer group. */
  addPeerGroup(name: string, config: PeerGroupConfig): void {
    this.peerGroups.set(name, config);
  }

  /** Accepts connections from `prefix` as dynamic neighbours of an existing peer group (FRR `bgp listen range`). */
  addListenRange(config: ListenRangeConfig): void {
    if (!this.peerGroups.has(config.peerGroup)) throw new Error(`listen range ${config.prefix}: no peer group ${config.peerGroup}`);
    this.listenRanges.add(config.prefix, config.peerGroup);
  }

  /** Removes a listen range; dynamic neighbours already up stay until their sessions end. */
  removeListenRange(prefix: string): void {
    this.listenRanges.remove(prefix);
  }

  /** Adds a peer; if the speaker is started, the peer starts at once. Throws on an invalid configuration. */
  addPeer(config: PeerConfig): void {
    this.addPeerEntry(config, false);
  }

  /**
   * Removes a peer: Cease / Peer De-configured (RFC 4486 §4). RFC 9003 defines a shutdown communication only for
   * Administrative Shutdown and Reset, so none travels with 6/3; use `shutdownPeer` first to tell the peer why.
   */
  async removePeer(address: string): Promise<void> {
    const entry = this.entry(address);
    await this.stopOnPurpose(entry, errors.cease(CeaseError.PeerDeconfigured));
    this.peerEntries.delete(address);
    this.leaveRib(entry);
  }

  /**
   * Shuts a peer down and keeps it configured (FRR `neighbor X shutdown message …`): Cease / Administrative
   * Shutdown with an optional RFC 9003 shutdown communication. `enablePeer` starts it again.
   */
  async shutdownPeer(address: string, message?: string): Promise<void> {
    const entry = this.entry(address);
    await this.stopOnPurpose(entry, errors.cease(CeaseError.AdministrativeShutdown, message ? shutdownData(message) : undefined, message));
  }

  /**
   * Resets a session (FRR `clear bgp ADDR`): Cease / Administrative Reset (RFC 4486) with an optional RFC 9003
   * message, then the peer starts again at once.
   */
  async resetPeer(address: string, message?: string): Promise<void> {
    const entry = this.entry(address);
    await this.stopOnPurpose(entry, errors.cease(CeaseError.AdministrativeReset, message ? shutdownData(message) : undefined, message));
    if (this.started && this.peerEntries.get(address) === entry) entry.session.start();
  }

  /** Starts a peer stopped by `shutdownPeer`. */
  enablePeer(address: string): void {
    const entry = this.entry(address);
    if (this.started) entry.session.start();
  }

  /**
   * Re-exports the peer's Adj-RIB-Out: `adj-rib-out` (default) sends all of it again, as a ROUTE-REFRESH asks
   * (RFC 2918); `changes` sends only what the export policy now in force changes — withdrawals of what it denies,
   * new attributes — as FRR's `clear bgp ADDR soft out` does after a route-map change. False when the session is down.
   */
  refreshOut(address: string, scope: RefreshOutScope = 'adj-rib-out'): boolean {
    const entry = this.peerEntries.get(address);
    // In the RIB but down: a restarting peer whose routes are kept stale (RFC 4724).
    if (!entry?.inRib || !this.rib.isUp(address)) return false;
    this.pump.resendTable(entry, scope);
    return true;
  }

  /** Asks the peer to resend its routes (RFC 2918), e.g. after an inbound policy change. */
  refreshIn(address: string): boolean {
    const entry = this.peerEntries.get(address);
    const n = entry?.session.negotiated;
    if (!entry || !n) return false;
    if (!n.routeRefresh) {
      // Without route refresh the only way to re-run inbound policy is over what we kept (soft reconfiguration).
      this.rib.refreshIn(address);
      return true;
    }
    for (const f of n.families) entry.session.sendRouteRefresh(f >> 8, f & 0xff);
    return true;
  }

  /** Announces a prefix (`10.8.0.0/32`, `2001:db8::/64`) originated by this speaker. */
  announce(prefix: string | Prefix, attributes?: RouteAttributes): void {
    const p = typeof prefix === 'string' ? parsePrefix(prefix) : prefix;
    this.rib.originate(p, toPathAttributes(attributes));
  }

  /** Withdraws a prefix announced with `announce`. */
  withdraw(prefix: string | Prefix): void {
    this.rib.withdrawLocal(typeof prefix === 'string' ? parsePrefix(prefix) : prefix);
  }

  /** The peer's configuration as in force (its own settings merged over its peer group's). */
  peerConfig(address: string): Readonly<PeerConfig> | undefined {
    return this.peerEntries.get(address)?.config;
  }

  peer(address: string): PeerStatus | undefined {
    const e = this.peerEntries.get(address);
    return e ? peerStatus(e, this.rib) : undefined;
  }

  peers(): PeerStatus[] {
    return [...this.peerEntries.values()].map((e) => peerStatus(e, this.rib));
  }

  /** The Loc-RIB, optionally for one prefix. */
  routes(prefix?: string): LocRibEntry[] {
    if (prefix === undefined) return [...this.rib.locRib()];
    const p = parsePrefix(prefix);
    return [...this.rib.locRib(p)];
  }

  adjRibIn(address: string): AdjRibInEntry[] {
    const e = this.peerEntries.get(address);
    return e?.inRib ? [...this.rib.adjRibIn(address)] : [];
  }

  adjRibOut(address: string): AdjRibOutEntry[] {
    const e = this.peerEntries.get(address);
    return e?.inRib ? [...this.rib.adjRibOut(address)] : [];
  }

  // -------------------------------------------------------------------------------------------------------------

  private entry(address: string): PeerEntry {
    const entry = this.peerEntries.get(address);
    if (!entry) throw new Error(`no peer ${address}`);
    return entry;
  }

  private addPeerEntry(ownConfig: PeerConfig, dynamic: boolean): void {
    if (this.peerEntries.has(ownConfig.address)) throw new Error(`peer ${ownConfig.address} already exists`);
    const entry = createPeerEntry(ownConfig, dynamic, this.peerGroups, this.options, this.log);
    this.peerEntries.set(ownConfig.address, entry);
    this.wiring.attach(entry);
    if (this.started) entry.session.start();
  }

  /**
   * Ends a session on purpose: nothing of the peer's is kept stale (its stale routes go now), and the Cease is
   * wrapped in Hard Reset when the N bit was exchanged, so that the peer does not keep ours (RFC 8538 §3).
   */
  private async stopOnPurpose(e: PeerEntry, error: BgpError): Promise<void> {
    e.purposefulStop = true;
    try {
      this.restartHelper.forget(e.config.address);
      if (e.inRib && !this.rib.isUp(e.config.address)) this.rib.dropStale(e.config.address);
      const n = e.session.state === 'Established' ? e.session.negotiated : undefined;
      await e.session.stop(purposefulCease(e.config.capabilities?.gracefulRestart, n, error));
    } finally {
      e.purposefulStop = false;
    }
  }

  /** The peer's slot in the RIB goes, with whatever routes it still has there. */
  private leaveRib(e: PeerEntry): void {
    if (!e.inRib) return;
    this.rib.removePeer(e.config.address);
    e.inRib = false;
  }

  private dynamicGroupFor(address: string): string | undefined {
    const dynamicCount = [...this.peerEntries.values()].filter((e) => e.dynamic).length;
    return this.listenRanges.groupFor(address, dynamicCount);
  }

  private addDynamicPeer(address: string, peerGroup: string): void {
    this.log.info({ event: 'dynamic-neighbor', peer: address, peerGroup }, `dynamic neighbour ${address} (${peerGroup})`);
    this.addPeerEntry({ address, peerGroup, passive: true }, true);
  }

  /** A dynamic neighbour whose connection is gone (and that has not come back meanwhile) is forgotten. */
  private forgetDynamicPeer(entry: PeerEntry): void {
    const address = entry.config.address;
    if (this.peerEntries.get(address) !== entry || entry.session.state === 'Established') return;
    this.peerEntries.delete(address);
    this.restartHelper.forget(address);
    this.leaveRib(entry);
    void entry.session.stop();
    this.log.info({ event: 'dynamic-neighbor-gone', peer: address }, `dynamic neighbour ${address} removed`);
  }
}

/** Resolves once `done()` holds, or after `ms`. */
async function waitUntil(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}
