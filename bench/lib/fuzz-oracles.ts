/**
 * The fuzzer's targets and oracles. RFC 4271 §6 says what a receiver does with malformed input — send the
 * NOTIFICATION it names — and RFC 7606 when to carry on instead; neither ever says "crash". So a decoder returns
 * a value or throws a `BgpError` (the capture reader: events, or a `CaptureFormatError` for a file that is not a
 * capture), and nothing else. Beyond that, each target has its law:
 * - decoders: a clean value encodes to the very input bytes and decodes to itself; an UPDATE with RFC 7606
 *   findings still encodes (under extended messages) and decodes to a value or a BgpError;
 * - the framer: the same messages and the same error however the stream is chunked, each a faithful slice of it;
 * - the RIB's raw UPDATE path (what a live session uses): it rejects exactly what `decodeUpdate` rejects;
 * - the capture reader and `decodeCapture --verify`: no exception, no mismatch on what decoded cleanly.
 * A `FuzzCase` holds everything needed to replay one input (fixtures/crashers stores them).
 */
import { CaptureFormatError, readBgpCapture } from '../../lib/capture/index.js';
import { decodeCapture } from '../../lib/inspect/index.js';
import { Rib } from '../../lib/rib/index.js';
import {
  BgpError,
  Framer,
  createContext,
  decodeCapabilities,
  decodeMessage,
  decodeNotification,
  decodeOpen,
  decodeRouteRefresh,
  decodeUpdate,
  encodeCapabilities,
  encodeMessage,
  encodeNotification,
  encodeOpen,
  encodeRouteRefresh,
  encodeUpdate,
  familyKey,
  type CodecContext,
} from '../../lib/wire/index.js';
import { contextName, type Corpus, type Seed } from './fuzz-corpus.js';
import { Rand, u16 } from './fuzz-grammar.js';

// ---------------------------------------------------------------------------------------------------------------
// Targets and their oracles. A case is everything needed to replay one input.

export const TARGETS = ['message', 'open', 'update', 'notification', 'route-refresh', 'capabilities', 'framer', 'rib', 'capture'] as const;
export type TargetName = (typeof TARGETS)[number];

export interface FuzzCase {
  readonly target: TargetName;
  readonly bytes: Uint8Array;
  readonly ctx: CodecContext;
  /** framer: the seed of the random chunking. */
  readonly chunkSeed?: number;
}

/** The outcome of one case: did the code under test accept the input, and which law broke, if any. */
export interface Verdict {
  readonly accepted: boolean;
  readonly failure?: string;
}
const rejected: Verdict = { accepted: false };
const accepted: Verdict = { accepted: true };
const broken = (accepted: boolean, failure: string): Verdict => ({ accepted, failure });

/** Describes an exception that is not an allowed outcome, with the first frame inside lib/ for the diagnosis. */
export function describe(e: unknown): string {
  if (!(e instanceof Error)) return `threw a non-Error: ${String(e)}`;
  const frame = e.stack?.split('\n').find((l) => l.includes('/lib/')) ?? '';
  return `${e.name}: ${e.message}${frame ? ` (${frame.trim().replace(/^at /, 'at ')})` : ''}`;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };
function attempt<T>(fn: () => T): Outcome<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Structural equality of decoded values (Uint8Arrays by content, BgpErrors by code, subcode and Data). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  }
  if (a instanceof BgpError || b instanceof BgpError) {
    return a instanceof BgpError && b instanceof BgpError && a.code === b.code && a.subcode === b.subcode && sameValue(a.data, b.data);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

/**
 * The round-trip law for one decoder. A clean value encodes to the input's bytes and decodes to itself; a value
 * with RFC 7606 findings (`issues`) must still encode (under extended messages: a discarded attribute can make it
 * no shorter) and the result decode to a value or a BgpError.
 */
export function roundTrip<T>(input: Uint8Array, decode: (b: Uint8Array) => T, encode: (v: T, lenient: boolean) => Uint8Array): Verdict {
  const first = attempt(() => decode(input));
  if (!first.ok) return first.error instanceof BgpError ? rejected : broken(false, `decode: ${describe(first.error)}`);
  const value = first.value;
  const lenient = typeof value === 'object' && value !== null && 'issues' in value && value.issues !== undefined;
  const encoded = attempt(() => encode(value, lenient));
  if (!encoded.ok) return broken(true, `re-encoding a decoded value: ${describe(encoded.error)}`);
  const again = attempt(() => decode(encoded.value));
  if (lenient) return again.ok || again.error instanceof BgpError ? accepted : broken(true, `re-decode: ${describe(again.error)}`);
  if (!bytesEqual(encoded.value, input)) return broken(true, `clean value not byte-exact: ${Buffer.from(encoded.value).toString('hex')}`);
  if (!again.ok) return broken(true, `re-decode of the exact bytes: ${describe(again.error)}`);
  return sameValue(again.value, value) ? accepted : broken(true, 're-decoded value differs');
}

const extended = (ctx: CodecContext): CodecContext => createContext({ ...ctx, extendedMessage: true });

interface FramerRun {
  readonly out: Uint8Array[];
  readonly error: unknown;
}

function frame(stream: Uint8Array, ext: boolean, sizes: readonly number[]): FramerRun {
  const framer = new Framer({ extendedMessage: ext });
  const out: Uint8Array[] = [];
  let at = 0;
  for (const n of sizes) {
    framer.push(stream.subarray(at, at + n));
    at += n;
    try {
      for (const m of framer) out.push(m);
    } catch (error) {
      return { out, error };
    }
  }
  return { out, error: undefined };
}

/** Random chunk sizes covering `length` octets: often 1–3 octets (headers split), else up to 64. */
export function chunking(length: number, chunkSeed: number): number[] {
  const rand = new Rand(chunkSeed);
  const sizes: number[] = [];
  for (let left = length; left > 0; ) {
    const n = Math.min(left, rand.chance(0.3) ? 1 + rand.int(3) : 1 + rand.int(64));
    sizes.push(n);
    left -= n;
  }
  return sizes;
}

function checkFramer(stream: Uint8Array, ext: boolean, chunkSeed: number): Verdict {
  const whole = frame(stream, ext, [stream.length]);
  const chunked = frame(stream, ext, chunking(stream.length, chunkSeed));
  const ok = whole.error === undefined;
  for (const r of [whole, chunked]) {
    if (r.error !== undefined && !(r.error instanceof BgpError)) return broken(ok, `framer: ${describe(r.error)}`);
    let at = 0;
    for (const m of r.out) {
      if (u16(m, 16) !== m.length) return broken(ok, `framer handed out ${m.length} octets whose Length says ${u16(m, 16)}`);
      if (!bytesEqual(m, stream.subarray(at, at + m.length))) return broken(ok, `framer message at ${at} differs from the stream`);
      at += m.length;
    }
  }
  if (whole.out.length !== chunked.out.length) return broken(ok, `chunking changed the message count: ${whole.out.length} vs ${chunked.out.length}`);
  if (!sameValue(whole.error, chunked.error)) return broken(ok, `chunking changed the error: ${String(whole.error)} vs ${String(chunked.error)}`);
  return ok ? accepted : rejected;
}

/** One RIB per context, with a peer that is up, so the fast path of `ingestUpdate` sees UPDATEs as on a session. */
const ribs = new Map<string, Rib>();
function ribFor(ctx: CodecContext, seeds: readonly Seed[]): Rib {
  const key = contextName(ctx);
  const known = ribs.get(key);
  if (known !== undefined) return known;
  const rib = new Rib({ localAsn: 65000, routerId: '192.0.2.254' });
  rib.addPeer({ id: 'fuzz', address: '192.0.2.1', asn: 65001 });
  rib.peerUp('fuzz', { families: [familyKey(1, 1), familyKey(2, 1)], txContext: ctx });
  // Prime the attribute-block cache with every seed, so mutated UPDATEs take the fast path too.
  for (const s of seeds) if (s.tree.type === 2) attempt(() => rib.ingestUpdate('fuzz', s.bytes.subarray(19), ctx));
  ribs.set(key, rib);
  return rib;
}

/** The RIB's raw path must reject exactly what the decoder rejects, and throw nothing but BgpErrors. */
function checkRib(body: Uint8Array, ctx: CodecContext, seeds: readonly Seed[]): Verdict {
  const rib = ribFor(ctx, seeds);
  const reference = attempt(() => decodeUpdate(body, ctx));
  const got = attempt(() => rib.ingestUpdate('fuzz', body, ctx));
  if (!got.ok && !(got.error instanceof BgpError)) return broken(false, `rib.ingestUpdate: ${describe(got.error)}`);
  if (!reference.ok && !(reference.error instanceof BgpError)) return broken(got.ok, `decodeUpdate: ${describe(reference.error)}`);
  if (!reference.ok && got.ok) return broken(true, `rib.ingestUpdate accepted an UPDATE decodeUpdate rejects (${String(reference.error)})`);
  if (reference.ok && !got.ok) return broken(false, `rib.ingestUpdate rejected an UPDATE decodeUpdate accepts (${String(got.error)})`);
  return got.ok ? accepted : rejected;
}

function checkCapture(file: Uint8Array): Verdict {
  let messages = 0;
  try {
    for (const ev of readBgpCapture(file)) {
      if (ev.kind !== 'message') continue;
      messages++;
      if (u16(ev.bytes, 16) !== ev.bytes.length) return broken(true, 'capture message whose Length is not its size');
    }
  } catch (e) {
    if (!(e instanceof CaptureFormatError)) return broken(true, `readBgpCapture: ${describe(e)}`);
    return rejected;
  }
  try {
    for (const line of decodeCapture(file, { verify: true })) {
      if (line.verdict === 'mismatch') return broken(true, `decodeCapture --verify mismatch: ${JSON.stringify(line.json)}`);
    }
  } catch (e) {
    return broken(true, `decodeCapture: ${describe(e)}`);
  }
  return messages > 0 ? accepted : rejected;
}

/** Runs one case through its oracle. */
export function check(c: FuzzCase, corpus?: Corpus): Verdict {
  const ctx = c.ctx;
  switch (c.target) {
    case 'message':
      return roundTrip(c.bytes, (b) => decodeMessage(b, ctx), (v, lenient) => encodeMessage(v, lenient ? extended(ctx) : ctx));
    case 'open':
      return roundTrip(c.bytes, decodeOpen, (v) => encodeOpen(v));
    case 'update': {
      // The message size limit is the header's business (decodeMessage): a body beyond it is encoded as RFC 8654's.
      const big = c.bytes.length > 4096 - 19;
      return roundTrip(c.bytes, (b) => decodeUpdate(b, ctx), (v, lenient) => encodeUpdate(v, lenient || big ? extended(ctx) : ctx));
    }
    case 'notification':
      return roundTrip(c.bytes, decodeNotification, (v) => encodeNotification(v));
    case 'route-refresh':
      return roundTrip(c.bytes, decodeRouteRefresh, (v) => encodeRouteRefresh(v));
    case 'capabilities':
      return roundTrip(c.bytes, decodeCapabilities, (v) => encodeCapabilities(v));
    case 'framer':
      return checkFramer(c.bytes, ctx.extendedMessage, c.chunkSeed ?? 0);
    case 'rib':
      return checkRib(c.bytes, ctx, corpus?.seeds ?? []);
    case 'capture':
      return checkCapture(c.bytes);
  }
}
