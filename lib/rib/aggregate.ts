/**
 * Aggregation for the announcer (MetalLB `BGPAdvertisement.aggregationLength` / `aggregationLengthV6`): the prefix
 * announced for an assigned address is the address masked to the aggregation length, and addresses that mask to
 * the same prefix are announced once. 32 / 128 (the defaults) announce each address as a host route.
 */
import { parseIPv4, type Prefix } from '../wire/index.js';
import { keyToPrefix, prefixKey, type PrefixKey } from './prefix-key.js';

/**
 * The prefix `address/length` with its host bits cleared, e.g. (`10.8.3.7`, 24) → `10.8.3.0/24`.
 * Throws a TypeError when the address is not an IP address or the length is out of range for its family.
 */
export function aggregatePrefix(address: string, length: number): Prefix {
  const afi = parseIPv4(address) !== undefined ? 1 : 2;
  const key = prefixKey({ afi, address, length });
  if (key === undefined) throw new TypeError(`cannot aggregate ${JSON.stringify(address)} to /${length}`);
  return keyToPrefix(key);
}

/**
 * The distinct prefixes announced for `addresses` — each masked to `lengthV4` or `lengthV6` by family — in the order
 * their first address appears.
 */
export function aggregateAddresses(addresses: Iterable<string>, lengthV4 = 32, lengthV6 = 128): Prefix[] {
  const seen = new Set<PrefixKey>();
  const out: Prefix[] = [];
  for (const address of addresses) {
    const isV4 = parseIPv4(address) !== undefined;
    const key = prefixKey({ afi: isV4 ? 1 : 2, address, length: isV4 ? lengthV4 : lengthV6 });
    if (key === undefined) throw new TypeError(`cannot aggregate ${JSON.stringify(address)}`);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(keyToPrefix(key));
  }
  return out;
}
