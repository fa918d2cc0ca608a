/**
 * Network namespaces for the propagation benchmark: each run gets a fresh namespace (`tsbench-<pid>-<n>`) with
 * `lo` up and its addresses as /32s on `lo` — no veth, no routes, so every byte of the benchmark stays inside it —
 * and a work directory under /tmp for configs, sockets and logs.
 *
 * Every process is started inside with `ip netns exec` (which execs the command, so the child's pid is the
 * program's own) in a process group of its own. `destroy()` stops them (SIGTERM, then SIGKILL after a grace
 * period), kills whatever `ip netns pids` still lists (daemons that fork), and deletes the namespace. Namespaces
 * still alive when the runner exits — an exception, Ctrl-C — are destroyed synchronously by `destroyAllSync`.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command (in the root namespace) with a timeout; never rejects on a non-zero exit. */
export function execCommand(command: string, args: readonly string[], timeoutMs = 10_000): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function must(command: string, args: readonly string[]): Promise<string> {
  const r = await execCommand(command, args);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

const live = new Set<BenchNamespace>();
let counter = 0;

export class BenchNamespace {
  readonly name: string;
  readonly dir: string;
  private readonly children: ChildProcess[] = [];
  private destroyed = false;

  private constructor(name: string) {
    this.name = name;
    this.dir = join('/tmp', name);
  }

  static async create(): Promise<BenchNamespace> {
    const ns = new BenchNamespace(`tsbench-${process.pid}-${++counter}`);
    live.add(ns);
    mkdirSync(ns.dir, { recursive: true, mode: 0o755 });
    await must('ip', ['netns', 'add', ns.name]);
    await must('ip', ['-n', ns.name, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /** An IPv4 address as a /32 on `lo`. */
  async addAddress(address: string): Promise<void> {
    await must('ip', ['-n', this.name, 'addr', 'add', `${address}/32`, 'dev', 'lo']);
  }

  /** Runs a command inside the namespace and waits for it (bounded). */
  exec(command: string, args: readonly string[], timeoutMs = 10_000): Promise<ExecResult> {
    return execCommand('ip', ['netns', 'exec', this.name, command, ...args], timeoutMs);
  }

  /**
   * Starts a long-running process inside the namespace. `pipe`: stdin and stdout are pipes (a JSON-lines helper),
   * stderr goes to the log; `log`: stdout and stderr go to the log.
   */
  spawn(command: string, args: readonly string[], log: string, stdio: 'pipe' | 'log', env?: NodeJS.ProcessEnv): ChildProcess {
    const fd = openSync(join(this.dir, log), 'a');
    try {
      const child = spawn('ip', ['netns', 'exec', this.name, command, ...args], {
        detached: true,
        stdio: stdio === 'pipe' ? ['pipe', 'pipe', fd] : ['ignore', fd, fd],
        cwd: this.dir,
        env: env ?? process.env,
      });
      child.on('error', () => {});
      this.children.push(child);
      return child;
    } finally {
      closeSync(fd);
    }
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  subdir(name: string): string {
    const d = join(this.dir, name);
    mkdirSync(d, { recursive: true, mode: 0o755 });
    return d;
  }

  /** Stops every process started inside (gracefully, then not), kills stragglers and deletes the namespace. */
  async destroy(keepDir = false): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const running = this.children.filter((c) => c.exitCode === null && c.signalCode === null && c.pid !== undefined);
    for (const c of running) killGroup(c.pid as number, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && running.some((c) => c.exitCode === null && c.signalCode === null)) {
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const c of running) if (c.exitCode === null && c.signalCode === null) killGroup(c.pid as number, 'SIGKILL');
    const pids = await execCommand('ip', ['netns', 'pids', this.name], 5000);
    for (const pid of pids.stdout.split(/\s+/).filter(Boolean).map(Number)) killPid(pid, 'SIGKILL');
    await execCommand('ip', ['netns', 'del', this.name], 10_000);
    if (!keepDir) rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }

  /** The synchronous last resort (process exit): SIGKILL everything inside, delete the namespace. */
  destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const c of this.children) if (c.pid !== undefined) killGroup(c.pid, 'SIGKILL');
    try {
      const out = execFileSync('ip', ['netns', 'pids', this.name], { encoding: 'utf8', timeout: 5000 });
      for (const pid of out.split(/\s+/).filter(Boolean).map(Number)) killPid(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    try {
      execFileSync('ip', ['netns', 'del', this.name], { timeout: 10_000 });
    } catch {
      // already gone
    }
    live.delete(this);
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    killPid(pid, signal);
  }
}

function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // exited meanwhile
  }
}

/** Destroys every namespace still alive; installed for `exit`, SIGINT and SIGTERM by `installCleanup`. */
export function destroyAllSync(): void {
  for (const ns of [...live]) ns.destroySync();
}

export function installCleanup(): void {
  process.on('exit', destroyAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      destroyAllSync();
      process.exit(130);
    });
  }
}
