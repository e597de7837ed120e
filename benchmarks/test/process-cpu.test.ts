import { describe, expect, it } from 'vitest';
import { parseProcessStat, processStatUnits, readProcessCpu } from '../lib/process-cpu.js';

/** A `/proc/<pid>/stat` line as Linux writes it (52 fields), with a command name that has spaces and `)`. */
const LINE =
  '4242 (node (worker) 1) S 4200 4200 11324 0 -1 4194560 51234 0 12 0 1234 567 0 0 20 0 11 0 2212571 1234567168 45678 18446744073709551615 1 1 0 0 0 0 0 16781312 17922 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n';

describe('parseProcessStat', () => {
  it('reads utime, stime and rss counted from the last ")" of the command name', () => {
    expect(parseProcessStat(LINE)).toEqual({
      command: 'node (worker) 1',
      userTicks: 1234,
      systemTicks: 567,
      residentPages: 45678,
    });
  });

  it('refuses a line without a command name, or one cut short, saying which field is missing', () => {
    expect(() => parseProcessStat('4242 S 4200')).toThrow(/not a \/proc\/<pid>\/stat line/);
    expect(() => parseProcessStat('4242 (node) S 4200 4200 11324 0 -1 4194560 51234 0 12 0')).toThrow(
      /field 14 \(utime\)/,
    );
  });
});

describe('readProcessCpu', () => {
  it('agrees with getrusage (process.cpuUsage) on CPU burnt by this process, to within a few clock ticks', () => {
    const tickMs = 1000 / processStatUnits().ticksPerSecond;
    const before = readProcessCpu(process.pid).cpuMs;
    const usageBefore = process.cpuUsage();
    const end = performance.now() + 400;
    let spins = 0;
    while (performance.now() < end) spins++;
    const usage = process.cpuUsage(usageBefore);
    const burnt = readProcessCpu(process.pid).cpuMs - before;
    expect(spins).toBeGreaterThan(0);
    expect(burnt).toBeGreaterThan(100);
    // /proc counts whole ticks, and both sides include this process's other threads.
    expect(Math.abs(burnt - (usage.user + usage.system) / 1000)).toBeLessThanOrEqual(4 * tickMs);
  });

  it('reads resident memory close to process.memoryUsage().rss', () => {
    const { rssBytes } = readProcessCpu(process.pid);
    const rss = process.memoryUsage().rss;
    expect(Math.abs(rssBytes - rss) / rss).toBeLessThan(0.05);
  });

  it('throws for a process that does not exist', () => {
    expect(() => readProcessCpu(2 ** 22 + 1)).toThrow(/ENOENT/);
  });
});
