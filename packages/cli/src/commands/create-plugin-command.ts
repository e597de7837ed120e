/**
 * `voxline create-plugin <name>`: a new plugin package from the template (`templates/plugin` of
 * this package), whose `npm install && npm test && npm run build` pass as generated.
 *
 * The template is a working package whose names are placeholders: `plugin-name` (kebab case, in
 * file names and text), `PluginName` (Pascal case, in identifiers) and `VOXLINE_VERSION` (the
 * version of `@voxline/core` it peers on, this command's own version: Voxline packages are
 * versioned together). A template file named `gitignore` becomes `.gitignore` (npm drops
 * `.gitignore` files from published packages).
 *
 * Where the plugin's development copy of `@voxline/core` comes from (its peer range is always
 * `^<version>`):
 * - a folder of packed Voxline packages (made by `node scripts/pack-packages.mjs` in a Voxline
 *   checkout), given as `packages` or in the `VOXLINE_PACKAGES` environment variable: the
 *   devDependency is `file:<absolute path of voxline-core-<version>.tgz>`, so `npm install` works
 *   before Voxline is published;
 * - else, when this command runs from a Voxline checkout, that checkout's `.voxline/packages`, which
 *   must hold the tarball (the command says how to make it when it does not);
 * - else the npm registry, `^<version>`, and a warning that says so.
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
  /**
   * A folder of packed Voxline packages to take `@voxline/core` from; default the
   * `VOXLINE_PACKAGES` environment variable, then {@link checkoutPackagesDirectory}; see the
   * module comment.
   */
  packages?: string;
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
  /**
   * The packed `@voxline/core` (absolute path of its `.tgz`) the plugin installs for its tests and
   * build, as a `file:` devDependency; default none: `^<voxlineVersion>` from the npm registry.
   */
  coreTarball?: string;
}

/** What {@link createPlugin} made. */
export interface CreatedPlugin {
  /** The npm package name, `voxline-plugin-<name>`. */
  packageName: string;
  /** Absolute path of the new package. */
  directory: string;
  /** The files written, relative to `directory`, sorted. */
  files: string[];
  /** The devDependency range of `@voxline/core`: `file:<tarball>` or `^<version>`. */
  coreDevDependency: string;
}

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const PACKAGE_PREFIX = 'voxline-plugin-';

/**
 * The plugin template: `templates/plugin` inside this package (shipped with it).
 *
 * @throws CliError if it is missing (a broken install).
 */
export function findPluginTemplate(): string {
  const template = join(cliPackageRoot(), 'templates', 'plugin');
  if (!existsSync(join(template, 'package.json'))) {
    throw new CliError(`the plugin template was not found at ${template}: reinstall voxline`);
  }
  return template;
}

/** This package's version (the Voxline release it belongs to). */
export function voxlineVersion(): string {
  return (JSON.parse(readFileSync(join(cliPackageRoot(), 'package.json'), 'utf8')) as { version: string })
    .version;
}

/**
 * The folder `node scripts/pack-packages.mjs` packs into, `<checkout>/.voxline/packages`, when
 * `cliRoot` (default: this package's directory) is `packages/cli` of a Voxline checkout (a
 * `pnpm-workspace.yaml` two levels up); `undefined` when it is not (an installed `voxline`).
 */
export function checkoutPackagesDirectory(cliRoot: string = cliPackageRoot()): string | undefined {
  const checkout = resolve(cliRoot, '..', '..');
  const isCheckout =
    existsSync(join(checkout, 'pnpm-workspace.yaml')) &&
    existsSync(join(checkout, 'packages', 'core', 'package.json'));
  return isCheckout ? join(checkout, '.voxline', 'packages') : undefined;
}

/** The file name `pnpm pack` gives `@voxline/core` at `version`. */
export function coreTarballName(version: string): string {
  return `voxline-core-${version}.tgz`;
}

/**
 * Copies the template into `directory` and substitutes the names; see the module comment.
 *
 * @throws CliError (exit code 2) for a name that is not kebab case, or a directory that exists and
 *   is not empty; nothing is written then.
 */
export function createPlugin(options: CreatePluginOptions): CreatedPlugin {
  const { name, directory } = checkTarget(options.name, options.directory);
  const template = options.templateDirectory ?? findPluginTemplate();
  const version = options.voxlineVersion ?? voxlineVersion();
  const coreDevDependency =
    options.coreTarball === undefined ? `^${version}` : `file:${resolve(options.coreTarball)}`;
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
  const packageJsonPath = join(directory, 'package.json');
  const packageJson = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  packageJson.devDependencies['@voxline/core'] = coreDevDependency;
  writeFileSync(packageJsonPath, `${JSON.stringify(packageJson, null, 2)}\n`);
  return { packageName: `${PACKAGE_PREFIX}${name}`, directory, files: files.sort(), coreDevDependency };
}

/**
 * The plugin's bare name (without `voxline-plugin-`) and absolute directory.
 *
 * @throws CliError (exit code 2) for a name that is not kebab case, or a directory that exists and
 *   is not empty.
 */
function checkTarget(requestedName: string, requestedDirectory: string): { name: string; directory: string } {
  const name = requestedName.startsWith(PACKAGE_PREFIX)
    ? requestedName.slice(PACKAGE_PREFIX.length)
    : requestedName;
  if (!NAME.test(name) || name.length > 50) {
    throw new CliError(
      `plugin name must be kebab case (lower-case letters, digits and single hyphens, at most 50), got '${requestedName}'`,
      2,
    );
  }
  const directory = resolve(requestedDirectory);
  if (existsSync(directory) && (!statSync(directory).isDirectory() || readdirSync(directory).length > 0)) {
    throw new CliError(`${directory} already exists and is not an empty directory`, 2);
  }
  return { name, directory };
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
  const directory = options.directory ?? `${PACKAGE_PREFIX}${bare}`;
  checkTarget(options.name, directory); // usage mistakes first, before looking for packages
  const version = voxlineVersion();
  const coreTarball = findCoreTarball(options.packages ?? process.env.VOXLINE_PACKAGES, version);
  const created = createPlugin({
    name: options.name,
    directory,
    voxlineVersion: version,
    ...(coreTarball === undefined ? {} : { coreTarball }),
  });
  output.line(`Created ${created.packageName} in ${created.directory} (${created.files.length} files).`);
  if (coreTarball === undefined) {
    output.warn(
      `@voxline/core ^${version} will come from the npm registry. If that version is not published, ` +
        'npm install fails with E404: in a Voxline checkout run `node scripts/pack-packages.mjs`, then ' +
        'create the plugin again with VOXLINE_PACKAGES=<checkout>/.voxline/packages.',
    );
  } else {
    output.line(`@voxline/core comes from ${coreTarball} (a packed package, until Voxline is published).`);
  }
  output.line('Next:');
  output.line(`  cd ${created.directory}`);
  output.line('  npm install');
  output.line('  npm test          # the conformance suites of @voxline/core/testing');
  output.line('  npm run build');
  output.json(created);
  return 0;
}

/**
 * The packed `@voxline/core` to use: in `packages` when given, else in this checkout's
 * `.voxline/packages`; `undefined` outside a checkout with no folder given (the registry).
 *
 * @throws CliError when the folder (given, or the checkout's) has no `voxline-core-<version>.tgz`.
 */
function findCoreTarball(packages: string | undefined, version: string): string | undefined {
  const given = packages !== undefined && packages !== '';
  const directory = given ? resolve(packages) : checkoutPackagesDirectory();
  if (directory === undefined) return undefined;
  const tarball = join(directory, coreTarballName(version));
  if (existsSync(tarball)) return tarball;
  const how = given
    ? `pack Voxline into it: node scripts/pack-packages.mjs --out ${directory} (in a Voxline checkout)`
    : 'pack Voxline first: node scripts/pack-packages.mjs (it builds and packs every package there)';
  throw new CliError(
    `no packed @voxline/core ${version} (${coreTarballName(version)}) in ${directory}: ${how}`,
  );
}

function cliPackageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

function listFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}
