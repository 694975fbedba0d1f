import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// Unit tests, also those of the e2e harness (test/e2e/lib/*.test.ts); the *.e2e.ts suites run with
// test/e2e/vitest.config.ts, the browser test with test/ui/vitest.config.mts.
const TESTS = ['test/**/*.test.ts'];

/**
 * Test files that run in a process of their own, because they change what other files in the
 * same process would see: n8n-core's binary data service (set up in filesystem mode), or a module
 * mocked with vi.mock (found below). Every other file shares its worker, see test/support/shared-worker.ts.
 */
const ISOLATED_FILES = [
	'test/nodes/Appcues/helpers/files.test.ts',
	...readdirSync('test', { recursive: true, encoding: 'utf8' })
		.map((file) => `test/${file.replace(/\\/g, '/')}`)
		.filter((file) => file.endsWith('.test.ts'))
		.filter((file) => /\bvi\.(do)?mock\(/.test(readFileSync(file, 'utf8'))),
];

export default defineConfig({
	resolve: {
		// n8n loads nodes with require(), so the node code and n8n-core share n8n-workflow's CommonJS
		// build (one NodeApiError class). Tests use that same build.
		alias: { 'n8n-workflow': require.resolve('n8n-workflow') },
	},
	test: {
		environment: 'node',
		testTimeout: 30_000,
		hookTimeout: 30_000,
		server: { deps: { external: [/node_modules\/n8n-workflow/, /node_modules\/n8n-core/] } },
		// One worker per core (vitest's default leaves one core to itself, on 2 cores a single worker):
		// many tests wait on sockets and timers, and another file runs meanwhile.
		maxWorkers: '100%',
		projects: [
			{
				extends: true,
				test: {
					name: 'shared',
					include: TESTS,
					exclude: ['node_modules/**', ...ISOLATED_FILES],
					// Loading n8n-core takes about a second of CPU; a worker loads it once, not once per file.
					isolate: false,
					setupFiles: ['test/support/shared-worker.ts'],
				},
			},
			{ extends: true, test: { name: 'isolated', include: ISOLATED_FILES } },
		],
	},
});
