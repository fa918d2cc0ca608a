/**
 * The small printf pieces the `show` renderers share: FRR's up/down time (`peer_uptime` in bgpd/bgpd.c), and
 * right/left alignment as `%10u` and `%-16s` do it (a value wider than the column is printed whole, never cut).
 */

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;
const WEEK = 7 * DAY;
const YEAR = 365 * DAY;

const two = (n: number): string => String(n).padStart(2, '0');

/**
 * FRR's up/down time: `never`, `00:01:23` under a day, `1d02h03m` under a week, `02w3d04h` under a year, then
 * `01y02w3d`. Like FRR this reads the duration through `gmtime`, so years count from 1970 (leap days included).
 */
export function formatUptime(seconds: number | null): string {
  if (seconds === null) return 'never';
  const s = Math.max(0, Math.floor(seconds));
  if (s < DAY) return `${two(Math.floor(s / HOUR))}:${two(Math.floor((s % HOUR) / MINUTE))}:${two(s % MINUTE)}`;
  const hours = Math.floor((s % DAY) / HOUR);
  if (s < WEEK) return `${Math.floor(s / DAY)}d${two(hours)}h${two(Math.floor((s % HOUR) / MINUTE))}m`;
  const t = new Date(s * 1000);
  const yday = Math.floor((Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()) - Date.UTC(t.getUTCFullYear(), 0, 1)) / (DAY * 1000));
  const weeks = Math.floor(yday / 7);
  if (s < YEAR) return `${two(weeks)}w${yday - weeks * 7}d${two(t.getUTCHours())}h`;
  return `${two(t.getUTCFullYear() - 1970)}y${two(weeks)}w${yday - weeks * 7}d`;
}

/** `%<width>s`: right-aligned. */
export function right(value: string | number, width: number): string {
  return String(value).padStart(width);
}

/** `%-<width>s`: left-aligned. */
export function left(value: string | number, width: number): string {
  return String(value).padEnd(width);
}

/** Joins lines with newlines and ends the text with one. */
export function lines(out: readonly string[]): string {
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}
