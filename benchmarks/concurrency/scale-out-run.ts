/**
 * The scale-out comparison on its own (scale-out.ts): the same N echo calls against one server
 * process and against 2 `node:cluster` workers sharing one port, in one run. Writes
 * benchmarks/results/concurrency-scale-out.{json,md,svg} (`.quick.*` with `--quick`).
 *
 * Run: node --conditions=@voxline/source --import tsx benchmarks/concurrency/scale-out-run.ts [--quick]
 * (`--quick`: one step of 20 calls per shape, streaming 2 s; about 20 s.)
 */
import { loadNote } from '../lib/measure.js';
import { writeResults } from '../lib/report.js';
import { runScaleOutRows, scaleOutNotes } from './scale-out.js';

const quick = process.argv.includes('--quick');
const notes = [loadNote('at the start of the run')];
const rows = await runScaleOutRows({ quick });
notes.push(...scaleOutNotes(quick), loadNote('at the end of the run'));
await writeResults('concurrency-scale-out', {
  title: 'Scale-out: echo calls on one process against 2 node:cluster workers sharing a port',
  notes,
  rows,
  quick,
});
