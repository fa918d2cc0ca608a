/**
 * Whether a route map means something else after a reload. A route map's meaning is its own entries plus every
 * object it reaches: the prefix lists (both the `ip` and the `ipv6` list of a name, as a family-neutral match may
 * use either), community, large community and AS-path lists its clauses name, and the route maps it `call`s, to
 * any depth. The fingerprint is that closure written out canonically, so two configurations give equal
 * fingerprints exactly when the map would decide every route the same way — and a reload refreshes only the
 * sessions whose policy really changed (FRR does the same per route map: `route-map … ` edits re-run only the
 * peers that use it).
 *
 * A name that is not defined has its own fingerprint: FRR, and lib/policy, deny every route then.
 *
 * Imports lib/policy types.
 */
import type { MatchClause, PolicyDefinition, RouteMapDefinition, SetClause } from '../policy/index.js';

/** The canonical text of route map `name` and everything it depends on in `def`. */
export function routeMapFingerprint(def: PolicyDefinition, name: string): string {
  const maps = new Map(def.routeMaps.map((m) => [m.name, m]));
  if (!maps.has(name)) return `missing:${name}`;
  const parts: string[] = [];
  const seenMaps = new Set<string>();
  const seenLists = new Set<string>();
  const list = (kind: string, listName: string): void => {
    const key = `${kind} ${listName}`;
    if (seenLists.has(key)) return;
    seenLists.add(key);
    switch (kind) {
      case 'prefix-list':
        for (const p of def.prefixLists) if (p.name === listName) parts.push(`prefix-list ${p.afi} ${JSON.stringify(p.entries)}`);
        break;
      case 'community-list':
        for (const c of def.communityLists) if (c.name === listName) parts.push(`community-list ${c.style} ${JSON.stringify(c.entries)}`);
        break;
      case 'large-community-list':
        for (const c of def.largeCommunityLists) if (c.name === listName) parts.push(`large-community-list ${c.style} ${JSON.stringify(c.entries)}`);
        break;
      case 'as-path-list':
        for (const a of def.asPathLists) if (a.name === listName) parts.push(`as-path-list ${JSON.stringify(a.entries)}`);
        break;
    }
    parts.push(`uses ${key}`);
  };
  const clause = (c: MatchClause | SetClause): void => {
    if (!('list' in c)) return;
    switch (c.kind) {
      case 'prefix-list':
      case 'next-hop-prefix-list':
        return list('prefix-list', c.list);
      case 'community':
      case 'community-delete':
        return list('community-list', c.list);
      case 'large-community':
      case 'large-community-delete':
        return list('large-community-list', c.list);
      case 'as-path':
        return list('as-path-list', c.list);
    }
  };
  const visit = (m: RouteMapDefinition): void => {
    if (seenMaps.has(m.name)) return;
    seenMaps.add(m.name);
    parts.push(`route-map ${m.name} ${JSON.stringify(m.entries)}`);
    for (const e of m.entries) {
      for (const c of e.match) clause(c);
      for (const c of e.set) clause(c);
      if (e.call !== undefined) {
        const called = maps.get(e.call);
        if (called !== undefined) visit(called);
        else parts.push(`call-missing ${e.call}`);
      }
    }
  };
  visit(maps.get(name) as RouteMapDefinition);
  return parts.join('\n');
}
