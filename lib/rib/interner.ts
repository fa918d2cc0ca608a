/**
 * The attribute-set interner: one shared `AttrSet` object per distinct set of path attributes.
 *
 * Two ways in. `intern(attributes)` normalises a list and looks it up by its canonical key (used for locally
 * originated routes, policy results and exported sets). `lookupRaw` / `rememberRaw` serve the receive fast path:
 * the attribute block of an UPDATE, as bytes, is looked up first, so an UPDATE whose attributes were seen before
 * costs one string and one Map lookup — no decoding and no canonical key (BIRD looks its attribute cache up the
 * same way, once per UPDATE). `tag` separates inputs whose meaning differs for the same bytes (2- vs 4-octet AS).
 *
 * Sets are held weakly: the tables that use a set keep it alive, and when the last route using it goes away the
 * garbage collector reclaims it and a FinalizationRegistry removes its entry. No reference counts to get wrong.
 */
import { AttrSet, canonicalKey, normaliseAttributes } from './attr-set.js';
import type { PathAttribute } from '../wire/index.js';

/** A weak map from strings to sets, whose entries disappear when their set is collected. */
class WeakValueMap {
  private readonly map = new Map<string, WeakRef<AttrSet>>();
  private readonly registry = new FinalizationRegistry<string>((key) => {
    const ref = this.map.get(key);
    if (ref !== undefined && ref.deref() === undefined) this.map.delete(key);
  });

  get(key: string): AttrSet | undefined {
    return this.map.get(key)?.deref();
  }

  set(key: string, value: AttrSet): void {
    this.map.set(key, new WeakRef(value));
    this.registry.register(value, key);
  }

  get size(): number {
    return this.map.size;
  }
}

export class AttrSetInterner {
  private readonly byKey = new WeakValueMap();
  private readonly byRaw = new WeakValueMap();
  /** Lookups answered by an existing set (either map), for tests and metrics. */
  hits = 0;
  /** Sets created. */
  created = 0;

  /** The shared set equal to `attributes` after normalisation (see `normaliseAttributes`). */
  intern(attributes: readonly PathAttribute[]): AttrSet {
    const normalised = normaliseAttributes(attributes);
    const key = canonicalKey(normalised);
    const found = this.byKey.get(key);
    if (found !== undefined) {
      this.hits++;
      return found;
    }
    const set = new AttrSet(normalised, key);
    this.byKey.set(key, set);
    this.created++;
    return set;
  }

  /** The set remembered for a raw attribute block (its octets as a latin1 string, prefixed by a tag). */
  lookupRaw(rawKey: string): AttrSet | undefined {
    const found = this.byRaw.get(rawKey);
    if (found !== undefined) this.hits++;
    return found;
  }

  /** Remembers which set a raw attribute block decoded to, so the next UPDATE with the same block skips decoding. */
  rememberRaw(rawKey: string, set: AttrSet): void {
    this.byRaw.set(rawKey, set);
  }

  /** Live entries of the canonical map (entries of collected sets may linger until finalization runs). */
  get size(): number {
    return this.byKey.size;
  }
}
