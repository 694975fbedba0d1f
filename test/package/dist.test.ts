/**
 * Checks the built package as n8n loads it: run after `npm run build` (npm test does both).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const requireFromRoot = createRequire(join(root, 'package.json'));

function iconPaths(icon: unknown): string[] {
	if (typeof icon === 'string') return [icon];
	if (icon && typeof icon === 'object') return Object.values(icon as Record<string, string>);
	return [];
}

describe('built package (dist/)', () => {
	const entries = [...pkg.n8n.credentials, ...pkg.n8n.nodes] as string[];

	it('lists only files under dist/, and they exist', () => {
		for (const entry of entries) {
			expect(entry.startsWith('dist/')).toBe(true);
			expect(existsSync(join(root, entry)), entry).toBe(true);
		}
	});

	it.each(entries)(
		'%s loads, exports its class by file name, and every icon file exists',
		(entry) => {
			const file = join(root, entry);
			const className = entry.split('/').pop()!.split('.')[0];
			const module = requireFromRoot(file);
			expect(typeof module[className]).toBe('function');
			const instance = new module[className]();
			const icon = instance.icon ?? instance.description?.icon;
			const icons = iconPaths(icon);
			expect(icons.length).toBeGreaterThan(0);
			for (const iconPath of icons) {
				expect(iconPath.startsWith('file:')).toBe(true);
				const target = resolve(dirname(file), iconPath.slice('file:'.length));
				expect(existsSync(target), `${iconPath} from ${entry}`).toBe(true);
				expect(readFileSync(target, 'utf8')).toMatch(/^<svg/);
			}
			if (entry.includes('/nodes/')) {
				expect(existsSync(file.replace(/\.js$/, '.json')), 'codex file').toBe(true);
			}
		},
	);

	it('npm pack ships dist/ and nothing of the tests', () => {
		const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
			cwd: root,
			encoding: 'utf8',
		});
		const files = (JSON.parse(output)[0].files as Array<{ path: string }>).map((file) => file.path);
		expect(files).toContain('dist/nodes/Appcues/Appcues.node.js');
		expect(files).toContain('dist/icons/appcues.svg');
		const outside = files.filter(
			(path) =>
				!path.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE.md'].includes(path),
		);
		expect(outside).toEqual([]);
		expect(files.some((path) => path.includes('test'))).toBe(false);
	});

	it("author name and email fit n8n's 70-character columns (PostgreSQL refuses longer: every install fails)", () => {
		// n8n saves them in installed_packages."authorName" / "authorEmail", VARCHAR(70).
		const author = typeof pkg.author === 'string' ? { name: pkg.author } : pkg.author;
		expect(author.name.length).toBeLessThanOrEqual(70);
		expect((author.email ?? '').length).toBeLessThanOrEqual(70);
	});

	it('has no runtime dependencies and exactly the n8n-workflow peer', () => {
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(pkg.files).toEqual(['dist']);
	});
});
