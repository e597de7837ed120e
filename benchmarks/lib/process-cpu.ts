/**
 * CPU time and resident memory of another process, read from Linux's `/proc/<pid>/stat` (see
 * proc(5), https://man7.org/linux/man-pages/man5/proc.5.html). Read from outside, so a benchmark
 * can add up the CPU of several server processes (a `node:cluster` primary and its workers)
 * without asking them, and reading costs the measured processes nothing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The fields of one `/proc/<pid>/stat` line a benchmark needs. */
export interface ProcessStat {
  /** Field 2, `comm`: the command name, without its parentheses (it may hold spaces and parentheses). */
  command: string;
  /** Field 14, `utime`: CPU time in user mode, in clock ticks. */
  userTicks: number;
  /** Field 15, `stime`: CPU time in kernel mode, in clock ticks. */
  systemTicks: number;
  /** Field 24, `rss`: resident set size, in pages. */
  residentPages: number;
}

/**
 * Parses one `/proc/<pid>/stat` line. Field 2 is the command name in parentheses and may itself
 * contain spaces and `)`, so the fields after it are counted from the line's last `)`.
 *
 * @throws Error if the line has no `(…)` command name or fewer than 24 fields, or a needed field
 *   is not a whole number.
 */
export function parseProcessStat(line: string): ProcessStat {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(line)}`);
  // After the command name: field 3 (state) is index 0, so field n is index n - 3.
  const fields = line
    .slice(close + 2)
    .trim()
    .split(' ');
  const field = (number: number, name: string) => {
    const text = fields[number - 3];
    if (text === undefined || !/^\d+$/.test(text)) {
      throw new Error(`/proc/<pid>/stat field ${number} (${name}) is ${JSON.stringify(text)}, not a count`);
    }
    return Number(text);
  };
  return {
    command: line.slice(open + 1, close),
    userTicks: field(14, 'utime'),
    systemTicks: field(15, 'stime'),
    residentPages: field(24, 'rss'),
  };
}

let systemUnits: { ticksPerSecond: number; pageBytes: number } | undefined;

/**
 * Clock ticks per second (`sysconf(_SC_CLK_TCK)`) and the page size in bytes, from `getconf`
 * (read once). Falls back to Linux's usual 100 and 4096 where `getconf` is missing.
 */
export function processStatUnits(): { ticksPerSecond: number; pageBytes: number } {
  if (systemUnits === undefined) {
    const read = (name: string, fallback: number) => {
      try {
        const value = Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim());
        return Number.isInteger(value) && value > 0 ? value : fallback;
      } catch {
        return fallback;
      }
    };
    systemUnits = { ticksPerSecond: read('CLK_TCK', 100), pageBytes: read('PAGESIZE', 4096) };
  }
  return systemUnits;
}

/** One reading of a process's CPU and memory. */
export interface ProcessCpuReading {
  /** CPU time, user + system, in ms (resolution: one clock tick, 10 ms on most Linux systems). */
  cpuMs: number;
  /** Resident set size, bytes. */
  rssBytes: number;
}

/**
 * Reads process `pid`'s CPU time (user + system, its threads included) and resident memory.
 *
 * @throws Error if the process does not exist (any more) or /proc is not readable.
 */
export function readProcessCpu(pid: number): ProcessCpuReading {
  const stat = parseProcessStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  const { ticksPerSecond, pageBytes } = processStatUnits();
  return {
    cpuMs: ((stat.userTicks + stat.systemTicks) * 1000) / ticksPerSecond,
    rssBytes: stat.residentPages * pageBytes,
  };
}
