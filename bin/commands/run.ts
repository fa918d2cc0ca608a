/**
 * `tsbgpd run --config PATH…`: the MetalLB-style announcer on one node — MetalLB's own resources and Services in,
 * addresses allocated as MetalLB allocates them, routes announced to the BGPPeers; plus `tsbgpd validate` (check a
 * configuration without starting anything) and `tsbgpd services` (each Service's status.loadBalancer.ingress).
 */
import type { Argv } from 'yargs';
import { ConfigError, readConfigFiles, runAnnouncer, type RunAnnouncerOptions } from '../../lib/announcer/index.js';
import { formatDiagnostic, loadConfig, validate, type NodeOptions } from '../../lib/config/index.js';
import { allocatorMetrics, request, parseEndpoint, DEFAULT_SOCKET_PATH, ApiError, ApiUnavailableError } from '../../lib/api/index.js';
import { createLogger } from '../logger.js';
import { serveDaemon } from '../daemon.js';
import { out, UsageError } from './io.js';

function nodeOptions(argv: { node?: string | undefined; label?: string[] | undefined; 'router-id'?: string | undefined; address?: string[] | undefined; asn?: number | undefined }): NodeOptions {
  const labels: Record<string, string> = {};
  for (const l of argv.label ?? []) {
    const eq = l.indexOf('=');
    if (eq <= 0) throw new UsageError(`--label ${l}: expected key=value`);
    labels[l.slice(0, eq)] = l.slice(eq + 1);
  }
  return {
    ...(argv.node ? { name: argv.node } : {}),
    ...(argv.label ? { labels } : {}),
    ...(argv['router-id'] ? { routerId: argv['router-id'] } : {}),
    ...(argv.address ? { addresses: argv.address } : {}),
    ...(argv.asn !== undefined ? { asn: argv.asn } : {}),
  };
}

function nodeFlags<T>(y: Argv<T>) {
  return y
    .option('node', { type: 'string', describe: 'this node\'s name (default: the one tsbgpd Node resource in the files)' })
    .option('label', { type: 'string', array: true, describe: 'this node\'s labels, key=value (for nodeSelectors)' })
    .option('router-id', { type: 'string', describe: 'BGP identifier (default: from the Node resource or BGPPeer)' })
    .option('address', { type: 'string', array: true, describe: 'this node\'s addresses' })
    .option('asn', { type: 'number', describe: 'this node\'s AS (default: myASN of its BGPPeers)' });
}

export function announcerCommands(yargs: Argv): Argv {
  return yargs
    .command(
      'run',
      'Run the MetalLB-style announcer: allocate Service addresses and announce them over BGP',
      (y) =>
        nodeFlags(y)
          .option('config', { type: 'string', array: true, demandOption: true, describe: 'YAML/JSON files or directories (MetalLB resources, Services)' })
          .option('state-file', { type: 'string', describe: 'keep allocations across restarts (JSON, written atomically)' })
          .option('status-file', { type: 'string', describe: 'write each Service\'s status.loadBalancer.ingress here (.yaml or .json)' })
          .option('watch', { type: 'boolean', default: true, describe: 'apply changes to the config files at once (--no-watch to disable)' })
          .option('debounce', { type: 'number', default: 300, describe: 'milliseconds of quiet after a file change before it is applied' })
          .option('listen', { type: 'string', describe: 'also accept BGP connections on HOST:PORT (default: only dial, as MetalLB)' })
          .option('control', { type: 'string', default: process.env.TSBGPD_SOCKET ?? DEFAULT_SOCKET_PATH, describe: 'control API socket or 127.0.0.1:PORT ("" for none)' })
          .option('metrics', { type: 'string', describe: 'serve Prometheus metrics on HOST:PORT (e.g. 127.0.0.1:7472)' })
          .option('lb-class', { type: 'string', describe: 'serve Services with this spec.loadBalancerClass (default: those without one)' })
          .option('ignore-exclude-lb', { type: 'boolean', default: false, describe: 'announce even from a node labelled node.kubernetes.io/exclude-from-external-load-balancers' })
          .option('log-level', { choices: ['debug', 'info', 'warn', 'error', 'silent'] as const, default: 'info' as const })
          .option('log-format', { choices: ['json', 'pretty'] as const, describe: 'default: pretty on a terminal, JSON otherwise' })
          .example('$0 run --config metallb.yaml --config services/ --node worker-1 --state-file /var/lib/tsbgpd/state.json', '')
          .example('kill -HUP $(pidof tsbgpd)', 'reload the configuration; an invalid one is rejected and the running one stays'),
      async (argv) => {
        const logger = createLogger({ level: argv['log-level'], ...(argv['log-format'] ? { format: argv['log-format'] } : {}) });
        const node = nodeOptions(argv);
        // Every flag is checked before any session starts: a typo must not leave peers without a Cease.
        for (const [flag, value] of [['--control', argv.control], ['--metrics', argv.metrics]] as const) {
          if (!value) continue;
          try {
            parseEndpoint(value);
          } catch (err) {
            throw new UsageError(`${flag}: ${(err as Error).message}`);
          }
        }
        let listen: RunAnnouncerOptions['listen'] = false;
        if (argv.listen) {
          const e = parseEndpoint(argv.listen);
          if (!('host' in e)) throw new UsageError('--listen takes HOST:PORT');
          listen = { host: e.host, port: e.port };
        }
        let running;
        try {
          running = await runAnnouncer({
            config: argv.config,
            node,
            watch: argv.watch,
            debounceMs: argv.debounce,
            listen,
            logger,
            ...(argv['state-file'] ? { stateFile: argv['state-file'] } : {}),
            ...(argv['status-file'] ? { statusFile: argv['status-file'] } : {}),
            ...(argv['lb-class'] ? { loadBalancerClass: argv['lb-class'] } : {}),
            ...(argv['ignore-exclude-lb'] ? { ignoreExcludeLB: true } : {}),
          });
        } catch (err) {
          if (err instanceof ConfigError) throw new UsageError(err.message);
          throw err;
        }
        const { announcer, speaker } = running;
        const daemon = await serveDaemon({
          speaker,
          logger,
          control: argv.control === '' ? false : argv.control,
          metrics: argv.metrics,
          routes: [{ method: 'GET', pattern: '/v1/services', handler: () => ({ json: { services: announcer.services() } }) }],
          collectors: { allocator: allocatorMetrics(() => announcer.poolUsage()) },
          reload: async () => {
            const result = await announcer.applyLoaded(loadConfig(readConfigFiles(argv.config), { node }));
            if (!result.ok) throw new Error(result.reasons.join('; '));
            return 'configuration reloaded';
          },
          stop: (message) => running.stop(message),
        });
        await daemon.done;
      },
    )
    .command(
      'validate <paths..>',
      'Check MetalLB/tsbgpd configuration files; report every problem with file:line:column',
      (y) =>
        nodeFlags(y)
          .positional('paths', { type: 'string', array: true, demandOption: true })
          .example('$0 validate metallb.yaml services/', 'exit 1 when there are errors'),
      (argv) => {
        let files;
        try {
          files = readConfigFiles(argv.paths);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
        const node = nodeOptions(argv);
        const diagnostics = validate(files, Object.keys(node).length > 0 ? { node } : {});
        for (const d of diagnostics) out(formatDiagnostic(d));
        const errors = diagnostics.filter((d) => d.severity === 'error').length;
        const warnings = diagnostics.length - errors;
        out(`${files.length} file${files.length === 1 ? '' : 's'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
        if (errors > 0) process.exitCode = 1;
      },
    )
    .command(
      'services',
      'Each Service\'s allocated address (status.loadBalancer.ingress) from a running announcer',
      (y) =>
        y
          .option('socket', { type: 'string', default: process.env.TSBGPD_SOCKET ?? DEFAULT_SOCKET_PATH })
          .option('json', { type: 'boolean', default: false }),
      async (argv) => {
        let body: { services: { namespace: string; name: string; pool?: string; ingress: { ip: string }[]; error?: string; announced: string[] }[] };
        try {
          body = (await request(parseEndpoint(argv.socket), 'GET', '/v1/services')) as typeof body;
        } catch (err) {
          if (err instanceof ApiError || err instanceof ApiUnavailableError) throw new UsageError(err.message);
          throw err;
        }
        if (argv.json) return out(JSON.stringify(body, null, 2));
        const rows = body.services.map((s) => [
          s.namespace,
          s.name,
          s.pool ?? '-',
          s.ingress.map((i) => i.ip).join(',') || `<pending>${s.error ? ` (${s.error})` : ''}`,
          s.announced.join(',') || '-',
        ]);
        const header = ['NAMESPACE', 'NAME', 'POOL', 'EXTERNAL-IP', 'ANNOUNCED'];
        const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
        for (const r of [header, ...rows]) out(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number))).join('   '));
      },
    );
}
