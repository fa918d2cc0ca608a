/**
 * Per-peer counters, kept for `show neighbors`, `show summary` and the Prometheus metrics: messages in and out by
 * type, the last NOTIFICATION each way, when the session came up, and how often it went down.
 */
import { MessageTypeName, errorCodeName, errorSubcodeName } from '../wire/index.js';

export interface NotificationRecord {
  code: number;
  subcode: number;
  /** "Cease / Administrative Shutdown". */
  name: string;
  /** RFC 9003 shutdown communication, if any. */
  shutdownMessage?: string;
  /** Milliseconds since the epoch. */
  at: number;
}

export interface MessageCounts {
  open: number;
  update: number;
  notification: number;
  keepalive: number;
  routeRefresh: number;
  total: number;
}

export class PeerCounters {
  readonly received: MessageCounts = emptyCounts();
  readonly sent: MessageCounts = emptyCounts();
  lastNotificationSent: NotificationRecord | undefined = undefined;
  lastNotificationReceived: NotificationRecord | undefined = undefined;
  /** Milliseconds since the epoch when the session last became Established (or went down, while it is down). */
  lastStateChange = Date.now();
  establishedTransitions = 0;
  /** Sessions that went down after being Established. */
  flaps = 0;
  /** Human-readable reason of the last session end. */
  lastDownReason: string | undefined = undefined;

  countReceived(type: number): void {
    bump(this.received, type, 1);
  }

  /** `n` messages of `type` sent (a batch of UPDATEs is one write). */
  countSent(type: number, n = 1): void {
    bump(this.sent, type, n);
  }
}

function emptyCounts(): MessageCounts {
  return { open: 0, update: 0, notification: 0, keepalive: 0, routeRefresh: 0, total: 0 };
}

function bump(c: MessageCounts, type: number, n: number): void {
  c.total += n;
  switch (type) {
    case 1:
      c.open += n;
      break;
    case 2:
      c.update += n;
      break;
    case 3:
      c.notification += n;
      break;
    case 4:
      c.keepalive += n;
      break;
    case 5:
      c.routeRefresh += n;
      break;
  }
}

export function notificationRecord(code: number, subcode: number, shutdownMessage?: string): NotificationRecord {
  const r: NotificationRecord = { code, subcode, name: `${errorCodeName(code)} / ${errorSubcodeName(code, subcode)}`, at: Date.now() };
  if (shutdownMessage !== undefined) r.shutdownMessage = shutdownMessage;
  return r;
}

export function messageTypeName(type: number): string {
  return MessageTypeName[type] ?? `type ${type}`;
}
