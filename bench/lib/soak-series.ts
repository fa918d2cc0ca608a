/**
 * The soak benchmark's figures: the target's one-per-second samples (`soak-target.ts`) gathered into a time series,
 * one row per window (30 s by default), and the verdict that compares the first minute of flapping with the last.
 *
 * A row shows the window's means of the memory figures (single samples jump with every garbage collection), the
 * median of its per-second event-loop delay p50s, its worst second's p99, its maximum delay, and the routing state
 * at its last sample. The verdict compares means over whole minutes: RSS, V8 heap and array buffers (the RIB's
 * typed arrays) as growth in per cent, and the event-loop delay p99 as the median second and the worst second.
 * Percentiles of different seconds cannot be merged exactly; the median and the worst of them are what is shown.
 */

/** One `sample` line of the target (see `soak-target.ts`); memory in MiB, delays in ms. */
export interface SoakSample {
  /** Seconds since flapping started (negative: while the table was loading). */
  readonly at: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly arrayBuffers: number;
  readonly eldP50: number;
  readonly eldP99: number;
  readonly eldMax: number;
  readonly gcMs: number;
  readonly prefixes: number;
  readonly paths: number;
  readonly up: number;
  readonly downs: number;
}

export interface SoakRow {
  /** End of the window, seconds since flapping started. */
  readonly at: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly arrayBuffers: number;
  readonly eldP50: number;
  readonly eldP99: number;
  readonly eldMax: number;
  /** Share of the window's wall time spent in garbage collection, per cent. */
  readonly gcPercent: number;
  readonly up: number;
  readonly flaps: number;
  readonly prefixes: number;
  readonly paths: number;
}

export interface MinuteFigures {
  readonly rss: number;
  readonly heapUsed: number;
  readonly arrayBuffers: number;
  readonly eldP99Median: number;
  readonly eldP99Worst: number;
  readonly eldMax: number;
}

export interface SoakVerdict {
  readonly first: MinuteFigures;
  readonly last: MinuteFigures;
  readonly rssGrowth: number;
  readonly heapGrowth: number;
  readonly arrayBufferGrowth: number;
  /** RSS growth within ±10 % and the last minute's median p99 within twice the first's (plus `slackMs`). */
  readonly flat: boolean;
  readonly slackMs: number;
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const max = (xs: readonly number[]): number => xs.reduce((a, b) => Math.max(a, b), 0);

/** The row of the samples of one window; `flapsBefore` is the target's session-down count when flapping began. */
export function windowRow(samples: readonly SoakSample[], at: number, flapsBefore: number): SoakRow | undefined {
  const last = samples[samples.length - 1];
  if (last === undefined) return undefined;
  return {
    at,
    rss: mean(samples.map((s) => s.rss)),
    heapUsed: mean(samples.map((s) => s.heapUsed)),
    arrayBuffers: mean(samples.map((s) => s.arrayBuffers)),
    eldP50: median(samples.map((s) => s.eldP50)),
    eldP99: max(samples.map((s) => s.eldP99)),
    eldMax: max(samples.map((s) => s.eldMax)),
    gcPercent: (samples.reduce((a, s) => a + s.gcMs, 0) / (samples.length * 1000)) * 100,
    up: last.up,
    flaps: last.downs - flapsBefore,
    prefixes: last.prefixes,
    paths: last.paths,
  };
}

function minute(samples: readonly SoakSample[]): MinuteFigures {
  return {
    rss: mean(samples.map((s) => s.rss)),
    heapUsed: mean(samples.map((s) => s.heapUsed)),
    arrayBuffers: mean(samples.map((s) => s.arrayBuffers)),
    eldP99Median: median(samples.map((s) => s.eldP99)),
    eldP99Worst: max(samples.map((s) => s.eldP99)),
    eldMax: max(samples.map((s) => s.eldMax)),
  };
}

const growth = (from: number, to: number): number => (from === 0 ? 0 : ((to - from) / from) * 100);

/** First minute of flapping against the last; undefined with less than two minutes of samples. */
export function verdict(samples: readonly SoakSample[], seconds: number, slackMs: number): SoakVerdict | undefined {
  const soak = samples.filter((s) => s.at > 0 && s.at <= seconds);
  const firstSamples = soak.filter((s) => s.at <= 60);
  const lastSamples = soak.filter((s) => s.at > seconds - 60);
  if (seconds < 120 || firstSamples.length === 0 || lastSamples.length === 0) return undefined;
  const first = minute(firstSamples);
  const last = minute(lastSamples);
  const rssGrowth = growth(first.rss, last.rss);
  return {
    first,
    last,
    rssGrowth,
    heapGrowth: growth(first.heapUsed, last.heapUsed),
    arrayBufferGrowth: growth(first.arrayBuffers, last.arrayBuffers),
    flat: Math.abs(rssGrowth) <= 10 && last.eldP99Median <= 2 * first.eldP99Median + slackMs,
    slackMs,
  };
}

const pad = (s: string, n: number): string => s.padStart(n);
const f1 = (x: number): string => x.toFixed(1);

/** The table's header line and the line of one row, columns aligned for a terminal and for Markdown alike. */
export const ROW_HEADER =
  '|   time |   RSS MiB |  heap MiB | buffers MiB | ELD p50 ms | ELD p99 ms | ELD max ms |  GC % | up | flaps |  prefixes |     paths |\n' +
  '|-------:|----------:|----------:|------------:|-----------:|-----------:|-----------:|------:|---:|------:|----------:|----------:|';

export function formatRow(r: SoakRow, label?: string): string {
  const time = label ?? `${Math.floor(r.at / 60)}:${String(Math.round(r.at % 60)).padStart(2, '0')}`;
  return (
    `| ${pad(time, 6)} | ${pad(f1(r.rss), 9)} | ${pad(f1(r.heapUsed), 9)} | ${pad(f1(r.arrayBuffers), 11)} | ` +
    `${pad(f1(r.eldP50), 10)} | ${pad(f1(r.eldP99), 10)} | ${pad(f1(r.eldMax), 10)} | ${pad(f1(r.gcPercent), 5)} | ` +
    `${pad(String(r.up), 2)} | ${pad(String(r.flaps), 5)} | ${pad(String(r.prefixes), 9)} | ${pad(String(r.paths), 9)} |`
  );
}

const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)} %`;

export function formatVerdict(v: SoakVerdict): string {
  return [
    `RSS      ${f1(v.first.rss)} → ${f1(v.last.rss)} MiB (${signed(v.rssGrowth)})`,
    `heap     ${f1(v.first.heapUsed)} → ${f1(v.last.heapUsed)} MiB (${signed(v.heapGrowth)})`,
    `buffers  ${f1(v.first.arrayBuffers)} → ${f1(v.last.arrayBuffers)} MiB (${signed(v.arrayBufferGrowth)})`,
    `ELD p99  median second ${f1(v.first.eldP99Median)} → ${f1(v.last.eldP99Median)} ms, worst second ${f1(v.first.eldP99Worst)} → ${f1(v.last.eldP99Worst)} ms`,
    `ELD max  ${f1(v.first.eldMax)} → ${f1(v.last.eldMax)} ms`,
    `verdict  ${v.flat ? 'flat' : 'NOT flat'} (first minute of flapping against the last; flat = RSS within ±10 %, median ELD p99 within 2× + ${v.slackMs} ms)`,
  ].join('\n');
}
