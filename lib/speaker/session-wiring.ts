/**
 * Session wiring: what the Speaker does when a peer's `PeerSession` reports something. The session runs the RFC 4271
 * FSM; this turns its events into RIB calls and the Speaker's events:
 *
 * - Established: the peer's policies are bound (RFC 8212: an eBGP session without one sends and accepts nothing),
 *   and the peer joins the RIB, which then queues our Adj-RIB-Out for it (`pump.ts` sends it). A peer back from a
 *   graceful restart keeps its slot and its stale routes (RFC 4724 §4.2, `restart-helper.ts`).
 * - Down: the peer leaves the RIB with its routes — unless graceful restart keeps them stale for its Restart Time.
 * - An UPDATE: into the RIB's fast path undecoded; decoded only for `update` listeners.
 * - ROUTE-REFRESH (RFC 2918): the peer gets our Adj-RIB-Out again.
 * - Max-prefix (the RIB's, RFC 4486): the session is reset with Cease 6/1.
 * - A dynamic neighbour whose connection is gone is handed back to the Speaker to forget.
 */
import type { EventEmitter } from 'node:events';
import { CeaseError, errors, decodeUpdate, HEADER_LENGTH, type CodecContext } from '../wire/index.js';
import type { CloseReason, Negotiated } from '../fsm/index.js';
import type { PeerInfo, Rib, RoutePolicy } from '../rib/index.js';
import { bindPolicy, ebgpRequiresPolicy, policyDenyReason, permitAny, type Policy, type PolicyPeer } from '../policy/index.js';
import type { SpeakerEvents, SpeakerOptions } from './types.js';
import type { PeerEntry } from './peer-entry.js';
import type { UpdatePump } from './pump.js';
import type { RestartHelper } from './restart-helper.js';
import { purposefulCease } from './graceful-restart.js';

export class SessionWiring {
  /** `dynamicPeerGone`: a dynamic neighbour's connection is gone (called on the next turn); the Speaker forgets it. */
  constructor(
    private readonly events: EventEmitter<SpeakerEvents>,
    private readonly options: SpeakerOptions,
    private readonly rib: Rib,
    private readonly restartHelper: RestartHelper,
    private readonly pump: UpdatePump,
    private readonly dynamicPeerGone: (entry: PeerEntry) => void,
  ) {}

  /** Listens to the entry's session, once, when the entry is made. */
  attach(entry: PeerEntry): void {
    const address = entry.config.address;
    const session = entry.session;
    session.on('state', (from, to) => {
      this.events.emit('peerState', address, from, to);
      // A dynamic neighbour exists only while it is connected: once its connection is gone, so is it (and, through
      // peerDown, its routes).
      const connected = from === 'OpenSent' || from === 'OpenConfirm' || from === 'Established';
      if (entry.dynamic && connected && (to === 'Idle' || to === 'Active')) setImmediate(() => this.dynamicPeerGone(entry));
    });
    session.on('established', (negotiated, local) => this.onEstablished(entry, negotiated, local));
    session.on('down', (reason, close) => this.onDown(entry, reason, close));
    session.on('rawUpdate', (message, ctx) => this.onRawUpdate(entry, message, ctx));
    session.on('routeRefresh', (m) => {
      // RFC 2918: the peer asks for our Adj-RIB-Out again.
      if (entry.inRib) this.pump.resendTable(entry);
      entry.log.info({ event: 'route-refresh-received', afi: m.afi, safi: m.safi }, 'route refresh received');
    });
    session.on('writable', () => this.pump.writable(entry));
    session.on('notificationReceived', (n) => this.events.emit('notificationReceived', address, n));
    session.on('notificationSent', (e) => this.events.emit('notificationSent', address, e));
  }

  /** The RIB's `max-prefix` for this peer: it sent `received` routes, more than `limit` (RFC 4486). */
  maxPrefix(e: PeerEntry, received: number, limit: number): void {
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

  private onEstablished(e: PeerEntry, n: Negotiated, local: { address: string; port: number }): void {
    const address = e.config.address;
    const policyPeer: PolicyPeer = {
      address,
      asn: n.peerAsn,
      localAsn: this.options.asn,
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
    this.pump.sessionUp(e);
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
    this.rib.peerUp(address, {
      families: n.families,
      txContext: n.tx,
      routerId: n.peerBgpIdentifier,
      localAddress: policyPeer.localAddress as { ipv4?: string; ipv6?: string },
    });
    this.restartHelper.sessionUp(address, e.log);
    this.events.emit('peerUp', address, n);
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
    this.pump.sessionDown(e);
    this.events.emit('peerDown', e.config.address, reason);
  }

  /**
   * An UPDATE from the peer, undecoded, into the RIB's fast path; decoded for the `update` event only when someone
   * listens. A session-reset error (RFC 7606) is thrown as its BgpError: the session answers it with that
   * NOTIFICATION, as it does a message it cannot decode.
   */
  private onRawUpdate(e: PeerEntry, message: Uint8Array, ctx: CodecContext): void {
    if (e.inRib) this.rib.ingestUpdate(e.config.address, message, ctx, HEADER_LENGTH);
    const decoded = this.events.listenerCount('update') > 0 || !e.inRib ? decodeUpdate(message.subarray(HEADER_LENGTH), ctx) : undefined;
    if (decoded !== undefined) this.events.emit('update', e.config.address, decoded);
  }
}
