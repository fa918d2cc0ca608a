/**
 * A JSON-lines channel between an interop test and a node child it runs inside a network namespace
 * (`Netns.spawnNode`): one JSON object per line on the child's stdin (test → child) and stdout (child → test).
 * Lines on stdout that are not JSON objects are not messages: they are appended to the child's log file, so a
 * stray `console.log` cannot break the protocol. Node's own `'ipc'` channel is not used because the child is
 * started through `ip netns exec`, and a plain pipe is easier to read in a log when something goes wrong.
 *
 * Two sides, no side effects on import:
 * - `JsonLinesChannel` (the test): `send`, `next(match, timeout)`, `request(msg)` — which adds an `id` and waits
 *   for the reply carrying the same `id` — and `messages` (everything received so far).
 * - `parentChannel()` (the child script): `send`, `onMessage`, over `process.stdin` / `process.stdout`.
 */
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export type JsonObject = { readonly [key: string]: unknown };

interface Waiter {
  readonly match: (m: JsonObject) => boolean;
  readonly resolve: (m: JsonObject) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** The test's side of the channel. */
export class JsonLinesChannel {
  /** Every message received, in order (consumed or not). */
  readonly messages: JsonObject[] = [];
  readonly #unread: JsonObject[] = [];
  readonly #waiters = new Set<Waiter>();
  #closed: string | undefined;
  #nextId = 1;

  constructor(
    input: Readable,
    private readonly output: Writable,
    private readonly logFile: string,
  ) {
    this.#closed = undefined;
    const lines = createInterface({ input, crlfDelay: Infinity });
    lines.on('line', (line) => this.#onLine(line));
    lines.on('close', () => this.#onClose('the child closed its stdout'));
    // A child that exits before reading its stdin must not crash the test with EPIPE.
    output.on('error', () => undefined);
  }

  send(message: JsonObject): void {
    if (this.#closed !== undefined) throw new Error(`cannot send: ${this.#closed}`);
    this.output.write(`${JSON.stringify(message)}\n`);
  }

  /** The first unread message that matches (oldest first), waiting up to `timeoutMs` for one to arrive. */
  next(match: (m: JsonObject) => boolean = () => true, timeoutMs = 10_000): Promise<JsonObject> {
    const i = this.#unread.findIndex(match);
    if (i >= 0) return Promise.resolve(this.#unread.splice(i, 1)[0]!);
    if (this.#closed !== undefined) return Promise.reject(new Error(`no matching message: ${this.#closed}`));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          const seen = this.messages
            .slice(-5)
            .map((m) => JSON.stringify(m))
            .join('\n  ');
          reject(new Error(`no matching message from the child within ${timeoutMs} ms; last received:\n  ${seen}`));
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /** Send `message` with a fresh `id` and resolve with the child's reply that carries the same `id`. */
  request(message: JsonObject, timeoutMs = 10_000): Promise<JsonObject> {
    const id = this.#nextId++;
    const reply = this.next((m) => m['id'] === id, timeoutMs);
    this.send({ ...message, id });
    return reply;
  }

  /** Close the child's stdin (a polite "you may exit"). */
  end(): void {
    if (this.#closed === undefined) this.output.end();
  }

  #onLine(line: string): void {
    const message = parseObject(line);
    if (message === undefined) {
      appendFileSync(this.logFile, `${line}\n`);
      return;
    }
    this.messages.push(message);
    for (const w of this.#waiters) {
      if (!w.match(message)) continue;
      this.#waiters.delete(w);
      clearTimeout(w.timer);
      w.resolve(message);
      return;
    }
    this.#unread.push(message);
  }

  #onClose(why: string): void {
    this.#closed = why;
    for (const w of this.#waiters) {
      clearTimeout(w.timer);
      w.reject(new Error(`no matching message: ${why}`));
    }
    this.#waiters.clear();
  }
}

/** The child's side of the channel, over its own stdin/stdout. */
export interface ParentChannel {
  send(message: JsonObject): void;
  /** Called for every message from the test; `'close'` when the test closed our stdin. */
  onMessage(fn: (message: JsonObject) => void): void;
  onClose(fn: () => void): void;
}

export function parentChannel(): ParentChannel {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  return {
    send(message) {
      process.stdout.write(`${JSON.stringify(message)}\n`);
    },
    onMessage(fn) {
      lines.on('line', (line) => {
        const message = parseObject(line);
        if (message !== undefined) fn(message);
      });
    },
    onClose(fn) {
      lines.on('close', fn);
    },
  };
}

function parseObject(line: string): JsonObject | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}
