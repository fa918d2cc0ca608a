// Announcer.apply moves from one configuration to the next by difference only: exactly the announce, withdraw,
// addPeer and removePeer calls the change needs, observed on a recording fake of the Speaker.
import t from 'tap';
import { formatDiagnostic, loadConfig, type AnnouncerConfig, type SourceFile } from '../../lib/config/index.js';
import { Announcer, MemoryStateStore, type AnnouncerSpeaker, type ServiceStatus } from '../../lib/announcer/index.js';
import type { PeerConfig } from '../../lib/speaker/index.js';
import type { Prefix } from '../../lib/wire/index.js';

class FakeSpeaker implements AnnouncerSpeaker {
  readonly asn = 64501;
  readonly routerId = '192.168.3.15';
  calls: string[] = [];
  readonly peerConfigs = new Map<string, PeerConfig>();
  announce(prefix: string | Prefix): void {
    this.calls.push(`announce ${typeof prefix === 'string' ? prefix : `${prefix.address}/${prefix.length}`}`);
  }
  withdraw(prefix: string | Prefix): void {
    this.calls.push(`withdraw ${typeof prefix === 'string' ? prefix : `${prefix.address}/${prefix.length}`}`);
  }
  addPeer(config: PeerConfig): void {
    if (this.peerConfigs.has(config.address)) throw new Error(`peer ${config.address} already exists`);
    this.peerConfigs.set(config.address, config);
    this.calls.push(`addPeer ${config.address}`);
  }
  async removePeer(address: string): Promise<void> {
    if (!this.peerConfigs.delete(address)) throw new Error(`no peer ${address}`);
    this.calls.push(`removePeer ${address}`);
  }
  async stop(message?: string): Promise<void> {
    this.calls.push(`stop ${message ?? ''}`);
  }
  peers(): ReturnType<AnnouncerSpeaker['peers']> {
    return [];
  }
  take(): string[] {
    const c = this.calls;
    this.calls = [];
    return c;
  }
}

const PEERS = `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: core }
spec: { myASN: 64501, peerASN: 64500, peerAddress: 192.168.3.1 }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: rr }
spec: { myASN: 64501, peerASN: 64501, peerAddress: 192.168.3.2, holdTime: 90s }
`;
const POOL = `---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: p }
spec: { addresses: [10.8.0.0/24] }
`;
const adv = (spec: string): string => `---\napiVersion: metallb.io/v1beta1\nkind: BGPAdvertisement\nmetadata: { name: adv }\nspec: ${spec}\n`;
const svc = (name: string): string => `---\napiVersion: v1\nkind: Service\nmetadata: { name: ${name}, namespace: ns }\nspec: { type: LoadBalancer }\n`;

function files(text: string): SourceFile[] {
  return [{ name: 'c.yaml', text }];
}
function config(text: string): AnnouncerConfig {
  const r = loadConfig(files(text), { node: { name: 'worker-1', routerId: '192.168.3.15' } });
  if (!r.ok) throw new Error(r.errors.map(formatDiagnostic).join('\n'));
  return r.config;
}

async function started(text: string): Promise<{ a: Announcer; speaker: FakeSpeaker; events: string[] }> {
  const speaker = new FakeSpeaker();
  const a = new Announcer(config(text), { speaker, state: new MemoryStateStore(), drainTimeoutMs: 0 });
  const events: string[] = [];
  a.on('service-allocated', (s: ServiceStatus) => events.push(`allocated ${s.key} ${s.ingress.map((i) => i.ip).join(',')}`));
  a.on('service-released', (key, addresses) => events.push(`released ${key} ${addresses.join(',')}`));
  a.on('allocation-failed', (key, reason) => events.push(`failed ${key}: ${reason}`));
  a.on('config-rejected', (reasons) => events.push(`rejected ${reasons.join(' | ')}`));
  const r = await a.start();
  if (!r.ok) throw new Error(r.reasons.join('\n'));
  return { a, speaker, events };
}

t.test('start: allocate, announce, add the peers', async (t) => {
  const { a, speaker, events } = await started(PEERS + POOL + adv('{}') + svc('web'));
  t.same(speaker.take(), ['announce 10.8.0.0/32', 'addPeer 192.168.3.1', 'addPeer 192.168.3.2']);
  t.same(events, ['allocated ns/web 10.8.0.0']);
  t.same(a.services(), [{ namespace: 'ns', name: 'web', key: 'ns/web', pool: 'p', ingress: [{ ip: '10.8.0.0' }], error: undefined, announced: ['10.8.0.0/32'] }]);
  const core = speaker.peerConfigs.get('192.168.3.1');
  t.equal(core?.remoteAs, 64500);
  t.same(core?.families, ['ipv4-unicast']);
  t.equal(speaker.peerConfigs.get('192.168.3.2')?.holdTime, 90);
  t.equal(typeof core?.exportPolicy, 'function');
});

t.test('apply: a new service is announced, nothing else moves', async (t) => {
  const { a, speaker, events } = await started(PEERS + POOL + adv('{}') + svc('web'));
  speaker.take();
  events.length = 0;
  const r = await a.apply(config(PEERS + POOL + adv('{}') + svc('web') + svc('api')));
  t.same(speaker.take(), ['announce 10.8.0.1/32']);
  t.same(events, ['allocated ns/api 10.8.0.1']);
  t.ok(r.ok && r.changes.peersAdded.length === 0 && r.changes.peersReset.length === 0);
});

t.test('apply: a removed service is released and withdrawn', async (t) => {
  const { a, speaker, events } = await started(PEERS + POOL + adv('{}') + svc('web') + svc('api'));
  speaker.take();
  events.length = 0;
  await a.apply(config(PEERS + POOL + adv('{}') + svc('api')));
  t.same(speaker.take(), ['withdraw 10.8.0.1/32']);
  t.same(events, ['released ns/web 10.8.0.1']);
  t.same(a.services().map((s) => [s.key, s.ingress[0]?.ip]), [['ns/api', '10.8.0.0']], 'the other service keeps its address');
});

t.test('apply: new communities re-export the same prefix; aggregation swaps prefixes', async (t) => {
  const { a, speaker } = await started(PEERS + POOL + adv('{}') + svc('web') + svc('api'));
  speaker.take();
  const r1 = await a.apply(config(PEERS + POOL + adv('{ communities: ["64501:7"] }') + svc('web') + svc('api')));
  t.same(speaker.take(), ['withdraw 10.8.0.0/32', 'announce 10.8.0.0/32', 'withdraw 10.8.0.1/32', 'announce 10.8.0.1/32']);
  t.same(r1.ok && r1.changes.reexported, ['10.8.0.0/32', '10.8.0.1/32']);
  t.same(a.routes()[0]?.peers.map((p) => [p.name, p.communities]), [['core', ['64501:7']], ['rr', ['64501:7']]]);
  const r2 = await a.apply(config(PEERS + POOL + adv('{ communities: ["64501:7"], aggregationLength: 24 }') + svc('web') + svc('api')));
  t.same(speaker.take(), ['withdraw 10.8.0.0/32', 'withdraw 10.8.0.1/32', 'announce 10.8.0.0/24']);
  t.same(r2.ok && [r2.changes.withdrawn, r2.changes.announced], [['10.8.0.0/32', '10.8.0.1/32'], ['10.8.0.0/24']]);
  await a.apply(config(PEERS + POOL + adv('{ communities: ["64501:7"], aggregationLength: 24 }') + svc('web') + svc('api')));
  t.same(speaker.take(), [], 'the same configuration again changes nothing');
});

t.test('apply: a BGPPeer whose session settings change is reset; one that leaves is removed', async (t) => {
  const { a, speaker } = await started(PEERS + POOL + adv('{}') + svc('web'));
  speaker.take();
  const r = await a.apply(config(PEERS.replace('holdTime: 90s', 'holdTime: 30s') + POOL + adv('{}') + svc('web')));
  t.same(speaker.take(), ['removePeer 192.168.3.2', 'addPeer 192.168.3.2']);
  t.same(r.ok && r.changes.peersReset, ['rr']);
  t.equal(speaker.peerConfigs.get('192.168.3.2')?.holdTime, 30);
  const peers = PEERS.replace('holdTime: 90s', 'holdTime: 30s');
  await a.apply(config(peers + POOL + adv('{ peers: [core] }') + svc('web')));
  t.same(speaker.take(), ['withdraw 10.8.0.0/32', 'announce 10.8.0.0/32'], 'an advertisement narrowed to core: re-exported, no session touched');
  const onlyCore = PEERS.split('---')[0] as string;
  await a.apply(config(onlyCore + POOL + adv('{ peers: [core] }') + svc('web')));
  t.same(speaker.take(), ['removePeer 192.168.3.2']);
  await a.apply(config(onlyCore + POOL + adv('{}') + svc('web')));
  t.same(speaker.take(), [], 'widened to every peer, but core is the only one and already had it');
});

t.test('apply: another AS or router ID is rejected and the running configuration stays', async (t) => {
  const { a, speaker, events } = await started(PEERS + POOL + adv('{}') + svc('web'));
  speaker.take();
  events.length = 0;
  const before = a.config;
  const r = await a.apply(config(PEERS.replaceAll('myASN: 64501', 'myASN: 64999').replace('peerASN: 64501', 'peerASN: 64999') + POOL + adv('{}') + svc('web') + svc('api')));
  t.notOk(r.ok);
  t.same(speaker.take(), []);
  t.equal(a.config, before);
  t.match(events, [/^rejected node worker-1 would speak as AS 64999, but the speaker runs as AS 64501/]);
});

t.test('applyLoaded: an invalid configuration is rejected with every located reason', async (t) => {
  const { a, speaker, events } = await started(PEERS + POOL + adv('{}') + svc('web'));
  speaker.take();
  events.length = 0;
  const broken = loadConfig(files(PEERS + POOL.replace('10.8.0.0/24', '10.8.0.0/99') + adv('{ localPref: x }') + svc('web')), { node: { name: 'worker-1', routerId: '192.168.3.15' } });
  const r = await a.applyLoaded(broken);
  t.same(r.ok ? [] : r.reasons, [
    'c.yaml:14:21: spec.addresses[0]: prefix length must be 0..32, got "99"',
    'c.yaml:19:20: spec.localPref: expected an integer 0..4294967295, got "x"',
  ]);
  t.same(speaker.take(), []);
  t.equal(events.length, 1);
  t.same(a.services().map((s) => s.ingress[0]?.ip), ['10.8.0.0'], 'still running the old configuration');
});

t.test('allocation failures are reported once, and in the service status', async (t) => {
  const tiny = PEERS + POOL.replace('10.8.0.0/24', '10.8.0.0/32') + adv('{}');
  const { a, events } = await started(tiny + svc('a') + svc('b'));
  t.same(events, ['allocated ns/a 10.8.0.0', 'failed ns/b: no available IPv4 address in any pool']);
  events.length = 0;
  await a.apply(config(tiny + svc('a') + svc('b')));
  t.same(events, [], 'the same failure is not reported again');
  t.same(a.services().map((s) => [s.key, s.error]), [['ns/a', undefined], ['ns/b', 'no available IPv4 address in any pool']]);
  await a.apply(config(tiny + svc('b')));
  t.same(events, ['released ns/a 10.8.0.0', 'allocated ns/b 10.8.0.0'], 'a freed address goes to the waiting service');
});

t.test('shutdown withdraws everything, then stops the speaker with the message', async (t) => {
  const { a, speaker } = await started(PEERS + POOL + adv('{}') + svc('web') + svc('api'));
  speaker.take();
  await a.shutdown('maintenance');
  t.same(speaker.take(), ['withdraw 10.8.0.0/32', 'withdraw 10.8.0.1/32', 'stop maintenance']);
});

t.test('applies are serialised', async (t) => {
  const { a, speaker } = await started(PEERS + POOL + adv('{}') + svc('web'));
  speaker.take();
  const one = a.apply(config(PEERS.replace('holdTime: 90s', 'holdTime: 30s') + POOL + adv('{}') + svc('web')));
  const two = a.apply(config(PEERS.replace('holdTime: 90s', 'holdTime: 60s') + POOL + adv('{}') + svc('web')));
  await Promise.all([one, two]);
  t.same(speaker.take(), ['removePeer 192.168.3.2', 'addPeer 192.168.3.2', 'removePeer 192.168.3.2', 'addPeer 192.168.3.2']);
  t.equal(speaker.peerConfigs.get('192.168.3.2')?.holdTime, 60);
});
