/**
 * `show neighbors [ADDR]` as FRR's `show bgp neighbors` prints it (bgpd/bgp_vty.c, bgp_show_peer): identity,
 * state and timers, the capabilities of both OPENs ("advertised and received"), the message counters table, the
 * per-family policy and prefix lines, then connections, the last reset and the local end of the session.
 * tsbgpd adds the last NOTIFICATION each way (RFC 4271 §4.5 names, RFC 9003 shutdown communication).
 */
import { familyDisplayOfId } from './families.js';
import { formatUptime, lines, right } from './format.js';
import type { CapabilityView, NeighborView, NeighborsView, NotificationView } from './views.js';

/** FRR's "advertised and received" phrase, or undefined when neither side sent the capability. */
function advRcv(advertised: boolean, received: boolean): string | undefined {
  if (advertised && received) return 'advertised and received';
  if (advertised) return 'advertised';
  return received ? 'received' : undefined;
}

function ofName<N extends CapabilityView['name']>(list: readonly CapabilityView[], name: N): Extract<CapabilityView, { name: N }>[] {
  return list.filter((c): c is Extract<CapabilityView, { name: N }> => c.name === name);
}

/** The "Neighbor capabilities:" block, in FRR's order. */
function capabilityLines(view: NeighborView): string[] {
  const caps = view.capabilities;
  if (!caps) return [];
  const { advertised: adv, received: rcv } = caps;
  const out = ['  Neighbor capabilities:'];
  const simple = (name: CapabilityView['name'], label: string): void => {
    const phrase = advRcv(ofName(adv, name).length > 0, ofName(rcv, name).length > 0);
    if (phrase) out.push(`    ${label}: ${phrase}`);
  };
  simple('four-octet-as', '4 Byte AS');
  simple('extended-message', 'Extended Message');

  // RFC 7911: per family, whether each side can send (TX) and receive (RX) Path Identifiers.
  const addPath = (list: readonly CapabilityView[], family: string, dir: 'send' | 'receive'): boolean =>
    ofName(list, 'add-path').some((c) => c.families.some((f) => f.family === family && (f.mode === dir || f.mode === 'both')));
  const addPathFamilies = unique([...ofName(adv, 'add-path'), ...ofName(rcv, 'add-path')].flatMap((c) => c.families.map((f) => f.family)));
  if (addPathFamilies.length > 0) {
    out.push('    AddPath:');
    for (const family of addPathFamilies) {
      const tx = advRcv(addPath(adv, family, 'send'), addPath(rcv, family, 'send'));
      const rx = advRcv(addPath(adv, family, 'receive'), addPath(rcv, family, 'receive'));
      if (tx) out.push(`      ${familyDisplayOfId(family)}: TX ${tx}`);
      if (rx) out.push(`      ${familyDisplayOfId(family)}: RX ${rx}`);
    }
  }

  const llgrPhrase = advRcv(ofName(adv, 'long-lived-graceful-restart').length > 0, ofName(rcv, 'long-lived-graceful-restart').length > 0);
  if (llgrPhrase) {
    out.push(`    Long-lived Graceful Restart: ${llgrPhrase}`);
    const families = ofName(rcv, 'long-lived-graceful-restart').flatMap((c) => c.families);
    if (families.length > 0) {
      out.push('      Address families by peer:');
      for (const f of families) out.push(`        ${familyDisplayOfId(f.family)}(stale time ${f.staleTime} seconds)`);
    }
  }

  // RFC 2918 code 2 ("new") and the pre-standard code 128 ("old").
  const rrAdv = ofName(adv, 'route-refresh').length > 0;
  const rrCodes = new Set(ofName(rcv, 'route-refresh').map((c) => c.code));
  if (rrAdv || rrCodes.size > 0) {
    let text = rrAdv ? 'advertised' : '';
    if (rrCodes.size > 0) {
      const which = rrCodes.has(2) && rrCodes.has(128) ? 'old & new' : rrCodes.has(128) ? 'old' : 'new';
      text += `${rrAdv ? ' and ' : ''}received(${which})`;
    }
    out.push(`    Route refresh: ${text}`);
  }
  simple('enhanced-route-refresh', 'Enhanced Route Refresh');

  const mpAdv = ofName(adv, 'multiprotocol').map((c) => c.family);
  const mpRcv = ofName(rcv, 'multiprotocol').map((c) => c.family);
  for (const family of unique([...mpAdv, ...mpRcv])) {
    out.push(`    Address Family ${familyDisplayOfId(family)}: ${advRcv(mpAdv.includes(family), mpRcv.includes(family)) as string}`);
  }

  const fqdnAdv = ofName(adv, 'fqdn')[0];
  const fqdnRcv = ofName(rcv, 'fqdn')[0];
  if (fqdnAdv || fqdnRcv) {
    const names = (c: { hostname: string; domainName: string }): string => `(name: ${c.hostname},domain name: ${c.domainName || 'n/a'})`;
    out.push(
      `    Hostname Capability: ${fqdnAdv ? `advertised ${names(fqdnAdv)}` : 'not advertised'} ${fqdnRcv ? `received ${names(fqdnRcv)}` : 'not received'}`,
    );
  }

  const grRcv = ofName(rcv, 'graceful-restart')[0];
  const grPhrase = advRcv(ofName(adv, 'graceful-restart').length > 0, grRcv !== undefined);
  if (grPhrase) {
    out.push(`    Graceful Restart Capability: ${grPhrase}`);
    if (grRcv) {
      out.push(`      Remote Restart timer is ${grRcv.restartTime} seconds`, '      Address families by peer:');
      const families = grRcv.families.map((f) => `${familyDisplayOfId(f.family)}(${f.forwardingPreserved ? 'preserved' : 'not preserved'})`);
      out.push(`        ${families.length > 0 ? families.join(', ') : 'none'}`);
    }
  }

  const enhRcv = ofName(rcv, 'extended-next-hop').flatMap((c) => c.entries);
  const enhPhrase = advRcv(ofName(adv, 'extended-next-hop').length > 0, enhRcv.length > 0);
  if (enhPhrase) {
    out.push(`    Extended nexthop: ${enhPhrase}`);
    if (enhRcv.length > 0) {
      out.push('      Address families by peer:');
      for (const e of enhRcv) out.push(`        ${familyDisplayOfId(e.family)}`);
    }
  }

  const unknownCodes = unique([...ofName(adv, 'unknown'), ...ofName(rcv, 'unknown')].map((c) => c.code));
  for (const code of unknownCodes) {
    const phrase = advRcv(ofName(adv, 'unknown').some((c) => c.code === code), ofName(rcv, 'unknown').some((c) => c.code === code));
    const malformed = ofName(rcv, 'unknown').some((c) => c.code === code && c.malformed);
    out.push(`    Capability code ${code}${malformed ? ' (malformed)' : ''}: ${phrase as string}`);
  }
  return out;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

function messageLines(view: NeighborView): string[] {
  const { sent, received } = view.messages;
  const r = (label: string, s: number, v: number): string => `    ${label.padEnd(15)}${right(s, 10)} ${right(v, 10)}`;
  return [
    '  Message statistics:',
    `    Inq depth is ${view.queues.in}`,
    `    Outq depth is ${view.queues.out}`,
    '                         Sent       Rcvd',
    r('Opens:', sent.open, received.open),
    r('Notifications:', sent.notification, received.notification),
    r('Updates:', sent.update, received.update),
    r('Keepalives:', sent.keepalive, received.keepalive),
    r('Route Refresh:', sent.routeRefresh, received.routeRefresh),
    // Dynamic Capability messages (type 6) are neither sent nor accepted by tsbgpd.
    r('Capability:', 0, 0),
    r('Total:', sent.total, received.total),
  ];
}

function policyLine(direction: 'Inbound' | 'Outbound', reason: string | null): string[] {
  if (reason === null) return [];
  if (reason === 'rfc8212-no-policy') return [`  ${direction} updates discarded due to missing policy`];
  return [`  ${direction} updates discarded by policy (${reason})`];
}

function notificationLine(direction: 'sent' | 'received', n: NotificationView | null): string[] {
  if (n === null) return [`  Last notification ${direction}: never`];
  // FRR writes code and subcode names joined by a bare slash: "Cease/Administrative Shutdown".
  const out = [`  Last notification ${direction} ${formatUptime(n.agoSeconds)} ago: ${n.name.replace(' / ', '/')} (${n.code}/${n.subcode})`];
  if (n.shutdownMessage !== null) out.push(`    Message: ${JSON.stringify(n.shutdownMessage)}`);
  return out;
}

export function renderNeighbor(view: NeighborView): string {
  const out = [
    `BGP neighbor is ${view.dynamic ? '*' : ''}${view.address}, remote AS ${view.peerAs ?? view.remoteAs ?? 'unset'}, local AS ${view.localAs}, ${view.link ?? 'unknown'} link`,
  ];
  const role = view.capabilities?.negotiated.role;
  if (role && (role.local !== null || role.peer !== null)) {
    out.push(`  Local Role: ${role.local ?? 'undefined'}`, `  Remote Role: ${role.peer ?? 'undefined'}`);
  }
  if (view.description !== null) out.push(` Description: ${view.description}`);
  if (view.peerGroup !== null) out.push(` Member of peer-group ${view.peerGroup} for session parameters`);
  out.push(`  BGP version 4, remote router ID ${view.routerId ?? '0.0.0.0'}, local router ID ${view.localRouterId}`);
  out.push(`  BGP state = ${view.state}${view.state === 'Established' ? `, up for ${formatUptime(view.upDownSeconds)}` : ''}`);
  const t = view.timers;
  if (t.holdTime !== null) out.push(`  Hold time is ${t.holdTime} seconds, keepalive interval is ${t.keepaliveTime ?? 0} seconds`);
  if (t.configuredHoldTime !== null) {
    const keepalive = t.configuredKeepaliveTime === null ? '' : `, keepalive interval is ${t.configuredKeepaliveTime} seconds`;
    out.push(`  Configured hold time is ${t.configuredHoldTime} seconds${keepalive}`);
  }
  out.push(...capabilityLines(view), ...messageLines(view));
  for (const f of view.families) {
    out.push(
      '',
      ` For address family: ${familyDisplayOfId(f.family)}`,
      ...policyLine('Inbound', view.policyBlocked.in),
      ...policyLine('Outbound', view.policyBlocked.out),
      `  ${f.received} received, ${f.accepted} accepted, ${f.sent} sent prefixes`,
    );
  }
  out.push('', `  Connections established ${view.connections.established}; dropped ${view.connections.dropped}`);
  if (view.lastReset === null) out.push('  Last reset never');
  else if (view.lastReset.agoSeconds === null) out.push(`  Last reset: ${view.lastReset.reason}`);
  else out.push(`  Last reset ${formatUptime(view.lastReset.agoSeconds)},  ${view.lastReset.reason}`);
  out.push(...notificationLine('sent', view.lastNotificationSent), ...notificationLine('received', view.lastNotificationReceived));
  if (view.localHost) out.push(`Local host: ${view.localHost.address}, Local port: ${view.localHost.port}`);
  return lines(out);
}

/** Every neighbour, each followed by a blank line as FRR prints them. */
export function renderNeighbors(view: NeighborsView): string {
  return view.neighbors.map((n) => `${renderNeighbor(n)}\n`).join('');
}
