/**
 * FRR's regular-expression dialect for AS-path access lists and expanded community lists, compiled to JavaScript.
 *
 * FRR (bgpd/bgp_regex.c) compiles POSIX extended regular expressions (`regcomp(…, REG_EXTENDED | REG_NOSUB)`) after
 * replacing every `_` with `(^|[,{}() ]|$)`: the underscore stands for the start or end of the text or any
 * delimiter FRR prints between ASNs (space, comma, braces, parentheses), so `_65101_` matches the ASN 65101 as a
 * whole wherever it stands and `^65101_` a path that begins with it. `^$` matches the empty text (an empty AS path,
 * a route without communities).
 *
 * POSIX ERE and JavaScript differ, so this is a translation, not a pass-through:
 * - bracket expressions: `[:digit:]`-style classes are expanded; a backslash inside brackets is a literal
 *   backslash (POSIX) and is escaped; `[.x.]` and `[=x=]` collating elements are refused;
 * - outside brackets, `\` escapes punctuation; GNU's `\w \W \s \S \b \B` keep their meaning and `\<` `\>` become
 *   `\b`; any other escaped letter or digit (`\d`, `\1`) is refused rather than silently matching the letter as
 *   glibc would;
 * - `(?` is refused, so JavaScript-only syntax (look-around, named groups) cannot slip in;
 * - an `_` inside brackets is a literal underscore (FRR would splice its group into the bracket expression, which
 *   never does what was meant).
 * Matching is a search (unanchored unless the expression anchors itself), as `regexec` is.
 *
 * Imports nothing.
 */

/** The expansion of `_`, as bgp_regex.c defines it. */
export const UNDERSCORE = '(?:^|[,{}() ]|$)';

const posixClasses: Readonly<Record<string, string>> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: '0-9a-zA-Z',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
};

/** Translates one bracket expression starting at `src[start] === '['`; returns [js, indexAfter] or an error. */
function translateBracket(src: string, start: number): [string, number] | string {
  let i = start + 1;
  let out = '[';
  if (src[i] === '^') {
    out += '^';
    i++;
  }
  // A `]` first in the list is a literal member.
  if (src[i] === ']') {
    out += '\\]';
    i++;
  }
  while (i < src.length) {
    const c = src[i] as string;
    if (c === ']') return [`${out}]`, i + 1];
    if (c === '[' && (src[i + 1] === ':' || src[i + 1] === '.' || src[i + 1] === '=')) {
      const kind = src[i + 1] as string;
      const end = src.indexOf(`${kind}]`, i + 2);
      if (end < 0) return `unterminated [${kind} in bracket expression`;
      if (kind !== ':') return `collating elements [${kind}…${kind}] are not supported`;
      const name = src.slice(i + 2, end);
      const cls = posixClasses[name];
      if (cls === undefined) return `unknown character class [:${name}:]`;
      out += cls;
      i = end + 2;
      continue;
    }
    // POSIX: inside brackets `\` and `[` are ordinary; JavaScript needs them (and a non-initial `^`) escaped.
    out += c === '\\' || c === '[' || c === '^' ? `\\${c}` : c;
    i++;
  }
  return 'unterminated bracket expression';
}

/** Translates FRR regular-expression text into JavaScript source, or returns why it cannot. */
export function translateFrrRegex(src: string): string | { error: string } {
  let out = '';
  for (let i = 0; i < src.length; ) {
    const c = src[i] as string;
    if (c === '_') {
      out += UNDERSCORE;
      i++;
    } else if (c === '[') {
      const r = translateBracket(src, i);
      if (typeof r === 'string') return { error: r };
      out += r[0];
      i = r[1];
    } else if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) return { error: 'trailing backslash' };
      if (n === '<' || n === '>') out += '\\b';
      else if ('wWsSbB'.includes(n)) out += `\\${n}`;
      else if (/[0-9A-Za-z]/.test(n)) return { error: `\\${n} is not POSIX extended regular expression syntax` };
      else out += `\\${n}`;
      i += 2;
    } else if (c === '(' && src[i + 1] === '?') {
      return { error: '"(?" is not POSIX extended regular expression syntax' };
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Compiles FRR regular-expression text, or returns why it is not valid. */
export function compileFrrRegex(src: string): RegExp | { error: string } {
  const js = translateFrrRegex(src);
  if (typeof js !== 'string') return js;
  try {
    return new RegExp(js);
  } catch (e) {
    return { error: `invalid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}` };
  }
}
