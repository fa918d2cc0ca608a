/**
 * Typed, located reading of one resource's fields. A `Field` is a value at a path inside a `ResourceDocument`;
 * its readers (`string`, `int`, `bool`, `list`, …) return the value when it has the expected type and otherwise
 * report a diagnostic at that value's line and column — "expected an integer 1..65535, got \"http\"" — and return
 * undefined, so a parser goes on and finds the next problem too. Missing required fields are reported at the map
 * that should have held them; unknown fields (typos such as `aggregationLenght`) are warned about at their key.
 *
 * The rules follow the Kubernetes API's JSON decoding: a string field must be a string (an unquoted `80` is a
 * number and is refused, quote it), an integer field must be an integer. The one leniency is YAML 1.1's unquoted
 * `yes`/`no`/`on`/`off` for booleans, which kubectl's decoder accepts.
 *
 * `readMetadata` reads the `metadata` every kind has (name, namespace, labels, annotations) the same way for all.
 */
import { describeValue, type Diagnostics } from './diagnostics.js';
import { formatPath, type PathSegment, type ResourceDocument } from './yaml-documents.js';
import { readLabels } from './label-selector.js';
import type { ResourceSource } from './types.js';

const YAML11_BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ['y', true], ['Y', true], ['yes', true], ['Yes', true], ['YES', true], ['on', true], ['On', true], ['ON', true],
  ['true', true], ['True', true], ['TRUE', true],
  ['n', false], ['N', false], ['no', false], ['No', false], ['NO', false], ['off', false], ['Off', false], ['OFF', false],
  ['false', false], ['False', false], ['FALSE', false],
]);

export class Field {
  readonly doc: ResourceDocument;
  readonly path: readonly PathSegment[];
  readonly value: unknown;
  private readonly diags: Diagnostics;

  /** The resource as a whole. */
  static root(doc: ResourceDocument, diags: Diagnostics): Field {
    return new Field(doc, diags, [], doc.value);
  }

  // `value` is explicit (no default): a missing child is `undefined`, which a default would replace.
  constructor(doc: ResourceDocument, diags: Diagnostics, path: readonly PathSegment[], value: unknown) {
    this.doc = doc;
    this.diags = diags;
    this.path = path;
    this.value = value;
  }

  /** The field's path as text, relative to its resource. */
  get name(): string {
    return formatPath(this.path);
  }

  /** Absent, or written as null (`key:` with nothing after it): both mean "not set". */
  get isMissing(): boolean {
    return this.value === undefined || this.value === null;
  }

  get isMap(): boolean {
    return typeof this.value === 'object' && this.value !== null && !Array.isArray(this.value);
  }

  /** A child of a map (missing when this is not a map or has no such key). */
  get(key: string): Field {
    const m = this.isMap ? (this.value as Record<string, unknown>) : undefined;
    const v = m !== undefined && Object.hasOwn(m, key) ? m[key] : undefined;
    return new Field(this.doc, this.diags, [...this.path, key], v);
  }

  /** An element of a list (missing when this is not a list or is shorter). */
  at(index: number): Field {
    const v = Array.isArray(this.value) ? (this.value as unknown[])[index] : undefined;
    return new Field(this.doc, this.diags, [...this.path, index], v);
  }

  /** Reports an error at this value (or, when it is missing, at the nearest written ancestor). */
  error(message: string): undefined {
    this.diags.error(this.doc.locate(this.path), this.name || undefined, message);
    return undefined;
  }

  warn(message: string): void {
    this.diags.warning(this.doc.locate(this.path), this.name || undefined, message);
  }

  /** Reports a missing required field at the map that should hold it. */
  required(): this {
    if (this.isMissing) this.error('required field is missing');
    return this;
  }

  private expected(what: string): undefined {
    return this.error(`expected ${what}, got ${describeValue(this.value)}`);
  }

  /** The map itself (after checking it is one); undefined (with an error) otherwise, and for a missing value. */
  map(): Record<string, unknown> | undefined {
    if (this.isMissing) return undefined;
    if (!this.isMap) return this.expected('a map');
    return this.value as Record<string, unknown>;
  }

  /** Warns about keys of this map that are not in `known`. */
  checkKnown(known: readonly string[]): void {
    const m = this.isMap ? (this.value as Record<string, unknown>) : undefined;
    if (!m) return;
    for (const k of Object.keys(m)) {
      if (known.includes(k)) continue;
      const at = this.doc.locateKey([...this.path, k]);
      this.diags.warning(at, formatPath([...this.path, k]), `unknown field (ignored)${suggest(k, known)}`);
    }
  }

  string(): string | undefined {
    if (this.isMissing) return undefined;
    if (typeof this.value !== 'string') {
      const hint = typeof this.value === 'number' || typeof this.value === 'boolean' ? ' (quote it)' : '';
      return this.error(`expected a string, got ${describeValue(this.value)}${hint}`);
    }
    return this.value;
  }

  /** A non-empty string. */
  nonEmptyString(): string | undefined {
    const s = this.string();
    if (s === '') return this.error('must not be empty');
    return s;
  }

  /** One of `choices` (exact spelling, as the Kubernetes API wants it). */
  oneOf<T extends string>(choices: readonly T[]): T | undefined {
    const s = this.string();
    if (s === undefined) return undefined;
    if (!(choices as readonly string[]).includes(s)) return this.error(`expected one of ${choices.join(', ')}, got ${JSON.stringify(s)}`);
    return s as T;
  }

  int(min: number, max: number): number | undefined {
    if (this.isMissing) return undefined;
    if (typeof this.value !== 'number' || !Number.isInteger(this.value) || this.value < min || this.value > max) {
      return this.expected(`an integer ${min}..${max}`);
    }
    return this.value;
  }

  bool(): boolean | undefined {
    if (this.isMissing) return undefined;
    if (typeof this.value === 'boolean') return this.value;
    if (typeof this.value === 'string' && this.doc.isPlain(this.path)) {
      const b = YAML11_BOOLEANS.get(this.value);
      if (b !== undefined) return b;
    }
    return this.expected('true or false');
  }

  /** The elements of a list (an empty array for a missing one; an error for anything else). */
  list(): Field[] {
    if (this.isMissing) return [];
    if (!Array.isArray(this.value)) {
      this.expected('a list');
      return [];
    }
    return (this.value as unknown[]).map((v, i) => new Field(this.doc, this.diags, [...this.path, i], v));
  }

  /** A list of strings, each checked; the bad ones reported and left out. */
  stringList(): string[] {
    const out: string[] = [];
    for (const item of this.list()) {
      const s = item.nonEmptyString();
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  /** A list of strings with no repeated value (MetalLB rejects duplicates in its lists). */
  uniqueStringList(): string[] {
    const out: string[] = [];
    for (const item of this.list()) {
      const s = item.nonEmptyString();
      if (s === undefined) continue;
      if (out.includes(s)) item.error(`duplicate value ${JSON.stringify(s)}`);
      else out.push(s);
    }
    return out;
  }

  /** A map of string to string (labels, annotations, selectors). */
  stringMap(): Record<string, string> {
    const out: Record<string, string> = {};
    const m = this.map();
    if (!m) return out;
    for (const k of Object.keys(m)) {
      const v = this.get(k).string();
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
}

/** ` (did you mean "x"?)` when a known name is one or two edits away. */
function suggest(name: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best !== undefined ? ` (did you mean "${best}"?)` : '';
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

// ---------------------------------------------------------------------------------------------------------------
// metadata

export interface Metadata {
  readonly name: string | undefined;
  readonly namespace: string | undefined;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `metadata`, with `name` required (it is how every resource is referred to) and checked as the API server does. */
export function readMetadata(root: Field): Metadata {
  const m = root.get('metadata');
  if (m.isMissing) {
    root.error('metadata: required field is missing');
    return { name: undefined, namespace: undefined, labels: {}, annotations: {} };
  }
  if (!m.map()) return { name: undefined, namespace: undefined, labels: {}, annotations: {} };
  const nameField = m.get('name').required();
  let name = nameField.nonEmptyString();
  if (name !== undefined && (name.length > 253 || !DNS_SUBDOMAIN.test(name))) {
    nameField.error(`invalid name ${JSON.stringify(name)}: lower-case letters, digits, "-" and "." (a DNS subdomain)`);
    name = undefined;
  }
  const nsField = m.get('namespace');
  let namespace = nsField.nonEmptyString();
  if (namespace !== undefined && (namespace.length > 63 || !DNS_LABEL.test(namespace))) {
    nsField.error(`invalid namespace ${JSON.stringify(namespace)}`);
    namespace = undefined;
  }
  return { name, namespace, labels: readLabels(m.get('labels')), annotations: m.get('annotations').stringMap() };
}

export function sourceOf(f: Field): ResourceSource {
  return { file: f.doc.file, line: f.doc.line, column: f.doc.column };
}
