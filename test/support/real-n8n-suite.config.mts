/**
 * The vitest settings of the suites that drive real n8n in headless Chromium (test/ui and
 * test/registry): one file at a time, in forks, with timeouts for n8n starting on a loaded
 * machine. Each suite's config only names its files.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export function realN8nSuite(include: string) {
	return defineConfig({
		root: fileURLToPath(new URL('../..', import.meta.url)),
		resolve: {
			// The same n8n-workflow build the node code uses (see vitest.config.mts).
			alias: { 'n8n-workflow': require.resolve('n8n-workflow') },
		},
		test: {
			include: [include],
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
}
