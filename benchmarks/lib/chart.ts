/**
 * A chart of a benchmark's results: one horizontal bar per case at its p50, a tick at its p99, a
 * panel per unit, Voxline's cases coloured apart from peers'. Drawn by Vega-Lite and rendered to
 * SVG by Vega in Node (no browser, no canvas), so the chart sits next to the markdown table.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { BenchmarkRow } from './report.js';

/** Who a case measures, from its name: Voxline's own cases, or a peer or reference. */
function sideOf(row: BenchmarkRow): 'Voxline' | 'peer or reference' {
  const name = row.case.toLowerCase();
  const isPeer =
    /\bpeer\b|reference|transformstream|node transform|alawmulaw|libsamplerate|speex|livekit/.test(name);
  return isPeer ? 'peer or reference' : 'Voxline';
}

/** Whether a unit's values span enough to need a log scale (more than 100× between them). */
function wantsLogScale(values: readonly number[]): boolean {
  const positive = values.filter((value) => value > 0);
  if (positive.length < 2) return false;
  return Math.max(...positive) / Math.min(...positive) > 100;
}

/**
 * Renders the chart of `rows` as an SVG document. Rows without a finite, positive p50 are left
 * out (a log scale cannot show them, and a missing figure is not a bar).
 */
export async function renderChartSvg(title: string, rows: readonly BenchmarkRow[]): Promise<string> {
  const values = rows
    .map((row, order) => ({
      case: row.case,
      // Case names repeat across steps (e.g. per-call latency at two call counts): keep bars apart.
      label: `${String(order + 1).padStart(2, '0')} ${row.case}`,
      unit: row.unit,
      p50: row.p50,
      p99: row.p99,
      side: sideOf(row),
    }))
    .filter((row) => Number.isFinite(row.p50) && row.p50 > 0);
  const units = [...new Set(values.map((row) => row.unit))];
  const panels = units.map((unit) => {
    const unitRows = values.filter((row) => row.unit === unit);
    const log = wantsLogScale(unitRows.flatMap((row) => [row.p50, row.p99]));
    const x = {
      field: 'p50',
      type: 'quantitative' as const,
      // Bars are not stacked: a stack would start them at 0, which a log scale cannot show.
      stack: null,
      title: `p50 (bar) and p99 (tick), ${unit}${log ? ', log scale' : ''}`,
      scale: log ? { type: 'log' as const } : { zero: true },
    };
    const y = {
      field: 'label',
      type: 'nominal' as const,
      sort: null,
      title: null,
      axis: { labelLimit: 1000, labelExpr: 'slice(datum.label, 3)' },
    };
    return {
      data: { values: unitRows },
      height: { step: 16 },
      width: 360,
      layer: [
        {
          mark: { type: 'bar' as const },
          encoding: {
            x,
            y,
            color: {
              field: 'side',
              type: 'nominal' as const,
              title: null,
              scale: { domain: ['Voxline', 'peer or reference'], range: ['#2b6cb0', '#a0aec0'] },
            },
          },
        },
        {
          mark: { type: 'tick' as const, color: '#1a202c', thickness: 2 },
          transform: [{ filter: 'isValid(datum.p99) && isFinite(datum.p99) && datum.p99 > 0' }],
          encoding: { x: { ...x, field: 'p99' }, y },
        },
      ],
    };
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start' },
    background: 'white',
    vconcat: panels,
    resolve: { scale: { x: 'independent' } },
  } as unknown as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
