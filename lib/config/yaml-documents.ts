/**
 * Files of multi-document YAML (or JSON, which is YAML) turned into resource documents that remember where each of
 * their values was written, so that every later check can name the line and column of the field it rejects.
 *
 * eemeli/yaml parses each file once, with a `LineCounter`; a walk over the node tree records the position of every
 * map value, map key and list item under its path (`spec.ports[0].port`). Syntax errors (bad indentation, duplicate
 * keys, unclosed flow collections) become diagnostics and their document is skipped; the rest of the file still
 * counts. A `kind: List` document (what `kubectl get -o yaml` prints) is opened into its `items`.
 *
 * The YAML 1.2 core schema is used, as Kubernetes' own decoder does for everything this reads except one YAML 1.1
 * habit, unquoted `yes`/`no`/`on`/`off` booleans, which `Field.bool` accepts from plain scalars (the position index
 * records which scalars were unquoted). Merge keys (`<<`) are allowed, as in kubectl.
 *
 * Imports the `yaml` package and this folder only.
 */
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, Scalar, type Document, type Node as YamlNode } from 'yaml';
import { Diagnostics, type SourcePosition } from './diagnostics.js';

/** A file's name (as it should appear in messages) and its text. The library never reads files itself. */
export interface SourceFile {
  readonly name: string;
  readonly text: string;
}

export type PathSegment = string | number;

/** `spec.ports[0].port`; keys that are not plain identifiers are bracketed: `metadata.annotations["metallb.io/x"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

interface NodePosition {
  readonly line: number;
  readonly column: number;
  /** The value was an unquoted scalar. */
  readonly plain: boolean;
  /** Where the key of a map entry was written. */
  readonly key?: { readonly line: number; readonly column: number };
}

/** One Kubernetes-style resource: its plain value and the positions of everything in it. */
export class ResourceDocument {
  readonly file: string;
  readonly value: unknown;
  /** Position of the resource as a whole. */
  readonly line: number;
  readonly column: number;
  private readonly positions: ReadonlyMap<string, NodePosition>;
  private readonly base: readonly PathSegment[];

  constructor(file: string, value: unknown, positions: ReadonlyMap<string, NodePosition>, base: readonly PathSegment[]) {
    this.file = file;
    this.value = value;
    this.positions = positions;
    this.base = base;
    const at = this.find(base);
    this.line = at?.line ?? 1;
    this.column = at?.column ?? 1;
  }

  /** Where a value (path relative to the resource) was written; the nearest written ancestor for a missing one. */
  locate(path: readonly PathSegment[]): SourcePosition {
    const full = [...this.base, ...path];
    for (let n = full.length; n >= 0; n--) {
      const p = this.find(full.slice(0, n));
      if (p !== undefined) return { file: this.file, line: p.line, column: p.column };
    }
    return { file: this.file, line: this.line, column: this.column };
  }

  /** Where the key of a map entry was written (for "unknown field"), else where its value was. */
  locateKey(path: readonly PathSegment[]): SourcePosition {
    const p = this.find([...this.base, ...path]);
    if (p?.key !== undefined) return { file: this.file, line: p.key.line, column: p.key.column };
    return this.locate(path);
  }

  /** True when the value at `path` was written as an unquoted scalar. */
  isPlain(path: readonly PathSegment[]): boolean {
    return this.find([...this.base, ...path])?.plain ?? false;
  }

  private find(path: readonly PathSegment[]): NodePosition | undefined {
    return this.positions.get(formatPath(path));
  }
}

/**
 * The resources of one file, in order. Syntax errors and YAML warnings go to `diags`; a document with a syntax
 * error is left out. Empty documents (`---` alone, comments only) are skipped.
 */
export function parseSourceFile(file: SourceFile, diags: Diagnostics): ResourceDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(file.text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  const out: ResourceDocument[] = [];
  const at = (offset: number): SourcePosition => {
    const p = lineCounter.linePos(offset);
    return { file: file.name, line: p.line, column: p.col };
  };
  // An empty stream is returned as an object that is not iterable as documents.
  if (!Array.isArray(docs)) return out;
  for (const doc of docs) {
    for (const w of doc.warnings) diags.warning(at(w.pos[0]), undefined, firstLine(w.message));
    if (doc.errors.length > 0) {
      for (const e of doc.errors) diags.error(at(e.pos[0]), undefined, `YAML syntax: ${firstLine(e.message)}`);
      continue;
    }
    if (doc.contents === null) continue;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      // Too many alias expansions (a "billion laughs" document) or an alias to nothing.
      diags.error(at(doc.contents.range?.[0] ?? 0), undefined, `YAML: ${(err as Error).message}`);
      continue;
    }
    if (value === null || value === undefined) continue;
    const positions = new Map<string, NodePosition>();
    indexNode(doc, doc.contents as YamlNode, [], positions, lineCounter);
    const items = listItems(value);
    if (items === undefined) {
      out.push(new ResourceDocument(file.name, value, positions, []));
      continue;
    }
    items.forEach((item, i) => {
      if (item !== null && item !== undefined) out.push(new ResourceDocument(file.name, item, positions, ['items', i]));
    });
  }
  return out;
}

/** The items of a `kind: List` (or `ServiceList`, …) document, else undefined. */
function listItems(value: unknown): unknown[] | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v['kind'] === 'string' && v['kind'].endsWith('List') && Array.isArray(v['items'])) return v['items'];
  return undefined;
}

function firstLine(message: string): string {
  const i = message.indexOf('\n');
  return (i < 0 ? message : message.slice(0, i)).trim();
}

function indexNode(
  doc: Document,
  node: YamlNode | null,
  path: PathSegment[],
  positions: Map<string, NodePosition>,
  lines: LineCounter,
  key?: { line: number; column: number },
): void {
  if (node === null) return;
  const start = node.range?.[0];
  if (start !== undefined && !positions.has(formatPath(path))) {
    const p = lines.linePos(start);
    const plain = isScalar(node) && (node.type === Scalar.PLAIN || node.type === undefined);
    positions.set(formatPath(path), { line: p.line, column: p.col, plain, ...(key ? { key } : {}) });
  }
  if (isMap(node)) {
    const merges: YamlNode[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = pair.key;
      if (isScalar(k) && typeof k.value === 'symbol') {
        // A merge key (`<<: *base`): its maps' entries belong to this map, after (below) the explicit ones.
        const v = pair.value as YamlNode | null;
        const sources = isSeq(v) ? (v.items as YamlNode[]) : v ? [v] : [];
        for (const src of sources) merges.push(isAlias(src) ? (src.resolve(doc) as YamlNode) : src);
        continue;
      }
      const name = isScalar(k) ? String(k.value) : undefined;
      if (name === undefined) continue;
      const kStart = (k as YamlNode).range?.[0];
      const kp = kStart !== undefined ? lines.linePos(kStart) : undefined;
      const keyAt = kp ? { line: kp.line, column: kp.col } : undefined;
      const child = [...path, name];
      if (pair.value === null || pair.value === undefined) {
        // `key:` with nothing after it: the value is null and lives where its key is.
        if (keyAt) positions.set(formatPath(child), { ...keyAt, plain: true, key: keyAt });
      } else {
        indexNode(doc, pair.value as YamlNode, child, positions, lines, keyAt);
      }
    }
    // Children of merged maps are indexed only where the map itself set nothing (explicit keys win).
    for (const m of merges) if (isMap(m)) indexChildren(doc, m, path, positions, lines);
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => indexNode(doc, item as YamlNode, [...path, i], positions, lines));
  }
}

function indexChildren(doc: Document, map: YamlNode, path: PathSegment[], positions: Map<string, NodePosition>, lines: LineCounter): void {
  const saved = positions.get(formatPath(path));
  positions.delete(formatPath(path));
  indexNode(doc, map, path, positions, lines);
  if (saved) positions.set(formatPath(path), saved);
}
