/**
 * `show summary` as FRR's `show bgp summary` prints it (bgpd/bgp_vty.c, bgp_show_summary): the identity lines,
 * then one row per neighbour in FRR's columns and widths, then the count. Rendered from a `SummaryView` alone.
 *
 * Where tsbgpd differs, it says less rather than something untrue: counts are over all families (one table, no
 * "IPv4 Unicast Summary" split), there is no BGP table version (TblVer is 0) and no memory accounting. OutQ is
 * the routes waiting to be sent to the peer.
 */
import { formatUptime, left, lines, right } from './format.js';
import type { SummaryPeerView, SummaryView } from './views.js';

/** FRR shows at most this much of a description in the table (BGP_PEER_SHOW_DESC_MAX). */
const DESCRIPTION_WIDTH = 20;
/** FRR's minimum Neighbor column: 15 characters of address and a space. */
const NEIGHBOR_WIDTH = 16;

const RFC8212 = 'rfc8212-no-policy';

const HEADER = 'V         AS   MsgRcvd   MsgSent   TblVer  InQ OutQ  Up/Down State/PfxRcd   PfxSnt Desc';

function stateOrPrefixes(p: SummaryPeerView): { rcvd: string; sent: string } {
  if (p.state !== 'Established') return { rcvd: p.state, sent: '0' };
  // RFC 8212: an eBGP session without policy takes and gives nothing; FRR says "(Policy)" in place of a count.
  // (A missing route map also denies everything, but FRR counts then: the session has a policy, just no routes.)
  return {
    rcvd: p.policyBlocked.in === RFC8212 ? '(Policy)' : String(p.prefixes.accepted),
    sent: p.policyBlocked.out === RFC8212 ? '(Policy)' : String(p.prefixes.sent),
  };
}

/** FRR marks a neighbour accepted from a listen range with `*`. */
function neighborName(p: SummaryPeerView): string {
  return p.dynamic ? `*${p.address}` : p.address;
}

function row(p: SummaryPeerView, width: number): string {
  const { rcvd, sent } = stateOrPrefixes(p);
  const description = p.description === null ? 'N/A' : p.description.slice(0, DESCRIPTION_WIDTH);
  return (
    left(neighborName(p), width) +
    '4 ' +
    right(p.peerAs ?? p.remoteAs ?? 0, 10) +
    ' ' +
    right(p.messages.received, 9) +
    ' ' +
    right(p.messages.sent, 9) +
    ' ' +
    right(0, 8) +
    ' ' +
    right(p.inQueue, 4) +
    ' ' +
    right(p.outQueue, 4) +
    ' ' +
    right(formatUptime(p.upDownSeconds), 8) +
    ' ' +
    right(rcvd, 12) +
    ' ' +
    right(sent, 8) +
    ' ' +
    description
  );
}

export function renderSummary(view: SummaryView): string {
  const out = [
    `BGP router identifier ${view.routerId}, local AS number ${view.localAs}`,
    `RIB entries ${view.ribEntries}`,
    `Peers ${view.peers.length}`,
    '',
  ];
  if (view.peers.length === 0) {
    out.push('% No BGP neighbors found');
    return lines(out);
  }
  // Like FRR, the column widens to fit the longest address (IPv6) plus one space.
  const width = Math.max(NEIGHBOR_WIDTH, ...view.peers.map((p) => neighborName(p).length + 1));
  out.push(left('Neighbor', width) + HEADER);
  for (const p of view.peers) out.push(row(p, width));
  out.push('', `Total number of neighbors ${view.peers.length}`);
  const dynamic = view.peers.filter((p) => p.dynamic).length;
  if (dynamic > 0) out.push('* - dynamic neighbor', `${dynamic} dynamic neighbor(s)`);
  return lines(out);
}
