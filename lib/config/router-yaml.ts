/**
 * The `kind: Router` resource (`apiVersion: tsbgpd.io/v1alpha1`) read into a Router draft. `spec` is either
 * structured YAML —
 *
 *   asn, routerId, clusterId, ebgpRequiresPolicy, maximumPaths, alwaysCompareMed, listenLimit,
 *   gracefulRestart: true | { restartTime, stalePathTime, notification, preserveForwardingState },
 *   peerGroups: { NAME: SETTINGS }, neighbors: [{ address, peerGroup, …SETTINGS }],
 *   listenRanges: [{ prefix, peerGroup }], networks: [PREFIX | { prefix, …attributes }],
 *   policy: FRR text | { routeMaps, prefixLists, communityLists, largeCommunityLists, asPathLists }
 *
 * — or an `frr: |` block of FRR configuration (router-frr.ts) that holds all of that; either way `listen`, `api`
 * and `metrics` stay YAML (they are bgpd's command line, not its configuration). SETTINGS are remoteAs,
 * description, passive, port, localAddress, holdTime, keepaliveTime, connectRetryTime, families,
 * routeReflectorClient, nextHopSelf, routeMapIn, routeMapOut, shutdown, shutdownMessage (router-types.ts says
 * which FRR command each one is). Unknown fields are errors here, unlike in Kubernetes resources: a misspelt
 * `routeMapIn` would silently leave a session without policy.
 *
 * Imports this folder only.
 */
import type { Diagnostics } from './diagnostics.js';
import type { Field } from './field.js';
import { emptyDraft, type Located, type RouterDraft, type SettingsDraft, type Where } from './router-draft.js';
import { readFrrRouter } from './router-frr.js';
import { readFrrPolicyText, readPlainPolicyField } from './router-policy.js';
import { embeddedText } from './router-positions.js';
import type { RouterFamily, RouterListener, RouterNetwork, RouterRouteAttributes } from './router-types.js';
import {
  checkAddress,
  checkAsn,
  checkClusterId,
  checkHoldTime,
  checkPrefix,
  checkCommunity,
  checkRouterId,
  checkShutdownMessage,
  isProblem,
  parseEndpointText,
  type Checked,
} from './router-values.js';
import { formatPath } from './yaml-documents.js';

const SETTINGS = [
  'remoteAs', 'description', 'passive', 'port', 'localAddress', 'holdTime', 'keepaliveTime', 'connectRetryTime', 'families',
  'routeReflectorClient', 'nextHopSelf', 'routeMapIn', 'routeMapOut', 'shutdown', 'shutdownMessage',
] as const;
/** spec fields that `frr:` replaces. */
const BGP_FIELDS = [
  'asn', 'routerId', 'clusterId', 'ebgpRequiresPolicy', 'maximumPaths', 'alwaysCompareMed', 'listenLimit', 'gracefulRestart', 'peerGroups',
  'neighbors', 'listenRanges', 'networks', 'policy',
] as const;
const GRACEFUL_RESTART_FIELDS = ['restartTime', 'stalePathTime', 'notification', 'preserveForwardingState'];
const SPEC_FIELDS = [...BGP_FIELDS, 'frr', 'listen', 'api', 'metrics'];
const ATTRIBUTES = ['origin', 'asPath', 'med', 'localPref', 'communities', 'largeCommunities', 'extendedCommunities'];

const whereOf = (f: Field): Where => ({ pos: f.doc.locate(f.path), field: f.name || undefined });

/** Unknown keys of a map are errors, each at its key, with a suggestion when one is close. */
function checkFields(f: Field, known: readonly string[], diags: Diagnostics): void {
  if (!f.isMap) return;
  for (const k of Object.keys(f.value as object)) {
    if (known.includes(k)) continue;
    const near = known.find((n) => n.toLowerCase() === k.toLowerCase() || (Math.abs(n.length - k.length) <= 1 && shareMost(n, k)));
    diags.error(f.doc.locateKey([...f.path, k]), formatPath([...f.path, k]), `unknown field${near ? ` (did you mean "${near}"?)` : ''}; expected one of ${known.join(', ')}`);
  }
}

function shareMost(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let same = 0;
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] === y[i]) same++;
  return same >= Math.max(x.length, y.length) - 2;
}

/** A value that a checker turns canonical; the problem, if any, is reported at the field. */
function checked<T, V>(f: Field, value: V | undefined, check: (v: V) => Checked<T>): Located<T> | undefined {
  if (value === undefined) return undefined;
  const r = check(value);
  if (isProblem(r)) return f.error(r.message);
  return { value: r, where: whereOf(f) };
}

function located<T>(f: Field, value: T | undefined): Located<T> | undefined {
  return value === undefined ? undefined : { value, where: whereOf(f) };
}

function readSettings(f: Field): SettingsDraft {
  const s: SettingsDraft = {};
  const put = <K extends keyof SettingsDraft>(k: K, v: SettingsDraft[K]): void => {
    if (v !== undefined) s[k] = v;
  };
  const remoteAs = f.get('remoteAs');
  if (typeof remoteAs.value === 'number') put('remoteAs', checked(remoteAs, remoteAs.value, checkAsn));
  else if (!remoteAs.isMissing) put('remoteAs', located(remoteAs, remoteAs.oneOf(['internal', 'external'] as const)));
  put('description', located(f.get('description'), f.get('description').nonEmptyString()));
  put('passive', located(f.get('passive'), f.get('passive').bool()));
  put('port', located(f.get('port'), f.get('port').int(1, 65535)));
  put('localAddress', checked(f.get('localAddress'), f.get('localAddress').string(), checkAddress));
  put('holdTime', checked(f.get('holdTime'), f.get('holdTime').int(0, 65535), checkHoldTime));
  put('keepaliveTime', located(f.get('keepaliveTime'), f.get('keepaliveTime').int(0, 65535)));
  put('connectRetryTime', located(f.get('connectRetryTime'), f.get('connectRetryTime').int(1, 65535)));
  const families = f.get('families');
  if (!families.isMissing) {
    const list: RouterFamily[] = [];
    for (const item of families.list()) {
      const v = item.oneOf(['ipv4-unicast', 'ipv6-unicast'] as const);
      if (v !== undefined && list.includes(v)) item.error(`${v} is listed twice`);
      else if (v !== undefined) list.push(v);
    }
    if (Array.isArray(families.value)) put('families', { value: list, where: whereOf(families) });
  }
  put('routeReflectorClient', located(f.get('routeReflectorClient'), f.get('routeReflectorClient').bool()));
  put('nextHopSelf', located(f.get('nextHopSelf'), f.get('nextHopSelf').bool()));
  put('routeMapIn', located(f.get('routeMapIn'), f.get('routeMapIn').nonEmptyString()));
  put('routeMapOut', located(f.get('routeMapOut'), f.get('routeMapOut').nonEmptyString()));
  put('shutdown', located(f.get('shutdown'), f.get('shutdown').bool()));
  put('shutdownMessage', checked(f.get('shutdownMessage'), f.get('shutdownMessage').string(), checkShutdownMessage));
  return s;
}

function readGroups(spec: Field, draft: RouterDraft, diags: Diagnostics): void {
  const groups = spec.get('peerGroups');
  if (groups.map() === undefined) return;
  for (const name of Object.keys(groups.value as object)) {
    const g = groups.get(name);
    if (!/^[^\s]+$/.test(name) || !isProblem(checkAddress(name))) {
      diags.error(g.doc.locateKey(g.path), g.name, `a peer group's name is one word and not an address: ${JSON.stringify(name)}`);
      continue;
    }
    if (g.map() === undefined && !g.isMissing) continue;
    checkFields(g, SETTINGS, diags);
    draft.peerGroups.set(name, { name, where: { pos: g.doc.locateKey(g.path), field: g.name }, settings: readSettings(g) });
  }
}

function readNeighbors(spec: Field, draft: RouterDraft, diags: Diagnostics): void {
  for (const n of spec.get('neighbors').list()) {
    if (n.map() === undefined) {
      if (n.isMissing) n.error('expected a neighbour (a map with an address)');
      continue;
    }
    checkFields(n, ['address', 'peerGroup', ...SETTINGS], diags);
    const a = n.get('address').required();
    const address = checked(a, a.string(), checkAddress);
    if (address === undefined) continue;
    if (draft.neighbors.has(address.value)) {
      a.error(`neighbor ${address.value} is configured twice`);
      continue;
    }
    const g = n.get('peerGroup');
    const peerGroup = located(g, g.nonEmptyString());
    draft.neighbors.set(address.value, {
      address: address.value,
      where: address.where,
      ...(peerGroup !== undefined ? { peerGroup } : {}),
      settings: readSettings(n),
    });
  }
}

function readRanges(spec: Field, draft: RouterDraft, diags: Diagnostics): void {
  for (const r of spec.get('listenRanges').list()) {
    if (r.map() === undefined) continue;
    checkFields(r, ['prefix', 'peerGroup'], diags);
    const prefix = checked(r.get('prefix').required(), r.get('prefix').string(), checkPrefix);
    const peerGroup = r.get('peerGroup').required().nonEmptyString();
    if (prefix !== undefined && peerGroup !== undefined) draft.listenRanges.push({ value: { prefix: prefix.value, peerGroup }, where: whereOf(r) });
  }
}

function readNetworks(spec: Field, draft: RouterDraft, diags: Diagnostics): void {
  for (const n of spec.get('networks').list()) {
    if (typeof n.value === 'string') {
      const prefix = checked(n, n.value, checkPrefix);
      if (prefix !== undefined) draft.networks.push({ value: { prefix: prefix.value, attributes: {} }, where: prefix.where });
      continue;
    }
    if (!n.isMap) {
      n.error('expected a prefix, or a map with a prefix and attributes');
      continue;
    }
    checkFields(n, ['prefix', ...ATTRIBUTES], diags);
    const prefix = checked(n.get('prefix').required(), n.get('prefix').string(), checkPrefix);
    const attributes: Record<string, unknown> = {};
    const origin = n.get('origin').oneOf(['igp', 'egp', 'incomplete'] as const);
    if (origin !== undefined) attributes['origin'] = origin;
    for (const k of ['med', 'localPref'] as const) {
      const v = n.get(k).int(0, 0xffffffff);
      if (v !== undefined) attributes[k] = v;
    }
    const path = n.get('asPath');
    if (!path.isMissing) attributes['asPath'] = path.list().map((i) => i.int(1, 0xffffffff)).filter((v): v is number => v !== undefined);
    for (const k of ['communities', 'largeCommunities', 'extendedCommunities'] as const) {
      if (n.get(k).isMissing) continue;
      attributes[k] = n
        .get(k)
        .list()
        .map((item) => checked(item, item.nonEmptyString(), (text) => checkCommunity(k, text))?.value)
        .filter((v): v is string => v !== undefined);
    }
    const a = attributes as RouterRouteAttributes;
    if (prefix !== undefined) draft.networks.push({ value: { prefix: prefix.value, attributes: a } satisfies RouterNetwork, where: prefix.where });
  }
}

function readListener(f: Field, diags: Diagnostics, kind: 'api' | 'metrics'): RouterListener | false | undefined {
  if (f.isMissing) return undefined;
  if (f.value === false) return false;
  if (f.map() === undefined) return f.error(`expected false or a map with ${kind === 'api' ? 'socket or address' : 'address'}`);
  const keys = kind === 'api' ? ['socket', 'address', 'allowRemote'] : ['address', 'allowRemote'];
  checkFields(f, keys, diags);
  const socket = kind === 'api' ? f.get('socket').nonEmptyString() : undefined;
  const address = f.get('address').nonEmptyString();
  if (socket !== undefined && address !== undefined) return f.error('give socket or address, not both');
  const allowRemote = f.get('allowRemote').bool() ?? false;
  if (socket !== undefined) return { endpoint: { socketPath: socket }, allowRemote };
  if (address === undefined) return kind === 'api' ? { endpoint: undefined, allowRemote } : f.error('address is missing');
  const endpoint = parseEndpointText(address);
  if (isProblem(endpoint)) return f.get('address').error(endpoint.message);
  return { endpoint, allowRemote };
}

function readListen(f: Field, draft: RouterDraft, diags: Diagnostics): void {
  if (f.isMissing) return;
  if (f.value === false) {
    draft.listen = { value: false, where: whereOf(f) };
    return;
  }
  if (f.map() === undefined) return;
  checkFields(f, ['address', 'port'], diags);
  const address = checked(f.get('address'), f.get('address').string(), checkAddress);
  const port = f.get('port').int(0, 65535);
  draft.listen = { value: { address: address?.value ?? '::', port: port ?? 179 }, where: whereOf(f) };
}

/** Reads one Router resource (its root field); `fileText` is the whole file, for positions inside text blocks. */
export function readRouterResource(root: Field, fileText: string, diags: Diagnostics): RouterDraft {
  checkFields(root, ['apiVersion', 'kind', 'metadata', 'spec'], diags);
  const meta = root.get('metadata');
  if (!meta.isMissing && meta.map() !== undefined) checkFields(meta, ['name', 'labels', 'annotations'], diags);
  const name = meta.get('name').nonEmptyString() ?? root.doc.file;
  const spec = root.get('spec').required();
  const draft = emptyDraft(name, root.doc.file, whereOf(spec.isMissing ? root : spec));
  if (spec.map() === undefined) return draft;
  checkFields(spec, SPEC_FIELDS, diags);

  const frr = spec.get('frr');
  if (!frr.isMissing) {
    const text = frr.string();
    if (text !== undefined) {
      const embedded = embeddedText(fileText, frr.doc.locate(frr.path), text);
      if (embedded.style === 'folded') frr.error('write FRR configuration as a literal block (frr: |): a folded block (>) joins its lines');
      else readFrrRouter(text, embedded, frr.name, draft, diags);
    }
    for (const k of BGP_FIELDS) {
      const f = spec.get(k);
      if (!f.isMissing) diags.error(f.doc.locateKey(f.path), f.name, `with spec.frr, ${k} belongs in the FRR configuration`);
    }
  } else {
    const asn = spec.get('asn').required();
    draft.asn = located(asn, asn.int(1, 0xffffffff));
    const routerId = spec.get('routerId').required();
    draft.routerId = checked(routerId, routerId.string(), checkRouterId);
    const cluster = spec.get('clusterId');
    const clusterValue = typeof cluster.value === 'number' ? cluster.value : cluster.string();
    draft.clusterId = checked(cluster, clusterValue, checkClusterId);
    draft.ebgpRequiresPolicy = located(spec.get('ebgpRequiresPolicy'), spec.get('ebgpRequiresPolicy').bool());
    draft.maximumPaths = located(spec.get('maximumPaths'), spec.get('maximumPaths').int(1, 64));
    draft.alwaysCompareMed = located(spec.get('alwaysCompareMed'), spec.get('alwaysCompareMed').bool());
    draft.listenLimit = located(spec.get('listenLimit'), spec.get('listenLimit').int(1, 65535));
    readGracefulRestart(spec.get('gracefulRestart'), draft, diags);
    readGroups(spec, draft, diags);
    readNeighbors(spec, draft, diags);
    readRanges(spec, draft, diags);
    readNetworks(spec, draft, diags);
    const policy = spec.get('policy');
    if (typeof policy.value === 'string') {
      const embedded = embeddedText(fileText, policy.doc.locate(policy.path), policy.value);
      if (embedded.style === 'folded') policy.error('write FRR policy as a literal block (policy: |): a folded block (>) joins its lines');
      else {
        const p = readFrrPolicyText(policy.value, embedded, whereOf(policy), diags);
        if (p !== undefined) draft.policy = p;
      }
    } else if (!policy.isMissing && policy.map() !== undefined) {
      const p = readPlainPolicyField(policy, diags);
      if (p !== undefined) draft.policy = p;
    }
  }
  readListen(spec.get('listen'), draft, diags);
  const api = readListener(spec.get('api'), diags, 'api');
  if (api !== undefined) draft.api = api;
  const metrics = readListener(spec.get('metrics'), diags, 'metrics');
  if (metrics !== undefined) draft.metrics = metrics;
  return draft;
}

/** `gracefulRestart: true`, or a map of its settings (which turns it on too): FRR's `bgp graceful-restart …`. */
function readGracefulRestart(f: Field, draft: RouterDraft, diags: Diagnostics): void {
  if (f.isMissing) return;
  if (typeof f.value === 'boolean') {
    draft.gracefulRestart = located(f, f.bool());
    return;
  }
  if (f.map() === undefined) return;
  checkFields(f, GRACEFUL_RESTART_FIELDS, diags);
  draft.gracefulRestart = { value: true, where: whereOf(f) };
  draft.restartTime = located(f.get('restartTime'), f.get('restartTime').int(0, 4095));
  draft.stalePathTime = located(f.get('stalePathTime'), f.get('stalePathTime').int(1, 4095));
  draft.grNotification = located(f.get('notification'), f.get('notification').bool());
  draft.preserveForwardingState = located(f.get('preserveForwardingState'), f.get('preserveForwardingState').bool());
}
