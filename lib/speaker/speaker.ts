/**
 * The Speaker: the embeddable BGP speaker. It composes one `PeerSession` per configured peer, a `Listener` for
 * incoming connections, the `Rib` and per-peer policy, and exposes a small typed API: add and remove peers,
 * announce and withdraw routes, read peer state and routes, and events for sessions going up and down.
 *
 * Routes flow: a session delivers an UPDATE → `rib.ingest` → decision → the RIB marks what each peer must be sent
 * and emits `outbound` → the speaker pumps `rib.flush` into that peer's socket, a bounded batch per event-loop turn
 * and only while the socket takes more (backpressure), so one slow peer never holds up the others or the timers.
 */
import { EventEmitter } from 'node:events';
import {
  CeaseError,
  errors,
  parsePrefix,
  shutdownData,
  type BgpError,
  type NotificationMessage,
  type Prefix,
  type UpdateMessage,
  type CodecContext,
  decodeUpdate,
  HEADER_LENGTH,
  Afi,
  Safi,
} from '../wire/index.js';
import type { AdvertisedCapabilities, CloseReason, FamilyRef, FsmState, Negotiated, RemoteAs } from '../fsm/index.js';
import {
  Listener,
  PeerSession,
  netConnector,
  silentLogger,
  type Transport,
  systemClock,
  type Clock,
  type Connector,
  type Logger,
  type NotificationRecord,
  type MessageCounts,
} from '../session/index.js';
import { Rib, type LocRibEntry, type AdjRibInEntry, type AdjRibOutEntry, type PeerInfo, type RoutePolicy } from '../rib/index.js';
import { bindPolicy, ebgpRequiresPolicy, policyDenyReason, permitAny, type Policy, type PolicyPeer } from '../policy/index.js';
import { toPathAttributes, type RouteAttributes } from './route-attributes.js';
import { cidrContains, parseCidr, type Cidr } from './listen-range.js';
import { DEFAULT_STALE_PATH_TIME, purposefulCease } from './graceful-restart.js';
import { RestartHelper } from './restart-helper.js';

export interface SpeakerOptions {
  /** Our AS number (4-octet values allowed). */
  asn: number;
  /** Our BGP Identifier. */
  routerId: string;
  /** Where to accept connections; `false` for none. Default `{ host: '::', port: 179 }`. */
  listen?: { host?: string; port?: number } | false;
  logger?: Logger;
  clock?: Clock;
  connector?: Connector;
  /** Random source for timer jitter (tests). */
  random?: () => number;
  /** RFC 4456 CLUSTER_ID (default: routerId). */
  clusterId?: string;
  /** ECMP paths kept in the Loc-RIB view (FRR `maximum-paths`, default 1). */
  maximumPaths?: number;
  alwaysCompareMed?: boolean;
  /**
   * RFC 8212: eBGP peers without a policy neither accept nor send routes (default true, as FRR's
   * `bgp ebgp-requires-policy`; pfSense's "Disable eBGP Require Policy" sets it false).
   */
  ebgpRequiresPolicy?: boolean;
  /** Most dynamic neighbours accepted from listen ranges at once (FRR `bgp listen limit`, default 100). */
  listenLimit?: number;
  /**
   * RFC 4724 receiving speaker: seconds a restarted peer's stale routes wait for its End-of-RIB once its session is
   * back (FRR `bgp graceful-restart stalepath-time`, default 360).
   */
  stalePathTime?: number;
}

export type FamilyName = 'ipv4-unicast' | 'ipv6-unicast';

export interface PeerConfig {
  address: string;
  /** Default 179. */
  port?: number;
  /** The peer's AS, or `internal`/`external`/`any` for dynamic neighbours; may come from the peer group. */
  remoteAs?: RemoteAs;
  /** Wait for the peer to connect; never dial. */
  passive?: boolean;
  /** Bind outgoing connections to this local address. */
  localAddress?: string;
  /** Seconds (default 90). */
  holdTime?: number;
  keepaliveTime?: number;
  /** Seconds: ceiling of the reconnect backoff (default 120). */
  connectRetryTime?: number;
  /** Default `['ipv4-unicast']`. */
  families?: readonly (FamilyName | FamilyRef)[];
  /** RFC 4456: this iBGP peer is a route-reflector client. */
  routeReflectorClient?: boolean;
  /** iBGP: rewrite the next hop to ourselves. */
  nextHopSelf?: boolean;
  /** Inbound route map (policy function). */
  importPolicy?: Policy;
  /** Outbound route map (policy function). */
  exportPolicy?: Policy;
  /**
   * The peer group this peer belongs to (FRR `neighbor X peer-group NAME`): its settings apply wherever the peer's
   * own leave a field unset, and its members share outbound policy and encodings.
   */
  peerGroup?: string;
  /** RFC 4486: reset with Cease 6/1 when the peer sends more routes than this. */
  maxPrefix?: number;
  /** Capabilities beyond the defaults (route refresh, 4-octet AS). */
  capabilities?: AdvertisedCapabilities;
  description?: string;
}

/** What `peer()`/`peers()` report. */
/** Settings shared by the members of a peer group (every `PeerConfig` field but the address). */
export type PeerGroupConfig = Omit<PeerConfig, 'address' | 'peerGroup'>;

/** A listen range: connections from inside `prefix` become dynamic neighbours of `peerGroup`. */
export interface ListenRangeConfig {
  prefix: string;
  peerGroup: string;
}

export interface PeerStatus {
  address: string;
  /** Accepted from a listen range rather than configured. */
  dynamic: boolean;
  port: number;
  remoteAs: RemoteAs | undefined;
  /** The AS the peer announced, once a session came up. */
  peerAsn: number | undefined;
  state: FsmState;
  description: string | undefined;
  peerGroup: string | undefined;
  /** Seconds since the last state change into or out of Established. */
  upDownSeconds: number;
  negotiated: Negotiated | undefined;
  localEndpoint: { address: string; port: number } | undefined;
  messages: { received: MessageCounts; sent: MessageCounts };
  prefixes: { received: number; accepted: number; sent: number };
  lastNotificationSent: NotificationRecord | undefined;
  lastNotificationReceived: NotificationRecord | undefined;
  lastDownReason: string | undefined;
  flaps: number;
  /** Why routes are held back by policy (`rfc8212-no-policy`: RFC 8212 and no policy on an eBGP session). */
  policyBlocked: { in?: string; out?: string };
}

export interface SpeakerEvents {
  peerUp: [address: string, negotiated: Negotiated];
  peerDown: [address: string, reason: string];
  peerState: [address: string, from: FsmState, to: FsmState];
  update: [address: string, update: UpdateMessage];
  notificationReceived: [address: string, notification: NotificationMessage];
  notificationSent: [address: string, error: BgpError];
  /**
   * UPDATE propagation latency toward one peer: seconds from the first route change queued for it (an UPDATE
   * received and decided, a route announced or withdrawn) until its queue was drained onto the session. One
   * observation per burst; a burst that sends the whole table (session start, route refresh) is not one: it
   * measures the table, not a change.
   */
  updatesPropagated: [address: string, seconds: number];
}

interface PeerEntry {
  /** The peer's own settings merged over its group's. */
  config: PeerConfig;
  dynamic: boolean;
  session: PeerSession;
  log: Logger;
  pumping: boolean;
  waitingForDrain: boolean;
  inRib: boolean;
  policyBlocked: { in?: string; out?: string };
  /** Clock reading when the oldest change not yet written to the session was queued (`updatesPropagated`). */
  pendingSince: number | undefined;
  /** The whole table is being sent (session start, route refresh): that burst is not a propagation latency. */
  dumping: boolean;
  /** What the last Established session negotiated (graceful restart decides on it after the session is gone). */
  negotiated: Negotiated | undefined;
  /** We are ending the session on purpose (shutdown, reset, removal): nothing is kept stale. */
  purposefulStop: boolean;
  /** The peer's open transports (ours and its), for `stop({ gracefulRestart })` to close without a NOTIFICATION. */
  transports: Set<Transport>;
}

const FAMILY_REFS: Record<FamilyName, FamilyRef> = {
  'ipv4-unicast': { afi: Afi.IPv4, safi: Safi.Unicast },
  'ipv6-unicast': { afi: Afi.IPv6, safi: Safi.Unicast },
};

/** Octets of UPDATEs flushed per batch (one socket write), and batches per event-loop turn. */
const FLUSH_BYTES = 64 * 1024;
const FLUSH_BATCHES_PER_TURN = 8;

export class Speaker extends EventEmitter<SpeakerEvents> {
  readonly asn: number;
  readonly routerId: string;
  readonly rib: Rib;
  private readonly options: SpeakerOptions;
  private readonly log: Logger;
  private readonly peerEntries = new Map<string, PeerEntry>();
  private readonly restartHelper: RestartHelper;
  private readonly peerGroups = new Map<string, PeerGroupConfig>();
  private readonly listenRanges: { range: Cidr; peerGroup: string }[] = [];
  private listener: Listener | undefined;
  private boundListen: { address: string; port: number } | undefined;
  private started = false;

  constructor(options: SpeakerOptions) {
    super();
    this.options = options;
    this.asn = options.asn;
    this.routerId = options.routerId;
    this.log = options.logger ?? silentLogger;
    this.rib = new Rib({
      localAsn: options.asn,
      routerId: options.routerId,
      ...(options.clusterId ? { clusterId: options.clusterId } : {}),
      ...(options.maximumPaths ? { maximumPaths: options.maximumPaths } : {}),
      ...(options.alwaysCompareMed ? { alwaysCompareMed: true } : {}),
    });
    this.rib.on('outbound', (id) => this.onOutbound(id));
    this.rib.on('max-prefix', (id, received, limit) => this.onMaxPrefix(id, received, limit));
    // RFC 4724 §4.2: the timers of restarting peers run on the sessions' clock.
    this.restartHelper = new RestartHelper(this.rib, options.clock ?? systemClock, options.stalePathTime ?? DEFAULT_STALE_PATH_TIME);
    this.rib.on('end-of-rib', (id, _family, staleRemaining) => this.restartHelper.endOfRib(id, staleRemaining));
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
    this.listenRanges.push({ range: parseCidr(config.prefix), peerGroup: config.peerGroup });
  }

  /** Removes a listen range; dynamic neighbours already up stay until their sessions end. */
  removeListenRange(prefix: string): void {
    const i = this.listenRanges.findIndex((r) => r.range.text === prefix);
    if (i >= 0) this.listenRanges.splice(i, 1);
  }

  private dynamicGroupFor(address: string): string | undefined {
    const dynamicCount = [...this.peerEntries.values()].filter((e) => e.dynamic).length;
    if (dynamicCount >= (this.options.listenLimit ?? 100)) return undefined;
    return this.listenRanges.find((r) => cidrContains(r.range, address))?.peerGroup;
  }

  private addDynamicPeer(address: string, peerGroup: string): void {
    this.log.info({ event: 'dynamic-neighbor', peer: address, peerGroup }, `dynamic neighbour ${address} (${peerGroup})`);
    this.addPeerEntry({ address, peerGroup, passive: true }, true);
  }

  /** Adds a peer; if the speaker is started, the peer starts at once. Throws on an invalid configuration. */
  addPeer(config: PeerConfig): void {
    this.addPeerEntry(config, false);
  }

  private addPeerEntry(ownConfig: PeerConfig, dynamic: boolean): void {
    const address = ownConfig.address;
    if (this.peerEntries.has(address)) throw new Error(`peer ${address} already exists`);
    let config = ownConfig;
    if (ownConfig.peerGroup !== undefined) {
      const group = this.peerGroups.get(ownConfig.peerGroup);
      if (!group) throw new Error(`peer ${address}: no peer group ${ownConfig.peerGroup}`);
      config = { ...group, ...stripUndefined(ownConfig), address };
    }
    const remoteAs = config.remoteAs;
    if (remoteAs === undefined) throw new Error(`peer ${address}: remoteAs is not set (on the peer or its group)`);
    const families = (config.families ?? ['ipv4-unicast']).map((f) => (typeof f === 'string' ? FAMILY_REFS[f] : f));
    for (const f of families) if (!f) throw new Error(`peer ${address}: unknown family`);
    const log = this.log.child({ peer: address, asn: config.remoteAs });
    const transports = new Set<Transport>();
    const session = new PeerSession({
      address,
      ...(config.port !== undefined ? { port: config.port } : {}),
      ...(config.localAddress ? { localAddress: config.localAddress } : {}),
      fsm: {
        localAsn: this.asn,
        routerId: this.routerId,
        remoteAs,
        families,
        ...(config.holdTime !== undefined ? { holdTime: config.holdTime } : {}),
        ...(config.keepaliveTime !== undefined ? { keepaliveTime: config.keepaliveTime } : {}),
        ...(config.connectRetryTime !== undefined ? { connectRetryTime: config.connectRetryTime } : {}),
        ...(config.passive ? { passive: true } : {}),
        capabilities: { routeRefresh: true, ...config.capabilities },
      },
      logger: log,
      ...(this.options.clock ? { clock: this.options.clock } : {}),
      // Every transport the session opens is tracked, so that a graceful-restart stop can close it silently.
      connector: (o) => trackTransport(transports, (this.options.connector ?? netConnector)(o)),
      ...(this.options.random ? { random: this.options.random } : {}),
    });
    const entry: PeerEntry = {
      config,
      dynamic,
      session,
      log,
      pumping: false,
      waitingForDrain: false,
      inRib: false,
      policyBlocked: {},
      pendingSince: undefined,
      dumping: false,
      negotiated: undefined,
      purposefulStop: false,
      transports,
    };
    this.peerEntries.set(address, entry);
    session.on('state', (from, to) => {
      this.emit('peerState', address, from, to);
      // A dynamic neighbour exists only while it is connected: once its connection is gone, so is it (and, through
      // peerDown, its routes).
      const connected = from === 'OpenSent' || from === 'OpenConfirm' || from === 'Established';
      if (entry.dynamic && connected && (to === 'Idle' || to === 'Active')) setImmediate(() => this.forgetDynamicPeer(entry));
    });
    session.on('established', (negotiated, local) => this.onEstablished(entry, negotiated, local));
    session.on('down', (reason, close) => this.onDown(entry, reason, close));
    session.on('rawUpdate', (message, ctx) => this.onRawUpdate(entry, message, ctx));
    session.on('routeRefresh', (m) => {
      // RFC 2918: the peer asks for our Adj-RIB-Out again.
      if (entry.inRib) {
        entry.dumping = true;
        this.rib.refreshOut(address);
      }
      log.info({ event: 'route-refresh-received', afi: m.afi, safi: m.safi }, 'route refresh received');
    });
    session.on('writable', () => {
      if (entry.waitingForDrain) {
        entry.waitingForDrain = false;
        this.schedulePump(address);
      }
    });
    session.on('notificationReceived', (n) => this.emit('notificationReceived', address, n));
    session.on('notificationSent', (e) => this.emit('notificationSent', address, e));
    if (this.started) session.start();
  }

  /**
   * Removes a peer: Cease / Peer De-configured (RFC 4486 §4). RFC 9003 defines a shutdown communication only for
   * Administrative Shutdown and Reset, so none travels with 6/3; use `shutdownPeer` first to tell the peer why.
   */
  async removePeer(address: string): Promise<void> {
    const entry = this.peerEntries.get(address);
    if (!entry) throw new Error(`no peer ${address}`);
    await this.stopOnPurpose(entry, errors.cease(CeaseError.PeerDeconfigured));
    this.peerEntries.delete(address);
    if (entry.inRib) {
      this.rib.removePeer(address);
      entry.inRib = false;
    }
  }

  /**
   * Shuts a peer down and keeps it configured (FRR `neighbor X shutdown message …`): Cease / Administrative
   * Shutdown with an optional RFC 9003 shutdown communication. `enablePeer` starts it again.
   */
  async shutdownPeer(address: string, message?: string): Promise<void> {
    const entry = this.peerEntries.get(address);
    if (!entry) throw new Error(`no peer ${address}`);
    await this.stopOnPurpose(entry, errors.cease(CeaseError.AdministrativeShutdown, message ? shutdownData(message) : undefined, message));
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

  /**
   * Resets a session (FRR `clear bgp ADDR`): Cease / Administrative Reset (RFC 4486) with an optional RFC 9003
   * message, then the peer starts again at once.
   */
  async resetPeer(address: string, message?: string): Promise<void> {
    const entry = this.peerEntries.get(address);
    if (!entry) throw new Error(`no peer ${address}`);
    await this.stopOnPurpose(entry, errors.cease(CeaseError.AdministrativeReset, message ? shutdownData(message) : undefined, message));
    if (this.started && this.peerEntries.get(address) === entry) entry.session.start();
  }

  /** Sends the peer our whole Adj-RIB-Out again (FRR `clear bgp ADDR soft out`); false when the session is down. */
  refreshOut(address: string): boolean {
    const entry = this.peerEntries.get(address);
    // In the RIB but down: a restarting peer whose routes are kept stale (RFC 4724).
    if (!entry?.inRib || !this.rib.isUp(address)) return false;
    entry.dumping = true;
    this.rib.refreshOut(address);
    return true;
  }

  /** The peer's configuration as in force (its own settings merged over its peer group's). */
  peerConfig(address: string): Readonly<PeerConfig> | undefined {
    return this.peerEntries.get(address)?.config;
  }

  /** Starts a peer stopped by `shutdownPeer`. */
  enablePeer(address: string): void {
    const entry = this.peerEntries.get(address);
    if (!entry) throw new Error(`no peer ${address}`);
    if (this.started) entry.session.start();
  }

  private forgetDynamicPeer(entry: PeerEntry): void {
    const address = entry.config.address;
    if (this.peerEntries.get(address) !== entry || entry.session.state === 'Established') return;
    this.peerEntries.delete(address);
    this.restartHelper.forget(address);
    if (entry.inRib) {
      this.rib.removePeer(address);
      entry.inRib = false;
    }
    void entry.session.stop();
    this.log.info({ event: 'dynamic-neighbor-gone', peer: address }, `dynamic neighbour ${address} removed`);
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

  peer(address: string): PeerStatus | undefined {
    const e = this.peerEntries.get(address);
    return e ? this.status(e) : undefined;
  }

  peers(): PeerStatus[] {
    return [...this.peerEntries.values()].map((e) => this.status(e));
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

  private status(e: PeerEntry): PeerStatus {
    const s = e.session;
    const n = s.negotiated;
    const c = e.inRib ? this.rib.counters(e.config.address) : undefined;
    return {
      address: e.config.address,
      dynamic: e.dynamic,
      port: s.port,
      remoteAs: e.config.remoteAs,
      peerAsn: n?.peerAsn,
      state: s.state,
      description: e.config.description,
      peerGroup: e.config.peerGroup,
      upDownSeconds: Math.max(0, Math.round((Date.now() - s.counters.lastStateChange) / 1000)),
      negotiated: n,
      localEndpoint: s.localEndpoint,
      messages: { received: { ...s.counters.received }, sent: { ...s.counters.sent } },
      prefixes: { received: c?.received ?? 0, accepted: c?.accepted ?? 0, sent: c?.sent ?? 0 },
      lastNotificationSent: s.counters.lastNotificationSent,
      lastNotificationReceived: s.counters.lastNotificationReceived,
      lastDownReason: s.counters.lastDownReason,
      flaps: s.counters.flaps,
      policyBlocked: { ...e.policyBlocked },
    };
  }

  private onEstablished(e: PeerEntry, n: Negotiated, local: { address: string; port: number }): void {
    const address = e.config.address;
    const policyPeer: PolicyPeer = {
      address,
      asn: n.peerAsn,
      localAsn: this.asn,
      ibgp: n.internal,
      localAddress: local.address.includes(':') ? { ipv6: local.address } : { ipv4: local.address },
    };
    const enabled = this.options.ebgpRequiresPolicy ?? true;
    const importPolicy = ebgpRequiresPolicy(e.config.importPolicy, policyPeer, enabled);
    const exportPolicy = ebgpRequiresPolicy(e.config.exportPolicy, policyPeer, enabled);
    e.policyBlocked = {};
    const inReason = policyDenyReason(importPolicy);
    const outReason = policyDenyReason(exportPolicy);
    if (inReason) e.policyBlocked.in = inReason;
    if (outReason) e.policyBlocked.out = outReason;
    if (inReason || outReason) {
      e.log.warn(
        { event: 'policy-blocked', in: inReason, out: outReason },
        'eBGP session without policy: routes are neither accepted nor sent (RFC 8212)',
      );
    }
    const ribPolicy = (p: Policy): RoutePolicy | undefined => (p === permitAny ? undefined : (bindPolicy(p, policyPeer) as RoutePolicy));
    const imp = ribPolicy(importPolicy);
    const exp = ribPolicy(exportPolicy);
    e.waitingForDrain = false;
    e.negotiated = n;
    const info: PeerInfo = {
      id: address,
      address,
      asn: n.peerAsn,
      routerId: n.peerBgpIdentifier,
      ...(e.config.routeReflectorClient ? { routeReflectorClient: true } : {}),
      ...(e.config.nextHopSelf ? { nextHopSelf: true } : {}),
      ...(imp ? { importPolicy: imp } : {}),
      ...(exp ? { exportPolicy: exp } : {}),
      ...(exp && e.config.peerGroup ? { outboundGroup: `${e.config.peerGroup}/${n.internal ? 'i' : 'e'}` } : {}),
      ...(e.config.maxPrefix !== undefined ? { maxPrefix: e.config.maxPrefix } : {}),
      txContext: n.tx,
    };
    // RFC 4724 §4.2: a peer back from a graceful restart keeps its slot and its stale routes — except the families
    // the new OPEN no longer preserves, which go now; the rest wait for its End-of-RIB, at most `stalePathTime`.
    const stale = e.inRib ? this.restartHelper.sessionReturning(address, n, e.log) : 0;
    if (!(stale > 0 && this.rib.updatePeer(info))) {
      if (e.inRib) this.rib.removePeer(address);
      this.rib.addPeer(info);
    }
    e.inRib = true;
    e.dumping = true;
    this.rib.peerUp(address, {
      families: n.families,
      txContext: n.tx,
      routerId: n.peerBgpIdentifier,
      localAddress: policyPeer.localAddress as { ipv4?: string; ipv6?: string },
    });
    this.restartHelper.sessionUp(address, e.log);
    this.emit('peerUp', address, n);
  }

  private onDown(e: PeerEntry, reason: string, close: CloseReason): void {
    const address = e.config.address;
    this.restartHelper.forget(address);
    // RFC 4724 §4.2: a restarting peer's routes stay in the RIB, stale, for its Restart Time.
    const kept = e.inRib && !e.purposefulStop && this.restartHelper.sessionDown(address, e.config.capabilities?.gracefulRestart, e.negotiated, close, e.log);
    if (e.inRib && !kept) {
      this.rib.peerDown(address);
      this.rib.removePeer(address);
      e.inRib = false;
    }
    e.waitingForDrain = false;
    e.pendingSince = undefined;
    e.dumping = false;
    this.emit('peerDown', e.config.address, reason);
  }

  /**
   * An UPDATE from the peer, undecoded, into the RIB's fast path; decoded for the `update` event only when someone
   * listens. A session-reset error (RFC 7606) is thrown as its BgpError: the session answers it with that
   * NOTIFICATION, as it does a message it cannot decode.
   */
  private onRawUpdate(e: PeerEntry, message: Uint8Array, ctx: CodecContext): void {
    if (e.inRib) this.rib.ingestUpdate(e.config.address, message, ctx, HEADER_LENGTH);
    const decoded = this.listenerCount('update') > 0 || !e.inRib ? decodeUpdate(message.subarray(HEADER_LENGTH), ctx) : undefined;
    if (decoded !== undefined) this.emit('update', e.config.address, decoded);
  }

  private onMaxPrefix(id: string, received: number, limit: number): void {
    const e = this.peerEntries.get(id);
    if (!e) return;
    const n = e.session.negotiated;
    // RFC 4486 §4: Data = AFI (2), SAFI (1), the upper bound (4).
    const data = new Uint8Array(7);
    const family = n?.families[0] ?? 0x101;
    const afi = family >> 8;
    data[0] = afi >> 8;
    data[1] = afi & 0xff;
    data[2] = family & 0xff;
    new DataView(data.buffer).setUint32(3, limit);
    e.log.warn({ event: 'max-prefix', received, limit }, `peer sent ${received} prefixes, limit ${limit}`);
    // RFC 8538 §5: a Hard Reset where the N bit was exchanged — the routes that overflowed are not worth keeping.
    e.session.reset(purposefulCease(e.config.capabilities?.gracefulRestart, n, errors.cease(CeaseError.MaximumNumberOfPrefixesReached, data, `${received} > ${limit}`)));
  }

  private onOutbound(id: string): void {
    const e = this.peerEntries.get(id);
    if (!e) return;
    if (e.pendingSince === undefined) e.pendingSince = this.now();
    this.schedulePump(id);
  }

  private now(): number {
    return (this.options.clock ?? systemClock).now();
  }

  private schedulePump(id: string): void {
    const e = this.peerEntries.get(id);
    if (!e || e.pumping || e.waitingForDrain) return;
    e.pumping = true;
    setImmediate(() => this.pump(e));
  }

  /** Moves UPDATEs from the RIB to the socket: bounded per turn, paused while the socket is full. */
  private pump(e: PeerEntry): void {
    e.pumping = false;
    const id = e.config.address;
    if (!e.inRib) return;
    for (let batch = 0; batch < FLUSH_BATCHES_PER_TURN; batch++) {
      if (!this.rib.hasPending(id)) return this.drained(e);
      // UPDATEs laid end to end: one write per batch rather than one per message (a syscall each).
      const out = this.rib.flushBatch(id, { maxBytes: FLUSH_BYTES });
      if (out === null) continue; // a step of the initial dump that had nothing to send
      if (!e.session.sendUpdateBatch(out.bytes, out.messages)) {
        e.waitingForDrain = true;
        return;
      }
    }
    if (this.rib.hasPending(id)) this.schedulePump(id);
    else this.drained(e);
  }

  /** The peer's queue is empty: the burst that began at `pendingSince` has reached the session. */
  private drained(e: PeerEntry): void {
    const since = e.pendingSince;
    e.pendingSince = undefined;
    if (e.dumping) e.dumping = false;
    else if (since !== undefined) this.emit('updatesPropagated', e.config.address, (this.now() - since) / 1000);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** Adds `t` to `set` until it closes; returns it. */
function trackTransport<T extends Transport>(set: Set<Transport>, t: T): T {
  set.add(t);
  t.on('close', () => set.delete(t));
  return t;
}

/** Resolves once `done()` holds, or after `ms`. */
async function waitUntil(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}
