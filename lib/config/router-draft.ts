/**
 * The meeting point of the two ways to write a Router: the YAML reader (`router-yaml.ts`) and the FRR `router bgp`
 * reader (`router-frr.ts`) each fill a `RouterDraft` — every value already type- and range-checked and carrying
 * where it was written — and `buildRouterConfig` runs the checks that span values, once, for both:
 *
 * - a neighbour's peer group exists, and so does a listen range's;
 * - every neighbour has a remote AS (its own or its group's), and a member does not override its group's — FRR
 *   refuses that ("% Peer-group member cannot override remote-as of peer-group");
 * - `route-reflector-client` only on internal neighbours (RFC 4456 §6: clients are iBGP peers);
 * - `update-source` of the neighbour's address family; every neighbour activated in some family;
 * - a route map named but not defined is legal (FRR then denies every route) but warned about, and so is an eBGP
 *   neighbour without route maps while RFC 8212 is on (it will exchange nothing — FRR shows "(Policy)").
 *
 * Then the draft becomes a frozen `RouterConfig`. Imports this folder and lib/policy.
 */
import { compilePolicySet, emptyPolicyDefinition, type PolicyDefinition, type PolicySet } from '../policy/index.js';
import type { Diagnostics, SourcePosition } from './diagnostics.js';
import { parseAddress } from './address.js';
import {
  ROUTER_DEFAULTS,
  type RouterConfig,
  type RouterGracefulRestart,
  type RouterListener,
  type RouterListenRange,
  type RouterNeighbor,
  type RouterNetwork,
  type RouterPeerGroup,
  type RouterPeerSettings,
  type RouterRemoteAs,
} from './router-types.js';

/** Where a value was written: a position, and the field (`spec.neighbors[0].address`, or `spec.frr`). */
export interface Where {
  readonly pos: SourcePosition;
  readonly field: string | undefined;
}

export interface Located<T> {
  readonly value: T;
  readonly where: Where;
}

export type SettingsDraft = { -readonly [K in keyof RouterPeerSettings]?: Located<Exclude<RouterPeerSettings[K], undefined>> };

export interface PeerGroupDraft {
  readonly name: string;
  readonly where: Where;
  readonly settings: SettingsDraft;
}

export interface NeighborDraft {
  readonly address: string;
  readonly where: Where;
  peerGroup?: Located<string> | undefined;
  readonly settings: SettingsDraft;
}

export interface PolicyDraft {
  readonly definition: PolicyDefinition;
  readonly policies: PolicySet;
  readonly where: Where;
}

export interface RouterDraft {
  /** The resource (or the `frr` block) as a whole: where "missing" is reported. */
  where: Where;
  readonly name: string;
  readonly file: string;
  asn?: Located<number> | undefined;
  routerId?: Located<string> | undefined;
  clusterId?: Located<string> | undefined;
  listen?: Located<RouterConfig['listen']> | undefined;
  ebgpRequiresPolicy?: Located<boolean> | undefined;
  maximumPaths?: Located<number> | undefined;
  alwaysCompareMed?: Located<boolean> | undefined;
  listenLimit?: Located<number> | undefined;
  /** `bgp graceful-restart` given; the other fields are its settings (each may be given without it: a warning). */
  gracefulRestart?: Located<boolean> | undefined;
  restartTime?: Located<number> | undefined;
  stalePathTime?: Located<number> | undefined;
  grNotification?: Located<boolean> | undefined;
  preserveForwardingState?: Located<boolean> | undefined;
  readonly peerGroups: Map<string, PeerGroupDraft>;
  /** Keyed by canonical address. */
  readonly neighbors: Map<string, NeighborDraft>;
  readonly listenRanges: Located<RouterListenRange>[];
  readonly networks: Located<RouterNetwork>[];
  policy?: PolicyDraft | undefined;
  api?: RouterListener | false | undefined;
  metrics?: RouterListener | false | undefined;
}

export function emptyDraft(name: string, file: string, where: Where): RouterDraft {
  return { where, name, file, peerGroups: new Map(), neighbors: new Map(), listenRanges: [], networks: [] };
}

const error = (diags: Diagnostics, w: Where, message: string): void => diags.error(w.pos, w.field, message);
const warning = (diags: Diagnostics, w: Where, message: string): void => diags.warning(w.pos, w.field, message);

function plain(settings: SettingsDraft): RouterPeerSettings {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) if (v !== undefined) out[k] = (v as Located<unknown>).value;
  return out as RouterPeerSettings;
}

function isInternal(remoteAs: RouterRemoteAs, asn: number | undefined): boolean | undefined {
  if (remoteAs === 'internal') return true;
  if (remoteAs === 'external') return false;
  return asn === undefined ? undefined : remoteAs === asn;
}

interface Effective {
  readonly remoteAs: Located<RouterRemoteAs> | undefined;
  readonly get: <K extends keyof RouterPeerSettings>(k: K) => Located<Exclude<RouterPeerSettings[K], undefined>> | undefined;
}

function effective(own: SettingsDraft, group: PeerGroupDraft | undefined): Effective {
  const get = <K extends keyof RouterPeerSettings>(k: K): Located<Exclude<RouterPeerSettings[K], undefined>> | undefined =>
    (own[k] ?? group?.settings[k]) as Located<Exclude<RouterPeerSettings[K], undefined>> | undefined;
  return { remoteAs: get('remoteAs'), get };
}

/** The checks that apply to a neighbour and to a peer group alike (for a group: what its dynamic members get). */
function checkSession(
  diags: Diagnostics,
  draft: RouterDraft,
  who: string,
  own: SettingsDraft,
  e: Effective,
  address: string | undefined,
  policyFailed: boolean,
): void {
  const asn = draft.asn?.value;
  const rrc = e.get('routeReflectorClient');
  if (rrc?.value === true && e.remoteAs !== undefined && isInternal(e.remoteAs.value, asn) === false) {
    error(diags, rrc.where, `${who}: route-reflector-client needs an internal (iBGP) neighbour (RFC 4456), but remote-as is ${e.remoteAs.value}`);
  }
  const local = e.get('localAddress');
  if (local !== undefined && address !== undefined && parseAddress(local.value)?.afi !== parseAddress(address)?.afi) {
    error(diags, local.where, `${who}: update-source ${local.value} is not of the neighbour's address family`);
  }
  const families = e.get('families');
  if (families !== undefined && families.value.length === 0) {
    error(diags, families.where, `${who}: not activated in any address family: the session could carry nothing`);
  }
  // Route maps named here (not inherited: the group's are reported at the group), unless the policy itself
  // failed to read — its errors say more.
  for (const dir of ['in', 'out'] as const) {
    const rm = own[dir === 'in' ? 'routeMapIn' : 'routeMapOut'];
    if (rm !== undefined && (draft.policy !== undefined || !policyFailed) && draft.policy?.policies.routeMap(rm.value) === undefined) {
      warning(diags, rm.where, `${who}: route-map ${rm.value} is not defined: every route ${dir === 'in' ? 'from' : 'to'} it is denied (as FRR does)`);
    }
  }
  const rfc8212 = draft.ebgpRequiresPolicy?.value ?? ROUTER_DEFAULTS.ebgpRequiresPolicy;
  const external = e.remoteAs !== undefined ? isInternal(e.remoteAs.value, asn) === false : false;
  if (rfc8212 && external) {
    const missing = (['in', 'out'] as const).filter((d) => e.get(d === 'in' ? 'routeMapIn' : 'routeMapOut') === undefined);
    if (missing.length > 0) {
      const at = e.remoteAs?.where ?? draft.where;
      warning(
        diags,
        at,
        `${who}: eBGP without a route-map ${missing.join(' or ')}: RFC 8212 (bgp ebgp-requires-policy) lets nothing ${missing.length === 2 ? 'in or out' : missing[0]}`,
      );
    }
  }
}

/** Cross-checks the draft; a frozen RouterConfig when nothing is wrong (errors go to `diags`). */
export function buildRouterConfig(draft: RouterDraft, diags: Diagnostics): RouterConfig | undefined {
  // After errors in the values themselves, "missing" would mostly repeat them (an invalid remote-as is absent
  // here); references between values are still checked.
  const readCleanly = !diags.hasErrors;
  if (draft.asn === undefined && readCleanly) error(diags, draft.where, 'the local AS is missing (router bgp ASN / spec.asn)');
  if (draft.routerId === undefined && readCleanly) error(diags, draft.where, 'the router ID is missing (bgp router-id / spec.routerId)');

  for (const g of draft.peerGroups.values()) checkSession(diags, draft, `peer-group ${g.name}`, g.settings, effective(g.settings, undefined), undefined, !readCleanly);

  for (const n of draft.neighbors.values()) {
    const who = `neighbor ${n.address}`;
    let group: PeerGroupDraft | undefined;
    if (n.peerGroup !== undefined) {
      group = draft.peerGroups.get(n.peerGroup.value);
      if (group === undefined) error(diags, n.peerGroup.where, `${who}: peer-group ${n.peerGroup.value} is not defined`);
    }
    const own = n.settings.remoteAs;
    const inherited = group?.settings.remoteAs;
    if (own !== undefined && inherited !== undefined && own.value !== inherited.value) {
      error(diags, own.where, `${who}: peer-group ${group?.name} sets remote-as ${inherited.value}; a member cannot override it`);
    }
    if (own === undefined && inherited === undefined && readCleanly && (n.peerGroup === undefined || group !== undefined)) {
      error(diags, n.where, `${who}: no remote-as, on the neighbour or its peer group`);
    }
    checkSession(diags, draft, who, n.settings, effective(n.settings, group), n.address, !readCleanly);
  }

  const ranges = new Set<string>();
  for (const r of draft.listenRanges) {
    const group = draft.peerGroups.get(r.value.peerGroup);
    if (group === undefined) error(diags, r.where, `listen range ${r.value.prefix}: peer-group ${r.value.peerGroup} is not defined`);
    else if (group.settings.remoteAs === undefined) {
      error(diags, r.where, `listen range ${r.value.prefix}: peer-group ${group.name} has no remote-as, which dynamic neighbours need`);
    }
    if (ranges.has(r.value.prefix)) error(diags, r.where, `listen range ${r.value.prefix} is given twice`);
    ranges.add(r.value.prefix);
  }

  const networks = new Set<string>();
  for (const n of draft.networks) {
    if (networks.has(n.value.prefix)) error(diags, n.where, `network ${n.value.prefix} is given twice`);
    networks.add(n.value.prefix);
  }

  if (draft.policy !== undefined) for (const w of draft.policy.policies.warnings) warning(diags, draft.policy.where, w);
  const gr = gracefulRestartOf(draft, diags);

  if (diags.hasErrors || draft.asn === undefined || draft.routerId === undefined) return undefined;
  const policy = draft.policy ?? emptyPolicy();
  const config: RouterConfig = {
    name: draft.name,
    file: draft.file,
    asn: draft.asn.value,
    routerId: draft.routerId.value,
    clusterId: draft.clusterId?.value,
    listen: draft.listen?.value ?? { ...ROUTER_DEFAULTS.listen },
    ebgpRequiresPolicy: draft.ebgpRequiresPolicy?.value ?? ROUTER_DEFAULTS.ebgpRequiresPolicy,
    maximumPaths: draft.maximumPaths?.value ?? ROUTER_DEFAULTS.maximumPaths,
    alwaysCompareMed: draft.alwaysCompareMed?.value ?? false,
    listenLimit: draft.listenLimit?.value ?? ROUTER_DEFAULTS.listenLimit,
    ...(gr !== undefined ? { gracefulRestart: gr } : {}),
    peerGroups: [...draft.peerGroups.values()].map((g): RouterPeerGroup => ({ name: g.name, ...plain(g.settings) })),
    neighbors: [...draft.neighbors.values()].map(
      (n): RouterNeighbor => ({ address: n.address, ...(n.peerGroup ? { peerGroup: n.peerGroup.value } : {}), ...plain(n.settings) }),
    ),
    listenRanges: draft.listenRanges.map((r) => r.value),
    networks: draft.networks.map((n) => n.value),
    policy: policy.definition,
    policies: policy.policies,
    api: draft.api ?? { endpoint: undefined, allowRemote: false },
    metrics: draft.metrics ?? false,
  };
  return freeze(config);
}

/** The graceful-restart settings when `bgp graceful-restart` is on; its settings without it are warned about. */
function gracefulRestartOf(draft: RouterDraft, diags: Diagnostics): RouterGracefulRestart | undefined {
  const d = ROUTER_DEFAULTS.gracefulRestart;
  if (draft.gracefulRestart?.value !== true) {
    for (const s of [draft.restartTime, draft.stalePathTime, draft.grNotification, draft.preserveForwardingState]) {
      if (s !== undefined) warning(diags, s.where, 'has no effect without bgp graceful-restart (gracefulRestart: true)');
    }
    return undefined;
  }
  return {
    restartTime: draft.restartTime?.value ?? d.restartTime,
    stalePathTime: draft.stalePathTime?.value ?? d.stalePathTime,
    notification: draft.grNotification?.value ?? d.notification,
    preserveForwardingState: draft.preserveForwardingState?.value ?? d.preserveForwardingState,
  };
}

let empty: { definition: PolicyDefinition; policies: PolicySet } | undefined;

/** The policy of a configuration that defines none. */
function emptyPolicy(): { definition: PolicyDefinition; policies: PolicySet } {
  empty ??= { definition: emptyPolicyDefinition, policies: compilePolicySet(emptyPolicyDefinition) };
  return empty;
}

/** Deep-freezes plain data; the compiled PolicySet is left alone (it is immutable by its own API). */
function freeze<T>(v: T): T {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return v;
  if (Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) freeze(x);
  }
  return v;
}
