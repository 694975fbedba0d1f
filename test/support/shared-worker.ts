/**
 * Setup of each test file that shares its worker process with other files (see
 * vitest.config.mts). Node loads n8n-core and n8n-workflow once per worker; everything else (the
 * node's code, the fake, these helpers) is evaluated afresh for each file, as in an isolated run,
 * so module state such as the account budgets and the trigger's memory starts empty in every file.
 * A file must leave the process as it found it: one that changes an environment variable or
 * leaves fake timers on fails here instead of changing the files after it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, vi } from 'vitest';

// Set once per worker, before the snapshot below (run-node.ts sets it when a file runs alone).
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'appcues-n8n-'));

vi.resetModules();

const envBefore = { ...process.env };

afterAll(() => {
	if (vi.isFakeTimers()) throw new Error('this test file left fake timers on');
	const changed = [...new Set([...Object.keys(envBefore), ...Object.keys(process.env)])].filter(
		(key) => envBefore[key] !== process.env[key],
	);
	if (changed.length) {
		throw new Error(
			`this test file changed environment variables (${changed.join(', ')}): restore them, or list the file in ISOLATED_FILES`,
		);
	}
});
