/**
 * Problems found in configuration, and where. Every check of `lib/config` reports into a `Diagnostics` collector
 * instead of throwing, so that one run reports every problem of every file, not just the first; a configuration
 * with any error is refused as a whole, warnings only inform.
 *
 * A diagnostic names the file, the 1-based line and column, the field (a path such as `spec.ports[0].port`,
 * relative to its resource) and the reason, and prints as compilers do:
 *
 *     services.yaml:12:5: spec.ports[0].port: expected an integer 1..65535, got "http"
 *
 * Problems that come from the command line rather than a file carry the flag as their file (`--router-id`) and
 * no position. Imports nothing.
 */

export type Severity = 'error' | 'warning';

/** Where a problem is: a file (or a flag), and a 1-based line and column when it lies in a file. */
export interface SourcePosition {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

export interface Diagnostic extends SourcePosition {
  readonly severity: Severity;
  /** The field, relative to its resource (`spec.addresses[1]`); absent when the problem concerns a whole resource. */
  readonly field?: string;
  readonly message: string;
}

/** `file:line:col: field: message`, with the parts that are known. */
export function formatDiagnostic(d: Diagnostic): string {
  let where = d.file;
  if (d.line !== undefined) where += `:${d.line}${d.column !== undefined ? `:${d.column}` : ''}`;
  const prefix = d.severity === 'warning' ? 'warning: ' : '';
  return d.field ? `${where}: ${prefix}${d.field}: ${d.message}` : `${where}: ${prefix}${d.message}`;
}

/** Orders diagnostics by file, line and column, so reports read top to bottom whatever order checks ran in. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  const la = a.line ?? 0;
  const lb = b.line ?? 0;
  if (la !== lb) return la - lb;
  return (a.column ?? 0) - (b.column ?? 0);
}

/** Collects diagnostics; `hasErrors` decides whether a configuration may be used. */
export class Diagnostics {
  private readonly list: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  add(d: Diagnostic): void {
    // The same problem reached through two paths (an alias, a check run per node and per pool) is reported once.
    const key = JSON.stringify([d.severity, d.file, d.line, d.column, d.field, d.message]);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(d);
  }

  error(at: SourcePosition, field: string | undefined, message: string): void {
    this.add({ ...at, severity: 'error', ...(field ? { field } : {}), message });
  }

  warning(at: SourcePosition, field: string | undefined, message: string): void {
    this.add({ ...at, severity: 'warning', ...(field ? { field } : {}), message });
  }

  get hasErrors(): boolean {
    return this.list.some((d) => d.severity === 'error');
  }

  /** Every diagnostic, errors and warnings, in file order. */
  all(): Diagnostic[] {
    return this.list.slice().sort(compareDiagnostics);
  }

  errors(): Diagnostic[] {
    return this.all().filter((d) => d.severity === 'error');
  }

  warnings(): Diagnostic[] {
    return this.all().filter((d) => d.severity === 'warning');
  }
}

/** Text for a value in a message: strings quoted, lists and maps named rather than dumped. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  return 'a map';
}
