// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Folder directions (DESIGN.md): left may import right, never the reverse. */
const forbid = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'dist/**', '**/dist/**', 'tmp-scratch/**', 'schemas/json/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  { files: ['**/*.test.ts', 'test/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  { files: ['schemas/**/*.ts'], rules: forbid(['**/server/**', '**/ingest/**', '**/wallboard/**', '**/qa-player/**', '**/test/**'], 'schemas/ imports nothing of the project') },
  { files: ['ingest/**/*.ts'], rules: forbid(['**/server/**', '**/wallboard/**', '**/qa-player/**', '**/test/**'], 'ingest/ may import schemas/ only') },
  {
    files: ['server/**/*.ts'],
    ignores: ['server/acd/**'],
    rules: forbid(['**/wallboard/**', '**/qa-player/**', '**/test/**'], 'server/ may import ingest/ and schemas/ only'),
  },
  {
    files: ['server/acd/**/*.ts'],
    rules: forbid(
      ['../**/ingest/**', '../../ingest/**', '../../../ingest/**', '**/wallboard/**', '**/qa-player/**', '**/test/**', '../*.ts', '../../*.ts', '../routes/**', '../auth/**', '../static/**'],
      'server/acd/ talks to the rest only over the wire contract: it may import schemas/ only',
    ),
  },
  { files: ['wallboard/**', 'qa-player/**'], rules: forbid(['**/server/**', '**/ingest/**'], 'the apps may import schemas/ types only') },
);
