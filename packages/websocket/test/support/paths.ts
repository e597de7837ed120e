import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/websocket/test/support/paths.ts). */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** JFK inaugural address excerpt: 11.0 s, 16 kHz, mono, s16le (in ../shared/data beside the repository). */
export const jfkPath = join(repoRoot, '..', 'shared', 'data', 'jfk-16k.wav');
