/**
 * Is the peer's OPEN acceptable? RFC 4271 §6.2 with the later RFCs that refine it, each refusal being the exact
 * NOTIFICATION those RFCs prescribe (built through the `errors` factories so the Data is right).
 *
 *   version ≠ 4                                     → 2/1, Data = 2-octet version we support (4)
 *   My AS 0 (RFC 7607), AS_TRANS without the 4-octet capability, a 4-octet AS that contradicts a 2-octet My AS
 *   (RFC 6793 §4.1), or not the AS we expect        → 2/2
 *   BGP Identifier 0, or ours on an iBGP session (RFC 6286 §2.2; equal is legal on eBGP)      → 2/3
 *   an optional parameter other than Capabilities  → 2/4
 *   hold time 1 or 2, below our minimum, or 0 when we refuse 0                                 → 2/6
 *   BGP Role pair not allowed, or absent in strict mode (RFC 9234 §4.2)                        → 2/11
 *   no family in common, or a capability we require missing (RFC 5492 §5)                      → 2/7, Data = those
 *                                                                     capabilities as our OPEN encodes them
 * The order is FRR's (version, AS, identifier, hold time, capabilities), so both report the same first error.
 * Pure: reads only its arguments. Imports wire constants, errors, and the capability encoder for 2/7's Data.
 */
import { AS_TRANS, BGP_VERSION, BgpRole, CapabilityCode, familyKey } from '../wire/constants.js';
import { errors } from '../wire/errors.js';
import type { BgpError } from '../wire/errors.js';
import { ipv4ToNumber, parseIPv4 } from '../wire/address.js';
import { encodeCapabilities, findCapability } from '../wire/capabilities.js';
import { peerAsn } from '../wire/open.js';
import type { Capability, OpenMessage } from '../wire/types.js';
import type { RemoteAs, ResolvedFsmConfig } from './config.js';
import { announcedFamilies } from './negotiate.js';

/** RFC 9234 §4.2 Table 2: the peer's role each local role may face. */
const allowedPeerRole: Readonly<Record<number, number>> = {
  [BgpRole.Provider]: BgpRole.Customer,
  [BgpRole.Customer]: BgpRole.Provider,
  [BgpRole.RouteServer]: BgpRole.RouteServerClient,
  [BgpRole.RouteServerClient]: BgpRole.RouteServer,
  [BgpRole.Peer]: BgpRole.Peer,
};

/** The first reason to refuse `open`, or undefined when it is acceptable. */
export function checkOpen(config: ResolvedFsmConfig, localOpen: OpenMessage, open: OpenMessage): BgpError | undefined {
  // RFC 4271 §6.2: "the largest, locally-supported version number less than the version the remote BGP peer bid
  // ..., or if the smallest, locally-supported version number is greater than the version the remote BGP peer bid,
  // then the smallest" — with version 4 alone, 4 either way.
  if (open.version !== BGP_VERSION) return errors.unsupportedVersionNumber(BGP_VERSION, open.version);

  const asError = checkPeerAs(config, open);
  if (asError) return asError;
  const peerAs = peerAsn(open);
  const internal = peerAs === config.localAsn;

  const id = parseIPv4(open.bgpIdentifier);
  const idNumber = id ? ipv4ToNumber(id) : 0;
  if (idNumber === 0) return errors.badBgpIdentifier(`BGP Identifier ${open.bgpIdentifier}`);
  if (internal && idNumber === config.routerIdNumber) {
    return errors.badBgpIdentifier(`BGP Identifier ${open.bgpIdentifier} is ours on an iBGP session`);
  }

  // The decoder already refuses these; checked again so an OPEN built any other way is held to the same rule.
  const other = open.parameters?.find((p) => p.kind === 'other');
  if (other && other.kind === 'other') return errors.unsupportedOptionalParameter(other.type);

  const holdError = checkHoldTime(config, open.holdTime);
  if (holdError) return holdError;

  const roleError = checkRole(config, open);
  if (roleError) return roleError;

  return checkCapabilities(config, localOpen, open);
}

/** Whether an AS announced by a peer is the one `remoteAs` expects of it. */
export function remoteAsMatches(remoteAs: RemoteAs, localAsn: number, peerAs: number): boolean {
  switch (remoteAs) {
    case 'any':
      return true;
    case 'internal':
      return peerAs === localAsn;
    case 'external':
      return peerAs !== localAsn;
    default:
      return peerAs === remoteAs;
  }
}

function checkPeerAs(config: ResolvedFsmConfig, open: OpenMessage): BgpError | undefined {
  const four = findCapability(open.capabilities, 'four-octet-as');
  // RFC 7607 §2: "... receives zero as the peer AS in an OPEN message, it MUST abort the connection and send a
  // NOTIFICATION with Error Code 'OPEN Message Error' and subcode 'Bad Peer AS'".
  if (open.myAs === 0) return errors.badPeerAs('My Autonomous System is 0');
  if (four) {
    if (four.asn === 0) return errors.badPeerAs('4-octet AS capability carries AS 0');
    if (four.asn === AS_TRANS) return errors.badPeerAs('4-octet AS capability carries AS_TRANS');
    // RFC 6793 §4.1: a 4-octet speaker whose ASN fits in 2 octets puts it in My AS; anything else there is a
    // contradiction. (A 4-octet ASN with something other than AS_TRANS in My AS is tolerated, as FRR does.)
    if (four.asn <= 0xffff && open.myAs !== four.asn) {
      return errors.badPeerAs(`My Autonomous System ${open.myAs} differs from 4-octet AS ${four.asn}`);
    }
  } else if (open.myAs === AS_TRANS) {
    // AS_TRANS names "some 4-octet AS" and needs the capability to say which.
    return errors.badPeerAs('My Autonomous System is AS_TRANS without the 4-octet AS capability');
  }
  const peerAs = peerAsn(open);
  if (!remoteAsMatches(config.remoteAs, config.localAsn, peerAs)) {
    const expected = typeof config.remoteAs === 'number' ? `AS ${config.remoteAs}` : `an ${config.remoteAs} AS`;
    return errors.badPeerAs(`peer announced AS ${peerAs}, expected ${expected}`);
  }
  return undefined;
}

function checkHoldTime(config: ResolvedFsmConfig, holdTime: number): BgpError | undefined {
  // RFC 4271 §6.2: "An implementation MUST reject Hold Time values of one or two seconds. An implementation MAY
  // reject any proposed Hold Time."
  if (holdTime === 1 || holdTime === 2) return errors.unacceptableHoldTime(holdTime);
  if (holdTime === 0) return config.refuseZeroHoldTime ? errors.unacceptableHoldTime(0) : undefined;
  if (holdTime < config.minHoldTime) return errors.unacceptableHoldTime(holdTime);
  return undefined;
}

function checkRole(config: ResolvedFsmConfig, open: OpenMessage): BgpError | undefined {
  const local = config.capabilities.role;
  if (local === undefined) return undefined;
  const roles = new Set(open.capabilities.flatMap((c) => (c.kind === 'role' ? [c.role] : [])));
  // RFC 9234 §4.2: "If multiple BGP Role Capabilities are received and not all of them have the same value, then
  // the BGP speaker MUST reject the connection using the Role Mismatch Notification."
  if (roles.size > 1) return errors.roleMismatch(`the peer announced roles ${[...roles].join(' and ')}`);
  // Strict mode: "the speaker MUST reject the connection" when the peer sends no role at all; otherwise the
  // absence is ignored for backward compatibility.
  if (roles.size === 0) {
    return config.capabilities.strictRole ? errors.roleMismatch('the peer announced no BGP Role (strict mode)') : undefined;
  }
  const [peer] = roles as Set<number>;
  if (allowedPeerRole[local] !== peer) return errors.roleMismatch(`local role ${local}, peer role ${String(peer)}`);
  return undefined;
}

function checkCapabilities(config: ResolvedFsmConfig, localOpen: OpenMessage, open: OpenMessage): BgpError | undefined {
  const missing: Capability[] = [];
  const peerFamilies = new Set(announcedFamilies(open));
  const localFamilies = announcedFamilies(localOpen);
  if (!localFamilies.some((k) => peerFamilies.has(k))) {
    // Our Multiprotocol capabilities are the ones the peer lacks (the implied IPv4 unicast if we sent none).
    for (const k of localFamilies) missing.push({ kind: 'multiprotocol', code: 1, afi: k >>> 8, safi: k & 0xff });
  }
  for (const code of config.requiredCapabilities) {
    if (code === CapabilityCode.Multiprotocol || announces(open, code)) continue;
    const ours = localOpen.capabilities.filter((c) => c.code === code && c.kind !== 'unknown');
    missing.push(...(ours.length > 0 ? ours : [{ kind: 'unknown', code, value: new Uint8Array(0) } as const]));
  }
  if (missing.length === 0) return undefined;
  const names = [...new Set(missing.map((c) => (c.kind === 'multiprotocol' ? `family ${familyKey(c.afi, c.safi)}` : `capability ${c.code}`)))];
  return errors.unsupportedCapability(encodeCapabilities(missing), `missing ${names.join(', ')}`);
}

/** The peer announced a well-formed capability of `code`; the two route refresh codes stand for each other. */
function announces(open: OpenMessage, code: number): boolean {
  const routeRefresh = code === CapabilityCode.RouteRefresh || code === CapabilityCode.RouteRefreshOld;
  return open.capabilities.some((c) => c.kind !== 'unknown' && (c.code === code || (routeRefresh && c.kind === 'route-refresh')));
}
