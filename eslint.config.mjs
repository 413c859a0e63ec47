// ESLint runs one type-aware rule that biome (the formatter and linter of this repo) does not
// have: every `switch` over a union lists every member, so a new effect, event, phase, error
// code or design fails the lint where it is not handled, instead of being silently dropped.
// A `default` does not count as handling the rest (considerDefaultExhaustiveForUnions: false);
// the repo's switches end in `default: assertNever(x)` for values from outside the type system.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/dist-*/**',
      '**/node_modules/**',
      '**/*.mjs',
      '**/*.js',
      '**/.cache/**',
      'apps/inspector/e2e/**',
      'apps/inspector/bench/**',
      '**/vite.config.ts',
      '**/vitest.config.ts',
      '**/playwright.config.ts',
    ],
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        {
          allowDefaultCaseForExhaustiveSwitch: true,
          considerDefaultExhaustiveForUnions: false,
          requireDefaultForNonUnion: false,
        },
      ],
    },
  },
);
