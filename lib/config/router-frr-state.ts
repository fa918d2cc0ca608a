/**
 * What the FRR reader accumulates besides the draft itself: which names are activated in which address family
 * (FRR's `address-family … / neighbor X activate`, with `bgp default ipv4-unicast` on unless turned off), the
 * route maps and reflector-client flags per family, and `maximum-paths` per session kind — and how that folds into
 * the one-value-per-peer settings the Speaker has, once the whole text is read (`finishFamilies`).
 *
 * FRR configures these per AFI/SAFI; the Speaker applies one import and one export route map, and one
 * route-reflector-client flag, to every family of a session. Where a text gives one family a value and another a
 * different one, that is reported rather than half-applied.
 *
 * Imports this folder only.
 */
import type { Diagnostics } from './diagnostics.js';
import type { Located, NeighborDraft, PeerGroupDraft, RouterDraft, Where } from './router-draft.js';
import type { RouterFamily } from './router-types.js';

export const FAMILIES: readonly RouterFamily[] = ['ipv4-unicast', 'ipv6-unicast'];
/** What a session carries when its configuration names no family (the Speaker's default). */
const DEFAULT_FAMILIES: readonly RouterFamily[] = ['ipv4-unicast'];

export class FamilyState {
  /** `bgp default ipv4-unicast` (FRR's traditional default: on). */
  defaultIpv4: Located<boolean> | undefined;
  /** name (address or peer group) → family → activated. */
  private readonly activations = new Map<string, Map<RouterFamily, Located<boolean>>>();
  /** `name in|out` → the route map and the family it was set in. */
  private readonly routeMaps = new Map<string, { name: string; family: RouterFamily }>();
  private readonly reflectorClients = new Map<string, Set<RouterFamily>>();
  readonly maximumPaths: { ebgp?: Located<number>; ibgp?: Located<number> } = {};

  activate(name: string, family: RouterFamily, on: boolean, where: Where): void {
    let m = this.activations.get(name);
    if (m === undefined) this.activations.set(name, (m = new Map()));
    m.set(family, { value: on, where });
  }

  /** Records `neighbor NAME route-map MAP in|out` of a family; a different map for another family is a problem. */
  routeMap(name: string, dir: 'in' | 'out', map: string, family: RouterFamily): string | undefined {
    const key = `${name} ${dir}`;
    const before = this.routeMaps.get(key);
    this.routeMaps.set(key, { name: map, family });
    if (before !== undefined && before.family !== family && before.name !== map) {
      return `route-map ${dir} differs between ${before.family} (${before.name}) and ${family} (${map}): tsbgpd applies one route map per direction to every family of a session`;
    }
    return undefined;
  }

  reflectorClient(name: string, family: RouterFamily): void {
    let s = this.reflectorClients.get(name);
    if (s === undefined) this.reflectorClients.set(name, (s = new Set()));
    s.add(family);
  }

  private families(name: string, group: string | undefined): { list: RouterFamily[]; where: Where | undefined } {
    const own = this.activations.get(name);
    const inherited = group === undefined ? undefined : this.activations.get(group);
    const list: RouterFamily[] = [];
    let where: Where | undefined;
    for (const f of FAMILIES) {
      const a = own?.get(f) ?? inherited?.get(f);
      where ??= a?.where;
      if (a?.value ?? (f === 'ipv4-unicast' && (this.defaultIpv4?.value ?? true))) list.push(f);
    }
    return { list, where: where ?? this.defaultIpv4?.where };
  }

  /**
   * Sets `families` on every peer group and neighbour from the activations, and warns where a reflector client is
   * flagged in some of its families only (the Speaker's flag covers the whole session).
   */
  finishFamilies(draft: RouterDraft, diags: Diagnostics): void {
    const groupLists = new Map<string, readonly RouterFamily[]>();
    const apply = (peer: PeerGroupDraft | NeighborDraft, name: string, group: string | undefined): void => {
      const { list, where } = this.families(name, group);
      if ('name' in peer) groupLists.set(name, list);
      // Set only where it differs from what the peer gets anyway (its group's, or the Speaker's IPv4 unicast), so
      // the FRR form yields the same configuration as the YAML one.
      const inherited = (group === undefined ? undefined : groupLists.get(group)) ?? DEFAULT_FAMILIES;
      if (list.length !== inherited.length || list.some((f, i) => f !== inherited[i])) {
        peer.settings.families = { value: list, where: where ?? peer.where };
      }
      const rr = this.reflectorClients.get(name) ?? (group === undefined ? undefined : this.reflectorClients.get(group));
      if (rr !== undefined && list.some((f) => !rr.has(f))) {
        const at = peer.settings.routeReflectorClient?.where ?? peer.where;
        diags.warning(at.pos, at.field, `${name}: route-reflector-client is set for ${[...rr].join(', ')} only; tsbgpd applies it to the whole session (${list.join(', ')})`);
      }
    };
    for (const g of draft.peerGroups.values()) apply(g, g.name, undefined);
    for (const n of draft.neighbors.values()) apply(n, n.address, n.peerGroup?.value);
    const { ebgp, ibgp } = this.maximumPaths;
    if (ebgp !== undefined && ibgp !== undefined && ebgp.value !== ibgp.value) {
      diags.error(ibgp.where.pos, ibgp.where.field, `maximum-paths ibgp ${ibgp.value} differs from maximum-paths ${ebgp.value}: tsbgpd has one maximum-paths for eBGP and iBGP paths alike`);
    }
    const paths = ebgp ?? ibgp;
    if (paths !== undefined) draft.maximumPaths = paths;
  }
}
