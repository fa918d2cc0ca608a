/**
 * The files the announcer writes: the state file (allocations) and the status file (services as Kubernetes shows
 * them).
 *
 * Where allocations survive a restart. MetalLB keeps them in each Service's status in the Kubernetes API; tsbgpd
 * keeps them in a small JSON state file, so that a restarted daemon gives every service the address it had —
 * whatever order the services are listed in next time.
 *
 *     { "version": 1, "services": { "example/guestbook-ui": { "pool": "rubrik-address-pool", "addresses": ["10.8.0.0"] } } }
 *
 * Writes are atomic: the new content goes to a temporary file beside the old one, is flushed to disk, and is
 * renamed over it (rename is atomic within a directory), then the directory is flushed; a crash leaves the old
 * file or the new one, never half of one. Writes are synchronous: the file is small, it is written only when an
 * allocation changes, and a synchronous write cannot interleave with the next one.
 *
 * The status file shows each Service as `kubectl get svc -o yaml` would once MetalLB has done its work —
 * `status.loadBalancer.ingress` and the `metallb.io/ip-allocated-from-pool` annotation — as a `v1 List` in YAML
 * (`.yaml`/`.yml`) or JSON (any other name). A service that could not be given an address has no ingress and a
 * `tsbgpd.io/Allocated` condition with status "False" and the reason, where MetalLB would record an event.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { ServiceStatus } from './announcer.js';

export interface StoredAssignment {
  readonly pool: string;
  readonly addresses: readonly string[];
}

/** Allocations by `namespace/name`. */
export type AllocationState = ReadonlyMap<string, StoredAssignment>;

export interface StateStore {
  /** The saved allocations (empty when nothing was saved yet). Throws when the saved state is unreadable. */
  load(): AllocationState;
  save(state: AllocationState): void;
}

const VERSION = 1;

/** The file's JSON text for a state: keys sorted, so equal states are equal text. */
export function serializeState(state: AllocationState): string {
  const services: Record<string, StoredAssignment> = {};
  for (const key of [...state.keys()].sort()) {
    const a = state.get(key) as StoredAssignment;
    services[key] = { pool: a.pool, addresses: [...a.addresses] };
  }
  return `${JSON.stringify({ version: VERSION, services }, null, 2)}\n`;
}

/** Parses a state file's text; throws an Error that says what is wrong. */
export function parseState(text: string): AllocationState {
  const doc: unknown = JSON.parse(text);
  if (typeof doc !== 'object' || doc === null) throw new Error('not a JSON object');
  const { version, services } = doc as { version?: unknown; services?: unknown };
  if (version !== VERSION) throw new Error(`unsupported version ${JSON.stringify(version)} (expected ${VERSION})`);
  if (typeof services !== 'object' || services === null || Array.isArray(services)) throw new Error('"services" must be an object');
  const out = new Map<string, StoredAssignment>();
  for (const [key, value] of Object.entries(services)) {
    const v = value as { pool?: unknown; addresses?: unknown };
    if (typeof v?.pool !== 'string' || !Array.isArray(v.addresses) || !v.addresses.every((a) => typeof a === 'string')) {
      throw new Error(`services[${JSON.stringify(key)}]: expected { pool: string, addresses: string[] }`);
    }
    out.set(key, { pool: v.pool, addresses: v.addresses as string[] });
  }
  return out;
}

export class MemoryStateStore implements StateStore {
  private state: AllocationState;

  constructor(initial: AllocationState = new Map()) {
    this.state = new Map(initial);
  }

  load(): AllocationState {
    return new Map(this.state);
  }

  save(state: AllocationState): void {
    this.state = new Map(state);
  }
}

/** Writes `text` to `path` atomically (temporary file, fsync, rename, fsync of the directory). */
export function writeFileAtomic(path: string, text: string): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Some file systems do not allow fsync on a directory; the rename itself has happened.
  }
}

export class FileStateStore implements StateStore {
  readonly path: string;
  private lastWritten: string | undefined;

  constructor(path: string) {
    this.path = path;
  }

  load(): AllocationState {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw new Error(`cannot read state file ${this.path}: ${(err as Error).message}`);
    }
    try {
      const state = parseState(text);
      this.lastWritten = serializeState(state);
      return state;
    } catch (err) {
      throw new Error(`state file ${this.path} is not valid: ${(err as Error).message} (move it away to start afresh)`);
    }
  }

  save(state: AllocationState): void {
    const text = serializeState(state);
    if (text === this.lastWritten) return;
    writeFileAtomic(this.path, text);
    this.lastWritten = text;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The status file

export const POOL_ANNOTATION = 'metallb.io/ip-allocated-from-pool';

/** The services as a Kubernetes `List` object. */
export function statusDocument(services: readonly ServiceStatus[]): object {
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: services.map((s) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: s.name,
        namespace: s.namespace,
        ...(s.pool !== undefined ? { annotations: { [POOL_ANNOTATION]: s.pool } } : {}),
      },
      status: {
        loadBalancer: s.ingress.length > 0 ? { ingress: s.ingress.map((i) => ({ ip: i.ip })) } : {},
        ...(s.error !== undefined
          ? { conditions: [{ type: 'tsbgpd.io/Allocated', status: 'False', reason: 'AllocationFailed', message: s.error }] }
          : {}),
      },
    })),
  };
}

/** YAML for `.yaml`/`.yml` paths, JSON otherwise. */
export function renderStatus(services: readonly ServiceStatus[], path: string): string {
  const doc = statusDocument(services);
  return /\.ya?ml$/i.test(path) ? stringify(doc) : `${JSON.stringify(doc, null, 2)}\n`;
}

export function writeStatusFile(path: string, services: readonly ServiceStatus[]): void {
  writeFileAtomic(path, renderStatus(services, path));
}
