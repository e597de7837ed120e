import { defineConfig } from 'vitest/config';

// The plugin's own test settings. Having this file also keeps Vitest from picking up the
// configuration of a directory above (a monorepo the plugin was created in).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
  },
});
