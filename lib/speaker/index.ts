/**
 * The embeddable BGP speaker: sessions, RIB and policy composed behind one typed EventEmitter.
 * See docs/library.md for a guided example.
 */
export { Speaker } from './speaker.js';
export {
  type SpeakerOptions,
  type PeerConfig,
  type PeerGroupConfig,
  type ListenRangeConfig,
  type PeerStatus,
  type SpeakerEvents,
  type FamilyName,
} from './types.js';
export { toPathAttributes, type RouteAttributes } from './route-attributes.js';
export { parseCidr, cidrContains, type Cidr } from './listen-range.js';
export { DEFAULT_STALE_PATH_TIME, retainOnClose, staleToDropOnReturn, purposefulCease } from './graceful-restart.js';
