/**
 * From files to one checked configuration: `loadConfig(files, { node })` parses every document of every file,
 * hands each resource to the reader of its kind, runs the checks that span resources (`cross-checks.ts`) and either
 * returns a frozen `AnnouncerConfig` or every problem found. Nothing is half-accepted: one error and the whole
 * configuration is refused, so a daemon never starts (or switches) on an invalid one. `validate` is the same run,
 * returning the diagnostics only (for `tsbgpd validate`).
 *
 * Kinds read: metallb.io IPAddressPool, BGPAdvertisement, BGPPeer (v1beta1 and v1beta2), Community; v1 Service,
 * Namespace, Node; tsbgpd.io/v1alpha1 Node; `List` wrappers. L2Advertisement and BFDProfile are MetalLB kinds
 * tsbgpd does not implement (warned about). Anything else — a cluster dump's Deployments, ConfigMaps — is ignored
 * with one warning per kind and file.
 */
import { readAdvertisement, readCommunityResource, type CommunityValue } from './advertisement.js';
import { runCrossChecks, type Loaded } from './cross-checks.js';
import { compareDiagnostics, Diagnostics, type Diagnostic } from './diagnostics.js';
import { Field } from './field.js';
import { readKubernetesNode, readNamespace, readTsbgpdNode, resolveNode, type NodeOptions, type NodeResource } from './node.js';
import { readPeer } from './peer.js';
import { readPool } from './pool.js';
import { readService } from './service.js';
import type { AnnouncerConfig, BGPAdvertisement, BGPPeer, IPAddressPool, Namespace, Service } from './types.js';
import { parseSourceFile, type ResourceDocument, type SourceFile } from './yaml-documents.js';

export interface LoadOptions {
  /** This node's identity from the command line; completed from Node resources. */
  readonly node?: NodeOptions;
}

export type LoadResult =
  | { readonly ok: true; readonly config: AnnouncerConfig; readonly warnings: readonly Diagnostic[] }
  | { readonly ok: false; readonly errors: readonly Diagnostic[]; readonly warnings: readonly Diagnostic[] };

type KindName = 'IPAddressPool' | 'BGPAdvertisement' | 'BGPPeer' | 'Community' | 'L2Advertisement' | 'BFDProfile' | 'Service' | 'Namespace' | 'KubeNode' | 'TsbgpdNode';

/** apiVersion → kind → what it is. */
const KINDS: Readonly<Record<string, Readonly<Record<string, KindName>>>> = {
  'metallb.io/v1beta1': {
    IPAddressPool: 'IPAddressPool',
    BGPAdvertisement: 'BGPAdvertisement',
    BGPPeer: 'BGPPeer',
    Community: 'Community',
    L2Advertisement: 'L2Advertisement',
    BFDProfile: 'BFDProfile',
  },
  'metallb.io/v1beta2': { BGPPeer: 'BGPPeer' },
  v1: { Service: 'Service', Namespace: 'Namespace', Node: 'KubeNode' },
  'tsbgpd.io/v1alpha1': { Node: 'TsbgpdNode' },
};

/** Groups whose kinds tsbgpd knows: another version there is an error, not an unknown kind. */
const OWN_GROUPS = ['metallb.io', 'tsbgpd.io'];

interface Collected {
  readonly byKind: Map<KindName, Field[]>;
}

function collect(files: readonly SourceFile[], diags: Diagnostics): Collected {
  const byKind = new Map<KindName, Field[]>();
  const ignored = new Map<string, { doc: ResourceDocument; count: number; apiVersion: string; kind: string }>();
  for (const file of files) {
    for (const doc of parseSourceFile(file, diags)) {
      const root = Field.root(doc, diags);
      if (!root.isMap) {
        root.error(`expected a Kubernetes resource (a map with apiVersion and kind), got ${Array.isArray(doc.value) ? 'a list' : JSON.stringify(doc.value)}`);
        continue;
      }
      const apiVersion = root.get('apiVersion').required().nonEmptyString();
      const kind = root.get('kind').required().nonEmptyString();
      if (apiVersion === undefined || kind === undefined) continue;
      const known = KINDS[apiVersion]?.[kind];
      if (known !== undefined) {
        let list = byKind.get(known);
        if (!list) byKind.set(known, (list = []));
        list.push(root);
        continue;
      }
      const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
      if (OWN_GROUPS.includes(group)) {
        const versions = Object.keys(KINDS).filter((v) => KINDS[v]?.[kind] !== undefined && v.startsWith(`${group}/`));
        root.get('apiVersion').error(
          versions.length > 0 ? `unsupported apiVersion for ${kind}: use ${versions.join(' or ')}` : `unknown kind ${JSON.stringify(kind)} in ${group}`,
        );
        continue;
      }
      const key = `${doc.file}\u0000${apiVersion}\u0000${kind}`;
      const seen = ignored.get(key);
      if (seen) seen.count++;
      else ignored.set(key, { doc, count: 1, apiVersion, kind });
    }
  }
  for (const { doc, count, apiVersion, kind } of ignored.values()) {
    diags.warning({ file: doc.file, line: doc.line, column: doc.column }, undefined, `ignored ${count === 1 ? 'a resource' : `${count} resources`} of kind ${kind} (${apiVersion}): not used by tsbgpd`);
  }
  return { byKind };
}

function readAll<T>(roots: readonly Field[] | undefined, read: (f: Field) => T | undefined): Loaded<T>[] {
  const out: Loaded<T>[] = [];
  for (const root of roots ?? []) {
    const value = read(root);
    if (value !== undefined) out.push({ value, root });
  }
  return out;
}

/** Deep-freezes plain data (maps are left as they are: they are read-only by type). */
function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v) && !(v instanceof Map)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}

/** Parses and checks `files` for the node described by `options.node` (completed from Node resources). */
export function loadConfig(files: readonly SourceFile[], options: LoadOptions = {}): LoadResult {
  return load(files, options, true);
}

function load(files: readonly SourceFile[], options: LoadOptions, needNode: boolean): LoadResult {
  const diags = new Diagnostics();
  const { byKind } = collect(files, diags);

  // Community aliases first: advertisements anywhere in the files may use them.
  const aliases = new Map<string, CommunityValue>();
  for (const root of byKind.get('Community') ?? []) readCommunityResource(root, aliases);
  for (const root of byKind.get('L2Advertisement') ?? []) root.warn('L2Advertisement ignored: tsbgpd implements MetalLB\'s BGP mode only');
  for (const root of byKind.get('BFDProfile') ?? []) root.warn('BFDProfile ignored: BFD is not supported');

  // Every name declared, valid resource or not: a reference to a broken pool is not a second error.
  const declaredName = (kind: KindName): Set<string> =>
    new Set((byKind.get(kind) ?? []).map((r) => r.get('metadata').get('name').value).filter((n): n is string => typeof n === 'string'));
  const declared = { pools: declaredName('IPAddressPool'), peers: declaredName('BGPPeer') };

  const pools = readAll<IPAddressPool>(byKind.get('IPAddressPool'), readPool);
  const peers = readAll<BGPPeer>(byKind.get('BGPPeer'), readPeer);
  const advertisements = readAll<BGPAdvertisement>(byKind.get('BGPAdvertisement'), (r) => readAdvertisement(r, aliases, declared));
  const services = readAll<Service>(byKind.get('Service'), (r) => readService(r, declared.pools));
  const namespaces = readAll<Namespace>(byKind.get('Namespace'), readNamespace);
  const nodeResources = [
    ...readAll<NodeResource>(byKind.get('TsbgpdNode'), readTsbgpdNode),
    ...readAll<NodeResource>(byKind.get('KubeNode'), readKubernetesNode),
  ].map((l) => l.value);

  // Without a node to validate for (and none in the files), everything but the per-node checks still runs.
  const nodeless = !needNode && options.node === undefined && !nodeResources.some((r) => r.kind === 'tsbgpd');
  const draft = nodeless ? undefined : resolveNode(options.node ?? {}, nodeResources, diags);
  const checked = nodeless || draft ? runCrossChecks({ pools, peers, advertisements, services, namespaces, nodeResources, node: draft }, diags) : undefined;
  if (diags.hasErrors || !checked) return { ok: false, errors: diags.errors(), warnings: diags.warnings() };

  const config: AnnouncerConfig = {
    node: checked.node,
    pools: pools.map((p) => p.value),
    advertisements: advertisements.map((a) => a.value),
    peers: peers.map((p) => p.value),
    nodePeers: checked.nodePeers,
    communityAliases: aliases,
    services: services.map((s) => s.value).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    namespaces: namespaces.map((n) => n.value),
  };
  return { ok: true, config: deepFreeze(config), warnings: diags.warnings() };
}

/**
 * Every problem of `files` — errors and warnings, in file order. Without `options.node` (and no tsbgpd Node in the
 * files) the checks that concern one node (its BGPPeers' AS and router ID) are skipped; the rest all run.
 */
export function validate(files: readonly SourceFile[], options: LoadOptions = {}): Diagnostic[] {
  const r = load(files, options, false);
  return r.ok ? [...r.warnings] : [...r.errors, ...r.warnings].sort(compareDiagnostics);
}
