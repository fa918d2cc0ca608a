/**
 * Codec benchmark: decode and re-encode a generated full-table-shaped stream (default 1,000,000 IPv4 prefixes,
 * ~60 % /24, ~3 prefixes per UPDATE) and print prefixes per second both ways.
 *
 *   npm run build && node dist/bench/codec.js [--prefixes N] [--runs R]
 *
 * Three paths are measured: the framer + full `decodeMessage` (every prefix becomes a `Prefix` value), the
 * streaming `forEachPrefix` path the RIB uses (no per-prefix objects), and `encodeMessage` of the decoded values.
 * Each figure is the median of R runs; the byte-exact check runs once, outside the timings.
 */
import { performance } from 'node:perf_hooks';
import { Framer, createContext, decodeMessage, encodeMessage, forEachPrefix } from '../lib/wire/index.js';
import type { BgpMessage } from '../lib/wire/index.js';
import { fullTableStream } from './lib/full-table.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const prefixes = arg('prefixes', 1_000_000);
const runs = arg('runs', 5);
const ctx = createContext({ fourOctetAs: true });

const t0 = performance.now();
const { stream, messages } = fullTableStream({ prefixes });
const genMs = performance.now() - t0;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function frameAll(): Uint8Array[] {
  const framer = new Framer();
  const out: Uint8Array[] = [];
  // Feed in 64 KiB chunks, as a socket would.
  for (let o = 0; o < stream.length; o += 65536) {
    for (const m of framer.push(stream.subarray(o, o + 65536))) out.push(m);
  }
  return out;
}

const framed = frameAll();
if (framed.length !== messages) throw new Error(`framer produced ${framed.length} messages, expected ${messages}`);

// Correctness once: every message re-encodes byte for byte.
let decodedPrefixes = 0;
for (let i = 0; i < framed.length; i++) {
  const m = decodeMessage(framed[i] as Uint8Array, ctx);
  if (m.type === 2) decodedPrefixes += m.nlri.length;
  const again = encodeMessage(m, ctx);
  if (Buffer.compare(Buffer.from(again), Buffer.from(framed[i] as Uint8Array)) !== 0) throw new Error(`message ${i} not byte-exact`);
}
if (decodedPrefixes !== prefixes) throw new Error(`decoded ${decodedPrefixes} prefixes, expected ${prefixes}`);

const decodeTimes: number[] = [];
const streamTimes: number[] = [];
const encodeTimes: number[] = [];
// Decoding as a speaker does it: each message is decoded, used, and dropped. (Keeping a million decoded values
// alive would measure the garbage collector's old-generation work, not the codec.)
for (let r = 0; r < runs; r++) {
  const t = performance.now();
  let n = 0;
  for (const m of frameAll()) {
    const msg = decodeMessage(m, ctx);
    if (msg.type === 2) n += msg.nlri.length;
  }
  decodeTimes.push(performance.now() - t);
  if (n !== prefixes) throw new Error('decode count mismatch');
}
const decoded: BgpMessage[] = framed.map((m) => decodeMessage(m, ctx));
for (let r = 0; r < runs; r++) {
  let t = performance.now();
  let s = 0;
  for (const m of framed) {
    // UPDATE body: withdrawn length, attributes length, then NLRI to the end.
    const wl = ((m[19] as number) << 8) | (m[20] as number);
    const al = ((m[21 + wl] as number) << 8) | (m[22 + wl] as number);
    s += forEachPrefix(m, 23 + wl + al, m.length, 1, false, () => {});
  }
  streamTimes.push(performance.now() - t);
  if (s !== prefixes) throw new Error(`stream count mismatch: ${s}`);

  t = performance.now();
  for (const msg of decoded) encodeMessage(msg, ctx);
  encodeTimes.push(performance.now() - t);
}

const rate = (ms: number): string => `${((prefixes / ms) * 1000 / 1e6).toFixed(2)} M prefixes/s`;
const row = (name: string, ms: number): string => `${name.padEnd(34)} ${(ms / 1000).toFixed(3).padStart(7)} s  ${rate(ms)}`;
console.log(`tsbgpd codec benchmark — ${prefixes.toLocaleString('en')} prefixes in ${messages.toLocaleString('en')} UPDATEs ` +
  `(${(stream.length / 1048576).toFixed(1)} MiB), median of ${runs}, node ${process.version}`);
console.log(`(generation ${(genMs / 1000).toFixed(2)} s; every message verified byte-exact)`);
console.log(row('frame + decodeMessage', median(decodeTimes)));
console.log(row('forEachPrefix (RIB streaming path)', median(streamTimes)));
console.log(row('encodeMessage', median(encodeTimes)));
