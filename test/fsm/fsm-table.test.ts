// RFC 4271 §8.2.2 as a table: for every state, each event that matters there → the exact actions and next state.
// Actions are written compactly (see `show`); jitter is pinned to factor 1.0 so timer values are the nominal ones.
import t from 'tap';
import { PeerFsm } from '../../lib/fsm/index.js';
import type { FsmAction, FsmEvent, FsmState, PeerFsmConfig } from '../../lib/fsm/index.js';
import { errors } from '../../lib/wire/errors.js';
import type { BgpError } from '../../lib/wire/errors.js';
import type { NotificationMessage, OpenMessage, UpdateMessage } from '../../lib/wire/types.js';

const config: PeerFsmConfig = { localAsn: 65000, routerId: '192.0.2.1', remoteAs: 65001 };

const peerOpen: OpenMessage = {
  type: 1,
  version: 4,
  myAs: 65001,
  holdTime: 90,
  bgpIdentifier: '192.0.2.2',
  capabilities: [
    { kind: 'multiprotocol', code: 1, afi: 1, safi: 1 },
    { kind: 'route-refresh', code: 2 },
    { kind: 'four-octet-as', code: 65, asn: 65001 },
  ],
};
const badAsOpen: OpenMessage = { ...peerOpen, myAs: 65002, capabilities: [{ kind: 'four-octet-as', code: 65, asn: 65002 }] };
const update: UpdateMessage = { type: 2, withdrawn: [], attributes: [], nlri: [] };
const notification = (code: number, subcode: number): NotificationMessage => ({ type: 3, code, subcode, data: new Uint8Array(0) });

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const err = (e: BgpError): string => `${e.code}/${e.subcode}${e.data.length > 0 ? ` data=${hex(e.data)}` : ''}`;

/** One line per action, e.g. `send NOTIFICATION 1 5/1`, `start Hold:1 240000`, `state OpenSent→Idle`. */
function show(a: FsmAction): string {
  switch (a.type) {
    case 'connect':
    case 'accept':
      return `${a.type} ${a.conn}`;
    case 'reject':
      return `reject ${err(a.error)}`;
    case 'send-open':
      return `send OPEN ${a.conn}`;
    case 'send-keepalive':
      return `send KEEPALIVE ${a.conn}`;
    case 'send-notification':
      return `send NOTIFICATION ${a.conn} ${err(a.error)}`;
    case 'close':
    case 'down': {
      const r = a.reason;
      const why =
        r.kind === 'notification-sent'
          ? `sent ${err(r.error)}`
          : r.kind === 'notification-received'
            ? `received ${r.notification.code}/${r.notification.subcode}`
            : r.kind === 'connect-abandoned'
              ? `abandoned ${r.cause}`
              : 'tcp-failure';
      return `${a.type} ${a.conn} (${why})`;
    }
    case 'start-timer':
      return `start ${'conn' in a.timer ? `${a.timer.name}:${a.timer.conn}` : a.timer.name} ${a.ms}`;
    case 'stop-timer':
      return `stop ${'conn' in a.timer ? `${a.timer.name}:${a.timer.conn}` : a.timer.name}`;
    case 'state':
      return `state ${a.from}→${a.to}`;
    case 'established':
      return `established ${a.conn}`;
    case 'deliver-update':
      return `deliver UPDATE ${a.conn}`;
    case 'deliver-route-refresh':
      return `deliver ROUTE-REFRESH ${a.conn}`;
  }
}

/** A fresh FSM driven to `state` over connection 1 (Active: our connection request was refused). */
function reach(state: FsmState, extra: Partial<PeerFsmConfig> = {}): PeerFsm {
  const fsm = new PeerFsm({ ...config, ...extra }, { random: () => 1 });
  const path: Record<FsmState, FsmEvent[]> = {
    Idle: [],
    Connect: [{ type: 'ManualStart' }],
    Active: [{ type: 'ManualStart' }, { type: 'TcpConnectionFails', conn: 1 }],
    OpenSent: [{ type: 'ManualStart' }, { type: 'Tcp_CR_Acked', conn: 1 }],
    OpenConfirm: [{ type: 'ManualStart' }, { type: 'Tcp_CR_Acked', conn: 1 }, { type: 'BGPOpen', conn: 1, open: peerOpen }],
    Established: [
      { type: 'ManualStart' },
      { type: 'Tcp_CR_Acked', conn: 1 },
      { type: 'BGPOpen', conn: 1, open: peerOpen },
      { type: 'KeepAliveMsg', conn: 1 },
    ],
  };
  for (const e of path[state]) fsm.handle(e);
  if (fsm.state !== state) throw new Error(`reach(${state}) ended in ${fsm.state}`);
  return fsm;
}

type Row = [event: FsmEvent, actions: string[], next: FsmState];

const headerError = errors.badMessageLength(5000);
const openError = errors.openUnspecific('truncated capability');
const updateError = errors.malformedAttributeList();
const rrError = errors.routeRefreshInvalidLength(new Uint8Array([0, 1, 0]));
const rrV4: FsmEvent = { type: 'RouteRefreshMsg', conn: 1, message: { type: 5, afi: 1, safi: 1, subtype: 0 } };

const fail = (from: FsmState, e: string, extra: string[] = []): string[] => [
  `send NOTIFICATION 1 ${e}`,
  `close 1 (sent ${e})`,
  ...extra,
  'start IdleHold 1000',
  `state ${from}→Idle`,
];
const failEstablished = (e: string): string[] => fail('Established', e, [`down 1 (sent ${e})`, 'stop IdleHoldReset']);

const table: Record<FsmState, Row[]> = {
  Idle: [
    [{ type: 'ManualStart' }, ['start ConnectRetry 1000', 'connect 1', 'state Idle→Connect'], 'Connect'],
    [{ type: 'AutomaticStart' }, ['start ConnectRetry 1000', 'connect 1', 'state Idle→Connect'], 'Connect'],
    [{ type: 'ManualStart_with_PassiveTcpEstablishment' }, ['start ConnectRetry 1000', 'state Idle→Active'], 'Active'],
    [{ type: 'AutomaticStart_with_PassiveTcpEstablishment' }, ['start ConnectRetry 1000', 'state Idle→Active'], 'Active'],
    [{ type: 'ManualStop' }, [], 'Idle'],
    [{ type: 'AutomaticStop' }, [], 'Idle'],
    [{ type: 'TcpConnectionConfirmed' }, ['reject 6/5'], 'Idle'],
    [{ type: 'ConnectRetryTimer_Expires' }, [], 'Idle'],
    [{ type: 'IdleHoldTimer_Expires' }, [], 'Idle'],
    [{ type: 'HoldTimer_Expires', conn: 1 }, [], 'Idle'],
    [{ type: 'Tcp_CR_Acked', conn: 1 }, [], 'Idle'],
    [{ type: 'BGPOpen', conn: 1, open: peerOpen }, [], 'Idle'],
    [{ type: 'KeepAliveMsg', conn: 1 }, [], 'Idle'],
  ],
  Connect: [
    [{ type: 'ManualStart' }, [], 'Connect'],
    [{ type: 'AutomaticStart' }, [], 'Connect'],
    [{ type: 'ManualStop' }, ['close 1 (abandoned stopped)', 'stop ConnectRetry', 'state Connect→Idle'], 'Idle'],
    [
      { type: 'AutomaticStop' },
      ['close 1 (abandoned stopped)', 'stop ConnectRetry', 'start IdleHold 1000', 'state Connect→Idle'],
      'Idle',
    ],
    [{ type: 'ConnectRetryTimer_Expires' }, ['close 1 (abandoned connect-retry)', 'start ConnectRetry 2000', 'connect 2'], 'Connect'],
    [
      { type: 'Tcp_CR_Acked', conn: 1 },
      ['stop ConnectRetry', 'send OPEN 1', 'start Hold:1 240000', 'state Connect→OpenSent'],
      'OpenSent',
    ],
    [
      { type: 'TcpConnectionConfirmed' },
      // Our pending request stays: the peer may already hold it as its incoming connection (both dialled at once).
      [
        'accept 2',
        'stop ConnectRetry',
        'send OPEN 2',
        'start Hold:2 240000',
        'state Connect→OpenSent',
      ],
      'OpenSent',
    ],
    [{ type: 'TcpConnectionFails', conn: 1 }, ['close 1 (tcp-failure)', 'state Connect→Active'], 'Active'],
    [{ type: 'Tcp_CR_Acked', conn: 9 }, [], 'Connect'],
    [{ type: 'BGPOpen', conn: 1, open: peerOpen }, [], 'Connect'],
    [{ type: 'HoldTimer_Expires', conn: 1 }, [], 'Connect'],
  ],
  Active: [
    [{ type: 'ManualStart' }, [], 'Active'],
    [{ type: 'ManualStop' }, ['stop ConnectRetry', 'state Active→Idle'], 'Idle'],
    [{ type: 'AutomaticStop' }, ['stop ConnectRetry', 'start IdleHold 1000', 'state Active→Idle'], 'Idle'],
    [{ type: 'ConnectRetryTimer_Expires' }, ['start ConnectRetry 2000', 'connect 2', 'state Active→Connect'], 'Connect'],
    [
      { type: 'TcpConnectionConfirmed' },
      ['accept 2', 'stop ConnectRetry', 'send OPEN 2', 'start Hold:2 240000', 'state Active→OpenSent'],
      'OpenSent',
    ],
    [{ type: 'TcpConnectionFails', conn: 1 }, [], 'Active'],
    [{ type: 'Tcp_CR_Acked', conn: 1 }, [], 'Active'],
    [{ type: 'IdleHoldTimer_Expires' }, [], 'Active'],
  ],
  OpenSent: [
    [{ type: 'ManualStart' }, [], 'OpenSent'],
    [{ type: 'ManualStop' }, ['send NOTIFICATION 1 6/2', 'close 1 (sent 6/2)', 'state OpenSent→Idle'], 'Idle'],
    [{ type: 'AutomaticStop', error: errors.cease(1) }, fail('OpenSent', '6/1'), 'Idle'],
    [{ type: 'AutomaticStop' }, fail('OpenSent', '6/0'), 'Idle'],
    [{ type: 'HoldTimer_Expires', conn: 1 }, fail('OpenSent', '4/0'), 'Idle'],
    [{ type: 'KeepaliveTimer_Expires', conn: 1 }, [], 'OpenSent'],
    [{ type: 'ConnectRetryTimer_Expires' }, [], 'OpenSent'],
    [{ type: 'TcpConnectionFails', conn: 1 }, ['close 1 (tcp-failure)', 'start ConnectRetry 1000', 'state OpenSent→Active'], 'Active'],
    [
      { type: 'BGPOpen', conn: 1, open: peerOpen },
      ['send KEEPALIVE 1', 'start Keepalive:1 30000', 'start Hold:1 90000', 'state OpenSent→OpenConfirm'],
      'OpenConfirm',
    ],
    [{ type: 'BGPOpen', conn: 1, open: badAsOpen }, fail('OpenSent', '2/2'), 'Idle'],
    [{ type: 'BGPHeaderErr', conn: 1, error: headerError }, fail('OpenSent', '1/2 data=1388'), 'Idle'],
    [{ type: 'BGPOpenMsgErr', conn: 1, error: openError }, fail('OpenSent', '2/0'), 'Idle'],
    [
      { type: 'NotifMsgVerErr', conn: 1, notification: notification(2, 1) },
      ['close 1 (received 2/1)', 'start IdleHold 1000', 'state OpenSent→Idle'],
      'Idle',
    ],
    [
      { type: 'NotifMsg', conn: 1, notification: notification(6, 2) },
      ['close 1 (received 6/2)', 'start IdleHold 1000', 'state OpenSent→Idle'],
      'Idle',
    ],
    // RFC 6608: anything but OPEN or NOTIFICATION in OpenSent is 5/1.
    [{ type: 'KeepAliveMsg', conn: 1 }, fail('OpenSent', '5/1'), 'Idle'],
    [{ type: 'UpdateMsg', conn: 1, update }, fail('OpenSent', '5/1'), 'Idle'],
    [{ type: 'UpdateMsgErr', conn: 1, error: updateError }, fail('OpenSent', '5/1'), 'Idle'],
    [rrV4, fail('OpenSent', '5/1'), 'Idle'],
    [{ type: 'RouteRefreshMsgErr', conn: 1, error: rrError }, fail('OpenSent', '5/1'), 'Idle'],
    [{ type: 'OpenCollisionDump', conn: 1 }, fail('OpenSent', '6/7'), 'Idle'],
    [{ type: 'UpdateSent', conn: 1 }, [], 'OpenSent'],
    // RFC 9687: the SendHoldTimer runs in Established only.
    [{ type: 'MessagesTransmitted', conn: 1 }, [], 'OpenSent'],
    [{ type: 'SendHoldTimer_Expires', conn: 1 }, [], 'OpenSent'],
    [{ type: 'TcpConnectionConfirmed' }, ['accept 2', 'send OPEN 2', 'start Hold:2 240000'], 'OpenSent'],
  ],
  OpenConfirm: [
    [{ type: 'ManualStart' }, [], 'OpenConfirm'],
    [{ type: 'ManualStop' }, ['send NOTIFICATION 1 6/2', 'close 1 (sent 6/2)', 'state OpenConfirm→Idle'], 'Idle'],
    [{ type: 'AutomaticStop' }, fail('OpenConfirm', '6/0'), 'Idle'],
    [{ type: 'HoldTimer_Expires', conn: 1 }, fail('OpenConfirm', '4/0'), 'Idle'],
    [{ type: 'KeepaliveTimer_Expires', conn: 1 }, ['send KEEPALIVE 1', 'start Keepalive:1 30000'], 'OpenConfirm'],
    [{ type: 'ConnectRetryTimer_Expires' }, [], 'OpenConfirm'],
    [{ type: 'TcpConnectionFails', conn: 1 }, ['close 1 (tcp-failure)', 'start IdleHold 1000', 'state OpenConfirm→Idle'], 'Idle'],
    [
      { type: 'KeepAliveMsg', conn: 1 },
      // RFC 9687 §4.3: the SendHoldTimer starts with the session; 8 minutes, as twice the hold time is less.
      ['start Hold:1 90000', 'start SendHold:1 480000', 'established 1', 'start IdleHoldReset 60000', 'state OpenConfirm→Established'],
      'Established',
    ],
    [{ type: 'BGPOpen', conn: 1, open: peerOpen }, fail('OpenConfirm', '5/2'), 'Idle'],
    [{ type: 'BGPOpenMsgErr', conn: 1, error: openError }, fail('OpenConfirm', '5/2'), 'Idle'],
    [{ type: 'BGPHeaderErr', conn: 1, error: headerError }, fail('OpenConfirm', '1/2 data=1388'), 'Idle'],
    [{ type: 'UpdateMsg', conn: 1, update }, fail('OpenConfirm', '5/2'), 'Idle'],
    [{ type: 'UpdateMsgErr', conn: 1, error: updateError }, fail('OpenConfirm', '5/2'), 'Idle'],
    [rrV4, fail('OpenConfirm', '5/2'), 'Idle'],
    [{ type: 'RouteRefreshMsgErr', conn: 1, error: rrError }, fail('OpenConfirm', '5/2'), 'Idle'],
    [
      { type: 'NotifMsg', conn: 1, notification: notification(6, 4) },
      ['close 1 (received 6/4)', 'start IdleHold 1000', 'state OpenConfirm→Idle'],
      'Idle',
    ],
    [{ type: 'OpenCollisionDump', conn: 1 }, fail('OpenConfirm', '6/7'), 'Idle'],
    [{ type: 'UpdateSent', conn: 1 }, [], 'OpenConfirm'],
    [{ type: 'MessagesTransmitted', conn: 1 }, [], 'OpenConfirm'],
    [{ type: 'SendHoldTimer_Expires', conn: 1 }, [], 'OpenConfirm'],
  ],
  Established: [
    [{ type: 'ManualStart' }, [], 'Established'],
    [
      { type: 'ManualStop' },
      ['send NOTIFICATION 1 6/2', 'close 1 (sent 6/2)', 'down 1 (sent 6/2)', 'stop IdleHoldReset', 'state Established→Idle'],
      'Idle',
    ],
    [{ type: 'AutomaticStop', error: errors.cease(1) }, failEstablished('6/1'), 'Idle'],
    [{ type: 'HoldTimer_Expires', conn: 1 }, failEstablished('4/0'), 'Idle'],
    [{ type: 'KeepaliveTimer_Expires', conn: 1 }, ['send KEEPALIVE 1', 'start Keepalive:1 30000'], 'Established'],
    [{ type: 'KeepAliveMsg', conn: 1 }, ['start Hold:1 90000'], 'Established'],
    [{ type: 'UpdateMsg', conn: 1, update }, ['start Hold:1 90000', 'deliver UPDATE 1'], 'Established'],
    [{ type: 'UpdateMsgErr', conn: 1, error: updateError }, failEstablished('3/1'), 'Idle'],
    [rrV4, ['start Hold:1 90000', 'deliver ROUTE-REFRESH 1'], 'Established'],
    // RFC 2918 §4: a family we did not announce is ignored; RFC 7313 §5: so is an unknown subtype.
    [{ type: 'RouteRefreshMsg', conn: 1, message: { type: 5, afi: 2, safi: 1, subtype: 0 } }, ['start Hold:1 90000'], 'Established'],
    [{ type: 'RouteRefreshMsg', conn: 1, message: { type: 5, afi: 1, safi: 1, subtype: 7 } }, ['start Hold:1 90000'], 'Established'],
    [{ type: 'RouteRefreshMsgErr', conn: 1, error: rrError }, failEstablished('7/1 data=000100'), 'Idle'],
    [{ type: 'BGPOpen', conn: 1, open: peerOpen }, failEstablished('5/3'), 'Idle'],
    [{ type: 'BGPOpenMsgErr', conn: 1, error: openError }, failEstablished('5/3'), 'Idle'],
    [{ type: 'BGPHeaderErr', conn: 1, error: errors.badMessageType(9) }, failEstablished('1/3 data=09'), 'Idle'],
    [
      { type: 'NotifMsg', conn: 1, notification: notification(6, 2) },
      ['close 1 (received 6/2)', 'down 1 (received 6/2)', 'stop IdleHoldReset', 'start IdleHold 1000', 'state Established→Idle'],
      'Idle',
    ],
    [
      { type: 'TcpConnectionFails', conn: 1 },
      ['close 1 (tcp-failure)', 'down 1 (tcp-failure)', 'stop IdleHoldReset', 'start IdleHold 1000', 'state Established→Idle'],
      'Idle',
    ],
    [{ type: 'UpdateSent', conn: 1 }, ['start Keepalive:1 30000'], 'Established'],
    // RFC 9687 §4.3: every message the kernel takes restarts the SendHoldTimer; its expiry closes with 8/0.
    [{ type: 'MessagesTransmitted', conn: 1 }, ['start SendHold:1 480000'], 'Established'],
    [{ type: 'SendHoldTimer_Expires', conn: 1 }, failEstablished('8/0'), 'Idle'],
    // Events for a connection that does not exist are ignored, the steady ones included.
    [{ type: 'UpdateMsg', conn: 7, update }, [], 'Established'],
    [{ type: 'MessagesTransmitted', conn: 7 }, [], 'Established'],
    [{ type: 'TcpConnectionConfirmed' }, ['reject 6/7'], 'Established'],
    [{ type: 'ConnectRetryTimer_Expires' }, [], 'Established'],
    [{ type: 'IdleHoldResetTimer_Expires' }, [], 'Established'],
    [{ type: 'OpenCollisionDump', conn: 1 }, failEstablished('6/7'), 'Idle'],
  ],
};

for (const [state, rows] of Object.entries(table) as [FsmState, Row[]][]) {
  t.test(`${state}`, async (t) => {
    for (const [event, actions, next] of rows) {
      const fsm = reach(state);
      const label = `${state} + ${event.type}${'conn' in event ? `(${event.conn})` : ''}`;
      t.strictSame(fsm.handle(event).map(show), actions, `${label}: actions`);
      t.equal(fsm.state, next, `${label} → ${next}`);
    }
  });
}

t.test('every state answers every event without throwing', async (t) => {
  const events: FsmEvent[] = Object.values(table).flatMap((rows) => rows.map(([e]) => e));
  for (const state of Object.keys(table) as FsmState[]) {
    for (const event of events) {
      const fsm = reach(state);
      t.doesNotThrow(() => fsm.handle(event), `${state} + ${event.type}`);
    }
  }
});

t.test('Active with passive configuration: listening only, no ConnectRetry', async (t) => {
  const fsm = new PeerFsm({ ...config, passive: true }, { random: () => 1 });
  t.strictSame(fsm.handle({ type: 'ManualStart' }).map(show), ['state Idle→Active']);
  t.strictSame(fsm.handle({ type: 'ConnectRetryTimer_Expires' }).map(show), [], 'no timer runs, a stray expiry does nothing');
  t.strictSame(fsm.handle({ type: 'TcpConnectionConfirmed' }).map(show), [
    'accept 1',
    'send OPEN 1',
    'start Hold:1 240000',
    'state Active→OpenSent',
  ]);
  t.strictSame(
    fsm.handle({ type: 'TcpConnectionFails', conn: 1 }).map(show),
    ['close 1 (tcp-failure)', 'state OpenSent→Active'],
    'back to listening without a ConnectRetry timer',
  );
});

t.test('PassiveTcpEstablishment: listen first, connect when ConnectRetry expires', async (t) => {
  const fsm = reach('Idle');
  fsm.handle({ type: 'ManualStart_with_PassiveTcpEstablishment' });
  t.strictSame(fsm.handle({ type: 'ConnectRetryTimer_Expires' }).map(show), [
    'start ConnectRetry 2000',
    'connect 1',
    'state Active→Connect',
  ]);
});
