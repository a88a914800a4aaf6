// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      // Declaration-only opt-in augmentation; kept out of the type-check program on purpose.
      'packages/express/src/global.ts',
      '**/node_modules/**',
      '**/dist/**',
      'bench/results/**',
      '**/*.cjs',
      '**/*.mjs',
      'eslint.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.check.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Use explicit named re-exports (STYLE.md).' },
      ],
    },
  },
  {
    // The core never imports a framework (DESIGN.md: packages/core may import jose, lru-cache, undici, node builtins).
    files: ['packages/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['express', 'koa', '@koa/router', 'supertest', 'fastify', 'fastify-plugin', 'hono'],
          patterns: [
            'express/*',
            'koa/*',
            'hono/*',
            '@hydrakit/express',
            '@hydrakit/koa',
            '@hydrakit/fastify',
            '@hydrakit/web',
          ],
        },
      ],
    },
  },
  {
    // bench/ loads peer libraries (express-oauth2-jwt-bearer augments Express's global Request type), so it
    // stays out of the type-checked program; its files get the syntactic rules only.
    files: ['bench/**/*.ts'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { parserOptions: { project: false, projectService: false } },
  },
  {
    files: ['**/test/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
)
