/**
 * Small-integer hash maps for the RIB's hot paths, in typed arrays: no boxed numbers, no per-entry objects, nothing
 * for the garbage collector to trace — a million entries cost a few flat arrays.
 *
 * - `mix32` / `hashBytes`: 32-bit hashes (MurmurHash3's finaliser; FNV-1a over octets, finalised the same way).
 * - `IntMap`: non-negative int32 keys → int32 values, open addressing with linear probing, capacity a power of
 *   two kept at most 70 % full, deletion by backward shift (Knuth's Algorithm R), so there are no tombstones and a
 *   map that churns never degrades.
 * Imports nothing.
 */

/** MurmurHash3's 32-bit finaliser: every input bit affects every output bit. */
export function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a of `buf[start..end)`, finalised with `mix32`. */
export function hashBytes(buf: Uint8Array, start: number, end: number, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (buf[i] as number), 0x01000193);
  return mix32(h);
}

const EMPTY = -1;
const MIN_CAPACITY = 16;

export class IntMap {
  private keys: Int32Array;
  private values: Int32Array;
  private mask: number;
  private count = 0;

  constructor(capacity = MIN_CAPACITY) {
    let c = MIN_CAPACITY;
    while (c * 0.7 < capacity) c *= 2;
    this.keys = new Int32Array(c).fill(EMPTY);
    this.values = new Int32Array(c);
    this.mask = c - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Slots allocated. */
  get capacity(): number {
    return this.mask + 1;
  }

  /** The value of `key`, or `missing`. */
  get(key: number, missing = -1): number {
    const keys = this.keys;
    for (let i = mix32(key) & this.mask; ; i = (i + 1) & this.mask) {
      const k = keys[i] as number;
      if (k === key) return this.values[i] as number;
      if (k === EMPTY) return missing;
    }
  }

  has(key: number): boolean {
    const keys = this.keys;
    for (let i = mix32(key) & this.mask; ; i = (i + 1) & this.mask) {
      const k = keys[i] as number;
      if (k === key) return true;
      if (k === EMPTY) return false;
    }
  }

  /** Sets `key` (≥ 0) to `value`. */
  set(key: number, value: number): void {
    if (key < 0 || key > 0x7fffffff || !Number.isInteger(key)) throw new RangeError(`IntMap key ${key}`);
    const keys = this.keys;
    for (let i = mix32(key) & this.mask; ; i = (i + 1) & this.mask) {
      const k = keys[i] as number;
      if (k === key) {
        this.values[i] = value;
        return;
      }
      if (k === EMPTY) {
        keys[i] = key;
        this.values[i] = value;
        if (++this.count > (this.mask + 1) * 0.7) this.resize((this.mask + 1) * 2);
        return;
      }
    }
  }

  /** Removes `key`; returns its value, or `missing` when it was absent. */
  delete(key: number, missing = -1): number {
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    let i = mix32(key) & mask;
    for (; ; i = (i + 1) & mask) {
      const k = keys[i] as number;
      if (k === key) break;
      if (k === EMPTY) return missing;
    }
    const value = values[i] as number;
    // Backward shift: move later members of the probe run into the hole when their home slot allows it.
    let hole = i;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const k = keys[j] as number;
      if (k === EMPTY) break;
      const home = mix32(k) & mask;
      // Does `home` lie cyclically outside (hole, j]? Then the entry at j may move to the hole.
      if (hole <= j ? home <= hole || home > j : home <= hole && home > j) {
        keys[hole] = k;
        values[hole] = values[j] as number;
        hole = j;
      }
    }
    keys[hole] = EMPTY;
    this.count--;
    return value;
  }

  clear(): void {
    this.keys.fill(EMPTY);
    this.count = 0;
  }

  /** Calls `fn` for every entry (do not modify the map meanwhile). */
  forEach(fn: (value: number, key: number) => void): void {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as number;
      if (k !== EMPTY) fn(this.values[i] as number, k);
    }
  }

  private resize(capacity: number): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    this.keys = new Int32Array(capacity).fill(EMPTY);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < oldKeys.length; i++) {
      const k = oldKeys[i] as number;
      if (k === EMPTY) continue;
      let j = mix32(k) & this.mask;
      while (this.keys[j] !== EMPTY) j = (j + 1) & this.mask;
      this.keys[j] = k;
      this.values[j] = oldValues[i] as number;
    }
  }
}
