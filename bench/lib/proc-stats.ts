/**
 * Resource use of a benchmark target, read from /proc: peak resident memory (`VmHWM` of /proc/PID/status) and CPU
 * time (utime + stime of /proc/PID/stat), summed over the process and its descendants — OpenBGPD runs as three
 * processes (parent, session engine, route decision engine), every other target as one. The sum of the peaks
 * can exceed the peak of the sum; for a single process they are the same.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Fields of /proc/PID/stat after the command name (which may contain spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** `pid` and every live descendant. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (f === undefined) continue;
    const ppid = Number(f[1]); // field 4 of stat: ppid
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const todo = [pid];
  while (todo.length > 0) {
    const p = todo.pop() as number;
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

function statusKiB(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export interface TreeStats {
  /** Sum of VmHWM, bytes. */
  readonly peakRss: number;
  /** Sum of VmRSS now, bytes. */
  readonly rss: number;
  /** Sum of utime + stime, seconds. */
  readonly cpuSeconds: number;
  readonly processes: number;
}

/** Peak RSS and CPU time of `pid` and its descendants, now. */
export function treeStats(pid: number): TreeStats {
  let hwm = 0;
  let rss = 0;
  let ticks = 0;
  const pids = processTree(pid);
  for (const p of pids) {
    hwm += statusKiB(p, 'VmHWM');
    rss += statusKiB(p, 'VmRSS');
    const f = statFields(p);
    if (f !== undefined) ticks += Number(f[11]) + Number(f[12]); // stat fields 14 and 15
  }
  return { peakRss: hwm * 1024, rss: rss * 1024, cpuSeconds: ticks / clockTicks(), processes: pids.length };
}
