/**
 * The table the propagation benchmark sends: `fullTableUpdates` without the special-purpose ranges that no real
 * Internet table carries (RFC 6890) and that routers treat specially — BIRD ignores 127.0.0.0/8 as "bogus", and
 * the private ranges would hold the benchmark's own addresses (172.30.0.0/16), into which BIRD would then resolve
 * next hops recursively. Prefixes overlapping those ranges are cut out of their UPDATEs (an UPDATE left with none
 * is dropped), and generation runs on until exactly the requested number of prefixes remains, so blaster and sink
 * agree on the count. Laid out by hand, like the generator, from RFC 4271 §4.3.
 */
import { Buffer } from 'node:buffer';
import { fullTableUpdates, type FullTableOptions } from './full-table.js';

export interface BenchTableOptions extends FullTableOptions {
  /** Add LOCAL_PREF with this value to every UPDATE: §5.1.5 requires it toward internal peers (FRR resets without). */
  readonly localPref?: number;
}

/** [network, length] ranges left out. */
const EXCLUDED: readonly (readonly [number, number])[] = [
  [0x0a000000, 8], // 10.0.0.0/8
  [0x7f000000, 8], // 127.0.0.0/8
  [0xa9fe0000, 16], // 169.254.0.0/16
  [0xac100000, 12], // 172.16.0.0/12
  [0xc0a80000, 16], // 192.168.0.0/16
];

function excluded(addr: number, length: number): boolean {
  const end = addr + 2 ** (32 - length);
  for (const [net, len] of EXCLUDED) {
    const netEnd = net + 2 ** (32 - len);
    if (addr < netEnd && net < end) return true;
  }
  return false;
}

/**
 * The UPDATE messages (header included) announcing exactly `opts.prefixes` distinct prefixes outside the excluded
 * ranges, in the generator's order.
 */
export function benchTable(opts: BenchTableOptions): Buffer[] {
  const want = opts.prefixes;
  const localPref = opts.localPref === undefined ? null : localPrefAttribute(opts.localPref);
  const out: Buffer[] = [];
  let kept = 0;
  // Generate a little more than asked; the generator's first N prefixes do not depend on the total.
  for (let extra = Math.ceil(want * 0.02) + 64; kept < want; extra *= 2) {
    out.length = 0;
    kept = 0;
    for (const m of fullTableUpdates({ ...opts, prefixes: want + extra })) {
      const filtered = filterMessage(m, want - kept, localPref);
      if (filtered === null) continue;
      out.push(filtered.message);
      kept += filtered.prefixes;
      if (kept === want) break;
    }
  }
  return out;
}

/** LOCAL_PREF (RFC 4271 §5.1.5): well-known, 4 octets. */
function localPrefAttribute(value: number): Buffer {
  const b = Buffer.from([0x40, 5, 4, 0, 0, 0, 0]);
  b.writeUInt32BE(value, 3);
  return b;
}

/**
 * `m` with only its allowed prefixes, at most `limit` of them, and `extra` appended to its attributes (it must sort
 * after them: the generator's highest type code is MULTI_EXIT_DISC, 4); null when no prefix is left.
 */
function filterMessage(m: Buffer, limit: number, extra: Buffer | null): { message: Buffer; prefixes: number } | null {
  const wl = m.readUInt16BE(19);
  const al = m.readUInt16BE(21 + wl);
  const nlriStart = 23 + wl + al;
  const keep: [number, number][] = [];
  let dropped = false;
  for (let p = nlriStart; p < m.length; ) {
    const len = m[p] as number;
    const octets = (len + 7) >>> 3;
    if (keep.length < limit && !excluded(addressAt(m, p + 1, octets), len)) keep.push([p, 1 + octets]);
    else dropped = true;
    p += 1 + octets;
  }
  if (keep.length === 0) return null;
  if (!dropped && extra === null) return { message: m, prefixes: keep.length };
  const add = extra?.length ?? 0;
  const size = nlriStart + add + keep.reduce((s, [, n]) => s + n, 0);
  const b = Buffer.allocUnsafe(size);
  m.copy(b, 0, 0, nlriStart);
  b.writeUInt16BE(size, 16);
  b.writeUInt16BE(al + add, 21 + wl);
  let o = nlriStart;
  if (extra !== null) o += extra.copy(b, o);
  for (const [p, n] of keep) o += m.copy(b, o, p, p + n);
  return { message: b, prefixes: keep.length };
}

function addressAt(m: Buffer, at: number, octets: number): number {
  let a = 0;
  for (let i = 0; i < 4; i++) a = a * 256 + (i < octets ? (m[at + i] as number) : 0);
  return a;
}
