// A peer that flaps: 100 sessions in a row, each brought up, given a route, and killed (alternately with a FIN and
// a TCP RST). Every flap must be cleaned up completely — the 100th leaves exactly the sockets, timers and event
// listeners the first left — and its routes withdrawn from the other peers. And when our own connection attempts
// keep failing, they back off (RFC 4271 §8.1.1 ConnectRetry, doubling with §10 jitter) instead of looping.
import t, { type Test } from 'tap';
import { announce, lab, RAW, RawListener, sleep, waitUntil, type Lab } from '../helpers/raw-peer.js';

/** Active handles by type (sockets, servers, timers, immediates…), as Node reports them. */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

function listeners(L: Lab): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [name, s] of [['A', L.A], ['B', L.B]] as const) for (const e of s.eventNames()) counts[`${name}.${String(e)}`] = s.listenerCount(e);
  return counts;
}

async function flap(t: Test, L: Lab, i: number): Promise<void> {
  const p = await L.connect();
  await p.establish(RAW);
  await waitUntil(`flap ${i}: Established`, () => L.A.peer(RAW.address)?.state === 'Established');
  p.sendMessage(announce([`198.51.100.${i % 256}/32`]));
  await waitUntil(`flap ${i}: the route at B`, () => L.B.routes(`198.51.100.${i % 256}/32`)[0]);
  if (i % 2 === 0) p.reset();
  else p.end();
  await p.closed();
  await waitUntil(`flap ${i}: down at A`, () => L.A.peer(RAW.address)?.state !== 'Established');
  await waitUntil(`flap ${i}: the route withdrawn at B`, () => L.B.routes(`198.51.100.${i % 256}/32`).length === 0);
  t.ok(true, `flap ${i}`);
}

/** Waits until the unref'd flush timers of closed connections (2 s, lib/session/connection.ts) have run out. */
const settle = (): Promise<void> => sleep(2300);


t.test('100 flaps leak no socket, timer or listener, and leave no route behind', async (t) => {
  const L = await lab(t);
  await flap(t, L, 0);
  await settle();
  const afterFirst = { resources: resources(), listeners: listeners(L) };
  for (let i = 1; i < 100; i++) await flap(t, L, i);
  await settle();
  t.equal(L.A.peer(RAW.address)?.flaps, 100, 'A counted 100 flaps');
  t.same(resources(), afterFirst.resources, 'the same active handles after the 100th flap as after the first');
  t.same(listeners(L), afterFirst.listeners, 'the same event listeners');
  t.equal(L.B.routes().length, 0, 'none of the flapping peer’s routes is left at B');
  t.ok(L.abUp(), 'A–B never noticed');
  t.equal(L.B.peer('127.0.0.1')?.flaps, 0);
});

t.test('our connection attempts to a peer that keeps failing back off', async (t) => {
  const listener = new RawListener();
  const port = await listener.listen(RAW.address);
  t.teardown(() => listener.close());
  const attempts: number[] = [];
  // The "peer" accepts each TCP connection and drops it at once: to tsbgpd a failure in OpenSent.
  listener.onAccept = (p) => {
    attempts.push(Date.now());
    p.socket.destroy();
  };
  const L = await lab(t, { passive: false, port, localAddress: '127.0.0.1' });
  await waitUntil('three attempts', () => attempts.length >= 3, 15_000);
  const gaps = attempts.slice(1).map((at, i) => at - (attempts[i] as number));
  t.ok((gaps[1] as number) > (gaps[0] as number) * 1.5, `growing gaps: ${gaps.join(', ')} ms`);
  t.ok((gaps[0] ?? 0) >= 700, 'the first retry waits at least 0.75 s');
  await sleep(1000);
  t.equal(attempts.length, 3, 'and no fourth attempt soon after');
  t.ok(L.abUp(), 'A–B unaffected');
});
