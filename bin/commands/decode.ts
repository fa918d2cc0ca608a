/**
 * `tsbgpd decode FILE [--verify] [--port N…]`: every BGP message of a pcap/pcapng capture as one JSON line.
 */
import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { decodeCapture, type VerifySummary } from '../../lib/inspect/index.js';
import { CaptureFormatError } from '../../lib/capture/index.js';
import { out, UsageError } from './io.js';

export function decodeCommand(yargs: Argv): Argv {
  return yargs.command(
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
        throw new UsageError(`cannot read ${argv.file}: ${(err as Error).message}`);
      }
      const summary: VerifySummary = { messages: 0, exact: 0, malformed: 0, mismatched: 0 };
      const options = argv.port && argv.port.length > 0 ? { verify: argv.verify, ports: argv.port } : { verify: argv.verify };
      try {
        for (const line of decodeCapture(file, options, summary)) out(JSON.stringify(line.json));
      } catch (err) {
        if (err instanceof CaptureFormatError) throw new UsageError(`${argv.file}: ${err.message}`);
        throw err;
      }
      if (argv.verify) {
        out(`verify: ${summary.messages} messages, ${summary.exact} byte-exact, ${summary.malformed} malformed, ${summary.mismatched} mismatched`);
        if (summary.mismatched > 0) process.exitCode = 1;
      }
    },
  );
}
