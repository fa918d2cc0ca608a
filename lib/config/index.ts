/**
 * Configuration: MetalLB's resources (IPAddressPool, BGPAdvertisement, BGPPeer, Community), Kubernetes Services,
 * Namespaces and Nodes, and tsbgpd's own Node, from multi-document YAML or JSON text into one checked, frozen
 * `AnnouncerConfig` — or every problem, each with file, line, column, field and reason.
 *
 *   const r = loadConfig([{ name: 'metallb.yaml', text }], { node: { name: 'worker-1' } });
 *   if (!r.ok) for (const d of r.errors) console.error(formatDiagnostic(d));
 *
 * The library never reads files: callers pass names and contents (lib/announcer/files.ts reads paths).
 * Imports lib/wire (address and community text) and the `yaml` package.
 */
export { loadConfig, validate, type LoadOptions, type LoadResult } from './load.js';
export { formatDiagnostic, compareDiagnostics, Diagnostics, type Diagnostic, type Severity, type SourcePosition } from './diagnostics.js';
export { parseSourceFile, formatPath, ResourceDocument, type SourceFile, type PathSegment } from './yaml-documents.js';
export type { NodeOptions } from './node.js';
export {
  addressBits,
  canonicalAddress,
  cidrContains,
  cidrLast,
  cidrSize,
  cidrText,
  cidrsOverlap,
  formatAddress,
  isBuggyIPv4,
  maskAddress,
  parseAddress,
  parseCidr,
  parsePoolAddresses,
  summarizeRange,
  usableCount,
  type Afi,
  type Cidr,
  type IpAddress,
} from './address.js';
export { parseGoDuration } from './peer.js';
export { parseCommunityValue, type CommunityValue } from './advertisement.js';
export {
  anySelectorMatches,
  formatSelector,
  selectorMatches,
  type LabelRequirement,
  type LabelSelector,
  type Labels,
  type SelectorOperator,
} from './label-selector.js';
export {
  advertisementSelectsNode,
  advertisementSelectsPeer,
  advertisementSelectsPool,
  fallbackPools,
  peerSelectsNode,
  pinnedPools,
  poolServesService,
} from './selection.js';
export type * from './types.js';
export * from './router-index.js';
