/**
 * Real-n8n end-to-end tests (slow; installs n8n runtimes on first use).
 *
 *   npx vitest run --config test/e2e/vitest.config.ts
 *
 * Env: N8N_E2E_VERBOSE=1 echoes n8n's output, N8N_E2E_KEEP=1 keeps the temporary user folders,
 * N8N_E2E_QUIET=1 hides the install-runtime.sh progress lines.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	root: fileURLToPath(new URL('../..', import.meta.url)),
	test: {
		include: ['test/e2e/**/*.e2e.ts'],
		environment: 'node',
		// One file at a time: each n8n process wants ~0.5-1 GB and the machine has 2 cores.
		fileParallelism: false,
		pool: 'forks',
		// A cold runtime install (beforeAll) takes ~5 min per n8n version.
		hookTimeout: 50 * 60_000,
		testTimeout: 10 * 60_000,
		teardownTimeout: 60_000,
	},
});
