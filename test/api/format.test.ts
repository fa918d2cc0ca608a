// FRR's up/down time (peer_uptime): the four ranges and their boundaries, and `never`.
import t from 'tap';
import { formatUptime } from '../../lib/api/index.js';

t.test('under a day: hh:mm:ss', async (t) => {
  t.equal(formatUptime(0), '00:00:00');
  t.equal(formatUptime(83), '00:01:23');
  t.equal(formatUptime(86399), '23:59:59');
  t.equal(formatUptime(12.9), '00:00:12', 'fractions are cut, not rounded');
});

t.test('under a week: 1d02h03m', async (t) => {
  t.equal(formatUptime(86400), '1d00h00m');
  t.equal(formatUptime(86400 + 2 * 3600 + 3 * 60 + 59), '1d02h03m');
  t.equal(formatUptime(7 * 86400 - 1), '6d23h59m');
});

t.test('under a year: 01w2d03h', async (t) => {
  t.equal(formatUptime(7 * 86400), '01w0d00h');
  t.equal(formatUptime(700000), '01w1d02h');
  t.equal(formatUptime(364 * 86400 + 5 * 3600), '52w0d05h');
});

t.test('a year and more counts years from 1970 through gmtime, as FRR does', async (t) => {
  t.equal(formatUptime(365 * 86400), '01y00w0d');
  // 1970 and 1971 have 365 days, 1972 has 366: 800 days is 1972-03-11, day 70 of the year.
  t.equal(formatUptime(800 * 86400), '02y10w0d');
});

t.test('never, and no negative durations', async (t) => {
  t.equal(formatUptime(null), 'never');
  t.equal(formatUptime(-5), '00:00:00');
});
