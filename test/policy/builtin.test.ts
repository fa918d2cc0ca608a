// permitAny, deny-all with reasons, RFC 8212 (switch on/off, eBGP and iBGP, both directions), and binding a
// policy to a session's peer for the RIB.
import t from 'tap';
import type { PathAttribute } from '../../lib/wire/index.js';
import { bindPolicy, denyAll, ebgpRequiresPolicy, parseFrrPolicy, permitAny, policyDenyReason } from '../../lib/policy/index.js';
import type { Policy, PolicyPeer, PolicyRoute } from '../../lib/policy/index.js';

const attributes: readonly PathAttribute[] = Object.freeze([
  { kind: 'origin', origin: 0 },
  { kind: 'as-path', segments: [{ type: 2, asns: [65101] }] },
  { kind: 'next-hop', nextHop: '192.168.3.15' },
]);
const route: PolicyRoute = { prefix: { afi: 1, address: '10.8.0.0', length: 32 }, attributes };
const ebgp: PolicyPeer = { address: '192.168.3.15', asn: 65101, localAsn: 65100, ibgp: false };
const ibgp: PolicyPeer = { address: '10.0.0.2', asn: 65100, localAsn: 65100, ibgp: true };

t.test('permitAny returns the attributes it was given', async (t) => {
  t.equal(permitAny(route, ebgp), attributes);
  t.equal(policyDenyReason(permitAny), undefined);
});

t.test('denyAll carries its reason and is shared per reason', async (t) => {
  const d = denyAll('rfc8212-no-policy');
  t.equal(d(route, ebgp), null);
  t.equal(d.denyReason, 'rfc8212-no-policy');
  t.equal(policyDenyReason(d), 'rfc8212-no-policy');
  t.equal(denyAll('rfc8212-no-policy'), d);
  t.not(denyAll('route-map-missing'), d);
});

t.test('RFC 8212: eBGP without policy denies when the switch is on', async (t) => {
  // The speaker asks once for the import side and once for the export side; each without policy denies.
  const importPolicy = ebgpRequiresPolicy(undefined, ebgp, true);
  const exportPolicy = ebgpRequiresPolicy(undefined, ebgp, true);
  t.equal(importPolicy(route, ebgp), null, 'nothing accepted');
  t.equal(exportPolicy(route, ebgp), null, 'nothing sent');
  t.equal(importPolicy.denyReason, 'rfc8212-no-policy');
  t.equal(policyDenyReason(exportPolicy), 'rfc8212-no-policy');
});

t.test('RFC 8212: switch off, eBGP without policy permits everything', async (t) => {
  const p = ebgpRequiresPolicy(undefined, ebgp, false);
  t.equal(p, permitAny);
  t.equal(p(route, ebgp), attributes);
});

t.test('RFC 8212: iBGP is not concerned', async (t) => {
  for (const enabled of [true, false]) {
    const p = ebgpRequiresPolicy(undefined, ibgp, enabled);
    t.equal(p(route, ibgp), attributes, `switch ${enabled ? 'on' : 'off'}`);
    t.equal(p.denyReason, undefined);
  }
});

t.test('RFC 8212: a configured policy is used as it is', async (t) => {
  const r = parseFrrPolicy('route-map Permit-Any permit 100\n');
  t.ok(r.ok);
  if (!r.ok) return;
  const configured = r.policies.routeMapPolicy('Permit-Any', 'in');
  for (const enabled of [true, false]) {
    const p = ebgpRequiresPolicy(configured, ebgp, enabled);
    t.equal(p, configured);
    t.equal(p(route, ebgp), attributes);
  }
  // pfSense's setup: a Permit-Any map on the neighbour satisfies RFC 8212.
  const missing = r.policies.routeMapPolicy('Typo', 'out');
  t.equal(ebgpRequiresPolicy(missing, ebgp, true).denyReason, 'route-map-missing', 'a named but missing map still denies');
});

t.test('bindPolicy: a peer-bound function for the RIB', async (t) => {
  const seen: PolicyPeer[] = [];
  const spy: Policy = (r, peer) => {
    seen.push(peer);
    return r.attributes;
  };
  const bound = bindPolicy(spy, ebgp);
  t.equal(bound(route), attributes);
  t.same(seen, [ebgp]);
  // Whatever peer record the caller passes as second argument, the bound peer is used.
  const asRib = bound as (r: PolicyRoute, other: unknown) => readonly PathAttribute[] | null;
  asRib(route, { id: 'x' });
  t.same(seen, [ebgp, ebgp]);
  t.equal(bindPolicy(denyAll('rfc8212-no-policy'), ebgp).denyReason, 'rfc8212-no-policy');
});
