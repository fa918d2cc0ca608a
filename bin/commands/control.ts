/**
 * The commands that talk to a running daemon over its control API: `show summary|neighbors|routes`,
 * `announce`, `withdraw`, `clear neighbor`. Each prints FRR-style text, or the API's JSON with `--json`.
 */
import type { Argv } from 'yargs';
import {
  DEFAULT_SOCKET_PATH,
  announce,
  clear,
  parseEndpoint,
  show,
  withdraw,
  ApiError,
  ApiUnavailableError,
  type Endpoint,
} from '../../lib/api/index.js';
import type { RouteAttributes } from '../../lib/speaker/index.js';
import { UsageError } from './io.js';

interface ControlArgs {
  socket: string;
  json: boolean;
}

function endpointOf(argv: ControlArgs): Endpoint {
  try {
    return parseEndpoint(argv.socket);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function run(fn: () => Promise<string>): Promise<void> {
  try {
    process.stdout.write(await fn());
  } catch (err) {
    // The daemon's answer or its absence: say it plainly, no stack.
    if (err instanceof ApiError || err instanceof ApiUnavailableError) throw new UsageError(err.message);
    throw err;
  }
}

function withControl<T>(y: Argv<T>): Argv<T & ControlArgs> {
  return y
    .option('socket', {
      type: 'string',
      default: process.env.TSBGPD_SOCKET ?? DEFAULT_SOCKET_PATH,
      describe: 'control API: unix socket path or 127.0.0.1:PORT (env TSBGPD_SOCKET)',
    })
    .option('json', { type: 'boolean', default: false, describe: 'print the API JSON (stable, see docs/control-api.md)' });
}

export function controlCommands(yargs: Argv): Argv {
  return yargs
    .command('show', 'Show what a running tsbgpd holds (like FRR\'s show bgp …)', (y) =>
      y
        .command('summary', 'Neighbours, message counts, up/down time, prefixes (show bgp summary)', (z) => withControl(z), (argv) =>
          run(() => show(endpointOf(argv), { what: 'summary' }, { json: argv.json })),
        )
        .command(
          'neighbors [address]',
          'State, negotiated capabilities and timers, counters, last NOTIFICATION each way',
          (z) => withControl(z).positional('address', { type: 'string', describe: 'one neighbour' }),
          (argv) =>
            run(() =>
              show(endpointOf(argv), argv.address ? { what: 'neighbors', address: argv.address } : { what: 'neighbors' }, { json: argv.json }),
            ),
        )
        .command(
          'routes [prefix]',
          'The BGP table (show bgp ipv4/ipv6 unicast), or one neighbour\'s received/advertised routes',
          (z) =>
            withControl(z)
              .positional('prefix', { type: 'string', describe: 'one prefix, in detail' })
              .option('neighbor', { type: 'string', describe: 'a neighbour address (with --received or --advertised)' })
              .option('received', { type: 'boolean', default: false })
              .option('advertised', { type: 'boolean', default: false })
              .example('$0 show routes', 'every path, *> best')
              .example('$0 show routes 10.8.0.0/32', 'one prefix with all attributes')
              .example('$0 show routes --neighbor 192.168.3.15 --received', 'what a neighbour sent'),
          (argv) => {
            if ((argv.received || argv.advertised) && !argv.neighbor) throw new UsageError('--received/--advertised need --neighbor');
            if (argv.received && argv.advertised) throw new UsageError('choose one of --received and --advertised');
            const view = argv.received ? 'received' : argv.advertised ? 'advertised' : undefined;
            return run(() =>
              show(
                endpointOf(argv),
                {
                  what: 'routes',
                  ...(argv.prefix ? { prefix: argv.prefix } : {}),
                  ...(argv.neighbor ? { neighbor: argv.neighbor } : {}),
                  ...(view ? { view } : {}),
                },
                { json: argv.json },
              ),
            );
          },
        )
        .demandCommand(1, 'show what? summary, neighbors or routes'),
    )
    .command(
      'announce <prefix>',
      'Originate a prefix from the running daemon',
      (y) =>
        withControl(y)
          .positional('prefix', { type: 'string', demandOption: true })
          .option('community', { type: 'string', array: true, describe: 'e.g. 65000:1, no-export' })
          .option('large-community', { type: 'string', array: true, describe: 'e.g. 65000:1:2' })
          .option('med', { type: 'number' })
          .option('local-pref', { type: 'number', describe: 'sent to iBGP peers only' })
          .option('next-hop', { type: 'string', describe: 'IPv4 next hop (default: each session\'s local address)' })
          .option('as-path', { type: 'string', describe: 'ASNs after ours, e.g. "65001 65002"' })
          .example('$0 announce 10.8.0.9/32 --community 65101:100', ''),
      (argv) => {
        const attrs: RouteAttributes = {};
        if (argv.community) attrs.communities = argv.community;
        if (argv['large-community']) attrs.largeCommunities = argv['large-community'];
        if (argv.med !== undefined) attrs.med = argv.med;
        if (argv['local-pref'] !== undefined) attrs.localPref = argv['local-pref'];
        if (argv['next-hop']) attrs.nextHop = argv['next-hop'];
        if (argv['as-path']) attrs.asPath = argv['as-path'].trim().split(/\s+/).map(Number);
        return run(() => announce(endpointOf(argv), argv.prefix, attrs, { json: argv.json }));
      },
    )
    .command(
      'withdraw <prefix>',
      'Withdraw a prefix announced with `announce`',
      (y) => withControl(y).positional('prefix', { type: 'string', demandOption: true }),
      (argv) => run(() => withdraw(endpointOf(argv), argv.prefix, { json: argv.json })),
    )
    .command(
      'clear neighbor <address>',
      'Reset a session (Cease / Administrative Reset), or refresh it softly',
      (y) =>
        withControl(y)
          .positional('address', { type: 'string', demandOption: true })
          .option('soft', { choices: ['in', 'out', 'both'] as const, describe: 'route refresh instead of a reset' })
          .option('message', { type: 'string', describe: 'RFC 9003 shutdown communication (hard reset)' }),
      (argv) => run(() => clear(endpointOf(argv), argv.address, argv.soft ?? 'hard', argv.message, { json: argv.json })),
    );
}
