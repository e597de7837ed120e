/**
 * Shared reporting for benchmarks: percentiles, the machine a result was measured on, and the
 * JSON, markdown and SVG chart files under benchmarks/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderChartSvg } from './chart.js';

/** One measured case. Times in the row's `unit`. */
export interface BenchmarkRow {
  benchmark: string;
  case: string;
  unit: string;
  p50: number;
  p99: number;
  samples: number;
  /** Free text comparing this row with a peer measured in the same run. */
  ratio?: string;
  /** Extra measured figures (quality, allocations ...), shown in the markdown table. */
  extra?: Record<string, string | number>;
}

/** The machine and runtime a result was measured on. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  date: string;
}

/** Linear-interpolated percentile `p` (0-100) of `values`; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low] as number;
  return lowValue + ((sorted[high] as number) - lowValue) * (rank - low);
}

/** Describes this machine. */
export function machineInfo(): MachineInfo {
  const cpuList = cpus();
  return {
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString(),
  };
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** The results directory (benchmarks/results). */
export const resultsDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/**
 * Writes `<name>.json`, `<name>.md` and the chart `<name>.svg` under benchmarks/results (or
 * `<name>.quick.*` for smoke runs, which are not results) and prints the markdown table.
 */
export async function writeResults(
  name: string,
  report: { title: string; notes: string[]; rows: BenchmarkRow[]; quick: boolean },
): Promise<void> {
  const machine = machineInfo();
  const suffix = report.quick ? '.quick' : '';
  mkdirSync(resultsDirectory, { recursive: true });
  writeFileSync(
    join(resultsDirectory, `${name}${suffix}.json`),
    `${JSON.stringify({ ...report, machine }, null, 2)}\n`,
  );
  const chartFile = `${name}${suffix}.svg`;
  writeFileSync(join(resultsDirectory, chartFile), await renderChartSvg(report.title, report.rows));
  const extraKeys = [...new Set(report.rows.flatMap((row) => Object.keys(row.extra ?? {})))];
  const lines = [
    `# ${report.title}`,
    '',
    `Measured ${machine.date.slice(0, 10)} on ${machine.cpu} (${machine.cores} cores, ${machine.memoryGiB} GiB), Node ${machine.node}${report.quick ? ' — quick smoke run, not a result' : ''}.`,
    '',
    ...report.notes.map((note) => `- ${note}`),
    '',
    `![${report.title}](${chartFile})`,
    '',
    `| case | p50 | p99 | unit | samples | ${[...extraKeys, 'comparison'].join(' | ')} |`,
    `|---|---:|---:|---|---:|${[...extraKeys, 'comparison'].map(() => '---').join('|')}|`,
    ...report.rows.map(
      (row) =>
        `| ${row.case} | ${formatNumber(row.p50)} | ${formatNumber(row.p99)} | ${row.unit} | ${row.samples} | ${[
          ...extraKeys.map((key) => {
            const value = row.extra?.[key];
            return typeof value === 'number' ? formatNumber(value) : (value ?? '');
          }),
          row.ratio ?? '',
        ].join(' | ')} |`,
    ),
    '',
  ];
  const markdown = lines.join('\n');
  writeFileSync(join(resultsDirectory, `${name}${suffix}.md`), markdown);
  console.log(markdown);
}
