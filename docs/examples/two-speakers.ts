// Two tsbgpd speakers in one process over loopback: a "router" (AS 65100, like the seed's pfSense) and a node
// announcing a MetalLB address (AS 65101). Run it with `npm run build && node dist/docs/examples/two-speakers.js`;
// test/docs/examples.test.ts runs it the same way (it imports the built package by its name, as a user would).
import { Speaker, policy } from 'tsbgpd';

// The router: accepts the node, applies permit-any both ways (pfSense's "Permit-Any" route map).
const router = new Speaker({ asn: 65100, routerId: '192.168.3.1', listen: { host: '127.0.0.1', port: 0 } });
await router.start();
const port = router.listenAddress!.port;

// The node: dials the router from 127.0.0.2 (a loopback address Linux answers on without configuration).
const node = new Speaker({ asn: 65101, routerId: '192.168.3.15', listen: false });
await node.start();

router.addPeer({
  address: '127.0.0.2',
  remoteAs: 65101,
  passive: true,
  importPolicy: policy.permitAny,
  exportPolicy: policy.permitAny,
});
node.addPeer({
  address: '127.0.0.1',
  port,
  localAddress: '127.0.0.2',
  remoteAs: 65100,
  importPolicy: policy.permitAny,
  exportPolicy: policy.permitAny,
});

const up = new Promise<void>((resolve) => router.once('peerUp', () => resolve()));
await up;
console.log('session established:', router.peer('127.0.0.2')?.state);

node.announce('10.8.0.0/32', { communities: ['65101:100'] });

// Wait until the router holds the route, then print it.
for (let i = 0; i < 100 && router.routes('10.8.0.0/32').length === 0; i++) await new Promise((r) => setTimeout(r, 20));
for (const entry of router.routes()) {
  for (const path of entry.paths) {
    const nextHop = path.attributes.find((a) => a.kind === 'next-hop');
    const asPath = path.attributes.find((a) => a.kind === 'as-path');
    console.log(
      `${path.best ? '*>' : '* '} ${entry.prefix.address}/${entry.prefix.length}`,
      `next hop ${nextHop?.kind === 'next-hop' ? nextHop.nextHop : '?'}`,
      `path ${asPath?.kind === 'as-path' ? asPath.segments.flatMap((s) => s.asns).join(' ') : ''}`,
    );
  }
}

await node.stop('example finished');
await router.stop();
