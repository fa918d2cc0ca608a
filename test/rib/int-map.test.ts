// The RIB's integer hash map (open addressing, linear probing, backward-shift deletion) against a JavaScript Map:
// seeded random operations with keys chosen to collide, growth far past the initial capacity, and deletions that
// must leave every other key findable. Also the hashes' basic contract.
import t, { type Test } from 'tap';
import { IntMap, hashBytes, mix32 } from '../../lib/rib/int-map.js';

/** Mulberry32, so every run does the same operations. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function same(t: Test, map: IntMap, ref: Map<number, number>, keys: Iterable<number>, note: string): void {
  let bad = 0;
  for (const k of keys) if (map.get(k, -7) !== (ref.get(k) ?? -7) || map.has(k) !== ref.has(k)) bad++;
  t.equal(bad, 0, `${note}: every key answers as the reference does`);
  t.equal(map.size, ref.size, `${note}: size`);
}

t.test('random sets and deletes with many collisions match a Map', async (t) => {
  const rand = prng(7);
  const map = new IntMap();
  const ref = new Map<number, number>();
  // A small key space, so keys repeat, probe runs are long and deletions shift entries back.
  const keys = Array.from({ length: 3000 }, (_, i) => i * 1024);
  let wrongDeletes = 0;
  for (let i = 0; i < 60000; i++) {
    const k = keys[Math.floor(rand() * keys.length)] as number;
    if (rand() < 0.45) {
      if (map.delete(k, -1) !== (ref.get(k) ?? -1)) wrongDeletes++;
      ref.delete(k);
    } else {
      const v = Math.floor(rand() * 1e6);
      map.set(k, v);
      ref.set(k, v);
    }
  }
  t.equal(wrongDeletes, 0, 'every delete returned the value the key had');
  same(t, map, ref, keys, 'after 60,000 operations');
  const entries: [number, number][] = [];
  map.forEach((v, k) => entries.push([k, v]));
  t.same(new Map(entries), ref, 'forEach visits exactly the live entries');
});

t.test('grows far past its initial capacity and empties again', async (t) => {
  const map = new IntMap(4);
  const ref = new Map<number, number>();
  for (let k = 0; k < 100000; k++) {
    map.set(k * 7 + 3, k);
    ref.set(k * 7 + 3, k);
  }
  t.ok(map.capacity >= 100000 / 0.7, 'at most 70 % full');
  same(t, map, ref, ref.keys(), 'after growth');
  for (let k = 0; k < 100000; k += 2) {
    map.delete(k * 7 + 3);
    ref.delete(k * 7 + 3);
  }
  same(t, map, ref, Array.from({ length: 100000 }, (_, k) => k * 7 + 3), 'after deleting half');
  map.clear();
  t.equal(map.size, 0);
  t.equal(map.get(10, -2), -2, 'cleared');
});

t.test('keys are non-negative 31-bit integers', async (t) => {
  const map = new IntMap();
  t.throws(() => map.set(-1, 0), RangeError);
  t.throws(() => map.set(2 ** 31, 0), RangeError);
  t.throws(() => map.set(1.5, 0), RangeError);
  map.set(2 ** 31 - 1, 9);
  t.equal(map.get(2 ** 31 - 1), 9);
});

t.test('hashes: deterministic, unsigned, sensitive to every octet and to the seed', async (t) => {
  const a = Uint8Array.of(0x40, 1, 1, 0, 0x40, 2, 6);
  t.equal(hashBytes(a, 0, a.length), hashBytes(Uint8Array.from(a), 0, a.length));
  t.ok(hashBytes(a, 0, a.length) >= 0 && hashBytes(a, 0, a.length) < 2 ** 32);
  for (let i = 0; i < a.length; i++) {
    const b = Uint8Array.from(a);
    b[i] = (b[i] as number) ^ 1;
    t.not(hashBytes(b, 0, b.length), hashBytes(a, 0, a.length), `octet ${i}`);
  }
  t.not(hashBytes(a, 0, a.length, 1), hashBytes(a, 0, a.length), 'seed');
  t.not(hashBytes(a, 1, a.length), hashBytes(a, 0, a.length), 'range');
  t.not(mix32(1), mix32(2));
  t.ok(mix32(-1) >= 0, 'unsigned');
});
