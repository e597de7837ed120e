import { defineConfig } from 'vitest/config';

// Tests import workspace packages through the `@voxline/source` export condition, so they run
// against TypeScript sources without a build step.
export default defineConfig({
  resolve: { conditions: ['@voxline/source'] },
  ssr: { resolve: { conditions: ['@voxline/source'] } },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'docs/examples/**/*.test.ts',
      'benchmarks/test/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
