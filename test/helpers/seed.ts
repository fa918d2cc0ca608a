/**
 * The seed's MetalLB configuration (IPAddressPool 10.8.0.0/16, BGPAdvertisement aggregationLength 32, BGPPeer toward
 * pfSense, the guestbook-ui Service), exactly as the seed gives it: fixtures/seed/metallb.yaml.
 */
import { readFileSync } from 'node:fs';

export const SEED_YAML = readFileSync(new URL('../../fixtures/seed/metallb.yaml', import.meta.url), 'utf8');
