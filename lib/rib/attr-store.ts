/**
 * The attribute store: every distinct set of path attributes the RIB holds, once, under a small integer id.
 *
 * A set is kept as its canonical encoding — the Path Attributes octets we would send to a 4-octet-AS peer for the
 * canonical attribute list of `normaliseAttributes` (ascending type order, flags chosen by the encoder,
 * MP_REACH_NLRI without its NLRI) — in a byte arena of 1 MiB pages (filled in turn, never copied to grow), plus a few flags computed once (loops, well-known
 * communities, which attributes are present), in typed arrays indexed by id. Equal sets have equal octets, so
 * interning is a hash and a byte comparison, and equality is `===` on ids. BIRD keeps its attribute lists the same
 * way (hashed, shared, reference-counted); a set costs 16 octets of fields plus its encoding, and nothing the
 * garbage collector has to trace. The values the decision process compares are read from the octets when a prefix
 * has more than one path (`readFields`), and the decoded `PathAttribute` list is rebuilt on demand (policy, `show`),
 * with a small cache. An encoding longer than 65535 octets could never be sent, and is kept as an opaque set.
 *
 * Receive fast path: when a peer's raw attribute block is octet-for-octet the canonical encoding of a set it
 * decoded to before (a 4-octet session, IPv4 routes in the NLRI field — a full table's usual case), the block
 * finds its set by hash with no decoding and no string (`findRawNlri`). Other blocks are remembered under a string
 * key (`rawGet` / `rawSet`; see `raw-update.ts`).
 *
 * Lifetime: holders `retain` and `release` ids (paths, Adj-RIB-Out entries, derived-set memos); a set whose count
 * drops to zero — or that nobody retained after `intern` — is freed by `sweep`, which the RIB calls at the end of
 * each operation, so ids stay valid for the operation that dropped them. Free hooks let caches keyed by set id
 * (encodings, export memos) forget it. Sets whose attributes cannot be encoded at all (a policy wrote a next hop
 * that is not an address) are kept as objects ("opaque"), interned by their canonical key string.
 * Imports the wire codec and the attribute helpers.
 */
import { AttrType, createContext, decodeAttributes, encodeAttributes, type PathAttribute } from '../wire/index.js';
import { canonicalKey, normaliseAttributes } from './attr-set.js';
import { hashBytes } from './int-map.js';
import { SetFields, SetFlag, fieldsOf, fieldsOfObjects, type LoopIdentity } from './set-fields.js';

export { SetFlag, type LoopIdentity } from './set-fields.js';

/** The context of canonical encodings: 4-octet AS numbers. */
export const CANONICAL_CONTEXT = createContext({ fourOctetAs: true });

const ATTRIBUTE_CACHE = 4096;
/** Arena page: large enough for any set (an encoding is at most 65535 octets), small enough to waste little. */
const PAGE_BITS = 20;
const PAGE = 1 << PAGE_BITS;

export class AttrStore {
  // Per set id (0 is never a set). Arrays are replaced when they grow: read them through the store each time.
  off: Uint32Array = new Uint32Array(256);
  len: Uint16Array = new Uint16Array(256);
  hash: Uint32Array = new Uint32Array(256);
  refs: Int32Array = new Int32Array(256);
  flags: Uint16Array = new Uint16Array(256);
  /** The arena of canonical encodings: `off[id]` is page × PAGE + offset in the page; a set never spans pages. */
  private pages: Uint8Array[] = [];
  /** Where the next set goes (a global offset, as `off`). */
  private top = 0;
  /** Octets of freed sets still in the pages. */
  private waste = 0;
  /** Octets of the pages. */
  private arenaSize = 0;
  private slots = new Int32Array(512);
  private mask = 511;
  private count = 0;
  private nextId = 1;
  private readonly freeIds: number[] = [];
  private readonly unreferenced: number[] = [];
  private readonly opaque = new Map<number, readonly PathAttribute[]>();
  /** The decision values of opaque sets (no octets to read them from). */
  private readonly opaqueFields = new Map<number, SetFields>();
  private readonly scratchFields = new SetFields();
  private readonly opaqueIds = new Map<string, number>();
  private readonly raw = new Map<string, number>();
  private readonly rawOf = new Map<number, string>();
  private readonly cache = new Map<number, readonly PathAttribute[]>();
  private readonly freeHooks: ((id: number) => void)[] = [];
  /** Lookups answered by an existing set. */
  hits = 0;
  /** Sets created. */
  created = 0;

  constructor(private readonly identity: LoopIdentity) {}

  /** Length of the per-set arrays: every set id is below it. */
  get capacity(): number {
    return this.off.length;
  }

  /** Live sets. */
  get size(): number {
    return this.count + this.opaque.size;
  }

  /** Octets of canonical encodings held (live sets). */
  get arenaBytes(): number {
    return this.top - this.waste;
  }

  /** Octets of the per-set arrays and the hash table, and of the arena pages. */
  get bytes(): { fields: number; arena: number } {
    const fields = this.off.byteLength + this.len.byteLength + this.hash.byteLength + this.refs.byteLength + this.flags.byteLength + this.slots.byteLength;
    return { fields, arena: this.arenaSize };
  }

  /** The arena page holding set `id`'s encoding (read it from `start(id)` for `len[id]` octets). */
  page(id: number): Uint8Array {
    return this.pages[(this.off[id] as number) >>> PAGE_BITS] as Uint8Array;
  }

  /** Where set `id`'s encoding starts in its page. */
  start(id: number): number {
    return (this.off[id] as number) & (PAGE - 1);
  }

  /** Registers a function called with each set id as it is freed. */
  onFree(hook: (id: number) => void): void {
    this.freeHooks.push(hook);
  }

  has(id: number, flag: number): boolean {
    return ((this.flags[id] as number) & flag) !== 0;
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Interning

  /** The set equal to `attributes` after normalisation. The id is unreferenced until someone retains it. */
  intern(attributes: readonly PathAttribute[]): number {
    return this.internNormalised(normaliseAttributes(attributes));
  }

  /** `intern` for a list already in canonical form (`normaliseAttributes`). */
  internNormalised(normalised: readonly PathAttribute[]): number {
    let encoded: Uint8Array;
    try {
      encoded = encodeAttributes(normalised, CANONICAL_CONTEXT);
    } catch {
      return this.internOpaque(normalised);
    }
    if (encoded.length > 0xffff) return this.internOpaque(normalised);
    return this.internEncoded(encoded, 0, encoded.length);
  }

  /**
   * The set whose canonical encoding is `buf[start..end)` — which the caller guarantees is canonical (made by the
   * encoder, or rewritten from canonical octets as `export-bytes.ts` does). Unreferenced until retained.
   */
  internEncoded(buf: Uint8Array, start: number, end: number): number {
    const h = hashBytes(buf, start, end);
    const found = this.findBytes(buf, start, end, 0, h);
    if (found !== 0) {
      this.hits++;
      return found;
    }
    const id = this.allocate();
    this.place(id, buf, start, end, h);
    this.describe(id);
    this.link(id);
    this.unreferenced.push(id);
    this.created++;
    return id;
  }

  private internOpaque(normalised: readonly PathAttribute[]): number {
    const key = canonicalKey(normalised);
    const found = this.opaqueIds.get(key);
    if (found !== undefined) {
      this.hits++;
      return found;
    }
    const id = this.allocate();
    this.len[id] = 0;
    this.opaque.set(id, Object.freeze(normalised.slice()));
    this.opaqueIds.set(key, id);
    const fields = new SetFields();
    this.flags[id] = fieldsOfObjects(normalised, this.identity, fields) | SetFlag.Opaque | SetFlag.Live;
    this.opaqueFields.set(id, fields);
    this.unreferenced.push(id);
    this.created++;
    return id;
  }

  /**
   * The set whose canonical encoding is `buf[start..end)` and that a raw NLRI-field block equal to it decoded to
   * (`SetFlag.RawNlri`), or 0. The receive fast path: no decoding, no allocation.
   */
  findRawNlri(buf: Uint8Array, start: number, end: number): number {
    const id = this.findBytes(buf, start, end, SetFlag.RawNlri, hashBytes(buf, start, end));
    if (id !== 0) this.hits++;
    return id;
  }

  /** Marks `id` as the set of the raw NLRI-field block equal to its encoding (see `findRawNlri`). */
  markRawNlri(id: number): void {
    this.flags[id] = (this.flags[id] as number) | SetFlag.RawNlri;
  }

  /** True when `buf[start..end)` is exactly the canonical encoding of `id`. */
  encodingEquals(id: number, buf: Uint8Array, start: number, end: number): boolean {
    const n = this.len[id] as number;
    if (n !== end - start || ((this.flags[id] as number) & SetFlag.Opaque) !== 0) return false;
    const bytes = this.page(id);
    const o = this.start(id);
    for (let i = 0; i < n; i++) if (bytes[o + i] !== buf[start + i]) return false;
    return true;
  }

  /** The set remembered for a raw attribute block key (see `raw-update.ts`), or 0. */
  rawGet(key: string): number {
    const id = this.raw.get(key);
    if (id === undefined) return 0;
    if (this.rawOf.get(id) !== key) {
      this.raw.delete(key); // the set was freed (and its id perhaps reused) since
      return 0;
    }
    this.hits++;
    return id;
  }

  rawSet(key: string, id: number): void {
    const old = this.rawOf.get(id);
    if (old !== undefined && old !== key) this.raw.delete(old);
    this.raw.set(key, id);
    this.rawOf.set(id, key);
  }

  private findBytes(buf: Uint8Array, start: number, end: number, flag: number, h: number): number {
    const slots = this.slots;
    const n = end - start;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const id = slots[i] as number;
      if (id === 0) return 0;
      if (this.hash[id] !== h || this.len[id] !== n || (flag !== 0 && ((this.flags[id] as number) & flag) === 0)) continue;
      const bytes = this.page(id);
      const o = this.start(id);
      let j = 0;
      while (j < n && bytes[o + j] === buf[start + j]) j++;
      if (j === n) return id;
    }
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Reading

  /** The canonical attribute list of a set (frozen; the same array while it stays in the cache). */
  attributes(id: number): readonly PathAttribute[] {
    const cached = this.cache.get(id);
    if (cached !== undefined) return cached;
    let attrs = this.opaque.get(id);
    if (attrs === undefined) {
      const o = this.start(id);
      const decoded = decodeAttributes(this.page(id), o, o + (this.len[id] as number), CANONICAL_CONTEXT);
      attrs = Object.freeze(normaliseAttributes(decoded.attributes));
    }
    if (this.cache.size >= ATTRIBUTE_CACHE) this.cache.delete(this.cache.keys().next().value as number);
    this.cache.set(id, attrs);
    return attrs;
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Lifetime

  retain(id: number): void {
    this.refs[id] = (this.refs[id] as number) + 1;
  }

  release(id: number): void {
    const n = (this.refs[id] as number) - 1;
    this.refs[id] = n;
    if (n === 0) this.unreferenced.push(id);
  }

  /** Frees every set left unreferenced since the last sweep (and what freeing them releases in turn). */
  sweep(): void {
    const list = this.unreferenced;
    for (let i = 0; i < list.length; i++) {
      const id = list[i] as number;
      if (this.refs[id] === 0 && this.live(id)) this.free(id);
    }
    list.length = 0;
    if (this.waste > 2 * PAGE && this.waste * 2 > this.arenaSize) this.compact();
  }

  private live(id: number): boolean {
    return ((this.flags[id] as number) & SetFlag.Live) !== 0;
  }

  private free(id: number): void {
    for (const hook of this.freeHooks) hook(id);
    const opaque = this.opaque.get(id);
    if (opaque !== undefined) {
      this.opaque.delete(id);
      this.opaqueFields.delete(id);
      this.opaqueIds.delete(canonicalKey(opaque));
    } else {
      this.unlink(id);
      this.waste += this.len[id] as number;
    }
    const rawKey = this.rawOf.get(id);
    if (rawKey !== undefined) {
      this.rawOf.delete(id);
      if (this.raw.get(rawKey) === id) this.raw.delete(rawKey);
    }
    this.cache.delete(id);
    this.off[id] = 0;
    this.len[id] = 0;
    this.hash[id] = 0;
    this.flags[id] = 0;
    this.freeIds.push(id);
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Storage

  private allocate(): number {
    const reused = this.freeIds.pop();
    if (reused !== undefined) return reused;
    const id = this.nextId++;
    // 1.5×, not 2×: a full table holds a few hundred thousand sets, and every column grows together.
    if (id >= this.off.length) this.grow(Math.ceil(this.off.length * 1.5));
    return id;
  }

  private place(id: number, buf: Uint8Array, start: number, end: number, hash: number): void {
    const n = end - start;
    // Octets used in the last page: PAGE exactly when the previous set ended at its last octet — `top & (PAGE - 1)`
    // would read that as 0 and write over the page's first set.
    let inPage = this.pages.length === 0 ? 0 : this.top - ((this.pages.length - 1) << PAGE_BITS);
    if (this.pages.length === 0 || inPage === PAGE || inPage + n > PAGE) {
      // A new page; the rest of the current one is left unused.
      if (this.pages.length > 0) this.waste += PAGE - inPage;
      this.pages.push(new Uint8Array(PAGE));
      this.arenaSize += PAGE;
      this.top = (this.pages.length - 1) << PAGE_BITS;
      inPage = 0;
    }
    const bytes = this.pages[this.pages.length - 1] as Uint8Array;
    for (let i = 0; i < n; i++) bytes[inPage + i] = buf[start + i] as number;
    this.off[id] = this.top;
    this.len[id] = n;
    this.top += n;
    this.hash[id] = hash;
  }

  /** Computes the flags of a new set from its encoding. */
  private describe(id: number): void {
    const o = this.start(id);
    this.flags[id] = fieldsOf(this.page(id), o, o + (this.len[id] as number), this.identity, null) | SetFlag.Live;
  }

  /** The values the decision process compares, read from the set's octets into `into`. */
  readFields(id: number, into: SetFields): SetFields {
    const opaque = this.opaqueFields.get(id);
    if (opaque !== undefined) {
      into.copy(opaque);
      return into;
    }
    const o = this.start(id);
    fieldsOf(this.page(id), o, o + (this.len[id] as number), this.identity, into);
    return into;
  }

  /** ORIGINATOR_ID as a number (0 when absent). */
  originatorIdOf(id: number): number {
    return (this.flags[id] as number) & SetFlag.OriginatorId ? this.readFields(id, this.scratchFields).originatorId : 0;
  }

  private link(id: number): void {
    if (++this.count > (this.mask + 1) * 0.75) this.rehash((this.mask + 1) * 2);
    const slots = this.slots;
    let i = (this.hash[id] as number) & this.mask;
    while (slots[i] !== 0) i = (i + 1) & this.mask;
    slots[i] = id;
  }

  private unlink(id: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let hole = (this.hash[id] as number) & mask;
    while (slots[hole] !== id) hole = (hole + 1) & mask;
    for (let j = (hole + 1) & mask; ; j = (j + 1) & mask) {
      const s = slots[j] as number;
      if (s === 0) break;
      const home = (this.hash[s] as number) & mask;
      if (hole <= j ? home <= hole || home > j : home <= hole && home > j) {
        slots[hole] = s;
        hole = j;
      }
    }
    slots[hole] = 0;
    this.count--;
  }

  private rehash(size: number): void {
    const old = this.slots;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < old.length; i++) {
      const id = old[i] as number;
      if (id === 0) continue;
      let j = (this.hash[id] as number) & this.mask;
      while (this.slots[j] !== 0) j = (j + 1) & this.mask;
      this.slots[j] = id;
    }
  }

  private grow(capacity: number): void {
    const grow32 = (a: Uint32Array): Uint32Array => {
      const b = new Uint32Array(capacity);
      b.set(a);
      return b;
    };
    const grow16 = (a: Uint16Array): Uint16Array => {
      const b = new Uint16Array(capacity);
      b.set(a);
      return b;
    };
    this.off = grow32(this.off);
    this.len = grow16(this.len);
    this.hash = grow32(this.hash);
    const refs = new Int32Array(capacity);
    refs.set(this.refs);
    this.refs = refs;
    this.flags = grow16(this.flags);
  }

  /** Rewrites the arena without the octets of freed sets. */
  private compact(): void {
    const old = this.pages;
    this.pages = [];
    this.arenaSize = 0;
    this.top = 0;
    this.waste = 0;
    for (let id = 1; id < this.nextId; id++) {
      const n = this.len[id] as number;
      if (n === 0) continue;
      const off = this.off[id] as number;
      const page = old[off >>> PAGE_BITS] as Uint8Array;
      const o = off & (PAGE - 1);
      this.place(id, page, o, o + n, this.hash[id] as number);
    }
  }
}
