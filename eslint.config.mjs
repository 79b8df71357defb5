// Flat config. The orchestrator block is the determinism guard: Durable replays orchestrator code,
// so it must not reach I/O, ambient time, randomness or process state (same idea as Temporal's
// workflow sandbox rules).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';
import domainImports from './eslint-rules/domain-imports.mjs';
import orchestratorDeterminism from './eslint-rules/orchestrator-determinism.mjs';

const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`]);

/** Rules that guard the architecture, kept in eslint-rules/ with the tests in test/unit/lint/. */
const local = {
  rules: { 'domain-imports': domainImports, 'orchestrator-determinism': orchestratorDeterminism },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'schemas/**', '.azure-deploy/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { local },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Small functions with one job each: nothing in the app is longer than a screen (issue #15).
    files: ['src/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80 }] },
  },
  {
    files: ['src/orchestrators/**/*.ts'],
    rules: {
      // The typescript-eslint variant, because it tells `import type` apart: an orchestrator may borrow an
      // activity's signature (typed calls) but never load its code.
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'Orchestrators replay: no Node built-ins. Do I/O in an activity.',
          })),
          patterns: [
            { group: ['@azure/*'], message: 'Orchestrators must not call Azure SDKs. Use an activity.' },
            {
              group: ['**/activities', '**/activities/**'],
              allowTypeImports: true,
              message:
                'Orchestrators import activities as types only (import type): call them with call(context, name, input).',
            },
            {
              group: ['**/azure', '**/azure/**', '**/local', '**/local/**', '**/config', '**/config/**'],
              message: 'Orchestrators see only activity types, domain code and durable-functions.',
            },
          ],
        },
      ],
      // Globals, dynamic imports, require: see eslint-rules/orchestrator-determinism.mjs.
      'local/orchestrator-determinism': 'error',
    },
  },
  {
    // src/domain names only src/domain, zod and node:crypto, resolved path by path at any depth.
    files: ['src/domain/**/*.ts'],
    rules: {
      'local/domain-imports': ['error', { root: 'src/domain', allow: ['zod', 'node:crypto'] }],
    },
  },
  {
    // The simulator reads arbitrary request JSON the way a service does, and the broker reaches into
    // rhea's untyped frame fields; typing every wire shape there would add nothing the conformance and
    // broker tests do not already check.
    files: ['src/local/simulator/**/*.ts', 'src/local/servicebus/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    // Tests edit arbitrary JSON to build bad requests.
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['*.js', 'scripts/**/*.js', 'test/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        module: 'writable',
        require: 'readonly',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
