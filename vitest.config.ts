import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Resolve workspace packages to their TypeScript sources, so tests never need a build first.
    conditions: ['@parapet/source'],
  },
  ssr: { resolve: { conditions: ['@parapet/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/*/src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    allowOnly: false,
    passWithNoTests: false,
    // CI asks for a machine-readable summary next to the usual output (see .ci/run).
    reporters: process.env.PARAPET_TEST_JSON ? ['default', 'json'] : ['default'],
    outputFile: process.env.PARAPET_TEST_JSON ? { json: process.env.PARAPET_TEST_JSON } : undefined,
  },
});
