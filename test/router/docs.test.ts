// docs/configuration.md (router part) is checked against the code: every Router example in it loads without an
// error, the seed's pfSense configuration written both ways is one configuration (reloading one with the other
// changes nothing), and the reference tables name every field the reader accepts.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRouterConfig, type RouterConfig } from '../../lib/config/router-index.js';
import { formatDiagnostic } from '../../lib/config/index.js';
import { isEmptyPlan, planReload } from '../../lib/router/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const doc = readFileSync(join(root, 'docs', 'configuration.md'), 'utf8');
const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);

/** A whole Router, or a `spec` fragment (indented two spaces) completed with the required fields. */
function load(block: string): RouterConfig {
  const text = block.includes('kind: Router') ? block : `apiVersion: tsbgpd.io/v1alpha1\nkind: Router\nspec:\n  asn: 65100\n  routerId: 10.0.0.1\n${block}`;
  const r = loadRouterConfig({ name: 'configuration.md', text });
  if (!r.ok) throw new Error(`${r.errors.map(formatDiagnostic).join('\n')}\nin:\n${block}`);
  return r.config;
}

t.test('every YAML example loads', async (t) => {
  t.ok(blocks.length >= 5, `found ${blocks.length} examples`);
  for (const b of blocks) t.doesNotThrow(() => load(b), b.split('\n')[0]);
});

t.test("the seed's pfSense configuration, both ways, is one configuration", async (t) => {
  const frr = blocks.find((b) => b.startsWith('# pfSense, FRR form'));
  const yaml = blocks.find((b) => b.startsWith('# pfSense, YAML form'));
  t.ok(frr !== undefined && yaml !== undefined, 'both forms are in the document');
  if (frr === undefined || yaml === undefined) return;
  t.ok(isEmptyPlan(planReload(load(frr), load(yaml))), 'reloading one with the other changes nothing');
  t.same(load(frr).neighbors, [{ address: '192.168.3.15', peerGroup: 'rubrik-metallb' }]);
});

t.test('the reference tables name every field', async (t) => {
  const spec = ['asn', 'routerId', 'clusterId', 'listen', 'ebgpRequiresPolicy', 'maximumPaths', 'alwaysCompareMed', 'listenLimit', 'peerGroups', 'neighbors', 'listenRanges', 'networks', 'policy', 'frr', 'api', 'metrics'];
  const peer = ['remoteAs', 'description', 'passive', 'port', 'localAddress', 'holdTime', 'keepaliveTime', 'connectRetryTime', 'families', 'routeReflectorClient', 'nextHopSelf', 'routeMapIn', 'routeMapOut', 'shutdown', 'shutdownMessage'];
  for (const f of [...spec, ...peer]) t.match(doc, new RegExp(`^\\| \`${f}\` \\|`, 'm'), `${f} has a row`);
  // A configuration that sets every one of them is accepted (so the lists above are the reader's).
  const all = load(`  clusterId: 1.1.1.1
  listen: { address: 10.0.0.1, port: 179 }
  ebgpRequiresPolicy: true
  maximumPaths: 2
  alwaysCompareMed: true
  listenLimit: 3
  peerGroups:
    g: { remoteAs: 65100, description: d, passive: true, port: 1179, localAddress: 10.0.0.1, holdTime: 9, keepaliveTime: 3, connectRetryTime: 4, families: [ipv4-unicast], routeReflectorClient: true, nextHopSelf: true, routeMapIn: A, routeMapOut: A, shutdown: false, shutdownMessage: m }
  neighbors: [{ address: 10.0.0.2, peerGroup: g }]
  listenRanges: [{ prefix: 10.1.0.0/24, peerGroup: g }]
  networks: [10.2.0.0/24]
  policy: "route-map A permit 10\\n"
  api: false
  metrics: false
`);
  t.equal(all.peerGroups[0]?.shutdownMessage, 'm');
});
