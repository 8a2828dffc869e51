// @ts-check
import js from '@eslint/js';
import path from 'node:path';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const ROOT = import.meta.dirname;

/** Which project folders each folder may import from (DESIGN.md: left may import right, never the reverse). */
const ALLOWED = {
  schemas: ['schemas'],
  platform: ['platform', 'schemas'],
  ingest: ['ingest', 'platform', 'schemas'],
  server: ['server', 'ingest', 'platform', 'schemas', 'staffing'],
  acd: ['acd', 'client', 'schemas', 'staffing'],
  client: ['client', 'schemas'],
  staffing: ['staffing'],
  ui: ['ui', 'schemas'],
  wallboard: ['wallboard', 'ui', 'schemas'],
  'qa-player': ['qa-player', 'ui', 'schemas'],
};

/** Tests (in test/, or `*.test.ts` beside the code) may import test/ helpers; product code never. */
const isTestFile = (rel) => rel.startsWith('test/') || /\.test\.ts$/.test(rel);
const relOf = (file) => path.relative(ROOT, file).split(path.sep).join('/');

/** The top-level folder of ALLOWED a path belongs to, or null outside them. */
function zoneOf(file) {
  const rel = path.relative(ROOT, file).split(path.sep).join('/');
  const top = rel.split('/')[0];
  return top && top in ALLOWED ? top : null;
}

const folderDirections = {
  meta: {
    type: 'problem',
    messages: {
      forbidden: '{{from}}/ may not import {{to}}/ (allowed: {{allowed}})',
      testImport: 'product code in {{from}}/ may not import test/ (only tests may)',
    },
  },
  create(context) {
    const from = zoneOf(context.filename);
    if (!from) return {};
    const fromTest = isTestFile(relOf(context.filename));
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path.resolve(path.dirname(context.filename), source);
      if (!fromTest && relOf(target).startsWith('test/')) {
        context.report({ node, messageId: 'testImport', data: { from } });
        return;
      }
      const to = zoneOf(target);
      if (to && !ALLOWED[from].includes(to)) {
        context.report({ node, messageId: 'forbidden', data: { from, to, allowed: ALLOWED[from].join(', ') } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'dist/**', '**/dist/**', 'tmp-scratch/**', 'schemas/json/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.js', '**/*.svelte'],
    plugins: { callboard: { rules: { 'folder-directions': folderDirections } } },
    rules: { 'callboard/folder-directions': 'error' },
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: ROOT } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Runtime import cycles fail CI (type-only imports are erased and close none): the folder directions keep them out between
    // folders, this keeps them out within one.
    files: ['**/*.ts', '**/*.svelte'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.svelte'] })],
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  ...svelte.configs['flat/recommended'],
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: ROOT, extraFileExtensions: ['.svelte'], parser: tseslint.parser },
    },
  },
  { files: ['wallboard/**', 'ui/**', 'qa-player/**'], languageOptions: { globals: globals.browser } },
  {
    // The apps take only types from schemas/ (erased at build), so TypeBox never reaches their bundles;
    // the one value they take is the dependency-free QA scoring formula (schemas/qa-score.ts).
    files: ['wallboard/**/*.ts', 'wallboard/**/*.svelte', 'ui/**/*.ts', 'ui/**/*.svelte', 'qa-player/**/*.ts', 'qa-player/**/*.svelte'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/schemas/**', '!**/schemas/qa-score.ts'], allowTypeImports: true, message: 'the apps import only types from schemas/ (`import type`), and the scoring formula schemas/qa-score.ts' }] },
      ],
    },
  },
  { files: ['**/*.test.ts', 'test/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
