/**
 * What the RIB keeps per peer: its configuration, what its session negotiated, its counters, its Adj-RIB-Out and
 * the progress of its initial table dump. The peer is also the source of the paths it sends us — paths name it by
 * its `slot` — so the decision process and export read its BGP Identifier and address straight from here.
 */
import { IPV4_UNICAST, IPV6_UNICAST, createContext, parseIPv4, parseIPv6, type CodecContext } from '../wire/index.js';
import { AdjRibOut } from './adj-rib-out.js';
import { ipv4Number } from './attr-set.js';
import type { AttrStore } from './attr-store.js';
import type { DecisionSource } from './decision.js';
import type { ExportSource } from './export.js';
import type { OutboundGroup } from './outbound-group.js';
import type { PrefixIndex } from './prefix-index.js';
import type { LocalAddresses, NegotiatedSession, PeerInfo } from './types.js';

/** An address as 32 hex digits (IPv4 mapped into IPv6 space), so that string order is address order. */
export function addressSortKey(address: string): string {
  const v4 = parseIPv4(address);
  const bytes = v4 ? Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4) : (parseIPv6(address) ?? new Uint8Array(16));
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export class PeerState implements DecisionSource, ExportSource {
  info: PeerInfo;
  readonly id: string;
  /** The index paths use to name this peer as their source (never 0: that is this speaker). */
  readonly slot: number;
  readonly ibgp: boolean;
  readonly rrClient: boolean;
  readonly addressKey: string;
  routerId: string;
  routerIdNumber: number;
  up = false;
  /** Negotiated IPv4 / IPv6 unicast. */
  ipv4 = false;
  ipv6 = false;
  txContext: CodecContext;
  localAddress: LocalAddresses;
  group: OutboundGroup | null = null;
  readonly out: AdjRibOut;
  /**
   * The next prefix id of the table walk, -1 when none is under way: the initial dump (RFC 4271 §9.2: send the
   * Loc-RIB once the session is up), or a re-export of the Adj-RIB-Out against what was sent (`Rib.refreshOut`).
   */
  dump = -1;
  /** The walk re-sends routes the peer already has (RFC 2918 ROUTE-REFRESH), not only the differences. */
  resendAll = false;
  /** Families (familyKey) whose End-of-RIB (RFC 4724 §2) is still to be sent after the dump. */
  eorPending: number[] = [];
  /** Families whose End-of-RIB the peer has sent us. */
  readonly eorReceived = new Set<number>();
  received = 0;
  accepted = 0;
  /**
   * RFC 4724 §4.2: families whose routes were kept, marked stale, when a graceful-restart session went down; a
   * family leaves the set when its stale routes are gone (End-of-RIB, the restart timer, a new session without it).
   */
  readonly staleFamilies = new Set<number>();
  /** Paths of this peer marked stale. */
  staleCount = 0;
  maxPrefixReported = false;
  /**
   * The peer's last new attribute block was already canonical (see `AttrStore`): its next new blocks are decoded
   * straight away rather than looked up under a key string first.
   */
  canonicalBlocks = true;

  constructor(info: PeerInfo, localAsn: number, slot: number, prefixes: PrefixIndex, store: AttrStore) {
    this.info = info;
    this.id = info.id;
    this.slot = slot;
    this.out = new AdjRibOut(prefixes, store);
    this.ibgp = info.asn === localAsn;
    this.rrClient = this.ibgp && info.routeReflectorClient === true;
    this.addressKey = addressSortKey(info.address);
    this.routerId = info.routerId ?? '0.0.0.0';
    this.routerIdNumber = ipv4Number(this.routerId);
    this.txContext = info.txContext ?? createContext();
    this.localAddress = info.localAddress ?? {};
  }

  /** Applies what the session negotiated. */
  establish(session: NegotiatedSession): void {
    this.up = true;
    this.ipv4 = session.families.includes(IPV4_UNICAST);
    this.ipv6 = session.families.includes(IPV6_UNICAST);
    if (session.txContext !== undefined) this.txContext = session.txContext;
    if (session.routerId !== undefined) {
      this.routerId = session.routerId;
      this.routerIdNumber = ipv4Number(session.routerId);
    }
    this.localAddress = { ...this.info.localAddress, ...session.localAddress };
  }

  /** True when the session carries the family of prefix `p`. */
  carries(prefixes: PrefixIndex, p: number): boolean {
    return prefixes.isV4(p) ? this.ipv4 : this.ipv6;
  }

  /**
   * Forgets the session: Adj-RIB-Out, dump, End-of-RIB state. The route counters stay: they count the paths still
   * in the Loc-RIB (stale ones after a graceful restart), and `Rib.peerDown` zeroes them once those are withdrawn.
   */
  reset(): void {
    this.up = false;
    this.ipv4 = false;
    this.ipv6 = false;
    this.group = null;
    this.out.clear();
    this.dump = -1;
    this.resendAll = false;
    this.eorPending = [];
    this.eorReceived.clear();
    this.maxPrefixReported = false;
  }
}
