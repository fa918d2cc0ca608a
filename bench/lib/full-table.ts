/**
 * A generated, full-table-shaped IPv4 UPDATE stream for benchmarks (deterministic: a seeded PRNG).
 *
 * Shape, after the public table: ~60 % of prefixes are /24, the rest spread over /16–/23 with a few shorter ones;
 * about three prefixes share each UPDATE (one attribute set per UPDATE); AS paths of 1–8 hops drawn from a pool so
 * that attribute sets repeat as they do in a real table (a few hundred thousand distinct sets per million routes).
 * The bytes are laid out by hand from RFC 4271 §4.3, so the generator does not depend on the encoder it measures.
 */

/** Mulberry32: small, fast, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FullTableOptions {
  prefixes: number;
  perUpdate?: number;
  seed?: number;
  /** 4-octet AS_PATH (the default) or 2-octet. */
  fourOctetAs?: boolean;
  /** Sender's AS, first in every path. */
  firstAs?: number;
  nextHop?: readonly [number, number, number, number];
}

function pickLength(r: number): number {
  if (r < 0.6) return 24;
  if (r < 0.7) return 23;
  if (r < 0.78) return 22;
  if (r < 0.85) return 21;
  if (r < 0.9) return 20;
  if (r < 0.94) return 19;
  if (r < 0.97) return 16;
  if (r < 0.99) return 18;
  return 17;
}

/**
 * Yields whole UPDATE messages (header included), each a fresh Buffer, covering exactly `prefixes` distinct prefixes.
 */
export function* fullTableUpdates(opts: FullTableOptions): Generator<Buffer> {
  const rand = prng(opts.seed ?? 1);
  const perUpdate = opts.perUpdate ?? 3;
  const four = opts.fourOctetAs ?? true;
  const asSize = four ? 4 : 2;
  const firstAs = opts.firstAs ?? 65001;
  const nh = opts.nextHop ?? [172, 30, 0, 1];
  const seen = new Set<number>();
  let emitted = 0;
  let cursor = 0x01000000; // walk the address space upward from 1.0.0.0 so prefixes never collide
  while (emitted < opts.prefixes) {
    const n = Math.min(perUpdate, opts.prefixes - emitted);
    const hops = 1 + Math.floor(rand() * rand() * 8);
    const path: number[] = [firstAs];
    for (let i = 1; i < hops; i++) path.push(1 + Math.floor(rand() * 60000));
    const med = rand() < 0.3 ? Math.floor(rand() * 1000) : -1;
    const prefixes: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      const len = pickLength(rand());
      const size = 2 ** (32 - len);
      cursor = Math.ceil(cursor / size) * size;
      if (cursor + size > 0xdf000000) cursor = 0x01000000 + Math.floor(rand() * 256) * 256; // wrap below multicast
      let addr = cursor;
      while (seen.has(len * 2 ** 32 + addr)) addr += size;
      seen.add(len * 2 ** 32 + addr);
      prefixes.push([addr >>> 0, len]);
      cursor = addr + size;
    }
    // Attributes: ORIGIN, AS_PATH, NEXT_HOP, optional MED.
    const asPathLen = 2 + path.length * asSize;
    const attrLen = 4 + (3 + asPathLen) + 7 + (med >= 0 ? 7 : 0);
    let nlriLen = 0;
    for (const [, len] of prefixes) nlriLen += 1 + Math.ceil(len / 8);
    const total = 19 + 2 + 2 + attrLen + nlriLen;
    const b = Buffer.allocUnsafe(total);
    b.fill(0xff, 0, 16);
    b.writeUInt16BE(total, 16);
    b[18] = 2;
    let o = 19;
    b.writeUInt16BE(0, o); // withdrawn routes length
    o += 2;
    b.writeUInt16BE(attrLen, o);
    o += 2;
    b[o++] = 0x40; b[o++] = 1; b[o++] = 1; b[o++] = 0; // ORIGIN IGP
    b[o++] = 0x40; b[o++] = 2; b[o++] = asPathLen; b[o++] = 2; b[o++] = path.length;
    for (const as of path) {
      if (four) b.writeUInt32BE(as, o);
      else b.writeUInt16BE(as, o);
      o += asSize;
    }
    b[o++] = 0x40; b[o++] = 3; b[o++] = 4; b[o++] = nh[0]; b[o++] = nh[1]; b[o++] = nh[2]; b[o++] = nh[3];
    if (med >= 0) {
      b[o++] = 0x80; b[o++] = 4; b[o++] = 4;
      b.writeUInt32BE(med, o);
      o += 4;
    }
    for (const [addr, len] of prefixes) {
      b[o++] = len;
      const octets = Math.ceil(len / 8);
      for (let i = 0; i < octets; i++) b[o++] = (addr >>> (24 - 8 * i)) & 0xff;
    }
    emitted += n;
    yield b;
  }
}

/** The whole stream in one Buffer (for decode benchmarks that should not measure generation). */
export function fullTableStream(opts: FullTableOptions): { stream: Buffer; messages: number } {
  const parts: Buffer[] = [];
  for (const m of fullTableUpdates(opts)) parts.push(m);
  return { stream: Buffer.concat(parts), messages: parts.length };
}
