/**
 * What one peer's FSM is configured with, its defaults, and the checks that make a configuration usable.
 *
 * Durations are in seconds, as BGP and every router configuration express them (RFC 4271 §10 names the timers);
 * `resolveConfig` turns them into the milliseconds that timer actions carry. The defaults follow MetalLB where it is
 * the model (hold time 90 s) and RFC 4271 §10 otherwise (ConnectRetryTime 120 s, a 4-minute hold timer while
 * waiting for the peer's OPEN). Validation here catches configuration mistakes of the caller; it throws an `Error`
 * naming the field, never on anything that came from the wire. Imports only wire constants and helpers.
 */
import { AS_TRANS, Afi, BgpRole, Safi, familyKey } from '../wire/constants.js';
import { ipv4ToNumber, parseIPv4 } from '../wire/address.js';
import type { FamilyRef } from './types.js';

/**
 * The remote AS a peer must announce: a number, or — for peers accepted from listen ranges — `internal` (our own
 * AS), `external` (any other) or `any`.
 */
export type RemoteAs = number | 'internal' | 'external' | 'any';

/** Capabilities we advertise beyond Multiprotocol (one per configured family), which is always sent. */
export interface AdvertisedCapabilities {
  /** RFC 6793 (default true; required when the local ASN needs 4 octets). */
  readonly fourOctetAs?: boolean;
  /** RFC 2918 (default true). Leave it off toward ExaBGP 4.2, which crashes on a ROUTE-REFRESH (peers.md). */
  readonly routeRefresh?: boolean;
  /** RFC 7313 (default false). */
  readonly enhancedRouteRefresh?: boolean;
  /** RFC 8654 (default false). */
  readonly extendedMessage?: boolean;
  /** RFC 7911, per family. */
  readonly addPath?: readonly (FamilyRef & { readonly mode: 'receive' | 'send' | 'both' })[];
  /** RFC 4724. `families` defaults to every configured family, without the forwarding bit. */
  readonly gracefulRestart?: {
    /** Seconds, 0..4095. */
    readonly restartTime: number;
    readonly restarting?: boolean;
    /** RFC 8538 N bit. */
    readonly notification?: boolean;
    readonly families?: readonly (FamilyRef & { readonly forwarding?: boolean })[];
  };
  /** RFC 9494 (sent only together with graceful restart). */
  readonly longLivedGracefulRestart?: {
    readonly families: readonly (FamilyRef & { readonly staleTime: number; readonly forwarding?: boolean })[];
  };
  /** RFC 8950: e.g. IPv4 unicast with an IPv6 next hop. */
  readonly extendedNextHop?: readonly (FamilyRef & { readonly nextHopAfi: number })[];
  /** RFC 9234: our role toward this peer (a `BgpRole` value). */
  readonly role?: number;
  /** RFC 9234 §4.2 strict mode: refuse a peer that does not announce its role. */
  readonly strictRole?: boolean;
  /** draft-walton-bgp-hostname-capability. */
  readonly fqdn?: { readonly hostname: string; readonly domainName?: string };
}

export interface PeerFsmConfig {
  readonly localAsn: number;
  /** Our BGP Identifier (dotted quad, not 0.0.0.0). */
  readonly routerId: string;
  readonly remoteAs: RemoteAs;
  /** Address families to negotiate (default IPv4 unicast). */
  readonly families?: readonly FamilyRef[];
  /** Seconds: 0, or 3..65535 (default 90). */
  readonly holdTime?: number;
  /** Seconds between KEEPALIVEs; used when smaller than a third of the negotiated hold time. */
  readonly keepaliveTime?: number;
  /** A peer's non-zero hold time below this is refused with 2/6 (default 3, the RFC's floor). */
  readonly minHoldTime?: number;
  /** Refuse a peer that proposes hold time 0 (no keepalives, no dead-peer detection). Default false (RFC 4271). */
  readonly refuseZeroHoldTime?: boolean;
  /** Seconds the hold timer runs while waiting for the peer's OPEN (RFC 4271 §8.2.2 suggests 4 minutes). */
  readonly openHoldTime?: number;
  /**
   * RFC 9687 SendHoldTime, seconds: how long an Established session may go without anything we queued reaching
   * the peer before it is closed with Send Hold Timer Expired (8). 0 turns the SendHoldTimer off; non-zero must
   * exceed `holdTime` (§4.4). Default: §6's greater of 8 minutes and twice the negotiated hold time.
   */
  readonly sendHoldTime?: number;
  /** Seconds: the first ConnectRetry interval; it doubles per attempt up to `connectRetryTime` (default 1). */
  readonly connectRetryInitialTime?: number;
  /** Seconds: RFC 4271's ConnectRetryTime, the ceiling of the backoff (default 120). */
  readonly connectRetryTime?: number;
  /** Seconds: the first IdleHold delay after an error; it doubles per failure (default 1). */
  readonly idleHoldTime?: number;
  /** Seconds: the ceiling of the IdleHold delay (default 120). */
  readonly maxIdleHoldTime?: number;
  /** Seconds a session must stay Established before past failures are forgotten (default 60). */
  readonly idleHoldResetTime?: number;
  /** Never initiate a connection; only accept the peer's. */
  readonly passive?: boolean;
  /**
   * RFC 4271 §6.8: "Unless allowed via configuration, a connection collision with an existing BGP connection that
   * is in the Established state causes closing of the newly created connection." True allows it: a new connection
   * then competes with the Established one by BGP Identifier (e.g. a peer that restarted faster than our hold timer).
   */
  readonly collisionWithEstablished?: boolean;
  readonly capabilities?: AdvertisedCapabilities;
  /** Capability codes the peer must announce, else 2/7 (route refresh is satisfied by code 2 or 128). */
  readonly requiredCapabilities?: readonly number[];
}

/** The configuration with every default applied and durations in milliseconds. */
export interface ResolvedFsmConfig {
  readonly localAsn: number;
  readonly routerId: string;
  readonly routerIdNumber: number;
  readonly remoteAs: RemoteAs;
  readonly families: readonly FamilyRef[];
  readonly familyKeys: readonly number[];
  /** Seconds (it travels in the OPEN). */
  readonly holdTime: number;
  /** Seconds, or undefined for a third of the negotiated hold time. */
  readonly keepaliveTime: number | undefined;
  readonly minHoldTime: number;
  readonly refuseZeroHoldTime: boolean;
  readonly openHoldMs: number;
  /** RFC 9687: milliseconds, 0 for off, undefined for the §6 default (which depends on the negotiated hold time). */
  readonly sendHoldMs: number | undefined;
  readonly connectRetry: { readonly initialMs: number; readonly maxMs: number };
  readonly idleHold: { readonly initialMs: number; readonly maxMs: number };
  readonly idleHoldResetMs: number;
  readonly passive: boolean;
  readonly collisionWithEstablished: boolean;
  readonly capabilities: AdvertisedCapabilities;
  readonly requiredCapabilities: readonly number[];
}

export const DEFAULTS = {
  holdTime: 90,
  minHoldTime: 3,
  openHoldTime: 240,
  connectRetryInitialTime: 1,
  connectRetryTime: 120,
  idleHoldTime: 1,
  maxIdleHoldTime: 120,
  idleHoldResetTime: 60,
  /** RFC 9687 §6: the SendHoldTime is at least this, and at least twice the negotiated hold time. */
  minSendHoldTime: 480,
} as const;

const MAX_U32 = 0xffffffff;

/** Applies defaults and validates; throws an `Error` naming the first bad field. */
export function resolveConfig(config: PeerFsmConfig): ResolvedFsmConfig {
  const asn = config.localAsn;
  integer(asn, 1, MAX_U32, 'localAsn');
  // RFC 6793 §9: AS_TRANS is reserved and "MUST NOT" be a speaker's own AS number.
  if (asn === AS_TRANS) fail('localAsn', `${AS_TRANS} (AS_TRANS) is reserved`);
  const id = parseIPv4(config.routerId);
  if (!id) fail('routerId', `not a dotted quad: ${JSON.stringify(config.routerId)}`);
  const routerIdNumber = ipv4ToNumber(id);
  if (routerIdNumber === 0) fail('routerId', '0.0.0.0 is not a BGP Identifier (RFC 6286 §2.1)');
  if (typeof config.remoteAs === 'number') {
    integer(config.remoteAs, 1, MAX_U32, 'remoteAs');
  } else if (!['internal', 'external', 'any'].includes(config.remoteAs)) {
    fail('remoteAs', `expected a number, internal, external or any`);
  }

  const holdTime = config.holdTime ?? DEFAULTS.holdTime;
  integer(holdTime, 0, 0xffff, 'holdTime');
  // RFC 4271 §4.2: "the Hold Time MUST be either zero or at least three seconds."
  if (holdTime === 1 || holdTime === 2) fail('holdTime', 'must be 0 or at least 3 seconds');
  if (config.keepaliveTime !== undefined) {
    integer(config.keepaliveTime, 1, 0xffff, 'keepaliveTime');
    if (holdTime !== 0 && config.keepaliveTime > holdTime) fail('keepaliveTime', 'exceeds holdTime');
  }

  const families = config.families ?? [{ afi: Afi.IPv4, safi: Safi.Unicast }];
  if (families.length === 0) fail('families', 'at least one address family is needed');
  for (const f of families) family(f, 'families');
  const familyKeys = families.map((f) => familyKey(f.afi, f.safi));
  if (new Set(familyKeys).size !== familyKeys.length) fail('families', 'a family is listed twice');

  const caps = config.capabilities ?? {};
  if (asn > 0xffff && caps.fourOctetAs === false) {
    fail('capabilities.fourOctetAs', `localAsn ${asn} needs the 4-octet AS capability (RFC 6793)`);
  }
  for (const f of caps.addPath ?? []) family(f, 'capabilities.addPath');
  const gr = caps.gracefulRestart;
  if (gr) {
    integer(gr.restartTime, 0, 0xfff, 'capabilities.gracefulRestart.restartTime');
    for (const f of gr.families ?? []) family(f, 'capabilities.gracefulRestart.families');
  }
  if (caps.longLivedGracefulRestart) {
    if (!gr) fail('capabilities.longLivedGracefulRestart', 'RFC 9494 needs graceful restart as well');
    for (const f of caps.longLivedGracefulRestart.families) {
      family(f, 'capabilities.longLivedGracefulRestart.families');
      integer(f.staleTime, 0, 0xffffff, 'capabilities.longLivedGracefulRestart.families.staleTime');
    }
  }
  for (const e of caps.extendedNextHop ?? []) {
    family(e, 'capabilities.extendedNextHop');
    integer(e.nextHopAfi, 1, 0xffff, 'capabilities.extendedNextHop.nextHopAfi');
  }
  if (caps.role !== undefined && !Object.values(BgpRole).includes(caps.role as 0)) {
    fail('capabilities.role', `${caps.role} is not a BGP Role (RFC 9234 §4.1)`);
  }
  if (caps.strictRole && caps.role === undefined) fail('capabilities.strictRole', 'needs capabilities.role');
  if (caps.fqdn) {
    const enc = new TextEncoder();
    if (enc.encode(caps.fqdn.hostname).length > 255) fail('capabilities.fqdn.hostname', 'longer than 255 octets');
    if (enc.encode(caps.fqdn.domainName ?? '').length > 255) fail('capabilities.fqdn.domainName', 'longer than 255 octets');
  }
  for (const code of config.requiredCapabilities ?? []) integer(code, 1, 255, 'requiredCapabilities');

  const minHoldTime = config.minHoldTime ?? DEFAULTS.minHoldTime;
  integer(minHoldTime, 0, 0xffff, 'minHoldTime');
  const seconds = (value: number | undefined, fallback: number, field: string, min = 1): number => {
    const v = value ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) fail(field, `must be a number ≥ ${min}`);
    return Math.round(v * 1000);
  };
  const connectRetryInitialMs = seconds(config.connectRetryInitialTime, DEFAULTS.connectRetryInitialTime, 'connectRetryInitialTime', 0.001);
  const connectRetryMaxMs = seconds(config.connectRetryTime, DEFAULTS.connectRetryTime, 'connectRetryTime');
  const idleHoldInitialMs = seconds(config.idleHoldTime, DEFAULTS.idleHoldTime, 'idleHoldTime', 0.001);
  const idleHoldMaxMs = seconds(config.maxIdleHoldTime, DEFAULTS.maxIdleHoldTime, 'maxIdleHoldTime');
  if (connectRetryInitialMs > connectRetryMaxMs) fail('connectRetryInitialTime', 'exceeds connectRetryTime');
  if (idleHoldInitialMs > idleHoldMaxMs) fail('idleHoldTime', 'exceeds maxIdleHoldTime');
  let sendHoldMs: number | undefined;
  if (config.sendHoldTime !== undefined) {
    sendHoldMs = seconds(config.sendHoldTime, 0, 'sendHoldTime', 0);
    // RFC 9687 §4.4: "If SendHoldTime is non-zero, then it MUST be greater than the value of HoldTime". The negotiated
    // hold time never exceeds ours, so checking against ours covers every session.
    if (sendHoldMs !== 0 && sendHoldMs <= holdTime * 1000) fail('sendHoldTime', `must exceed holdTime (${holdTime} s) or be 0`);
  }

  return Object.freeze({
    localAsn: asn,
    routerId: config.routerId,
    routerIdNumber,
    remoteAs: config.remoteAs,
    families,
    familyKeys,
    holdTime,
    keepaliveTime: config.keepaliveTime,
    minHoldTime,
    refuseZeroHoldTime: config.refuseZeroHoldTime ?? false,
    openHoldMs: seconds(config.openHoldTime, DEFAULTS.openHoldTime, 'openHoldTime'),
    sendHoldMs,
    connectRetry: { initialMs: connectRetryInitialMs, maxMs: connectRetryMaxMs },
    idleHold: { initialMs: idleHoldInitialMs, maxMs: idleHoldMaxMs },
    idleHoldResetMs: seconds(config.idleHoldResetTime, DEFAULTS.idleHoldResetTime, 'idleHoldResetTime'),
    passive: config.passive ?? false,
    collisionWithEstablished: config.collisionWithEstablished ?? false,
    capabilities: caps,
    requiredCapabilities: config.requiredCapabilities ?? [],
  });
}

function family(f: FamilyRef, field: string): void {
  integer(f.afi, 1, 0xffff, `${field}.afi`);
  integer(f.safi, 1, 0xff, `${field}.safi`);
}

function integer(n: unknown, min: number, max: number, field: string): asserts n is number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    fail(field, `${String(n)} is not an integer in ${min}..${max}`);
  }
}

function fail(field: string, why: string): never {
  throw new Error(`PeerFsmConfig.${field}: ${why}`);
}
