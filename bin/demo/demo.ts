/**
 * `tsbgpd demo`: the seed's whole story in one process, with no router and no cluster. A router standing in for
 * pfSense (AS 65100, route map Permit-Any in and out, a listen range for the nodes) and four announcer nodes
 * (AS 65101, on 127.0.0.15–18) that read the seed's MetalLB configuration and two sample Services from a directory,
 * allocate 10.8.0.0 and 10.8.0.1 exactly as MetalLB would, and announce them. The router's table is printed as
 * pfSense's "Status / BGP" page (FRR's `show bgp ipv4 unicast`) shows it, then every change as Services come and go:
 * drop a Service YAML into the directory, delete one, or press `a` / `d`.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { Speaker } from '../../lib/speaker/index.js';
import { parseFrrPolicy } from '../../lib/policy/index.js';
import { runAnnouncer, type RunningAnnouncer } from '../../lib/announcer/index.js';
import { renderRoutes, routesView } from '../../lib/api/index.js';
import { formatPrefix } from '../../lib/wire/index.js';
import { DEMO_NODE_ASN, DEMO_ROUTER, demoNodes, seedConfig, serviceYaml } from './seed.js';

export interface DemoOptions {
  nodes: number;
  /** Router's TCP port; 0 = any free one (no root needed). */
  port: number;
  /** Where the configuration goes (default: a new temporary directory, removed at exit). */
  dir?: string | undefined;
  /** Print the table once every node's routes are in, then stop. */
  once: boolean;
  /** Seconds to wait for the first complete table. */
  timeout: number;
  write: (text: string) => void;
  logger?: Logger;
}

export interface RunningDemo {
  dir: string;
  router: Speaker;
  nodes: RunningAnnouncer[];
  /** Adds the next sample Service (demo-1, demo-2, …); returns its file. */
  addService(): string;
  /** Removes the most recently added sample Service, if any. */
  removeService(): string | undefined;
  stop(): Promise<void>;
}

/** prefix → sorted next hops, the part of the table a change is described by. */
function tableState(router: Speaker): Map<string, string[]> {
  const state = new Map<string, string[]>();
  for (const entry of router.routes()) {
    const hops = entry.paths
      .filter((p) => p.accepted)
      .map((p) => {
        const nh = p.attributes.find((a) => a.kind === 'next-hop');
        return nh?.kind === 'next-hop' ? nh.nextHop : (p.peerAddress ?? 'local');
      })
      .sort();
    state.set(formatPrefix(entry.prefix), hops);
  }
  return state;
}

function describeChanges(before: Map<string, string[]>, after: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [p, hops] of after) {
    const old = before.get(p);
    if (!old) out.push(`+ ${p} via ${hops.join(', ')}`);
    else if (old.join() !== hops.join()) out.push(`~ ${p} now via ${hops.join(', ') || 'nothing'}`);
  }
  for (const p of before.keys()) if (!after.has(p)) out.push(`- ${p} withdrawn`);
  return out;
}

export async function startDemo(o: DemoOptions): Promise<RunningDemo> {
  const logger = o.logger ?? pino({ level: 'silent' });
  const ownDir = o.dir === undefined;
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'tsbgpd-demo-'));
  mkdirSync(dir, { recursive: true });

  // The router: pfSense's FRR as the seed configures it, expressed with tsbgpd's route maps.
  const policy = parseFrrPolicy('route-map Permit-Any permit 100\n');
  if (!policy.ok) throw new Error('built-in route map failed to parse');
  const permitAnyIn = policy.policies.routeMapPolicy('Permit-Any', 'in');
  const permitAnyOut = policy.policies.routeMapPolicy('Permit-Any', 'out');
  const router = new Speaker({
    asn: DEMO_ROUTER.asn,
    routerId: DEMO_ROUTER.routerId,
    listen: { host: DEMO_ROUTER.address, port: o.port },
    maximumPaths: 4,
    logger: logger.child({ role: 'router' }),
  });
  router.addPeerGroup('rubrik-metallb', { remoteAs: DEMO_NODE_ASN, importPolicy: permitAnyIn, exportPolicy: permitAnyOut });
  router.addListenRange({ prefix: '127.0.0.0/24', peerGroup: 'rubrik-metallb' });
  await router.start();
  const port = router.listenAddress?.port ?? o.port;

  const nodes = demoNodes(o.nodes);
  writeFileSync(join(dir, 'metallb.yaml'), seedConfig(nodes, port));
  for (const name of ['guestbook-ui', 'shop-frontend']) writeFileSync(join(dir, `service-${name}.yaml`), serviceYaml(name));

  const running: RunningAnnouncer[] = [];
  try {
    for (const n of nodes) {
      running.push(
        await runAnnouncer({
          config: [dir],
          node: { name: n.name, labels: { 'kubernetes.io/hostname': n.name }, routerId: n.routerId, addresses: [n.address] },
          watch: !o.once,
          debounceMs: 150,
          logger: logger.child({ node: n.name }),
        }),
      );
    }
  } catch (err) {
    await Promise.all(running.map((r) => r.stop()));
    await router.stop();
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  let added = readdirSync(dir).filter((f) => /^service-demo-\d+\.yaml$/.test(f)).length;
  const addedFiles: string[] = [];
  let stopped = false;
  return {
    dir,
    router,
    nodes: running,
    addService() {
      added++;
      const file = join(dir, `service-demo-${added}.yaml`);
      writeFileSync(file, serviceYaml(`demo-${added}`));
      addedFiles.push(file);
      return file;
    },
    removeService() {
      const file = addedFiles.pop();
      if (file) rmSync(file, { force: true });
      return file;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all(running.map((r) => r.stop('tsbgpd demo finished')));
      await router.stop('tsbgpd demo finished');
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until every Service prefix the nodes announce is in the router's table with a path from every node. */
export async function waitForFullTable(demo: RunningDemo, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const wanted = new Set(demo.nodes.flatMap((n) => n.announcer.services().flatMap((s) => [...s.announced])));
    const state = tableState(demo.router);
    const complete = wanted.size > 0 && [...wanted].every((p) => (state.get(p)?.length ?? 0) === demo.nodes.length);
    if (complete) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The table as pfSense's Status / BGP page shows it (FRR's `show bgp ipv4 unicast`). */
export function routerTable(demo: RunningDemo): string {
  return renderRoutes(routesView(demo.router));
}

/** Prints a line per change of the router's table (and the table again), debounced, until `stop` is called. */
export function followChanges(demo: RunningDemo, write: (text: string) => void): () => void {
  let before = tableState(demo.router);
  let timer: NodeJS.Timeout | undefined;
  const check = (): void => {
    timer = undefined;
    const after = tableState(demo.router);
    const changes = describeChanges(before, after);
    if (changes.length === 0) return;
    before = after;
    const stamp = new Date().toISOString().slice(11, 19);
    write(`\n${stamp} router table changed:\n${changes.map((c) => `  ${c}`).join('\n')}\n\n${routerTable(demo)}`);
  };
  const schedule = (): void => {
    timer ??= setTimeout(check, 300);
  };
  demo.router.on('update', schedule);
  demo.router.on('peerDown', schedule);
  demo.router.on('peerUp', schedule);
  return () => {
    if (timer) clearTimeout(timer);
    demo.router.off('update', schedule);
    demo.router.off('peerDown', schedule);
    demo.router.off('peerUp', schedule);
  };
}

export { DEMO_ROUTER };
