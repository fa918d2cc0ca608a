/**
 * The fuzzer's grammar of BGP messages and its mutations (used by bench/fuzz.ts and test/fuzz).
 *
 * A seed message is parsed into a small tree — raw leaves, length-prefixed lists (withdrawn routes, path
 * attributes, optional parameters, capabilities, MP_REACH next hops and NLRI, AS_PATH segments, community items)
 * and path attributes (RFC 4271 §4.3: flags, type, a one- or two-octet length by the Extended Length flag) — and
 * serialised back with every length recomputed unless a mutation overrides it. So an edit can drop, duplicate,
 * swap or transplant whole elements, lie in exactly one length field while the others stay consistent, flip
 * attribute flags or confuse attribute types, and still get past the outer length checks to the decoder code
 * behind them. Plain byte edits of leaves (and, sometimes, of the whole message) run alongside.
 * Seeded (mulberry32), so a seed and an input index name one input for ever. Imports only the wire codec.
 */
import { familyKey, updateFields, type CodecContext } from '../../lib/wire/index.js';

// ---------------------------------------------------------------------------------------------------------------
// Randomness: mulberry32, so a seed replays the same inputs on every machine.

export class Rand {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let x = this.a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The grammar: a message is a header over a tree of raw leaves, length-prefixed lists and path attributes.

/** What an element is, so that a transplant puts a capability where a capability was, a prefix where a prefix… */
export type Role = 'prefix4' | 'prefix6' | 'prefix' | 'attr' | 'param' | 'cap' | 'segment' | 'item';
export type Node =
  | { k: 'raw'; b: Uint8Array; role?: Role }
  /** `w` is the width of the list's length prefix (0: none); `len` overrides the computed length. */
  | { k: 'list'; w: 0 | 1 | 2; kids: Node[]; len?: number; role?: Role }
  /** RFC 4271 §4.3 attribute: the length field is one octet, two with the Extended Length flag (0x10). */
  | { k: 'attr'; flags: number; type: number; value: Node; len?: number; role: 'attr' };
export interface Tree {
  type: number;
  body: Node;
  len?: number;
  marker?: Uint8Array;
}

const raw = (b: Uint8Array, role?: Role): Node => (role === undefined ? { k: 'raw', b } : { k: 'raw', b, role });
export const list = (w: 0 | 1 | 2, kids: Node[], role?: Role): Node => (role === undefined ? { k: 'list', w, kids } : { k: 'list', w, kids, role });
export const u16 = (b: Uint8Array, i: number): number => ((b[i] as number) << 8) | (b[i + 1] as number);

function size(n: Node): number {
  if (n.k === 'raw') return n.b.length;
  if (n.k === 'attr') return 2 + (n.flags & 0x10 ? 2 : 1) + size(n.value);
  let s = n.w;
  for (const kid of n.kids) s += size(kid);
  return s;
}

function write(n: Node, out: Uint8Array, at: number): number {
  if (n.k === 'raw') {
    out.set(n.b, at);
    return at + n.b.length;
  }
  if (n.k === 'attr') {
    const len = n.len ?? size(n.value);
    out[at++] = n.flags;
    out[at++] = n.type;
    if (n.flags & 0x10) out[at++] = (len >>> 8) & 0xff;
    out[at++] = len & 0xff;
    return write(n.value, out, at);
  }
  const len = n.len ?? size(n) - n.w;
  if (n.w === 2) out[at++] = (len >>> 8) & 0xff;
  if (n.w > 0) out[at++] = len & 0xff;
  for (const kid of n.kids) at = write(kid, out, at);
  return at;
}

/** The bytes of a body node alone. */
export function serializeNode(n: Node): Uint8Array {
  const out = new Uint8Array(size(n));
  write(n, out, 0);
  return out;
}

/** The whole message: marker, Length (computed unless overridden), Type, body. */
export function serialize(tree: Tree): Uint8Array {
  const out = new Uint8Array(19 + size(tree.body));
  out.fill(0xff, 0, 16);
  if (tree.marker) out.set(tree.marker.subarray(0, 16));
  const len = tree.len ?? out.length;
  out[16] = (len >>> 8) & 0xff;
  out[17] = len & 0xff;
  out[18] = tree.type;
  write(tree.body, out, 19);
  return out;
}

export function clone(n: Node): Node {
  if (n.k === 'raw') return { ...n };
  if (n.k === 'attr') return { ...n, value: clone(n.value) };
  return { ...n, kids: n.kids.map(clone) };
}

/** Splits a run of NLRI into one leaf per prefix (RFC 4271 §4.3, RFC 7911 §3); a broken run stays one leaf. */
function prefixes(b: Uint8Array, start: number, end: number, addPath: boolean, role: Role): Node[] {
  const out: Node[] = [];
  let pos = start;
  while (pos < end) {
    const at = pos + (addPath ? 4 : 0);
    const next = at + 1 + (((b[at] ?? 0) + 7) >>> 3);
    if (at >= end || next > end) return [...out, raw(b.slice(pos, end), role)];
    out.push(raw(b.slice(pos, next), role));
    pos = next;
  }
  return out;
}

function attributeValue(type: number, v: Uint8Array, ctx: CodecContext): Node {
  if ((type === 14 || type === 15) && v.length >= 3) {
    const afi = u16(v, 0);
    const safi = v[2] as number;
    const role: Role = afi === 1 ? 'prefix4' : afi === 2 ? 'prefix6' : 'prefix';
    const addPath = ctx.addPath.has(familyKey(afi, safi));
    const split = (afi === 1 || afi === 2) && (safi === 1 || safi === 2);
    if (type === 15) return list(0, [raw(v.slice(0, 3)), ...(split ? prefixes(v, 3, v.length, addPath, role) : [raw(v.slice(3))])]);
    const nh = v[3] ?? 0;
    if (v.length < 5 + nh) return raw(v.slice());
    const nlri = split ? prefixes(v, 5 + nh, v.length, addPath, role) : [raw(v.slice(5 + nh))];
    return list(0, [raw(v.slice(0, 3)), list(1, [raw(v.slice(4, 4 + nh))]), raw(v.slice(4 + nh, 5 + nh)), list(0, nlri)]);
  }
  if (type === 2 || type === 17) {
    const asLen = type === 17 || ctx.fourOctetAs ? 4 : 2;
    const segments: Node[] = [];
    for (let i = 0; i < v.length; ) {
      const end = i + 2 + (v[i + 1] ?? 0) * asLen;
      if (end > v.length) return raw(v.slice());
      segments.push(raw(v.slice(i, end), 'segment'));
      i = end;
    }
    return list(0, segments);
  }
  const item = type === 8 ? 4 : type === 16 ? 8 : type === 32 ? 12 : 0;
  if (item > 0 && v.length % item === 0) {
    return list(0, Array.from({ length: v.length / item }, (_, i) => raw(v.slice(i * item, (i + 1) * item), 'item')));
  }
  return raw(v.slice());
}

function parseUpdate(body: Uint8Array, ctx: CodecContext): Node {
  const f = updateFields(body);
  const addPath4 = ctx.addPath.has(familyKey(1, 1));
  const attrs: Node[] = [];
  for (let i = f.attributesStart; i < f.attributesEnd; ) {
    const flags = body[i] as number;
    const type = body[i + 1] as number;
    const ext = (flags & 0x10) !== 0;
    const len = ext ? u16(body, i + 2) : (body[i + 2] as number);
    const start = i + (ext ? 4 : 3);
    if (start + len > f.attributesEnd) throw new RangeError('attribute overruns');
    attrs.push({ k: 'attr', flags, type, value: attributeValue(type, body.subarray(start, start + len), ctx), role: 'attr' });
    i = start + len;
  }
  return list(0, [
    list(2, prefixes(body, f.withdrawnStart, f.withdrawnEnd, addPath4, 'prefix4')),
    list(2, attrs),
    list(0, prefixes(body, f.nlriStart, f.nlriEnd, addPath4, 'prefix4')),
  ]);
}

function parseCapabilities(b: Uint8Array): Node[] {
  const caps: Node[] = [];
  for (let i = 0; i < b.length; ) {
    const end = i + 2 + (b[i + 1] ?? 0);
    caps.push(list(0, [raw(b.slice(i, i + 1)), list(1, [raw(b.slice(i + 2, end))])], 'cap'));
    i = end;
  }
  return caps;
}

function parseOpen(body: Uint8Array): Node {
  // RFC 9072 §2: Non-Ext OP Len. 255, Non-Ext OP Type 255, then 2-octet lengths throughout.
  const extended = body[9] !== 0 && body[10] === 255;
  const fixed = raw(body.slice(0, 9));
  const width = extended ? 2 : 1;
  const params: Node[] = [];
  for (let i = extended ? 13 : 10; i < body.length; ) {
    const len = extended ? u16(body, i + 1) : (body[i + 1] as number);
    const start = i + 1 + width;
    const value = body.subarray(start, start + len);
    const caps = body[i] === 2 ? parseCapabilities(value) : [raw(value.slice())];
    params.push(list(0, [raw(body.slice(i, i + 1)), list(width, caps)], 'param'));
    i = start + len;
  }
  return extended ? list(0, [fixed, raw(Uint8Array.of(255, 255)), list(2, params)]) : list(0, [fixed, list(1, params)]);
}

function parseNotification(body: Uint8Array): Node {
  const data = body.subarray(2);
  // RFC 9003: Cease / Administrative Shutdown or Reset carries a length-prefixed shutdown communication.
  if (body[0] === 6 && (body[1] === 2 || body[1] === 4) && data.length > 0 && 1 + (data[0] as number) <= data.length) {
    return list(0, [raw(body.slice(0, 2)), list(1, [raw(data.slice(1, 1 + (data[0] as number)))]), raw(data.slice(1 + (data[0] as number)))]);
  }
  return list(0, [raw(body.slice(0, 2)), raw(data.slice())]);
}

/** Parses one well-formed message into a tree; whatever does not parse stays a raw leaf. */
export function parseMessage(bytes: Uint8Array, ctx: CodecContext): Tree {
  const type = bytes[18] as number;
  const body = bytes.subarray(19);
  try {
    if (type === 1) return { type, body: parseOpen(body) };
    if (type === 2) return { type, body: parseUpdate(body, ctx) };
    if (type === 3) return { type, body: parseNotification(body) };
  } catch {
    // The seed is kept as one leaf: byte mutations still apply.
  }
  return { type, body: raw(body.slice()) };
}

export function walk(n: Node, visit: (n: Node) => void): void {
  visit(n);
  if (n.k === 'list') for (const kid of n.kids) walk(kid, visit);
  else if (n.k === 'attr') walk(n.value, visit);
}

// ---------------------------------------------------------------------------------------------------------------
// Mutations

const BYTES = [0, 1, 2, 3, 4, 7, 8, 0x0f, 0x10, 0x1f, 0x20, 0x21, 0x40, 0x7f, 0x80, 0x81, 0xc0, 0xe0, 0xf0, 0xfe, 0xff];
const ATTR_TYPES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15, 16, 17, 18, 20, 22, 25, 29, 32, 35, 40, 128, 255];
const FLAG_BITS = [0x80, 0x40, 0x20, 0x10, 0x08, 0x01];

function lengthLie(real: number, rand: Rand, width: number): number {
  const max = width === 1 ? 255 : 65535;
  const options = [0, 1, real - 1, real + 1, real + 2, real * 2, max, max - 1, 4096 - 19, rand.int(max + 1)];
  return Math.max(0, Math.min(max, rand.pick(options)));
}

export function mutateRaw(b: Uint8Array, rand: Rand): Uint8Array {
  const out = Array.from(b);
  const at = rand.int(out.length + 1);
  const r = rand.next();
  if (r < 0.25 && out.length > 0) out[at % out.length] = rand.int(256);
  else if (r < 0.45 && out.length > 0) out[at % out.length] = rand.pick(BYTES);
  else if (r < 0.55 && out.length > 0) out[at % out.length] = (out[at % out.length] as number) ^ (1 << rand.int(8));
  else if (r < 0.65 && out.length > 1) out.splice(at % (out.length - 1), 2, rand.pick([0, 0xff, 0x80]), rand.pick([0, 1, 0xff]));
  else if (r < 0.75) out.splice(at, 0, ...Array.from({ length: 1 + rand.int(8) }, () => rand.int(256)));
  else if (r < 0.85) out.splice(at, 1 + rand.int(8));
  else if (r < 0.92) out.length = at;
  else out.splice(at, 0, ...out.slice(rand.int(out.length + 1)).slice(0, 1 + rand.int(16)));
  return Uint8Array.from(out);
}

/** Donor elements of each role, taken from every seed, for transplants. */
export type Donors = Map<Role, Node[]>;

/** One structural edit of `tree` (in place; the caller cloned it). */
function mutateTree(tree: Tree, rand: Rand, donors: Donors): void {
  const nodes: Node[] = [];
  walk(tree.body, (n) => nodes.push(n));
  const r = rand.next();
  if (r < 0.04) {
    const what = rand.int(3);
    if (what === 0) tree.type = rand.pick([0, 1, 2, 3, 4, 5, 6, 255]);
    else if (what === 1) tree.len = lengthLie(19 + size(tree.body), rand, 2);
    else tree.marker = Uint8Array.from({ length: 16 }, (_, i) => (i === rand.int(16) ? rand.int(256) : 0xff));
    return;
  }
  const n = rand.pick(nodes);
  if (n.k === 'raw') {
    if (n.role !== undefined && r < 0.3) {
      const pool = donors.get(n.role);
      if (pool && pool.length > 0) n.b = (rand.pick(pool) as { b: Uint8Array }).b;
      return;
    }
    n.b = mutateRaw(n.b, rand);
    return;
  }
  if (n.k === 'attr') {
    const what = rand.int(5);
    if (what === 0) n.flags ^= rand.pick(FLAG_BITS);
    else if (what === 1) n.flags = rand.int(256);
    else if (what === 2) n.type = rand.pick(ATTR_TYPES);
    else if (what === 3) n.len = lengthLie(size(n.value), rand, n.flags & 0x10 ? 2 : 1);
    else {
      const donor = rand.pick(donors.get('attr') ?? [n]);
      if (donor.k === 'attr') n.value = clone(donor.value); // type confusion: another attribute's value
    }
    return;
  }
  const kids = n.kids;
  const what = rand.int(6);
  if (what === 0 && n.w > 0) n.len = lengthLie(size(n) - n.w, rand, n.w);
  else if (what === 1 && kids.length > 0) kids.splice(rand.int(kids.length), 1);
  else if (what === 2 && kids.length > 0) kids.splice(rand.int(kids.length + 1), 0, clone(rand.pick(kids)));
  else if (what === 3 && kids.length > 1) {
    const i = rand.int(kids.length);
    const j = rand.int(kids.length);
    [kids[i], kids[j]] = [kids[j] as Node, kids[i] as Node];
  } else {
    const role = kids.find((k) => k.role !== undefined)?.role ?? rand.pick<Role>(['attr', 'cap', 'prefix4', 'segment']);
    const pool = donors.get(role);
    if (pool && pool.length > 0) kids.splice(rand.int(kids.length + 1), 0, clone(rand.pick(pool)));
  }
}

/** One fuzz input from a seed: 1–3 structural edits, sometimes followed by plain byte edits of the result. */
export function mutateSeed(seed: Tree, rand: Rand, donors: Donors): Uint8Array {
  const tree: Tree = { ...seed, body: clone(seed.body) };
  const edits = 1 + rand.int(3);
  for (let i = 0; i < edits; i++) mutateTree(tree, rand, donors);
  const bytes = serialize(tree);
  if (!rand.chance(0.15)) return bytes;
  const flat = mutateRaw(bytes, rand);
  // Usually keep the header's Length honest so the body decoders are reached.
  if (flat.length >= 19 && rand.chance(0.8)) {
    flat[16] = (flat.length >>> 8) & 0xff;
    flat[17] = flat.length & 0xff;
  }
  return flat;
}

