/**
 * Addresses for every Service of a configuration, deterministically: MetalLB's controller loop
 * (`convergeBalancer` + `allocateIPs`) run over all services at once, in two passes over the services sorted by
 * `namespace/name`:
 *
 * 1. Services that already have addresses (this run's previous result, the state file, or a cluster dump's
 *    `status.loadBalancer.ingress`) keep them while the configuration still allows it — same family, still in a
 *    pool that serves the service, the requested pool and addresses unchanged, sharing still compatible. So a
 *    restart, or a new service sorted before an old one, never moves an address.
 * 2. The others are allocated: the requested addresses (`metallb.io/loadBalancerIPs`/`spec.loadBalancerIP`, which
 *    must lie in a pool — the requested one, if named), else from the requested pool, else from any pool.
 *
 * Only `type: LoadBalancer` services without a `loadBalancerClass` (or with the configured one) are MetalLB's.
 * Same inputs, same result: no randomness, no dependence on the order services were listed in.
 */
import { parseAddress, type AnnouncerConfig, type Service } from '../config/index.js';
import { Allocator, claimOf, serviceFamily, type Assignment } from './allocator.js';

/** What a service had before, wherever it was recorded. */
export interface PreviousAssignment {
  readonly pool?: string;
  readonly addresses: readonly string[];
}

export interface AllocateOptions {
  /** Serve services with this `spec.loadBalancerClass` (MetalLB `--lb-class`); default: only those without one. */
  readonly loadBalancerClass?: string;
}

export interface ServiceOutcome {
  readonly service: Service;
  /** Set when the service has addresses. */
  readonly assignment?: Assignment;
  /** Why it has none (allocation failed), when it is one of ours. */
  readonly reason?: string;
}

export interface AllocationResult {
  /** Every service that is ours (LoadBalancer, matching class), sorted by key. */
  readonly services: readonly ServiceOutcome[];
  readonly allocator: Allocator;
}

/** Is this service handled by the announcer? */
export function isOurs(svc: Service, options: AllocateOptions = {}): boolean {
  return svc.type === 'LoadBalancer' && svc.loadBalancerClass === options.loadBalancerClass;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** The family of a set of addresses, as MetalLB's `ipfamily.ForAddressesIPs`. */
function familyOfAddresses(addresses: readonly string[]): string | undefined {
  const fams = new Set(addresses.map((a) => parseAddress(a)?.afi));
  if (fams.has(undefined)) return undefined;
  if (fams.size === 2) return 'DualStack';
  return fams.has(1) ? 'IPv4' : 'IPv6';
}

/** MetalLB `serviceFamilyChanged`: previous addresses of another family must go (PreferDualStack may keep one). */
function familyChanged(svc: Service, addresses: readonly string[]): boolean {
  const had = familyOfAddresses(addresses);
  const wants = serviceFamily(svc);
  if (had === undefined) return true;
  if (had === wants) return false;
  return !(wants === 'DualStack' && svc.ipFamilyPolicy === 'PreferDualStack');
}

/** Pass 1 for one service: keep what it had when allowed. */
function keep(allocator: Allocator, svc: Service, previous: PreviousAssignment): boolean {
  if (previous.addresses.length === 0 || familyChanged(svc, previous.addresses)) return false;
  const r = allocator.assign(svc, previous.addresses);
  if (!r.ok) return false;
  // The user asked for another pool, or for other addresses, since: start again (MetalLB clears the state).
  if (svc.requestedPool !== undefined && r.assignment.pool !== svc.requestedPool) {
    allocator.release(svc.key);
    return false;
  }
  if (svc.requestedIPs.length > 0 && !sameSet(r.assignment.addresses, svc.requestedIPs)) {
    allocator.release(svc.key);
    return false;
  }
  if (r.assignment.addresses.length === 1 && svc.ipFamilyPolicy === 'PreferDualStack' && serviceFamily(svc) === 'DualStack') {
    allocator.addMissingFamily(svc);
  }
  return true;
}

/** Pass 2 for one service (MetalLB `allocateIPs`); the reason when it fails. */
function allocateNew(allocator: Allocator, svc: Service): string | undefined {
  const claim = claimOf(svc);
  if (svc.requestedIPs.length > 0) {
    const wanted = familyOfAddresses(svc.requestedIPs);
    if (wanted !== serviceFamily(svc)) {
      return `requested address(es) ${svc.requestedIPs.join(', ')} do not match the service's IP family (${svc.families.join(', ')})`;
    }
    const r = allocator.assign(svc, svc.requestedIPs, claim);
    if (!r.ok) return r.reason;
    if (svc.requestedPool !== undefined && r.assignment.pool !== svc.requestedPool) {
      allocator.release(svc.key);
      return `requested address(es) ${svc.requestedIPs.join(', ')} are not in the requested pool ${svc.requestedPool}`;
    }
    return undefined;
  }
  const r = svc.requestedPool !== undefined ? allocator.allocateFromPool(svc, svc.requestedPool, claim) : allocator.allocate(svc, claim);
  return r.ok ? undefined : r.reason;
}

/**
 * Allocates for every service of `config`. `previous` maps `namespace/name` to what the service had (the running
 * state or the state file); a service without an entry there falls back to its manifest's status addresses.
 */
export function allocateServices(
  config: AnnouncerConfig,
  previous: ReadonlyMap<string, PreviousAssignment>,
  options: AllocateOptions = {},
): AllocationResult {
  const allocator = new Allocator(config.pools, config.namespaces);
  const ours = config.services.filter((s) => isOurs(s, options));
  const kept = new Set<string>();
  for (const svc of ours) {
    const prev = previous.get(svc.key) ?? (svc.statusIPs.length > 0 ? { addresses: svc.statusIPs } : undefined);
    if (prev && keep(allocator, svc, prev)) kept.add(svc.key);
  }
  const reasons = new Map<string, string>();
  for (const svc of ours) {
    if (kept.has(svc.key)) continue;
    const reason = allocateNew(allocator, svc);
    if (reason !== undefined) reasons.set(svc.key, reason);
  }
  const services: ServiceOutcome[] = ours.map((service) => {
    const assignment = allocator.get(service.key);
    if (assignment) return { service, assignment };
    return { service, reason: reasons.get(service.key) ?? 'not allocated' };
  });
  return { services, allocator };
}
