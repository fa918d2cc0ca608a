/**
 * The demo's embedded default: the seed's MetalLB configuration (the IPAddressPool 10.8.0.0/16, a BGPAdvertisement
 * with aggregationLength 32) with one BGPPeer per node toward the local router, and two sample Services — written to
 * a directory the announcer nodes watch, so adding or removing a Service file there is seen at once.
 */

export interface DemoNode {
  name: string;
  /** Loopback address the node's session comes from (Linux answers on all of 127.0.0.0/8). */
  address: string;
  /** The node's BGP identifier, as the seed's cluster numbers them. */
  routerId: string;
}

export const DEMO_ROUTER = { asn: 65100, routerId: '192.168.3.1', address: '127.0.0.1' } as const;
export const DEMO_NODE_ASN = 65101;

export function demoNodes(count: number): DemoNode[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `node-${i + 1}`,
    address: `127.0.0.${15 + i}`,
    routerId: `192.168.3.${15 + i}`,
  }));
}

/** MetalLB resources: pool, advertisement, and a BGPPeer per node (selected by hostname, with its source address). */
export function seedConfig(nodes: readonly DemoNode[], routerPort: number): string {
  const peers = nodes.map(
    (n) => `---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: pfsense-peer-${n.name}, namespace: metallb-system }
spec:
  myASN: ${DEMO_NODE_ASN}
  peerASN: ${DEMO_ROUTER.asn}
  peerAddress: ${DEMO_ROUTER.address}
  peerPort: ${routerPort}
  sourceAddress: ${n.address}
  holdTime: 9s
  nodeSelectors: [{ matchLabels: { kubernetes.io/hostname: ${n.name} } }]
`,
  );
  return `# The seed's MetalLB configuration, as tsbgpd demo runs it.
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: rubrik-address-pool, namespace: metallb-system }
spec: { addresses: [10.8.0.0/16] }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: bgp-advertisement, namespace: metallb-system }
spec: { ipAddressPools: [rubrik-address-pool], aggregationLength: 32 }
${peers.join('')}`;
}

/** A Service of type LoadBalancer asking for the seed's pool, as the seed's guestbook-ui does. */
export function serviceYaml(name: string, namespace = 'example'): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
  annotations: { metallb.universe.tf/address-pool: rubrik-address-pool }
spec: { type: LoadBalancer, ports: [{ port: 80, targetPort: 80 }], selector: { app: ${name} } }
`;
}
