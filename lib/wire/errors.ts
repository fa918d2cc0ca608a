/**
 * The one error type of the codec: a `BgpError` is a NOTIFICATION waiting to be sent.
 *
 * RFC 4271 §6 says, for every error it names, which code and subcode to send and what goes in the Data field; the
 * factories below build each error with exactly that Data, so call sites never pick numbers or bytes by hand.
 * RFC 7606 outcomes (attribute discard, treat-as-withdraw) are *results* of decoding an UPDATE, not exceptions:
 * only session-reset errors are thrown. Imports nothing but the constants.
 */
import {
  CeaseError,
  ErrorCode,
  FsmError,
  MessageHeaderError,
  OpenMessageError,
  RouteRefreshError,
  UpdateMessageError,
  errorCodeName,
  errorSubcodeName,
} from './constants.js';

/** RFC 7606 §2: what a malformed attribute does to its UPDATE, weakest first. */
export const ErrorAction = {
  /** The attribute is dropped and the UPDATE is otherwise processed. */
  AttributeDiscard: 'attribute-discard',
  /** Every prefix of the UPDATE is handled as withdrawn. */
  TreatAsWithdraw: 'treat-as-withdraw',
  /** The session is reset with a NOTIFICATION. */
  SessionReset: 'session-reset',
} as const;
export type ErrorAction = (typeof ErrorAction)[keyof typeof ErrorAction];

const EMPTY = new Uint8Array(0);

/** A protocol error, carrying the NOTIFICATION that reports it. */
export class BgpError extends Error {
  override readonly name = 'BgpError';
  /** A stable lowercase identifier for logs and API users, e.g. `update-message-error/malformed-as-path`. */
  readonly id: string;

  constructor(
    readonly code: number,
    readonly subcode: number,
    readonly data: Uint8Array = EMPTY,
    detail?: string,
  ) {
    const text = `${errorCodeName(code)} / ${errorSubcodeName(code, subcode)}`;
    super(detail === undefined ? text : `${text}: ${detail}`);
    this.id = `${slug(errorCodeName(code))}/${slug(errorSubcodeName(code, subcode))}`;
  }

  /** The RFC's name of the code. */
  get codeName(): string {
    return errorCodeName(this.code);
  }

  /** The RFC's name of the subcode. */
  get subcodeName(): string {
    return errorSubcodeName(this.code, this.subcode);
  }
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/\(deprecated\)/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function u16(n: number): Uint8Array {
  return Uint8Array.of((n >>> 8) & 0xff, n & 0xff);
}

/** Factories: one per error the RFCs name, each with the Data the RFC prescribes. */
export const errors = {
  /** §6.1: the marker is not all ones. Data empty. */
  connectionNotSynchronized: (): BgpError =>
    new BgpError(ErrorCode.MessageHeader, MessageHeaderError.ConnectionNotSynchronized),
  /** §6.1: Data is the erroneous Length field. */
  badMessageLength: (length: number, detail?: string): BgpError =>
    new BgpError(ErrorCode.MessageHeader, MessageHeaderError.BadMessageLength, u16(length), detail ?? `length ${length}`),
  /** §6.1: Data is the erroneous Type field. */
  badMessageType: (type: number): BgpError =>
    new BgpError(ErrorCode.MessageHeader, MessageHeaderError.BadMessageType, Uint8Array.of(type & 0xff), `type ${type}`),

  /** §6.2: Data is a 2-octet unsigned integer: the largest locally supported version less than the peer's. */
  unsupportedVersionNumber: (supported: number, peerVersion?: number): BgpError =>
    new BgpError(
      ErrorCode.OpenMessage,
      OpenMessageError.UnsupportedVersionNumber,
      u16(supported),
      peerVersion === undefined ? undefined : `peer version ${peerVersion}`,
    ),
  badPeerAs: (detail?: string): BgpError => new BgpError(ErrorCode.OpenMessage, OpenMessageError.BadPeerAs, EMPTY, detail),
  badBgpIdentifier: (detail?: string): BgpError =>
    new BgpError(ErrorCode.OpenMessage, OpenMessageError.BadBgpIdentifier, EMPTY, detail),
  unsupportedOptionalParameter: (type: number): BgpError =>
    new BgpError(ErrorCode.OpenMessage, OpenMessageError.UnsupportedOptionalParameter, EMPTY, `parameter type ${type}`),
  unacceptableHoldTime: (holdTime: number): BgpError =>
    new BgpError(ErrorCode.OpenMessage, OpenMessageError.UnacceptableHoldTime, EMPTY, `hold time ${holdTime}`),
  /** RFC 5492 §5: Data lists the capabilities that are unsupported or missing (code, length, value each). */
  unsupportedCapability: (capabilities: Uint8Array, detail?: string): BgpError =>
    new BgpError(ErrorCode.OpenMessage, OpenMessageError.UnsupportedCapability, capabilities, detail),
  roleMismatch: (detail?: string): BgpError =>
    new BgpError(ErrorCode.OpenMessage, OpenMessageError.RoleMismatch, EMPTY, detail),
  openUnspecific: (detail?: string): BgpError =>
    new BgpError(ErrorCode.OpenMessage, OpenMessageError.Unspecific, EMPTY, detail),

  /** §6.3: the withdrawn routes or path attribute lengths are inconsistent. Data empty. */
  malformedAttributeList: (detail?: string): BgpError =>
    new BgpError(ErrorCode.UpdateMessage, UpdateMessageError.MalformedAttributeList, EMPTY, detail),
  /** §6.3: Data is the unrecognized attribute (type, length and value). */
  unrecognizedWellKnownAttribute: (attribute: Uint8Array, type: number): BgpError =>
    new BgpError(ErrorCode.UpdateMessage, UpdateMessageError.UnrecognizedWellKnownAttribute, attribute, `type ${type}`),
  /** §6.3: Data is the type code of the missing attribute. */
  missingWellKnownAttribute: (type: number): BgpError =>
    new BgpError(
      ErrorCode.UpdateMessage,
      UpdateMessageError.MissingWellKnownAttribute,
      Uint8Array.of(type & 0xff),
      `type ${type}`,
    ),
  /** §6.3: Data is the erroneous attribute (type, length and value). */
  attributeFlagsError: (attribute: Uint8Array, type: number): BgpError =>
    new BgpError(ErrorCode.UpdateMessage, UpdateMessageError.AttributeFlagsError, attribute, `type ${type}`),
  /** §6.3: Data is the erroneous attribute (type, length and value). */
  attributeLengthError: (attribute: Uint8Array, type: number): BgpError =>
    new BgpError(ErrorCode.UpdateMessage, UpdateMessageError.AttributeLengthError, attribute, `type ${type}`),
  /** §6.3: Data is the unrecognized attribute (type, length and value). */
  invalidOriginAttribute: (attribute: Uint8Array): BgpError =>
    new BgpError(ErrorCode.UpdateMessage, UpdateMessageError.InvalidOriginAttribute, attribute),
  /** §6.3: Data is the incorrect attribute (type, length and value). */
  invalidNextHopAttribute: (attribute: Uint8Array, detail?: string): BgpError =>
    new BgpError(ErrorCode.UpdateMessage, UpdateMessageError.InvalidNextHopAttribute, attribute, detail),
  /** §6.3: Data is the attribute (type, length and value). */
  optionalAttributeError: (attribute: Uint8Array, type: number): BgpError =>
    new BgpError(ErrorCode.UpdateMessage, UpdateMessageError.OptionalAttributeError, attribute, `type ${type}`),
  /** §6.3: the NLRI field is syntactically incorrect. Data empty. */
  invalidNetworkField: (detail?: string): BgpError =>
    new BgpError(ErrorCode.UpdateMessage, UpdateMessageError.InvalidNetworkField, EMPTY, detail),
  malformedAsPath: (detail?: string): BgpError =>
    new BgpError(ErrorCode.UpdateMessage, UpdateMessageError.MalformedAsPath, EMPTY, detail),

  holdTimerExpired: (): BgpError => new BgpError(ErrorCode.HoldTimerExpired, 0),
  /** RFC 9687 §5: nothing we queued reached the peer for SendHoldTime. Subcode 0, Data empty. */
  sendHoldTimerExpired: (): BgpError => new BgpError(ErrorCode.SendHoldTimerExpired, 0),
  /** RFC 6608: unexpected message for the state. Data empty. */
  fsmError: (subcode: (typeof FsmError)[keyof typeof FsmError], detail?: string): BgpError =>
    new BgpError(ErrorCode.FiniteStateMachine, subcode, EMPTY, detail),
  cease: (subcode: (typeof CeaseError)[keyof typeof CeaseError], data: Uint8Array = EMPTY, detail?: string): BgpError =>
    new BgpError(ErrorCode.Cease, subcode, data, detail),
  /** RFC 7313 §5: Data is the complete ROUTE-REFRESH message. */
  routeRefreshInvalidLength: (message: Uint8Array): BgpError =>
    new BgpError(ErrorCode.RouteRefreshMessage, RouteRefreshError.InvalidMessageLength, message),
} as const;

/** Type guard usable across module boundaries. */
export function isBgpError(e: unknown): e is BgpError {
  return e instanceof BgpError;
}
