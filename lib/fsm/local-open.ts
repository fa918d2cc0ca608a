/**
 * Our OPEN (RFC 4271 §4.2) for one peer, built from its configuration.
 *
 * My Autonomous System is the local ASN when it fits in two octets and AS_TRANS otherwise, the real ASN then
 * travelling in the 4-octet AS capability (RFC 6793 §4.1). One Multiprotocol capability is sent per configured
 * family — even for IPv4 unicast alone, as FRR and MetalLB do, so the peer never has to rely on RFC 4760's implied
 * default. The other capabilities follow `config.capabilities` (RFC 5492); the order is FRR's, which keeps captures
 * easy to compare.
 *
 * The Restart State (R) bit of RFC 4724 §3 is the one part that is not configuration alone: it says "this speaker
 * has restarted", which stays true only until the first session with the peer is back (peer-fsm.ts then builds
 * the OPEN again with `restartState` false). Imports only wire constants and types.
 */
import { AS_TRANS, AddPathMode, BGP_VERSION } from '../wire/constants.js';
import type { Capability, OpenMessage } from '../wire/types.js';
import { resolveConfig } from './config.js';
import type { PeerFsmConfig, ResolvedFsmConfig } from './config.js';

/** RFC 4724 §3: Restart Flags (4 bits). */
const GR_RESTARTING = 0x8;
const GR_NOTIFICATION = 0x4;
/** RFC 4724 §3 and RFC 9494: the Forwarding State bit of a per-family Flags octet. */
const FORWARDING_STATE = 0x80;

const addPathModes = { receive: AddPathMode.Receive, send: AddPathMode.Send, both: AddPathMode.Both } as const;

/** The OPEN we send to a peer configured by `config`. */
export function buildLocalOpen(config: PeerFsmConfig): OpenMessage {
  return localOpenFor(resolveConfig(config));
}

/**
 * The OPEN for an already resolved configuration. `restartState` is the R bit, when graceful restart is
 * advertised at all; it defaults to the configured `gracefulRestart.restarting`.
 */
export function localOpenFor(
  config: ResolvedFsmConfig,
  restartState = config.capabilities.gracefulRestart?.restarting === true,
): OpenMessage {
  const caps = config.capabilities;
  const out: Capability[] = config.families.map((f) => ({ kind: 'multiprotocol', code: 1, afi: f.afi, safi: f.safi }));
  if (caps.routeRefresh ?? true) out.push({ kind: 'route-refresh', code: 2 });
  if (caps.enhancedRouteRefresh) out.push({ kind: 'enhanced-route-refresh', code: 70 });
  if (caps.fourOctetAs ?? true) out.push({ kind: 'four-octet-as', code: 65, asn: config.localAsn });
  if (caps.extendedMessage) out.push({ kind: 'extended-message', code: 6 });
  if (caps.addPath && caps.addPath.length > 0) {
    out.push({
      kind: 'add-path',
      code: 69,
      families: caps.addPath.map((f) => ({ afi: f.afi, safi: f.safi, mode: addPathModes[f.mode] })),
    });
  }
  if (caps.extendedNextHop && caps.extendedNextHop.length > 0) {
    out.push({
      kind: 'extended-next-hop',
      code: 5,
      entries: caps.extendedNextHop.map((e) => ({ afi: e.afi, safi: e.safi, nextHopAfi: e.nextHopAfi })),
    });
  }
  const gr = caps.gracefulRestart;
  if (gr) {
    out.push({
      kind: 'graceful-restart',
      code: 64,
      restartFlags: (restartState ? GR_RESTARTING : 0) | (gr.notification ? GR_NOTIFICATION : 0),
      restartTime: gr.restartTime,
      families: (gr.families ?? config.families).map((f) => ({
        afi: f.afi,
        safi: f.safi,
        flags: 'forwarding' in f && f.forwarding ? FORWARDING_STATE : 0,
      })),
    });
    const llgr = caps.longLivedGracefulRestart;
    if (llgr) {
      out.push({
        kind: 'long-lived-graceful-restart',
        code: 71,
        families: llgr.families.map((f) => ({
          afi: f.afi,
          safi: f.safi,
          flags: f.forwarding ? FORWARDING_STATE : 0,
          staleTime: f.staleTime,
        })),
      });
    }
  }
  if (caps.role !== undefined) out.push({ kind: 'role', code: 9, role: caps.role });
  if (caps.fqdn) {
    out.push({ kind: 'fqdn', code: 73, hostname: caps.fqdn.hostname, domainName: caps.fqdn.domainName ?? '' });
  }
  return {
    type: 1,
    version: BGP_VERSION,
    myAs: config.localAsn > 0xffff ? AS_TRANS : config.localAsn,
    holdTime: config.holdTime,
    bgpIdentifier: config.routerId,
    capabilities: out,
  };
}
