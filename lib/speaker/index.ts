/**
 * The embeddable BGP speaker: sessions, RIB and policy composed behind one typed EventEmitter.
 * See docs/library.md for a guided example.
 */
export { Speaker, type SpeakerOptions, type PeerConfig, type PeerStatus, type SpeakerEvents, type FamilyName } from './speaker.js';
export { toPathAttributes, type RouteAttributes } from './route-attributes.js';
