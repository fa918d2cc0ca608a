/**
 * The message model: plain, immutable values for every BGP message, the contract between the codec and every layer
 * above it (FSM, RIB, policy, capture decoding, the API).
 *
 * Design rules:
 * - Discriminated by a string `kind` (capabilities, attributes, parameters) or the numeric message `type`, so that
 *   a switch narrows without casts and unknown codes still have a place (`kind: 'unknown'`).
 * - Decoding keeps whatever the wire said that a re-encoding needs to be byte-exact (attribute flags and order,
 *   capability grouping into optional parameters, host bits of prefixes, the RFC 9072 form of OPEN). Encoders accept
 *   values without those details and choose the RFC's defaults.
 * - Addresses are text (`10.8.0.0`, `2001:db8::1`); hot paths that cannot afford strings work on the raw bytes with
 *   the streaming helpers of `nlri.ts`, not through these objects.
 *
 * Imports only constants and errors.
 */
import type { ErrorAction, BgpError } from './errors.js';

/**
 * What decoding and encoding depend on besides the bytes: the session's negotiated capabilities, for one direction.
 * The codec never reads global state; the session builds one context for what it receives and one for what it sends.
 */
export interface CodecContext {
  /** RFC 6793: both sides sent the 4-octet AS capability, so AS_PATH and AGGREGATOR carry 4-octet ASNs. */
  readonly fourOctetAs: boolean;
  /** RFC 7911: families (see `familyKey`) whose NLRI carry a 4-octet Path Identifier in this direction. */
  readonly addPath: ReadonlySet<number>;
  /** RFC 8654: both sides sent the Extended Message capability, so messages may be up to 65535 octets. */
  readonly extendedMessage: boolean;
}

/** An IPv4 or IPv6 prefix as carried in NLRI. */
export interface Prefix {
  /** 1 (IPv4) or 2 (IPv6). */
  readonly afi: 1 | 2;
  /** The address with the bits the wire carried (host bits inside the last octet are kept as sent). */
  readonly address: string;
  readonly length: number;
  /** RFC 7911 Path Identifier, present only where ADD-PATH applies to the family in this direction. */
  readonly pathId?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Capabilities (RFC 5492) — one `kind` per capability this codec understands; anything else stays opaque.

export interface AfiSafi {
  readonly afi: number;
  readonly safi: number;
}

/** RFC 4760 §8 (code 1). `reserved` is kept only when a peer sent a non-zero reserved octet. */
export interface MultiprotocolCapability extends AfiSafi {
  readonly kind: 'multiprotocol';
  readonly code: 1;
  readonly reserved?: number;
}
/** RFC 2918 (code 2) and the pre-standard code 128. */
export interface RouteRefreshCapability {
  readonly kind: 'route-refresh';
  readonly code: 2 | 128;
}
/** RFC 8950 (code 5): NLRI of (afi, safi) may carry a next hop of nextHopAfi. */
export interface ExtendedNextHopCapability {
  readonly kind: 'extended-next-hop';
  readonly code: 5;
  readonly entries: readonly (AfiSafi & { readonly nextHopAfi: number })[];
}
/** RFC 8654 (code 6). */
export interface ExtendedMessageCapability {
  readonly kind: 'extended-message';
  readonly code: 6;
}
/** RFC 9234 (code 9). */
export interface RoleCapability {
  readonly kind: 'role';
  readonly code: 9;
  readonly role: number;
}
/** RFC 4724 §3 (code 64). `restartFlags` is the 4-bit field (R = 8, N = 4 per RFC 8538). */
export interface GracefulRestartCapability {
  readonly kind: 'graceful-restart';
  readonly code: 64;
  readonly restartFlags: number;
  /** Seconds, 12 bits. */
  readonly restartTime: number;
  /** Per family: the Flags octet (Forwarding State bit = 0x80). */
  readonly families: readonly (AfiSafi & { readonly flags: number })[];
}
/** RFC 6793 (code 65). */
export interface FourOctetAsCapability {
  readonly kind: 'four-octet-as';
  readonly code: 65;
  readonly asn: number;
}
/** RFC 7911 §4 (code 69): mode 1 receive, 2 send, 3 both. */
export interface AddPathCapability {
  readonly kind: 'add-path';
  readonly code: 69;
  readonly families: readonly (AfiSafi & { readonly mode: number })[];
}
/** RFC 7313 (code 70). */
export interface EnhancedRouteRefreshCapability {
  readonly kind: 'enhanced-route-refresh';
  readonly code: 70;
}
/** RFC 9494 (code 71). `staleTime` is 24 bits, in seconds. */
export interface LongLivedGracefulRestartCapability {
  readonly kind: 'long-lived-graceful-restart';
  readonly code: 71;
  readonly families: readonly (AfiSafi & { readonly flags: number; readonly staleTime: number })[];
}
/** draft-walton-bgp-hostname-capability (code 73). */
export interface FqdnCapability {
  readonly kind: 'fqdn';
  readonly code: 73;
  readonly hostname: string;
  readonly domainName: string;
}
/**
 * Any other capability, or a known one whose value does not parse (`malformed`), kept byte for byte so that it
 * re-encodes unchanged. RFC 5492 §3: an unrecognised capability is ignored, never an error.
 */
export interface UnknownCapability {
  readonly kind: 'unknown';
  readonly code: number;
  readonly value: Uint8Array;
  readonly malformed?: boolean;
}

export type Capability =
  | MultiprotocolCapability
  | RouteRefreshCapability
  | ExtendedNextHopCapability
  | ExtendedMessageCapability
  | RoleCapability
  | GracefulRestartCapability
  | FourOctetAsCapability
  | AddPathCapability
  | EnhancedRouteRefreshCapability
  | LongLivedGracefulRestartCapability
  | FqdnCapability
  | UnknownCapability;

/** One OPEN optional parameter as it was laid out on the wire. */
export type OpenParameter =
  | { readonly kind: 'capabilities'; readonly capabilities: readonly Capability[] }
  | { readonly kind: 'other'; readonly type: number; readonly value: Uint8Array };

// ---------------------------------------------------------------------------------------------------------------
// Messages

/** RFC 4271 §4.2. */
export interface OpenMessage {
  readonly type: 1;
  readonly version: number;
  /** The 2-octet My Autonomous System field (AS_TRANS when the speaker's ASN needs 4 octets). */
  readonly myAs: number;
  readonly holdTime: number;
  /** Dotted quad. */
  readonly bgpIdentifier: string;
  /** Every capability of every Capabilities parameter, in wire order. */
  readonly capabilities: readonly Capability[];
  /**
   * The optional parameters exactly as laid out on the wire (one Capabilities parameter per capability, or several
   * in one). When absent, the encoder puts all `capabilities` into a single Capabilities parameter.
   */
  readonly parameters?: readonly OpenParameter[];
  /** RFC 9072: the extended optional parameters length form was used; the encoder also uses it when it must. */
  readonly extendedParameters?: boolean;
}

/** RFC 4271 §4.3. Withdrawn routes and NLRI here are the classic IPv4 fields; other families are in MP attributes. */
export interface UpdateMessage {
  readonly type: 2;
  readonly withdrawn: readonly Prefix[];
  /** Wire order is kept for byte-exact re-encoding. */
  readonly attributes: readonly PathAttribute[];
  readonly nlri: readonly Prefix[];
  /** RFC 4724 §2: set when the UPDATE is an End-of-RIB marker for this family. */
  readonly endOfRib?: AfiSafi;
  /** RFC 7606 outcomes found while decoding (absent when the UPDATE is well-formed). */
  readonly issues?: readonly AttributeIssue[];
  /** The strongest outcome among `issues`: attribute-discard or treat-as-withdraw (session-reset is thrown). */
  readonly action?: ErrorAction;
}

/** One RFC 7606 finding: which attribute, what happens, and the error RFC 4271 would have sent. */
export interface AttributeIssue {
  readonly typeCode: number;
  readonly action: ErrorAction;
  readonly error: BgpError;
}

/** RFC 4271 §4.5, with RFC 9003 and RFC 8538 decoded where they apply. */
export interface NotificationMessage {
  readonly type: 3;
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
  /** RFC 9003: the shutdown communication of Cease 2 or 4, when the Data holds a well-formed one. */
  readonly shutdownMessage?: string;
  /** RFC 8538: the NOTIFICATION carried inside a Cease / Hard Reset. */
  readonly hardReset?: { readonly code: number; readonly subcode: number; readonly data: Uint8Array };
}

/** RFC 4271 §4.4. */
export interface KeepaliveMessage {
  readonly type: 4;
}

/** RFC 2918 §3, RFC 7313 §3 (subtype 0 normal, 1 BoRR, 2 EoRR). */
export interface RouteRefreshMessage extends AfiSafi {
  readonly type: 5;
  readonly subtype: number;
}

export type BgpMessage = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

// ---------------------------------------------------------------------------------------------------------------
// Path attributes (RFC 4271 §4.3, §5) — `flags` is the flags octet as received; encoders default it per type.

interface AttributeBase {
  readonly flags?: number;
}

export interface AsPathSegment {
  /** AsPathSegmentType: 1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET. */
  readonly type: number;
  readonly asns: readonly number[];
}

export interface OriginAttribute extends AttributeBase {
  readonly kind: 'origin';
  readonly origin: number;
}
export interface AsPathAttribute extends AttributeBase {
  readonly kind: 'as-path';
  readonly segments: readonly AsPathSegment[];
}
export interface NextHopAttribute extends AttributeBase {
  readonly kind: 'next-hop';
  readonly nextHop: string;
}
export interface MultiExitDiscAttribute extends AttributeBase {
  readonly kind: 'multi-exit-disc';
  readonly med: number;
}
export interface LocalPrefAttribute extends AttributeBase {
  readonly kind: 'local-pref';
  readonly localPref: number;
}
export interface AtomicAggregateAttribute extends AttributeBase {
  readonly kind: 'atomic-aggregate';
}
export interface AggregatorAttribute extends AttributeBase {
  readonly kind: 'aggregator';
  readonly asn: number;
  readonly address: string;
}
export interface CommunitiesAttribute extends AttributeBase {
  readonly kind: 'communities';
  /** RFC 1997: each a 32-bit unsigned number (high 16 bits ASN, low 16 bits value). */
  readonly communities: readonly number[];
}
export interface OriginatorIdAttribute extends AttributeBase {
  readonly kind: 'originator-id';
  readonly originatorId: string;
}
export interface ClusterListAttribute extends AttributeBase {
  readonly kind: 'cluster-list';
  readonly clusterList: readonly string[];
}
/**
 * RFC 4760 §3. For IPv4/IPv6 unicast and multicast the next hop(s) and NLRI are decoded (RFC 2545: global and
 * link-local IPv6 next hops; RFC 8950: an IPv6 next hop for IPv4 NLRI); for any other family they stay opaque in
 * `nextHopBytes` / `nlriBytes` so they re-encode byte-exact.
 */
export interface MpReachNlriAttribute extends AttributeBase, AfiSafi {
  readonly kind: 'mp-reach-nlri';
  readonly nextHop: readonly string[];
  readonly nlri: readonly Prefix[];
  readonly nextHopBytes?: Uint8Array;
  readonly nlriBytes?: Uint8Array;
  /** The octet formerly "Number of SNPAs"; kept only when non-zero. */
  readonly reserved?: number;
}
/** RFC 4760 §4. */
export interface MpUnreachNlriAttribute extends AttributeBase, AfiSafi {
  readonly kind: 'mp-unreach-nlri';
  readonly withdrawn: readonly Prefix[];
  readonly withdrawnBytes?: Uint8Array;
}
/** RFC 4360: each community is 8 octets (type, subtype, value). */
export interface ExtendedCommunitiesAttribute extends AttributeBase {
  readonly kind: 'extended-communities';
  readonly communities: readonly Uint8Array[];
}
/** RFC 6793 §3: always 4-octet ASNs. */
export interface As4PathAttribute extends AttributeBase {
  readonly kind: 'as4-path';
  readonly segments: readonly AsPathSegment[];
}
export interface As4AggregatorAttribute extends AttributeBase {
  readonly kind: 'as4-aggregator';
  readonly asn: number;
  readonly address: string;
}
/** RFC 8092: (global administrator, local data 1, local data 2). */
export interface LargeCommunityAttribute extends AttributeBase {
  readonly kind: 'large-community';
  readonly communities: readonly (readonly [number, number, number])[];
}
/** RFC 9234 §5: Only to Customer. */
export interface OtcAttribute extends AttributeBase {
  readonly kind: 'otc';
  readonly asn: number;
}
/** An attribute this codec does not interpret: kept with its flags so it can be passed on (with Partial set). */
export interface UnknownAttribute extends AttributeBase {
  readonly kind: 'unknown';
  readonly typeCode: number;
  readonly value: Uint8Array;
}
/** RFC 7606: an attribute whose value did not parse; kept raw, with the outcome recorded in `UpdateMessage.issues`. */
export interface MalformedAttribute extends AttributeBase {
  readonly kind: 'malformed';
  readonly typeCode: number;
  readonly value: Uint8Array;
}

export type PathAttribute =
  | OriginAttribute
  | AsPathAttribute
  | NextHopAttribute
  | MultiExitDiscAttribute
  | LocalPrefAttribute
  | AtomicAggregateAttribute
  | AggregatorAttribute
  | CommunitiesAttribute
  | OriginatorIdAttribute
  | ClusterListAttribute
  | MpReachNlriAttribute
  | MpUnreachNlriAttribute
  | ExtendedCommunitiesAttribute
  | As4PathAttribute
  | As4AggregatorAttribute
  | LargeCommunityAttribute
  | OtcAttribute
  | UnknownAttribute
  | MalformedAttribute;
