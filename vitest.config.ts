import { defineConfig } from 'vitest/config'

// Tests import the workspace packages through the `@hydrakit/source` export condition, so they run
// against src/*.ts without a build. Child-process tests (examples, CommonJS) use the built dist/.
export default defineConfig({
  resolve: { conditions: ['@hydrakit/source', 'node'] },
  ssr: { resolve: { conditions: ['@hydrakit/source', 'node'], externalConditions: ['node'] } },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'test/**/*.test.ts',
      'bench/test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
  },
})
