// The lint of the code that is not shipped: test/, bench/ and scripts/ (the eslint.config.mjs of
// each re-exports this; see CONTRIBUTING.md, "Lint"). The shipped code (nodes/, credentials/,
// package.json) is linted by n8n's official config, eslint.config.mjs, unchanged as strict mode
// requires. Its Cloud rules (no Node.js built-ins, no `process`, NodeApiError for every throw) do
// not fit code that drives n8n, files and processes; the rest applies here too: JavaScript and
// TypeScript recommended rules and the import rules. Console output is allowed: benchmarks and the
// end-to-end suites report through it.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importPlugin from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

// tsconfig.test.json covers these folders.
const tsconfig = new URL('./tsconfig.test.json', import.meta.url).pathname;

export default tseslint.config({
	files: ['**/*.ts', '**/*.mts', '**/*.mjs'],
	extends: [
		js.configs.recommended,
		tseslint.configs.recommended,
		importPlugin.configs['flat/recommended'],
		importPlugin.configs['flat/typescript'],
	],
	settings: {
		'import-x/resolver-next': [createTypeScriptImportResolver({ project: tsconfig })],
	},
	rules: {
		'prefer-spread': 'off',
		// Errors, not warnings: `n8n-node lint` passes with warnings.
		'import-x/no-named-as-default': 'error',
		'import-x/no-named-as-default-member': 'error',
		'import-x/no-duplicates': 'error',
		// TypeScript resolves every import already (npm run typecheck), including package `exports`
		// wildcards, which this rule's resolver does not follow.
		'import-x/no-unresolved': 'off',
		// A Ctrl-C handler may read a `let` before its one assignment.
		'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
		// `const { dropped, ...rest } = object` is how a field is left out.
		'@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
	},
});
