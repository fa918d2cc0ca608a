/**
 * Sessions: the FSM of lib/fsm bound to node:net. `PeerSession` runs one peer; `Listener` accepts connections and
 * turns away unknown addresses with Cease / Connection Rejected. The only protocol code that touches sockets and
 * timers.
 */
export { PeerSession, netConnector, describeClose, type Connector, type PeerSessionOptions, type PeerSessionEvents } from './peer-session.js';
export { Listener, type ListenOptions, type ListenerEvents, type AcceptPolicy } from './listener.js';
export { Connection, normaliseAddress, type Transport, type ConnectionOptions } from './connection.js';
export { FakeClock, systemClock, type Clock, type TimerHandle } from './clock.js';
export { PeerCounters, notificationRecord, type NotificationRecord, type MessageCounts } from './counters.js';
export { silentLogger, type Logger } from './log.js';
