/**
 * Signals of `tsbgpd run` against FRR configured as the seed's pfSense: SIGHUP applies a changed configuration
 * without resetting the session (a community added to the BGPAdvertisement reaches FRR on the same session), an
 * invalid configuration on SIGHUP is rejected and the running one stays (route and session untouched), and SIGTERM
 * withdraws the route and ends the session with Cease / Administrative Shutdown and an RFC 9003 message FRR shows.
 * The node runs with --no-watch, so only the signal makes it read its files again.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { AnnouncerNode, seedResources, serviceYaml } from '../helpers/announcer-node.js';
import { startDaemon, type Frr } from '../helpers/daemons.js';
import { asObject } from '../helpers/daemons/types.js';
import { requireInterop, waitFor } from '../helpers/interop.js';
import { Netns } from '../helpers/netns.js';
import { pfsenseFrrConfig } from '../helpers/seed.js';

const ROUTER = '172.30.0.1';
const NODE = '172.30.0.11';
const PREFIX = '10.8.0.0/32';
const WAIT = { timeout: 30_000 };


t.test('SIGHUP reloads without a reset, an invalid reload is refused, SIGTERM says goodbye', async (t) => {
  if (!requireInterop(t, 'frr')) return;
  const ns = await Netns.create(t);
  await Promise.all([ROUTER, NODE].map((a) => ns.addAddress(a)));
  const frr = (await startDaemon(t, 'frr', ns, {
    as: 65100,
    routerId: '192.168.3.1',
    address: ROUTER,
    peers: [],
    extraConfig: pfsenseFrrConfig([NODE]),
  })) as Frr;
  const seed = seedResources({ routerAddress: ROUTER, routerAs: 65100, nodeAs: 65101, sourceAddress: NODE });
  const node = await AnnouncerNode.start(ns, {
    name: 'node1',
    routerId: NODE,
    files: { 'metallb.yaml': seed, 'guestbook-ui.yaml': serviceYaml('guestbook-ui') },
    args: ['--no-watch', '--log-format', 'json'],
  });
  const established = async (): Promise<number> =>
    Number(asObject((await frr.peer(NODE))?.raw)['connectionsEstablished'] ?? 0);
  const communities = async (): Promise<string[] | undefined> => (await frr.routes('ipv4')).get(PREFIX)?.[0]?.communities?.slice();

  await waitFor(t, async () => (await communities()) !== undefined, { ...WAIT, what: `FRR to hold ${PREFIX}` });
  t.same(await communities(), [], 'no community at first');
  const sessions = await established();
  t.equal(sessions, 1, 'one session');

  // 1. A changed advertisement, applied on SIGHUP: the community arrives over the same session.
  node.writeFile('metallb.yaml', seed.replace('aggregationLength: 32 }', 'aggregationLength: 32, communities: ["65101:100"] }'));
  await new Promise((r) => setTimeout(r, 500));
  t.same(await communities(), [], 'without the signal nothing changes (--no-watch)');
  node.process.signal('SIGHUP');
  await waitFor(t, async () => (await communities())?.includes('65101:100') === true, { ...WAIT, what: 'the community after SIGHUP' });
  t.pass('SIGHUP: FRR shows 65101:100 on the route');
  t.equal(await established(), sessions, 'and the session was not reset');

  // 2. An invalid configuration on SIGHUP: rejected with its reason, the running one stays.
  node.writeFile('metallb.yaml', `${seed}---\napiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: { name: broken }\nspec: { addresses: [not-a-cidr] }\n`);
  node.process.signal('SIGHUP');
  await waitFor(t, async () => readFileSync(node.logFile, 'utf8').includes('"config-rejected"'), { ...WAIT, what: 'the rejection in the log' });
  const rejected = readFileSync(node.logFile, 'utf8').split('\n').find((l) => l.includes('"config-rejected"')) ?? '';
  t.match(rejected, /metallb\.yaml:\d+:\d+/, 'the log names file, line and column');
  await new Promise((r) => setTimeout(r, 500));
  t.same(await communities(), ['65101:100'], 'the route is untouched');
  t.equal(await established(), sessions, 'the session too');

  // 3. SIGTERM: the route is withdrawn and FRR records Cease / Administrative Shutdown with the message.
  const status = await node.stop();
  t.equal(status.code, 0, 'tsbgpd exits 0');
  await waitFor(t, async () => (await communities()) === undefined, { ...WAIT, what: 'the withdrawal' });
  const peer = await waitFor(
    t,
    async () => {
      const p = await frr.peer(NODE);
      return p?.lastNotification?.code !== undefined ? p : undefined;
    },
    { ...WAIT, what: 'FRR to record the NOTIFICATION' },
  );
  t.match(peer.lastNotification, { direction: 'received', code: 6, subcode: 2, shutdownMessage: /SIGTERM/ });
});
