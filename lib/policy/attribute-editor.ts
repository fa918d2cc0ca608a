/**
 * Copy-on-write editing of a route's attribute list while a route map runs.
 *
 * The input list is never touched. The first edit copies it; later edits change the copy. When evaluation ends
 * without a real change the original array object is returned, so the RIB's interning stays a pointer compare.
 * Edits that set a value equal to the current one are not changes. A new attribute goes where RFC 4271 §5 wants
 * senders to put it — in ascending type-code order — and carries no `flags`, so the encoder picks correct ones
 * (the RIB stores attributes without received flags too).
 *
 * Imports only wire types and constants.
 */
import { AttrType, type PathAttribute } from '../wire/index.js';

export type AttributeKind = PathAttribute['kind'];
export type AttributeOf<K extends AttributeKind> = Extract<PathAttribute, { kind: K }>;

const kindCodes: Readonly<Record<Exclude<AttributeKind, 'unknown' | 'malformed'>, number>> = {
  origin: AttrType.Origin,
  'as-path': AttrType.AsPath,
  'next-hop': AttrType.NextHop,
  'multi-exit-disc': AttrType.MultiExitDisc,
  'local-pref': AttrType.LocalPref,
  'atomic-aggregate': AttrType.AtomicAggregate,
  aggregator: AttrType.Aggregator,
  communities: AttrType.Communities,
  'originator-id': AttrType.OriginatorId,
  'cluster-list': AttrType.ClusterList,
  'mp-reach-nlri': AttrType.MpReachNlri,
  'mp-unreach-nlri': AttrType.MpUnreachNlri,
  'extended-communities': AttrType.ExtendedCommunities,
  'as4-path': AttrType.As4Path,
  'as4-aggregator': AttrType.As4Aggregator,
  'large-community': AttrType.LargeCommunity,
  otc: AttrType.Otc,
};

// A Map: the hot lookup by a string key stays fast where an object literal's property access goes megamorphic.
const kindCode: ReadonlyMap<string, number> = new Map(Object.entries(kindCodes));

/** The attribute type code of an attribute value. */
export function typeCodeOf(a: PathAttribute): number {
  return a.kind === 'unknown' || a.kind === 'malformed' ? a.typeCode : (kindCode.get(a.kind) as number);
}

/** The first attribute of a kind in a list. */
export function findAttribute<K extends AttributeKind>(attrs: readonly PathAttribute[], kind: K): AttributeOf<K> | undefined {
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i] as PathAttribute;
    if (a.kind === kind) return a as AttributeOf<K>;
  }
  return undefined;
}

export class AttributeEditor {
  private readonly base: readonly PathAttribute[];
  private working: PathAttribute[] | null;

  constructor(base: readonly PathAttribute[]) {
    this.base = base;
    this.working = null;
  }

  /** The list as edited so far. */
  get current(): readonly PathAttribute[] {
    return this.working ?? this.base;
  }

  /** True once some edit changed the list. */
  get changed(): boolean {
    return this.working !== null;
  }

  get<K extends AttributeKind>(kind: K): AttributeOf<K> | undefined {
    return findAttribute(this.current, kind);
  }

  /** Puts `attr` in place of the attribute of its kind, or inserts it in type-code order. */
  put(attr: PathAttribute): void {
    const list = this.current;
    const code = typeCodeOf(attr);
    // Replacing is the common case and needs no type codes (but unknown attributes differ by code, not kind).
    for (let i = 0; i < list.length; i++) {
      const a = list[i] as PathAttribute;
      if (a.kind === attr.kind && (a.kind !== 'unknown' || typeCodeOf(a) === code)) {
        this.writable()[i] = attr;
        return;
      }
    }
    let at = list.length;
    for (let i = 0; i < list.length; i++) {
      if (typeCodeOf(list[i] as PathAttribute) > code) {
        at = i;
        break;
      }
    }
    this.writable().splice(at, 0, attr);
  }

  /** Removes the attribute of a kind, if present. */
  remove(kind: AttributeKind): void {
    const i = this.current.findIndex((a) => a.kind === kind);
    if (i >= 0) this.writable().splice(i, 1);
  }

  /** The result: the original array when nothing changed (also when later edits undid earlier ones). */
  result(): readonly PathAttribute[] {
    const w = this.working;
    if (w === null) return this.base;
    if (w.length === this.base.length && w.every((a, i) => a === this.base[i])) return this.base;
    return w;
  }

  private writable(): PathAttribute[] {
    if (this.working === null) {
      // An explicit copy: Array.prototype.slice takes a slow path on the frozen arrays the RIB hands out.
      const base = this.base;
      const copy = new Array<PathAttribute>(base.length);
      for (let i = 0; i < base.length; i++) copy[i] = base[i] as PathAttribute;
      this.working = copy;
    }
    return this.working;
  }
}
