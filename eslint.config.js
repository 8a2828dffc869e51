// @ts-check
import js from '@eslint/js';
import path from 'node:path';
import tseslint from 'typescript-eslint';

const ROOT = import.meta.dirname;

/** Which project folders each folder may import from (DESIGN.md: left may import right, never the reverse). */
const ALLOWED = {
  schemas: ['schemas'],
  platform: ['platform', 'schemas'],
  ingest: ['ingest', 'platform', 'schemas'],
  server: ['server', 'ingest', 'platform', 'schemas', 'staffing'],
  acd: ['acd', 'schemas', 'staffing'],
  staffing: ['staffing'],
  ui: ['ui', 'schemas'],
  wallboard: ['wallboard', 'ui', 'schemas'],
  'qa-player': ['qa-player', 'ui', 'schemas'],
};

/** The top-level folder of ALLOWED a path belongs to, or null outside them. */
function zoneOf(file) {
  const rel = path.relative(ROOT, file).split(path.sep).join('/');
  const top = rel.split('/')[0];
  return top && top in ALLOWED ? top : null;
}

const folderDirections = {
  meta: { type: 'problem', messages: { forbidden: '{{from}}/ may not import {{to}}/ (allowed: {{allowed}})' } },
  create(context) {
    const from = zoneOf(context.filename);
    if (!from) return {};
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const to = zoneOf(path.resolve(path.dirname(context.filename), source));
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
  { files: ['**/*.test.ts', 'test/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
