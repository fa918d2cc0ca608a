/**
 * Decodes every BGP message of a capture: the engine of `tsbgpd decode` and of the conformance tests.
 *
 * The capture layer hands over whole messages per direction; this module decodes each with the context its
 * connection negotiated (see context-tracker.ts), reports malformed messages as lines with the NOTIFICATION they
 * would draw and carries on, and — when asked to verify — re-encodes every well-formed message and compares bytes.
 */
import { readBgpCapture, type ReadBgpCaptureOptions } from '../capture/index.js';
import { BgpError, decodeMessage, encodeMessage, type BgpMessage } from '../wire/index.js';
import { ContextTracker, type StreamContext } from './context-tracker.js';
import { hex, messageJson, type Json } from './message-json.js';

export interface DecodedLine {
  /** The JSON object printed for this event. */
  json: { [key: string]: Json };
  /** The decoded message, when it decoded. */
  message?: BgpMessage;
  /** The bytes of the message (header included), for messages. */
  bytes?: Uint8Array;
  /** Outcome for `--verify`. */
  verdict: 'exact' | 'mismatch' | 'malformed' | 'not-a-message';
}

export interface DecodeOptions extends ReadBgpCaptureOptions {
  /** Re-encode each well-formed message and compare with the captured bytes. */
  verify?: boolean;
}

export interface VerifySummary {
  messages: number;
  exact: number;
  malformed: number;
  mismatched: number;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/** Yields one line per capture event, in capture order; `summary` is filled as lines are produced. */
export function* decodeCapture(file: Uint8Array, options: DecodeOptions = {}, summary?: VerifySummary): Generator<DecodedLine> {
  const tracker = new ContextTracker();
  const readOptions: ReadBgpCaptureOptions = {};
  if (options.ports) Object.assign(readOptions, { ports: options.ports });
  for (const ev of readBgpCapture(file, readOptions)) {
    const base: { [key: string]: Json } = { time: ev.time, frame: ev.frame, src: ev.src, dst: ev.dst };
    if (ev.kind === 'gap') {
      yield { json: { ...base, event: 'gap', missing: ev.missing }, verdict: 'not-a-message' };
      continue;
    }
    if (ev.kind === 'junk') {
      yield { json: { ...base, event: 'junk', reason: ev.reason, length: ev.bytes.length }, verdict: 'not-a-message' };
      continue;
    }
    const bytes = ev.bytes;
    if (summary) summary.messages++;
    const type = bytes[18] ?? 0;
    const body = bytes.subarray(19);
    const sc: StreamContext = tracker.contextFor(ev.src, ev.dst, type === 2 ? body : undefined);
    let message: BgpMessage;
    try {
      message = decodeMessage(bytes, sc.ctx);
    } catch (err) {
      if (!(err instanceof BgpError)) throw err;
      if (summary) summary.malformed++;
      yield {
        json: {
          ...base,
          length: bytes.length,
          error: { code: err.code, subcode: err.subcode, name: `${err.codeName} / ${err.subcodeName}`, data: hex(err.data) },
          message: err.message,
          bytes: hex(bytes),
        },
        bytes,
        verdict: 'malformed',
      };
      continue;
    }
    if (message.type === 1) tracker.recordOpen(ev.src, ev.dst, message);
    const json: { [key: string]: Json } = { ...base, length: bytes.length, ...messageJson(message) };
    if (message.type === 2 && (sc.source === 'guessed' || sc.source === 'default')) json.contextGuessed = true;
    let verdict: DecodedLine['verdict'] = 'exact';
    if (message.type === 2 && message.issues && message.issues.length > 0) {
      // RFC 7606 found something: the message is malformed, even though the session would survive it.
      verdict = 'malformed';
      if (summary) summary.malformed++;
    } else if (options.verify) {
      const again = encodeMessage(message, sc.ctx);
      if (again.length === bytes.length && firstDifference(again, bytes) === again.length) {
        if (summary) summary.exact++;
      } else {
        verdict = 'mismatch';
        if (summary) summary.mismatched++;
        json.mismatch = { at: firstDifference(again, bytes), encoded: hex(again) };
      }
    } else if (summary) {
      summary.exact++;
    }
    yield { json, message, bytes, verdict };
  }
}
