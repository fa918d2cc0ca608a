/**
 * From files to a checked Router configuration: `loadRouterConfig(files)` parses every YAML (or JSON) document,
 * expects exactly one `apiVersion: tsbgpd.io/v1alpha1, kind: Router`, reads it (router-yaml.ts, and
 * router-frr.ts for an `frr: |` block), cross-checks it (router-draft.ts) and returns either the frozen
 * `RouterConfig` or every problem, each as `file:line:column: field: message`. Nothing is half-accepted: one
 * error refuses the whole configuration, so a router never starts — or reloads — on an invalid one.
 *
 * The library never reads files: callers pass names and contents.
 *
 * Imports this folder only.
 */
import { Diagnostics, type Diagnostic } from './diagnostics.js';
import { Field } from './field.js';
import { buildRouterConfig } from './router-draft.js';
import type { RouterConfig } from './router-types.js';
import { readRouterResource } from './router-yaml.js';
import { parseSourceFile, type SourceFile } from './yaml-documents.js';

export const ROUTER_API_VERSION = 'tsbgpd.io/v1alpha1';
export const ROUTER_KIND = 'Router';

export type RouterLoadResult =
  | { readonly ok: true; readonly config: RouterConfig; readonly warnings: readonly Diagnostic[] }
  | { readonly ok: false; readonly errors: readonly Diagnostic[]; readonly warnings: readonly Diagnostic[] };

/** Parses and checks a Router configuration (one file, or several of which exactly one holds the Router). */
export function loadRouterConfig(files: SourceFile | readonly SourceFile[]): RouterLoadResult {
  const list = Array.isArray(files) ? (files as readonly SourceFile[]) : [files as SourceFile];
  const diags = new Diagnostics();
  let router: { root: Field; text: string } | undefined;
  for (const file of list) {
    for (const doc of parseSourceFile(file, diags)) {
      const root = Field.root(doc, diags);
      if (!root.isMap) {
        root.error(`expected a ${ROUTER_KIND} resource (a map with apiVersion, kind and spec)`);
        continue;
      }
      const apiVersion = root.get('apiVersion').required().nonEmptyString();
      const kind = root.get('kind').required().nonEmptyString();
      if (apiVersion === undefined || kind === undefined) continue;
      if (kind !== ROUTER_KIND || apiVersion !== ROUTER_API_VERSION) {
        const f = kind !== ROUTER_KIND ? root.get('kind') : root.get('apiVersion');
        f.error(`expected apiVersion ${ROUTER_API_VERSION}, kind ${ROUTER_KIND} (router mode reads one Router resource), got ${apiVersion} ${kind}`);
        continue;
      }
      if (router !== undefined) {
        root.error(`a second ${ROUTER_KIND} resource: one router per configuration (the first is in ${router.root.doc.file}:${router.root.doc.line})`);
        continue;
      }
      router = { root, text: file.text };
    }
  }
  if (router === undefined) {
    if (!diags.hasErrors) diags.error({ file: list.map((f) => f.name).join(', ') || '(no files)' }, undefined, `no ${ROUTER_KIND} resource (apiVersion: ${ROUTER_API_VERSION})`);
    return { ok: false, errors: diags.errors(), warnings: diags.warnings() };
  }
  const draft = readRouterResource(router.root, router.text, diags);
  const config = buildRouterConfig(draft, diags);
  if (config === undefined || diags.hasErrors) return { ok: false, errors: diags.errors(), warnings: diags.warnings() };
  return { ok: true, config, warnings: diags.warnings() };
}
