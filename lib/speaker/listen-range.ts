/**
 * Listen ranges (FRR's `bgp listen range PREFIX peer-group NAME` and `bgp listen limit N`): connections from any
 * address inside a range are accepted as dynamic neighbours of a peer group, up to a limit, so that nodes can come
 * and go without configuring each one — the seed's pfSense neighbour group, without listing every node. The
 * Speaker asks `ListenRanges` which group, if any, a connection from an unknown address joins.
 */
import { parseIPv4, parseIPv6 } from '../wire/index.js';

export interface Cidr {
  readonly text: string;
  readonly bytes: Uint8Array;
  readonly length: number;
}

/** Parses `10.0.0.0/8` or `2001:db8::/32`; throws an Error naming the text when it is not a prefix. */
export function parseCidr(text: string): Cidr {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const bytes = addr.includes(':') ? parseIPv6(addr) : parseIPv4(addr);
  if (!bytes) throw new Error(`not an IP prefix: ${JSON.stringify(text)}`);
  const max = bytes.length * 8;
  const length = slash < 0 ? max : Number(text.slice(slash + 1));
  if (!Number.isInteger(length) || length < 0 || length > max) throw new Error(`bad prefix length in ${JSON.stringify(text)}`);
  return { text, bytes, length };
}

/** Whether `address` (text) lies inside `cidr`. */
export function cidrContains(cidr: Cidr, address: string): boolean {
  const a = address.includes(':') ? parseIPv6(address) : parseIPv4(address);
  if (!a || a.length !== cidr.bytes.length) return false;
  let bits = cidr.length;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((a[i] as number) & mask) !== ((cidr.bytes[i] as number) & mask)) return false;
  }
  return true;
}

/** The listen ranges in force, in the order added, and the most dynamic neighbours accepted at once. */
export class ListenRanges {
  private readonly ranges: { range: Cidr; peerGroup: string }[] = [];

  /** `limit`: FRR's `bgp listen limit`. */
  constructor(private readonly limit: number) {}

  /** Accepts connections from `prefix` as dynamic neighbours of `peerGroup`; throws when `prefix` is not one. */
  add(prefix: string, peerGroup: string): void {
    this.ranges.push({ range: parseCidr(prefix), peerGroup });
  }

  /** Removes the range added as `prefix` (the same text), if any. */
  remove(prefix: string): void {
    const i = this.ranges.findIndex((r) => r.range.text === prefix);
    if (i >= 0) this.ranges.splice(i, 1);
  }

  /**
   * The peer group for a connection from `address`, with `dynamicCount` dynamic neighbours already accepted:
   * undefined when no range holds the address or the limit is reached (the first range that holds it wins).
   */
  groupFor(address: string, dynamicCount: number): string | undefined {
    if (dynamicCount >= this.limit) return undefined;
    return this.ranges.find((r) => cidrContains(r.range, address))?.peerGroup;
  }
}
