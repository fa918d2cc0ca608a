// The layering rule of docs/architecture.md, enforced: every import in lib/ must point to a layer the importing
// layer may depend on, and only lib/session may touch node:net or timers among the protocol layers.
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const lib = join(root, 'lib');

/** Which lib folders (and node: modules) each layer may import. `*` = any node: builtin. */
const allowed: Record<string, { layers: string[]; node: string[] }> = {
  wire: { layers: ['wire'], node: ['node:buffer'] },
  capture: { layers: ['capture'], node: ['node:buffer'] },
  fsm: { layers: ['fsm', 'wire'], node: [] },
  rib: { layers: ['rib', 'wire'], node: ['node:buffer'] },
  policy: { layers: ['policy', 'wire'], node: ['node:buffer'] },
  session: { layers: ['session', 'fsm', 'wire'], node: ['node:net', 'node:events', 'node:buffer', 'node:timers'] },
  speaker: {
    layers: ['speaker', 'session', 'fsm', 'wire', 'rib', 'policy'],
    node: ['node:events', 'node:net', 'node:buffer', 'node:timers'],
  },
  config: { layers: ['config', 'wire', 'policy'], node: ['node:buffer', 'node:path'] },
  announcer: { layers: ['announcer', 'config', 'speaker', 'wire', 'rib', 'policy'], node: ['*'] },
  inspect: { layers: ['inspect', 'wire', 'capture'], node: ['node:buffer'] },
  router: { layers: ['router', 'config', 'speaker', 'policy', 'api', 'wire', 'rib', 'session'], node: ['*'] },
  api: { layers: ['api', 'inspect', 'speaker', 'announcer', 'config', 'wire', 'rib', 'policy', 'session', 'capture'], node: ['*'] },
  '.': { layers: ['*'], node: ['*'] },
};

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

const importRe = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

t.test('every lib import respects the layer allow-list', async (t) => {
  let checked = 0;
  for (const file of walk(lib)) {
    const rel = relative(lib, file);
    const layer = rel.includes('/') ? (rel.split('/')[0] as string) : '.';
    const rule = allowed[layer];
    t.ok(rule, `${rel}: layer "${layer}" has a rule`);
    if (!rule) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = (m[1] ?? m[2]) as string;
      checked++;
      if (spec.startsWith('.')) {
        const target = relative(lib, resolve(dirname(file), spec));
        const targetLayer = target.includes('/') ? (target.split('/')[0] as string) : '.';
        const ok = rule.layers.includes('*') || rule.layers.includes(targetLayer);
        t.ok(ok, `${rel} may import ${spec} (layer ${targetLayer})`);
      } else if (spec.startsWith('node:')) {
        const ok = rule.node.includes('*') || rule.node.includes(spec);
        t.ok(ok, `${rel} may import ${spec}`);
      } else {
        // Packages: the protocol layers stay dependency-free; config/announcer/api/bin may use the declared ones.
        const ok = !['wire', 'capture', 'fsm', 'rib', 'session'].includes(layer) || spec === 'pino';
        t.ok(ok, `${rel} may import package ${spec}`);
      }
    }
  }
  t.ok(checked > 0, 'found imports to check');
});
