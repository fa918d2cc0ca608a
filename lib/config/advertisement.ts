/**
 * `BGPAdvertisement` and `Community` (metallb.io/v1beta1): how a pool's addresses are announced.
 *
 * An advertisement selects pools (`ipAddressPools`, `ipAddressPoolSelectors`; neither = every pool), peers
 * (`peers`; none = every peer) and nodes (`nodeSelectors`), and says what to attach: the aggregation length (the
 * announced prefix is the service address masked to it), LOCAL_PREF (iBGP only; 0 means unset, and unset means no
 * attribute — MetalLB's native speaker sends 0, a bug), and communities. A community is `A:B` (two 16-bit
 * numbers), `large:A:B:C` (three 32-bit numbers, RFC 8092) or the name of an alias that a `Community` resource
 * defines (`spec.communities: [{name: NO_ADVERTISE, value: "65535:65282"}]`).
 */
import type { LargeCommunity } from '../wire/index.js';
import { readSelectors } from './label-selector.js';
import { readMetadata, sourceOf, type Field } from './field.js';
import type { BGPAdvertisement, CommunitySet } from './types.js';

export interface CommunityValue {
  readonly standard?: number;
  readonly large?: LargeCommunity;
}

const U16 = /^\d{1,5}$/;
const U32 = /^\d{1,10}$/;

/** MetalLB's community syntax: `A:B` or `large:A:B:C`; a message when the text is neither. */
export function parseCommunityValue(text: string): CommunityValue | string {
  if (text.startsWith('large:')) {
    const parts = text.slice(6).split(':');
    if (parts.length !== 3 || !parts.every((p) => U32.test(p) && Number(p) <= 0xffffffff)) {
      return `invalid large community ${JSON.stringify(text)}: expected large:A:B:C with numbers 0..4294967295`;
    }
    return { large: [Number(parts[0]), Number(parts[1]), Number(parts[2])] };
  }
  const parts = text.split(':');
  if (parts.length !== 2 || !parts.every((p) => U16.test(p) && Number(p) <= 0xffff)) {
    return `invalid community ${JSON.stringify(text)}: expected A:B with numbers 0..65535, or large:A:B:C`;
  }
  return { standard: ((Number(parts[0]) << 16) | Number(parts[1])) >>> 0 };
}

/**
 * The aliases of one `Community` resource, added to `aliases`; a name defined twice (here or in another resource)
 * is an error, as in MetalLB.
 */
export function readCommunityResource(root: Field, aliases: Map<string, CommunityValue>): void {
  readMetadata(root);
  const spec = root.get('spec').required();
  if (!spec.map()) return;
  spec.checkKnown(['communities']);
  for (const item of spec.get('communities').list()) {
    if (!item.map()) continue;
    item.checkKnown(['name', 'value']);
    const name = item.get('name').required().nonEmptyString();
    const valueField = item.get('value').required();
    const text = valueField.nonEmptyString();
    if (name === undefined || text === undefined) continue;
    const v = parseCommunityValue(text);
    if (typeof v === 'string') {
      valueField.error(v);
      continue;
    }
    if (aliases.has(name)) {
      item.get('name').error(`community alias ${JSON.stringify(name)} is defined twice`);
      continue;
    }
    aliases.set(name, v);
  }
}

const SPEC_FIELDS = [
  'aggregationLength',
  'aggregationLengthV6',
  'localPref',
  'communities',
  'ipAddressPools',
  'ipAddressPoolSelectors',
  'nodeSelectors',
  'peers',
] as const;

/** Names declared anywhere in the configuration (valid or not), for reference checks. */
export interface DeclaredNames {
  readonly pools: ReadonlySet<string>;
  readonly peers: ReadonlySet<string>;
}

/** One BGPAdvertisement; `aliases` are every Community alias of the configuration. */
export function readAdvertisement(root: Field, aliases: ReadonlyMap<string, CommunityValue>, declared: DeclaredNames): BGPAdvertisement | undefined {
  const meta = readMetadata(root);
  const spec = root.get('spec');
  // An advertisement with no spec at all is valid: every pool, every peer, every node, no attributes.
  if (!spec.isMissing && !spec.map()) return undefined;
  spec.checkKnown(SPEC_FIELDS);
  let ok = true;
  const len4 = spec.get('aggregationLength');
  const len6 = spec.get('aggregationLengthV6');
  const aggregationLength = len4.int(0, 32);
  const aggregationLengthV6 = len6.int(0, 128);
  if ((aggregationLength === undefined && !len4.isMissing) || (aggregationLengthV6 === undefined && !len6.isMissing)) ok = false;
  const lp = spec.get('localPref');
  const localPref = lp.int(0, 0xffffffff);
  if (localPref === undefined && !lp.isMissing) ok = false;
  const communities = readCommunities(spec.get('communities'), aliases);
  if (!communities) ok = false;
  const ipAddressPools = spec.get('ipAddressPools').uniqueStringList();
  ipAddressPools.forEach((name, i) => {
    if (!declared.pools.has(name)) spec.get('ipAddressPools').at(i).error(`no IPAddressPool named ${JSON.stringify(name)}`);
  });
  const ipAddressPoolSelectors = readSelectors(spec.get('ipAddressPoolSelectors'));
  const nodeSelectors = readSelectors(spec.get('nodeSelectors'));
  const peers = spec.get('peers').uniqueStringList();
  peers.forEach((name, i) => {
    if (!declared.peers.has(name)) spec.get('peers').at(i).error(`no BGPPeer named ${JSON.stringify(name)}`);
  });
  if (!ok || !communities || meta.name === undefined) return undefined;
  return {
    name: meta.name,
    aggregationLength: aggregationLength ?? 32,
    aggregationLengthV6: aggregationLengthV6 ?? 128,
    localPref: localPref === 0 ? undefined : localPref,
    communities,
    ipAddressPools,
    ipAddressPoolSelectors,
    peers,
    nodeSelectors,
    source: sourceOf(root),
  };
}

function readCommunities(f: Field, aliases: ReadonlyMap<string, CommunityValue>): CommunitySet | undefined {
  const standard = new Set<number>();
  const large = new Map<string, LargeCommunity>();
  let ok = true;
  const seen = new Set<string>();
  for (const item of f.list()) {
    const text = item.nonEmptyString();
    if (text === undefined) {
      ok = false;
      continue;
    }
    if (seen.has(text)) {
      item.error(`duplicate community ${JSON.stringify(text)}`);
      ok = false;
      continue;
    }
    seen.add(text);
    // An alias wins over the literal reading, as in MetalLB (`getCommunityValue`).
    let v: CommunityValue | string | undefined = aliases.get(text);
    if (v === undefined) {
      v = parseCommunityValue(text);
      if (typeof v === 'string' && !text.includes(':')) v = `no Community alias named ${JSON.stringify(text)}, and not a community value (A:B or large:A:B:C)`;
    }
    if (typeof v === 'string') {
      item.error(v);
      ok = false;
      continue;
    }
    if (v.standard !== undefined) standard.add(v.standard);
    if (v.large !== undefined) large.set(v.large.join(':'), v.large);
  }
  if (!ok) return undefined;
  const largeSorted = [...large.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  return { standard: [...standard].sort((a, b) => a - b), large: largeSorted };
}
