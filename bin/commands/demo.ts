/**
 * `tsbgpd demo [--once]`: the embedded default — a pfSense stand-in and four MetalLB-style nodes in one process,
 * on loopback, needing no router, no cluster and no root (see bin/demo/demo.ts).
 */
import type { Argv } from 'yargs';
import { followChanges, routerTable, startDemo, waitForFullTable, DEMO_ROUTER } from '../demo/demo.js';
import { createLogger } from '../logger.js';

const write = (text: string): void => {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
};

export function demoCommand(yargs: Argv): Argv {
  return yargs.command(
    'demo',
    'Run the seed scenario locally: a router (AS 65100) and four announcer nodes (AS 65101) on 127.x',
    (y) =>
      y
        .option('nodes', { type: 'number', default: 4, describe: 'announcer nodes (1–8), on 127.0.0.15 upward' })
        .option('port', { type: 'number', default: 0, describe: 'router TCP port (0: any free port, no root needed)' })
        .option('dir', { type: 'string', describe: 'configuration directory to use (default: a temporary one)' })
        .option('once', { type: 'boolean', default: false, describe: 'print the table once and exit (for scripts and tests)' })
        .option('timeout', { type: 'number', default: 20, describe: 'seconds to wait for the first complete table' })
        .option('log-level', { choices: ['debug', 'info', 'warn', 'error', 'silent'] as const, default: 'silent' as const })
        .example('$0 demo', 'then press a to add a Service, d to remove it, q or Ctrl-C to quit')
        .example('$0 demo --once', 'print the router\'s table and exit'),
    async (argv) => {
      if (!Number.isInteger(argv.nodes) || argv.nodes < 1 || argv.nodes > 8) throw new Error('--nodes: 1 to 8');
      const logger = createLogger({ level: argv['log-level'] });
      const demo = await startDemo({
        nodes: argv.nodes,
        port: argv.port,
        dir: argv.dir,
        once: argv.once,
        timeout: argv.timeout,
        write,
        logger,
      });
      const port = demo.router.listenAddress?.port;
      write(
        `tsbgpd demo: router AS ${DEMO_ROUTER.asn} (router-id ${DEMO_ROUTER.routerId}, route map Permit-Any in/out) on ` +
          `${DEMO_ROUTER.address}:${port}; ${argv.nodes} node${argv.nodes === 1 ? '' : 's'} AS 65101 on 127.0.0.15` +
          (argv.nodes > 1 ? `–127.0.0.${14 + argv.nodes}` : ''),
      );
      const complete = await waitForFullTable(demo, argv.timeout * 1000);
      write(`\nServices (node-1's view, status.loadBalancer.ingress):`);
      for (const s of demo.nodes[0]?.announcer.services() ?? []) {
        write(`  ${s.namespace}/${s.name}: ${s.ingress.map((i) => i.ip).join(', ') || `<pending> ${s.error ?? ''}`}`);
      }
      write(`\nRouter's BGP table (show bgp ipv4 unicast):\n`);
      write(routerTable(demo));
      if (!complete) write(`\n(not every node's routes arrived within ${argv.timeout} s)`);
      if (argv.once) {
        await demo.stop();
        if (!complete) process.exitCode = 1;
        return;
      }
      write(
        `\nLive: add or remove a Service and watch the table change.\n` +
          `  - drop a Service YAML into ${demo.dir} (or delete one there), or\n` +
          `  - press a to add a sample Service, d to remove the last one added, q (or Ctrl-C) to quit.`,
      );
      const unfollow = followChanges(demo, write);
      let resolveDone!: () => void;
      const done = new Promise<void>((r) => (resolveDone = r));
      let quitting = false;
      const quit = (): void => {
        if (quitting) return;
        quitting = true;
        write('\nstopping: withdrawing routes and closing sessions…');
        unfollow();
        void demo.stop().then(() => {
          write('done.');
          resolveDone();
        });
      };
      process.on('SIGINT', quit);
      process.on('SIGTERM', quit);
      const stdin = process.stdin;
      if (stdin.isTTY) {
        stdin.setRawMode(true);
        stdin.resume();
        stdin.on('data', (key: Buffer) => {
          const k = key.toString('utf8');
          if (k === 'a') write(`added ${demo.addService()}`);
          else if (k === 'd') {
            const f = demo.removeService();
            write(f ? `removed ${f}` : 'no sample Service to remove (press a first)');
          } else if (k === 'q' || k === '\u0003') quit();
        });
      }
      await done;
      if (stdin.isTTY) {
        stdin.setRawMode(false);
        stdin.pause();
      }
      process.off('SIGINT', quit);
      process.off('SIGTERM', quit);
    },
  );
}
