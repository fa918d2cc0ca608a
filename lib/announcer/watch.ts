/**
 * Configuration files on disk: reading them, and watch mode.
 *
 * A configuration path is a file, or a directory whose `.yaml`, `.yml` and `.json` files are read (not recursively,
 * hidden files skipped) in name order, so that the same directory always gives the same configuration. This is
 * where the announcer reads files; `lib/config` receives names and contents.
 *
 * Watch mode re-reads the configuration when its files change and applies it — or, when it is invalid, rejects it
 * with every reason and keeps running the old one.
 *
 * `fs.watch` is put on directories, never on the files themselves: editors and `kubectl`-style tools save by
 * writing a new file and renaming it over the old one, after which a watch on the old file sees nothing more. A
 * watched file's directory is watched and its events filtered by name. Events come in bursts (one save can be
 * several), so a reload waits until `debounceMs` passed without a new one; reloads never overlap.
 */
import { readFileSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { LoadResult, SourceFile } from '../config/index.js';
import type { Announcer, ApplyResult } from './announcer.js';

const CONFIG_FILE = /\.(ya?ml|json)$/i;

/** The files a path stands for (a file itself, or a directory's configuration files). Throws if unreadable. */
export function configFilesOf(path: string): string[] {
  const st = statSync(path);
  if (!st.isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => !name.startsWith('.') && CONFIG_FILE.test(name))
    .sort()
    .map((name) => join(path, name))
    .filter((p) => statSync(p).isFile());
}

/** Reads every configuration file under `paths`. Throws an Error naming the path that cannot be read. */
export function readConfigFiles(paths: readonly string[]): SourceFile[] {
  const out: SourceFile[] = [];
  for (const path of paths) {
    let files: string[];
    try {
      files = configFilesOf(path);
    } catch (err) {
      throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    for (const file of files) {
      try {
        out.push({ name: file, text: readFileSync(file, 'utf8') });
      } catch (err) {
        throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
  }
  return out;
}

export interface WatchHandle {
  close(): void;
}

export interface WatchPathsOptions {
  /** Quiet time before `onChange` runs (default 300 ms). */
  readonly debounceMs?: number;
  /** Absolute paths whose changes never count (the state and status files, should they sit beside the config). */
  readonly ignore?: readonly string[];
}

/** Calls `onChange` (debounced, never concurrently) when a configuration file under `paths` changes. */
export function watchPaths(paths: readonly string[], onChange: () => Promise<void> | void, options: WatchPathsOptions = {}): WatchHandle {
  const debounceMs = options.debounceMs ?? 300;
  const ignore = new Set((options.ignore ?? []).map((p) => resolve(p)));
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let closed = false;

  const run = async (): Promise<void> => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await onChange();
    } finally {
      running = false;
      if (again && !closed) {
        again = false;
        schedule();
      }
    }
  };
  const schedule = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void run(), debounceMs);
  };

  for (const path of paths) {
    let dir: string;
    let only: string | undefined;
    try {
      const isDir = statSync(path).isDirectory();
      dir = isDir ? path : dirname(path);
      only = isDir ? undefined : basename(path);
    } catch {
      // A path that does not exist yet: watch where it would appear.
      dir = dirname(path);
      only = basename(path);
    }
    const w = watch(dir, { persistent: true }, (_event, filename) => {
      if (filename === null) return schedule();
      const name = filename.toString();
      if (only !== undefined ? name !== only : !CONFIG_FILE.test(name) || name.startsWith('.')) return;
      if (ignore.has(resolve(dir, name))) return;
      schedule();
    });
    w.on('error', () => {
      // The directory went away; the next reload reports the missing path.
      schedule();
    });
    watchers.push(w);
  }
  return {
    close(): void {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}

export interface WatchConfigOptions extends WatchPathsOptions {
  /** Parses and checks files (usually `loadConfig` bound to this node's flags). */
  readonly load: (files: readonly SourceFile[]) => LoadResult;
  /** Called after each reload with its outcome. */
  readonly onReload?: (result: ApplyResult) => void;
}

/** Re-reads `paths` on change and applies the result to `announcer` (`Announcer.applyLoaded`). */
export function watchConfig(announcer: Announcer, paths: readonly string[], options: WatchConfigOptions): WatchHandle {
  return watchPaths(
    paths,
    async () => {
      let result: ApplyResult;
      try {
        result = await announcer.applyLoaded(options.load(readConfigFiles(paths)));
      } catch (err) {
        result = announcer.rejectConfig([(err as Error).message]);
      }
      options.onReload?.(result);
    },
    options,
  );
}
