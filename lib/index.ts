/**
 * tsbgpd as a library. Each layer is usable on its own (see docs/architecture.md):
 *
 * - `Speaker` — the embeddable BGP speaker (sessions + RIB + policy), re-exported at the top level;
 * - `wire` — the BGP-4 codec (also at the top level: `decodeMessage`, `encodeMessage`, `BgpError`, …);
 * - `fsm` — the RFC 4271 state machine, pure; `session` — it bound to node:net;
 * - `rib` — Adj-RIB-In, Loc-RIB and decision process, Adj-RIB-Out; `policy` — route maps and RFC 8212;
 * - `capture` — pcap/pcapng reading and TCP reassembly; `inspect` — captures decoded to JSON.
 */
export * as wire from './wire/index.js';
export * as capture from './capture/index.js';
export * as inspect from './inspect/index.js';
export * as fsm from './fsm/index.js';
export * as session from './session/index.js';
export * as rib from './rib/index.js';
export * as policy from './policy/index.js';
export * from './wire/index.js';
export { Speaker, type SpeakerOptions, type PeerConfig, type PeerStatus, type SpeakerEvents, type RouteAttributes } from './speaker/index.js';
export * as api from './api/index.js';
export * as config from './config/index.js';
export * as announcer from './announcer/index.js';
export * as router from './router/index.js';
