// A TypeDoc plugin for the API reference of the workspace:
// - names each entry-point module after its npm package (`@voxline/core`, `@voxline/core/testing`)
//   instead of its path (`core/src`, `core/src/testing`);
// - gives each module the leading doc comment of its entry file as its description (TypeDoc only
//   takes it when tagged `@packageDocumentation`, and the packages' index files are not);
// - shows each package's README.md on its module page, and makes links to that README (from the
//   guides, the project README, other READMEs) go to the module page; TypeDoc would otherwise copy
//   the files as raw `media/README-1.md`;
// - names each guide after its title (front matter `title`, else its first `# ` heading) instead of
//   its file name, and orders the guides as the documentation index (docs/README.md) lists them,
//   the index first; a guide the index does not list comes last. The `sort` option must leave
//   documents in place (`alphabetical-ignoring-documents`).
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Comment, Converter, MinimalSourceFile, normalizePath, ReflectionKind } from 'typedoc';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..');
const packages = join(docs, '..', 'packages');

/** The text of the first `/** ... *\/` comment of `file`, without its stars; undefined if none. */
function leadingComment(file) {
  const match = /^\s*\/\*\*([\s\S]*?)\*\//.exec(readFileSync(file, 'utf8'));
  if (match === null) return undefined;
  return match[1]
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

/** The file names the documentation index links to, in order, the index itself first. */
function readingOrder() {
  const index = readFileSync(join(docs, 'README.md'), 'utf8');
  const linked = [...index.matchAll(/\]\(([\w-]+\.md)(?:#[\w-]*)?\)/g)].map((match) => match[1]);
  return ['README.md', ...new Set(linked)];
}

/** A guide's title: front matter `title`, else its first level-one heading; undefined if neither. */
function documentTitle(document) {
  if (typeof document.frontmatter.title === 'string') return document.frontmatter.title;
  const text = document.content.map((part) => part.text).join('');
  return /^# (.+)$/m.exec(text)?.[1]?.trim();
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const { project } = context;
    for (const module of project.getReflectionsByKind(ReflectionKind.Module)) {
      const match = /^([\w-]+)\/src(\/.+)?$/.exec(module.name);
      if (match === null) continue;
      const [, directory, subpath = ''] = match;
      const { name } = JSON.parse(readFileSync(join(packages, directory, 'package.json'), 'utf8'));
      module.name = `${name}${subpath}`;
      const description = leadingComment(join(packages, directory, 'src', subpath, 'index.ts'));
      if (module.comment === undefined && description !== undefined) {
        module.comment = new Comment([{ kind: 'text', text: description }]);
      }
      const readme = normalizePath(join(packages, directory, 'README.md'));
      if (subpath === '' && existsSync(readme)) {
        const file = new MinimalSourceFile(readFileSync(readme, 'utf8'), readme);
        module.readme = app.converter.parseRawComment(file, project.files).content;
        project.files.registerReflectionPath(readme, module);
        project.files.registerReflectionPath(normalizePath(join(packages, directory)), module);
      }
    }

    const order = readingOrder();
    const position = (document) => {
      const file = project.files.getReflectionPath(document);
      const index = file === undefined ? -1 : order.indexOf(basename(file));
      return index === -1 ? order.length : index;
    };
    const documents = project.documents ?? [];
    for (const document of documents) document.name = documentTitle(document) ?? document.name;
    documents.sort((a, b) => position(a) - position(b));
    const others = project.childrenIncludingDocuments?.filter(
      (child) => !child.kindOf(ReflectionKind.Document),
    );
    if (others !== undefined) project.childrenIncludingDocuments = [...documents, ...others];
  });
}
