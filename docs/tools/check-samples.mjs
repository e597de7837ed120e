#!/usr/bin/env node
// Checks that every TypeScript sample in the documentation is compiled code: each ```ts block in
// docs/*.md must be preceded by a marker naming a region of a file under docs/examples,
//
//   <!-- sample: examples/compose-a-pipeline.ts#server -->
//   ```ts
//   ...
//   ```
//
// and must equal that region (the lines between `// #region server` and `// #endregion server`,
// with their common indentation removed). A ```json block preceded by a marker without a region,
//
//   <!-- sample: examples/turns.json -->
//
// must equal that whole file (JSON has no comments to mark a region); a JSON file under
// docs/examples is loaded by a test there, so the sample is run, not only parsed. The example files are type-checked with the rest of
// the repository (tsconfig.json includes docs/examples) and the ones that need no network run as
// tests (docs/examples/*.test.ts), so a sample that no longer compiles, or no longer matches the
// code that does, fails here. Exit code 0 when every sample matches, 1 otherwise.
//
// `--write` copies each differing region into its page instead (run it after changing an example).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..');
const MARKER = /^<!--\s*sample:\s*(\S+?)#([\w-]+)\s*-->$/;
const WHOLE_FILE_MARKER = /^<!--\s*sample:\s*(\S+?\.json)\s*-->$/;
const FENCE = /^```(\w*)\s*$/;

/** The lines of region `name` of `file`, dedented; undefined when the file has no such region. */
function readRegion(file, name) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const start = lines.findIndex((line) => line.trim() === `// #region ${name}`);
  const end = lines.findIndex((line, index) => index > start && line.trim() === `// #endregion ${name}`);
  if (start === -1 || end === -1) return undefined;
  const body = lines.slice(start + 1, end).filter((line) => !/^\s*\/\/ #(end)?region /.test(line));
  const indent = Math.min(
    ...body.filter((line) => line.trim() !== '').map((line) => line.match(/^ */)[0].length),
  );
  return body
    .map((line) => line.slice(Number.isFinite(indent) ? indent : 0).trimEnd())
    .join('\n')
    .trim();
}

const write = process.argv.includes('--write');
const problems = [];
let checked = 0;
let written = 0;
for (const name of readdirSync(docs)
  .filter((file) => file.endsWith('.md'))
  .sort()) {
  const path = join(docs, name);
  const lines = readFileSync(path, 'utf8').split('\n');
  const replacements = [];
  for (let index = 0; index < lines.length; index++) {
    const fence = lines[index].match(FENCE);
    const wholeFile = fence?.[1] === 'json' ? (lines[index - 1] ?? '').trim().match(WHOLE_FILE_MARKER) : null;
    if (wholeFile) {
      const at = `${relative(process.cwd(), path)}:${index + 1}`;
      let end = index + 1;
      while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
      const sample = lines
        .slice(index + 1, end)
        .join('\n')
        .trim();
      index = end;
      let expected;
      try {
        expected = readFileSync(join(docs, wholeFile[1]), 'utf8').trim();
      } catch {
        problems.push(`${at}: ${wholeFile[1]} does not exist`);
        continue;
      }
      if (expected !== sample)
        problems.push(`${at}: the sample differs from ${wholeFile[1]}; copy the file into the page`);
      else checked++;
      continue;
    }
    if (fence === null || !['ts', 'typescript', 'js', 'javascript'].includes(fence[1])) {
      // Skip over non-TypeScript blocks whole, so their contents are not read as fences.
      if (fence !== null) while (++index < lines.length && !FENCE.test(lines[index]));
      continue;
    }
    const at = `${relative(process.cwd(), path)}:${index + 1}`;
    let end = index + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    const sample = lines
      .slice(index + 1, end)
      .map((line) => line.trimEnd())
      .join('\n')
      .trim();
    const marker = (lines[index - 1] ?? '').trim().match(MARKER);
    const fenceAt = index;
    index = end;
    if (marker === null) {
      problems.push(
        `${at}: a TypeScript sample needs a marker on the line before it: <!-- sample: examples/<file>.ts#<region> -->`,
      );
      continue;
    }
    const [, file, region] = marker;
    let expected;
    try {
      expected = readRegion(join(docs, file), region);
    } catch {
      problems.push(`${at}: ${file} does not exist`);
      continue;
    }
    if (expected === undefined)
      problems.push(
        `${at}: ${file} has no region '${region}' (// #region ${region} ... // #endregion ${region})`,
      );
    else if (expected !== sample && write) replacements.push({ first: fenceAt + 1, last: end, expected });
    else if (expected !== sample)
      problems.push(
        `${at}: the sample differs from ${file}#${region}; copy the region into the page (or run with --write)`,
      );
    else checked++;
  }
  if (replacements.length > 0) {
    for (const { first, last, expected } of replacements.reverse()) {
      lines.splice(first, last - first, ...expected.split('\n'));
    }
    writeFileSync(path, lines.join('\n'));
    written += replacements.length;
  }
}
if (written > 0) console.log(`${written} documentation sample(s) rewritten from their examples.`);

if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`\n${problems.length} documentation sample(s) do not match compiled code (${checked} do).`);
  process.exit(1);
}
console.log(`${checked} documentation samples match their compiled examples.`);
