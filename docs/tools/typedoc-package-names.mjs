// A TypeDoc plugin for the API reference of the workspace:
// - names each entry-point module after its npm package (`@voxline/core`, `@voxline/core/testing`)
//   instead of its path (`core/src`, `core/src/testing`);
// - gives each module the leading doc comment of its entry file as its description (TypeDoc only
//   takes it when tagged `@packageDocumentation`, and the packages' index files are not).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Comment, Converter, ReflectionKind } from 'typedoc';

const packages = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages');

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

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      const match = /^([\w-]+)\/src(\/.+)?$/.exec(module.name);
      if (match === null) continue;
      const [, directory, subpath = ''] = match;
      const { name } = JSON.parse(readFileSync(join(packages, directory, 'package.json'), 'utf8'));
      module.name = `${name}${subpath}`;
      const description = leadingComment(join(packages, directory, 'src', subpath, 'index.ts'));
      if (module.comment === undefined && description !== undefined) {
        module.comment = new Comment([{ kind: 'text', text: description }]);
      }
    }
  });
}
