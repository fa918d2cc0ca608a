/**
 * An announcer node under test: the real `tsbgpd run` command (bin/tsbgpd.ts → `announcerCommands`), started
 * inside a test namespace the way an operator starts it on a Kubernetes node — a configuration directory it
 * watches, a state file, a status file and a control socket of its own — and driven only from the outside:
 * by writing, replacing and deleting YAML files in that directory, by signals, and by the CLI (`tsbgpd services
 * --json`, `tsbgpd show summary --json`).
 *
 * What it owns
 * - `AnnouncerNode.start(ns, spec)`: `<ns.dir>/<name>/` holds `config/` (the `--config` directory), `state.json`,
 *   `status.yaml`, `control.sock` and `tsbgpd.log` (stdout and stderr, appended across restarts); resolves once
 *   the control API answers. `writeFile` replaces a file atomically (a hidden temporary file renamed over the
 *   target, as kubectl and editors save: the daemon's watcher ignores hidden names and sees one rename),
 *   `deleteFile` removes one. `restart()` is SIGTERM (withdraw, Cease), wait for the exit, start again with the
 *   same files; `stop()` the same without the start, SIGKILL after a grace period. `services()` and `summary()`
 *   run the CLI inside the namespace; `servicesApi()` and `summaryApi()` read the same control API endpoints
 *   in-process (cheap enough to poll); `state()` and `statusText()` read the files the daemon writes.
 * - Which build runs (`tsbgpdCli()`): `dist/bin/tsbgpd.js` when it is at least as new as every `.ts` file under
 *   `lib/` and `bin/` (a node start costs ~0.3 s), else `bin/tsbgpd.ts` through tap's TypeScript loader (~3.5 s of
 *   CPU a start). `TSBGPD_CLI=source` or `TSBGPD_CLI=dist` forces one.
 * - The seed's YAML (/work/shared/metallb.md), with the test's addresses and AS numbers put in: `seedResources`
 *   (IPAddressPool 10.8.0.0/16, BGPAdvertisement with aggregationLength 32, one BGPPeer) and `serviceYaml`
 *   (a LoadBalancer Service asking for the pool with the `metallb.universe.tf/address-pool` annotation).
 *
 * Every node lives in one namespace with the router, its address a /32 on `lo`: `sourceAddress` in its BGPPeer
 * makes each node's session (and so its NEXT_HOP) come from its own address.
 */
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request, parseEndpoint, type SummaryView } from '../../lib/api/index.js';
import type { ServiceStatus } from '../../lib/announcer/index.js';
import { logTail } from './daemons/types.js';
import { within, type Netns, type NsProcess, type ExitStatus } from './netns.js';
import { nodeArgsFor, typescriptEnv } from './ns-process.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const SOURCE_CLI = join(ROOT, 'bin/tsbgpd.ts');
const DIST_CLI = join(ROOT, 'dist/bin/tsbgpd.js');

export const SEED_POOL = 'rubrik-address-pool';

export interface TsbgpdCli {
  readonly entry: 'source' | 'dist';
  readonly script: string;
  /** Why this one, for a tap comment. */
  readonly why: string;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

let chosen: TsbgpdCli | undefined;

/** The tsbgpd command the nodes run; see the file comment. */
export function tsbgpdCli(): TsbgpdCli {
  if (chosen !== undefined) return chosen;
  const forced = process.env['TSBGPD_CLI'];
  if (forced === 'source') chosen = { entry: 'source', script: SOURCE_CLI, why: 'TSBGPD_CLI=source' };
  else if (forced === 'dist') chosen = { entry: 'dist', script: DIST_CLI, why: 'TSBGPD_CLI=dist' };
  else {
    let built = 0;
    try {
      built = statSync(DIST_CLI).mtimeMs;
    } catch {
      // not built
    }
    const sources = Math.max(newestSource(join(ROOT, 'lib')), newestSource(join(ROOT, 'bin')));
    chosen =
      built >= sources
        ? { entry: 'dist', script: DIST_CLI, why: 'dist/ is newer than every source file' }
        : { entry: 'source', script: SOURCE_CLI, why: built === 0 ? 'dist/ is not built' : 'dist/ is older than the sources' };
  }
  return chosen;
}

// ---------------------------------------------------------------------------------------------------------------
// The seed's configuration.

export interface SeedPeer {
  /** The router's address (the seed's pfSense, 192.168.3.1). */
  readonly routerAddress: string;
  /** The router's AS (`peerASN`). */
  readonly routerAs: number;
  /** The nodes' AS (`myASN`). */
  readonly nodeAs: number;
  /** This node's address: the session's source, and so the NEXT_HOP the router sees. */
  readonly sourceAddress: string;
}

/** The seed's IPAddressPool, BGPAdvertisement and BGPPeer, in the seed's own layout. */
export function seedResources(p: SeedPeer): string {
  return `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: ${SEED_POOL}, namespace: metallb-system }
spec: { addresses: [10.8.0.0/16] }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: bgp-advertisement }
spec: { ipAddressPools: [${SEED_POOL}], aggregationLength: 32 }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: pfsense-peer }
spec: { myASN: ${p.nodeAs}, peerASN: ${p.routerAs}, peerAddress: ${p.routerAddress}, sourceAddress: ${p.sourceAddress} }
`;
}

/** A LoadBalancer Service like the seed's guestbook-ui, asking for `pool` with the older annotation prefix. */
export function serviceYaml(name: string, namespace = 'example', pool = SEED_POOL): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
  annotations: { metallb.universe.tf/address-pool: ${pool} }
spec: { type: LoadBalancer, ports: [{ port: 80, targetPort: 80 }], selector: { app: ${name} } }
`;
}

// ---------------------------------------------------------------------------------------------------------------
// The node.

export interface AnnouncerNodeSpec {
  /** `--node`. */
  readonly name: string;
  /** `--router-id`. */
  readonly routerId: string;
  /** Files put in the configuration directory before the first start: file name → text. */
  readonly files?: Readonly<Record<string, string>>;
  /** More `tsbgpd run` flags. */
  readonly args?: readonly string[];
}

/** `tsbgpd services --json`: one entry per Service, `error` and `pool` absent when unset. */
export type ServiceEntry = Omit<ServiceStatus, 'pool' | 'error'> & { readonly pool?: string; readonly error?: string };

/** The state file (docs/announcer.md, "State file"). */
export interface StateFile {
  readonly version: number;
  readonly services: Readonly<Record<string, { readonly pool: string; readonly addresses: readonly string[] }>>;
}

/** A node needs a few seconds to start when several start at once on a small machine with the TS loader. */
const READY_TIMEOUT_MS = 45_000;
const STOP_GRACE_MS = 10_000;

export class AnnouncerNode {
  readonly dir: string;
  readonly configDir: string;
  readonly stateFile: string;
  readonly statusFile: string;
  readonly controlSocket: string;
  readonly logFile: string;
  readonly cli: TsbgpdCli;
  #process: NsProcess | undefined;
  #starts = 0;

  private constructor(
    readonly ns: Netns,
    readonly spec: AnnouncerNodeSpec,
  ) {
    this.dir = ns.subdir(spec.name);
    this.configDir = ns.subdir(`${spec.name}/config`);
    this.stateFile = join(this.dir, 'state.json');
    this.statusFile = join(this.dir, 'status.yaml');
    this.controlSocket = join(this.dir, 'control.sock');
    this.logFile = join(this.dir, 'tsbgpd.log');
    this.cli = tsbgpdCli();
  }

  /** Write `spec.files`, start `tsbgpd run` and wait until its control API answers. */
  static async start(ns: Netns, spec: AnnouncerNodeSpec): Promise<AnnouncerNode> {
    const node = new AnnouncerNode(ns, spec);
    for (const [name, text] of Object.entries(spec.files ?? {})) node.writeFile(name, text);
    ns.onDestroy(() => node.stop());
    await node.#start();
    return node;
  }

  get name(): string {
    return this.spec.name;
  }

  /** The running `tsbgpd run` process (the current one, after a restart). */
  get process(): NsProcess {
    if (this.#process === undefined) throw new Error(`${this.name} was never started`);
    return this.#process;
  }

  get running(): boolean {
    return this.#process?.running === true;
  }

  /** Replace (or create) a file of the configuration directory in one rename. */
  writeFile(name: string, text: string): void {
    const tmp = join(this.configDir, `.${name}.tmp`);
    writeFileSync(tmp, text);
    renameSync(tmp, join(this.configDir, name));
  }

  deleteFile(name: string): void {
    rmSync(join(this.configDir, name));
  }

  /** `tsbgpd services --socket … --json`, run inside the namespace. */
  async services(): Promise<ServiceEntry[]> {
    const out = await this.run(['services', '--socket', this.controlSocket, '--json']);
    return (JSON.parse(out) as { services: ServiceEntry[] }).services;
  }

  /**
   * What `services()` prints, straight from the control API endpoint the command reads (`GET /v1/services`):
   * no process start, for the checks between the ones that run the command itself.
   */
  async servicesApi(): Promise<ServiceEntry[]> {
    const body = await request(parseEndpoint(this.controlSocket), 'GET', '/v1/services', undefined, { timeoutMs: 5000 });
    return (body as { services: ServiceEntry[] }).services;
  }

  /** `tsbgpd show summary --socket … --json`. */
  async summary(): Promise<SummaryView> {
    return JSON.parse(await this.run(['show', 'summary', '--socket', this.controlSocket, '--json'])) as SummaryView;
  }

  /** The same summary straight from the control API (no CLI process): cheap enough to poll. */
  async summaryApi(): Promise<SummaryView> {
    return (await request(parseEndpoint(this.controlSocket), 'GET', '/v1/summary', undefined, { timeoutMs: 5000 })) as SummaryView;
  }

  /** Run a tsbgpd command (not `run`) inside the namespace; rejects on a non-zero exit with its stderr. */
  async run(args: readonly string[]): Promise<string> {
    const r = await this.ns.exec(process.execPath, [...nodeArgsFor(this.cli.script), this.cli.script, ...args], {
      env: { ...process.env, ...typescriptEnv(this.cli.script) },
      timeout: 30_000,
    });
    if (r.code !== 0) throw new Error(`tsbgpd ${args.join(' ')} (${this.name}) exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  }

  state(): StateFile {
    return JSON.parse(readFileSync(this.stateFile, 'utf8')) as StateFile;
  }

  statusText(): string {
    return readFileSync(this.statusFile, 'utf8');
  }

  /** SIGTERM, wait for the exit (withdrawals and Cease go out first), start again with the same files. */
  async restart(): Promise<ExitStatus> {
    const status = await this.stop();
    await this.#start();
    return status;
  }

  /** SIGTERM and wait for the exit; SIGKILL to the group after the grace period. Idempotent. */
  async stop(): Promise<ExitStatus> {
    const proc = this.#process;
    if (proc === undefined) return { code: null, signal: null };
    if (!proc.running) return proc.status ?? { code: null, signal: null };
    return proc.stop(STOP_GRACE_MS);
  }

  async #start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    const script = this.cli.script;
    const args = [
      ...nodeArgsFor(script),
      script,
      'run',
      '--config',
      this.configDir,
      '--node',
      this.spec.name,
      '--router-id',
      this.spec.routerId,
      '--state-file',
      this.stateFile,
      '--status-file',
      this.statusFile,
      '--control',
      this.controlSocket,
      ...(this.spec.args ?? []),
    ];
    this.#starts++;
    const proc = this.ns.spawn(process.execPath, args, {
      log: `${this.spec.name}/tsbgpd.log`,
      env: { ...process.env, ...typescriptEnv(script) },
    });
    this.#process = proc;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let why = '';
    while (Date.now() < deadline) {
      if (!proc.running) {
        throw new Error(`tsbgpd run (${this.name}, start ${this.#starts}) exited ${JSON.stringify(proc.status)}${await logTail(this.logFile)}`);
      }
      try {
        await this.summaryApi();
        return;
      } catch (err) {
        why = err instanceof Error ? err.message : String(err);
      }
      await within(proc.exited, 100);
    }
    await proc.stop(2000);
    throw new Error(`tsbgpd run (${this.name}) did not answer on ${this.controlSocket} in ${READY_TIMEOUT_MS} ms (${why})${await logTail(this.logFile)}`);
  }
}

/** Start several nodes at once (their starts overlap: a node start is mostly CPU-bound module loading). */
export function startNodes(ns: Netns, specs: readonly AnnouncerNodeSpec[]): Promise<AnnouncerNode[]> {
  return Promise.all(specs.map((s) => AnnouncerNode.start(ns, s)));
}
