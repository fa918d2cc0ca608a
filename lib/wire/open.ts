/**
 * The OPEN message body (RFC 4271 §4.2) with RFC 9072 extended optional parameters lengths, and the 4-octet AS
 * helpers of RFC 6793.
 *
 *     RFC 4271 §4.2
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *     +-+-+-+-+-+-+-+-+
 *     |    Version    |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     |     My Autonomous System      |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     |           Hold Time           |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     |                         BGP Identifier                        |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     | Opt Parm Len  |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     |             Optional Parameters (variable)                    |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     each: Parm. Type (1 octet), Parm. Length (1 octet), Parameter Value (variable)
 *
 *     RFC 9072 §2: the same up to the BGP Identifier, then
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     |Non-Ext OP Len.|Non-Ext OP Type|  Extended Opt. Parm. Length   |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     |             Optional Parameters (variable)                    |
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     each: Parm. Type (1 octet), Parameter Length (2 octets), Parameter Value (variable)
 *
 * Decoding checks only syntax: lengths that disagree (OPEN Message Error / Unspecific, or Bad Message Length when
 * the body is shorter than an OPEN can be) and optional parameters other than Capabilities (RFC 4271 §6.2:
 * Unsupported Optional Parameter). Whether the version, AS, identifier and hold time are acceptable is the FSM's
 * decision (RFC 4271 §6.2), taken on the decoded value. The wire grouping of capabilities into parameters and the
 * RFC 9072 form are kept so that a decoded OPEN re-encodes byte-exact. Imports only its siblings.
 */
import { AS_TRANS, BGP_VERSION, HEADER_LENGTH, OptionalParameterType } from './constants.js';
import { formatIPv4, ipv4Bytes } from './address.js';
import { decodeCapabilities, encodeCapabilities, findCapability } from './capabilities.js';
import { errors } from './errors.js';
import type { Capability, OpenMessage, OpenParameter } from './types.js';

/** Version (1) + My AS (2) + Hold Time (2) + BGP Identifier (4) + Opt Parm Len (1). */
const FIXED_LENGTH = 10;
/** RFC 9072 §2: Non-Ext OP Len. (1) + Non-Ext OP Type (1) + Extended Opt. Parm. Length (2). */
const EXTENDED_FIXED_LENGTH = 13;
/** RFC 9072 §2: "the Non-Ext OP Len. field MUST be set to 255" and the Non-Ext OP Type to 255. */
const EXTENDED_MARKER = 255;
const MAX_NON_EXTENDED_LENGTH = 255;
const MAX_EXTENDED_LENGTH = 0xffff;

// ---------------------------------------------------------------------------------------------------------------
// Decoding

/** Decodes an OPEN body (the message without its 19-octet header). */
export function decodeOpen(body: Uint8Array): OpenMessage {
  if (body.length < FIXED_LENGTH) throw errors.badMessageLength(HEADER_LENGTH + body.length, 'OPEN too short');
  const optLength = body[9] as number;
  // RFC 9072 §2: "if the one-octet 'Optional Parameters Length' field ... is non-zero, a BGP speaker MUST use the
  // value of the octet following [it] to determine both the encoding of the Optional Parameters length and the
  // size of the 'Parameter Length' field of individual Optional Parameters."
  const extended = optLength !== 0 && body.length > FIXED_LENGTH && body[FIXED_LENGTH] === OptionalParameterType.ExtendedLength;
  let start: number;
  if (extended) {
    if (body.length < EXTENDED_FIXED_LENGTH) throw errors.openUnspecific('extended optional parameters length truncated');
    const extLength = u16(body, 11);
    if (EXTENDED_FIXED_LENGTH + extLength !== body.length) {
      throw errors.openUnspecific(`extended optional parameters length ${extLength} but ${body.length - EXTENDED_FIXED_LENGTH} octets follow`);
    }
    start = EXTENDED_FIXED_LENGTH;
  } else {
    if (FIXED_LENGTH + optLength !== body.length) {
      throw errors.openUnspecific(`optional parameters length ${optLength} but ${body.length - FIXED_LENGTH} octets follow`);
    }
    start = FIXED_LENGTH;
  }

  const parameters = decodeParameters(body, start, extended);
  const capabilities = parameters.flatMap((p) => (p.kind === 'capabilities' ? p.capabilities : []));
  const open: OpenMessage = {
    type: 1,
    version: body[0] as number,
    myAs: u16(body, 1),
    holdTime: u16(body, 3),
    bgpIdentifier: formatIPv4(body, 5),
    capabilities,
  };
  // Keep the grouping only where the encoder's default (all capabilities in one parameter) would differ.
  const defaultGrouping =
    parameters.length === 0 || (parameters.length === 1 && capabilities.length > 0 && parameters[0]?.kind === 'capabilities');
  return {
    ...open,
    ...(defaultGrouping ? {} : { parameters }),
    ...(extended ? { extendedParameters: true } : {}),
  };
}

function decodeParameters(body: Uint8Array, start: number, extended: boolean): OpenParameter[] {
  const headerLength = extended ? 3 : 2;
  const parameters: OpenParameter[] = [];
  for (let i = start; i < body.length; ) {
    if (i + headerLength > body.length) throw errors.openUnspecific(`optional parameter at octet ${i} truncated`);
    const type = body[i] as number;
    const length = extended ? u16(body, i + 1) : (body[i + 1] as number);
    const end = i + headerLength + length;
    if (end > body.length) throw errors.openUnspecific(`optional parameter ${type} of length ${length} overruns the OPEN`);
    // RFC 4271 §6.2: "If one of the Optional Parameters in the OPEN message is not recognized, then the Error
    // Subcode MUST be set to Unsupported Optional Parameters." RFC 5492 leaves Capabilities as the only one in use.
    if (type !== OptionalParameterType.Capabilities) throw errors.unsupportedOptionalParameter(type);
    parameters.push({ kind: 'capabilities', capabilities: decodeCapabilities(body.subarray(i + headerLength, end)) });
    i = end;
  }
  return parameters;
}

function u16(b: Uint8Array, i: number): number {
  return ((b[i] as number) << 8) | (b[i + 1] as number);
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

/**
 * Encodes an OPEN body. `parameters`, when present, is the layout (and `capabilities` is then ignored); otherwise
 * every capability goes into one Capabilities parameter, or none when there are no capabilities. The RFC 9072 form
 * is used when `extendedParameters` is set or when the parameters do not fit the RFC 4271 one-octet lengths.
 * Throws a `TypeError` naming the field for values that do not fit their fields.
 */
export function encodeOpen(msg: OpenMessage): Uint8Array {
  const parameters = msg.parameters ?? defaultParameters(msg.capabilities);
  const encoded = parameters.map((p) => ({ type: parameterType(p), value: parameterValue(p) }));
  const nonExtendedLength = encoded.reduce((sum, p) => sum + 2 + p.value.length, 0);
  // RFC 9072 §2: "In the event that the length of Optional Parameters in the BGP OPEN message does not exceed 255,
  // the encodings of the base BGP specification [RFC4271] SHOULD be used without alteration."
  // (A single parameter longer than 255 octets already makes the total exceed 255.)
  const extended = msg.extendedParameters === true || nonExtendedLength > MAX_NON_EXTENDED_LENGTH;
  const optLength = extended ? nonExtendedLength + encoded.length : nonExtendedLength;
  if (optLength > MAX_EXTENDED_LENGTH) throw new TypeError(`OPEN optional parameters of ${optLength} octets do not fit`);

  const body = new Uint8Array((extended ? EXTENDED_FIXED_LENGTH : FIXED_LENGTH) + optLength);
  body[0] = field(msg.version, 0xff, 'version');
  putU16(body, 1, field(msg.myAs, 0xffff, 'myAs'));
  putU16(body, 3, field(msg.holdTime, 0xffff, 'holdTime'));
  body.set(ipv4Bytes(msg.bgpIdentifier, 'bgpIdentifier'), 5);
  let i: number;
  if (extended) {
    body[9] = EXTENDED_MARKER;
    body[10] = OptionalParameterType.ExtendedLength;
    putU16(body, 11, optLength);
    i = EXTENDED_FIXED_LENGTH;
  } else {
    body[9] = optLength;
    i = FIXED_LENGTH;
  }
  for (const p of encoded) {
    body[i++] = p.type;
    if (extended) {
      putU16(body, i, p.value.length);
      i += 2;
    } else {
      body[i++] = p.value.length;
    }
    body.set(p.value, i);
    i += p.value.length;
  }
  return body;
}

function defaultParameters(capabilities: readonly Capability[]): readonly OpenParameter[] {
  return capabilities.length === 0 ? [] : [{ kind: 'capabilities', capabilities }];
}

function parameterType(p: OpenParameter): number {
  if (p.kind === 'capabilities') return OptionalParameterType.Capabilities;
  field(p.type, 0xff, 'parameter type');
  // RFC 9072 §2 reserves type 255 to announce the extended form; sent as a parameter it would be misread.
  if (p.type === OptionalParameterType.ExtendedLength) throw new TypeError('parameter type 255 is reserved by RFC 9072');
  return p.type;
}

function parameterValue(p: OpenParameter): Uint8Array {
  return p.kind === 'capabilities' ? encodeCapabilities(p.capabilities) : p.value;
}

function field(n: number, max: number, name: string): number {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new TypeError(`${name}: ${n} is not an integer in 0..${max}`);
  return n;
}

function putU16(b: Uint8Array, i: number, n: number): void {
  b[i] = n >>> 8;
  b[i + 1] = n & 0xff;
}

// ---------------------------------------------------------------------------------------------------------------
// RFC 6793: 4-octet AS numbers in a 2-octet field

export interface OpenOptions {
  /** The speaker's AS number, 1..4294967295. */
  readonly asn: number;
  readonly holdTime: number;
  readonly bgpIdentifier: string;
  /** Must hold a `four-octet-as` capability carrying `asn` when `asn` does not fit in 2 octets. */
  readonly capabilities: readonly Capability[];
}

/**
 * An OPEN for this speaker, with My Autonomous System set as RFC 6793 §4.1 says: the ASN itself when it fits in
 * 2 octets, otherwise AS_TRANS, the real ASN then travelling in the 4-octet AS capability. Throws a `TypeError`
 * when the capabilities contradict the ASN or cannot carry it.
 */
export function openFor(options: OpenOptions): OpenMessage {
  const { asn, holdTime, bgpIdentifier, capabilities } = options;
  field(asn, 0xffffffff, 'asn');
  field(holdTime, 0xffff, 'holdTime');
  ipv4Bytes(bgpIdentifier, 'bgpIdentifier');
  const fourOctet = findCapability(capabilities, 'four-octet-as');
  if (fourOctet !== undefined && fourOctet.asn !== asn) {
    throw new TypeError(`asn ${asn} differs from the four-octet-as capability's ${fourOctet.asn}`);
  }
  if (fourOctet === undefined && asn > 0xffff) {
    throw new TypeError(`asn ${asn} needs 4 octets: add the four-octet-as capability`);
  }
  return {
    type: 1,
    version: BGP_VERSION,
    myAs: asn > 0xffff ? AS_TRANS : asn,
    holdTime,
    bgpIdentifier,
    capabilities: [...capabilities],
  };
}

/**
 * The AS number the peer announced: the 4-octet AS capability's when present (RFC 6793 §4.1: the capability, not
 * My Autonomous System, carries a 4-octet speaker's ASN), else My Autonomous System.
 */
export function peerAsn(open: OpenMessage): number {
  return findCapability(open.capabilities, 'four-octet-as')?.asn ?? open.myAs;
}
