// Exponential backoff with RFC 4271 §10 jitter, deterministic under an injected random source.
import t from 'tap';
import { JITTER_MAX, JITTER_MIN, backoffDelay, jitter, nominalDelay } from '../../lib/fsm/index.js';

const policy = { initialMs: 1000, maxMs: 120000 };

t.test('jitter stays within 0.75 to 1.0 of the base value', async (t) => {
  t.equal(JITTER_MIN, 0.75);
  t.equal(JITTER_MAX, 1);
  t.equal(jitter(1000, () => 0), 750);
  t.equal(jitter(1000, () => 0.5), 875);
  t.equal(jitter(1000, () => 0.999999), 1000);
  t.equal(jitter(1000, () => 1), 1000);
  t.equal(jitter(1000, () => -3), 750, 'out-of-range draws are clamped');
  t.equal(jitter(1000, () => 7), 1000);
  t.equal(jitter(1000, () => Number.NaN), 1000, 'a broken source means no jitter, not NaN');
  let seed = 42;
  const lcg = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 1000; i++) {
    const v = jitter(30000, lcg);
    if (v < 22500 || v > 30000) t.fail(`jittered keepalive ${v} out of range`);
  }
  t.pass('1000 seeded draws in range');
});

t.test('doubling from the initial delay up to the cap', async (t) => {
  t.strictSame(
    Array.from({ length: 10 }, (_, i) => nominalDelay(policy, i)),
    [1000, 2000, 4000, 8000, 16000, 32000, 64000, 120000, 120000, 120000],
  );
  t.equal(nominalDelay(policy, 10_000), 120000, 'a huge attempt number stays finite and capped');
  t.equal(nominalDelay(policy, -1), 1000);
  t.equal(nominalDelay({ initialMs: 5000, maxMs: 5000 }, 3), 5000);
});

t.test('each delay is jittered independently', async (t) => {
  const draws = [0, 1, 0.5, 0];
  const random = (): number => draws.shift() ?? 0;
  t.strictSame(
    [0, 1, 2, 8].map((attempt) => backoffDelay(policy, attempt, random)),
    [750, 2000, 3500, 90000],
  );
});
