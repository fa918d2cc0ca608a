// RFC 4271 §6.8 / RFC 6286 §2.3 as a pure decision: which of two connections to one peer is dumped (Cease 6/7).
import t from 'tap';
import { bgpIdentifierNumber, resolveCollision, survivingDirection } from '../../lib/fsm/index.js';
import type { CollisionInput, ConnectionDirection, ConnectionState } from '../../lib/fsm/index.js';

t.test('identifiers compare as unsigned 32-bit numbers', async (t) => {
  t.equal(bgpIdentifierNumber('255.255.255.255'), 0xffffffff);
  t.equal(bgpIdentifierNumber('128.0.0.0'), 0x80000000, 'no sign bit trouble');
  t.equal(bgpIdentifierNumber('not an address'), 0);
  // 128.0.0.1 > 127.255.255.255 only when compared unsigned.
  t.equal(survivingDirection('128.0.0.1', '127.255.255.255', 1, 2), 'outgoing');
  t.equal(survivingDirection('127.255.255.255', '128.0.0.1', 1, 2), 'incoming');
  t.equal(survivingDirection('10.0.0.2', '10.0.0.10', 1, 2), 'incoming', 'numeric, not textual');
});

t.test('equal identifiers: the larger AS keeps the connection it initiated (RFC 6286 §2.3)', async (t) => {
  t.equal(survivingDirection('10.0.0.1', '10.0.0.1', 65002, 65001), 'outgoing');
  t.equal(survivingDirection('10.0.0.1', '10.0.0.1', 65001, 65002), 'incoming');
  t.equal(survivingDirection('10.0.0.1', '10.0.0.1', 65001, 65001), undefined);
});

type Row = [
  local: string,
  remote: string,
  existing: [ConnectionDirection, ConnectionState],
  arriving: ConnectionDirection,
  withEstablished: boolean,
  loser: 'existing' | 'arriving',
];

const rows: Row[] = [
  // Local higher: keep the connection we initiated, whichever came first and whatever its state.
  ['10.0.0.9', '10.0.0.1', ['outgoing', 'OpenSent'], 'incoming', false, 'arriving'],
  ['10.0.0.9', '10.0.0.1', ['outgoing', 'OpenConfirm'], 'incoming', false, 'arriving'],
  ['10.0.0.9', '10.0.0.1', ['incoming', 'OpenSent'], 'outgoing', false, 'existing'],
  ['10.0.0.9', '10.0.0.1', ['incoming', 'OpenConfirm'], 'outgoing', false, 'existing'],
  // Local lower: keep the peer's.
  ['10.0.0.1', '10.0.0.9', ['outgoing', 'OpenSent'], 'incoming', false, 'existing'],
  ['10.0.0.1', '10.0.0.9', ['outgoing', 'OpenConfirm'], 'incoming', false, 'existing'],
  ['10.0.0.1', '10.0.0.9', ['incoming', 'OpenSent'], 'outgoing', false, 'arriving'],
  ['10.0.0.1', '10.0.0.9', ['incoming', 'OpenConfirm'], 'outgoing', false, 'arriving'],
  // Established wins unless configured otherwise.
  ['10.0.0.1', '10.0.0.9', ['outgoing', 'Established'], 'incoming', false, 'arriving'],
  ['10.0.0.9', '10.0.0.1', ['incoming', 'Established'], 'outgoing', false, 'arriving'],
  ['10.0.0.1', '10.0.0.9', ['outgoing', 'Established'], 'incoming', true, 'existing'],
  ['10.0.0.9', '10.0.0.1', ['outgoing', 'Established'], 'incoming', true, 'arriving'],
  // Two connections from the peer: the newer one wins.
  ['10.0.0.9', '10.0.0.1', ['incoming', 'OpenConfirm'], 'incoming', false, 'existing'],
  ['10.0.0.1', '10.0.0.9', ['incoming', 'Established'], 'incoming', true, 'existing'],
  // Identical identifiers and ASes (refused on iBGP before this point): keep what exists.
  ['10.0.0.1', '10.0.0.1', ['outgoing', 'OpenConfirm'], 'incoming', false, 'arriving'],
];

for (const [local, remote, [direction, state], arriving, withEstablished, loser] of rows) {
  const input: CollisionInput = {
    localBgpIdentifier: local,
    remoteBgpIdentifier: remote,
    localAsn: 65000,
    remoteAsn: 65000,
    existing: { direction, state },
    arriving: { direction: arriving },
    collisionWithEstablished: withEstablished,
  };
  t.equal(
    resolveCollision(input),
    loser,
    `local ${local} remote ${remote}: existing ${direction} ${state}, arriving ${arriving}${withEstablished ? ' (collisionWithEstablished)' : ''} → dump ${loser}`,
  );
}
