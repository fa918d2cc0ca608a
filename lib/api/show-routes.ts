/**
 * `show routes` as FRR's `show bgp ipv4 unicast` prints it (bgpd/bgp_route.c, route_vty_out): the legend, the
 * `Network Next Hop Metric LocPrf Weight Path` table with one line per path and FRR's column widths and wrapping,
 * then the totals; a section per family. A single prefix of the Loc-RIB prints FRR's detail view instead
 * (route_vty_out_detail): every path with AS path, next hop, origin, metric, local preference, communities,
 * originator, cluster list and its best / multipath flags. Rendered from a `RoutesView` alone.
 *
 * Where tsbgpd differs, it omits rather than invents: no BGP table version, no "Last update" time and no
 * best-path reason, which the RIB does not record.
 */
import { familyDisplayOfId } from './families.js';
import { lines, right } from './format.js';
import type { RouteEntryView, RouteFamilyView, RoutePathView, RoutesView } from './views.js';

const NETWORK_WIDTH = 17;
const NEXT_HOP_WIDTH = 16;
/** Status (3) + Network (17): where Next Hop starts, and where a wrapped row resumes. */
const NEXT_HOP_COLUMN = 3 + NETWORK_WIDTH;
const METRIC_COLUMN = NEXT_HOP_COLUMN + NEXT_HOP_WIDTH;

const ORIGIN_CODE: Readonly<Record<string, string>> = { igp: 'i', egp: 'e', incomplete: '?' };
const ORIGIN_WORD: Readonly<Record<string, string>> = { igp: 'IGP', egp: 'EGP', incomplete: 'incomplete' };

function legend(view: RoutesView): string[] {
  return [
    `BGP local router ID is ${view.routerId}`,
    `Default local pref ${view.defaultLocalPref}, local AS ${view.localAs}`,
    'Status codes:  s suppressed, d damped, h history, * valid, > best, = multipath,',
    '               i internal, r RIB-failure, S Stale, R Removed',
    'Origin codes:  i - IGP, e - EGP, ? - incomplete',
    '',
    '   Network          Next Hop            Metric LocPrf Weight Path',
  ];
}

/** `*>i`: valid, best (or `=` multipath), internal. */
function status(p: RoutePathView): string {
  return `${p.stale ? 'S' : p.valid ? '*' : ' '}${p.best ? '>' : p.multipath ? '=' : ' '}${p.internal ? 'i' : ' '}`;
}

/** The next hop as FRR prints it; "ourselves" is the unspecified address of the family. */
function nextHopText(p: RoutePathView, family: string): string {
  return p.nextHop ?? (family === 'ipv6-unicast' ? '::' : '0.0.0.0');
}

/** AS path then origin code: `65001 65002 i`, or just `i`. */
function pathText(p: RoutePathView): string {
  const origin = p.origin === null ? '' : (ORIGIN_CODE[p.origin] ?? '');
  return [p.asPath, origin].filter((s) => s !== '').join(' ');
}

/** One table row; an over-long network or next hop wraps onto the next line as FRR does. */
function row(p: RoutePathView, network: string, family: string): string[] {
  const out: string[] = [];
  let line = status(p);
  if (network.length >= NETWORK_WIDTH) {
    out.push(line + network);
    line = ' '.repeat(NEXT_HOP_COLUMN);
  } else {
    line += network.padEnd(NETWORK_WIDTH);
  }
  const nextHop = nextHopText(p, family);
  if (nextHop.length >= NEXT_HOP_WIDTH) {
    out.push(line + nextHop);
    line = ' '.repeat(METRIC_COLUMN);
  } else {
    line += nextHop.padEnd(NEXT_HOP_WIDTH);
  }
  line += p.med === null ? ' '.repeat(10) : right(p.med, 10);
  line += p.localPref === null ? ' '.repeat(7) : right(p.localPref, 7);
  line += `${right(p.weight, 7)} ${pathText(p)}`;
  out.push(line);
  return out;
}

function table(view: RoutesView, section: RouteFamilyView): string[] {
  const out = legend(view);
  let paths = 0;
  for (const route of section.routes) {
    route.paths.forEach((p, i) => out.push(...row(p, i === 0 ? route.prefix : '', section.family)));
    paths += route.paths.length;
  }
  out.push('');
  if (view.view === 'loc-rib') out.push(`Displayed  ${section.routes.length} routes and ${paths} total paths`);
  else out.push(`Total number of prefixes ${section.routes.length}`);
  return out;
}

function detailPath(view: RoutesView, p: RoutePathView, family: string): string[] {
  const aggregated = p.aggregator === null ? '' : `, (aggregated by ${p.aggregator.asn} ${p.aggregator.address})`;
  const out = [`  ${p.asPath === '' ? 'Local' : p.asPath}${aggregated}`];
  const nextHop = nextHopText(p, family);
  if (p.source === 'local') {
    out.push(`    ${nextHop} from ${family === 'ipv6-unicast' ? '::' : '0.0.0.0'} (${view.routerId})`);
  } else {
    // FRR shows the ORIGINATOR_ID in parentheses when a route reflector passed the route on (RFC 4456).
    out.push(`    ${nextHop} from ${p.peer ?? '?'} (${p.originatorId ?? p.peerRouterId ?? '0.0.0.0'})`);
  }
  if (p.nextHopLinkLocal !== null) out.push(`    (${p.nextHopLinkLocal})`);
  const flags = [`Origin ${p.origin === null ? 'unknown' : (ORIGIN_WORD[p.origin] ?? p.origin)}`];
  if (p.med !== null) flags.push(`metric ${p.med}`);
  if (p.localPref !== null) flags.push(`localpref ${p.localPref}`);
  if (p.weight !== 0) flags.push(`weight ${p.weight}`);
  if (p.valid) flags.push('valid');
  flags.push(p.source === 'local' ? 'sourced, local' : p.internal ? 'internal' : 'external');
  if (p.atomicAggregate) flags.push('atomic-aggregate');
  if (p.multipath) flags.push('multipath');
  if (p.best) flags.push('best');
  out.push(`      ${flags.join(', ')}`);
  if (p.communities.length > 0) out.push(`      Community: ${p.communities.join(' ')}`);
  if (p.extendedCommunities.length > 0) out.push(`      Extended Community: ${p.extendedCommunities.join(' ')}`);
  if (p.largeCommunities.length > 0) out.push(`      Large Community: ${p.largeCommunities.join(' ')}`);
  const reflection: string[] = [];
  if (p.originatorId !== null) reflection.push(`Originator: ${p.originatorId}`);
  if (p.clusterList.length > 0) reflection.push(`Cluster list: ${p.clusterList.join(' ')}`);
  if (reflection.length > 0) out.push(`      ${reflection.join(', ')}`);
  if (p.otc !== null) out.push(`      OTC: ${p.otc}`);
  return out;
}

function detail(view: RoutesView, route: RouteEntryView, family: string): string[] {
  const best = route.paths.findIndex((p) => p.best);
  const out = [
    `BGP routing table entry for ${route.prefix}`,
    `Paths: (${route.paths.length} available, ${best < 0 ? 'no best path' : `best #${best + 1}, table default`})`,
  ];
  for (const p of route.paths) out.push(...detailPath(view, p, family));
  return out;
}

export interface RenderRoutesOptions {
  /** The per-path detail view; default: when the view is one prefix of the Loc-RIB. */
  detail?: boolean;
}

export function renderRoutes(view: RoutesView, options: RenderRoutesOptions = {}): string {
  const wantDetail = options.detail ?? (view.view === 'loc-rib' && view.prefix !== null);
  if (view.families.length === 0) {
    if (wantDetail) return lines(['% Network not in table']);
    if (view.view === 'loc-rib') return lines([`No BGP prefixes displayed, ${view.ribEntries} exist`]);
    return lines(['Total number of prefixes 0']);
  }
  const out: string[] = [];
  view.families.forEach((section, i) => {
    if (i > 0) out.push('');
    // FRR's `show bgp all` names each family's table; a single family prints as `show bgp ipv4 unicast`.
    if (view.families.length > 1) out.push(`For address family: ${familyDisplayOfId(section.family)}`);
    if (wantDetail) for (const route of section.routes) out.push(...detail(view, route, section.family));
    else out.push(...table(view, section));
  });
  return lines(out);
}
