#!/usr/bin/env node
// Checks docs/errors.md against the code: every error class under packages/*/src and every code it
// carries must be in the page, and the page must name no class or code the code does not have.
// It also checks the convention the page states: every error class extends VoxlineError, every
// code is kebab-case, no bad option is reported with a bare RangeError or TypeError, and no
// source file throws or rejects with a plain `new Error(` (it has no code). Exempt from that last
// rule: packages/core/src/errors/to-error.ts (it turns a thrown non-Error into an Error, keeping
// it as the cause), files under src/testing (test tools; their failures are the test's), the Flite
// worker script packages/local/src/flite/flite-worker-source.ts (source text run in a worker
// thread: its errors never leave the thread as objects; they cross as messages and
// FliteSynthesizer wraps them in a FliteError). The Silero child process script
// (packages/silero/child) is outside src/ for the same reason: its failures cross as messages.
//
// A class is any `class X extends Y` whose chain of `extends` reaches `Error`. Its codes are read
// from its body: `declare readonly code: ...` or `override readonly code: ...` (string literals,
// or a type alias of string literals declared in the same package), else the code literal it
// passes to `super(...)`; a class without either carries its parent's codes. A subclass of
// InvalidOptionError carries 'invalid-option'. A class that is never constructed itself documents
// only the codes none of its subclasses carries (AudioError's codes are documented with the
// subclass that throws each). The codes of `new VoxlineError('code', ...)` are VoxlineError's.
//
// In the page, each class is a heading `### \`ClassName\`` followed by a table whose rows start
// with a code in backticks: | `code` | what it means | what to do |.
//
// Exit code 0 when the page and the code agree, 1 otherwise (each difference is printed).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const page = join(root, 'docs', 'errors.md');
const KEBAB_CASE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const problems = [];

/** Every .ts file under `directory`, recursively. */
function sourceFiles(directory) {
  const files = [];
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/**
 * `text` without comments, so that quoted words in docstrings are not read as codes; lines are
 * kept, so line numbers still point into the file.
 */
function withoutComments(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ''))
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** The single-quoted string literals of a type expression. */
function literalsOf(typeText) {
  return [...typeText.matchAll(/'([^'\n]*)'/g)].map((match) => match[1]);
}

/** The text of a class body: from the `{` after `start` to its matching `}`. */
function bodyFrom(text, start) {
  const open = text.indexOf('{', start);
  let depth = 0;
  for (let index = open; index < text.length; index++) {
    if (text[index] === '{') depth++;
    else if (text[index] === '}' && --depth === 0) return text.slice(open + 1, index);
  }
  return text.slice(open + 1);
}

const classes = new Map();
const typeAliases = new Map();
const constructed = new Set();
/** Codes of `new VoxlineError('code', ...)`: failures too rare for a class of their own. */
const baseCodes = new Set();
/** Files and folders allowed a plain `new Error(`; see the header comment for why each. */
const PLAIN_ERROR_EXEMPT = [
  /^packages\/core\/src\/errors\/to-error\.ts$/,
  /^packages\/[^/]+\/src\/testing\//,
  /^packages\/local\/src\/flite\/flite-worker-source\.ts$/,
];
const packagesDirectory = join(root, 'packages');
for (const packageName of readdirSync(packagesDirectory)) {
  const sourceDirectory = join(packagesDirectory, packageName, 'src');
  try {
    statSync(sourceDirectory);
  } catch {
    continue;
  }
  for (const file of sourceFiles(sourceDirectory)) {
    const text = withoutComments(readFileSync(file, 'utf8'));
    const where = relative(root, file);
    for (const match of text.matchAll(/export type (\w+)\s*=([^;]*);/g)) {
      typeAliases.set(`${packageName}:${match[1]}`, literalsOf(match[2]));
    }
    for (const match of text.matchAll(/class (\w+) extends (\w+)/g)) {
      classes.set(match[1], {
        name: match[1],
        parent: match[2],
        packageName,
        where,
        body: bodyFrom(text, match.index + match[0].length),
      });
    }
    for (const match of text.matchAll(/new (\w+)\(/g)) constructed.add(match[1]);
    for (const match of text.matchAll(/new VoxlineError\(\s*'([^']*)'/g)) baseCodes.add(match[1]);
    const portablePath = where.split('\\').join('/');
    if (!PLAIN_ERROR_EXEMPT.some((pattern) => pattern.test(portablePath))) {
      for (const match of text.matchAll(/\bnew Error\(/g)) {
        const line = text.slice(0, match.index).split('\n').length;
        problems.push(`${where}:${line}: a plain \`new Error(\` has no code; throw a VoxlineError subclass`);
      }
    }
    for (const match of text.matchAll(/throw new (RangeError|TypeError)\(/g)) {
      const line = text.slice(0, match.index).split('\n').length;
      problems.push(`${where}:${line}: a bad option throws a bare ${match[1]}; throw InvalidOptionError`);
    }
  }
}

/** The chain of parents of `name` up to a class not defined in the packages (e.g. `Error`). */
function ancestorsOf(name) {
  const chain = [];
  for (let current = classes.get(name); current !== undefined; current = classes.get(current.parent)) {
    chain.push(current.parent);
  }
  return chain;
}

const errorClasses = [...classes.values()].filter((entry) => {
  const chain = ancestorsOf(entry.name);
  return /(Error|Exception)$/.test(chain.at(-1) ?? '');
});

/** The codes a class may carry, from its own body or its parent's. */
function declaredCodes(entry) {
  if (entry.name === 'InvalidOptionError' || ancestorsOf(entry.name).includes('InvalidOptionError')) {
    return ['invalid-option'];
  }
  const declared = entry.body.match(/(?:declare|override) readonly code:\s*([^;,)]*(?:\|[^;,)]*)*)[;,)]/);
  if (declared !== null) {
    const typeText = declared[1].trim();
    if (/^\w+$/.test(typeText) && typeText !== 'string') {
      const alias = typeAliases.get(`${entry.packageName}:${typeText}`);
      if (alias === undefined)
        problems.push(`${entry.where}: ${entry.name}: code type ${typeText} not found`);
      return alias ?? [];
    }
    return literalsOf(typeText);
  }
  const superCall = entry.body.match(/super\(\s*'([^']*)'/);
  if (superCall !== null) return [superCall[1]];
  const parent = classes.get(entry.parent);
  return parent === undefined ? [] : declaredCodes(parent);
}

const codesInCode = new Map([['VoxlineError', baseCodes]]);
for (const entry of errorClasses) {
  if (entry.name === 'VoxlineError') continue;
  if (!ancestorsOf(entry.name).includes('VoxlineError')) {
    problems.push(`${entry.where}: ${entry.name} extends ${entry.parent}, not VoxlineError`);
  }
  const ownCodes = new Set(declaredCodes(entry));
  if (!constructed.has(entry.name)) {
    for (const other of errorClasses) {
      if (other.parent === entry.name) for (const code of declaredCodes(other)) ownCodes.delete(code);
    }
  }
  for (const code of ownCodes) {
    if (!KEBAB_CASE.test(code))
      problems.push(`${entry.where}: ${entry.name}: code '${code}' is not kebab-case`);
  }
  codesInCode.set(entry.name, ownCodes);
}
for (const code of baseCodes) {
  if (!KEBAB_CASE.test(code)) problems.push(`VoxlineError: code '${code}' is not kebab-case`);
}

const codesInPage = new Map();
let current;
for (const line of readFileSync(page, 'utf8').split('\n')) {
  const heading = line.match(/^### `(\w+)`/);
  if (heading !== null) {
    current = new Set();
    codesInPage.set(heading[1], current);
    continue;
  }
  if (/^#{1,3} /.test(line)) current = undefined;
  const row = line.match(/^\| `([^`]+)` \|/);
  if (row !== null && current !== undefined) current.add(row[1]);
}

for (const [name, codes] of codesInCode) {
  const documented = codesInPage.get(name);
  if (documented === undefined) {
    problems.push(`docs/errors.md: ${name} (${classes.get(name).where}) is not documented`);
    continue;
  }
  for (const code of codes) {
    if (!documented.has(code)) problems.push(`docs/errors.md: ${name}: code '${code}' is not documented`);
  }
  for (const code of documented) {
    if (!codes.has(code)) problems.push(`docs/errors.md: ${name}: code '${code}' does not exist in the code`);
  }
}
for (const name of codesInPage.keys()) {
  if (!codesInCode.has(name)) {
    problems.push(`docs/errors.md: ${name} is not an error class in packages/*/src`);
  }
}

if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  console.error(`check-error-reference: ${problems.length} problem(s)`);
  process.exit(1);
}
const codeCount = [...codesInCode.values()].reduce((sum, codes) => sum + codes.size, 0);
console.log(`check-error-reference: ${codesInCode.size} error classes and ${codeCount} codes documented`);
