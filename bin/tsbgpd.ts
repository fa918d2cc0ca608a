#!/usr/bin/env node
/**
 * The `tsbgpd` command. This is the only code that touches argv, the environment, files and the process; the
 * library below it receives plain values.
 */
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { decodeCommand } from './commands/decode.js';
import { controlCommands } from './commands/control.js';
import { announcerCommands } from './commands/run.js';
import { demoCommand } from './commands/demo.js';
import { routerCommand } from './commands/router.js';

/** The package version, from package.json next to bin/ (run from source) or dist/bin/ (the built command). */
function packageVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'tsbgpd' && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
}
const version = packageVersion();

// `tsbgpd decode big.pcap | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

async function main(): Promise<void> {
  let cli = yargs(hideBin(process.argv))
    .scriptName('tsbgpd')
    .version(version)
    .usage('$0 <command> [options]\n\nA BGP-4 speaker: MetalLB-style announcer, route reflector and wire tools.');
  cli = decodeCommand(cli);
  cli = controlCommands(cli);
  cli = announcerCommands(cli);
  cli = demoCommand(cli);
  cli = routerCommand(cli);
  await cli
    .demandCommand(1, 'Name a command; see --help.')
    .strict()
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((msg, err, y) => {
      if (err) process.stderr.write(`tsbgpd: ${err.message}\n`);
      else process.stderr.write(`${y.help()}\n\ntsbgpd: ${msg}\n`);
      process.exit(2);
    })
    .parseAsync();
}

// Exit codes: 0 success, 1 a check failed (e.g. `decode --verify` found a mismatch), 2 bad usage or input.
main().catch((err: unknown) => {
  process.stderr.write(`tsbgpd: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
