import { spawnSync } from 'node:child_process';

/**
 * Runs an external tool the tests depend on and returns its stdout. Fails loudly (never
 * skips) when the tool is missing, so a machine without it cannot report a green run.
 */
export function runTool(command: string, args: readonly string[], input?: Uint8Array): Buffer {
  return runToolWithOutput(command, args, input).stdout;
}

/** Like {@link runTool}, and also returns stderr (where `sox ... stats` reports). */
export function runToolWithOutput(
  command: string,
  args: readonly string[],
  input?: Uint8Array,
): { stdout: Buffer; stderr: Buffer } {
  const result = spawnSync(command, args, {
    input,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, PYTHONWARNINGS: 'ignore' },
  });
  if (result.error !== undefined) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing ? missingToolMessage(command) : `${command} failed to start: ${result.error.message}`,
    );
  }
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}: ${result.stderr.toString()}`);
  }
  return { stdout: result.stdout, stderr: result.stderr };
}

/**
 * Why a test failed when `command` is not installed, with the command that installs it. `npm test`
 * installs the Debian packages of scripts/system-packages.txt itself when it runs as root.
 */
export function missingToolMessage(command: string): string {
  return (
    `${command} is required by this test but is not installed. Run \`npm test\` as root (it installs ` +
    `the packages of scripts/system-packages.txt), or: sudo apt-get update && sudo apt-get install -y ${command}`
  );
}

/** Runs sox with dithering off (-D) so conversions are deterministic; returns stdout bytes. */
export function sox(args: readonly string[], input?: Uint8Array): Buffer {
  return runTool('sox', ['-D', ...args], input);
}

/** Reads a WAV file through sox, converting it to mono 16-bit PCM at `sampleRate` Hz. */
export function soxReadPcm(path: string, sampleRate?: number): Int16Array {
  const rate = sampleRate === undefined ? [] : ['rate', '-v', String(sampleRate)];
  const bytes = sox([path, '-t', 'raw', '-e', 'signed-integer', '-b', '16', '-c', '1', '-L', '-', ...rate]);
  return toInt16(bytes);
}

/** Copies little-endian 16-bit bytes into a fresh, aligned Int16Array. */
export function toInt16(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
  return out;
}

/** Little-endian bytes of 16-bit samples. */
export function toBytes(pcm: Int16Array): Buffer {
  const out = Buffer.alloc(pcm.length * 2);
  for (let i = 0; i < pcm.length; i++) out.writeInt16LE(pcm[i]!, 2 * i);
  return out;
}

/** Fast exact comparison of two typed arrays (vitest's deep equality is slow on 100k+ elements). */
export function sameSamples(a: Int16Array | Uint8Array, b: Int16Array | Uint8Array): boolean {
  if (a.length !== b.length || a.BYTES_PER_ELEMENT !== b.BYTES_PER_ELEMENT) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

/** sox's own measurements of a file: RMS and peak level in dBFS (full scale 32768), 2 decimals. */
export function soxStats(
  path: string,
  effects: readonly string[] = [],
): { rmsDbfs: number; peakDbfs: number } {
  const report = runToolWithOutput('sox', ['-D', path, '-n', ...effects, 'stats']).stderr.toString();
  const field = (name: string): number => {
    const match = new RegExp(`^${name}\\s+(-?[\\d.]+)`, 'm').exec(report);
    if (match === null) throw new Error(`sox stats printed no "${name}":\n${report}`);
    return Number(match[1]);
  };
  return { rmsDbfs: field('RMS lev dB'), peakDbfs: field('Pk lev dB') };
}
