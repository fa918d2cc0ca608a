/**
 * Router mode's configuration: `kind: Router` (`apiVersion: tsbgpd.io/v1alpha1`), written as YAML fields or as an
 * `frr: |` block of FRR `router bgp` text (the seed's pfSense configuration, line for line), checked into one
 * frozen `RouterConfig` — or every problem as `file:line:column: field: message`.
 *
 *   const r = loadRouterConfig({ name: 'router.yaml', text });
 *   if (!r.ok) for (const d of r.errors) console.error(formatDiagnostic(d));
 *   else await startRouter(r.config, { logger });            // lib/router
 *
 * docs/configuration.md documents every field. Imports lib/wire, lib/policy and the `yaml` package.
 */
export { loadRouterConfig, ROUTER_API_VERSION, ROUTER_KIND, type RouterLoadResult } from './router-load.js';
export {
  effectiveSettings,
  ROUTER_DEFAULTS,
  type RouterConfig,
  type RouterEndpoint,
  type RouterFamily,
  type RouterGracefulRestart,
  type RouterListener,
  type RouterListenRange,
  type RouterNeighbor,
  type RouterNetwork,
  type RouterPeerGroup,
  type RouterPeerSettings,
  type RouterRemoteAs,
  type RouterRouteAttributes,
} from './router-types.js';
