/**
 * The daemon's logger: pino, writing structured JSON lines (one object per event, stable `event` names) — or, when
 * stdout is a terminal, the same events as readable lines. The readable form is a small formatter of pino's own
 * output rather than pino-pretty, so the daemon needs no worker-thread transport and no further dependency.
 */
import { pino, type Logger, type Level } from 'pino';
import { Writable } from 'node:stream';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLOURS: Record<number, string> = { 20: '\x1b[90m', 30: '\x1b[36m', 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[41m' };
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'peer', 'event']);

/** Formats one pino JSON line for people: `12:00:01 INFO  192.168.3.1 session-up: session established holdTime=90`. */
export function prettyLine(json: string, colour: boolean): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const level = typeof o.level === 'number' ? o.level : 30;
  const time = typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11, 19) : '';
  const name = (LEVELS[level] ?? String(level)).padEnd(5);
  const extra = Object.entries(o)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const who = typeof o.peer === 'string' ? `${o.peer} ` : '';
  const event = typeof o.event === 'string' ? `${o.event}: ` : '';
  const head = colour ? `${COLOURS[level] ?? ''}${name}\x1b[0m` : name;
  return `${time} ${head} ${who}${event}${String(o.msg ?? '')}${extra ? `  ${extra}` : ''}`;
}

export interface LoggerOptions {
  level?: Level | 'silent';
  /** `json` (default when stdout is not a terminal) or `pretty`. */
  format?: 'json' | 'pretty';
  /** Where to write (default stdout, as a daemon under systemd or Kubernetes is expected to). */
  stream?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const out = options.stream ?? process.stdout;
  const tty = (out as { isTTY?: boolean }).isTTY === true;
  const format = options.format ?? (tty ? 'pretty' : 'json');
  const level = options.level ?? 'info';
  if (format === 'json') return pino({ level, base: { pid: process.pid } }, out as unknown as pino.DestinationStream);
  const pretty = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) out.write(`${prettyLine(line, tty)}\n`);
      done();
    },
  });
  return pino({ level, base: null }, pretty);
}
