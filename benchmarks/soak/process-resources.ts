/**
 * What an operating-system process holds, read from Linux's /proc: resident memory, threads, open
 * file descriptors and descendant processes (children, their children, ...). Read from outside
 * the process, so reading costs the measured process nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** One reading of {@link readProcessResources}. */
export interface ProcessResources {
  /** Resident set size (`VmRSS`), bytes. */
  rssBytes: number;
  /** Threads of the process (`Threads`), worker threads and native pools included. */
  threads: number;
  /** Entries of `/proc/<pid>/fd`. */
  openFds: number;
  /**
   * Live processes descended from it (a recognizer is `sh`, `cat` and `pocketsphinx_continuous`),
   * except those named in `ignoredCommands` and their own descendants.
   */
  descendants: number;
  /** Resident memory of those descendants together (`VmRSS`), bytes. */
  descendantsRssBytes: number;
}

/**
 * Reads the resources of process `pid`.
 *
 * @param ignoredCommands - command names (`/proc/<id>/comm`) not counted as descendants, e.g.
 *   `esbuild`, the service tsx starts in a process (and each of its worker threads) that runs
 *   TypeScript sources.
 * @throws Error if the process does not exist (any more) or /proc is not readable.
 */
export function readProcessResources(pid: number, ignoredCommands: readonly string[] = []): ProcessResources {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status);
    if (match?.[1] === undefined) throw new Error(`/proc/${pid}/status has no ${name}`);
    return Number(match[1]);
  };
  return {
    rssBytes: field('VmRSS') * 1024,
    threads: field('Threads'),
    openFds: readdirSync(`/proc/${pid}/fd`).length,
    ...descendantsOf(pid, ignoredCommands),
  };
}

/**
 * Processes whose ancestry leads to `pid`, from the parent ids in every `/proc/<id>/stat`: how
 * many, and their resident memory together.
 */
function descendantsOf(
  pid: number,
  ignoredCommands: readonly string[],
): { descendants: number; descendantsRssBytes: number } {
  const childrenOf = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue; // exited while the list was read
    }
    // Field 2 is the command name in parentheses (it may hold spaces); field 4 the parent id.
    const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (ignoredCommands.includes(command)) continue;
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const siblings = childrenOf.get(parent);
    if (siblings === undefined) childrenOf.set(parent, [Number(entry)]);
    else siblings.push(Number(entry));
  }
  let count = 0;
  let rssBytes = 0;
  const pending = [...(childrenOf.get(pid) ?? [])];
  while (pending.length > 0) {
    const next = pending.pop() as number;
    count++;
    try {
      const rss = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${next}/status`, 'latin1'));
      rssBytes += Number(rss?.[1] ?? 0) * 1024;
    } catch {
      // exited since the list was read
    }
    pending.push(...(childrenOf.get(next) ?? []));
  }
  return { descendants: count, descendantsRssBytes: rssBytes };
}
