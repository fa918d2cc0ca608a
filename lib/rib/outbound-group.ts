/**
 * Outbound groups (FRR's update groups): peers that would be sent exactly the same UPDATEs — same kind (iBGP/eBGP,
 * route-reflector client or not), same codec context, same next-hop-self addresses, same export policy — share the
 * work of export: the export rules and policy run once per route per group, and each attribute set is encoded once
 * per group. Split horizon and the ORIGINATOR_ID check differ per member and are applied by the RIB per peer.
 *
 * Export results are memoised per (source, attribute set, family), so a full table sharing a few hundred thousand
 * sets costs that many export computations, not a million; with an export policy, the policy still runs per prefix,
 * and a policy that returns the list it was given unchanged reuses the memoised result. A memo holds a reference on
 * the exported set and is forgotten when the set it was computed from is freed. A result depends on the group (its
 * target, fixed by the group key), the set, and of the source only on what `export.ts` reads — iBGP or not, route-
 * reflector client or not, its BGP Identifier (RFC 4456 §8's ORIGINATOR_ID) — never on the group's members: each
 * source's memo records those, and is dropped when a lookup finds the source in the slot is no longer the one it
 * was computed for (a new session's BGP Identifier, a freed slot given to another peer). Peers joining and leaving
 * therefore cost nothing here: a new member's initial dump reuses every result the group already has.
 * Encoding: for a 4-octet-AS group a set's canonical encoding is already the wire form (`AttrStore`), so nothing is
 * encoded at all; for a 2-octet group RFC 6793 §4.2.2 happens here — 4-octet ASNs become AS_TRANS and AS4_PATH /
 * AS4_AGGREGATOR carry the real ones — cached per set.
 */
import {
  AttrFlag,
  AttrType,
  IPV4_UNICAST,
  IPV6_UNICAST,
  encodeAttribute,
  encodeAttributes,
  maxMessageLength,
  needsAs4Path,
  toAs4Path,
  type CodecContext,
  type PathAttribute,
} from '../wire/index.js';
import { DEFAULT_LOCAL_PREF, findAttribute, ipv4Number, typeCodeOf, withAttribute } from './attr-set.js';
import { SetFlag, type AttrStore } from './attr-store.js';
import { exportBase, exportFinal, mayAdvertise, type ExportSource, type ExportSpeaker, type ExportTarget } from './export.js';
import { rewriteAttributes, type BytePlan } from './export-bytes.js';
import { Encoding } from './packer.js';
import type { PrefixIndex } from './prefix-index.js';
import type { ExportPolicy, PeerInfo } from './types.js';
import type { PeerState } from './peer-state.js';

/** The RFC 7911 Path Identifier of the one path per prefix we send under ADD-PATH. */
export const SENT_PATH_ID = 1;

/** A memoised export with a policy: what policy is given (frozen: "returned unchanged" is an identity test). */
interface PolicyMemo {
  readonly base: readonly PathAttribute[] | null;
  /** The exported set when policy leaves `base` unchanged, 0 when not advertised. */
  readonly final: number;
}

/**
 * What the group memoised for the routes of one source slot, and who that source was: export reads only these
 * fields of it (`mayAdvertise`, `exportBase`, `exportOctets`), so the results hold while they are unchanged.
 */
interface SourceMemo {
  /** Originated here (no source peer). */
  readonly local: boolean;
  readonly ibgp: boolean;
  readonly rrClient: boolean;
  readonly routerId: string;
  readonly routerIdNumber: number;
  /**
   * Per family, indexed by set id: the exported set + 1 (1: not advertised, 0: not computed yet). Set ids are
   * dense, so a typed array is smaller than a hash map and needs no hashing.
   */
  exported4: Int32Array;
  exported6: Int32Array;
  readonly policy4: Map<number, PolicyMemo>;
  readonly policy6: Map<number, PolicyMemo>;
}

const NO_MEMO = new Int32Array(0);

function sourceMemo(source: ExportSource | null): SourceMemo {
  return {
    local: source === null,
    ibgp: source?.ibgp ?? false,
    rrClient: source?.rrClient ?? false,
    routerId: source?.routerId ?? '',
    routerIdNumber: source?.routerIdNumber ?? 0,
    exported4: NO_MEMO,
    exported6: NO_MEMO,
    policy4: new Map(),
    policy6: new Map(),
  };
}

/** True when `memo` was computed for a source that export cannot tell from `source`. */
function sameSource(memo: SourceMemo, source: ExportSource | null): boolean {
  if (source === null) return memo.local;
  return (
    !memo.local &&
    memo.routerIdNumber === source.routerIdNumber &&
    memo.routerId === source.routerId &&
    memo.ibgp === source.ibgp &&
    memo.rrClient === source.rrClient
  );
}

/** Where `rewriteAttributes` writes (an attribute block is at most 65535 octets, and a prepend adds a few). */
const scratch = new Uint8Array(65536 + 64);

/** A 2-octet-AS encoding: head, MP_REACH_NLRI value and tail in one array. */
interface LegacyEncoding {
  readonly bytes: Uint8Array;
  readonly head: number;
  readonly mp: number;
}

export class OutboundGroup {
  readonly key: string;
  readonly target: ExportTarget;
  readonly ctx: CodecContext;
  /** The largest UPDATE this group may be sent (RFC 4271 §4.1 / RFC 8654). */
  readonly limit: number;
  /** Path Identifier to send per family under ADD-PATH, or -1. */
  readonly pathId4: number;
  readonly pathId6: number;
  /** Member peers (sessions up), in the order they joined. */
  readonly members: PeerState[] = [];
  /** Sets that could not be encoded (a policy produced an unencodable value, or too large for the limit). */
  unsendable = 0;
  /** Exports computed on the octets (`export-bytes.ts`) rather than on attribute objects. */
  octetExports = 0;
  private readonly policy: ExportPolicy | undefined;
  private readonly policyPeer: PeerInfo;
  private readonly speaker: ExportSpeaker;
  private readonly store: AttrStore;
  private readonly prefixes: PrefixIndex;
  /** Memoised exports per source slot. */
  private readonly sources = new Map<number, SourceMemo>();
  private readonly legacy = new Map<number, LegacyEncoding | null>();
  private readonly view = new Encoding();
  /** Our IPv4 address on the members' sessions as a number: -1 when there is none, -2 when it is not an address. */
  private readonly nextHop4: number;
  private readonly clusterIdNumber: number;
  private readonly plan: BytePlan = { drop: 0, prependAs: -1, nextHop: -1, localPref: -1, originatorId: -1, clusterId: -1 };
  // The last memo hit (the prefixes of one UPDATE share their set): source slot, family, set → exported set, and
  // the memo it came from (checked against the source, as every lookup is).
  private lastMemo: SourceMemo | null = null;
  private lastSlot = -1;
  private lastAfi = 0;
  private lastSet = 0;
  private lastExported = 0;

  constructor(
    key: string,
    target: ExportTarget,
    ctx: CodecContext,
    policy: ExportPolicy | undefined,
    policyPeer: PeerInfo,
    speaker: ExportSpeaker,
    store: AttrStore,
    prefixes: PrefixIndex,
  ) {
    this.key = key;
    this.target = target;
    this.ctx = ctx;
    this.limit = maxMessageLength(ctx);
    this.pathId4 = ctx.addPath.has(IPV4_UNICAST) ? SENT_PATH_ID : -1;
    this.pathId6 = ctx.addPath.has(IPV6_UNICAST) ? SENT_PATH_ID : -1;
    this.policy = policy;
    this.policyPeer = policyPeer;
    this.speaker = speaker;
    this.store = store;
    this.prefixes = prefixes;
    const nh = target.localAddress4;
    this.nextHop4 = nh === undefined ? -1 : ipv4Number(nh) === 0 && nh !== '0.0.0.0' ? -2 : ipv4Number(nh);
    this.clusterIdNumber = ipv4Number(speaker.clusterId);
  }

  /** Octets of the export memo arrays. */
  get bytes(): number {
    let n = 0;
    for (const m of this.sources.values()) n += m.exported4.byteLength + m.exported6.byteLength;
    return n;
  }

  /** Forgets every memoised export result, releasing the exported sets (the group is going away). */
  resetMemo(): void {
    for (const m of this.sources.values()) this.release(m);
    this.sources.clear();
    this.lastSlot = -1;
    this.lastMemo = null;
  }

  /**
   * Forgets what was memoised for routes of source `slot` — it has no routes left (its session went down, or the
   * peer was removed), so the results would only hold references. Correctness does not depend on it: a memo found
   * computed for another source is dropped on lookup.
   */
  forgetSource(slot: number): void {
    const m = this.sources.get(slot);
    if (m === undefined) return;
    this.release(m);
    this.sources.delete(slot);
    if (this.lastMemo === m) {
      this.lastSlot = -1;
      this.lastMemo = null;
    }
  }

  /** Releases the exported sets a source's memo holds. */
  private release(m: SourceMemo): void {
    const store = this.store;
    for (const bySet of [m.exported4, m.exported6]) {
      for (let i = 0; i < bySet.length; i++) {
        const final = (bySet[i] as number) - 1;
        if (final > 0) store.release(final);
      }
    }
    for (const bySet of [m.policy4, m.policy6]) for (const e of bySet.values()) if (e.final > 0) store.release(e.final);
  }

  /** A set was freed: forget what was memoised from it and how it was encoded. */
  forget(set: number): void {
    if (set === this.lastSet || set === this.lastExported) this.lastSlot = -1;
    for (const m of this.sources.values()) {
      for (const bySet of [m.exported4, m.exported6]) {
        if (set >= bySet.length) continue;
        const final = (bySet[set] as number) - 1;
        bySet[set] = 0;
        if (final > 0) this.store.release(final);
      }
      for (const bySet of [m.policy4, m.policy6]) {
        const e = bySet.get(set);
        if (e === undefined) continue;
        bySet.delete(set);
        if (e.final > 0) this.store.release(e.final);
      }
    }
    this.legacy.delete(set);
  }

  /** The memo of source `slot`, a new one when there is none or it was computed for another source. */
  private memoFor(slot: number, source: ExportSource | null): SourceMemo {
    let m = this.sources.get(slot);
    if (m !== undefined && sameSource(m, source)) return m;
    if (m !== undefined) this.forgetSource(slot);
    m = sourceMemo(source);
    this.sources.set(slot, m);
    return m;
  }

  /**
   * The set this group is sent for prefix `p` whose best path came from `source` (slot `slot`; null: originated
   * here) with set `set` after import policy; 0 when the route is not advertised.
   */
  exportRoute(p: number, slot: number, source: ExportSource | null, set: number): number {
    if (!mayAdvertise(source, this.target)) return 0;
    const afi = this.prefixes.isV4(p) ? 1 : 2;
    if (this.policy === undefined) {
      if (slot === this.lastSlot && set === this.lastSet && afi === this.lastAfi && sameSource(this.lastMemo as SourceMemo, source)) {
        return this.lastExported;
      }
      const m = this.memoFor(slot, source);
      let bySet = afi === 1 ? m.exported4 : m.exported6;
      if (set >= bySet.length) {
        const grown = new Int32Array(Math.max(this.store.capacity, set + 1));
        grown.set(bySet);
        bySet = grown;
        if (afi === 1) m.exported4 = grown;
        else m.exported6 = grown;
      }
      let final = (bySet[set] as number) - 1;
      if (final < 0) {
        final = afi === 1 ? this.exportOctets(source, set) : -1;
        if (final < 0) {
          const base = exportBase(this.store.attributes(set), this.store.flags[set] as number, source, this.target, this.speaker);
          final = base === null ? 0 : this.finish(base, base, afi);
        }
        if (final > 0) this.store.retain(final);
        bySet[set] = final + 1;
      }
      this.lastMemo = m;
      this.lastSlot = slot;
      this.lastAfi = afi;
      this.lastSet = set;
      this.lastExported = final;
      return final;
    }
    const m = this.memoFor(slot, source);
    const bySet = afi === 1 ? m.policy4 : m.policy6;
    let entry = bySet.get(set);
    if (entry === undefined) {
      const base = exportBase(this.store.attributes(set), this.store.flags[set] as number, source, this.target, this.speaker);
      const frozen = base === null ? null : Object.freeze(base);
      entry = { base: frozen, final: frozen === null ? 0 : this.finish(frozen, frozen, afi) };
      if (entry.final > 0) this.store.retain(entry.final);
      bySet.set(set, entry);
    }
    if (entry.base === null) return 0;
    const out = this.policy({ prefix: this.prefixes.prefix(p), attributes: entry.base }, this.policyPeer);
    if (out === null) return 0;
    if (out === entry.base) return entry.final;
    return this.finish(out, entry.base, afi);
  }

  /**
   * `exportBase` + `exportFinal` for an IPv4 route without export policy, on the set's octets (`export-bytes.ts`):
   * the exported set, 0 when the route is not advertised, -1 when the object path must decide.
   */
  private exportOctets(source: ExportSource | null, set: number): number {
    const store = this.store;
    const flags = store.flags[set] as number;
    if (flags & (SetFlag.Opaque | SetFlag.MpReach)) return -1;
    if (flags & SetFlag.NoAdvertise) return 0;
    const plan = this.plan;
    const target = this.target;
    if (!target.ibgp) {
      if (flags & (SetFlag.NoExport | SetFlag.NoExportSubconfed)) return 0;
      plan.drop = (1 << AttrType.LocalPref) | (1 << AttrType.OriginatorId) | (1 << AttrType.ClusterList) | (source === null ? 0 : 1 << AttrType.MultiExitDisc);
      plan.prependAs = this.speaker.localAsn;
      plan.nextHop = this.nextHop4;
      plan.localPref = -1;
      plan.originatorId = -1;
      plan.clusterId = -1;
    } else {
      const self = target.nextHopSelf || (flags & SetFlag.NextHop) === 0;
      const reflected = source !== null && source.ibgp;
      plan.drop = 0;
      plan.prependAs = -1;
      plan.nextHop = self ? this.nextHop4 : -1;
      plan.localPref = flags & SetFlag.LocalPref ? -1 : DEFAULT_LOCAL_PREF;
      plan.originatorId = reflected && (flags & SetFlag.OriginatorId) === 0 ? source.routerIdNumber : -1;
      plan.clusterId = reflected ? this.clusterIdNumber : -1;
      if (!self) plan.nextHop = -1;
      else if (this.nextHop4 === -1) return 0; // no address of ours to be the next hop
    }
    if (plan.nextHop === -2) return -1;
    if (!target.ibgp && plan.nextHop === -1) return 0;
    const o = store.start(set);
    const n = rewriteAttributes(store.page(set), o, o + (store.len[set] as number), plan, scratch);
    // Longer than an UPDATE can carry: the object path makes it an opaque set, which is never sent.
    if (n < 0 || n > 0xffff) return -1;
    this.octetExports++;
    return store.internEncoded(scratch, 0, n);
  }

  private finish(attrs: readonly PathAttribute[], base: readonly PathAttribute[], afi: 1 | 2): number {
    const out = exportFinal(attrs, base, afi, this.target, this.speaker);
    return out === null ? 0 : this.store.intern(out);
  }

  /**
   * `set` encoded for this group's codec context, or null when it cannot be encoded. The view is valid until the
   * next call (and until the store next changes).
   */
  encoding(set: number): Encoding | null {
    const store = this.store;
    const view = this.view;
    if ((store.flags[set] as number) & SetFlag.Opaque) {
      if (!this.legacy.has(set)) this.unsendable++;
      this.legacy.set(set, null);
      return null;
    }
    if (this.ctx.fourOctetAs) {
      const bytes = store.page(set);
      const start = store.start(set);
      const end = start + (store.len[set] as number);
      view.bytes = bytes;
      view.headStart = start;
      view.headEnd = end;
      view.mpStart = view.mpEnd = end;
      view.tailStart = view.tailEnd = end;
      if ((store.flags[set] as number) & SetFlag.MpReach) {
        // MP_REACH_NLRI splits the set: the packer writes the NLRI inside it, between the lower and higher types.
        for (let pos = start; pos < end; ) {
          const header = (bytes[pos] as number) & AttrFlag.ExtendedLength ? 4 : 3;
          const length = header === 4 ? ((bytes[pos + 2] as number) << 8) | (bytes[pos + 3] as number) : (bytes[pos + 2] as number);
          if (bytes[pos + 1] === AttrType.MpReachNlri) {
            view.headEnd = pos;
            view.mpStart = pos + header;
            view.mpEnd = view.tailStart = pos + header + length;
            break;
          }
          pos += header + length;
        }
      }
      return view;
    }
    let enc = this.legacy.get(set);
    if (enc === undefined) {
      try {
        const e = encodeSet(store.attributes(set), this.ctx);
        const mp = e.mpReach ?? new Uint8Array(0);
        const bytes = new Uint8Array(e.head.length + mp.length + e.tail.length);
        bytes.set(e.head, 0);
        bytes.set(mp, e.head.length);
        bytes.set(e.tail, e.head.length + mp.length);
        enc = { bytes, head: e.head.length, mp: mp.length };
      } catch {
        // A value the codec rejects in 2-octet form.
        enc = null;
        this.unsendable++;
      }
      this.legacy.set(set, enc);
    }
    if (enc === null) return null;
    view.bytes = enc.bytes;
    view.headStart = 0;
    view.headEnd = enc.head;
    view.mpStart = enc.head;
    view.mpEnd = enc.head + enc.mp;
    view.tailStart = enc.head + enc.mp;
    view.tailEnd = enc.bytes.length;
    return view;
  }
}

/**
 * RFC 6793 §4.2.2, for an OLD (2-octet) peer: "the NEW speaker MUST send the AS4_PATH attribute" when the path has
 * an ASN that does not fit in 2 octets (and "SHOULD NOT" otherwise), and AS4_AGGREGATOR beside an AGGREGATOR whose
 * ASN does not fit. The 2-octet encoders write AS_TRANS in place of such ASNs.
 */
export function addAs4Attributes(attrs: readonly PathAttribute[]): readonly PathAttribute[] {
  let out = attrs;
  const asPath = findAttribute(attrs, 'as-path');
  if (asPath !== undefined && needsAs4Path(asPath.segments)) {
    out = withAttribute(out, { kind: 'as4-path', segments: toAs4Path(asPath.segments) });
  }
  const aggregator = findAttribute(attrs, 'aggregator');
  if (aggregator !== undefined && aggregator.asn > 0xffff) {
    out = withAttribute(out, { kind: 'as4-aggregator', asn: aggregator.asn, address: aggregator.address });
  }
  return out === attrs ? attrs : out.slice().sort((a, b) => typeCodeOf(a) - typeCodeOf(b));
}

/** Encodes a canonical attribute list for `ctx`: the attributes below and above MP_REACH_NLRI, and its value. */
export function encodeSet(attributes: readonly PathAttribute[], ctx: CodecContext): { head: Uint8Array; tail: Uint8Array; mpReach: Uint8Array | null } {
  const attrs = ctx.fourOctetAs ? attributes : addAs4Attributes(attributes);
  const head: PathAttribute[] = [];
  const tail: PathAttribute[] = [];
  let mpReach: Uint8Array | null = null;
  for (const a of attrs) {
    if (a.kind === 'mp-reach-nlri') {
      // Encoded without NLRI: strip the attribute header to keep the value's AFI, SAFI, next hop and Reserved.
      const whole = encodeAttribute({ ...a, nlri: [] }, ctx);
      mpReach = whole.subarray((whole[0] as number) & AttrFlag.ExtendedLength ? 4 : 3);
    } else if (typeCodeOf(a) < AttrType.MpReachNlri) {
      head.push(a);
    } else {
      tail.push(a);
    }
  }
  return { head: encodeAttributes(head, ctx), tail: encodeAttributes(tail, ctx), mpReach };
}
