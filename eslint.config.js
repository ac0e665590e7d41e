// The project's lint rules: typescript-eslint's recommended set, plus the house limits (files under 300
// lines, functions under 60) and no silently swallowed errors. Run by `make test` as a test.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // An empty catch must say why nothing can be done (a comment inside it).
      'no-empty': ['error', { allowEmptyCatch: false }],
      'no-control-regex': 'off', // guest text is cleaned of control characters on purpose
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: false, skipComments: false, IIFEs: true }],
    },
  },
);
