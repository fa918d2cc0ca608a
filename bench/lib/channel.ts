/**
 * The JSON-lines channel between the benchmark runner and its helper processes (blaster, sink, tsbgpd target):
 * the child writes one JSON object per line on stdout (`report`) and reads commands, one JSON object per line,
 * on stdin (`onCommand`). The runner's side (`ChildChannel`) reads those lines and waits for events with a
 * deadline, so that no wait of the benchmark is unbounded. Times travel as strings of `process.hrtime.bigint()`
 * nanoseconds: CLOCK_MONOTONIC, shared by every process of the machine, so the blaster's first write and the
 * sink's last prefix can be subtracted although they happen in different processes.
 */
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';

export type Message = Record<string, unknown> & { readonly event?: string; readonly cmd?: string };

/** Child side: one event to the runner. */
export function report(message: Message): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** Child side: runs `fn` for each command line from the runner; stdin closing (runner gone) exits the child. */
export function onCommand(fn: (message: Message) => void): void {
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (line.trim() === '') return;
    try {
      fn(JSON.parse(line) as Message);
    } catch (err) {
      report({ event: 'error', message: `bad command ${JSON.stringify(line)}: ${(err as Error).message}` });
    }
  });
  rl.on('close', () => process.exit(0));
}

/** The current CLOCK_MONOTONIC time, as the channel carries it. */
export function now(): string {
  return process.hrtime.bigint().toString();
}

/** Seconds between two channel times. */
export function secondsBetween(from: unknown, to: unknown): number {
  return Number(BigInt(String(to)) - BigInt(String(from))) / 1e9;
}

/** Runner side: events from one child, and a way to wait for them. */
export class ChildChannel {
  private readonly seen: Message[] = [];
  private waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  private closed: string | null = null;
  private readonly listeners: ((m: Message) => void)[] = [];

  constructor(
    readonly name: string,
    stdout: Readable,
    private readonly stdin: Writable,
    private readonly log: (line: string) => void,
  ) {
    const rl = createInterface({ input: stdout });
    rl.on('line', (line) => this.onLine(line));
    rl.on('close', () => {
      this.closed = `${name} exited`;
      for (const w of this.waiters) w.resolve({ event: 'exit' });
      this.waiters = [];
    });
    stdin.on('error', () => {});
  }

  private onLine(line: string): void {
    let m: Message;
    try {
      m = JSON.parse(line) as Message;
    } catch {
      this.log(line);
      return;
    }
    if (m.event === 'error') this.log(`${this.name}: ${String(m['message'])}`);
    this.seen.push(m);
    for (const l of this.listeners) l(m);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(m)) return true;
      w.resolve(m);
      return false;
    });
  }

  /** Calls `listener` with every event from now on (a stream of samples, rather than one awaited event). */
  onEvent(listener: (m: Message) => void): void {
    this.listeners.push(listener);
  }

  send(message: Message): void {
    if (this.closed === null) this.stdin.write(`${JSON.stringify(message)}\n`);
  }

  /**
   * The first event (already seen or to come) named `event`; rejects after `timeoutMs`, when the child exits, or
   * when it reports a `fatal` event first.
   */
  async waitFor(event: string, timeoutMs: number): Promise<Message> {
    const match = (m: Message): boolean => m.event === event || m.event === 'fatal';
    const old = this.seen.find(match);
    const m =
      old ??
      (this.closed !== null
        ? ({ event: 'exit' } as Message)
        : await new Promise<Message>((resolve) => {
            const waiter = { match, resolve };
            const timer = setTimeout(() => {
              this.waiters = this.waiters.filter((w) => w !== waiter);
              resolve({ event: 'timeout' });
            }, timeoutMs);
            this.waiters.push({
              match,
              resolve: (x) => {
                clearTimeout(timer);
                resolve(x);
              },
            });
          }));
    if (m.event === event) return m;
    if (m.event === 'fatal') throw new Error(`${this.name}: ${String(m['message'])}`);
    throw new Error(`${this.name}: no '${event}' within ${(timeoutMs / 1000).toFixed(0)} s (${m.event === 'exit' ? 'process exited' : 'timed out'})`);
  }

  /** Asks the child for a `status` event (diagnostics after a timeout); undefined when it does not answer in 2 s. */
  async status(): Promise<Message | undefined> {
    const before = this.seen.length;
    this.send({ cmd: 'status' });
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline) {
      const m = this.seen.slice(before).find((x) => x.event === 'status');
      if (m !== undefined) return m;
      await new Promise((r) => setTimeout(r, 50));
    }
    return undefined;
  }
}
