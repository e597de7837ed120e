#!/usr/bin/env node
// Keeps one private-member style: ECMAScript `#` members, private at run time too. Fails (exit 1)
// on any TypeScript `private` modifier (field, method, accessor or constructor parameter
// property; a private constructor, which has no `#` form, is allowed) in the sources of the
// packages, examples, benchmarks and documentation examples, and lists each with its file and line. `protected` is allowed. Run by `npm run lint`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ts = createRequire(join(root, 'package.json'))('typescript');
const SCOPE =
  /^(packages\/[^/]+\/(src|test)|packages\/cli\/templates\/plugin\/(src|test)|examples\/[^/]+\/(src|test)|benchmarks|docs\/examples)\/.*\.tsx?$/;

const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter((file) => SCOPE.test(file) && !file.endsWith('.d.ts') && !file.includes('node_modules/'));

const offences = [];
for (const file of files) {
  let text;
  try {
    text = readFileSync(join(root, file), 'utf8');
  } catch {
    continue; // listed by git but deleted in the work tree
  }
  if (!/\bprivate\b/.test(text)) continue;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    // A private constructor has no `#` form (it keeps a class to its static factories).
    if (node.kind === ts.SyntaxKind.PrivateKeyword && !ts.isConstructorDeclaration(node.parent)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      offences.push(`${file}:${line + 1}: ${text.split('\n')[line].trim()}`);
    }
    ts.forEachChild(node, visit);
  };
  // Modifiers are children of their declarations; visit every token-bearing node.
  visit(source);
}

if (offences.length > 0) {
  console.error(`TypeScript \`private\` members found (use ECMAScript #private members instead):`);
  for (const offence of offences) console.error(`  ${offence}`);
  process.exit(1);
}
