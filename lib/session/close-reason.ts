/**
 * Words for why a connection ended, for logs, `show neighbors` and the counters: the FSM's `CloseReason` as one
 * line, and the RFC 9003 shutdown communication carried by a Cease we send.
 */
import type { CloseReason } from '../fsm/index.js';
import type { BgpError } from '../wire/index.js';
import { notificationRecord } from './counters.js';

/** RFC 9003 §2: the text of an Administrative Shutdown or Reset Cease (length octet, then UTF-8), if any. */
export function shutdownText(error: BgpError): string | undefined {
  const d = error.data;
  if (error.code !== 6 || (error.subcode !== 2 && error.subcode !== 4) || d.length === 0) return undefined;
  const n = d[0] as number;
  if (n + 1 > d.length) return undefined;
  return Buffer.from(d.subarray(1, 1 + n)).toString('utf8');
}

/** A one-line, human-readable reason for logs and `show neighbors`. */
export function describeClose(reason: CloseReason): string {
  switch (reason.kind) {
    case 'notification-sent':
      return `sent NOTIFICATION ${reason.error.message}`;
    case 'notification-received': {
      const n = reason.notification;
      const rec = notificationRecord(n.code, n.subcode, n.shutdownMessage);
      return `received NOTIFICATION ${rec.name}${n.shutdownMessage ? `: "${n.shutdownMessage}"` : ''}`;
    }
    case 'tcp-failure':
      return `TCP: ${reason.detail ?? 'connection failed'}`;
    case 'connect-abandoned':
      return `connection attempt abandoned (${reason.cause})`;
  }
}
