/**
 * Who "this node" is. MetalLB's speaker learns it from the Kubernetes API; tsbgpd takes it from the command line
 * (`--node`, `--label`, `--router-id`, `--address`, `--asn`) and/or from resources in the configuration:
 *
 *     apiVersion: tsbgpd.io/v1alpha1
 *     kind: Node
 *     metadata: { name: worker-1, labels: { zone: a } }
 *     spec: { routerId: 192.168.3.15, addresses: [192.168.3.15], asn: 64501 }
 *
 * A core `v1` Node of the same name (from a cluster dump) contributes its labels and `status.addresses`. Flags win
 * over resources; labels merge (flag > tsbgpd Node > v1 Node), and `kubernetes.io/hostname` defaults to the node
 * name as on a kubelet-registered node. `Namespace` resources are read here too (for `namespaceSelectors`).
 */
import { canonicalAddress, parseAddress } from './address.js';
import type { Diagnostics } from './diagnostics.js';
import { labelKeyProblem, labelValueProblem, readLabels } from './label-selector.js';
import { readMetadata, sourceOf, type Field } from './field.js';
import type { Namespace, ResourceSource } from './types.js';

/** Node identity given on the command line (or by an embedding program). */
export interface NodeOptions {
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly routerId?: string;
  readonly addresses?: readonly string[];
  readonly asn?: number;
}

export interface NodeResource {
  readonly kind: 'tsbgpd' | 'kubernetes';
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly routerId: string | undefined;
  readonly addresses: readonly string[];
  readonly asn: number | undefined;
  readonly source: ResourceSource;
}

/** What is known of the node before the BGPPeers are looked at. */
export interface NodeDraft {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly routerId: string | undefined;
  readonly addresses: readonly string[];
  readonly asn: number | undefined;
  /** Where the ASN was set, for messages about disagreeing BGPPeers. */
  readonly asnFrom: string | undefined;
}

function isRouterId(text: string): boolean {
  const a = parseAddress(text);
  return a !== undefined && a.afi === 1 && a.value !== 0n;
}

/** `tsbgpd.io/v1alpha1` Node. */
export function readTsbgpdNode(root: Field): NodeResource | undefined {
  const meta = readMetadata(root);
  const spec = root.get('spec');
  if (!spec.isMissing && !spec.map()) return undefined;
  spec.checkKnown(['routerId', 'addresses', 'asn']);
  let ok = true;
  const ridField = spec.get('routerId');
  const routerId = ridField.nonEmptyString();
  if (routerId !== undefined && !isRouterId(routerId)) {
    ridField.error(`the BGP Identifier must be a non-zero IPv4 address, got ${JSON.stringify(routerId)}`);
    ok = false;
  }
  const addresses: string[] = [];
  for (const item of spec.get('addresses').list()) {
    const text = item.nonEmptyString();
    const c = text !== undefined ? canonicalAddress(text) : undefined;
    if (text !== undefined && c === undefined) item.error(`expected an IP address, got ${JSON.stringify(text)}`);
    if (c === undefined) ok = false;
    else addresses.push(c);
  }
  const asnField = spec.get('asn');
  const asn = asnField.int(1, 0xffffffff);
  if (asn === undefined && !asnField.isMissing) ok = false;
  if (!ok || meta.name === undefined) return undefined;
  return { kind: 'tsbgpd', name: meta.name, labels: meta.labels, routerId, addresses, asn, source: sourceOf(root) };
}

/** Core `v1` Node: its labels and its InternalIP/ExternalIP addresses. */
export function readKubernetesNode(root: Field): NodeResource | undefined {
  const meta = readMetadata(root);
  if (meta.name === undefined) return undefined;
  const addresses: string[] = [];
  for (const item of root.get('status').get('addresses').list()) {
    const type = item.get('type').string();
    const text = item.get('address').string();
    if ((type === 'InternalIP' || type === 'ExternalIP') && text !== undefined) {
      const c = canonicalAddress(text);
      if (c !== undefined) addresses.push(c);
    }
  }
  return { kind: 'kubernetes', name: meta.name, labels: meta.labels, routerId: undefined, addresses, asn: undefined, source: sourceOf(root) };
}

export function readNamespace(root: Field): Namespace | undefined {
  const meta = readMetadata(root);
  return meta.name === undefined ? undefined : { name: meta.name, labels: readLabels(root.get('metadata').get('labels')) };
}

/** Combines flags and resources into the node's identity; undefined (reported) when it cannot be known. */
export function resolveNode(options: NodeOptions, resources: readonly NodeResource[], diags: Diagnostics): NodeDraft | undefined {
  let ok = true;
  const flag = (name: string, message: string): void => {
    diags.error({ file: name }, undefined, message);
    ok = false;
  };
  const own = resources.filter((r) => r.kind === 'tsbgpd');
  let name = options.name;
  if (name === undefined) {
    if (own.length === 1) name = (own[0] as NodeResource).name;
    else {
      const names = own.map((r) => r.name);
      flag('--node', names.length === 0 ? 'which node is this? give --node NAME or a tsbgpd.io/v1alpha1 Node resource' : `several Node resources (${names.join(', ')}): give --node NAME`);
      return undefined;
    }
  }
  const mine = own.filter((r) => r.name === name);
  for (const dup of mine.slice(1)) diags.error(dup.source, 'metadata.name', `Node ${JSON.stringify(name)} is defined twice`);
  const res = mine[0];
  const kube = resources.find((r) => r.kind === 'kubernetes' && r.name === name);

  const labels: Record<string, string> = { 'kubernetes.io/hostname': name, ...kube?.labels, ...res?.labels };
  for (const [k, v] of Object.entries(options.labels ?? {})) {
    const problem = labelKeyProblem(k) ?? labelValueProblem(v);
    if (problem) flag('--label', problem);
    else labels[k] = v;
  }
  let routerId = res?.routerId;
  if (options.routerId !== undefined) {
    if (!isRouterId(options.routerId)) flag('--router-id', `the BGP Identifier must be a non-zero IPv4 address, got ${JSON.stringify(options.routerId)}`);
    else routerId = canonicalAddress(options.routerId);
  }
  let addresses = res?.addresses.length ? res.addresses : (kube?.addresses ?? []);
  if (options.addresses !== undefined) {
    const parsed: string[] = [];
    for (const a of options.addresses) {
      const c = canonicalAddress(a);
      if (c === undefined) flag('--address', `expected an IP address, got ${JSON.stringify(a)}`);
      else parsed.push(c);
    }
    addresses = parsed;
  }
  let asn = res?.asn;
  let asnFrom = res?.asn !== undefined ? `Node ${name} (${res.source.file}:${res.source.line})` : undefined;
  if (options.asn !== undefined) {
    if (!Number.isInteger(options.asn) || options.asn < 1 || options.asn > 0xffffffff) flag('--asn', `expected an AS number 1..4294967295, got ${options.asn}`);
    else {
      asn = options.asn;
      asnFrom = '--asn';
    }
  }
  return ok ? { name, labels, routerId, addresses, asn, asnFrom } : undefined;
}
