// RFC 9687's SendHoldTimer in the FSM: its duration (§6's default, configured, off), when it runs (Established
// only, not with a zero hold time), what restarts it and what its expiry does — and the steady-state answers of an
// Established session, which are built once and shared.
import t from 'tap';
import { PeerFsm, resolveConfig } from '../../lib/fsm/index.js';
import type { FsmAction, FsmEvent, PeerFsmConfig } from '../../lib/fsm/index.js';
import type { OpenMessage, UpdateMessage } from '../../lib/wire/types.js';

const config: PeerFsmConfig = { localAsn: 65000, routerId: '192.0.2.1', remoteAs: 65001 };
const peerOpen = (holdTime: number): OpenMessage => ({
  type: 1,
  version: 4,
  myAs: 65001,
  holdTime,
  bgpIdentifier: '192.0.2.2',
  capabilities: [
    { kind: 'multiprotocol', code: 1, afi: 1, safi: 1 },
    { kind: 'four-octet-as', code: 65, asn: 65001 },
  ],
});
const update: UpdateMessage = { type: 2, withdrawn: [], attributes: [], nlri: [] };

/** An FSM Established over connection 1 with a peer proposing `peerHold`; returns the establishing actions. */
function established(extra: Partial<PeerFsmConfig>, peerHold: number): { fsm: PeerFsm; actions: readonly FsmAction[] } {
  const fsm = new PeerFsm({ ...config, ...extra }, { random: () => 1 });
  for (const e of [{ type: 'ManualStart' }, { type: 'Tcp_CR_Acked', conn: 1 }, { type: 'BGPOpen', conn: 1, open: peerOpen(peerHold) }] as FsmEvent[]) {
    fsm.handle(e);
  }
  const actions = fsm.handle({ type: 'KeepAliveMsg', conn: 1 });
  if (fsm.state !== 'Established') throw new Error(`not Established: ${fsm.state}`);
  return { fsm, actions };
}

const sendHoldStarts = (actions: readonly FsmAction[]): number[] =>
  actions.flatMap((a) => (a.type === 'start-timer' && a.timer.name === 'SendHold' ? [a.ms] : []));

t.test('SendHoldTime: §6 default, configured, or off', async (t) => {
  t.strictSame(sendHoldStarts(established({}, 90).actions), [480_000], 'hold 90 s: 8 minutes');
  t.strictSame(sendHoldStarts(established({ holdTime: 600 }, 300).actions), [600_000], 'negotiated 300 s: twice that');
  t.strictSame(sendHoldStarts(established({ holdTime: 3, sendHoldTime: 4.5 }, 90).actions), [4500], 'configured');
  t.strictSame(sendHoldStarts(established({ sendHoldTime: 0 }, 90).actions), [], 'configured 0: off');
  // §4.3: "unless ... the negotiated HoldTime value is zero, in which case the SendHoldTimer is stopped".
  t.strictSame(sendHoldStarts(established({}, 0).actions), [], 'hold time 0 negotiated: off');
  t.strictSame(sendHoldStarts(established({ holdTime: 3, sendHoldTime: 4 }, 0).actions), [], 'even when configured');
});

t.test('SendHoldTime must exceed the hold time (RFC 9687 §4.4)', async (t) => {
  t.throws(() => resolveConfig({ ...config, sendHoldTime: 90 }), /sendHoldTime: must exceed holdTime/);
  t.throws(() => resolveConfig({ ...config, holdTime: 30, sendHoldTime: 20 }), /sendHoldTime/);
  t.throws(() => resolveConfig({ ...config, sendHoldTime: -1 }), /sendHoldTime/);
  t.throws(() => resolveConfig({ ...config, sendHoldTime: Number.NaN }), /sendHoldTime/);
  t.equal(resolveConfig({ ...config, sendHoldTime: 91 }).sendHoldMs, 91_000);
  t.equal(resolveConfig({ ...config, sendHoldTime: 0 }).sendHoldMs, 0);
  t.equal(resolveConfig({ ...config, holdTime: 0, sendHoldTime: 5 }).sendHoldMs, 5000, 'hold 0: any SendHoldTime');
  t.equal(resolveConfig(config).sendHoldMs, undefined, 'unset: the default, decided per session');
});

t.test('only what the kernel takes restarts it; queueing does not', async (t) => {
  const { fsm } = established({ holdTime: 3, sendHoldTime: 4 }, 90);
  const show = (actions: readonly FsmAction[]): string[] =>
    actions.map((a) => (a.type === 'start-timer' ? `start ${a.timer.name} ${a.ms}` : a.type));
  t.strictSame(show(fsm.handle({ type: 'MessagesTransmitted', conn: 1 })), ['start SendHold 4000']);
  t.strictSame(show(fsm.handle({ type: 'UpdateSent', conn: 1 })), ['start Keepalive 1000'], 'an UPDATE queued: Keepalive only');
  t.strictSame(show(fsm.handle({ type: 'KeepaliveTimer_Expires', conn: 1 })), ['send-keepalive', 'start Keepalive 1000']);
  t.strictSame(show(fsm.handle({ type: 'KeepAliveMsg', conn: 1 })), ['start Hold 3000'], 'the peer talking: Hold only');
});

t.test('expiry: Send Hold Timer Expired, close, Idle, damped; the timer gone with the connection', async (t) => {
  const { fsm } = established({ holdTime: 3, sendHoldTime: 4 }, 90);
  const actions = fsm.handle({ type: 'SendHoldTimer_Expires', conn: 1 });
  const notification = actions.find((a) => a.type === 'send-notification');
  t.match(notification, { conn: 1, error: { code: 8, subcode: 0 } });
  t.equal(notification?.type === 'send-notification' && notification.error.message, 'Send Hold Timer Expired / Unspecific');
  t.match(actions.find((a) => a.type === 'close'), { conn: 1, reason: { kind: 'notification-sent', error: { code: 8 } } });
  t.match(actions.find((a) => a.type === 'down'), { conn: 1 });
  t.ok(actions.some((a) => a.type === 'start-timer' && a.timer.name === 'IdleHold'), 'DampPeerOscillations (§4.3 optional)');
  t.equal(fsm.state, 'Idle');
  t.equal(fsm.snapshot().connectRetryCounter, 1, '§4.3: ConnectRetryCounter incremented');
  t.strictSame(fsm.handle({ type: 'SendHoldTimer_Expires', conn: 1 }), [], 'a late expiry does nothing');
  t.strictSame(fsm.handle({ type: 'MessagesTransmitted', conn: 1 }), [], 'nor a late write');
});

t.test('a session that went down does not run the SendHoldTimer of the next one', async (t) => {
  const { fsm } = established({ holdTime: 3, sendHoldTime: 4 }, 90);
  fsm.handle({ type: 'TcpConnectionFails', conn: 1 });
  fsm.handle({ type: 'IdleHoldTimer_Expires' });
  fsm.handle({ type: 'Tcp_CR_Acked', conn: 2 });
  fsm.handle({ type: 'BGPOpen', conn: 2, open: peerOpen(90) });
  t.equal(fsm.state, 'OpenConfirm');
  t.strictSame(fsm.handle({ type: 'SendHoldTimer_Expires', conn: 2 }), [], 'not started before Established');
  t.strictSame(fsm.handle({ type: 'SendHoldTimer_Expires', conn: 1 }), [], 'nor for the old connection');
  t.equal(fsm.state, 'OpenConfirm');
});

t.test('steady state: one frozen list per session, the same answer as the table gives', async (t) => {
  const { fsm } = established({}, 90);
  const first = fsm.handle({ type: 'UpdateMsg', conn: 1, update });
  const second = fsm.handle({ type: 'UpdateMsg', conn: 1, update: { ...update } });
  t.equal(first, second, 'the same list for every UPDATE');
  t.ok(Object.isFrozen(first) && first.every((a) => Object.isFrozen(a)), 'frozen, actions included');
  t.strictSame(first, [
    { type: 'start-timer', timer: { name: 'Hold', conn: 1 }, ms: 90_000 },
    { type: 'deliver-update', conn: 1 },
  ]);
  t.equal(fsm.handle({ type: 'KeepAliveMsg', conn: 1 }), fsm.handle({ type: 'KeepAliveMsg', conn: 1 }));
  t.equal(fsm.handle({ type: 'MessagesTransmitted', conn: 1 }), fsm.handle({ type: 'MessagesTransmitted', conn: 1 }));
  t.throws(() => (first as FsmAction[]).push({ type: 'deliver-update', conn: 2 }), TypeError, 'callers cannot change it');

  // A new session builds its own lists.
  fsm.handle({ type: 'TcpConnectionFails', conn: 1 });
  fsm.handle({ type: 'IdleHoldTimer_Expires' });
  for (const e of [{ type: 'Tcp_CR_Acked', conn: 2 }, { type: 'BGPOpen', conn: 2, open: peerOpen(30) }, { type: 'KeepAliveMsg', conn: 2 }] as FsmEvent[]) {
    fsm.handle(e);
  }
  t.strictSame(fsm.handle({ type: 'UpdateMsg', conn: 2, update }), [
    { type: 'start-timer', timer: { name: 'Hold', conn: 2 }, ms: 30_000 },
    { type: 'deliver-update', conn: 2 },
  ]);
  t.strictSame(fsm.handle({ type: 'UpdateMsg', conn: 1, update }), [], 'the old connection is gone');
});
