/**
 * Capabilities (RFC 5492) of the two OPENs of a session, and what the session negotiated, as the control API's
 * JSON: one `CapabilityView` per capability in wire order, families as ids, opaque values as hex.
 */
import { AddPathMode, BgpRole, type Capability } from '../wire/index.js';
import { hex } from '../inspect/index.js';
import type { PeerStatus } from '../speaker/index.js';
import { familyId, familyIdOfKey } from './families.js';
import type { CapabilitiesView, CapabilityView, NegotiatedView } from './views.js';

type Negotiated = NonNullable<PeerStatus['negotiated']>;

/** RFC 9234 §4.1 roles in FRR's words (`neighbor X local-role provider`). */
const ROLE_NAMES: Readonly<Record<number, string>> = {
  [BgpRole.Provider]: 'provider',
  [BgpRole.RouteServer]: 'rs-server',
  [BgpRole.RouteServerClient]: 'rs-client',
  [BgpRole.Customer]: 'customer',
  [BgpRole.Peer]: 'peer',
};

export function roleName(role: number): string {
  return ROLE_NAMES[role] ?? `role ${role}`;
}

function addPathMode(mode: number): 'receive' | 'send' | 'both' | number {
  if (mode === AddPathMode.Receive) return 'receive';
  if (mode === AddPathMode.Send) return 'send';
  if (mode === AddPathMode.Both) return 'both';
  return mode;
}

export function capabilityView(c: Capability): CapabilityView {
  switch (c.kind) {
    case 'multiprotocol':
      return { name: c.kind, code: c.code, family: familyId(c.afi, c.safi) };
    case 'route-refresh':
      return { name: c.kind, code: c.code };
    case 'extended-next-hop':
      return { name: c.kind, code: c.code, entries: c.entries.map((e) => ({ family: familyId(e.afi, e.safi), nextHopAfi: e.nextHopAfi })) };
    case 'extended-message':
      return { name: c.kind, code: c.code };
    case 'role':
      return { name: c.kind, code: c.code, role: roleName(c.role) };
    case 'graceful-restart':
      return {
        name: c.kind,
        code: c.code,
        restartTime: c.restartTime,
        // RFC 4724 §3 R bit (0x8) and RFC 8538 N bit (0x4) of the 4-bit Restart Flags.
        restarting: (c.restartFlags & 0x8) !== 0,
        notification: (c.restartFlags & 0x4) !== 0,
        families: c.families.map((f) => ({ family: familyId(f.afi, f.safi), forwardingPreserved: (f.flags & 0x80) !== 0 })),
      };
    case 'four-octet-as':
      return { name: c.kind, code: c.code, asn: c.asn };
    case 'add-path':
      return { name: c.kind, code: c.code, families: c.families.map((f) => ({ family: familyId(f.afi, f.safi), mode: addPathMode(f.mode) })) };
    case 'enhanced-route-refresh':
      return { name: c.kind, code: c.code };
    case 'long-lived-graceful-restart':
      return {
        name: c.kind,
        code: c.code,
        families: c.families.map((f) => ({
          family: familyId(f.afi, f.safi),
          forwardingPreserved: (f.flags & 0x80) !== 0,
          staleTime: f.staleTime,
        })),
      };
    case 'fqdn':
      return { name: c.kind, code: c.code, hostname: c.hostname, domainName: c.domainName };
    case 'unknown':
      return { name: c.kind, code: c.code, value: hex(c.value), malformed: c.malformed === true };
  }
}

function negotiatedView(n: Negotiated): NegotiatedView {
  const gr = n.gracefulRestart;
  return {
    fourOctetAs: n.fourOctetAs,
    routeRefresh: n.routeRefresh,
    enhancedRouteRefresh: n.enhancedRouteRefresh,
    extendedMessage: n.extendedMessage,
    families: n.families.map(familyIdOfKey),
    addPath: { send: [...n.addPath.send].map(familyIdOfKey), receive: [...n.addPath.receive].map(familyIdOfKey) },
    gracefulRestart: gr
      ? { restartTime: gr.restartTime, restarting: gr.restarting, notification: gr.notification, families: gr.families.map((f) => familyId(f.afi, f.safi)) }
      : null,
    extendedNextHop: n.extendedNextHop.map((e) => ({ family: familyId(e.afi, e.safi), nextHopAfi: e.nextHopAfi })),
    role: {
      local: n.role.local === undefined ? null : roleName(n.role.local),
      peer: n.role.peer === undefined ? null : roleName(n.role.peer),
    },
  };
}

export function capabilitiesView(n: Negotiated): CapabilitiesView {
  return {
    advertised: n.localOpen.capabilities.map(capabilityView),
    received: n.peerOpen.capabilities.map(capabilityView),
    negotiated: negotiatedView(n),
  };
}
