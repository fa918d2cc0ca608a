/**
 * `tsbgpd router --config FILE`: the pfSense/FRR stand-in — a route reflector with peer groups, listen ranges and
 * FRR route maps, configured in tsbgpd's `Router` kind (structured YAML, or FRR's own `router bgp` text). It serves
 * its own control API and metrics because a reload that changes the AS or router ID rebuilds the speaker.
 * SIGHUP reloads (only what changed is touched; an invalid file is rejected and the running configuration stays);
 * SIGTERM/SIGINT end every session with Cease and a shutdown message.
 */
import type { Argv } from 'yargs';
import { readConfigFiles } from '../../lib/announcer/index.js';
import { formatDiagnostic } from '../../lib/config/index.js';
import { loadRouterConfig, type RouterConfig } from '../../lib/config/router-index.js';
import { startRouter } from '../../lib/router/index.js';
import { describeEndpoint, parseEndpoint } from '../../lib/api/index.js';
import { createLogger } from '../logger.js';
import { UsageError } from './io.js';

function load(paths: readonly string[]): ReturnType<typeof loadRouterConfig> {
  return loadRouterConfig(readConfigFiles(paths));
}

function withOverrides(config: RouterConfig, argv: { control?: string | undefined; metrics?: string | undefined }): RouterConfig {
  let c = config;
  if (argv.control !== undefined) {
    c = { ...c, api: argv.control === '' ? false : { endpoint: parseEndpoint(argv.control), allowRemote: false } };
  }
  if (argv.metrics !== undefined) {
    c = { ...c, metrics: argv.metrics === '' ? false : { endpoint: parseEndpoint(argv.metrics), allowRemote: false } };
  }
  return c;
}

export function routerCommand(yargs: Argv): Argv {
  return yargs.command(
    'router',
    'Run as a route reflector / test router standing in for FRR (peer groups, listen ranges, route maps)',
    (y) =>
      y
        .option('config', { type: 'string', array: true, demandOption: true, describe: 'Router YAML (see docs/configuration.md)' })
        .option('control', { type: 'string', describe: 'override the control API endpoint (socket path or 127.0.0.1:PORT; "" for none)' })
        .option('metrics', { type: 'string', describe: 'override the metrics endpoint (HOST:PORT; "" for none)' })
        .option('log-level', { choices: ['debug', 'info', 'warn', 'error', 'silent'] as const, default: 'info' as const })
        .option('log-format', { choices: ['json', 'pretty'] as const })
        .example('$0 router --config pfsense.yaml', 'the seed\'s pfSense, from its FRR configuration')
        .example('kill -HUP $(pidof tsbgpd)', 'reload: changed route maps are applied by route refresh, no reset'),
    async (argv) => {
      const logger = createLogger({ level: argv['log-level'], ...(argv['log-format'] ? { format: argv['log-format'] } : {}) });
      const paths = argv.config;
      const first = (() => {
        try {
          return load(paths);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
      })();
      if (!first.ok) throw new UsageError(`invalid configuration:\n${first.errors.map(formatDiagnostic).join('\n')}`);
      for (const w of first.warnings) logger.warn({ event: 'config-warning' }, formatDiagnostic(w));
      const router = await startRouter(withOverrides(first.config, argv), { logger });
      if (router.apiEndpoint) logger.info({ event: 'control-api', endpoint: describeEndpoint(router.apiEndpoint) }, 'control API ready');

      let resolveDone!: () => void;
      const done = new Promise<void>((r) => (resolveDone = r));
      let stopping = false;
      const onTerm = (signal: NodeJS.Signals): void => {
        if (stopping) return;
        stopping = true;
        logger.info({ event: 'shutdown', signal }, 'shutting down: closing sessions with Cease');
        void router.stop(`tsbgpd stopping (${signal})`).then(resolveDone);
      };
      let reloading = false;
      const onHup = (): void => {
        if (reloading) return;
        reloading = true;
        void (async () => {
          try {
            const next = load(paths);
            if (!next.ok) throw new Error(next.errors.map(formatDiagnostic).join('; '));
            const result = await router.reload(withOverrides(next.config, argv));
            logger.info({ event: 'config-reloaded', ...result }, 'configuration reloaded');
          } catch (err) {
            logger.error({ event: 'config-rejected', reason: (err as Error).message }, 'new configuration rejected, keeping the running one');
          } finally {
            reloading = false;
          }
        })();
      };
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onTerm);
      process.on('SIGHUP', onHup);
      await done;
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onTerm);
      process.off('SIGHUP', onHup);
    },
  );
}
