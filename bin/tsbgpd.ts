#!/usr/bin/env node
/**
 * The `tsbgpd` command. This is the only code that touches argv, the environment, files and the process; the
 * library below it receives plain values.
 */
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { decodeCapture, type VerifySummary } from '../lib/inspect/index.js';
import { CaptureFormatError } from '../lib/capture/index.js';

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

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  await yargs(hideBin(process.argv))
    .scriptName('tsbgpd')
    .version(version)
    .usage('$0 <command> [options]\n\nA BGP-4 speaker: MetalLB-style announcer, route reflector and wire tools.')
    .command(
      'decode <file>',
      'Decode every BGP message of a pcap/pcapng capture as JSON lines',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true, describe: 'pcap or pcapng file' })
          .option('verify', { type: 'boolean', default: false, describe: 're-encode each message and compare bytes' })
          .option('port', { type: 'number', array: true, describe: 'TCP port(s) carrying BGP (default 179)' })
          .example('$0 decode fixtures/pcap/seed-announce-withdraw.pcap', 'one JSON object per message')
          .example('$0 decode --verify capture.pcapng', 'also prove byte-exact re-encoding; exit 1 on any mismatch'),
      (argv) => {
        let file: Buffer;
        try {
          file = readFileSync(argv.file);
        } catch (err) {
          throw new Error(`cannot read ${argv.file}: ${(err as Error).message}`);
        }
        const summary: VerifySummary = { messages: 0, exact: 0, malformed: 0, mismatched: 0 };
        const options = argv.port && argv.port.length > 0 ? { verify: argv.verify, ports: argv.port } : { verify: argv.verify };
        try {
          for (const line of decodeCapture(file, options, summary)) out(JSON.stringify(line.json));
        } catch (err) {
          if (err instanceof CaptureFormatError) throw new Error(`${argv.file}: ${err.message}`);
          throw err;
        }
        if (argv.verify) {
          out(
            `verify: ${summary.messages} messages, ${summary.exact} byte-exact, ${summary.malformed} malformed, ${summary.mismatched} mismatched`,
          );
          if (summary.mismatched > 0) process.exitCode = 1;
        }
      },
    )
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
