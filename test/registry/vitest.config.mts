/**
 * The registry suite: the package published to a local npm registry (Verdaccio) and installed
 * into real n8n through Settings > Community Nodes (headless Chromium), from the command line,
 * and in queue mode.
 *
 *   npm run test:registry
 *
 * Screenshots go to test/registry/screenshots/ (gitignored); N8N_E2E_KEEP=1 keeps n8n's and the
 * registry's folders (kept anyway for a failed test), N8N_E2E_VERSIONS picks the n8n versions.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
	root: fileURLToPath(new URL('../..', import.meta.url)),
	resolve: {
		// The same n8n-workflow build the node code uses (see vitest.config.mts).
		alias: { 'n8n-workflow': require.resolve('n8n-workflow') },
	},
	test: {
		include: ['test/registry/**/*.registry.ts'],
		environment: 'node',
		fileParallelism: false,
		pool: 'forks',
		hookTimeout: 15 * 60_000,
		testTimeout: 10 * 60_000,
		teardownTimeout: 60_000,
		server: { deps: { external: [/node_modules\/n8n-workflow/, /node_modules\/n8n-core/] } },
	},
});
