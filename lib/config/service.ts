/**
 * Kubernetes `Service` (v1) as MetalLB's controller reads it: the type, ports (for address sharing), selector and
 * `externalTrafficPolicy` (the backend key of sharing), the requested addresses (`metallb.io/loadBalancerIPs` or
 * `spec.loadBalancerIP`, never both), the requested pool (`metallb.io/address-pool`), the sharing key
 * (`metallb.io/allow-shared-ip`) — each annotation also read under the older `metallb.universe.tf/` prefix — the
 * IP families, and any `status.loadBalancer.ingress` a cluster dump carries.
 *
 * Service families follow MetalLB, which takes them from the cluster IPs; a manifest that has none falls back to
 * `ipFamilies`, then `ipFamilyPolicy` (dual stack asks for both), then the requested addresses, then IPv4.
 */
import { canonicalAddress, formatAddress, parseAddress, type IpAddress } from './address.js';
import { readMetadata, sourceOf, type Field } from './field.js';
import type { IPFamily, IPFamilyPolicy, Service, ServicePort } from './types.js';

const PREFIXES = ['metallb.io/', 'metallb.universe.tf/'] as const;

/** The value of a MetalLB annotation under its current or its older prefix, and the key it was found under. */
function annotation(annotations: Readonly<Record<string, string>>, name: string): { key: string; value: string } | undefined {
  for (const p of PREFIXES) {
    const key = p + name;
    if (Object.hasOwn(annotations, key)) return { key, value: annotations[key] as string };
  }
  return undefined;
}

const familyOf = (a: IpAddress): IPFamily => (a.afi === 1 ? 'IPv4' : 'IPv6');

/** One Service; `poolNames` are every IPAddressPool name declared (for `metallb.io/address-pool`). */
export function readService(root: Field, poolNames: ReadonlySet<string>): Service | undefined {
  const meta = readMetadata(root);
  const spec = root.get('spec');
  if (!spec.isMissing && !spec.map()) return undefined;
  let ok = true;
  const fail = (f: Field, message: string): void => {
    f.error(message);
    ok = false;
  };
  const typeField = spec.get('type');
  const type = typeField.oneOf(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const) ?? 'ClusterIP';
  if (!typeField.isMissing && typeField.value !== type) ok = false;

  const ports: ServicePort[] = [];
  for (const p of spec.get('ports').list()) {
    if (!p.map()) {
      ok = false;
      continue;
    }
    p.checkKnown(['name', 'protocol', 'port', 'targetPort', 'nodePort', 'appProtocol']);
    const protocolField = p.get('protocol');
    const protocol = protocolField.oneOf(['TCP', 'UDP', 'SCTP'] as const);
    if (protocol === undefined && !protocolField.isMissing) ok = false;
    const portField = p.get('port').required();
    const port = portField.int(1, 65535);
    if (port === undefined) ok = false;
    const target = p.get('targetPort');
    if (!target.isMissing && typeof target.value !== 'string' && target.int(1, 65535) === undefined) ok = false;
    if (typeof target.value === 'string' && target.nonEmptyString() === undefined) ok = false;
    const nodePort = p.get('nodePort');
    if (!nodePort.isMissing && nodePort.int(0, 65535) === undefined) ok = false;
    if (port !== undefined) ports.push({ protocol: protocol ?? 'TCP', port });
  }
  const selector = spec.get('selector').stringMap();
  const etpField = spec.get('externalTrafficPolicy');
  const externalTrafficPolicy = etpField.oneOf(['Cluster', 'Local'] as const) ?? 'Cluster';
  if (!etpField.isMissing && etpField.value !== externalTrafficPolicy) ok = false;
  if (type === 'LoadBalancer' && externalTrafficPolicy === 'Local') {
    etpField.warn('tsbgpd does not see endpoints: the address is announced from every node the advertisements select (MetalLB would announce it only from nodes running a ready endpoint)');
  }
  const loadBalancerClass = spec.get('loadBalancerClass').nonEmptyString();

  // Requested addresses: the annotation or spec.loadBalancerIP, never both (MetalLB `getDesiredLbIPs`).
  const annotations = meta.annotations;
  const annotationsField = root.get('metadata').get('annotations');
  const ipsAnnotation = annotation(annotations, 'loadBalancerIPs');
  const lbIPField = spec.get('loadBalancerIP');
  const lbIP = lbIPField.string();
  const requested: IpAddress[] = [];
  if (ipsAnnotation && lbIP) {
    fail(lbIPField, `set either spec.loadBalancerIP or the ${ipsAnnotation.key} annotation, not both`);
  } else if (ipsAnnotation) {
    const f = annotationsField.get(ipsAnnotation.key);
    for (const part of ipsAnnotation.value.split(',')) {
      const a = parseAddress(part);
      if (!a) fail(f, `not an IP address: ${JSON.stringify(part.trim())}`);
      else requested.push(a);
    }
    if (requested.length > 2) fail(f, 'at most two addresses: one IPv4 and one IPv6');
    else if (requested.length === 2 && requested[0]?.afi === requested[1]?.afi) fail(f, 'two addresses must be of different families (one IPv4, one IPv6)');
  } else if (lbIP !== undefined && lbIP !== '') {
    const a = parseAddress(lbIP);
    if (!a) fail(lbIPField, `expected an IP address, got ${JSON.stringify(lbIP)}`);
    else requested.push(a);
  }
  const poolAnnotation = annotation(annotations, 'address-pool');
  if (poolAnnotation && type === 'LoadBalancer' && !poolNames.has(poolAnnotation.value)) {
    fail(annotationsField.get(poolAnnotation.key), `no IPAddressPool named ${JSON.stringify(poolAnnotation.value)}`);
  }
  const sharing = annotation(annotations, 'allow-shared-ip');

  const families = readFamilies(spec, requested, fail);
  const policyField = spec.get('ipFamilyPolicy');
  const ipFamilyPolicy: IPFamilyPolicy = policyField.oneOf(['SingleStack', 'PreferDualStack', 'RequireDualStack'] as const) ?? 'SingleStack';
  if (!policyField.isMissing && policyField.value !== ipFamilyPolicy) ok = false;

  const statusIPs: string[] = [];
  const ingress = root.get('status').get('loadBalancer').get('ingress');
  for (const item of ingress.list()) {
    const ipField = item.get('ip');
    const ip = ipField.string();
    if (ip === undefined) continue;
    const c = canonicalAddress(ip);
    if (c === undefined) ipField.warn(`not an IP address: ${JSON.stringify(ip)} (ignored)`);
    else statusIPs.push(c);
  }

  if (!ok || !families || meta.name === undefined) return undefined;
  const namespace = meta.namespace ?? 'default';
  return {
    namespace,
    name: meta.name,
    key: `${namespace}/${meta.name}`,
    type,
    labels: meta.labels,
    ports,
    selector,
    externalTrafficPolicy,
    loadBalancerClass,
    families,
    ipFamilyPolicy,
    requestedIPs: requested.map(formatAddress),
    requestedPool: poolAnnotation?.value || undefined,
    sharingKey: sharing?.value,
    // kube's `labels.Set(selector).String()`: sorted `k=v` pairs; only Local traffic ties a service to its pods.
    backendKey:
      externalTrafficPolicy === 'Local'
        ? Object.keys(selector)
            .sort()
            .map((k) => `${k}=${selector[k]}`)
            .join(',')
        : '',
    statusIPs,
    source: sourceOf(root),
  };
}

/** The service's families (see the file comment); null when `ipFamilies` or the cluster IPs are malformed. */
function readFamilies(spec: Field, requested: readonly IpAddress[], fail: (f: Field, m: string) => void): IPFamily[] | null {
  const fromAddresses = (texts: readonly string[], f: Field): IPFamily[] | null => {
    const out: IPFamily[] = [];
    for (const t of texts) {
      if (t === 'None' || t === '') continue; // headless
      const a = parseAddress(t);
      if (!a) {
        fail(f, `not an IP address: ${JSON.stringify(t)}`);
        return null;
      }
      if (!out.includes(familyOf(a))) out.push(familyOf(a));
    }
    return out;
  };
  const clusterIPsField = spec.get('clusterIPs');
  const fromClusterIPs = fromAddresses(clusterIPsField.stringList(), clusterIPsField);
  if (fromClusterIPs === null) return null;
  if (fromClusterIPs.length > 0) return fromClusterIPs;
  const clusterIPField = spec.get('clusterIP');
  const clusterIP = clusterIPField.string();
  if (clusterIP !== undefined) {
    const f = fromAddresses([clusterIP], clusterIPField);
    if (f === null) return null;
    if (f.length > 0) return f;
  }
  const familiesField = spec.get('ipFamilies');
  const listed: IPFamily[] = [];
  for (const item of familiesField.list()) {
    const fam = item.oneOf(['IPv4', 'IPv6'] as const);
    if (fam === undefined) return null;
    if (listed.includes(fam)) {
      fail(item, `${fam} is listed twice`);
      return null;
    }
    listed.push(fam);
  }
  const policy = spec.get('ipFamilyPolicy').value;
  if (listed.length === 2 && (policy === undefined || policy === null || policy === 'SingleStack')) {
    fail(familiesField, 'two families need ipFamilyPolicy PreferDualStack or RequireDualStack');
    return null;
  }
  const dual = policy === 'PreferDualStack' || policy === 'RequireDualStack';
  if (listed.length === 1 && dual) return [listed[0] as IPFamily, listed[0] === 'IPv4' ? 'IPv6' : 'IPv4'];
  if (listed.length > 0) return listed;
  if (dual) return ['IPv4', 'IPv6'];
  if (requested.length > 0) return requested.map(familyOf);
  return ['IPv4'];
}
