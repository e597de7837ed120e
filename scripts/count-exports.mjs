#!/usr/bin/env node
// Counts the public API: for every entry point a package declares in its package.json `exports`
// (".", "./testing", "./processor-kit", ...), the named exports a user can import from it, values
// and types alike. Reads the sources (the `@voxline/source` condition of each entry) with the
// TypeScript compiler API, so no build is needed; an export whose declaration carries `@internal`
// in its docstring is not counted, because the build (`stripInternal`) leaves it out of the
// published .d.ts.
//
//   node scripts/count-exports.mjs            # table: package, entry, count, then the total
//   node scripts/count-exports.mjs --names    # also lists each entry's names
//   node scripts/count-exports.mjs --json     # { entries: [{ package, entry, count, names }], total }
//
// Exits 1 when an entry's source file is missing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { names: { type: 'boolean' }, json: { type: 'boolean' } } });

const entries = [];
for (const name of readdirSync(join(root, 'packages')).sort()) {
  const directory = join(root, 'packages', name);
  const manifestPath = join(directory, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  for (const [entry, target] of Object.entries(manifest.exports ?? {})) {
    const source = typeof target === 'object' ? target['@voxline/source'] : undefined;
    if (source === undefined) continue;
    const file = join(directory, source);
    if (!existsSync(file)) {
      console.error(`${manifest.name} ${entry}: ${source} does not exist`);
      process.exit(1);
    }
    entries.push({ package: manifest.name, entry, file });
  }
}

const program = ts.createProgram(
  entries.map((entry) => entry.file),
  {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    customConditions: ['@voxline/source'],
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  },
);
const checker = program.getTypeChecker();

const rows = entries.map((entry) => {
  const sourceFile = program.getSourceFile(entry.file);
  const moduleSymbol = sourceFile === undefined ? undefined : checker.getSymbolAtLocation(sourceFile);
  const exported = moduleSymbol === undefined ? [] : checker.getExportsOfModule(moduleSymbol);
  const names = exported
    .filter((symbol) => !isInternal(symbol))
    .map((symbol) => symbol.getName())
    .sort();
  return { package: entry.package, entry: entry.entry, count: names.length, names };
});
const total = rows.reduce((sum, row) => sum + row.count, 0);

if (values.json) {
  console.log(JSON.stringify({ entries: rows, total }, null, 2));
} else {
  const packageWidth = Math.max('package'.length, ...rows.map((row) => row.package.length));
  const entryWidth = Math.max('entry'.length, ...rows.map((row) => row.entry.length));
  console.log(`| ${'package'.padEnd(packageWidth)} | ${'entry'.padEnd(entryWidth)} | count |`);
  console.log(`| ${'-'.repeat(packageWidth)} | ${'-'.repeat(entryWidth)} | ----: |`);
  for (const row of rows) {
    console.log(
      `| ${row.package.padEnd(packageWidth)} | ${row.entry.padEnd(entryWidth)} | ${String(row.count).padStart(5)} |`,
    );
    if (values.names) console.log(`    ${row.names.join(', ')}`);
  }
  console.log(`\n${total} named exports in ${rows.length} entry points.`);
}

/** Whether every declaration of the symbol an export stands for is marked `@internal`. */
function isInternal(symbol) {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const declarations = target.getDeclarations() ?? [];
  return (
    declarations.length > 0 &&
    declarations.every((declaration) =>
      ts.getJSDocTags(declaration).some((tag) => tag.tagName.getText() === 'internal'),
    )
  );
}
