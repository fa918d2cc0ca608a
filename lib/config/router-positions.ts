/**
 * Positions inside text embedded in YAML, so a problem in an `frr: |` block or a `policy: |` block is reported at
 * its own line and column of the file — `router.yaml:12:6: spec.frr: neighbor 192.168.3.15: …` — not at the
 * block's first line.
 *
 * A literal block scalar (`|`, YAML 1.2 §8.1.2) keeps its lines: line N of the text is line N of the block, moved
 * by the block's indentation. A folded block (`>`) joins lines, which destroys line-oriented FRR text, so it is
 * refused by the callers; any other scalar (quoted, plain) gets the value's own position and the line number in
 * the message instead.
 *
 * Also here: reading back the field paths `parsePlainPolicy` reports (`routeMaps.IN[0].set.localPreference`) so
 * that its errors point at the YAML that caused them.
 *
 * Imports this folder only.
 */
import type { SourcePosition } from './diagnostics.js';
import type { PathSegment } from './yaml-documents.js';

export interface EmbeddedText {
  /** How the scalar was written. */
  readonly style: 'literal' | 'folded' | 'other';
  /** Where line `n` (1-based) of the text is, and the column of its first non-blank character. */
  at(n: number): SourcePosition;
  /** For messages: `""` for a literal block (its positions say it all), else ` (line N of the text)`. */
  lineNote(n: number): string;
}

/**
 * The embedded text whose scalar starts at `pos` (what `ResourceDocument.locate` gives: the `|` of a block).
 * `fileText` is the whole file; `text` the scalar's value.
 */
export function embeddedText(fileText: string, pos: SourcePosition, text: string): EmbeddedText {
  const fileLines = fileText.split('\n');
  const header = pos.line !== undefined ? fileLines[pos.line - 1] : undefined;
  const indicator = header !== undefined && pos.column !== undefined ? header[pos.column - 1] : undefined;
  const valueLines = text.split('\n');
  const other = (style: 'folded' | 'other'): EmbeddedText => ({
    style,
    at: () => pos,
    lineNote: (n) => ` (line ${n} of the text)`,
  });
  if (indicator !== '|' || header === undefined || pos.line === undefined || pos.column === undefined) {
    return other(indicator === '>' ? 'folded' : 'other');
  }
  const first = pos.line; // the block's text starts on the next line
  // The block header: `|`, then an indentation indicator and a chomping indicator in either order (`|2-`, `|-2`).
  const digit = /^\|[+-]?([1-9]?)/.exec(header.slice(pos.column - 1))?.[1];
  let indent: number | undefined;
  if (digit !== undefined && digit !== '') {
    indent = (header.length - header.trimStart().length) + Number(digit);
  } else {
    for (let i = first; i < fileLines.length; i++) {
      const l = (fileLines[i] as string).replace(/\r$/, '');
      if (l.trim() === '') continue;
      indent = l.length - l.trimStart().length;
      break;
    }
  }
  const base = indent ?? 0;
  return {
    style: 'literal',
    at: (n) => {
      const line = valueLines[n - 1] ?? '';
      const lead = line.length - line.trimStart().length;
      return { file: pos.file, line: first + n, column: base + lead + 1 };
    },
    lineNote: () => '',
  };
}

/** `routeMaps.IN[0].set["odd key"]` → `['routeMaps', 'IN', 0, 'set', 'odd key']`. Unreadable text → `[]`. */
export function parseFieldPath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  const re = /\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.?([^.[\]]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < path.length && (m = re.exec(path)) !== null) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(JSON.parse(`"${m[2]}"`) as string);
    else if (m[3] !== undefined) out.push(m[3]);
    at = re.lastIndex;
  }
  return at === path.length ? out : [];
}
