/**
 * tsbgpd as a library. Each layer is usable on its own:
 *
 * - `wire` — the BGP-4 codec (also re-exported at the top level: `decodeMessage`, `encodeMessage`, `BgpError`, …);
 * - `capture` — pcap/pcapng reading and TCP reassembly into BGP message streams.
 *
 * See docs/architecture.md for how the layers fit together.
 */
export * as wire from './wire/index.js';
export * as capture from './capture/index.js';
export * from './wire/index.js';
