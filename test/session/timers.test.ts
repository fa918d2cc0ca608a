// The session layer's timer table on a FakeClock: deadlines that restart without re-creating timers, that fire at
// the latest deadline, re-arm at once only when a deadline moves earlier, and stay "due" until their owner stops
// them — the mechanism behind a hold timer that restarts on every UPDATE of a full table.
import t from 'tap';
import { FakeClock } from '../../lib/session/clock.js';
import { TimerTable } from '../../lib/session/timers.js';

function table(): { clock: FakeClock; timers: TimerTable<string>; due: string[] } {
  const clock = new FakeClock();
  const due: string[] = [];
  const timers = new TimerTable<string>(clock, (ref) => due.push(`${clock.now()} ${ref}`));
  return { clock, timers, due };
}

t.test('a timer is due after its duration, once', async (t) => {
  const { clock, timers, due } = table();
  timers.start(5, 1000, 'Hold');
  clock.advance(999);
  t.strictSame(due, []);
  clock.advance(1);
  t.strictSame(due, ['1000 Hold']);
  clock.advance(10_000);
  t.strictSame(due, ['1000 Hold'], 'not again');
  t.ok(timers.isDue(5), 'due until stopped');
  timers.stop(5);
  t.notOk(timers.isDue(5));
  t.notOk(timers.has(5));
});

t.test('restarts move the deadline without creating timers', async (t) => {
  const { clock, timers, due } = table();
  timers.start(5, 3000, 'Hold');
  for (let i = 0; i < 10_000; i++) {
    if (i % 1000 === 0) clock.advance(250); // 10 000 restarts over 2.5 s, the last at 2500 ms
    timers.start(5, 3000, 'Hold');
  }
  t.equal(clock.pending, 1, 'one underlying timer all along');
  clock.advance(3000 - 1); // 5499: the first arming (3000) has long passed; the deadline (5500) not yet
  t.strictSame(due, [], 'not due at the first deadline, nor just before the last');
  t.equal(clock.pending, 1, 're-armed for the remainder');
  clock.advance(1);
  t.strictSame(due, ['5500 Hold'], 'due exactly at the last deadline');
});

t.test('a deadline moved earlier re-arms at once (the jittered KeepaliveTimer)', async (t) => {
  const { clock, timers, due } = table();
  timers.start(6, 30_000, 'Keepalive');
  clock.advance(1000);
  timers.start(6, 22_500, 'Keepalive'); // due at 23 500, before the 30 000 the timer was armed for
  t.equal(clock.pending, 1, 'the old timer was cancelled');
  clock.advance(22_499);
  t.strictSame(due, []);
  clock.advance(1);
  t.strictSame(due, ['23500 Keepalive']);
});

t.test('a restart after the timer fired makes it run again; stop forgets it', async (t) => {
  const { clock, timers, due } = table();
  timers.start(7, 100, 'SendHold');
  clock.advance(100);
  t.ok(timers.isDue(7));
  timers.start(7, 100, 'SendHold');
  t.notOk(timers.isDue(7), 'running again');
  clock.advance(100);
  t.strictSame(due, ['100 SendHold', '200 SendHold']);
  timers.stop(7);
  timers.stop(7);
  timers.stop(99);
  t.equal(timers.size, 0, 'stopping twice, or what was never started, is a no-op');
});

t.test('a timer stopped and started again is not disturbed by the old one firing', async (t) => {
  const { clock, timers, due } = table();
  timers.start(1, 100, 'old');
  timers.stop(1);
  timers.start(1, 500, 'new');
  clock.advance(100);
  t.strictSame(due, []);
  clock.advance(400);
  t.strictSame(due, ['500 new'], 'the reference passed to the latest start');
});

t.test('stopAll cancels everything', async (t) => {
  const { clock, timers, due } = table();
  for (let slot = 0; slot < 10; slot++) timers.start(slot, 100 * (slot + 1), `t${slot}`);
  t.equal(timers.size, 10);
  timers.stopAll();
  t.equal(timers.size, 0);
  clock.advance(10_000);
  t.strictSame(due, []);
  t.equal(clock.pending, 0);
});
