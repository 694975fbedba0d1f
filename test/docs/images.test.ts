/**
 * The README's pictures (docs/images/, refreshed by `npm run docs:images` from the browser test):
 * each listed picture is there, small, and shown in the README with its alt text; nothing else
 * lies in the folder.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { repoRoot } from '../e2e/lib/n8n';
import {
	DOCS_IMAGE_MAX_BYTES,
	DOCS_IMAGE_SCALE,
	DOCS_IMAGES,
	pngSize,
} from '../ui/lib/docs-images';

const dir = join(repoRoot(), 'docs', 'images');
const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');

describe('the README pictures', () => {
	it.each(Object.entries(DOCS_IMAGES))(
		'docs/images/%s.png is a small PNG at most as large as a scaled screenshot',
		(name) => {
			const file = join(dir, `${name}.png`);
			expect(existsSync(file), `${file} is missing: run npm run docs:images`).toBe(true);
			expect(statSync(file).size).toBeLessThanOrEqual(DOCS_IMAGE_MAX_BYTES);
			const { width, height } = pngSize(file);
			expect(width).toBeLessThanOrEqual(Math.ceil(1440 * DOCS_IMAGE_SCALE));
			expect(height).toBeLessThanOrEqual(Math.ceil(900 * DOCS_IMAGE_SCALE));
		},
	);

	it.each(Object.entries(DOCS_IMAGES))('the README shows %s with its alt text', (name, alt) => {
		expect(readme).toContain(`![${alt}](docs/images/${name}.png)`);
	});

	it('docs/images holds only the listed pictures', () => {
		expect(readdirSync(dir).sort()).toEqual(
			Object.keys(DOCS_IMAGES)
				.map((name) => `${name}.png`)
				.sort(),
		);
	});

	it('every picture the README shows is in the repository', () => {
		const shown = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((match) => match[1]);
		expect(shown.length).toBeGreaterThan(0);
		for (const path of shown) expect(existsSync(join(repoRoot(), path)), path).toBe(true);
	});
});
