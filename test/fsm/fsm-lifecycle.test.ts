// Sequences through the FSM: establishment only on the peer's KEEPALIVE, hold time 0, the reconnect backoff and
// IdleHold damping with their reset, stopping, and connection collisions (RFC 4271 §6.8) in both orders.
import t from 'tap';
import { PeerFsm } from '../../lib/fsm/index.js';
import type { FsmAction, FsmEvent, PeerFsmConfig } from '../../lib/fsm/index.js';
import { errors } from '../../lib/wire/errors.js';
import type { BgpError } from '../../lib/wire/errors.js';
import type { OpenMessage, UpdateMessage } from '../../lib/wire/types.js';

const config: PeerFsmConfig = { localAsn: 65000, routerId: '192.0.2.1', remoteAs: 65001 };
const peerOpen = (overrides: Partial<OpenMessage> = {}): OpenMessage => ({
  type: 1,
  version: 4,
  myAs: 65001,
  holdTime: 90,
  bgpIdentifier: '192.0.2.2',
  capabilities: [
    { kind: 'multiprotocol', code: 1, afi: 1, safi: 1 },
    { kind: 'four-octet-as', code: 65, asn: 65001 },
  ],
  ...overrides,
});
const update: UpdateMessage = { type: 2, withdrawn: [], attributes: [], nlri: [] };

const err = (e: BgpError): string => `${e.code}/${e.subcode}`;
function show(a: FsmAction): string {
  switch (a.type) {
    case 'reject':
      return `reject ${err(a.error)}`;
    case 'send-notification':
      return `send NOTIFICATION ${a.conn} ${err(a.error)}`;
    case 'send-open':
      return `send OPEN ${a.conn}`;
    case 'send-keepalive':
      return `send KEEPALIVE ${a.conn}`;
    case 'close':
    case 'down':
      return `${a.type} ${a.conn} (${a.reason.kind === 'notification-sent' ? `sent ${err(a.reason.error)}` : a.reason.kind})`;
    case 'start-timer':
      return `start ${'conn' in a.timer ? `${a.timer.name}:${a.timer.conn}` : a.timer.name} ${a.ms}`;
    case 'stop-timer':
      return `stop ${'conn' in a.timer ? `${a.timer.name}:${a.timer.conn}` : a.timer.name}`;
    case 'state':
      return `state ${a.from}→${a.to}`;
    case 'deliver-update':
      return `deliver UPDATE ${a.conn}`;
    case 'deliver-route-refresh':
      return `deliver ROUTE-REFRESH ${a.conn}`;
    default:
      return `${a.type} ${a.conn}`;
  }
}

function fsmWith(extra: Partial<PeerFsmConfig> = {}, random: () => number = () => 1): PeerFsm {
  return new PeerFsm({ ...config, ...extra }, { random });
}
const run = (fsm: PeerFsm, ...events: FsmEvent[]): string[] => events.flatMap((e) => fsm.handle(e).map(show));
/** The duration of every `start-timer` of `name` among the actions. */
const starts = (actions: readonly FsmAction[], name: string): number[] =>
  actions.flatMap((a) => (a.type === 'start-timer' && a.timer.name === name ? [a.ms] : []));

t.test('the session is up only when the peer\'s KEEPALIVE arrives in OpenConfirm', async (t) => {
  const fsm = fsmWith();
  run(fsm, { type: 'ManualStart' }, { type: 'Tcp_CR_Acked', conn: 1 }, { type: 'BGPOpen', conn: 1, open: peerOpen() });
  t.equal(fsm.state, 'OpenConfirm');
  // We send KEEPALIVEs of our own (the first on accepting the OPEN, then on our timer) — that is not enough.
  const ours = run(fsm, { type: 'KeepaliveTimer_Expires', conn: 1 }, { type: 'KeepaliveTimer_Expires', conn: 1 });
  t.equal(ours.filter((a) => a === 'send KEEPALIVE 1').length, 2);
  t.notOk(ours.some((a) => a.startsWith('established')), 'no established after sending KEEPALIVEs');
  t.equal(fsm.state, 'OpenConfirm');
  t.equal(fsm.negotiated, undefined, 'nothing negotiated is exposed as a session yet');

  const actions = fsm.handle({ type: 'KeepAliveMsg', conn: 1 });
  const established = actions.find((a) => a.type === 'established');
  t.ok(established, 'established on the peer\'s KEEPALIVE');
  t.equal(fsm.state, 'Established');
  if (established?.type === 'established') {
    t.equal(established.negotiated.peerAsn, 65001);
    t.equal(established.negotiated.holdTime, 90);
    t.same([...established.negotiated.rx.addPath], []);
    t.equal(established.negotiated.rx.fourOctetAs, true);
    t.equal(fsm.negotiated, established.negotiated);
    t.strictSame(fsm.connection(1), { conn: 1, direction: 'outgoing', state: 'Established', negotiated: established.negotiated });
  }
  t.equal(fsm.connection(2), undefined);
});

t.test('an UPDATE before the peer\'s KEEPALIVE is an FSM error, never delivered', async (t) => {
  const fsm = fsmWith();
  run(fsm, { type: 'ManualStart' }, { type: 'Tcp_CR_Acked', conn: 1 }, { type: 'BGPOpen', conn: 1, open: peerOpen() });
  const actions = run(fsm, { type: 'UpdateMsg', conn: 1, update });
  t.ok(actions.includes('send NOTIFICATION 1 5/2'));
  t.notOk(actions.some((a) => a.startsWith('deliver')));
  t.equal(fsm.state, 'Idle');
});

t.test('hold time 0 negotiated: no hold timer, no keepalives (RFC 4271 §4.2)', async (t) => {
  const fsm = fsmWith();
  run(fsm, { type: 'ManualStart' }, { type: 'Tcp_CR_Acked', conn: 1 });
  t.strictSame(run(fsm, { type: 'BGPOpen', conn: 1, open: peerOpen({ holdTime: 0 }) }), [
    'send KEEPALIVE 1',
    'stop Hold:1',
    'state OpenSent→OpenConfirm',
  ]);
  t.strictSame(run(fsm, { type: 'KeepAliveMsg', conn: 1 }), ['established 1', 'start IdleHoldReset 60000', 'state OpenConfirm→Established']);
  t.strictSame(run(fsm, { type: 'UpdateMsg', conn: 1, update }), ['deliver UPDATE 1']);
  t.strictSame(run(fsm, { type: 'HoldTimer_Expires', conn: 1 }, { type: 'KeepaliveTimer_Expires', conn: 1 }), [], 'stray expiries do nothing');
  t.strictSame(run(fsm, { type: 'UpdateSent', conn: 1 }), []);
});

t.test('negotiated hold and keepalive drive the timers', async (t) => {
  const fsm = fsmWith({ holdTime: 180, keepaliveTime: 10 });
  run(fsm, { type: 'ManualStart' }, { type: 'Tcp_CR_Acked', conn: 1 });
  const actions = fsm.handle({ type: 'BGPOpen', conn: 1, open: peerOpen({ holdTime: 30 }) });
  t.strictSame(starts(actions, 'Hold'), [30000], 'min(180, 30)');
  t.strictSame(starts(actions, 'Keepalive'), [10000], 'configured keepalive below a third of 30');
});

t.test('keepalive jitter: 0.75 to 1.0 of the interval, a new draw each time', async (t) => {
  const draws = [0, 1, 0.5];
  const fsm = fsmWith({}, () => draws.shift() ?? 0);
  run(fsm, { type: 'ManualStart_with_PassiveTcpEstablishment' }); // draw 0: ConnectRetry
  run(fsm, { type: 'TcpConnectionConfirmed' });
  const first = fsm.handle({ type: 'BGPOpen', conn: 1, open: peerOpen() }); // draw 1
  const second = fsm.handle({ type: 'KeepaliveTimer_Expires', conn: 1 }); // draw 0.5
  t.strictSame([...starts(first, 'Keepalive'), ...starts(second, 'Keepalive')], [30000, 26250]);
});

t.test('reconnect backoff: ConnectRetry doubles from 1 s to 120 s with jitter', async (t) => {
  for (const [random, expected] of [
    [() => 1, [1000, 2000, 4000, 8000, 16000, 32000, 64000, 120000, 120000]],
    [() => 0, [750, 1500, 3000, 6000, 12000, 24000, 48000, 90000, 90000]],
  ] as const) {
    const fsm = fsmWith({}, random);
    const seen = starts(fsm.handle({ type: 'ManualStart' }), 'ConnectRetry');
    for (let conn = 1; seen.length < expected.length; conn++) {
      // Refused at once: the next attempt waits for the ConnectRetry timer started with this one.
      t.strictSame(run(fsm, { type: 'TcpConnectionFails', conn }), [`close ${conn} (tcp-failure)`, 'state Connect→Active']);
      seen.push(...starts(fsm.handle({ type: 'ConnectRetryTimer_Expires' }), 'ConnectRetry'));
      t.equal(fsm.state, 'Connect');
    }
    t.strictSame(seen, expected);
  }
});

t.test('a connection attempt that hangs is abandoned when ConnectRetry expires', async (t) => {
  const fsm = fsmWith();
  run(fsm, { type: 'ManualStart' });
  t.strictSame(run(fsm, { type: 'ConnectRetryTimer_Expires' }), [
    'close 1 (connect-abandoned)',
    'start ConnectRetry 2000',
    'connect 2',
  ]);
  t.strictSame(run(fsm, { type: 'Tcp_CR_Acked', conn: 1 }), [], 'the abandoned attempt is forgotten');
  t.strictSame(run(fsm, { type: 'Tcp_CR_Acked', conn: 2 }).slice(0, 2), ['stop ConnectRetry', 'send OPEN 2']);
});

/** One failing cycle: wait for IdleHold (unless first), connect, and have the OPEN refused for a bad AS. */
function refusedCycle(fsm: PeerFsm, conn: number, first: boolean): readonly FsmAction[] {
  if (!first) fsm.handle({ type: 'IdleHoldTimer_Expires' });
  else fsm.handle({ type: 'ManualStart' });
  fsm.handle({ type: 'Tcp_CR_Acked', conn });
  return fsm.handle({ type: 'BGPOpen', conn, open: peerOpen({ myAs: 65099, capabilities: [] }) });
}

t.test('a misconfigured peer never becomes a tight loop: IdleHold doubles per refused OPEN', async (t) => {
  const fsm = fsmWith();
  const delays: number[] = [];
  for (let conn = 1; conn <= 10; conn++) {
    const actions = refusedCycle(fsm, conn, conn === 1);
    t.ok(actions.map(show).includes(`send NOTIFICATION ${conn} 2/2`));
    t.equal(fsm.state, 'Idle');
    delays.push(...starts(actions, 'IdleHold'));
  }
  t.strictSame(delays, [1000, 2000, 4000, 8000, 16000, 32000, 64000, 120000, 120000, 120000]);
  t.equal(fsm.snapshot().connectRetryCounter, 10);
});

t.test('a NOTIFICATION from the peer also grows IdleHold', async (t) => {
  const fsm = fsmWith();
  const delays: number[] = [];
  for (let conn = 1; conn <= 3; conn++) {
    fsm.handle(conn === 1 ? { type: 'ManualStart' } : { type: 'IdleHoldTimer_Expires' });
    fsm.handle({ type: 'Tcp_CR_Acked', conn });
    const n = { type: 3, code: 2, subcode: 2, data: new Uint8Array(0) } as const;
    delays.push(...starts(fsm.handle({ type: 'NotifMsg', conn, notification: n }), 'IdleHold'));
  }
  t.strictSame(delays, [1000, 2000, 4000]);
});

t.test('damping is forgotten once a session stays Established for idleHoldResetTime', async (t) => {
  const establish = (fsm: PeerFsm, conn: number): void => {
    fsm.handle({ type: 'IdleHoldTimer_Expires' });
    fsm.handle({ type: 'Tcp_CR_Acked', conn });
    fsm.handle({ type: 'BGPOpen', conn, open: peerOpen() });
    fsm.handle({ type: 'KeepAliveMsg', conn });
  };
  // Three refusals: IdleHold is at 8 s next, ConnectRetry at its 4th step.
  const stable = fsmWith();
  for (let conn = 1; conn <= 3; conn++) refusedCycle(stable, conn, conn === 1);
  establish(stable, 4);
  t.equal(stable.state, 'Established');
  t.strictSame(stable.snapshot().timers, ['IdleHoldReset']);
  t.strictSame(run(stable, { type: 'IdleHoldResetTimer_Expires' }), []);
  t.equal(stable.snapshot().connectRetryCounter, 0, 'counter reset');
  t.strictSame(starts(stable.handle({ type: 'HoldTimer_Expires', conn: 4 }), 'IdleHold'), [1000], 'IdleHold starts over');
  t.strictSame(starts(stable.handle({ type: 'IdleHoldTimer_Expires' }), 'ConnectRetry'), [1000], 'ConnectRetry starts over');

  // The same history, but the session drops before the reset timer fires: damping keeps growing.
  const flappy = fsmWith();
  for (let conn = 1; conn <= 3; conn++) refusedCycle(flappy, conn, conn === 1);
  establish(flappy, 4);
  t.strictSame(starts(flappy.handle({ type: 'HoldTimer_Expires', conn: 4 }), 'IdleHold'), [8000]);
  t.strictSame(run(flappy, { type: 'IdleHoldResetTimer_Expires' }), [], 'a stale reset expiry is ignored');
  t.strictSame(starts(flappy.handle({ type: 'IdleHoldTimer_Expires' }), 'ConnectRetry'), [16000]);
});

t.test('ManualStop cancels the automatic restart; ManualStart starts afresh', async (t) => {
  const fsm = fsmWith();
  refusedCycle(fsm, 1, true);
  refusedCycle(fsm, 2, false);
  t.strictSame(fsm.snapshot().timers, ['IdleHold']);
  t.strictSame(run(fsm, { type: 'ManualStop' }), ['stop IdleHold']);
  t.strictSame(run(fsm, { type: 'IdleHoldTimer_Expires' }), [], 'no restart after ManualStop');
  t.strictSame(run(fsm, { type: 'TcpConnectionConfirmed' }), ['reject 6/5'], 'Idle refuses connections');
  t.strictSame(run(fsm, { type: 'ManualStart' }), ['start ConnectRetry 1000', 'connect 3', 'state Idle→Connect']);
  t.equal(fsm.snapshot().connectRetryCounter, 0);
});

t.test('an incoming connection during IdleHold is taken: damping delays our attempts, not the peer\'s', async (t) => {
  const fsm = fsmWith();
  refusedCycle(fsm, 1, true);
  const actions = run(fsm, { type: 'TcpConnectionConfirmed' });
  t.ok(actions.includes('stop IdleHold'), 'IdleHold cancelled');
  t.ok(actions.some((a) => a.startsWith('accept ')), 'accepted');
  t.equal(fsm.state, 'OpenSent');
});

t.test('an incoming connection while held down by an AutomaticStop is refused', async (t) => {
  const fsm = fsmWith();
  run(fsm, { type: 'ManualStart' }, { type: 'Tcp_CR_Acked', conn: 1 }, { type: 'BGPOpen', conn: 1, open: peerOpen() }, { type: 'KeepAliveMsg', conn: 1 });
  run(fsm, { type: 'AutomaticStop', error: errors.cease(1) });
  t.equal(fsm.state, 'Idle');
  t.strictSame(run(fsm, { type: 'TcpConnectionConfirmed' }), ['reject 6/5']);
});

t.test('an incoming connection after ManualStop is refused', async (t) => {
  const fsm = fsmWith();
  run(fsm, { type: 'ManualStart' }, { type: 'ManualStop' });
  t.strictSame(run(fsm, { type: 'TcpConnectionConfirmed' }), ['reject 6/5']);
});

t.test('ManualStop carries the Cease it is given (RFC 9003 shutdown communication)', async (t) => {
  const fsm = fsmWith();
  run(fsm, { type: 'ManualStart' }, { type: 'Tcp_CR_Acked', conn: 1 }, { type: 'BGPOpen', conn: 1, open: peerOpen() }, { type: 'KeepAliveMsg', conn: 1 });
  const text = new TextEncoder().encode('maintenance');
  const error = errors.cease(4, Uint8Array.of(text.length, ...text));
  const actions = fsm.handle({ type: 'ManualStop', error });
  const sent = actions.find((a) => a.type === 'send-notification');
  t.equal(sent?.type === 'send-notification' && sent.error, error);
  const down = actions.find((a) => a.type === 'down');
  t.equal(down?.type === 'down' && down.reason.kind === 'notification-sent' && down.reason.error, error);
});

t.test('events for closed or unknown connections are ignored', async (t) => {
  const fsm = fsmWith();
  run(fsm, { type: 'ManualStart' }, { type: 'Tcp_CR_Acked', conn: 1 });
  run(fsm, { type: 'TcpConnectionFails', conn: 1 });
  for (const e of [
    { type: 'BGPOpen', conn: 1, open: peerOpen() },
    { type: 'KeepAliveMsg', conn: 1 },
    { type: 'HoldTimer_Expires', conn: 1 },
    { type: 'TcpConnectionFails', conn: 1 },
    { type: 'NotifMsg', conn: 7, notification: { type: 3, code: 6, subcode: 2, data: new Uint8Array(0) } },
  ] as FsmEvent[]) {
    t.strictSame(fsm.handle(e), [], e.type);
  }
  t.equal(fsm.state, 'Active');
});

// ---------------------------------------------------------------------------------------------------------------
// Connection collisions (RFC 4271 §6.8): our connection 1 (outgoing) and the peer's connection 2 (incoming).

/** Outgoing connection 1 in OpenSent, then the peer's connection accepted as 2 (also OpenSent). */
function collision(routerId: string, extra: Partial<PeerFsmConfig> = {}): PeerFsm {
  const fsm = fsmWith({ routerId, ...extra });
  run(fsm, { type: 'ManualStart' }, { type: 'Tcp_CR_Acked', conn: 1 });
  return fsm;
}
const connections = (fsm: PeerFsm): string[] => fsm.snapshot().connections.map((c) => `${c.conn}:${c.direction}:${c.state}`);

t.test('collision in OpenSent, local identifier higher: the peer\'s connection is dumped', async (t) => {
  const fsm = collision('192.0.2.9');
  t.strictSame(run(fsm, { type: 'TcpConnectionConfirmed' }), ['accept 2', 'send OPEN 2', 'start Hold:2 240000']);
  // The OPEN arrives on the peer's connection first; ours (still OpenSent) is the one initiated by the higher id.
  t.strictSame(run(fsm, { type: 'BGPOpen', conn: 2, open: peerOpen() }), ['send NOTIFICATION 2 6/7', 'close 2 (sent 6/7)']);
  t.strictSame(connections(fsm), ['1:outgoing:OpenSent']);
  t.strictSame(run(fsm, { type: 'BGPOpen', conn: 1, open: peerOpen() }).at(-1), 'state OpenSent→OpenConfirm');
});

t.test('collision in OpenSent, local identifier lower: our connection is dumped', async (t) => {
  const fsm = collision('192.0.2.1');
  run(fsm, { type: 'TcpConnectionConfirmed' });
  t.strictSame(run(fsm, { type: 'BGPOpen', conn: 2, open: peerOpen() }), [
    'send NOTIFICATION 1 6/7',
    'close 1 (sent 6/7)',
    'send KEEPALIVE 2',
    'start Keepalive:2 30000',
    'start Hold:2 90000',
    'state OpenSent→OpenConfirm',
  ]);
  t.strictSame(connections(fsm), ['2:incoming:OpenConfirm']);
});

t.test('collision detected in OpenConfirm when the second OPEN arrives, both orders', async (t) => {
  // Local higher: our connection reached OpenConfirm first and also wins; the peer's, arriving later, is dumped.
  const higher = collision('192.0.2.9');
  run(higher, { type: 'BGPOpen', conn: 1, open: peerOpen() }, { type: 'TcpConnectionConfirmed' });
  t.strictSame(run(higher, { type: 'BGPOpen', conn: 2, open: peerOpen() }), ['send NOTIFICATION 2 6/7', 'close 2 (sent 6/7)']);
  t.strictSame(connections(higher), ['1:outgoing:OpenConfirm']);

  // Local lower: the existing OpenConfirm connection is ours, so it loses to the peer's.
  const lower = collision('192.0.2.1');
  run(lower, { type: 'BGPOpen', conn: 1, open: peerOpen() }, { type: 'TcpConnectionConfirmed' });
  t.strictSame(run(lower, { type: 'BGPOpen', conn: 2, open: peerOpen() }), [
    'send NOTIFICATION 1 6/7',
    'close 1 (sent 6/7)',
    'send KEEPALIVE 2',
    'start Keepalive:2 30000',
    'start Hold:2 90000',
  ]);
  t.equal(lower.state, 'OpenConfirm');
  t.strictSame(run(lower, { type: 'KeepAliveMsg', conn: 2 }).includes('established 2'), true);
});

t.test('equal identifiers between ASes: the larger AS keeps its connection (RFC 6286 §2.3)', async (t) => {
  // Same identifier on both sides; we are AS 65000 < 65001, so the peer's connection survives.
  const fsm = collision('192.0.2.2');
  run(fsm, { type: 'TcpConnectionConfirmed' });
  t.strictSame(run(fsm, { type: 'BGPOpen', conn: 1, open: peerOpen() }).slice(0, 2), ['send NOTIFICATION 1 6/7', 'close 1 (sent 6/7)']);
  t.strictSame(connections(fsm), ['2:incoming:OpenSent']);
});

t.test('an Established session wins over a new connection', async (t) => {
  const fsm = collision('192.0.2.1');
  run(fsm, { type: 'BGPOpen', conn: 1, open: peerOpen() }, { type: 'KeepAliveMsg', conn: 1 });
  t.strictSame(run(fsm, { type: 'TcpConnectionConfirmed' }), ['reject 6/7']);
  t.equal(fsm.state, 'Established');

  // Accepted while ours was in OpenConfirm, its OPEN arriving after ours got Established: by identifier the peer's
  // connection would win (192.0.2.2 > 192.0.2.1), but the Established session does.
  const late = collision('192.0.2.1');
  run(late, { type: 'BGPOpen', conn: 1, open: peerOpen() }, { type: 'TcpConnectionConfirmed' });
  t.strictSame(connections(late), ['1:outgoing:OpenConfirm', '2:incoming:OpenSent'], 'resolved only on the arriving OPEN');
  run(late, { type: 'KeepAliveMsg', conn: 1 });
  t.strictSame(run(late, { type: 'BGPOpen', conn: 2, open: peerOpen() }), ['send NOTIFICATION 2 6/7', 'close 2 (sent 6/7)']);
  t.equal(late.state, 'Established');
});

t.test('collisionWithEstablished: a new connection may replace the Established one', async (t) => {
  const fsm = collision('192.0.2.1', { collisionWithEstablished: true });
  run(fsm, { type: 'BGPOpen', conn: 1, open: peerOpen() }, { type: 'KeepAliveMsg', conn: 1 });
  t.strictSame(run(fsm, { type: 'TcpConnectionConfirmed' }), ['accept 2', 'send OPEN 2', 'start Hold:2 240000']);
  t.strictSame(run(fsm, { type: 'BGPOpen', conn: 2, open: peerOpen() }), [
    'send NOTIFICATION 1 6/7',
    'close 1 (sent 6/7)',
    'down 1 (sent 6/7)',
    'stop IdleHoldReset',
    'send KEEPALIVE 2',
    'start Keepalive:2 30000',
    'start Hold:2 90000',
    'state Established→OpenConfirm',
  ]);
});

t.test('the peer\'s new connection replaces its older one that never got Established', async (t) => {
  const fsm = fsmWith({ passive: true });
  run(fsm, { type: 'ManualStart' }, { type: 'TcpConnectionConfirmed' });
  t.strictSame(run(fsm, { type: 'TcpConnectionConfirmed' }), [
    'send NOTIFICATION 1 6/7',
    'close 1 (sent 6/7)',
    'accept 2',
    'send OPEN 2',
    'start Hold:2 240000',
  ]);
  t.strictSame(connections(fsm), ['2:incoming:OpenSent']);
});

t.test('with collisionWithEstablished, a newer incoming connection replaces the pending one, not the session', async (t) => {
  const fsm = collision('192.0.2.1', { collisionWithEstablished: true });
  run(fsm, { type: 'BGPOpen', conn: 1, open: peerOpen() }, { type: 'KeepAliveMsg', conn: 1 });
  run(fsm, { type: 'TcpConnectionConfirmed' });
  t.strictSame(connections(fsm), ['1:outgoing:Established', '2:incoming:OpenSent']);
  t.strictSame(run(fsm, { type: 'TcpConnectionConfirmed' }), [
    'send NOTIFICATION 2 6/7',
    'close 2 (sent 6/7)',
    'accept 3',
    'send OPEN 3',
    'start Hold:3 240000',
  ]);
  t.strictSame(connections(fsm), ['1:outgoing:Established', '3:incoming:OpenSent']);
});

t.test('a collision loser does not take the peer to Idle or damp it', async (t) => {
  const fsm = collision('192.0.2.9');
  run(fsm, { type: 'TcpConnectionConfirmed' }, { type: 'BGPOpen', conn: 2, open: peerOpen() });
  t.equal(fsm.state, 'OpenSent');
  t.equal(fsm.snapshot().connectRetryCounter, 0);
  t.strictSame(fsm.snapshot().timers, []);
});
