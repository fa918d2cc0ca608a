/**
 * Sessions: the FSM of lib/fsm bound to node:net. `PeerSession` runs one peer; `Listener` accepts connections and
 * turns away unknown addresses with Cease / Connection Rejected. The only protocol code that touches sockets and
 * timers.
 */
export { PeerSession, type PeerSessionOptions, type PeerSessionEvents } from './peer-session.js';
export { netConnector, type Connector } from './connector.js';
export { describeClose } from './close-reason.js';
export { TimerTable } from './timers.js';
export { Listener, type ListenOptions, type ListenerEvents, type AcceptPolicy } from './listener.js';
export { Connection, normaliseAddress, type Transport, type ConnectionOptions } from './connection.js';
export { FakeClock, systemClock, type Clock, type TimerHandle } from './clock.js';
export { PeerCounters, notificationRecord, type NotificationRecord, type MessageCounts } from './counters.js';
export { silentLogger, type Logger } from './log.js';
