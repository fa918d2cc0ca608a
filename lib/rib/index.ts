/**
 * The RIB: Adj-RIBs-In, Loc-RIB with the RFC 4271 §9.1 decision process, Adj-RIBs-Out with UPDATE packing, route
 * reflection (RFC 4456), and aggregation for the announcer. Imports only ../wire.
 *
 * Typical use by the speaker:
 * ```ts
 * const rib = new Rib({ localAsn: 64501, routerId: '10.0.0.1' });
 * rib.on('outbound', (id) => setImmediate(() => session(id).write(rib.flush(id))));
 * rib.addPeer({ id: 'pfsense', address: '192.168.3.1', asn: 64500 });
 * rib.peerUp('pfsense', { families: [IPV4_UNICAST], txContext, routerId: '192.168.3.1', localAddress: { ipv4 } });
 * rib.originate(parsePrefix('10.8.0.0/32'));
 * rib.ingestUpdate('pfsense', body, rxContext); // for every UPDATE received
 * ```
 */
export { Rib } from './rib.js';
export { RibReader } from './rib-reader.js';
export { aggregateAddresses, aggregatePrefix } from './aggregate.js';
export { DEFAULT_LOCAL_PREF } from './attr-set.js';
export { AttrStore, SetFlag } from './attr-store.js';
export { LOCAL_WEIGHT } from './decision.js';
export { SENT_PATH_ID } from './outbound-group.js';
export { formatKey, keyToPrefix, prefixKey, type PrefixKey } from './prefix-key.js';
export type {
  AdjRibInEntry,
  AdjRibOutEntry,
  ExportPolicy,
  FlushBudget,
  ImportPolicy,
  LocalAddresses,
  LocRibEntry,
  NegotiatedSession,
  PathView,
  PeerCounters,
  PeerInfo,
  RefreshOutScope,
  RibEvents,
  RibMemoryUse,
  RibOptions,
  RoutePolicy,
  RouteInput,
} from './types.js';
