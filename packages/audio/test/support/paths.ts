import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/audio/test/support/paths.ts). */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** The shared test recordings live beside the repository, in ../shared/data. */
export const dataDir = join(repoRoot, '..', 'shared', 'data');

/** JFK inaugural address excerpt: 11.0 s, 16 kHz, mono, s16le. */
export const jfkPath = join(dataDir, 'jfk-16k.wav');

/** NASA spacewalk radio: 25.9 s, 44.1 kHz, mono, s16le. */
export const spacewalkPath = join(dataDir, 'spacewalk-44k.wav');
