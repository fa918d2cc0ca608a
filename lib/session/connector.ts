/**
 * Outgoing transport connections: how a session dials its peer. Injectable so that tests (and anything that is not
 * node:net) can supply their own; the default is a TCP socket with Nagle off — BGP messages are written whole and
 * a KEEPALIVE must not wait.
 */
import { connect as netConnect } from 'node:net';
import type { Transport } from './connection.js';

/** Opens an outgoing transport connection; the default uses node:net. */
export type Connector = (options: { host: string; port: number; localAddress?: string }) => Transport & {
  once(event: 'connect', fn: () => void): unknown;
  once(event: 'error', fn: (err: Error) => void): unknown;
};

export const netConnector: Connector = (o) => {
  const socket = netConnect({ host: o.host, port: o.port, noDelay: true, ...(o.localAddress ? { localAddress: o.localAddress } : {}) });
  return socket;
};
