/**
 * Kubernetes label selectors (`metav1.LabelSelector`): `matchLabels` and `matchExpressions` with the operators
 * `In`, `NotIn`, `Exists` and `DoesNotExist`, all ANDed; an empty selector matches everything. MetalLB uses them
 * for `nodeSelectors` (BGPPeer, BGPAdvertisement), `ipAddressPoolSelectors` and a pool's `serviceAllocation`; a
 * list of selectors matches when any one of them does, and an empty list (per MetalLB) selects everything.
 *
 * Label keys and values are checked as the API server checks them (`prefix/name`, 63-character names), so a typo
 * is reported where it was written rather than silently matching nothing.
 */
import type { Field } from './field.js';

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly LabelRequirement[];
}

export type Labels = Readonly<Record<string, string>>;

/** True when every label and every expression of the selector holds for `labels`. */
export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels)) if (labels[k] !== v) return false;
  for (const r of selector.matchExpressions) {
    const has = Object.hasOwn(labels, r.key);
    const value = labels[r.key];
    switch (r.operator) {
      case 'In':
        if (!has || !r.values.includes(value as string)) return false;
        break;
      case 'NotIn':
        // Kubernetes: NotIn also matches objects that do not have the label at all.
        if (has && r.values.includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** MetalLB's rule for a list of selectors: none = everything, else any one of them. */
export function anySelectorMatches(selectors: readonly LabelSelector[], labels: Labels): boolean {
  return selectors.length === 0 || selectors.some((s) => selectorMatches(s, labels));
}

/** `kubectl`-style text: `zone=a,rack in (1,2),!gpu`. */
export function formatSelector(s: LabelSelector): string {
  const parts = Object.entries(s.matchLabels).map(([k, v]) => `${k}=${v}`);
  for (const r of s.matchExpressions) {
    if (r.operator === 'Exists') parts.push(r.key);
    else if (r.operator === 'DoesNotExist') parts.push(`!${r.key}`);
    else parts.push(`${r.key} ${r.operator === 'In' ? 'in' : 'notin'} (${r.values.join(',')})`);
  }
  return parts.join(',') || '(everything)';
}

const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why a label key is invalid (`[prefix/]name`), or undefined when it is valid. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return `invalid label key prefix ${JSON.stringify(prefix)}`;
  if (!NAME.test(name)) return `invalid label key ${JSON.stringify(key)} (at most 63 characters: letters, digits, "-", "_", ".")`;
  return undefined;
}

/** Why a label value is invalid, or undefined (the empty value is valid). */
export function labelValueProblem(value: string): string | undefined {
  return value === '' || NAME.test(value) ? undefined : `invalid label value ${JSON.stringify(value)}`;
}

/** Reads `labels` maps (metadata.labels, matchLabels), reporting bad keys and values where they are. */
export function readLabels(f: Field): Record<string, string> {
  const out: Record<string, string> = {};
  const m = f.map();
  if (!m) return out;
  for (const key of Object.keys(m)) {
    const child = f.get(key);
    const v = child.string();
    if (v === undefined) continue;
    const problem = labelKeyProblem(key) ?? labelValueProblem(v);
    if (problem) child.error(problem);
    else out[key] = v;
  }
  return out;
}

const OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** One `metav1.LabelSelector`; undefined (with diagnostics) when malformed. */
export function readSelector(f: Field): LabelSelector | undefined {
  if (!f.map()) return f.isMissing ? f.error('expected a label selector, got null') : undefined;
  f.checkKnown(['matchLabels', 'matchExpressions']);
  let ok = true;
  const matchLabels = readLabels(f.get('matchLabels'));
  const matchExpressions: LabelRequirement[] = [];
  for (const e of f.get('matchExpressions').list()) {
    if (!e.map()) {
      ok = false;
      continue;
    }
    e.checkKnown(['key', 'operator', 'values']);
    const key = e.get('key').required().nonEmptyString();
    const operator = e.get('operator').required().oneOf(OPERATORS);
    const valuesField = e.get('values');
    const values = valuesField.uniqueStringList();
    if (key !== undefined) {
      const problem = labelKeyProblem(key);
      if (problem) {
        e.get('key').error(problem);
        ok = false;
      }
    }
    if (operator === 'In' || operator === 'NotIn') {
      if (values.length === 0) {
        valuesField.error(`operator ${operator} needs at least one value`);
        ok = false;
      }
    } else if (operator !== undefined && !valuesField.isMissing && valuesField.list().length > 0) {
      valuesField.error(`operator ${operator} takes no values`);
      ok = false;
    }
    if (key === undefined || operator === undefined) {
      ok = false;
      continue;
    }
    matchExpressions.push({ key, operator, values });
  }
  return ok ? { matchLabels, matchExpressions } : undefined;
}

/** A list of selectors; malformed ones are reported and left out. Duplicates are refused, as MetalLB does. */
export function readSelectors(f: Field): LabelSelector[] {
  const out: LabelSelector[] = [];
  const seen = new Set<string>();
  for (const item of f.list()) {
    const s = readSelector(item);
    if (!s) continue;
    const text = canonicalSelectorText(s);
    if (seen.has(text)) {
      item.error(`duplicate selector ${formatSelector(s)}`);
      continue;
    }
    seen.add(text);
    out.push(s);
  }
  return out;
}

function canonicalSelectorText(s: LabelSelector): string {
  const labels = Object.entries(s.matchLabels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const exprs = s.matchExpressions.map((r) => `${r.key} ${r.operator} ${[...r.values].sort().join(',')}`).sort();
  return JSON.stringify([labels, exprs]);
}
