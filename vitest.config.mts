import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
	resolve: {
		// n8n loads nodes with require(), so the node code and n8n-core share n8n-workflow's CommonJS
		// build (one NodeApiError class). Tests use that same build.
		alias: { 'n8n-workflow': require.resolve('n8n-workflow') },
	},
	test: {
		// Unit tests, also those of the e2e harness (test/e2e/lib/*.test.ts); the *.e2e.ts suites run
		// with test/e2e/vitest.config.ts, the browser test with test/ui/vitest.config.mts.
		include: ['test/**/*.test.ts'],
		exclude: ['node_modules/**'],
		environment: 'node',
		testTimeout: 30_000,
		hookTimeout: 30_000,
		server: { deps: { external: [/node_modules\/n8n-workflow/, /node_modules\/n8n-core/] } },
	},
});
