/**
 * `npm run release:check`: is the package ready to publish? Run after `npm run build` (the npm
 * script does that). Checks, and prints what it saw:
 *
 *   - package.json: no "PUBLISHER FILLS IN" placeholder left, the metadata n8n's verification
 *     expects (keyword, license, n8n section), no runtime dependencies, `files: ["dist"]`;
 *   - the version, and that npm does not have it yet;
 *   - the tarball's file list (`npm pack --dry-run`): only dist/, package.json, README.md and
 *     LICENSE.md, with every node, credential and icon that package.json and the code name;
 *   - `npm publish --dry-run` ends cleanly (no warning other than "not logged in");
 *   - `npm run lint`, the rule sets n8n's verification runs.
 *
 *   npm run release:check                          # refuses while a placeholder remains
 *   npm run release:check -- --allow-placeholders  # everything else (what .ci/run runs)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = join(__dirname, '..');
const PLACEHOLDER = 'PUBLISHER FILLS IN';
/** npm's only expected complaint in a dry run without an npm login. */
const HARMLESS_NPM_WARNINGS = [/requires you to be logged in/];

interface PackageJson {
	name: string;
	version: string;
	license?: string;
	keywords?: string[];
	files?: string[];
	author?: { name?: string; email?: string } | string;
	repository?: { url?: string } | string;
	dependencies?: Record<string, string>;
	optionalDependencies?: Record<string, string>;
	bundleDependencies?: unknown;
	bundledDependencies?: unknown;
	peerDependencies?: Record<string, string>;
	n8n?: { n8nNodesApiVersion?: number; strict?: boolean; nodes?: string[]; credentials?: string[] };
}

const failures: string[] = [];
const notes: string[] = [];

function check(ok: boolean, message: string) {
	process.stdout.write(`${ok ? '  ok  ' : '  FAIL'} ${message}\n`);
	if (!ok) failures.push(message);
}

function section(title: string) {
	process.stdout.write(`\n${title}\n`);
}

function run(command: string, args: string[]) {
	const res = spawnSync(command, args, {
		cwd: root,
		encoding: 'utf8',
		env: { ...process.env, npm_config_update_notifier: 'false' },
	});
	return { code: res.status ?? 1, stdout: res.stdout ?? '', stderr: res.stderr ?? '' };
}

/** Every "a.b.c" string in package.json holding the placeholder, by its JSON path. */
function placeholders(value: unknown, path = ''): string[] {
	if (typeof value === 'string') return value.includes(PLACEHOLDER) ? [path] : [];
	if (value && typeof value === 'object') {
		return Object.entries(value).flatMap(([key, inner]) =>
			placeholders(inner, path ? `${path}.${key}` : key),
		);
	}
	return [];
}

function main() {
	const { values } = parseArgs({
		options: { 'allow-placeholders': { type: 'boolean', default: false } },
	});
	const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;
	if (!existsSync(join(root, 'dist')))
		throw new Error('dist/ is missing: run "npm run build" first');

	section(`package.json of ${pkg.name}@${pkg.version}`);
	const open = placeholders(pkg);
	if (values['allow-placeholders']) {
		if (open.length)
			notes.push(`placeholders the publisher must fill in before publishing: ${open.join(', ')}`);
		process.stdout.write(
			`  note placeholders left (allowed by --allow-placeholders): ${open.join(', ') || 'none'}\n`,
		);
	} else {
		check(
			open.length === 0,
			`no "${PLACEHOLDER}" placeholder left${open.length ? ` (found in ${open.join(', ')})` : ''}`,
		);
	}
	check(
		/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(pkg.version),
		`version ${pkg.version} is a plain semver version`,
	);
	check(
		pkg.name.startsWith('n8n-nodes-') && !pkg.name.includes('Trigger'),
		'name starts with n8n-nodes- (n8n lists community packages by it)',
	);
	check(
		Boolean(pkg.keywords?.includes('n8n-community-node-package')),
		'keyword n8n-community-node-package',
	);
	check(
		pkg.license === 'MIT' && existsSync(join(root, 'LICENSE.md')),
		'license MIT with LICENSE.md',
	);
	check(JSON.stringify(pkg.files) === JSON.stringify(['dist']), 'files is ["dist"]');
	const runtimeDeps = { ...pkg.dependencies, ...pkg.optionalDependencies };
	check(
		Object.keys(runtimeDeps).length === 0 && !pkg.bundleDependencies && !pkg.bundledDependencies,
		'no runtime dependencies',
	);
	check(
		JSON.stringify(pkg.peerDependencies) === JSON.stringify({ 'n8n-workflow': '*' }),
		'peerDependencies is exactly {"n8n-workflow": "*"}',
	);
	const entries = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	check(
		pkg.n8n?.n8nNodesApiVersion === 1 && entries.length > 0,
		'n8n section with n8nNodesApiVersion 1, nodes and credentials',
	);
	for (const entry of entries) check(existsSync(join(root, entry)), `${entry} is built`);

	section('version on the npm registry');
	const view = run('npm', ['view', `${pkg.name}@${pkg.version}`, 'version', '--json']);
	if (view.code === 0 && view.stdout.trim()) {
		check(false, `${pkg.name}@${pkg.version} is already published: raise the version`);
	} else if (/E404|404 Not Found/.test(view.stderr + view.stdout)) {
		check(true, `${pkg.name}@${pkg.version} is not on npm yet`);
	} else {
		notes.push(
			`could not ask the registry whether ${pkg.version} is taken: ${view.stderr.trim().split('\n')[0]}`,
		);
		process.stdout.write(`  note could not reach the registry to check the version\n`);
	}

	section('tarball contents (npm pack --dry-run)');
	const pack = run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts']);
	check(pack.code === 0, 'npm pack --dry-run succeeds');
	const packed =
		pack.code === 0
			? (
					JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{
						files: Array<{ path: string; size: number }>;
						size: number;
						unpackedSize: number;
					}>
				)[0]
			: undefined;
	const files = packed?.files.map((f) => f.path).sort() ?? [];
	for (const file of packed?.files ?? [])
		process.stdout.write(`       ${String(file.size).padStart(8)}  ${file.path}\n`);
	process.stdout.write(
		`       ${files.length} files, ${packed?.size ?? 0} bytes packed, ${packed?.unpackedSize ?? 0} unpacked\n`,
	);
	const allowed = (path: string) =>
		path.startsWith('dist/') || ['package.json', 'README.md', 'LICENSE.md'].includes(path);
	const stray = files.filter((path) => !allowed(path));
	check(
		stray.length === 0,
		`only dist/, package.json, README.md, LICENSE.md${stray.length ? ` (also: ${stray.join(', ')})` : ''}`,
	);
	const noSources = files.filter((path) => /\.ts$/.test(path) && !path.endsWith('.d.ts'));
	check(
		noSources.length === 0,
		`no TypeScript sources or tests in the tarball${noSources.length ? ` (${noSources.join(', ')})` : ''}`,
	);
	for (const entry of entries) check(files.includes(entry), `the tarball holds ${entry}`);
	const icons = new Set<string>();
	for (const entry of entries) {
		const code = readFileSync(join(root, entry), 'utf8');
		for (const [, icon] of code.matchAll(/file:([^'"]+\.(?:svg|png))/g)) {
			icons.add(join(entry, '..', icon).replace(/\\/g, '/'));
		}
	}
	for (const icon of icons) check(files.includes(icon), `the tarball holds the icon ${icon}`);

	section('npm publish --dry-run');
	const publish = run('npm', ['publish', '--dry-run', '--ignore-scripts']);
	const warnings = (publish.stdout + publish.stderr)
		.split('\n')
		.filter(
			(line) =>
				/^npm (warn|WARN|error|ERR)/.test(line) &&
				!HARMLESS_NPM_WARNINGS.some((pattern) => pattern.test(line)),
		);
	check(publish.code === 0, 'npm publish --dry-run succeeds');
	check(
		warnings.length === 0,
		`no npm warnings${warnings.length ? `:\n         ${warnings.join('\n         ')}` : ''}`,
	);

	section("lint (the rule sets of n8n's community package verification)");
	const lint = run('npm', ['run', 'lint', '--silent']);
	if (lint.code !== 0) process.stdout.write(`${lint.stdout}${lint.stderr}\n`);
	check(lint.code === 0, 'npm run lint: 0 errors, 0 warnings');

	section('result');
	for (const note of notes) process.stdout.write(`  note ${note}\n`);
	if (failures.length) {
		process.stdout.write(`  NOT READY: ${failures.length} check(s) failed\n`);
		process.exit(1);
	}
	process.stdout.write(
		values['allow-placeholders'] && open.length
			? '  everything but the placeholders is ready; fill them in, then run npm run release:check\n'
			: `  ready to publish ${pkg.name}@${pkg.version}: npm publish\n`,
	);
}

main();
