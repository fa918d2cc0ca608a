// The codec laws, checked the same way for every message fixture (after dns-packet's and mqtt-packet's test
// helpers): encode gives the exact bytes, decode gives the value, the length is right, the round trip is exact,
// decoding works at any offset of any buffer and keeps no view of it, and every truncation or other damage yields
// a value or a BgpError — never another exception.
import type { Test } from 'tap';
import { Buffer } from 'node:buffer';
import { createContext } from '../../lib/wire/context.js';
import { BgpError } from '../../lib/wire/errors.js';
import { decodeMessage, encodeMessage, messageLength } from '../../lib/wire/message.js';
import type { BgpMessage, CodecContext } from '../../lib/wire/types.js';

export interface MessageFixture {
  readonly name: string;
  /** One whole message, header included. */
  readonly bytes: Uint8Array;
  /** What `decodeMessage(bytes)` must return, and what `encodeMessage` must turn into `bytes`. */
  readonly value: BgpMessage;
  readonly ctx?: CodecContext;
}

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

/** Bytes from a hex string; whitespace and `|` separators are ignored so fixtures can be laid out by field. */
export const fromHex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/[\s|]/g, ''), 'hex'));

/** A whole message from a type and a body in hex (the marker and Length are filled in). */
export function message(type: number, bodyHex: string): Uint8Array {
  const body = fromHex(bodyHex);
  const out = new Uint8Array(19 + body.length);
  out.fill(0xff, 0, 16);
  out[16] = out.length >>> 8;
  out[17] = out.length & 0xff;
  out[18] = type;
  out.set(body, 19);
  return out;
}

/** Runs `fn` and returns what it threw (undefined when it did not throw). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** Asserts that `fn` throws a BgpError with this code, subcode and (when given) Data. */
export function throwsBgpError(
  t: Test,
  fn: () => unknown,
  expected: { code: number; subcode: number; data?: Uint8Array },
  name: string,
): void {
  const e = thrown(fn);
  if (!(e instanceof BgpError)) {
    t.fail(`${name}: expected a BgpError, got ${e === undefined ? 'no exception' : String(e)}`);
    return;
  }
  t.strictSame([e.code, e.subcode], [expected.code, expected.subcode], `${name}: ${e.message}`);
  if (expected.data !== undefined) t.equal(hex(e.data), hex(expected.data), `${name}: Data`);
}

/** Describes an outcome that is neither a value nor a BgpError (undefined when the outcome is acceptable). */
function badOutcome(fn: () => unknown): string | undefined {
  const e = thrown(fn);
  if (e === undefined || e instanceof BgpError) return undefined;
  return String(e);
}

/** Every codec law for one fixture, as one subtest. */
export function checkMessageLaws(t: Test, fixture: MessageFixture): void {
  const ctx = fixture.ctx ?? createContext();
  const { bytes, value } = fixture;
  t.test(fixture.name, async (t) => {
    t.equal(hex(encodeMessage(value, ctx)), hex(bytes), 'encode gives the exact bytes');
    t.equal(messageLength(value, ctx), bytes.length, 'messageLength is the encoded length');
    const decoded = decodeMessage(bytes, ctx);
    t.strictSame(decoded, value, 'decode gives the value');
    t.equal(hex(encodeMessage(decoded, ctx)), hex(bytes), 'round trip is byte-exact');

    // Any offset: a message inside a larger buffer (as a socket chunk holds it) decodes the same.
    const pool = Buffer.alloc(bytes.length + 11, 0xa5);
    pool.set(bytes, 7);
    const view = pool.subarray(7, 7 + bytes.length);
    const fromView = decodeMessage(view, ctx);
    t.strictSame(fromView, value, 'decodes from a view at an odd offset');
    // Nothing kept may alias the input: the chunk is reused for other data once decoded.
    view.fill(0);
    t.strictSame(fromView, value, 'the value keeps no view of the input');

    const truncations: string[] = [];
    for (let n = 0; n < bytes.length; n++) {
      const e = thrown(() => decodeMessage(bytes.subarray(0, n), ctx));
      if (!(e instanceof BgpError)) truncations.push(`${n}: ${e === undefined ? 'accepted' : String(e)}`);
    }
    t.strictSame(truncations, [], 'every truncation is a BgpError');
    t.ok(thrown(() => decodeMessage(Uint8Array.from([...bytes, 0]), ctx)) instanceof BgpError, 'a trailing octet is a BgpError');

    // Truncations with a consistent Length field reach the body decoder: value or BgpError, nothing else.
    const shortened: string[] = [];
    for (let n = 19; n < bytes.length; n++) {
      const copy = bytes.slice(0, n);
      copy[16] = n >>> 8;
      copy[17] = n & 0xff;
      const bad = badOutcome(() => decodeMessage(copy, ctx));
      if (bad !== undefined) shortened.push(`${n}: ${bad}`);
    }
    t.strictSame(shortened, [], 'every shortened body is a value or a BgpError');
  });
}

/** A small seeded PRNG (mulberry32): the same seed gives the same mutations on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** One random mutation of `bytes`: overwrite, insert or delete octets; usually keep the Length field consistent. */
export function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
  const out = Array.from(bytes);
  const edits = 1 + Math.floor(random() * 4);
  for (let i = 0; i < edits; i++) {
    // Mostly mutate the body: header damage is found at once and never reaches the body decoders.
    const at = out.length <= 19 || random() < 0.1 ? Math.floor(random() * out.length) : 19 + Math.floor(random() * (out.length - 19));
    const r = random();
    if (r < 0.6) out[at] = Math.floor(random() * 256);
    else if (r < 0.8) out.splice(at, 0, Math.floor(random() * 256));
    else out.splice(at, 1);
  }
  if (random() < 0.9 && out.length >= 19) {
    out[16] = (out.length >>> 8) & 0xff;
    out[17] = out.length & 0xff;
  }
  return Uint8Array.from(out);
}

/**
 * Feeds `rounds` seeded mutations of each seed message to `decodeMessage`. Each must give a value or a BgpError;
 * a value without RFC 7606 issues must re-encode, and the re-encoding must decode to the same value.
 */
export function fuzzMessages(t: Test, seeds: readonly Uint8Array[], options: { seed: number; rounds: number; ctx?: CodecContext }): void {
  const ctx = options.ctx ?? createContext();
  const random = prng(options.seed);
  const failures: string[] = [];
  let accepted = 0;
  let rejected = 0;
  for (const seed of seeds) {
    for (let i = 0; i < options.rounds; i++) {
      const input = mutate(seed, random);
      let value: BgpMessage;
      try {
        value = decodeMessage(input, ctx);
      } catch (e) {
        if (e instanceof BgpError) rejected++;
        else failures.push(`${hex(input)}: ${String(e)}`);
        continue;
      }
      accepted++;
      // An UPDATE with RFC 7606 issues is not a faithful image of its bytes (a malformed attribute may hide the
      // ones after it), so only well-formed values must survive re-encoding unchanged.
      if ('issues' in value && value.issues !== undefined) continue;
      try {
        const again = decodeMessage(encodeMessage(value, ctx), ctx);
        if (JSON.stringify(again, replacer) !== JSON.stringify(value, replacer)) failures.push(`${hex(input)}: re-encoding changed the value`);
      } catch (e) {
        failures.push(`${hex(input)}: re-encoding threw ${String(e)}`);
      }
    }
  }
  t.strictSame(failures.slice(0, 5), [], `${accepted + rejected} mutations: each a value or a BgpError`);
  t.ok(accepted > 0 && rejected > 0, `mutations exercised both outcomes (${accepted} decoded, ${rejected} rejected)`);
}

function replacer(_key: string, v: unknown): unknown {
  return v instanceof Uint8Array ? hex(v) : v;
}
