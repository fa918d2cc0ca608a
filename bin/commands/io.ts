/** Output helpers shared by the commands. */

/** Bad usage or input: the command exits 2 with this message. */
export class UsageError extends Error {}

export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}
