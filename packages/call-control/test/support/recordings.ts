/** The shared test recordings the call-control tests stream as carrier recordings. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/call-control/test/support/recordings.ts). */
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** JFK inaugural address excerpt: 11 s, 16 kHz, mono (a WAV file). */
export const jfkPath = join(repoRoot, '..', 'shared', 'data', 'jfk-16k.wav');
