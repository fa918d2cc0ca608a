/**
 * The address allocator: MetalLB's `internal/allocator` rebuilt — which addresses are in use, by which services,
 * under which sharing key, on which ports — with the same rules for taking an address:
 *
 * - `assign` takes given addresses (a service's previous ones, or the ones it asks for): they must lie in one pool
 *   (skipping .0/.255 in an `avoidBuggyIPs` pool) that serves the service, be at most one per family, and be free
 *   or shareable. An address is shareable when every service on it has the same non-empty
 *   `metallb.io/allow-shared-ip` key and the same backend key, and no (protocol, port) is used twice.
 * - `allocateFromPool` walks the pool's blocks in the order written, each from its **first** address, and takes
 *   the first usable address per family (the seed's first service gets 10.8.0.0 of 10.8.0.0/16).
 * - `allocate` tries the pools pinned to the service by `serviceAllocation` (by priority), then every other
 *   auto-assign pool — in configuration order, where MetalLB iterates a Go map (random).
 *
 * The walk is MetalLB's (first usable address from the start of each block), made linear over many services by a
 * per-block hint: every address below it is known to be in use (or unusable), so a service that cannot share
 * starts there. Releasing an address below a hint lowers it; services that may share still walk from the start.
 *
 * Dual stack follows MetalLB's `findBestPoolForService`/`selectIPsForFamilyAndPolicy`: a dual-stack service takes
 * both addresses from one pool; `PreferDualStack` settles for one family when no pool has both.
 */
import {
  addressBits,
  cidrContains,
  fallbackPools,
  formatAddress,
  isBuggyIPv4,
  parseAddress,
  pinnedPools,
  poolServesService,
  type Cidr,
  type IPAddressPool,
  type IPFamily,
  type IpAddress,
  type Namespace,
  type Service,
} from '../config/index.js';

/** What a service asks of an address besides the address itself. */
export interface Claim {
  /** `namespace/name`. */
  readonly service: string;
  /** `PROTO/port` of each service port. */
  readonly ports: readonly string[];
  /** `metallb.io/allow-shared-ip`, '' when absent. */
  readonly sharing: string;
  readonly backend: string;
}

/** A service's family as MetalLB sees it: one family, or both. */
export type ServiceFamily = IPFamily | 'DualStack';

/** Addresses given to a service, and the pool they came from. IPv4 before IPv6 unless asked otherwise. */
export interface Assignment {
  readonly pool: string;
  readonly addresses: readonly string[];
}

export type AllocationOutcome = { readonly ok: true; readonly assignment: Assignment } | { readonly ok: false; readonly reason: string };

interface Alloc {
  readonly pool: string;
  readonly addresses: readonly string[];
  readonly ips: readonly IpAddress[];
  readonly claim: Claim;
}

/** Who uses one address: services that all share one compatible claim, and their ports. */
interface Usage {
  readonly sharing: string;
  readonly backend: string;
  readonly services: Set<string>;
  readonly ports: Map<string, string>;
}

const family = (a: IpAddress): IPFamily => (a.afi === 1 ? 'IPv4' : 'IPv6');

export function claimOf(svc: Service): Claim {
  return { service: svc.key, ports: svc.ports.map((p) => `${p.protocol}/${p.port}`), sharing: svc.sharingKey ?? '', backend: svc.backendKey };
}

export function serviceFamily(svc: Service): ServiceFamily {
  return svc.families.length === 2 ? 'DualStack' : (svc.families[0] ?? 'IPv4');
}

export class Allocator {
  private readonly pools: readonly IPAddressPool[];
  private readonly namespaces: readonly Namespace[];
  private readonly allocated = new Map<string, Alloc>();
  /** Addresses in use, by family (bigint keys: no text formatting on the walk). */
  private readonly used: { readonly 1: Map<bigint, Usage>; readonly 2: Map<bigint, Usage> } = { 1: new Map(), 2: new Map() };
  /** Per block: every address below is in use or unusable. */
  private readonly hints = new Map<Cidr, bigint>();

  constructor(pools: readonly IPAddressPool[], namespaces: readonly Namespace[]) {
    this.pools = pools;
    this.namespaces = namespaces;
  }

  /** The assignment a service holds, if any. */
  get(service: string): Assignment | undefined {
    const a = this.allocated.get(service);
    return a ? { pool: a.pool, addresses: a.addresses } : undefined;
  }

  /** The pool that holds every address of `ips` (usable in it), or undefined. */
  poolFor(ips: readonly IpAddress[]): IPAddressPool | undefined {
    return this.pools.find((p) => ips.every((ip) => !(p.avoidBuggyIPs && isBuggyIPv4(ip)) && p.cidrs.some((c) => cidrContains(c, ip))));
  }

  /** Why `claim` may not use `ip`, or undefined when it may (free, or shareable). */
  private sharingProblem(ip: IpAddress, claim: Claim): string | undefined {
    const used = this.used[ip.afi].get(ip.value);
    if (!used) return undefined;
    const others = [...used.services].filter((s) => s !== claim.service);
    const address = (): string => formatAddress(ip);
    if (others.length > 0) {
      if (used.sharing === '' || claim.sharing === '') return `${address()} is in use by ${others.join(', ')} (sharing needs metallb.io/allow-shared-ip on both)`;
      if (used.sharing !== claim.sharing) return `${address()} is shared under key ${JSON.stringify(used.sharing)}, not ${JSON.stringify(claim.sharing)}`;
      if (used.backend !== claim.backend) return `${address()} is shared by services with another backend (externalTrafficPolicy: Local needs the same selector)`;
    }
    for (const port of claim.ports) {
      const holder = used.ports.get(port);
      if (holder !== undefined && holder !== claim.service) return `port ${port} of ${address()} is already used by ${holder}`;
    }
    return undefined;
  }

  /** Gives `addresses` to the service when the rules allow it (MetalLB `Assign`). */
  assign(svc: Service, addresses: readonly string[], claim: Claim = claimOf(svc)): AllocationOutcome {
    const ips: IpAddress[] = [];
    for (const text of addresses) {
      const ip = parseAddress(text);
      if (!ip) return { ok: false, reason: `${JSON.stringify(text)} is not an IP address` };
      ips.push(ip);
    }
    if (ips.length === 0 || ips.length > 2) return { ok: false, reason: 'a service takes one address per family' };
    if (ips.length === 2 && ips[0]?.afi === ips[1]?.afi) return { ok: false, reason: `${addresses.join(' and ')} are of the same family` };
    const pool = this.poolFor(ips);
    if (!pool) return { ok: false, reason: `${addresses.join(', ')} ${ips.length > 1 ? 'are' : 'is'} not in any IPAddressPool (as one pool)` };
    if (!poolServesService(pool, svc, this.namespaces)) return { ok: false, reason: `pool ${pool.name} is not allowed for ${svc.key} (serviceAllocation)` };
    for (const ip of ips) {
      const problem = this.sharingProblem(ip, claim);
      if (problem) return { ok: false, reason: problem };
    }
    const canonical = ips.map(formatAddress);
    this.release(claim.service);
    this.allocated.set(claim.service, { pool: pool.name, addresses: canonical, ips, claim });
    for (const ip of ips) {
      const byValue = this.used[ip.afi];
      let used = byValue.get(ip.value);
      if (!used) byValue.set(ip.value, (used = { sharing: claim.sharing, backend: claim.backend, services: new Set(), ports: new Map() }));
      used.services.add(claim.service);
      for (const port of claim.ports) used.ports.set(port, claim.service);
    }
    return { ok: true, assignment: { pool: pool.name, addresses: canonical } };
  }

  /** Frees the service's addresses (MetalLB `Unassign`). */
  release(service: string): void {
    const a = this.allocated.get(service);
    if (!a) return;
    this.allocated.delete(service);
    for (const ip of a.ips) {
      const byValue = this.used[ip.afi];
      const used = byValue.get(ip.value);
      if (!used) continue;
      used.services.delete(service);
      for (const port of a.claim.ports) if (used.ports.get(port) === service) used.ports.delete(port);
      if (used.services.size > 0) continue;
      byValue.delete(ip.value);
      // The address is free again: no block may claim that everything below its hint is in use.
      for (const [cidr, hint] of this.hints) if (cidrContains(cidr, ip) && ip.value < hint) this.hints.set(cidr, ip.value);
    }
  }

  /** The first usable address of a block, walking from its first address (MetalLB `getIPFromCIDR`). */
  private firstUsable(cidr: Cidr, avoidBuggyIPs: boolean, claim: Claim): string | undefined {
    const last = cidr.first + (1n << BigInt(addressBits(cidr.afi) - cidr.length)) - 1n;
    const used = this.used[cidr.afi];
    // Only a claim that can use nothing but a free address may start at the hint.
    const exclusive = claim.sharing === '' && !this.allocated.has(claim.service);
    const start = exclusive ? (this.hints.get(cidr) ?? cidr.first) : cidr.first;
    for (let v = start; v <= last; v++) {
      const ip: IpAddress = { afi: cidr.afi, value: v };
      if (avoidBuggyIPs && isBuggyIPv4(ip)) continue;
      if (!used.has(v)) {
        if (exclusive) this.hints.set(cidr, v);
        return formatAddress(ip);
      }
      if (!exclusive && this.sharingProblem(ip, claim) === undefined) return formatAddress(ip);
    }
    if (exclusive) this.hints.set(cidr, last + 1n);
    return undefined;
  }

  /** The first usable address of each family in a pool (MetalLB `getFreeIPsFromPool`). */
  private freeInPool(pool: IPAddressPool, claim: Claim): { IPv4?: string; IPv6?: string } {
    const out: { IPv4?: string; IPv6?: string } = {};
    for (const cidr of pool.cidrs) {
      const fam: IPFamily = cidr.afi === 1 ? 'IPv4' : 'IPv6';
      if (out[fam] !== undefined) continue;
      const a = this.firstUsable(cidr, pool.avoidBuggyIPs, claim);
      if (a !== undefined) out[fam] = a;
    }
    return out;
  }

  /** MetalLB `selectIPsForFamilyAndPolicy`. */
  private select(free: { IPv4?: string; IPv6?: string }, svc: Service, pool: string): string[] | string {
    const fam = serviceFamily(svc);
    if (fam !== 'DualStack') return free[fam] !== undefined ? [free[fam]] : `no available ${fam} address in pool ${pool}`;
    const both = free.IPv4 !== undefined && free.IPv6 !== undefined ? [free.IPv4, free.IPv6] : undefined;
    if (svc.ipFamilyPolicy === 'RequireDualStack' || svc.ipFamilyPolicy === 'SingleStack') {
      return both ?? `no IPv4 and IPv6 address available together in pool ${pool}`;
    }
    return both ?? (free.IPv4 !== undefined ? [free.IPv4] : free.IPv6 !== undefined ? [free.IPv6] : `no available address in pool ${pool}`);
  }

  /** An address (per family) from the named pool — asked for by annotation, so `autoAssign` does not matter. */
  allocateFromPool(svc: Service, poolName: string, claim: Claim = claimOf(svc)): AllocationOutcome {
    const pool = this.pools.find((p) => p.name === poolName);
    if (!pool) return { ok: false, reason: `no IPAddressPool named ${JSON.stringify(poolName)}` };
    if (!poolServesService(pool, svc, this.namespaces)) return { ok: false, reason: `pool ${pool.name} is not allowed for ${svc.key} (serviceAllocation)` };
    const picked = this.select(this.freeInPool(pool, claim), svc, pool.name);
    if (typeof picked === 'string') return { ok: false, reason: picked };
    return this.assign(svc, picked, claim);
  }

  /** The best pool among `pools` for the service's families (MetalLB `findBestPoolForService`), then assign. */
  private allocateFromPools(pools: readonly IPAddressPool[], svc: Service, claim: Claim): AllocationOutcome | undefined {
    const fam = serviceFamily(svc);
    const primary: IPFamily = svc.families[0] === 'IPv6' ? 'IPv6' : 'IPv4';
    const secondary: IPFamily = primary === 'IPv4' ? 'IPv6' : 'IPv4';
    const prefer = fam === 'DualStack' && svc.ipFamilyPolicy === 'PreferDualStack';
    type Candidate = { pool: IPAddressPool; free: { IPv4?: string; IPv6?: string } };
    let primaryCandidate: Candidate | undefined;
    let secondaryCandidate: Candidate | undefined;
    let chosen: Candidate | undefined;
    for (const pool of pools) {
      const free = this.freeInPool(pool, claim);
      if ((fam !== 'DualStack' && free[fam] !== undefined) || (free[primary] !== undefined && free[secondary] !== undefined)) {
        chosen = { pool, free };
        break;
      }
      if (!prefer) continue;
      if (free[primary] !== undefined) primaryCandidate ??= { pool, free };
      if (free[secondary] !== undefined) secondaryCandidate ??= { pool, free };
    }
    chosen ??= primaryCandidate ?? secondaryCandidate;
    if (!chosen) return undefined;
    const picked = this.select(chosen.free, svc, chosen.pool.name);
    if (typeof picked === 'string') return undefined;
    const r = this.assign(svc, picked, claim);
    return r.ok ? r : undefined;
  }

  /** Any suitable address: pinned pools by priority, then the other auto-assign pools (MetalLB `Allocate`). */
  allocate(svc: Service, claim: Claim = claimOf(svc)): AllocationOutcome {
    const pinned = pinnedPools(this.pools, svc, this.namespaces);
    const r = (pinned.length > 0 ? this.allocateFromPools(pinned, svc, claim) : undefined) ?? this.allocateFromPools(fallbackPools(this.pools), svc, claim);
    return r ?? { ok: false, reason: `no available ${serviceFamily(svc) === 'DualStack' ? 'IPv4/IPv6' : serviceFamily(svc)} address in any pool` };
  }

  /**
   * PreferDualStack with one address: try to add the missing family from the same pool, keeping the address it
   * has (MetalLB `AllocateFromPoolForAdditionalFamily`). Returns the new assignment, or undefined.
   */
  addMissingFamily(svc: Service, claim: Claim = claimOf(svc)): Assignment | undefined {
    const current = this.allocated.get(svc.key);
    const existing = current?.addresses[0];
    if (!current || current.addresses.length !== 1 || existing === undefined) return undefined;
    const pool = this.pools.find((p) => p.name === current.pool);
    const ip = parseAddress(existing);
    if (!pool || !ip) return undefined;
    const missing: IPFamily = family(ip) === 'IPv4' ? 'IPv6' : 'IPv4';
    const extra = this.freeInPool(pool, claim)[missing];
    if (extra === undefined) return undefined;
    const r = this.assign(svc, missing === 'IPv6' ? [existing, extra] : [extra, existing], claim);
    return r.ok ? r.assignment : undefined;
  }
}
