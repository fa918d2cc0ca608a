/**
 * The announcer: MetalLB's semantics on top of the Speaker. Services get addresses from IPAddressPools exactly as
 * MetalLB's allocator gives them (deterministically, and kept across restarts in a state file); BGPAdvertisements
 * turn those addresses into prefixes with per-peer communities and LOCAL_PREF; BGPPeers become sessions.
 *
 *   const running = await runAnnouncer({ config: ['metallb.yaml'], node: { name: 'worker-1', routerId: '192.168.3.15' } });
 *   running.announcer.services();   // [{ key: 'example/guestbook-ui', ingress: [{ ip: '10.8.0.0' }], … }]
 *   await running.stop('maintenance');
 *
 * See docs/announcer.md. May import node:* (state file, status file, watch mode).
 */
export {
  Announcer,
  type AnnouncerEvents,
  type AnnouncerOptions,
  type AnnouncerSpeaker,
  type ApplyChanges,
  type ApplyResult,
  type Logger,
  type RouteView,
  type ServiceStatus,
} from './announcer.js';
export { runAnnouncer, ConfigError, type RunAnnouncerOptions, type RunningAnnouncer } from './run.js';
export { allocateServices, isOurs, type AllocateOptions, type AllocationResult, type PreviousAssignment, type ServiceOutcome } from './allocate.js';
export { Allocator, claimOf, serviceFamily, type AllocationOutcome, type Assignment, type Claim, type ServiceFamily } from './allocator.js';
export { computeRoutes, EXCLUDE_LB_LABEL, sameExport, type AnnouncedPrefix, type PeerAttributes, type RouteOptions, type RouteTable } from './routes.js';
export { announcerExportPolicy, importNothing, peerConfigFor, peerFamilies, peerSignature, withPeerAttributes, GRACEFUL_RESTART_TIME } from './peers.js';
export {
  FileStateStore,
  MemoryStateStore,
  parseState,
  serializeState,
  renderStatus,
  statusDocument,
  writeFileAtomic,
  writeStatusFile,
  POOL_ANNOTATION,
  type AllocationState,
  type StateStore,
  type StoredAssignment,
} from './state.js';
export { configFilesOf, readConfigFiles, watchConfig, watchPaths, type WatchConfigOptions, type WatchHandle, type WatchPathsOptions } from './watch.js';
