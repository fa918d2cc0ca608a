/**
 * A Router's route maps and lists, from either front end of lib/policy, with every problem placed in the file:
 *
 * - FRR text (`policy: |`, or the policy lines of `frr: |`) → `parseFrrPolicy`; its errors and warnings carry
 *   the line of the text, which `EmbeddedText` turns into a line and column of the YAML file;
 * - structured YAML (`policy: { routeMaps: …, prefixLists: … }`) → `parsePlainPolicy`; its errors carry a field
 *   path (`routeMaps.IN[0].set.localPreference`), located under the `policy` field.
 *
 * The PolicySet's own warnings (a route map that names a list that does not exist…) have no line; they are
 * reported by `buildRouterConfig`, once, at the policy as a whole.
 *
 * Imports this folder and lib/policy.
 */
import { parseFrrPolicy, parsePlainPolicy } from '../policy/index.js';
import type { Diagnostics } from './diagnostics.js';
import type { Field } from './field.js';
import type { PolicyDraft, Where } from './router-draft.js';
import { parseFieldPath, type EmbeddedText } from './router-positions.js';

/** FRR policy text → a compiled policy, or undefined (with the errors in `diags`). */
export function readFrrPolicyText(text: string, embedded: EmbeddedText, whole: Where, diags: Diagnostics): PolicyDraft | undefined {
  const r = parseFrrPolicy(text);
  const at = (line: number): Where => (line > 0 ? { pos: embedded.at(line), field: whole.field } : whole);
  for (const w of r.warnings) {
    const m = /^line (\d+): (.*)$/s.exec(w);
    if (m === null) continue;
    const where = at(Number(m[1]));
    diags.warning(where.pos, where.field, `${m[2]}${embedded.lineNote(Number(m[1]))}`);
  }
  if (!r.ok) {
    for (const e of r.errors) {
      const where = at(e.line);
      diags.error(where.pos, where.field, `${e.text ? `${e.text}: ` : ''}${e.message}${e.line > 0 ? embedded.lineNote(e.line) : ''}`);
    }
    return undefined;
  }
  return { definition: r.definition, policies: r.policies, where: whole };
}

/** `policy: { … }` in tsbgpd's structured form → a compiled policy, or undefined (errors in `diags`). */
export function readPlainPolicyField(f: Field, diags: Diagnostics): PolicyDraft | undefined {
  const r = parsePlainPolicy(f.value);
  const place = (path: string): { pos: Where['pos']; field: string } => {
    const rel = parseFieldPath(path);
    const full = [...f.path, ...rel];
    const field = [f.name, path].filter((s) => s !== '').join(path.startsWith('[') ? '' : '.');
    return { pos: f.doc.locate(full), field };
  };
  for (const w of r.warnings) diags.warning(f.doc.locate(f.path), f.name, w);
  if (!r.ok) {
    for (const e of r.errors) {
      const at = place(e.path);
      diags.error(at.pos, at.field, e.message);
    }
    return undefined;
  }
  return { definition: r.definition, policies: r.policies, where: { pos: f.doc.locate(f.path), field: f.name } };
}
