/**
 * Processes started inside a test namespace (by `Netns.spawn` / `Netns.spawnNode`): each is the leader of its own
 * process group (spawned `detached`), so a stop reaches whatever it forks — OpenBGPD's SE and RDE, a shell's
 * background jobs. `stop()` is the polite sequence every daemon handle uses: SIGTERM to the leader (where a
 * daemon's graceful shutdown starts: FRR sends a Cease), then SIGKILL to the whole group after a grace period.
 *
 * Also here: how a node child runs a TypeScript file — with the loader tap itself uses (see `typescriptLoader`).
 */
import type { ChildProcess } from 'node:child_process';
import type { JsonLinesChannel } from './json-lines.js';

export type ExitStatus = { readonly code: number | null; readonly signal: NodeJS.Signals | null };

/** A process started inside a namespace; the leader of its own process group. */
export class NsProcess {
  readonly pid: number;
  readonly exited: Promise<ExitStatus>;
  #status: ExitStatus | undefined;

  constructor(
    readonly child: ChildProcess,
    readonly command: string,
    readonly logFile: string,
  ) {
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    this.pid = child.pid;
    this.#status = undefined;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#status = { code, signal };
        resolve(this.#status);
      });
    });
  }

  get running(): boolean {
    return this.#status === undefined;
  }

  get status(): ExitStatus | undefined {
    return this.#status;
  }

  /** Signal the leader only: a daemon's graceful shutdown (FRR sends Cease on SIGTERM) starts there. */
  signal(sig: NodeJS.Signals): void {
    if (this.running) killQuietly(this.pid, sig);
  }

  /** SIGTERM, then SIGKILL to the whole group after `graceMs`; resolves once the leader has exited. */
  async stop(graceMs = 3000): Promise<ExitStatus> {
    this.signal('SIGTERM');
    if ((await within(this.exited, graceMs)) === undefined) killQuietly(-this.pid, 'SIGKILL');
    const status = await this.exited;
    // Children that stayed in the group (OpenBGPD's SE and RDE) go too.
    killQuietly(-this.pid, 'SIGKILL');
    return status;
  }
}

/** A node child inside a namespace with a JSON-lines channel on its stdin/stdout. */
export class NodeProcess extends NsProcess {
  readonly channel: JsonLinesChannel;

  constructor(child: ChildProcess, command: string, logFile: string, channel: JsonLinesChannel) {
    super(child, command, logFile);
    this.channel = channel;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Node children: the loader tap uses for TypeScript.

const TS_EXT = /\.(ts|mts|cts|tsx)$/;

export function nodeArgsFor(script: string): string[] {
  if (!TS_EXT.test(script)) return ['--enable-source-maps'];
  return ['--enable-source-maps', `--import=${typescriptLoader()}`];
}

export function typescriptEnv(script: string): NodeJS.ProcessEnv {
  if (!TS_EXT.test(script)) return {};
  // Type-checking is tsc's job; the child only needs the emit. Strip-only mode needs node ≥ 22.
  return { TS_NODE_TRANSPILE_ONLY: '1', TAP_TYPE_STRIP_ONLY: '0' };
}

let loaderUrl: string | undefined;

/** The `--import` target that registers ts-node's ESM loader: tap's own flag when we run under tap. */
export function typescriptLoader(): string {
  if (loaderUrl !== undefined) return loaderUrl;
  const own = process.execArgv.find((a) => a.startsWith('--import=') && a.includes('@tapjs/typescript'));
  loaderUrl = own !== undefined ? own.slice('--import='.length) : import.meta.resolve('@tapjs/typescript/import');
  return loaderUrl;
}

// ---------------------------------------------------------------------------------------------------------------

export function killQuietly(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // ESRCH: already gone
  }
}

/** `p`, or undefined after `ms`; the timer is cleared so it never holds the event loop open. */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, ms, undefined);
  });
  try {
    return await Promise.race([p, expired]);
  } finally {
    clearTimeout(timer);
  }
}
