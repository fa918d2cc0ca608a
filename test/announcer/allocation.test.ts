// Address allocation exactly as MetalLB's controller does it: first address first, avoidBuggyIPs, autoAssign,
// requested pools and addresses, sharing, dual stack, serviceAllocation — and deterministic whatever the order.
import t from 'tap';
import { SEED_YAML } from '../helpers/seed.js';
import { formatDiagnostic, loadConfig, type AnnouncerConfig } from '../../lib/config/index.js';
import { allocateServices, type PreviousAssignment } from '../../lib/announcer/index.js';

const SEED = SEED_YAML;

function config(text: string): AnnouncerConfig {
  const r = loadConfig([{ name: 'test.yaml', text }], { node: { name: 'worker-1', routerId: '192.168.3.15', asn: 64501 } });
  if (!r.ok) throw new Error(r.errors.map(formatDiagnostic).join('\n'));
  return r.config;
}

function pool(name: string, spec: string): string {
  return `---\napiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: { name: ${name} }\nspec: ${spec}\n`;
}

function service(ns: string, name: string, spec = '', annotations = ''): string {
  return `---\napiVersion: v1\nkind: Service\nmetadata: { name: ${name}, namespace: ${ns}${annotations ? `, annotations: { ${annotations} }` : ''} }\nspec: { type: LoadBalancer${spec ? `, ${spec}` : ''} }\n`;
}

/** key → addresses (or the failure reason). */
function allocate(c: AnnouncerConfig, previous: ReadonlyMap<string, PreviousAssignment> = new Map()): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of allocateServices(c, previous).services) out[o.service.key] = o.assignment ? o.assignment.addresses.join(',') : `! ${o.reason}`;
  return out;
}

t.test("the seed: guestbook-ui gets 10.8.0.0, the pool's first address", async (t) => {
  const r = allocateServices(config(SEED), new Map());
  t.equal(r.services.length, 1);
  t.same(r.services[0]?.assignment, { pool: 'rubrik-address-pool', addresses: ['10.8.0.0'] });
});

t.test('a second service gets 10.8.0.1; non-LoadBalancer services and other classes get nothing', async (t) => {
  const text =
    SEED +
    service('example', 'second', 'ports: [{ port: 443 }]') +
    `---\napiVersion: v1\nkind: Service\nmetadata: { name: internal, namespace: example }\nspec: { ports: [{ port: 80 }] }\n` +
    service('example', 'classy', 'loadBalancerClass: other.io/lb');
  t.same(allocate(config(text)), { 'example/guestbook-ui': '10.8.0.0', 'example/second': '10.8.0.1' });
});

t.test('avoidBuggyIPs skips every .0 and .255', async (t) => {
  const text = pool('p', '{ addresses: [10.8.0.254/31, 10.8.1.0/30], avoidBuggyIPs: true }') + ['a', 'b', 'c', 'd'].map((n) => service('ns', n)).join('');
  t.same(allocate(config(text)), {
    'ns/a': '10.8.0.254',
    'ns/b': '10.8.1.1',
    'ns/c': '10.8.1.2',
    'ns/d': '10.8.1.3',
  });
  const full = pool('p', '{ addresses: [10.8.0.255/32], avoidBuggyIPs: true }') + service('ns', 'a');
  t.match(allocate(config(full))['ns/a'], /^! no available IPv4 address in any pool/);
});

t.test('autoAssign: false is used only when asked for, by pool or by address', async (t) => {
  const text =
    pool('reserved', '{ addresses: [10.9.0.0/24], autoAssign: false }') +
    pool('general', '{ addresses: [10.8.0.0/24] }') +
    service('ns', 'a') +
    service('ns', 'b', '', 'metallb.io/address-pool: reserved') +
    service('ns', 'c', 'loadBalancerIP: 10.9.0.77');
  t.same(allocate(config(text)), { 'ns/a': '10.8.0.0', 'ns/b': '10.9.0.0', 'ns/c': '10.9.0.77' });
  const only = pool('reserved', '{ addresses: [10.9.0.0/24], autoAssign: false }') + service('ns', 'a');
  t.match(allocate(config(only))['ns/a'], /^! no available/);
});

t.test('requested addresses: inside a pool (and the named one) or refused with a reason', async (t) => {
  const text =
    pool('a', '{ addresses: [10.8.0.0/24] }') +
    pool('b', '{ addresses: [10.9.0.0/24] }') +
    service('ns', 'in', '', 'metallb.io/loadBalancerIPs: 10.8.0.50') +
    service('ns', 'out', 'loadBalancerIP: 172.16.0.1') +
    service('ns', 'wrong-pool', '', 'metallb.io/loadBalancerIPs: 10.8.0.51, metallb.io/address-pool: b') +
    service('ns', 'taken', 'loadBalancerIP: 10.8.0.50') +
    service('ns', 'family', 'ipFamilies: [IPv6]', 'metallb.io/loadBalancerIPs: 10.8.0.52');
  t.same(allocate(config(text)), {
    'ns/family': "! requested address(es) 10.8.0.52 do not match the service's IP family (IPv6)",
    'ns/in': '10.8.0.50',
    'ns/out': '! 172.16.0.1 is not in any IPAddressPool (as one pool)',
    'ns/taken': '! 10.8.0.50 is in use by ns/in (sharing needs metallb.io/allow-shared-ip on both)',
    'ns/wrong-pool': '! requested address(es) 10.8.0.51 are not in the requested pool b',
  });
});

t.test('sharing: same key, same backend, distinct ports share; anything else does not', async (t) => {
  const k = 'metallb.io/allow-shared-ip: k';
  const text =
    pool('p', '{ addresses: [10.8.0.0/24] }') +
    service('ns', 'a-http', 'ports: [{ port: 80 }]', k) +
    service('ns', 'b-https', 'ports: [{ port: 443 }]', k) +
    service('ns', 'c-http-again', 'ports: [{ port: 80 }]', k) +
    service('ns', 'd-udp-80', 'ports: [{ port: 80, protocol: UDP }]', k) +
    service('ns', 'e-other-key', 'ports: [{ port: 22 }]', 'metallb.io/allow-shared-ip: other') +
    service('ns', 'f-local', 'ports: [{ port: 8080 }], externalTrafficPolicy: Local, selector: { app: f }', k) +
    service('ns', 'g-no-key', 'ports: [{ port: 9 }]');
  t.same(allocate(config(text)), {
    'ns/a-http': '10.8.0.0',
    'ns/b-https': '10.8.0.0',
    'ns/c-http-again': '10.8.0.1',
    'ns/d-udp-80': '10.8.0.0',
    'ns/e-other-key': '10.8.0.2',
    'ns/f-local': '10.8.0.3',
    'ns/g-no-key': '10.8.0.4',
  });
});

t.test('dual stack: both families from one pool; PreferDualStack settles for one', async (t) => {
  const text =
    pool('v4only', '{ addresses: [10.8.0.0/24] }') +
    pool('dual', '{ addresses: [10.9.0.0/24, "2001:db8::/120"] }') +
    pool('v6only', '{ addresses: ["2001:db8:1::/120"] }') +
    service('ns', 'a-require', 'ipFamilyPolicy: RequireDualStack') +
    service('ns', 'b-v6', 'ipFamilies: [IPv6]') +
    service('ns', 'c-v4', '') +
    service('ns', 'd-prefer-v6-first', 'ipFamilyPolicy: PreferDualStack, ipFamilies: [IPv6, IPv4]');
  t.same(allocate(config(text)), {
    'ns/a-require': '10.9.0.0,2001:db8::',
    'ns/b-v6': '2001:db8::1',
    'ns/c-v4': '10.8.0.0',
    'ns/d-prefer-v6-first': '10.9.0.1,2001:db8::2',
  });
  const noDual = pool('v4only', '{ addresses: [10.8.0.0/24] }') + service('ns', 'prefer', 'ipFamilyPolicy: PreferDualStack') + service('ns', 'require', 'ipFamilyPolicy: RequireDualStack');
  t.same(allocate(config(noDual)), { 'ns/prefer': '10.8.0.0', 'ns/require': '! no available IPv4/IPv6 address in any pool' });
});

t.test('PreferDualStack with one address gains the other family when the pool can give it', async (t) => {
  const text = pool('dual', '{ addresses: [10.9.0.0/24, "2001:db8::/120"] }') + service('ns', 'a', 'ipFamilyPolicy: PreferDualStack');
  const previous = new Map([['ns/a', { pool: 'dual', addresses: ['10.9.0.5'] }]]);
  t.same(allocate(config(text), previous), { 'ns/a': '10.9.0.5,2001:db8::' });
});

t.test('serviceAllocation: pinned pools by priority, by namespace, namespace selector and service selector', async (t) => {
  const text =
    `---\napiVersion: v1\nkind: Namespace\nmetadata: { name: team-b, labels: { tier: gold } }\n` +
    pool('general', '{ addresses: [10.1.0.0/24] }') +
    pool('low', '{ addresses: [10.2.0.0/24], serviceAllocation: { priority: 20, namespaces: [team-a] } }') +
    pool('high', '{ addresses: [10.3.0.0/24], serviceAllocation: { priority: 10, namespaces: [team-a] } }') +
    pool('unprioritised', '{ addresses: [10.4.0.0/24], serviceAllocation: { namespaces: [team-a] } }') +
    pool('gold', '{ addresses: [10.5.0.0/24], serviceAllocation: { namespaceSelectors: [{ matchLabels: { tier: gold } }] } }') +
    pool('db', '{ addresses: [10.6.0.0/24], serviceAllocation: { serviceSelectors: [{ matchExpressions: [{ key: app, operator: In, values: [db] }] }] } }') +
    service('team-a', 'web') +
    service('team-b', 'web') +
    `---\napiVersion: v1\nkind: Service\nmetadata: { name: pg, namespace: team-c, labels: { app: db } }\nspec: { type: LoadBalancer }\n` +
    service('team-c', 'other') +
    service('team-c', 'asks-pinned', '', 'metallb.io/address-pool: high');
  t.same(allocate(config(text)), {
    'team-a/web': '10.3.0.0',
    'team-b/web': '10.5.0.0',
    'team-c/asks-pinned': '! pool high is not allowed for team-c/asks-pinned (serviceAllocation)',
    'team-c/other': '10.1.0.0',
    'team-c/pg': '10.6.0.0',
  });
});

t.test('deterministic: the same inputs in another order give the same result', async (t) => {
  const services = ['zeta', 'alpha', 'mid', 'beta'].map((n) => service('ns', n));
  const base = pool('p1', '{ addresses: [10.8.0.0/30] }') + pool('p2', '{ addresses: [10.9.0.0/30] }');
  const forward = allocate(config(base + services.join('')));
  const backward = allocate(config(base + [...services].reverse().join('')));
  t.same(forward, backward);
  t.same(forward, { 'ns/alpha': '10.8.0.0', 'ns/beta': '10.8.0.1', 'ns/mid': '10.8.0.2', 'ns/zeta': '10.8.0.3' }, 'sorted by namespace/name, config order of pools');
});

t.test('previous addresses are kept, even when a new service sorts first; moved when the config no longer allows them', async (t) => {
  const base = pool('p', '{ addresses: [10.8.0.0/24] }');
  const previous = new Map([
    ['ns/b', { pool: 'p', addresses: ['10.8.0.0'] }],
    ['ns/c', { pool: 'p', addresses: ['10.8.0.1'] }],
    ['ns/gone', { pool: 'p', addresses: ['10.8.0.2'] }],
  ]);
  const text = base + service('ns', 'c') + service('ns', 'a-new') + service('ns', 'b');
  t.same(allocate(config(text), previous), { 'ns/a-new': '10.8.0.2', 'ns/b': '10.8.0.0', 'ns/c': '10.8.0.1' }, 'a released address is reused');
  const shrunk = pool('p', '{ addresses: [10.8.0.1/32, 10.8.0.8/29] }') + service('ns', 'b') + service('ns', 'c');
  t.same(allocate(config(shrunk), previous), { 'ns/b': '10.8.0.8', 'ns/c': '10.8.0.1' }, 'an address outside every pool moves');
  const asked = base + service('ns', 'b', '', 'metallb.io/loadBalancerIPs: 10.8.0.9') + service('ns', 'c', 'ipFamilies: [IPv6]');
  t.same(allocate(config(asked), previous), { 'ns/b': '10.8.0.9', 'ns/c': '! no available IPv6 address in any pool' }, 'a new request or family wins over the old address');
});

t.test("a cluster dump's status addresses count as previous allocations", async (t) => {
  const text =
    pool('p', '{ addresses: [10.8.0.0/24] }') +
    service('ns', 'a') +
    `---\napiVersion: v1\nkind: Service\nmetadata: { name: b, namespace: ns }\nspec: { type: LoadBalancer }\nstatus: { loadBalancer: { ingress: [{ ip: 10.8.0.42 }] } }\n`;
  t.same(allocate(config(text)), { 'ns/a': '10.8.0.0', 'ns/b': '10.8.0.42' });
});

t.test('IPv6 pools and large ranges', async (t) => {
  const text = pool('v6', '{ addresses: ["2001:db8::fffe-2001:db8::1:1"] }') + ['a', 'b', 'c', 'd', 'e'].map((n) => service('ns', n, 'ipFamilies: [IPv6]')).join('');
  t.same(allocate(config(text)), {
    'ns/a': '2001:db8::fffe',
    'ns/b': '2001:db8::ffff',
    'ns/c': '2001:db8::1:0',
    'ns/d': '2001:db8::1:1',
    'ns/e': '! no available IPv6 address in any pool',
  });
});
