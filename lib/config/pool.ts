/**
 * `IPAddressPool` (metallb.io/v1beta1): the addresses services may be given. `addresses` lists CIDRs and ranges in
 * the order they are used; `autoAssign: false` keeps the pool for services that ask for it by name or address;
 * `avoidBuggyIPs` skips every IPv4 address ending in .0 or .255; `serviceAllocation` pins the pool to namespaces
 * and services, with a priority. Checks within one pool are here; overlaps between pools are in `cross-checks.ts`.
 */
import { cidrText, cidrsOverlap, parsePoolAddresses, type Cidr } from './address.js';
import { readSelectors } from './label-selector.js';
import { readMetadata, sourceOf, type Field } from './field.js';
import type { IPAddressPool, PoolAddresses, ServiceAllocation } from './types.js';

const SPEC_FIELDS = ['addresses', 'autoAssign', 'avoidBuggyIPs', 'serviceAllocation'] as const;

export function readPool(root: Field): IPAddressPool | undefined {
  const meta = readMetadata(root);
  const spec = root.get('spec').required();
  if (!spec.map()) return undefined;
  spec.checkKnown(SPEC_FIELDS);
  const addressesField = spec.get('addresses').required();
  const addresses: PoolAddresses[] = [];
  const cidrs: Cidr[] = [];
  let ok = true;
  const items = addressesField.list();
  if (!addressesField.isMissing && Array.isArray(addressesField.value) && items.length === 0) {
    addressesField.error('a pool needs at least one CIDR or range');
    ok = false;
  }
  for (const item of items) {
    const text = item.nonEmptyString();
    if (text === undefined) {
      ok = false;
      continue;
    }
    const r = parsePoolAddresses(text);
    if (typeof r === 'string') {
      item.error(r);
      ok = false;
      continue;
    }
    if (r.hostBits) item.warn(`host bits set: the pool covers ${cidrText(r.cidrs[0] as Cidr)}`);
    // Blocks of one pool must not overlap either: an address would be handed out twice.
    for (const c of r.cidrs) {
      const clash = cidrs.find((x) => cidrsOverlap(x, c));
      if (clash) {
        item.error(`${cidrText(c)} overlaps ${cidrText(clash)}, listed before in this pool`);
        ok = false;
      }
    }
    addresses.push({ text, cidrs: r.cidrs });
    cidrs.push(...r.cidrs);
  }
  const autoAssign = spec.get('autoAssign').bool() ?? true;
  const avoidBuggyIPs = spec.get('avoidBuggyIPs').bool() ?? false;
  const serviceAllocation = readServiceAllocation(spec.get('serviceAllocation'));
  if (!ok || meta.name === undefined || serviceAllocation === null) return undefined;
  return {
    name: meta.name,
    labels: meta.labels,
    addresses,
    cidrs,
    autoAssign,
    avoidBuggyIPs,
    serviceAllocation,
    source: sourceOf(root),
  };
}

/** undefined when absent, null when malformed (reported). */
function readServiceAllocation(f: Field): ServiceAllocation | undefined | null {
  if (f.isMissing) return undefined;
  if (!f.map()) return null;
  f.checkKnown(['priority', 'namespaces', 'namespaceSelectors', 'serviceSelectors']);
  const priority = f.get('priority').int(0, 2 ** 31 - 1);
  if (priority === undefined && !f.get('priority').isMissing) return null;
  return {
    priority: priority ?? 0,
    namespaces: f.get('namespaces').uniqueStringList(),
    namespaceSelectors: readSelectors(f.get('namespaceSelectors')),
    serviceSelectors: readSelectors(f.get('serviceSelectors')),
  };
}
