/**
 * `npm run docs:images`: refreshes the README's pictures (docs/images/) from the browser test.
 *
 *   npm run docs:images                # runs npm run test:ui, then copies its pictures
 *   npm run docs:images -- --no-run    # copies the pictures of the last test:ui run
 *
 * The browser test saves each picture while it runs (test/ui/lib/docs-images.ts lists them and
 * the step that takes each); this script copies them to docs/images/, removes pictures that are no
 * longer listed, and fails when one is missing or larger than DOCS_IMAGE_MAX_BYTES.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

import { repoRoot } from '../test/e2e/lib/n8n';
import { DOCS_IMAGE_MAX_BYTES, DOCS_IMAGES, pngSize } from '../test/ui/lib/docs-images';

const root = repoRoot();
const from = join(root, 'test', 'ui', 'screenshots', 'docs');
const to = join(root, 'docs', 'images');

function main(): void {
	const { values } = parseArgs({ options: { 'no-run': { type: 'boolean', default: false } } });
	if (!values['no-run']) {
		const run = spawnSync('npm', ['run', 'test:ui'], { cwd: root, stdio: 'inherit' });
		if (run.status !== 0) throw new Error('npm run test:ui failed: no picture was copied');
	}
	mkdirSync(to, { recursive: true });
	const problems: string[] = [];
	for (const name of Object.keys(DOCS_IMAGES)) {
		const source = join(from, `${name}.png`);
		if (!existsSync(source)) {
			problems.push(`${relative(root, source)} is missing (did npm run test:ui pass?)`);
			continue;
		}
		const bytes = readFileSync(source).length;
		if (bytes > DOCS_IMAGE_MAX_BYTES) {
			problems.push(
				`${relative(root, source)} has ${bytes} bytes, more than ${DOCS_IMAGE_MAX_BYTES}`,
			);
			continue;
		}
		copyFileSync(source, join(to, `${name}.png`));
		const { width, height } = pngSize(source);
		process.stdout.write(
			`[docs-images] docs/images/${name}.png  ${width} x ${height}  ${(bytes / 1000).toFixed(0)} kB\n`,
		);
	}
	for (const file of readdirSync(to)) {
		if (file.endsWith('.png') && !(file.slice(0, -4) in DOCS_IMAGES)) {
			rmSync(join(to, file));
			process.stdout.write(`[docs-images] removed docs/images/${file} (no longer listed)\n`);
		}
	}
	if (problems.length > 0) throw new Error(problems.join('\n'));
}

try {
	main();
} catch (error) {
	process.stderr.write(`[docs-images] ${(error as Error).message}\n`);
	process.exit(1);
}
