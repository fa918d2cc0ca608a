/**
 * Prefix lists (`ip prefix-list` / `ipv6 prefix-list`), with FRR's semantics:
 *
 * - Entries are tried in sequence order; the first that matches decides permit or deny; none → deny.
 * - An entry `P/L` matches a prefix `Q/M` when Q's first L bits are P's and M is in range: with neither `ge` nor
 *   `le` M must equal L; with `le Y` alone L ≤ M ≤ Y; with `ge X` alone X ≤ M ≤ 32 (128); with both X ≤ M ≤ Y.
 *   A `ge`/`le` of 0 counts as not given, as in FRR (so `0.0.0.0/0 ge 0` is an exact match of the default route).
 * - A list of one family never matches a prefix of the other.
 * - A list that exists but has no entries permits everything (FRR's `prefix_list_apply`), a quirk that only the
 *   FRR text form can reach (`ip prefix-list NAME description …`); the plain form refuses empty lists.
 *
 * Compiled into typed arrays: IPv4 matching is one AND and one compare per entry, no allocation.
 * Imports the numeric address helpers only.
 */
import type { Prefix } from '../wire/index.js';
import { MAX_LENGTH, ipv4TextToNumber, ipv6TextToWords, parseCidr, wordMask } from './ip-prefix.js';
import type { AddressFamily, PrefixListDefinition, PrefixListEntry } from './types.js';

/** Validates an entry's range against its prefix length: FRR's "mask length ≤ ge ≤ le ≤ max". */
export function prefixRangeError(afi: AddressFamily, length: number, ge: number | undefined, le: number | undefined): string | undefined {
  const max = MAX_LENGTH[afi];
  for (const [name, v] of [['ge', ge], ['le', le]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > max)) return `${name} must be an integer from 0 to ${max}`;
  }
  if ((ge !== undefined && ge !== 0 && ge < length) || (le !== undefined && le !== 0 && le < length)) {
    return `invalid prefix range: make sure that mask length (${length}) <= ge <= le`;
  }
  if (ge !== undefined && le !== undefined && ge !== 0 && le !== 0 && ge > le) return 'invalid prefix range: ge is greater than le';
  return undefined;
}

const scratch: number[] = [0, 0, 0, 0];

export class PrefixList {
  readonly name: string;
  readonly afi: AddressFamily;
  readonly entries: readonly PrefixListEntry[];
  private readonly permit: Uint8Array;
  /** Per entry: 1 (IPv4) or 4 (IPv6) words of network bits. */
  private readonly nets: Uint32Array;
  private readonly lengths: Uint8Array;
  private readonly minLength: Uint8Array;
  private readonly maxLength: Uint8Array;

  constructor(def: PrefixListDefinition) {
    this.name = def.name;
    this.afi = def.afi;
    this.entries = def.entries;
    const n = def.entries.length;
    const w = def.afi === 1 ? 1 : 4;
    this.permit = new Uint8Array(n);
    this.nets = new Uint32Array(n * w);
    this.lengths = new Uint8Array(n);
    this.minLength = new Uint8Array(n);
    this.maxLength = new Uint8Array(n);
    def.entries.forEach((e, i) => {
      const p = parseCidr(e.prefix, def.afi);
      if (!p) throw new TypeError(`prefix list ${def.name} seq ${e.seq}: not an ${def.afi === 1 ? 'IPv4' : 'IPv6'} prefix: ${e.prefix}`);
      const rangeError = prefixRangeError(def.afi, p.length, e.ge, e.le);
      if (rangeError) throw new TypeError(`prefix list ${def.name} seq ${e.seq}: ${rangeError}`);
      this.permit[i] = e.action === 'permit' ? 1 : 0;
      p.words.forEach((word, k) => (this.nets[i * w + k] = word));
      this.lengths[i] = p.length;
      const ge = e.ge ?? 0;
      const le = e.le ?? 0;
      // FRR: neither given → exact length; otherwise each bound defaults to the prefix length / the maximum.
      this.minLength[i] = ge === 0 && le === 0 ? p.length : ge === 0 ? p.length : ge;
      this.maxLength[i] = ge === 0 && le === 0 ? p.length : le === 0 ? MAX_LENGTH[def.afi] : le;
    });
  }

  /** FRR's `prefix_list_apply`: true for PREFIX_PERMIT. */
  permits(prefix: Prefix): boolean {
    return this.apply(prefix.afi, prefix.address, prefix.length) === 1;
  }

  /** The first entry that matches, or undefined (then the list denies). */
  firstMatch(prefix: Prefix): PrefixListEntry | undefined {
    const i = this.matchIndex(prefix.afi, prefix.address, prefix.length);
    return i >= 0 ? this.entries[i] : undefined;
  }

  /** Applies the list to an address taken as a host prefix (/32 or /128), as `match ip next-hop prefix-list` does. */
  permitsAddress(afi: AddressFamily, address: string): boolean {
    return this.apply(afi, address, MAX_LENGTH[afi]) === 1;
  }

  private apply(afi: number, address: string, length: number): 0 | 1 {
    if (this.entries.length === 0) return 1;
    const i = this.matchIndex(afi, address, length);
    return i >= 0 ? (this.permit[i] as 0 | 1) : 0;
  }

  private matchIndex(afi: number, address: string, length: number): number {
    if (afi !== this.afi) return -1;
    const n = this.entries.length;
    if (afi === 1) {
      const addr = ipv4TextToNumber(address);
      if (addr < 0) return -1;
      for (let i = 0; i < n; i++) {
        const len = this.lengths[i] as number;
        if (length < (this.minLength[i] as number) || length > (this.maxLength[i] as number)) continue;
        if (((addr & wordMask(len, 0)) >>> 0) === this.nets[i]) return i;
      }
      return -1;
    }
    if (!ipv6TextToWords(address, scratch)) return -1;
    for (let i = 0; i < n; i++) {
      const len = this.lengths[i] as number;
      if (length < (this.minLength[i] as number) || length > (this.maxLength[i] as number)) continue;
      let covered = true;
      for (let k = 0; k < 4 && 32 * k < len; k++) {
        if (((scratch[k] as number) & wordMask(len, k)) >>> 0 !== this.nets[i * 4 + k]) {
          covered = false;
          break;
        }
      }
      if (covered) return i;
    }
    return -1;
  }
}
