import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.test-tools/**', 'test-results/**', 'test/fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // The interop tests' apps are plain Node scripts (CommonJS where the instrumentation needs require hooks).
    files: ['test/interop/apps/**'],
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core is shared with scripts, the CLI and other extensions: it must never need VS Code.
    files: ['src/core/**/*.ts', 'src/cli.ts', 'src/cli/**/*.ts', 'src/serve/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/core must not depend on VS Code; put adapters in src/vscode.' }],
          patterns: [{ group: ['**/vscode/**', '../vscode', '../extension'], message: 'src/core must not import the VS Code adapters.' }],
        },
      ],
    },
  },
);
