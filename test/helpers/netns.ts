/**
 * Network namespaces for interop tests: every byte an interop test sends stays inside a namespace this module
 * created (`tsbgp-<pid>-<n>`), and every process started in one dies with it.
 *
 * What it owns
 * - `Netns.create(t)`: a fresh namespace with `lo` up and a work directory `/tmp/tsbgp-<pid>-<n>/` for configs and
 *   logs; `addAddress()` puts an IPv4 /32 or IPv6 /128 on `lo`; `Netns.link(a, b, …)` joins two namespaces with a
 *   veth pair whose both ends live in our namespaces. DAD is off in our namespaces (`accept_dad=0`, and `nodad`
 *   on every address we add), so IPv6 addresses are usable at once; `link` still checks none is tentative.
 * - `exec()` runs a command inside (`ip netns exec`) with a timeout; `spawn()` starts a long-running process inside,
 *   in its own process group, with stdout and stderr written straight to a log file in the work directory.
 * - `spawnNode(script, args, env)` runs a node script inside the namespace (tsbgpd under test, or a test script):
 *   - a `.ts`/`.mts` file runs through the loader tap itself uses (`@tapjs/typescript/import`, which registers
 *     the ts-node fork `@isaacs/ts-node-temp-fork-for-pr-2009` as an ESM loader) with `TS_NODE_TRANSPILE_ONLY=1`,
 *     i.e. `ip netns exec NS node --enable-source-maps --import=file:///…/@tapjs/typescript/dist/esm/import.mjs
 *     script.ts args…`. Under tap the exact `--import` flag of the test process is reused; outside tap it is
 *     resolved from node_modules. The child inherits the environment (tap's `NODE_OPTIONS` included);
 *   - a `.js`/`.mjs` file (the compiled `dist/` output, after `npm run build`) runs with plain `node`;
 *   - stdin/stdout carry JSON lines (`json-lines.ts`: `proc.channel.request({...})` here, `parentChannel()` in
 *     the child); stderr and any non-JSON stdout line go to the child's log file.
 * - `destroy()`: stop registered services (daemon handles) gracefully, SIGTERM then SIGKILL every process group we
 *   started, SIGKILL whatever `ip netns pids` still lists (daemons that fork into their own group, like ExaBGP's
 *   API helper), then `ip netns del`. `create(t)` runs it from tap's `t.teardown` (printing the logs' tails and
 *   keeping the work directory when the test failed); `netns-cleanup.ts` is the last resort (process 'exit',
 *   tap's timeout signal, and a sweep of namespaces left by dead test processes).
 *
 * Processes themselves (`NsProcess`, `NodeProcess`, the TypeScript loader) live in `ns-process.ts`.
 * Nothing here adds a route outside our namespaces; daemons are configured never to touch a FIB.
 */
import { execFile, spawn as spawnChild } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JsonLinesChannel } from './json-lines.js';
import { killNamespaceSync, parsePids, registerLive, unregisterLive } from './netns-cleanup.js';
import { killQuietly, nodeArgsFor, NodeProcess, NsProcess, typescriptEnv, within } from './ns-process.js';

export { sweepStale } from './netns-cleanup.js';
export { NodeProcess, NsProcess, typescriptLoader, within, type ExitStatus } from './ns-process.js';

/** The subset of tap's Test that the harness needs: keeps these helpers usable from any tap version or none. */
export interface TestLike {
  teardown(fn: () => unknown): void;
  comment(...args: unknown[]): void;
  passing(): boolean;
}

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecOptions {
  /** Milliseconds before the command is SIGKILLed (default 10 s). */
  readonly timeout?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
}

export interface SpawnOptions {
  /** Log file name inside the work directory (default `<command>-<n>.log`). */
  readonly log?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export interface VethEnd {
  /** Interface name inside its namespace (≤ 15 characters); default `veth<n>`. */
  readonly name?: string;
  /** Addresses with prefix length, e.g. `10.0.0.1/30`, `fd00:1::1/64`. */
  readonly addresses: readonly string[];
}

const PREFIX = 'tsbgp';
let counter = 0;

export class Netns {
  readonly name: string;
  /** Work directory for configs, sockets and logs: `/tmp/<name>/`. */
  readonly dir: string;
  readonly #processes = new Set<NsProcess>();
  readonly #services: Array<() => Promise<unknown>> = [];
  #links = 0;
  #spawned = 0;
  #destroyed = false;

  private constructor(name: string) {
    this.name = name;
    this.dir = join(tmpdir(), name);
  }

  /**
   * Create a namespace with `lo` up. With `t`, destruction is registered as a teardown and, when the test
   * failed, the tail of every log is printed and the work directory kept.
   */
  static async create(t?: TestLike): Promise<Netns> {
    const ns = new Netns(`${PREFIX}-${process.pid}-${++counter}`);
    registerLive(ns);
    mkdirSync(ns.dir, { recursive: true, mode: 0o755 });
    try {
      await run('ip', ['netns', 'add', ns.name]);
      await run('ip', ['-n', ns.name, 'link', 'set', 'lo', 'up']);
      // No Duplicate Address Detection in a namespace of our own: it would hold every new IPv6 address, the veth
      // link-locals included, "tentative" (unusable) for a second or two. Interfaces created later inherit this.
      await ns.run('sysctl', ['-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
    } catch (err) {
      ns.destroySync();
      throw err;
    }
    if (t) {
      t.teardown(async () => {
        const failed = !t.passing();
        if (failed) ns.commentLogs(t);
        await ns.destroy({ keepDir: failed });
      });
    }
    return ns;
  }

  /** Join `a` and `b` with a veth pair; returns the interface names. Waits until both ends are up and usable. */
  static async link(a: Netns, b: Netns, ends: { a: VethEnd; b: VethEnd }): Promise<{ a: string; b: string }> {
    const aName = ends.a.name ?? `veth${++a.#links}`;
    const bName = ends.b.name ?? `veth${++b.#links}`;
    await run('ip', ['-n', a.name, 'link', 'add', aName, 'type', 'veth', 'peer', 'name', bName, 'netns', b.name]);
    for (const [ns, ifname, end] of [
      [a, aName, ends.a],
      [b, bName, ends.b],
    ] as const) {
      for (const address of end.addresses) await ns.addAddress(address, ifname);
      await run('ip', ['-n', ns.name, 'link', 'set', ifname, 'up']);
    }
    await Promise.all([a.waitLinkUp(aName), b.waitLinkUp(bName)]);
    await Promise.all([a.waitNoTentative(), b.waitNoTentative()]);
    return { a: aName, b: bName };
  }

  /**
   * Add an address (default device `lo`). A bare address gets /32 or /128. IPv6 addresses are added with `nodad`:
   * Duplicate Address Detection would hold them "tentative" (unbindable) for about a second.
   */
  async addAddress(address: string, dev = 'lo'): Promise<void> {
    const [ip, len] = address.split('/');
    const family = isIP(ip ?? '');
    if (family === 0) throw new Error(`not an IP address: ${address}`);
    const cidr = len === undefined ? `${ip}/${family === 4 ? 32 : 128}` : address;
    await run('ip', ['-n', this.name, 'addr', 'add', cidr, 'dev', dev, ...(family === 6 ? ['nodad'] : [])]);
  }

  /** Run a command inside the namespace; resolves with its exit code and output (never rejects on exit code). */
  exec(command: string, args: readonly string[] = [], opts: ExecOptions = {}): Promise<ExecResult> {
    this.assertAlive();
    return execIn(['netns', 'exec', this.name, command, ...args], opts);
  }

  /** Like `exec` but rejects when the exit code is not 0, with the command's stderr in the message. */
  async run(command: string, args: readonly string[] = [], opts: ExecOptions = {}): Promise<string> {
    const r = await this.exec(command, args, opts);
    if (r.code !== 0) {
      throw new Error(
        `${command} ${args.join(' ')} (in ${this.name}) exited ${r.code}: ${(r.stderr || r.stdout).trim()}`,
      );
    }
    return r.stdout;
  }

  /** Start a long-running process inside the namespace, its output appended to `<dir>/<log>`. */
  spawn(command: string, args: readonly string[] = [], opts: SpawnOptions = {}): NsProcess {
    this.assertAlive();
    const logFile = this.logPath(opts.log ?? `${basename(command)}-${++this.#spawned}.log`);
    const fd = openSync(logFile, 'a');
    try {
      const child = spawnChild('ip', ['netns', 'exec', this.name, command, ...args], {
        detached: true, // its own process group, so stop() reaches everything it forks
        stdio: ['ignore', fd, fd],
        env: opts.env ?? process.env,
        cwd: opts.cwd ?? this.dir,
      });
      const proc = new NsProcess(child, command, logFile);
      this.#track(proc);
      return proc;
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Run a node script inside the namespace with a JSON-lines channel on stdin/stdout. `.ts` files go through
   * tap's TypeScript loader, `.js` files (the compiled `dist/`) through plain node. See the file comment.
   */
  spawnNode(
    script: string,
    args: readonly string[] = [],
    env: NodeJS.ProcessEnv = {},
    opts: { log?: string } = {},
  ): NodeProcess {
    this.assertAlive();
    const path = resolvePath(script);
    const logFile = this.logPath(opts.log ?? `${basename(path)}-${++this.#spawned}.log`);
    const fd = openSync(logFile, 'a');
    try {
      const child = spawnChild(
        'ip',
        ['netns', 'exec', this.name, process.execPath, ...nodeArgsFor(path), path, ...args],
        {
          detached: true,
          stdio: ['pipe', 'pipe', fd],
          env: { ...process.env, ...typescriptEnv(path), ...env },
          cwd: this.dir,
        },
      );
      const channel = new JsonLinesChannel(child.stdout!, child.stdin!, logFile);
      const proc = new NodeProcess(child, path, logFile, channel);
      this.#track(proc);
      return proc;
    } finally {
      closeSync(fd);
    }
  }

  /** Register a graceful stop (a daemon handle's `stop`) to run first in `destroy()`. */
  onDestroy(stop: () => Promise<unknown>): void {
    this.#services.push(stop);
  }

  /** Path of a file in the work directory. */
  path(name: string): string {
    return join(this.dir, name);
  }

  /** Make a sub-directory of the work directory (e.g. one per daemon instance). */
  subdir(name: string): string {
    const d = join(this.dir, name);
    mkdirSync(d, { recursive: true });
    return d;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  get processes(): readonly NsProcess[] {
    return [...this.#processes];
  }

  /** Every pid currently inside the namespace, whoever started it. */
  async pids(): Promise<number[]> {
    const r = await execIn(['netns', 'pids', this.name], { timeout: 5000 });
    return r.code === 0 ? parsePids(r.stdout) : [];
  }

  /** Stop everything started in the namespace and delete it (idempotent). */
  async destroy(opts: { keepDir?: boolean } = {}): Promise<void> {
    if (this.#destroyed) return;
    const services = this.#services.splice(0).reverse();
    await Promise.allSettled(services.map((stop) => within(stop(), 8000)));
    await Promise.allSettled([...this.#processes].map((p) => p.stop(2000)));
    for (let i = 0; i < 20; i++) {
      const rest = await this.pids();
      if (rest.length === 0) break;
      for (const pid of rest) killQuietly(pid, 'SIGKILL');
      await sleep(100);
    }
    this.#destroyed = true;
    unregisterLive(this);
    await execIn(['netns', 'del', this.name], { timeout: 5000 });
    if (!opts.keepDir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** The synchronous last resort used by the process 'exit' and signal handlers; keeps the work directory. */
  destroySync(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    unregisterLive(this);
    for (const p of this.#processes) if (p.running) killQuietly(-p.pid, 'SIGKILL');
    killNamespaceSync(this.name);
  }

  /** Print the last lines of every log of this namespace as tap comments (for a failed test). */
  commentLogs(t: TestLike, lines = 25): void {
    if (!existsSync(this.dir)) return;
    for (const file of listLogs(this.dir)) {
      const text = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      t.comment(`--- ${file} (last ${lines} lines)\n${text}`);
    }
  }

  logPath(name: string): string {
    return join(this.dir, name);
  }

  async waitLinkUp(ifname: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const out = await run('ip', ['-n', this.name, '-j', 'link', 'show', ifname]);
      const links = JSON.parse(out) as Array<{ operstate?: string; flags?: string[] }>;
      last = links[0]?.operstate ?? 'missing';
      if (last === 'UP' || (last === 'UNKNOWN' && links[0]?.flags?.includes('LOWER_UP'))) return;
      await sleep(20);
    }
    throw new Error(`${this.name}: ${ifname} not up after ${timeoutMs} ms (operstate ${last})`);
  }

  /** Wait until no IPv6 address is tentative (DAD) — `nodad` addresses never are; SLAAC link-locals may be. */
  async waitNoTentative(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const out = await run('ip', ['-n', this.name, '-6', 'addr', 'show', 'tentative']);
      if (out.trim() === '') return;
      await sleep(50);
    }
    throw new Error(`${this.name}: IPv6 addresses still tentative after ${timeoutMs} ms`);
  }

  #track(proc: NsProcess): void {
    this.#processes.add(proc);
    // A process that exited is reaped; forget it so destroy() does not signal a recycled pgid.
    void proc.exited.then(() => this.#processes.delete(proc));
  }

  private assertAlive(): void {
    if (this.#destroyed) throw new Error(`namespace ${this.name} is already destroyed`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Small utilities.

function execIn(ipArgs: readonly string[], opts: ExecOptions): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'ip',
      ipArgs,
      {
        timeout: opts.timeout ?? 10_000,
        killSignal: 'SIGKILL',
        maxBuffer: 256 * 1024 * 1024,
        env: opts.env ?? process.env,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        if (err === null) return resolve({ code: 0, stdout, stderr });
        const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
        const code = typeof e.code === 'number' ? e.code : -1;
        const why = e.killed === true ? `\n[killed after ${opts.timeout ?? 10_000} ms]` : '';
        resolve({ code, stdout, stderr: stderr + why });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

async function run(cmd: 'ip', args: readonly string[]): Promise<string> {
  const r = await execIn(args, {});
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

function basename(path: string): string {
  return path.split('/').pop() ?? path;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function listLogs(dir: string): string[] {
  const out: string[] = [];
  for (const entry of safeReaddir(dir)) {
    const p = join(dir, entry);
    if (entry.endsWith('.log')) out.push(p);
    else if (isDirectory(p)) out.push(...listLogs(p));
  }
  return out;
}
