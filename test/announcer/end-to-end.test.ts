// The whole announcer against real BGP speakers over loopback sockets (127.0.0.1 → 127.0.0.2 / 127.0.0.3, ephemeral
// ports): runAnnouncer reads a configuration directory, the routers receive each its own attributes, a change to
// the files is applied while sessions stay up, an invalid change is rejected, and stop() ends with Cease.
import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAnnouncer, ConfigError, type RunningAnnouncer } from '../../lib/announcer/index.js';
import { Speaker } from '../../lib/speaker/index.js';
import { permitAny } from '../../lib/policy/index.js';
import type { PathAttribute } from '../../lib/wire/index.js';
import { waitUntil as waitFor } from '../helpers/wait.js';

/** A router: accepts the announcer's session, keeps everything it is sent. */
async function router(t: { teardown(fn: () => unknown): void }, host: string, asn: number): Promise<Speaker> {
  const s = new Speaker({ asn, routerId: host === '127.0.0.2' ? '10.0.0.2' : '10.0.0.3', listen: { host, port: 0 } });
  await s.start();
  s.addPeer({ address: '127.0.0.1', remoteAs: 64501, passive: true, importPolicy: permitAny, exportPolicy: permitAny });
  t.teardown(() => s.stop());
  return s;
}

function config(corePort: number, rrPort: number, coreCommunities: string, services: string[]): string {
  return `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: rubrik-address-pool, namespace: metallb-system }
spec: { addresses: [10.8.0.0/16] }
---
apiVersion: metallb.io/v1beta1
kind: Community
metadata: { name: aliases }
spec: { communities: [{ name: NO_ADVERTISE, value: "65535:65282" }] }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: to-core }
spec: { ipAddressPools: [rubrik-address-pool], peers: [core], communities: ${coreCommunities} }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: to-rr }
spec: { ipAddressPools: [rubrik-address-pool], peers: [rr], localPref: 200, aggregationLength: 24 }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: core }
spec: { myASN: 64501, peerASN: 64500, peerAddress: 127.0.0.2, peerPort: ${corePort}, sourceAddress: 127.0.0.1, connectTime: 1s }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: rr }
spec: { myASN: 64501, peerASN: 64501, peerAddress: 127.0.0.3, peerPort: ${rrPort}, sourceAddress: 127.0.0.1, connectTime: 1s }
${services
  .map(
    (name) => `---
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: example, annotations: { metallb.universe.tf/address-pool: rubrik-address-pool } }
spec: { type: LoadBalancer, ports: [{ port: 80, targetPort: 80 }], selector: { app: ${name} } }
`,
  )
  .join('')}`;
}

const attr = <K extends PathAttribute['kind']>(attrs: readonly PathAttribute[] | undefined, kind: K): Extract<PathAttribute, { kind: K }> | undefined =>
  attrs?.find((a) => a.kind === kind) as Extract<PathAttribute, { kind: K }> | undefined;

t.test('routers get their own attributes; changes apply live; stop sends Cease', async (t) => {
  const core = await router(t, '127.0.0.2', 64500);
  const rr = await router(t, '127.0.0.3', 64501);
  const corePort = core.listenAddress!.port;
  const rrPort = rr.listenAddress!.port;
  const dir = t.testdir({ config: {}, out: {} });
  const configFile = join(dir, 'config', 'metallb.yaml');
  writeFileSync(configFile, config(corePort, rrPort, '[NO_ADVERTISE, "large:64501:1:2"]', ['guestbook-ui']));
  const statusFile = join(dir, 'out', 'status.yaml');
  let running: RunningAnnouncer | undefined;
  t.teardown(() => running?.stop());
  running = await runAnnouncer({
    config: [join(dir, 'config')],
    node: { name: 'worker-1', routerId: '192.168.3.15' },
    stateFile: join(dir, 'out', 'state.json'),
    statusFile,
    debounceMs: 50,
  });
  const { announcer } = running;
  const rejected: string[][] = [];
  announcer.on('config-rejected', (r) => rejected.push([...r]));

  // eBGP to core: the /32 with NO_ADVERTISE and the large community, our AS prepended, no LOCAL_PREF.
  const atCore = await waitFor('10.8.0.0/32 at core', () => core.routes('10.8.0.0/32')[0]?.paths[0]?.attributes);
  t.same(attr(atCore, 'communities')?.communities, [0xffffff02], 'NO_ADVERTISE reaches the router (it is for the router to honour)');
  t.same(attr(atCore, 'large-community')?.communities, [[64501, 1, 2]]);
  t.same(attr(atCore, 'as-path')?.segments[0]?.asns, [64501]);
  t.equal(attr(atCore, 'next-hop')?.nextHop, '127.0.0.1', 'next hop: our end of the session');
  t.equal(attr(core.adjRibIn('127.0.0.1')[0]?.received, 'local-pref'), undefined, 'no LOCAL_PREF toward eBGP');
  t.same(core.routes().map((e) => `${e.prefix.address}/${e.prefix.length}`), ['10.8.0.0/32'], 'core is not sent the /24');

  // iBGP to rr: the /24 aggregate with LOCAL_PREF 200 and no communities.
  const atRr = await waitFor('10.8.0.0/24 at rr', () => rr.adjRibIn('127.0.0.1')[0]);
  t.equal(`${atRr.prefix.address}/${atRr.prefix.length}`, '10.8.0.0/24');
  t.equal(attr(atRr.received, 'local-pref')?.localPref, 200);
  t.equal(attr(atRr.received, 'communities'), undefined);
  t.equal(rr.adjRibIn('127.0.0.1').length, 1);

  // The status file is written shortly after each change (never before the UPDATEs it describes).
  const statusPattern = /name: guestbook-ui[\s\S]*metallb\.io\/ip-allocated-from-pool: rubrik-address-pool[\s\S]*- ip: 10\.8\.0\.0/;
  await waitFor('status file written', () => existsSync(statusFile) && statusPattern.test(readFileSync(statusFile, 'utf8')));
  t.match(readFileSync(statusFile, 'utf8'), statusPattern);

  // A live change: new communities for core, and a second service. The re-export of 10.8.0.0/32 reaches core as
  // one new announcement, never as a withdrawal; rr, whose /24 does not change, is sent nothing at all.
  const withdrawnAtCore: string[] = [];
  let updatesAtRr = 0;
  core.on('update', (_from, u) => withdrawnAtCore.push(...u.withdrawn.map((p) => `${p.address}/${p.length}`)));
  rr.on('update', () => updatesAtRr++);
  writeFileSync(configFile, config(corePort, rrPort, '["64501:42"]', ['guestbook-ui', 'second']));
  await waitFor('second at core', () => core.routes('10.8.0.1/32')[0]);
  const updated = await waitFor('new communities at core', () => {
    const a = core.routes('10.8.0.0/32')[0]?.paths[0]?.attributes;
    return attr(a, 'communities')?.communities[0] === 64501 * 65536 + 42 ? a : undefined;
  });
  t.equal(attr(updated, 'large-community'), undefined, 'the large community is gone');
  t.equal(rr.adjRibIn('127.0.0.1').length, 1, 'both addresses are inside the one /24 for rr');
  t.same(withdrawnAtCore, [], 'no withdrawal on the way to new attributes');
  t.equal(updatesAtRr, 0, 'nothing sent to rr');
  t.equal(core.peer('127.0.0.1')?.flaps, 0, 'the sessions stayed up');
  t.equal(rr.peer('127.0.0.1')?.flaps, 0);
  await waitFor('status file updated', () => /name: second[\s\S]*- ip: 10\.8\.0\.1/.test(readFileSync(statusFile, 'utf8')));

  // An invalid change is rejected with its located reason; everything stays as it was.
  writeFileSync(configFile, config(corePort, rrPort, '["64501:99999"]', ['guestbook-ui']));
  await waitFor('rejection', () => rejected.length > 0);
  t.match(rejected[0], [/metallb\.yaml:14:\d+: spec\.communities\[0\]: invalid community "64501:99999"/]);
  t.ok(core.routes('10.8.0.1/32')[0], 'the running configuration stays');

  await running.stop('maintenance');
  running = undefined;
  const note = await waitFor('Cease at core', () => core.peer('127.0.0.1')?.lastNotificationReceived);
  t.equal(note.code, 6);
  t.equal(note.subcode, 2, 'Administrative Shutdown');
  await waitFor('routes gone at core', () => core.routes().length === 0);
  t.pass('withdrawn');
});

t.test('nothing starts on an invalid configuration', async (t) => {
  const dir = t.testdir({ 'bad.yaml': 'apiVersion: v1\nkind: Service\nmetadata: { name: x }\nspec: { type: LoadBalancer, ports: [{ port: "http" }] }\n' });
  await t.rejects(runAnnouncer({ config: [join(dir, 'bad.yaml')], node: { name: 'n', routerId: '1.1.1.1', asn: 64501 }, watch: false }), ConfigError);
  await t.rejects(
    runAnnouncer({ config: [join(dir, 'bad.yaml')], node: { name: 'n', routerId: '1.1.1.1', asn: 64501 }, watch: false }),
    /bad\.yaml:4:45: spec\.ports\[0\]\.port: expected an integer 1\.\.65535, got "http"/,
  );
  await t.rejects(runAnnouncer({ config: [join(dir, 'missing.yaml')], node: { name: 'n' }, watch: false }), /cannot read .*missing\.yaml: ENOENT/);
  await t.rejects(
    runAnnouncer({ config: [dir], node: { name: 'n' }, watch: false, statusFile: join(dir, 'status.yaml') }),
    /--status-file .* is inside the configuration/,
  );
});
