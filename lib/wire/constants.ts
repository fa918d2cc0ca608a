/**
 * Protocol constants of BGP-4 and its extensions, named in the RFCs' words.
 *
 * Owns: message types, NOTIFICATION error codes and subcodes (RFC 4271 §4.5 and §6, RFC 4486, RFC 6608, RFC 7313,
 * RFC 8538, RFC 9003), path attribute type codes and flags, capability codes, AFI/SAFI numbers, ORIGIN values and
 * AS_PATH segment types. Imports nothing. Every other layer names numbers through these objects, never as literals.
 */

/** RFC 4271 §4.1: the marker is 16 octets of all ones; the header is 19 octets. */
export const HEADER_LENGTH = 19;
export const MARKER_LENGTH = 16;
/** RFC 4271 §4.1: maximum message size. */
export const MAX_MESSAGE_LENGTH = 4096;
/** RFC 8654: maximum message size once the Extended Message capability is exchanged by both sides. */
export const MAX_EXTENDED_MESSAGE_LENGTH = 65535;
/** RFC 4271 §4.2: the BGP version this speaker implements. */
export const BGP_VERSION = 4;
/** RFC 6793 §9: the reserved 2-octet AS number placed in 2-octet fields for a 4-octet ASN. */
export const AS_TRANS = 23456;

export const MessageType = {
  Open: 1,
  Update: 2,
  Notification: 3,
  Keepalive: 4,
  RouteRefresh: 5,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export const MessageTypeName: Readonly<Record<number, string>> = {
  1: 'OPEN',
  2: 'UPDATE',
  3: 'NOTIFICATION',
  4: 'KEEPALIVE',
  5: 'ROUTE-REFRESH',
};

/** RFC 4271 §4.x: the minimum length of each message type, header included. */
export const MinMessageLength: Readonly<Record<number, number>> = {
  1: 29,
  2: 23,
  3: 21,
  4: 19,
  5: 23,
};

/** NOTIFICATION error codes: RFC 4271 §4.5, RFC 6608 (FSM), RFC 7313 (ROUTE-REFRESH), RFC 9687 (Send Hold Timer). */
export const ErrorCode = {
  MessageHeader: 1,
  OpenMessage: 2,
  UpdateMessage: 3,
  HoldTimerExpired: 4,
  FiniteStateMachine: 5,
  Cease: 6,
  RouteRefreshMessage: 7,
  SendHoldTimerExpired: 8,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** RFC 4271 §6.1. */
export const MessageHeaderError = {
  Unspecific: 0,
  ConnectionNotSynchronized: 1,
  BadMessageLength: 2,
  BadMessageType: 3,
} as const;

/** RFC 4271 §6.2, RFC 5492 §5 (7), RFC 9234 (11). Subcode 5 (Authentication Failure) is deprecated. */
export const OpenMessageError = {
  Unspecific: 0,
  UnsupportedVersionNumber: 1,
  BadPeerAs: 2,
  BadBgpIdentifier: 3,
  UnsupportedOptionalParameter: 4,
  AuthenticationFailure: 5,
  UnacceptableHoldTime: 6,
  UnsupportedCapability: 7,
  RoleMismatch: 11,
} as const;

/** RFC 4271 §6.3. Subcode 7 (AS Routing Loop) is deprecated. */
export const UpdateMessageError = {
  Unspecific: 0,
  MalformedAttributeList: 1,
  UnrecognizedWellKnownAttribute: 2,
  MissingWellKnownAttribute: 3,
  AttributeFlagsError: 4,
  AttributeLengthError: 5,
  InvalidOriginAttribute: 6,
  AsRoutingLoop: 7,
  InvalidNextHopAttribute: 8,
  OptionalAttributeError: 9,
  InvalidNetworkField: 10,
  MalformedAsPath: 11,
} as const;

/** RFC 6608 §4. */
export const FsmError = {
  UnspecifiedError: 0,
  UnexpectedMessageInOpenSent: 1,
  UnexpectedMessageInOpenConfirm: 2,
  UnexpectedMessageInEstablished: 3,
} as const;

/** RFC 4486 §4, RFC 8538 §5 (Hard Reset), RFC 9003 (shutdown communication on 2 and 4). */
export const CeaseError = {
  Unspecific: 0,
  MaximumNumberOfPrefixesReached: 1,
  AdministrativeShutdown: 2,
  PeerDeconfigured: 3,
  AdministrativeReset: 4,
  ConnectionRejected: 5,
  OtherConfigurationChange: 6,
  ConnectionCollisionResolution: 7,
  OutOfResources: 8,
  HardReset: 9,
  BfdDown: 10,
} as const;

/** RFC 7313 §5. */
export const RouteRefreshError = {
  Reserved: 0,
  InvalidMessageLength: 1,
} as const;

const subcodeNames: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  1: { 0: 'Unspecific', 1: 'Connection Not Synchronized', 2: 'Bad Message Length', 3: 'Bad Message Type' },
  2: {
    0: 'Unspecific',
    1: 'Unsupported Version Number',
    2: 'Bad Peer AS',
    3: 'Bad BGP Identifier',
    4: 'Unsupported Optional Parameter',
    5: 'Authentication Failure (deprecated)',
    6: 'Unacceptable Hold Time',
    7: 'Unsupported Capability',
    11: 'Role Mismatch',
  },
  3: {
    0: 'Unspecific',
    1: 'Malformed Attribute List',
    2: 'Unrecognized Well-known Attribute',
    3: 'Missing Well-known Attribute',
    4: 'Attribute Flags Error',
    5: 'Attribute Length Error',
    6: 'Invalid ORIGIN Attribute',
    7: 'AS Routing Loop (deprecated)',
    8: 'Invalid NEXT_HOP Attribute',
    9: 'Optional Attribute Error',
    10: 'Invalid Network Field',
    11: 'Malformed AS_PATH',
  },
  4: { 0: 'Unspecific' },
  5: {
    0: 'Unspecified Error',
    1: 'Receive Unexpected Message in OpenSent State',
    2: 'Receive Unexpected Message in OpenConfirm State',
    3: 'Receive Unexpected Message in Established State',
  },
  6: {
    0: 'Unspecific',
    1: 'Maximum Number of Prefixes Reached',
    2: 'Administrative Shutdown',
    3: 'Peer De-configured',
    4: 'Administrative Reset',
    5: 'Connection Rejected',
    6: 'Other Configuration Change',
    7: 'Connection Collision Resolution',
    8: 'Out of Resources',
    9: 'Hard Reset',
    10: 'BFD Down',
  },
  7: { 0: 'Reserved', 1: 'Invalid Message Length' },
  8: { 0: 'Unspecific' },
};

const codeNames: Readonly<Record<number, string>> = {
  1: 'Message Header Error',
  2: 'OPEN Message Error',
  3: 'UPDATE Message Error',
  4: 'Hold Timer Expired',
  5: 'Finite State Machine Error',
  6: 'Cease',
  7: 'ROUTE-REFRESH Message Error',
  8: 'Send Hold Timer Expired',
};

/** The RFC's name of an error code, or `Unknown (n)`. */
export function errorCodeName(code: number): string {
  return codeNames[code] ?? `Unknown (${code})`;
}

/** The RFC's name of a subcode within its code, or `Unknown (n)`. */
export function errorSubcodeName(code: number, subcode: number): string {
  return subcodeNames[code]?.[subcode] ?? `Unknown (${subcode})`;
}

/** RFC 4271 §4.3: attribute flags octet. */
export const AttrFlag = {
  Optional: 0x80,
  Transitive: 0x40,
  Partial: 0x20,
  ExtendedLength: 0x10,
} as const;

/** Path attribute type codes (IANA "BGP Path Attributes"). */
export const AttrType = {
  Origin: 1,
  AsPath: 2,
  NextHop: 3,
  MultiExitDisc: 4,
  LocalPref: 5,
  AtomicAggregate: 6,
  Aggregator: 7,
  Communities: 8,
  OriginatorId: 9,
  ClusterList: 10,
  MpReachNlri: 14,
  MpUnreachNlri: 15,
  ExtendedCommunities: 16,
  As4Path: 17,
  As4Aggregator: 18,
  LargeCommunity: 32,
  Otc: 35,
} as const;
export type AttrType = (typeof AttrType)[keyof typeof AttrType];

export const AttrTypeName: Readonly<Record<number, string>> = {
  1: 'ORIGIN',
  2: 'AS_PATH',
  3: 'NEXT_HOP',
  4: 'MULTI_EXIT_DISC',
  5: 'LOCAL_PREF',
  6: 'ATOMIC_AGGREGATE',
  7: 'AGGREGATOR',
  8: 'COMMUNITIES',
  9: 'ORIGINATOR_ID',
  10: 'CLUSTER_LIST',
  14: 'MP_REACH_NLRI',
  15: 'MP_UNREACH_NLRI',
  16: 'EXTENDED_COMMUNITIES',
  17: 'AS4_PATH',
  18: 'AS4_AGGREGATOR',
  32: 'LARGE_COMMUNITY',
  35: 'OTC',
};

/** RFC 4271 §5.1.1. */
export const Origin = { Igp: 0, Egp: 1, Incomplete: 2 } as const;
export type Origin = (typeof Origin)[keyof typeof Origin];

/** RFC 4271 §4.3 (1, 2) and RFC 5065 §3 (3, 4). */
export const AsPathSegmentType = {
  AsSet: 1,
  AsSequence: 2,
  AsConfedSequence: 3,
  AsConfedSet: 4,
} as const;
export type AsPathSegmentType = (typeof AsPathSegmentType)[keyof typeof AsPathSegmentType];

/** RFC 4271 §4.2 and RFC 9072: OPEN optional parameter types. */
export const OptionalParameterType = {
  Authentication: 1,
  Capabilities: 2,
  /** RFC 9072: a Non-Ext OP Type of 255 in the first parameter slot announces extended lengths. */
  ExtendedLength: 255,
} as const;

/** Capability codes (IANA "Capability Codes"). */
export const CapabilityCode = {
  Multiprotocol: 1,
  RouteRefresh: 2,
  ExtendedNextHop: 5,
  ExtendedMessage: 6,
  Role: 9,
  GracefulRestart: 64,
  FourOctetAs: 65,
  AddPath: 69,
  EnhancedRouteRefresh: 70,
  LongLivedGracefulRestart: 71,
  Fqdn: 73,
  /** The pre-standard (Cisco) route refresh code, still sent by FRR beside code 2. */
  RouteRefreshOld: 128,
} as const;
export type CapabilityCode = (typeof CapabilityCode)[keyof typeof CapabilityCode];

export const CapabilityName: Readonly<Record<number, string>> = {
  1: 'multiprotocol',
  2: 'route-refresh',
  5: 'extended-next-hop',
  6: 'extended-message',
  9: 'role',
  64: 'graceful-restart',
  65: 'four-octet-as',
  69: 'add-path',
  70: 'enhanced-route-refresh',
  71: 'long-lived-graceful-restart',
  73: 'fqdn',
  128: 'route-refresh-old',
};

/** Address Family Identifiers (IANA). */
export const Afi = { IPv4: 1, IPv6: 2, L2vpn: 25 } as const;
/** Subsequent Address Family Identifiers (IANA). */
export const Safi = {
  Unicast: 1,
  Multicast: 2,
  MplsLabel: 4,
  Evpn: 70,
  MplsVpn: 128,
  FlowSpec: 133,
  FlowSpecVpn: 134,
} as const;

/** One number per (AFI, SAFI): AFI in the high bits, SAFI in the low octet. */
export function familyKey(afi: number, safi: number): number {
  return afi * 256 + safi;
}

export const IPV4_UNICAST = familyKey(Afi.IPv4, Safi.Unicast);
export const IPV6_UNICAST = familyKey(Afi.IPv6, Safi.Unicast);

/** RFC 7911 §4: ADD-PATH Send/Receive field. */
export const AddPathMode = { Receive: 1, Send: 2, Both: 3 } as const;

/** RFC 9234 §4.1: BGP Role values. */
export const BgpRole = { Provider: 0, RouteServer: 1, RouteServerClient: 2, Customer: 3, Peer: 4 } as const;

/** RFC 7313 §3: ROUTE-REFRESH message subtypes (the field formerly Reserved). */
export const RouteRefreshSubtype = { Normal: 0, BeginningOfRouteRefresh: 1, EndOfRouteRefresh: 2 } as const;

/** RFC 1997 and IANA: well-known communities. */
export const WellKnownCommunity = {
  GracefulShutdown: 0xffff0000,
  AcceptOwn: 0xffff0001,
  LlgrStale: 0xffff0006,
  NoLlgr: 0xffff0007,
  Blackhole: 0xffff029a,
  NoExport: 0xffffff01,
  NoAdvertise: 0xffffff02,
  NoExportSubconfed: 0xffffff03,
  NoPeer: 0xffffff04,
} as const;
