// Graceful restart in the FSM (RFC 4724): a peer that connects again while its session still looks Established is
// a peer back from a restart (§4.2) when both sides advertised the capability — accepted, and its valid OPEN closes
// the old session without a NOTIFICATION, as a failed transport; without the capability on both sides it is an
// ordinary collision with an Established connection (RFC 4271 §6.8, refused with 6/7). And the Restart State bit we
// send (§3) holds only until a session first reaches Established.
import t from 'tap';
import { PeerFsm } from '../../lib/fsm/index.js';
import type { CloseReason, FsmAction, FsmEvent, PeerFsmConfig } from '../../lib/fsm/index.js';
import type { BgpError } from '../../lib/wire/errors.js';
import type { Capability, OpenMessage } from '../../lib/wire/types.js';

const GR_LOCAL = { restartTime: 120 } as const;
const grCapability = (restartFlags = 0): Capability => ({
  kind: 'graceful-restart',
  code: 64,
  restartFlags,
  restartTime: 30,
  families: [{ afi: 1, safi: 1, flags: 0x80 }],
});
const peerOpen = (gr: boolean, overrides: Partial<OpenMessage> = {}): OpenMessage => ({
  type: 1,
  version: 4,
  myAs: 65001,
  holdTime: 90,
  bgpIdentifier: '192.0.2.2',
  capabilities: [
    { kind: 'multiprotocol', code: 1, afi: 1, safi: 1 },
    { kind: 'four-octet-as', code: 65, asn: 65001 },
    ...(gr ? [grCapability()] : []),
  ],
  ...overrides,
});

const err = (e: BgpError): string => `${e.code}/${e.subcode}`;
const reason = (r: CloseReason): string =>
  r.kind === 'notification-sent' ? `sent ${err(r.error)}` : r.kind === 'tcp-failure' ? `tcp-failure: ${r.detail ?? ''}` : r.kind;
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
      return `${a.type} ${a.conn} (${reason(a.reason)})`;
    case 'start-timer':
      return `start ${'conn' in a.timer ? `${a.timer.name}:${a.timer.conn}` : a.timer.name} ${a.ms}`;
    case 'stop-timer':
      return `stop ${'conn' in a.timer ? `${a.timer.name}:${a.timer.conn}` : a.timer.name}`;
    case 'state':
      return `state ${a.from}→${a.to}`;
    default:
      return `${a.type} ${'conn' in a ? a.conn : ''}`;
  }
}

const run = (fsm: PeerFsm, ...events: FsmEvent[]): string[] => events.flatMap((e) => fsm.handle(e).map(show));
const connections = (fsm: PeerFsm): string[] => fsm.snapshot().connections.map((c) => `${c.conn}:${c.direction}:${c.state}`);

/** Our FSM (192.0.2.1, AS 65000), its session on our outgoing connection 1 Established with a peer that did (or not) advertise GR. */
function established(opts: { local: boolean; peer: boolean; extra?: Partial<PeerFsmConfig> }): PeerFsm {
  const config: PeerFsmConfig = {
    localAsn: 65000,
    routerId: '192.0.2.1',
    remoteAs: 65001,
    ...(opts.local ? { capabilities: { gracefulRestart: GR_LOCAL } } : {}),
    ...opts.extra,
  };
  const fsm = new PeerFsm(config, { random: () => 1 });
  run(
    fsm,
    { type: 'ManualStart' },
    { type: 'Tcp_CR_Acked', conn: 1 },
    { type: 'BGPOpen', conn: 1, open: peerOpen(opts.peer) },
    { type: 'KeepAliveMsg', conn: 1 },
  );
  if (fsm.state !== 'Established') throw new Error('setup: not Established');
  return fsm;
}

const REPLACED = 'tcp-failure: replaced by a new connection (RFC 4724 §4.2)';

t.test('graceful restart negotiated: the new connection is accepted, its OPEN replaces the session silently', async (t) => {
  const fsm = established({ local: true, peer: true });
  t.strictSame(run(fsm, { type: 'TcpConnectionConfirmed' }), ['accept 2', 'send OPEN 2', 'start Hold:2 240000'], 'accepted, not refused');
  t.equal(fsm.state, 'Established', 'the old session stands until the OPEN proves the peer is back');
  t.strictSame(connections(fsm), ['1:outgoing:Established', '2:incoming:OpenSent']);

  const actions = fsm.handle({ type: 'BGPOpen', conn: 2, open: peerOpen(true) });
  t.strictSame(actions.map(show), [
    `close 1 (${REPLACED})`,
    `down 1 (${REPLACED})`,
    'stop IdleHoldReset',
    'send KEEPALIVE 2',
    'start Keepalive:2 30000',
    'start Hold:2 90000',
    'state Established→OpenConfirm',
  ]);
  t.notOk(actions.some((a) => a.type === 'send-notification'), 'no NOTIFICATION on the old connection');
  const down = actions.find((a) => a.type === 'down');
  t.equal(down?.type === 'down' && down.reason.kind, 'tcp-failure', 'a transport-kind close: the speaker keeps the routes stale');
  t.strictSame(connections(fsm), ['2:incoming:OpenConfirm']);
  t.equal(fsm.snapshot().connectRetryCounter, 0, 'not counted as a failure (no damping)');

  t.strictSame(run(fsm, { type: 'KeepAliveMsg', conn: 2 }).slice(-3), ['established 2', 'start IdleHoldReset 60000', 'state OpenConfirm→Established']);
  // The closed connection's late events change nothing.
  t.strictSame(run(fsm, { type: 'TcpConnectionFails', conn: 1 }, { type: 'HoldTimer_Expires', conn: 1 }), []);
  t.equal(fsm.state, 'Established');
});

t.test('a stray connection that never sends an OPEN does not end the session', async (t) => {
  const fsm = established({ local: true, peer: true });
  run(fsm, { type: 'TcpConnectionConfirmed' });
  t.strictSame(run(fsm, { type: 'TcpConnectionFails', conn: 2 }), ['close 2 (tcp-failure: )'], 'the stray closes: nothing else');
  t.strictSame(connections(fsm), ['1:outgoing:Established']);
  run(fsm, { type: 'TcpConnectionConfirmed' });
  t.strictSame(run(fsm, { type: 'HoldTimer_Expires', conn: 3 }), ['send NOTIFICATION 3 4/0', 'close 3 (sent 4/0)'], 'OpenSent hold timer: only that one');
  t.equal(fsm.state, 'Established');
  t.strictSame(run(fsm, { type: 'KeepAliveMsg', conn: 1 }), ['start Hold:1 90000'], 'the session carries on');
});

t.test('a new connection with a bad OPEN is refused; the session stays', async (t) => {
  const fsm = established({ local: true, peer: true });
  run(fsm, { type: 'TcpConnectionConfirmed' });
  const out = run(fsm, { type: 'BGPOpen', conn: 2, open: peerOpen(true, { myAs: 65999 }) });
  t.strictSame(out, ['send NOTIFICATION 2 2/2', 'close 2 (sent 2/2)'], 'Bad Peer AS on the new connection only');
  t.strictSame(connections(fsm), ['1:outgoing:Established']);
});

t.test('a newer connection replaces a pending one; its OPEN replaces the session', async (t) => {
  const fsm = established({ local: true, peer: true });
  run(fsm, { type: 'TcpConnectionConfirmed' });
  t.strictSame(run(fsm, { type: 'TcpConnectionConfirmed' }), [
    'send NOTIFICATION 2 6/7',
    'close 2 (sent 6/7)',
    'accept 3',
    'send OPEN 3',
    'start Hold:3 240000',
  ]);
  t.strictSame(run(fsm, { type: 'BGPOpen', conn: 3, open: peerOpen(true) }).slice(0, 2), [`close 1 (${REPLACED})`, `down 1 (${REPLACED})`]);
});

t.test('the peer may come back without graceful restart: its session is still replaced', async (t) => {
  // What the old session negotiated decides; the new OPEN only says what the new session preserves (the speaker
  // drops stale families it no longer covers).
  const fsm = established({ local: true, peer: true });
  run(fsm, { type: 'TcpConnectionConfirmed' });
  t.strictSame(run(fsm, { type: 'BGPOpen', conn: 2, open: peerOpen(false) }).slice(0, 2), [`close 1 (${REPLACED})`, `down 1 (${REPLACED})`]);
});

const refusals: [name: string, local: boolean, peer: boolean][] = [
  ['only the peer advertised graceful restart', false, true],
  ['only we advertised graceful restart', true, false],
  ['neither side advertised graceful restart', false, false],
];
for (const [name, local, peer] of refusals) {
  t.test(`${name}: RFC 4271 §6.8, the Established connection wins`, async (t) => {
    const fsm = established({ local, peer });
    t.strictSame(run(fsm, { type: 'TcpConnectionConfirmed' }), ['reject 6/7']);
    t.strictSame(connections(fsm), ['1:outgoing:Established']);
  });
}

t.test('a collision from before the session got Established stays a collision', async (t) => {
  // The peer's connection was accepted while ours was in OpenConfirm (both sides dialled): its OPEN arriving after
  // ours got Established is no restart — §6.8's Established connection wins, whatever graceful restart says.
  const fsm = new PeerFsm({ localAsn: 65000, routerId: '192.0.2.1', remoteAs: 65001, capabilities: { gracefulRestart: GR_LOCAL } }, { random: () => 1 });
  run(fsm, { type: 'ManualStart' }, { type: 'Tcp_CR_Acked', conn: 1 }, { type: 'BGPOpen', conn: 1, open: peerOpen(true) }, { type: 'TcpConnectionConfirmed' });
  run(fsm, { type: 'KeepAliveMsg', conn: 1 });
  t.strictSame(run(fsm, { type: 'BGPOpen', conn: 2, open: peerOpen(true) }), ['send NOTIFICATION 2 6/7', 'close 2 (sent 6/7)']);
  t.equal(fsm.state, 'Established');
});

t.test('graceful restart takes precedence over collisionWithEstablished', async (t) => {
  // 192.0.2.9 > 192.0.2.2: by identifier our outgoing connection would win the collision and the peer's be dumped.
  const fsm = established({ local: true, peer: true, extra: { routerId: '192.0.2.9', collisionWithEstablished: true } });
  run(fsm, { type: 'TcpConnectionConfirmed' });
  t.strictSame(run(fsm, { type: 'BGPOpen', conn: 2, open: peerOpen(true) }).slice(0, 2), [`close 1 (${REPLACED})`, `down 1 (${REPLACED})`]);
});

// ---------------------------------------------------------------------------------------------------------------
// RFC 4724 §3: the Restart State bit

const rBit = (open: OpenMessage | undefined): boolean | undefined => {
  const gr = open?.capabilities.find((c) => c.kind === 'graceful-restart');
  return gr?.kind === 'graceful-restart' ? (gr.restartFlags & 0x8) !== 0 : undefined;
};
const sentOpens = (actions: readonly FsmAction[]): OpenMessage[] => actions.flatMap((a) => (a.type === 'send-open' ? [a.open] : []));

t.test('the R bit is sent until the first session reaches Established, not after a flap', async (t) => {
  const fsm = new PeerFsm(
    { localAsn: 65000, routerId: '192.0.2.1', remoteAs: 65001, capabilities: { gracefulRestart: { ...GR_LOCAL, restarting: true, notification: true } } },
    { random: () => 1 },
  );
  const first = fsm.handle({ type: 'ManualStart' }).concat(fsm.handle({ type: 'Tcp_CR_Acked', conn: 1 }));
  t.strictSame(sentOpens(first).map(rBit), [true], 'the first OPEN claims the restart');

  // A connection that fails before Established: the restart is not over, the next OPEN still says so.
  fsm.handle({ type: 'TcpConnectionFails', conn: 1 });
  const retry = fsm.handle({ type: 'ConnectRetryTimer_Expires' }).concat(fsm.handle({ type: 'Tcp_CR_Acked', conn: 2 }));
  t.strictSame(sentOpens(retry).map(rBit), [true], 'still set after a failure before Established');

  fsm.handle({ type: 'BGPOpen', conn: 2, open: peerOpen(true) });
  fsm.handle({ type: 'KeepAliveMsg', conn: 2 });
  t.equal(fsm.state, 'Established');
  t.equal(rBit(fsm.negotiated?.localOpen), true, 'the session records the OPEN it was opened with');
  t.equal(rBit(fsm.localOpen), false, 'cleared for later sessions');
  const gr = fsm.localOpen.capabilities.find((c) => c.kind === 'graceful-restart');
  t.equal(gr?.kind === 'graceful-restart' && gr.restartFlags, 0x4, 'the N bit stays');

  // The session flaps; the automatic restart's OPEN claims no restart.
  fsm.handle({ type: 'TcpConnectionFails', conn: 2 });
  const again = fsm.handle({ type: 'IdleHoldTimer_Expires' }).concat(fsm.handle({ type: 'Tcp_CR_Acked', conn: 3 }));
  t.strictSame(sentOpens(again).map(rBit), [false], 'no R bit after the flap');
  // Nor on a connection the peer opens.
  fsm.handle({ type: 'TcpConnectionFails', conn: 3 });
  t.strictSame(sentOpens(fsm.handle({ type: 'TcpConnectionConfirmed' })).map(rBit), [false]);
});

t.test('without restarting configured, no OPEN has the R bit', async (t) => {
  const fsm = new PeerFsm({ localAsn: 65000, routerId: '192.0.2.1', remoteAs: 65001, capabilities: { gracefulRestart: GR_LOCAL } });
  t.equal(rBit(fsm.localOpen), false);
  const plain = new PeerFsm({ localAsn: 65000, routerId: '192.0.2.1', remoteAs: 65001 });
  t.equal(rBit(plain.localOpen), undefined, 'no capability at all');
});
