/**
 * The browser test: real n8n 2.41.1 with the dev sandbox, driven in headless Chromium.
 *
 *   npm run test:ui      # build, install Debian's chromium if missing, run
 *
 * Screenshots of every step go to test/ui/screenshots/ (gitignored). UI_KEEP=1 keeps n8n's
 * folder (logs, database) of a run; it is kept anyway when a test fails.
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
		include: ['test/ui/**/*.ui.ts'],
		environment: 'node',
		fileParallelism: false,
		pool: 'forks',
		// Starting n8n takes 20 s on an idle machine and minutes on a loaded one.
		hookTimeout: 15 * 60_000,
		testTimeout: 10 * 60_000,
		teardownTimeout: 60_000,
		server: { deps: { external: [/node_modules\/n8n-workflow/, /node_modules\/n8n-core/] } },
	},
});
