/**
 * The seed's MetalLB configuration (IPAddressPool 10.8.0.0/16, BGPAdvertisement aggregationLength 32, BGPPeer toward
 * pfSense, the guestbook-ui Service), exactly as the seed gives it: fixtures/seed/metallb.yaml.
 */
import { readFileSync } from 'node:fs';

export const SEED_YAML = readFileSync(new URL('../../fixtures/seed/metallb.yaml', import.meta.url), 'utf8');

/**
 * The pfSense FRR package's configuration for the seed's GUI steps (AS 65100, router ID 192.168.3.1, Permit-Any in
 * and out, "Disable eBGP Require Policy"), for `nodes` in peer group rubrik-metallb (AS 65101). `gracefulRestart`
 * adds `bgp graceful-restart`; `notification: false` turns its RFC 8538 N bit off.
 */
export function pfsenseFrrConfig(
  nodes: readonly string[],
  options: { maximumPaths?: number; gracefulRestart?: boolean; notification?: boolean } = {},
): string[] {
  return [
    'route-map Permit-Any permit 100',
    'exit',
    '!',
    'router bgp 65100',
    ' bgp router-id 192.168.3.1',
    ' no bgp ebgp-requires-policy',
    ...(options.gracefulRestart ? [' bgp graceful-restart'] : []),
    ...(options.gracefulRestart && options.notification === false ? [' no bgp graceful-restart notification'] : []),
    ' neighbor rubrik-metallb peer-group',
    ' neighbor rubrik-metallb remote-as 65101',
    ...nodes.map((a) => ` neighbor ${a} peer-group rubrik-metallb`),
    ' address-family ipv4 unicast',
    ...(options.maximumPaths !== undefined ? [`  maximum-paths ${options.maximumPaths}`] : []),
    '  neighbor rubrik-metallb activate',
    '  neighbor rubrik-metallb route-map Permit-Any in',
    '  neighbor rubrik-metallb route-map Permit-Any out',
    ' exit-address-family',
    'exit',
    '!',
  ];
}
