// Reads scripts/system-packages.txt (the one list of Debian packages the project needs) and tells
// which are missing on this machine. Used by ensure-install.mjs and by the tests' tool runner.
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const listFile = join(dirname(fileURLToPath(import.meta.url)), 'system-packages.txt');

/** The packages of system-packages.txt: `{ name, provides, why }`, in file order. */
export function systemPackages() {
  return readFileSync(listFile, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'))
    .map((line) => {
      const [name, provides, ...why] = line.split(/\s+/);
      return { name, provides, why: why.join(' ') };
    });
}

/** Whether `provides` (a command on PATH, or an absolute path) is present. */
export function isPresent(provides, path = process.env.PATH ?? '') {
  if (isAbsolute(provides)) return existsSync(provides);
  return path.split(delimiter).some((directory) => directory !== '' && existsSync(join(directory, provides)));
}

/** The packages whose command or file is missing. */
export function missingPackages() {
  return systemPackages().filter((entry) => !isPresent(entry.provides));
}

/** The command that installs `names` on Debian, as a user types it. */
export function installCommand(names) {
  return `sudo apt-get update && sudo apt-get install -y ${names.join(' ')}`;
}
