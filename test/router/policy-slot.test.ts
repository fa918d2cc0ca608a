// PolicySlot: one stable function per session direction whose rules a reload swaps — a route map, or none (then
// RFC 8212 decides per route from the peer the RIB hands in) — and the deny reason the Speaker reads at session
// start for "(Policy)".
import t from 'tap';
import { parseFrrPolicy, type PolicyPeer, type PolicyRoute } from '../../lib/policy/index.js';
import { PolicySlot } from '../../lib/router/index.js';

const compiled = parseFrrPolicy('route-map TAG permit 10\n set local-preference 300\nroute-map DROP deny 10\n');
if (!compiled.ok) throw new Error('policy');
const policies = compiled.policies;

const route: PolicyRoute = { prefix: { afi: 1, address: '10.8.0.0', length: 32 }, attributes: [{ kind: 'origin', origin: 0 }] };
const ebgp: PolicyPeer = { address: '192.0.2.1', asn: 65101, localAsn: 65100, ibgp: false };
const ibgp: PolicyPeer = { address: '192.0.2.2', asn: 65100, localAsn: 65100, ibgp: true };

t.test('the function stays; what it applies changes at once', async (t) => {
  const slot = new PolicySlot({ target: { kind: 'route-map', name: 'TAG', policy: policies.routeMapPolicy('TAG', 'in') }, ebgpRequiresPolicy: true, external: true });
  const fn = slot.policy;
  t.same(fn(route, ebgp)?.find((a) => a.kind === 'local-pref'), { kind: 'local-pref', localPref: 300 }, 'TAG sets LOCAL_PREF');
  slot.set({ target: { kind: 'route-map', name: 'DROP', policy: policies.routeMapPolicy('DROP', 'in') }, ebgpRequiresPolicy: true, external: true });
  t.equal(slot.policy, fn, 'the same function object');
  t.equal(fn(route, ebgp), null, 'DROP denies');
  t.equal(fn.denyReason, undefined, 'a route map that denies some routes has no blanket reason');
});

t.test('no route map: RFC 8212 per route, from the peer', async (t) => {
  const slot = new PolicySlot({ target: { kind: 'none' }, ebgpRequiresPolicy: true, external: undefined });
  t.equal(slot.policy(route, ebgp), null, 'external session: nothing (RFC 8212 §3)');
  t.equal(slot.policy(route, ibgp), route.attributes, 'internal session: everything, unchanged');
  t.equal(slot.policy.denyReason, undefined, 'reason unknown while the session kind is (a dynamic neighbour)');
  slot.set({ target: { kind: 'none' }, ebgpRequiresPolicy: true, external: true });
  t.equal(slot.policy.denyReason, 'rfc8212-no-policy', 'known external: the Speaker can show (Policy)');
  slot.set({ target: { kind: 'none' }, ebgpRequiresPolicy: false, external: true });
  t.equal(slot.policy(route, ebgp), route.attributes, 'RFC 8212 off: everything');
  t.equal(slot.policy.denyReason, undefined);
});

t.test('a route map that does not exist denies all, and says so', async (t) => {
  const slot = new PolicySlot({ target: { kind: 'route-map', name: 'GONE', policy: policies.routeMapPolicy('GONE', 'out') }, ebgpRequiresPolicy: false, external: false });
  t.equal(slot.policy(route, ibgp), null);
  t.equal(slot.policy.denyReason, 'route-map-missing');
  t.equal(slot.state.target.kind, 'route-map');
});
