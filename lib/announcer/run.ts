/**
 * `runAnnouncer`: everything `tsbgpd run` does, as one call — read the configuration paths, check them (nothing
 * starts on an invalid configuration: a `ConfigError` carries every diagnostic), build the Speaker with this node's
 * AS and router ID, load the state file, allocate and announce, start the sessions, keep the status file current,
 * and watch the configuration for changes. `stop(message)` undoes it all, ending every session with Cease (or, with
graceful restart configured, leaving the routes with the peers while tsbgpd restarts).
 *
 * The CLI maps its flags onto `RunAnnouncerOptions` one to one (docs/announcer.md has the table).
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { formatDiagnostic, loadConfig, type AnnouncerConfig, type Diagnostic, type NodeOptions, type SourceFile } from '../config/index.js';
import { Speaker, type SpeakerOptions } from '../speaker/index.js';
import { Announcer, type Logger } from './announcer.js';
import { FileStateStore, MemoryStateStore, writeStatusFile } from './state.js';
import { readConfigFiles, watchConfig, type WatchHandle } from './watch.js';

export interface RunAnnouncerOptions {
  /** Configuration files and directories: MetalLB resources, Services, Namespaces, Nodes (YAML or JSON). */
  readonly config: readonly string[];
  /** This node: `--node`, `--label k=v`, `--router-id`, `--address`, `--asn`; completed from Node resources. */
  readonly node?: NodeOptions;
  /** Allocations survive restarts here (JSON, written atomically). Default: kept in memory only. */
  readonly stateFile?: string;
  /** Services with their `status.loadBalancer.ingress`, rewritten after every change (`.yaml`/`.yml`: YAML, else JSON). */
  readonly statusFile?: string;
  /** Re-read and apply the configuration when its files change (default true). */
  readonly watch?: boolean;
  /** Quiet time before a reload (default 300 ms). */
  readonly debounceMs?: number;
  /** Accept BGP connections here; default `false`: only dial, as MetalLB's native speaker does. */
  readonly listen?: { readonly host?: string; readonly port?: number } | false;
  /** Serve services with this `spec.loadBalancerClass` (default: only services without one). */
  readonly loadBalancerClass?: string;
  /** Announce even from a node labelled node.kubernetes.io/exclude-from-external-load-balancers. */
  readonly ignoreExcludeLB?: boolean;
  readonly logger?: Logger;
  /** Passed to the Speaker (tests: a fake clock or connector). */
  readonly speakerOptions?: Partial<Pick<SpeakerOptions, 'clock' | 'connector' | 'random'>>;
}

/** The configuration is invalid: `diagnostics` has every error (and the warnings). */
export class ConfigError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(message: string, diagnostics: readonly Diagnostic[]) {
    super(message);
    this.name = 'ConfigError';
    this.diagnostics = diagnostics;
  }
}

export interface RunningAnnouncer {
  readonly announcer: Announcer;
  readonly speaker: Speaker;
  /** The configuration it started with (`announcer.config` is the running one). */
  readonly config: AnnouncerConfig;
  /** Warnings of the initial configuration. */
  readonly warnings: readonly Diagnostic[];
  /**
   * Stops watching, withdraws, and closes every session with Cease / Administrative Shutdown — or, when a BGPPeer
   * has `enableGracefulRestart` (and unless `withdraw`), restarts gracefully: nothing is withdrawn and the peers keep
   * our routes for our restart time (`Announcer.shutdown`).
   */
  stop(message?: string, options?: { withdraw?: boolean }): Promise<void>;
}

/** Refuses a state or status file inside a configuration directory: it would be read back as configuration. */
function checkOutputPaths(options: RunAnnouncerOptions): void {
  const configDirs = new Set<string>();
  const configFiles = new Set<string>();
  for (const p of options.config) {
    if (statSync(p).isDirectory()) configDirs.add(resolve(p));
    else configFiles.add(resolve(p));
  }
  for (const [flag, path] of [['--state-file', options.stateFile], ['--status-file', options.statusFile]] as const) {
    if (path === undefined) continue;
    const abs = resolve(path);
    if (configFiles.has(abs) || configDirs.has(dirname(abs))) throw new Error(`${flag} ${path} is inside the configuration (${options.config.join(', ')}): put it elsewhere`);
  }
}

export async function runAnnouncer(options: RunAnnouncerOptions): Promise<RunningAnnouncer> {
  const log = options.logger;
  const load = (files: readonly SourceFile[]) => loadConfig(files, options.node ? { node: options.node } : {});
  const files = readConfigFiles(options.config);
  checkOutputPaths(options);
  const initial = load(files);
  if (!initial.ok) {
    const n = initial.errors.length;
    throw new ConfigError(`invalid configuration (${n} error${n === 1 ? '' : 's'}):\n${initial.errors.map(formatDiagnostic).join('\n')}`, [...initial.errors, ...initial.warnings]);
  }
  for (const w of initial.warnings) log?.warn({ event: 'config-warning', file: w.file, line: w.line }, formatDiagnostic(w));
  const config = initial.config;
  const asn = config.node.asn;
  if (asn === undefined) {
    throw new ConfigError(`no AS for node ${config.node.name}: no BGPPeer selects it; give --asn or spec.asn on its Node`, []);
  }
  const speaker = new Speaker({
    asn,
    routerId: config.node.routerId,
    listen: options.listen ?? false,
    ...(log ? { logger: log } : {}),
    ...options.speakerOptions,
  });
  const announcer = new Announcer(config, {
    speaker,
    state: options.stateFile !== undefined ? new FileStateStore(options.stateFile) : new MemoryStateStore(),
    ...(log ? { logger: log } : {}),
    ...(options.loadBalancerClass !== undefined ? { loadBalancerClass: options.loadBalancerClass } : {}),
    ...(options.ignoreExcludeLB ? { ignoreExcludeLB: true } : {}),
  });
  const writeStatus = (): void => {
    if (options.statusFile === undefined) return;
    try {
      writeStatusFile(options.statusFile, announcer.services());
    } catch (err) {
      log?.error({ event: 'status-file-error', err: (err as Error).message }, `cannot write ${options.statusFile}`);
    }
  };
  // The status file is informational: written a moment after a change, so that its rendering (about a second for
  // 10,000 Services) never delays the UPDATEs the change produces; several changes in a row write it once.
  let statusTimer: NodeJS.Timeout | undefined;
  const scheduleStatus = (): void => {
    if (options.statusFile === undefined || statusTimer !== undefined) return;
    statusTimer = setTimeout(() => {
      statusTimer = undefined;
      writeStatus();
    }, 100);
  };
  announcer.on('applied', scheduleStatus);
  const started = await announcer.start();
  if (!started.ok) throw new ConfigError(`cannot start: ${started.reasons.join('; ')}`, []);
  await speaker.start();

  let watcher: WatchHandle | undefined;
  if (options.watch ?? true) {
    const ignore = [options.stateFile, options.statusFile].filter((p): p is string => p !== undefined);
    watcher = watchConfig(announcer, options.config, {
      load,
      ignore,
      ...(options.debounceMs !== undefined ? { debounceMs: options.debounceMs } : {}),
    });
  }
  let stopped = false;
  return {
    announcer,
    speaker,
    config,
    warnings: initial.warnings,
    async stop(message?: string, stopOptions: { withdraw?: boolean } = {}): Promise<void> {
      if (stopped) return;
      stopped = true;
      watcher?.close();
      if (statusTimer !== undefined) {
        clearTimeout(statusTimer);
        statusTimer = undefined;
        writeStatus();
      }
      await announcer.shutdown(message, stopOptions);
    },
  };
}
