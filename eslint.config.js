// Type-aware lint: the promise and exhaustiveness rules catch the bugs that matter in a
// long-running sync process (a floating promise there is a silently lost error).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

// The server's layers (docs/architecture.md "Layers"): each may import only what is listed for
// it; modules/, container.ts, main.ts and config.ts (the composition root) import anything.
const src = './server/src';
const mayImport = {
  domain: [],
  lib: ['domain'],
  db: ['domain', 'lib'],
  mail: ['domain', 'lib'],
  services: ['domain', 'lib', 'db', 'mail'],
  scale: ['domain', 'lib', 'db', 'mail', 'services'],
  sync: ['domain', 'lib', 'db', 'mail', 'services', 'scale'],
  http: ['domain', 'lib', 'services'],
};
const layerZones = Object.entries(mayImport).map(([layer, allowed]) => ({
  target: `${src}/${layer}`,
  from: src,
  except: [layer, ...allowed].map((dir) => `./${dir}`),
  message: `${layer}/ may import only ${[layer, ...allowed].join(', ')} (docs/architecture.md "Layers").`,
}));

export default tseslint.config(
  // *.gen.ts: generated (scripts/api-types.ts), checked by tsc and by its staleness test.
  { ignores: ['dist/**', 'node_modules/**', 'data/**', '.rig/**', 'coverage/**', '**/*.gen.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['server/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // ESM sources import `./x.js` for `./x.ts`.
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
      // An import the resolver cannot find would slip past the layer rule unseen.
      'import-x/no-unresolved': 'error',
    },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
