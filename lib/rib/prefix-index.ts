/**
 * The prefix index: every prefix the RIB knows gets a small integer id, and every per-prefix table of the RIB —
 * the Loc-RIB heads, each peer's Adj-RIB-Out — is a typed array indexed by that id. A full table of a million
 * routes is then a handful of flat arrays instead of a million Map entries and heap numbers.
 *
 * IPv4 prefixes are found through an open-addressing table keyed by (network, length) — kept as a Uint32 and a
 * Uint8, never as the `length * 2**32 + network` double, which is not a V8 small integer and would be boxed. The
 * hash keeps neighbours together (`home4`): sixteen consecutive prefixes of one length share a run of sixteen slots
 * — one cache line — so a table that arrives in address order, as a router's dump does, probes memory in order
 * instead of missing the cache once per prefix. IPv6
 * prefixes (fewer, and their keys already strings, see `prefix-key.ts`) use a Map. Ids are recycled through a free
 * list once nothing refers to them: the Loc-RIB holds a reference while the prefix has paths, and each
 * Adj-RIB-Out while it has sent or queued something for it (`retain` / `release`); a released id is freed by
 * `sweep`, at the end of the RIB operation, so that an id stays valid for the whole operation that dropped it.
 * Imports only the prefix keys and the hash.
 */
import { mix32 } from './int-map.js';
import { ipv4Key, keyToPrefix, type PrefixKey } from './prefix-key.js';
import type { Prefix } from '../wire/index.js';

const TWO_32 = 4294967296;
/** `length[id]` of an IPv6 prefix (its length is in the key) and of a free id. */
const V6 = 0xfe;
const FREE = 0xff;

export class PrefixIndex {
  /** IPv4 network address per id. */
  private addr: Uint32Array = new Uint32Array(1024);
  /** IPv4 prefix length per id; `V6` or `FREE` otherwise. */
  private length: Uint8Array = new Uint8Array(1024).fill(FREE);
  /** Holders: the Loc-RIB and each peer's Adj-RIB-Out (a peer slot is 16 bits, so 16 bits suffice). */
  private refs: Uint16Array = new Uint16Array(1024);
  /** Open addressing: id + 1 per slot, 0 empty. */
  private slots: Int32Array = new Int32Array(2048);
  private mask = 2047;
  private count4 = 0;
  private readonly ids6 = new Map<string, number>();
  private readonly keys6 = new Map<number, string>();
  /** Ids below `top` have been handed out at least once. */
  private top = 0;
  private readonly freeIds: number[] = [];
  private readonly unreferenced: number[] = [];
  /** Called when the id space grows, so owners of per-prefix arrays can grow theirs. */
  capacityChanged: ((capacity: number) => void) | undefined;

  /** Ids in use. */
  get size(): number {
    return this.count4 + this.ids6.size;
  }

  /** Every id in use is below this. */
  get limit(): number {
    return this.top;
  }

  /** Length of every per-prefix array. */
  get capacity(): number {
    return this.addr.length;
  }

  /** Octets of the typed arrays (keys, reference counts, the hash table). */
  get bytes(): number {
    return this.addr.byteLength + this.length.byteLength + this.refs.byteLength + this.slots.byteLength;
  }

  /** True when `id` is in use. */
  live(id: number): boolean {
    return id < this.top && this.length[id] !== FREE;
  }

  isV4(id: number): boolean {
    return (this.length[id] as number) <= 32;
  }

  /** The id of the IPv4 prefix `addr/len` (host bits clear), or -1. */
  find4(addr: number, len: number): number {
    const slots = this.slots;
    for (let i = home4(addr, len) & this.mask; ; i = (i + 1) & this.mask) {
      const s = slots[i] as number;
      if (s === 0) return -1;
      const id = s - 1;
      if (this.addr[id] === addr && this.length[id] === len) return id;
    }
  }

  /** The id of the IPv4 prefix `addr/len` (host bits clear), created (unreferenced) when new. */
  add4(addr: number, len: number): number {
    const slots = this.slots;
    let i = home4(addr, len) & this.mask;
    for (; ; i = (i + 1) & this.mask) {
      const s = slots[i] as number;
      if (s === 0) break;
      const id = s - 1;
      if (this.addr[id] === addr && this.length[id] === len) return id;
    }
    const id = this.allocate();
    this.addr[id] = addr;
    this.length[id] = len;
    slots[i] = id + 1;
    if (++this.count4 > (this.mask + 1) * 0.6) this.rehash((this.mask + 1) * 2);
    return id;
  }

  /** The id of a prefix key, or -1. */
  find(key: PrefixKey): number {
    if (typeof key === 'string') return this.ids6.get(key) ?? -1;
    const len = Math.floor(key / TWO_32);
    return this.find4(key - len * TWO_32, len);
  }

  /** The id of a prefix key, created (unreferenced) when new. */
  add(key: PrefixKey): number {
    if (typeof key !== 'string') {
      const len = Math.floor(key / TWO_32);
      return this.add4(key - len * TWO_32, len);
    }
    const known = this.ids6.get(key);
    if (known !== undefined) return known;
    const id = this.allocate();
    this.length[id] = V6;
    this.ids6.set(key, id);
    this.keys6.set(id, key);
    return id;
  }

  /** The key of a live id (see `prefix-key.ts`). */
  key(id: number): PrefixKey {
    const len = this.length[id] as number;
    if (len <= 32) return ipv4Key(this.addr[id] as number, len);
    const k = this.keys6.get(id);
    if (k === undefined) throw new RangeError(`prefix id ${id} is not in use`);
    return k;
  }

  prefix(id: number): Prefix {
    return keyToPrefix(this.key(id));
  }

  /** Octets of the prefix in an NLRI field: the length octet and the significant address octets. */
  wireLength(id: number): number {
    const len = this.length[id] as number;
    return len <= 32 ? 1 + ((len + 7) >>> 3) : (this.keys6.get(id) as string).length;
  }

  /**
   * Writes the prefix in NLRI form at `o` (after a 4-octet RFC 7911 Path Identifier when `pathId` ≥ 0) and returns
   * the offset after it. The caller sized `buf`.
   */
  write(buf: Uint8Array, o: number, id: number, pathId: number): number {
    if (pathId >= 0) {
      buf[o++] = pathId >>> 24;
      buf[o++] = (pathId >>> 16) & 0xff;
      buf[o++] = (pathId >>> 8) & 0xff;
      buf[o++] = pathId & 0xff;
    }
    const len = this.length[id] as number;
    if (len <= 32) {
      const addr = this.addr[id] as number;
      buf[o++] = len;
      if (len > 0) buf[o++] = addr >>> 24;
      if (len > 8) buf[o++] = (addr >>> 16) & 0xff;
      if (len > 16) buf[o++] = (addr >>> 8) & 0xff;
      if (len > 24) buf[o++] = addr & 0xff;
      return o;
    }
    const key = this.keys6.get(id) as string;
    for (let i = 0; i < key.length; i++) buf[o++] = key.charCodeAt(i);
    return o;
  }

  /** Counts one more holder of `id`. */
  retain(id: number): void {
    this.refs[id] = (this.refs[id] as number) + 1;
  }

  /** Counts one holder less; at zero the id is freed by the next `sweep`. */
  release(id: number): void {
    const n = (this.refs[id] as number) - 1;
    this.refs[id] = n;
    if (n === 0) this.unreferenced.push(id);
  }

  /** Registers a freshly added id that ended up unused (no holder ever retained it). */
  releaseIfUnused(id: number): void {
    if (this.refs[id] === 0) this.unreferenced.push(id);
  }

  /** Frees the ids released to zero since the last sweep and still unreferenced. */
  sweep(): void {
    const list = this.unreferenced;
    for (let i = 0; i < list.length; i++) {
      const id = list[i] as number;
      if (this.refs[id] === 0 && this.length[id] !== FREE) this.remove(id);
    }
    list.length = 0;
  }

  private remove(id: number): void {
    const len = this.length[id] as number;
    if (len === V6) {
      this.ids6.delete(this.keys6.get(id) as string);
      this.keys6.delete(id);
    } else {
      this.unlink4(id);
      this.count4--;
    }
    this.length[id] = FREE;
    this.freeIds.push(id);
  }

  /** Removes an IPv4 id from the open-addressing table (backward shift, no tombstones). */
  private unlink4(id: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let hole = home4(this.addr[id] as number, this.length[id] as number) & mask;
    while (slots[hole] !== id + 1) hole = (hole + 1) & mask;
    for (let j = (hole + 1) & mask; ; j = (j + 1) & mask) {
      const s = slots[j] as number;
      if (s === 0) break;
      const o = s - 1;
      const home = home4(this.addr[o] as number, this.length[o] as number) & mask;
      if (hole <= j ? home <= hole || home > j : home <= hole && home > j) {
        slots[hole] = s;
        hole = j;
      }
    }
    slots[hole] = 0;
  }

  private allocate(): number {
    const reused = this.freeIds.pop();
    if (reused !== undefined) return reused;
    const id = this.top++;
    if (id >= this.addr.length) this.grow(this.addr.length * 2);
    return id;
  }

  private grow(capacity: number): void {
    const addr = new Uint32Array(capacity);
    addr.set(this.addr);
    this.addr = addr;
    const length = new Uint8Array(capacity).fill(FREE);
    length.set(this.length);
    this.length = length;
    const refs = new Uint16Array(capacity);
    refs.set(this.refs);
    this.refs = refs;
    this.capacityChanged?.(capacity);
  }

  private rehash(slotCount: number): void {
    const slots = new Int32Array(slotCount);
    const mask = slotCount - 1;
    for (let id = 0; id < this.top; id++) {
      const len = this.length[id] as number;
      if (len > 32) continue;
      let i = home4(this.addr[id] as number, len) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = id + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/**
 * The home slot (before masking) of IPv4 prefix `addr/len`. The prefix's number at its own length (`addr >>> (32 -
 * len)`) is split into a block of sixteen — hashed, so blocks spread over the table — and the position in the block,
 * kept as the low four bits. Per length, so a block never holds more than sixteen prefixes: /32s (an announcer's
 * service addresses) or /24s packed side by side cannot pile up on one run of slots.
 */
function home4(addr: number, len: number): number {
  const n = len === 0 ? 0 : addr >>> (32 - len);
  return ((mix32((n >>> 4) ^ Math.imul(len + 1, 0x9e3779b9)) << 4) | (n & 15)) >>> 0;
}
