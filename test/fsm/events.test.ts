// From decoded messages, decoding errors and timers to the FSM's events.
import t from 'tap';
import { decodeErrorEvent, messageEvent, timerExpiredEvent, timerSlot } from '../../lib/fsm/index.js';
import type { TimerRef } from '../../lib/fsm/index.js';
import { errors } from '../../lib/wire/errors.js';
import type { BgpMessage } from '../../lib/wire/types.js';

t.test('messages', async (t) => {
  const none = new Uint8Array(0);
  const cases: [BgpMessage, string][] = [
    [{ type: 1, version: 4, myAs: 1, holdTime: 90, bgpIdentifier: '10.0.0.1', capabilities: [] }, 'BGPOpen'],
    [{ type: 2, withdrawn: [], attributes: [], nlri: [] }, 'UpdateMsg'],
    [{ type: 3, code: 2, subcode: 1, data: Uint8Array.of(0, 4) }, 'NotifMsgVerErr'],
    [{ type: 3, code: 2, subcode: 2, data: none }, 'NotifMsg'],
    [{ type: 3, code: 6, subcode: 1, data: none }, 'NotifMsg'],
    [{ type: 4 }, 'KeepAliveMsg'],
    [{ type: 5, afi: 1, safi: 1, subtype: 0 }, 'RouteRefreshMsg'],
  ];
  for (const [message, type] of cases) {
    const event = messageEvent(7, message);
    t.equal(event.type, type, `message type ${message.type} → ${type}`);
    t.equal('conn' in event && event.conn, 7);
  }
  const open = messageEvent(1, cases[0]?.[0] as BgpMessage);
  t.equal(open.type === 'BGPOpen' && open.open, cases[0]?.[0]);
});

t.test('decoding errors', async (t) => {
  const cases: [ReturnType<typeof errors.badMessageLength>, string][] = [
    [errors.badMessageLength(5000), 'BGPHeaderErr'],
    [errors.badMessageType(9), 'BGPHeaderErr'],
    [errors.connectionNotSynchronized(), 'BGPHeaderErr'],
    [errors.unsupportedOptionalParameter(1), 'BGPOpenMsgErr'],
    [errors.openUnspecific(), 'BGPOpenMsgErr'],
    [errors.malformedAsPath(), 'UpdateMsgErr'],
    [errors.routeRefreshInvalidLength(new Uint8Array(3)), 'RouteRefreshMsgErr'],
    [errors.cease(2), 'BGPHeaderErr'],
  ];
  for (const [error, type] of cases) {
    const event = decodeErrorEvent(3, error);
    t.equal(event.type, type, `${error.code}/${error.subcode} → ${type}`);
    t.equal('error' in event && event.error, error);
  }
});

t.test('timers', async (t) => {
  // Every timer of the peer and of its first connections has a slot of its own.
  const refs: TimerRef[] = [{ name: 'ConnectRetry' }, { name: 'IdleHold' }, { name: 'IdleHoldReset' }];
  for (let conn = 1; conn <= 5; conn++) for (const name of ['Hold', 'Keepalive', 'SendHold'] as const) refs.push({ name, conn });
  const slots = refs.map(timerSlot);
  t.equal(new Set(slots).size, refs.length, 'slots are distinct');
  t.ok(slots.every((s) => Number.isInteger(s) && s >= 0), 'small non-negative integers');
  t.equal(timerSlot({ name: 'Hold', conn: 4 }), timerSlot({ name: 'Hold', conn: 4 }), 'and stable');
  t.strictSame(timerExpiredEvent({ name: 'ConnectRetry' }), { type: 'ConnectRetryTimer_Expires' });
  t.strictSame(timerExpiredEvent({ name: 'IdleHold' }), { type: 'IdleHoldTimer_Expires' });
  t.strictSame(timerExpiredEvent({ name: 'IdleHoldReset' }), { type: 'IdleHoldResetTimer_Expires' });
  t.strictSame(timerExpiredEvent({ name: 'Hold', conn: 2 }), { type: 'HoldTimer_Expires', conn: 2 });
  t.strictSame(timerExpiredEvent({ name: 'Keepalive', conn: 2 }), { type: 'KeepaliveTimer_Expires', conn: 2 });
  t.strictSame(timerExpiredEvent({ name: 'SendHold', conn: 2 }), { type: 'SendHoldTimer_Expires', conn: 2 });
});
