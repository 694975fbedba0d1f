#!/usr/bin/env node
// The browser test (npm run test:ui) drives Debian's `chromium` package through puppeteer-core,
// which downloads nothing. This installs the package when it is missing: `apt-get update` once,
// then `apt-get install -y chromium` (needs root, as on CI). CHROMIUM_PATH points at another
// Chromium and skips the install.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

if (existsSync(CHROMIUM)) {
	process.stdout.write(`[chromium] ${CHROMIUM} is installed\n`);
} else {
	if (process.getuid?.() !== 0) {
		process.stderr.write(
			`[chromium] ${CHROMIUM} is missing; as root run: apt-get update && apt-get install -y chromium\n`,
		);
		process.exit(1);
	}
	const started = Date.now();
	const run = (args) =>
		execFileSync('apt-get', args, {
			stdio: 'inherit',
			env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
		});
	process.stdout.write('[chromium] installing the Debian package chromium (once) ...\n');
	run(['update']);
	run(['install', '-y', 'chromium']);
	if (!existsSync(CHROMIUM)) {
		process.stderr.write(`[chromium] apt-get installed chromium but ${CHROMIUM} does not exist\n`);
		process.exit(1);
	}
	process.stdout.write(`[chromium] installed in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}
