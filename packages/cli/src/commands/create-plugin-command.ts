/**
 * `voxline create-plugin <name>`: a new plugin package from the template (`templates/plugin` of
 * this package), ready to build and test.
 *
 * The template is a working package whose names are placeholders: `plugin-name` (kebab case, in
 * file names and text), `PluginName` (Pascal case, in identifiers) and `VOXLINE_VERSION` (the
 * version of `@voxline/core` it peers on, this command's own version: Voxline packages are
 * versioned together). A template file named `gitignore` becomes `.gitignore` (npm drops
 * `.gitignore` files from published packages).
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from './cli-error.js';
import type { CommandOutput } from './terminal-output.js';

/** Parsed options of `create-plugin`. */
export interface CreatePluginCommandOptions {
  /** The plugin's name, kebab case (`acme` or `voxline-plugin-acme`). */
  name?: string;
  /** Where to create it; default `./voxline-plugin-<name>`. */
  directory?: string;
}

/** What {@link createPlugin} needs. */
export interface CreatePluginOptions {
  /** The plugin's name, kebab case; a leading `voxline-plugin-` is dropped. */
  name: string;
  /** The directory to create; must not exist or be empty. */
  directory: string;
  /** The template directory; default {@link findPluginTemplate}'s. */
  templateDirectory?: string;
  /** The `@voxline/core` version the plugin peers on; default this package's version. */
  voxlineVersion?: string;
}

/** What {@link createPlugin} made. */
export interface CreatedPlugin {
  /** The npm package name, `voxline-plugin-<name>`. */
  packageName: string;
  /** Absolute path of the new package. */
  directory: string;
  /** The files written, relative to `directory`, sorted. */
  files: string[];
}

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const PACKAGE_PREFIX = 'voxline-plugin-';

/**
 * The plugin template: `templates/plugin` inside this package (shipped with it).
 *
 * @throws CliError if it is missing (a broken install).
 */
export function findPluginTemplate(): string {
  const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const template = join(packageRoot, 'templates', 'plugin');
  if (!existsSync(join(template, 'package.json'))) {
    throw new CliError(`the plugin template was not found at ${template}: reinstall voxline`);
  }
  return template;
}

/** This package's version (the Voxline release it belongs to). */
export function voxlineVersion(): string {
  const packageJson = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}

/**
 * Copies the template into `directory` and substitutes the names; see the module comment.
 *
 * @throws CliError (exit code 2) for a name that is not kebab case, or a directory that exists and
 *   is not empty; nothing is written then.
 */
export function createPlugin(options: CreatePluginOptions): CreatedPlugin {
  const name = options.name.startsWith(PACKAGE_PREFIX)
    ? options.name.slice(PACKAGE_PREFIX.length)
    : options.name;
  if (!NAME.test(name) || name.length > 50) {
    throw new CliError(
      `plugin name must be kebab case (lower-case letters, digits and single hyphens, at most 50), got '${options.name}'`,
      2,
    );
  }
  const directory = resolve(options.directory);
  if (existsSync(directory) && (!statSync(directory).isDirectory() || readdirSync(directory).length > 0)) {
    throw new CliError(`${directory} already exists and is not an empty directory`, 2);
  }
  const template = options.templateDirectory ?? findPluginTemplate();
  const version = options.voxlineVersion ?? voxlineVersion();
  const pascal = name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  const substitute = (text: string) =>
    text
      .replaceAll('plugin-name', name)
      .replaceAll('PluginName', pascal)
      .replaceAll('VOXLINE_VERSION', version);

  mkdirSync(directory, { recursive: true });
  cpSync(template, directory, {
    recursive: true,
    filter: (source) => !/(^|[\\/])(node_modules|dist)([\\/]|$)/.test(relative(template, source)),
  });
  const files: string[] = [];
  for (const file of listFiles(directory)) {
    const base = basename(file);
    const target = join(dirname(file), base === 'gitignore' ? '.gitignore' : substitute(base));
    writeFileSync(file, substitute(readFileSync(file, 'utf8')));
    if (target !== file) renameSync(file, target);
    files.push(relative(directory, target));
  }
  return { packageName: `${PACKAGE_PREFIX}${name}`, directory, files: files.sort() };
}

/** The `create-plugin` command. */
export async function createPluginCommand(
  options: CreatePluginCommandOptions,
  output: CommandOutput,
): Promise<number> {
  if (options.name === undefined)
    throw new CliError('create-plugin needs a name: voxline create-plugin <name>', 2);
  const bare = options.name.startsWith(PACKAGE_PREFIX)
    ? options.name.slice(PACKAGE_PREFIX.length)
    : options.name;
  const created = createPlugin({
    name: options.name,
    directory: options.directory ?? `${PACKAGE_PREFIX}${bare}`,
  });
  output.line(`Created ${created.packageName} in ${created.directory} (${created.files.length} files).`);
  output.line('Next:');
  output.line(`  cd ${relative(process.cwd(), created.directory) || '.'}`);
  output.line('  npm install');
  output.line('  npm test          # the conformance suites of @voxline/core/testing');
  output.line('  npm run build');
  output.json(created);
  return 0;
}

function listFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}
