// Allocations survive restarts through the state file — even when services come in another order and a new one
// sorts before them — and the file is written atomically. The speaker is real (not started: no sockets).
import t from 'tap';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDiagnostic, loadConfig, type AnnouncerConfig } from '../../lib/config/index.js';
import { Announcer, FileStateStore, parseState, renderStatus, serializeState } from '../../lib/announcer/index.js';
import { Speaker } from '../../lib/speaker/index.js';

const BASE = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: p }
spec: { addresses: [10.8.0.0/24] }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: adv }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: core }
spec: { myASN: 64501, peerASN: 64500, peerAddress: 192.168.3.1 }
`;
const svc = (name: string): string => `---\napiVersion: v1\nkind: Service\nmetadata: { name: ${name}, namespace: ns }\nspec: { type: LoadBalancer }\n`;

function config(text: string): AnnouncerConfig {
  const r = loadConfig([{ name: 'c.yaml', text }], { node: { name: 'worker-1', routerId: '192.168.3.15' } });
  if (!r.ok) throw new Error(r.errors.map(formatDiagnostic).join('\n'));
  return r.config;
}

/** One daemon lifetime: start with `text`, report the addresses, shut down. */
async function lifetime(text: string, stateFile: string): Promise<Record<string, string>> {
  const speaker = new Speaker({ asn: 64501, routerId: '192.168.3.15', listen: false });
  const a = new Announcer(config(text), { speaker, state: new FileStateStore(stateFile), drainTimeoutMs: 0 });
  const r = await a.start();
  if (!r.ok) throw new Error(r.reasons.join('\n'));
  const out: Record<string, string> = {};
  for (const s of a.services()) out[s.key] = s.ingress.map((i) => i.ip).join(',');
  const announced = speaker.routes().map((e) => `${e.prefix.address}/${e.prefix.length}`).sort();
  t.same(announced, Object.values(out).map((ip) => `${ip}/32`).sort(), 'what is allocated is in the Loc-RIB');
  await a.shutdown('restart');
  return out;
}

t.test('restart keeps every address, services reordered and a new one inserted before', async (t) => {
  const dir = t.testdir();
  const stateFile = join(dir, 'state.json');
  const first = await lifetime(BASE + svc('m') + svc('n') + svc('o'), stateFile);
  t.same(first, { 'ns/m': '10.8.0.0', 'ns/n': '10.8.0.1', 'ns/o': '10.8.0.2' });
  // Without the state file, "a" would take 10.8.0.0 and shift everyone.
  const second = await lifetime(BASE + svc('o') + svc('a') + svc('n') + svc('m'), stateFile);
  t.same(second, { 'ns/a': '10.8.0.3', 'ns/m': '10.8.0.0', 'ns/n': '10.8.0.1', 'ns/o': '10.8.0.2' });
  const fresh = await lifetime(BASE + svc('o') + svc('a') + svc('n') + svc('m'), join(dir, 'other.json'));
  t.same(fresh, { 'ns/a': '10.8.0.0', 'ns/m': '10.8.0.1', 'ns/n': '10.8.0.2', 'ns/o': '10.8.0.3' }, 'the control: no state, sorted order');
  t.same(JSON.parse(readFileSync(stateFile, 'utf8')), {
    version: 1,
    services: {
      'ns/a': { pool: 'p', addresses: ['10.8.0.3'] },
      'ns/m': { pool: 'p', addresses: ['10.8.0.0'] },
      'ns/n': { pool: 'p', addresses: ['10.8.0.1'] },
      'ns/o': { pool: 'p', addresses: ['10.8.0.2'] },
    },
  });
  t.same(readdirSync(dir).sort(), ['other.json', 'state.json'], 'no temporary file left behind');
});

t.test('the state file: round trip, unchanged state not rewritten, bad content refused with the reason', async (t) => {
  const dir = t.testdir({ 'bad.json': '{"version": 1, "services": {"ns/a": {"pool": 3}}}', 'v2.json': '{"version": 2, "services": {}}', 'junk.json': 'not json' });
  const state = new Map([['ns/b', { pool: 'p', addresses: ['10.8.0.1', '2001:db8::1'] }]]);
  t.same(parseState(serializeState(state)), state);
  const path = join(dir, 'state.json');
  const store = new FileStateStore(path);
  t.same(store.load(), new Map(), 'a missing file is an empty state');
  store.save(state);
  writeFileSync(path, serializeState(new Map()));
  store.save(state);
  t.same(JSON.parse(readFileSync(path, 'utf8')).services, {}, 'an unchanged state is not written again');
  t.throws(() => new FileStateStore(join(dir, 'bad.json')).load(), /state file .*bad.json is not valid: services\["ns\/a"\]: expected/);
  t.throws(() => new FileStateStore(join(dir, 'v2.json')).load(), /unsupported version 2/);
  t.throws(() => new FileStateStore(join(dir, 'junk.json')).load(), /junk.json is not valid/);
  t.throws(() => new FileStateStore(join(dir, 'no-such-dir', 'state.json')).save(state), /ENOENT/);
  t.notOk(existsSync(join(dir, 'no-such-dir')));
});

t.test('status output: Kubernetes List with status.loadBalancer.ingress, YAML or JSON', async (t) => {
  const services = [
    { namespace: 'example', name: 'guestbook-ui', key: 'example/guestbook-ui', pool: 'rubrik-address-pool', ingress: [{ ip: '10.8.0.0' }], error: undefined, announced: ['10.8.0.0/32'] },
    { namespace: 'example', name: 'stuck', key: 'example/stuck', pool: undefined, ingress: [], error: 'no available IPv4 address in any pool', announced: [] },
  ];
  t.equal(
    renderStatus(services, 'status.yaml'),
    `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata:
      name: guestbook-ui
      namespace: example
      annotations:
        metallb.io/ip-allocated-from-pool: rubrik-address-pool
    status:
      loadBalancer:
        ingress:
          - ip: 10.8.0.0
  - apiVersion: v1
    kind: Service
    metadata:
      name: stuck
      namespace: example
    status:
      loadBalancer: {}
      conditions:
        - type: tsbgpd.io/Allocated
          status: "False"
          reason: AllocationFailed
          message: no available IPv4 address in any pool
`,
  );
  const json = JSON.parse(renderStatus(services, 'status.json')) as { items: { status: { loadBalancer: unknown } }[] };
  t.same(json.items[0]?.status.loadBalancer, { ingress: [{ ip: '10.8.0.0' }] });
});
