/**
 * Route maps: ordered permit/deny entries of match and set clauses, evaluated as FRR's route_map_apply_ext does.
 *
 *   result ← permit
 *   for each entry in sequence order:
 *     some match clause fails  → result ← deny; next entry         (an entry without clauses matches everything)
 *     deny entry               → deny, stop
 *     permit entry             → result ← permit; apply the sets;
 *                                `call M`: run route map M (same route, same edits); M denies → deny, stop
 *                                then by `on-match`: none → stop with result
 *                                                    next → go on with the next entry
 *                                                    goto N → go on with the first entry whose seq ≥ N
 *                                                             (none → stop with result)
 *   end of entries → result
 *
 * Consequences worth knowing (both FRR's): a route that matches no entry is denied (the implicit deny); and after
 * `on-match next`, a later entry that does not match turns the result into deny unless another permit entry
 * matches after it — only running off the end straight from a permit entry (or jumping past the last entry)
 * keeps the permit. A route map without entries denies. `call` of a route map that does not exist is ignored;
 * nesting deeper than FRR's recursion limit (10) denies. `continue [N]` is FRR's other spelling of
 * `on-match next` / `on-match goto N` and is parsed into the same thing.
 *
 * Imports only its siblings.
 */
import { AttributeEditor } from './attribute-editor.js';
import { compileMatch, type EvalContext, type ListLookup, type Matcher } from './match-clauses.js';
import { compileSet, type Setter } from './set-clauses.js';
import type { Policy, PolicyDirection, PolicyPeer, PolicyRoute, RouteMapDefinition, RouteMapEntry } from './types.js';

/** FRR's RMAP_RECURSION_LIMIT. */
export const ROUTE_MAP_RECURSION_LIMIT = 10;

interface CompiledEntry {
  readonly seq: number;
  readonly permit: boolean;
  readonly matchers: readonly Matcher[];
  readonly setters: readonly Setter[];
  /** -1: stop; 0: next entry; otherwise the sequence number to go to. */
  readonly onMatch: number;
  readonly call: string | undefined;
}

/** One step of an evaluation, for tools that explain a decision. */
export interface RouteMapStep {
  readonly map: string;
  readonly seq: number;
  readonly matched: boolean;
}

/** How a route map finds the route maps it calls. */
export type RouteMapResolver = (name: string) => RouteMap | undefined;

export class RouteMap {
  readonly name: string;
  readonly entries: readonly RouteMapEntry[];
  private readonly compiled: readonly CompiledEntry[];
  private readonly resolve: RouteMapResolver;

  constructor(def: RouteMapDefinition, lists: ListLookup, resolve: RouteMapResolver) {
    this.name = def.name;
    this.entries = def.entries;
    this.resolve = resolve;
    this.compiled = def.entries.map((e) => ({
      seq: e.seq,
      permit: e.action === 'permit',
      matchers: e.match.map((m) => compileMatch(m, lists)),
      setters: e.set.map((s) => compileSet(s, lists)),
      onMatch: e.onMatch === undefined ? -1 : e.onMatch.kind === 'next' ? 0 : e.onMatch.seq,
      call: e.call,
    }));
  }

  /**
   * Runs the route map over `ctx` (whose editor collects the sets); true = permit. `trace`, when given, receives
   * every entry tried.
   */
  evaluate(ctx: EvalContext, depth = 0, trace?: RouteMapStep[]): boolean {
    if (depth > ROUTE_MAP_RECURSION_LIMIT) return false;
    const entries = this.compiled;
    if (entries.length === 0) return false;
    let permit = true;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as CompiledEntry;
      let matched = true;
      for (const m of e.matchers) {
        if (!m(ctx)) {
          matched = false;
          break;
        }
      }
      trace?.push({ map: this.name, seq: e.seq, matched });
      if (!matched) {
        permit = false;
        continue;
      }
      if (!e.permit) return false;
      permit = true;
      for (const s of e.setters) s(ctx);
      if (e.call !== undefined) {
        const target = this.resolve(e.call);
        if (target !== undefined && !target.evaluate(ctx, depth + 1, trace)) return false;
      }
      if (e.onMatch < 0) return permit;
      if (e.onMatch > 0) {
        // Continue with the first entry whose seq is at least the target (the loop's i++ lands on it).
        while (i + 1 < entries.length && (entries[i + 1] as CompiledEntry).seq < e.onMatch) i++;
        if (i + 1 >= entries.length) return permit;
      }
    }
    return permit;
  }

  /** The route map as a policy for one direction of a session. */
  policy(direction: PolicyDirection): Policy {
    return (route: PolicyRoute, peer: PolicyPeer) => {
      const ctx: EvalContext = { route, peer, direction, attrs: new AttributeEditor(route.attributes) };
      return this.evaluate(ctx) ? ctx.attrs.result() : null;
    };
  }

  /** Evaluates with a trace of the entries tried, for `show`-style explanations. */
  explain(route: PolicyRoute, peer: PolicyPeer, direction: PolicyDirection): { result: ReturnType<Policy>; steps: RouteMapStep[] } {
    const steps: RouteMapStep[] = [];
    const ctx: EvalContext = { route, peer, direction, attrs: new AttributeEditor(route.attributes) };
    const result = this.evaluate(ctx, 0, steps) ? ctx.attrs.result() : null;
    return { result, steps };
  }
}
