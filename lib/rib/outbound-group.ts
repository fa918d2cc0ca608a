/**
 * Outbound groups (FRR's update groups): peers that would be sent exactly the same UPDATEs — same kind (iBGP/eBGP,
 * route-reflector client or not), same codec context, same next-hop-self addresses, same export policy — share the
 * work of export: the export rules and policy run once per route per group, and each attribute set is encoded once
 * per group. Split horizon and the ORIGINATOR_ID check differ per member and are applied by the RIB per peer.
 *
 * Export results are memoised per (source, attribute set, family) in WeakMaps, so a full table sharing a few
 * thousand sets costs a few thousand export computations, not a million; with an export policy, the policy still
 * runs per prefix, and a policy that returns the list it was given unchanged reuses the memoised result.
 * RFC 6793 §4.2.2 happens at encoding: for a 2-octet peer, 4-octet ASNs become AS_TRANS and AS4_PATH /
 * AS4_AGGREGATOR carry the real ones.
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
import { findAttribute, typeCodeOf, withAttribute, type AttrSet } from './attr-set.js';
import { exportBase, exportFinal, mayAdvertise, type ExportSpeaker, type ExportTarget } from './export.js';
import type { AttrSetInterner } from './interner.js';
import type { EncodedAttributes } from './packer.js';
import type { Path, PathSource } from './path.js';
import type { PeerState } from './peer-state.js';
import { keyToPrefix, type PrefixKey } from './prefix-key.js';
import type { ExportPolicy, PeerInfo } from './types.js';

interface ExportMemo {
  /** What export policy is given (frozen, so that "returned unchanged" is an identity test), or null: not sent. */
  readonly base: readonly PathAttribute[] | null;
  /** The exported set when policy leaves `base` unchanged, or null. */
  readonly final: AttrSet | null;
}

/** The RFC 7911 Path Identifier of the one path per prefix we send under ADD-PATH. */
export const SENT_PATH_ID = 1;

export class OutboundGroup {
  readonly key: string;
  readonly target: ExportTarget;
  readonly ctx: CodecContext;
  /** The largest UPDATE this group may be sent (RFC 4271 §4.1 / RFC 8654). */
  readonly limit: number;
  /** Path Identifier to send per family under ADD-PATH, or undefined. */
  readonly pathId4: number | undefined;
  readonly pathId6: number | undefined;
  /** Member peers (sessions up), in the order they joined. */
  readonly members: PeerState[] = [];
  /** Sets that could not be encoded (a policy produced an unencodable value, or too large for the limit). */
  unsendable = 0;
  private readonly policy: ExportPolicy | undefined;
  private policyPeer: PeerInfo;
  private readonly speaker: ExportSpeaker;
  private readonly interner: AttrSetInterner;
  private memo4 = new Map<PathSource | null, WeakMap<AttrSet, ExportMemo>>();
  private memo6 = new Map<PathSource | null, WeakMap<AttrSet, ExportMemo>>();
  private readonly encodings = new WeakMap<AttrSet, EncodedAttributes | null>();

  constructor(
    key: string,
    target: ExportTarget,
    ctx: CodecContext,
    policy: ExportPolicy | undefined,
    policyPeer: PeerInfo,
    speaker: ExportSpeaker,
    interner: AttrSetInterner,
  ) {
    this.key = key;
    this.target = target;
    this.ctx = ctx;
    this.limit = maxMessageLength(ctx);
    this.pathId4 = ctx.addPath.has(IPV4_UNICAST) ? SENT_PATH_ID : undefined;
    this.pathId6 = ctx.addPath.has(IPV6_UNICAST) ? SENT_PATH_ID : undefined;
    this.policy = policy;
    this.policyPeer = policyPeer;
    this.speaker = speaker;
    this.interner = interner;
  }

  /** Forgets memoised export results (a source's identity, e.g. its BGP Identifier, may have changed). */
  resetMemo(): void {
    this.memo4 = new Map();
    this.memo6 = new Map();
  }

  /** The set this group is sent for the best path `path` of `key`, or null when the route is not advertised. */
  exportRoute(key: PrefixKey, path: Path): AttrSet | null {
    const set = path.attrs;
    const source = path.source;
    if (set === null || !mayAdvertise(source, this.target)) return null;
    const afi = typeof key === 'number' ? 1 : 2;
    const memo = afi === 1 ? this.memo4 : this.memo6;
    let bySet = memo.get(source);
    if (bySet === undefined) {
      bySet = new WeakMap();
      memo.set(source, bySet);
    }
    let entry = bySet.get(set);
    if (entry === undefined) {
      const base = exportBase(set, source, this.target, this.speaker);
      entry = base === null ? { base: null, final: null } : { base: Object.freeze(base), final: this.finish(base, base, afi) };
      bySet.set(set, entry);
    }
    if (entry.base === null || this.policy === undefined) return entry.final;
    const out = this.policy({ prefix: keyToPrefix(key), attributes: entry.base }, this.policyPeer);
    if (out === null) return null;
    if (out === entry.base) return entry.final;
    return this.finish(out, entry.base, afi);
  }

  private finish(attrs: readonly PathAttribute[], base: readonly PathAttribute[], afi: 1 | 2): AttrSet | null {
    const out = exportFinal(attrs, base, afi, this.target, this.speaker);
    return out === null ? null : this.interner.intern(out);
  }

  /** `set` encoded for this group's codec context, or null when it cannot be encoded. Cached per set. */
  encode(set: AttrSet): EncodedAttributes | null {
    const cached = this.encodings.get(set);
    if (cached !== undefined) return cached;
    let enc: EncodedAttributes | null;
    try {
      enc = encodeSet(set.attributes, this.ctx);
    } catch {
      // A value built by policy that the codec rejects (a next hop that is not an address, an ASN out of range).
      enc = null;
      this.unsendable++;
    }
    this.encodings.set(set, enc);
    return enc;
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

/** Encodes a canonical attribute list for `ctx`, MP_REACH_NLRI apart (its NLRI are written per message). */
export function encodeSet(attributes: readonly PathAttribute[], ctx: CodecContext): EncodedAttributes {
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

