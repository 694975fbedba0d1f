/**
 * `npm run release:check`: is the package ready to publish, and would n8n's verification accept
 * it? Run after `npm run build` (the npm script does that). Checks, and prints what it saw:
 *
 *   - package.json: no "PUBLISHER FILLS IN" placeholder left, `repository.url` a public GitHub
 *     repository (npm refuses provenance otherwise), the metadata n8n's verification expects
 *     (keyword, license, n8n section), no runtime dependencies, `files: ["dist"]`;
 *   - every documentation link the editor shows (both codex files, the credential) and `homepage`
 *     and `bugs` derive from that repository (scripts/links.ts), and the pages they open exist;
 *   - the version, and that npm does not have it yet;
 *   - the packed tarball's file list: only dist/, package.json, README.md and LICENSE.md, with every
 *     node, credential and icon that package.json and the code name;
 *   - n8n's verification scanner (@n8n/scan-community-package, its own `analyzePackage`): the
 *     tarball leg on the packed package and the source leg on `SOURCE_FILE_PATTERNS`, as
 *     `npx @n8n/scan-community-package` runs them after publication. Its other two steps, the npm
 *     provenance check and the download of the attested source from GitHub, need the published
 *     package: `npx @n8n/scan-community-package n8n-nodes-appcues` after the first release;
 *   - `npm run lint`: `n8n-node lint` in strict mode with n8n's official config, then the shipped
 *     code again with inline disables ignored, as the scanner ignores them;
 *   - `npm publish --dry-run` ends cleanly (no warning other than "not logged in");
 *   - .github/workflows/publish.yml publishes with provenance from a tag.
 *
 *   npm run release:check                          # refuses while a placeholder remains
 *   npm run release:check -- --allow-placeholders  # everything else (what .ci/run runs)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import {
	CODEX_FILES,
	codexLinks,
	CREDENTIAL_FILE,
	credentialDocumentationUrl,
	DOC_PAGES,
	isPlaceholder,
	linksFor,
	parseGitHubRepository,
	readJson,
	repositoryUrl,
	root,
	type PackageJson as LinksPackageJson,
} from './links';

/** What the publisher must fill in: the author's text and the repository's owner (scripts/links.ts). */
const PLACEHOLDER = /PUBLISHER[ _]FILLS[ _]IN/;
/** npm's only expected complaint in a dry run without an npm login. */
const HARMLESS_NPM_WARNINGS = [/requires you to be logged in/];
/** The verification scanner's tarball leg lints these (analyzePackageByName in its scanner.mjs). */
const TARBALL_PATTERNS = ['**/*.js', 'package.json'];
const OFFICIAL_ESLINT_CONFIG =
	'node_modules/@n8n/node-cli/dist/template/templates/shared/default/eslint.config.mjs';

interface PackageJson extends LinksPackageJson {
	license?: string;
	keywords?: string[];
	files?: string[];
	author?: { name?: string; email?: string } | string;
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

let sectionStarted = Date.now();
function section(title: string) {
	process.stdout.write(`\n${title}\n`);
	sectionStarted = Date.now();
}
function took() {
	process.stdout.write(`       (${((Date.now() - sectionStarted) / 1000).toFixed(1)} s)\n`);
}

function run(command: string, args: string[], cwd = root) {
	const res = spawnSync(command, args, {
		cwd,
		encoding: 'utf8',
		maxBuffer: 64 * 1024 * 1024,
		env: { ...process.env, npm_config_update_notifier: 'false' },
	});
	return { code: res.status ?? 1, stdout: res.stdout ?? '', stderr: res.stderr ?? '' };
}

/** Every string in package.json holding a placeholder, by its JSON path. */
function placeholders(value: unknown, path = ''): string[] {
	if (typeof value === 'string') return PLACEHOLDER.test(value) ? [path] : [];
	if (value && typeof value === 'object') {
		return Object.entries(value).flatMap(([key, inner]) =>
			placeholders(inner, path ? `${path}.${key}` : key),
		);
	}
	return [];
}

function indent(text: string): string {
	return text
		.trim()
		.split('\n')
		.map((line) => `         ${line}`)
		.join('\n');
}

async function main() {
	const { values } = parseArgs({
		options: { 'allow-placeholders': { type: 'boolean', default: false } },
	});
	const allowPlaceholders = values['allow-placeholders'];
	const pkg = readJson<PackageJson>(join(root, 'package.json'));
	if (!existsSync(join(root, 'dist')))
		throw new Error('dist/ is missing: run "npm run build" first');

	section(`package.json of ${pkg.name}@${pkg.version}`);
	const open = placeholders(pkg);
	if (allowPlaceholders) {
		if (open.length)
			notes.push(`placeholders the publisher must fill in before publishing: ${open.join(', ')}`);
		process.stdout.write(
			`  note placeholders left (allowed by --allow-placeholders): ${open.join(', ') || 'none'}\n`,
		);
	} else {
		check(
			open.length === 0,
			`no "PUBLISHER FILLS IN" placeholder left${open.length ? ` (found in ${open.join(', ')})` : ''}`,
		);
	}
	const repository = parseGitHubRepository(repositoryUrl(pkg));
	check(
		repository !== undefined,
		`repository.url is a GitHub repository, https://github.com/<owner>/<repo> (npm publishes with provenance only from a public GitHub repository; it is ${JSON.stringify(repositoryUrl(pkg))})`,
	);
	if (repository && isPlaceholder(repository) && !allowPlaceholders)
		check(
			false,
			`repository.url is still the placeholder: npm run set-repository -- https://github.com/<owner>/<repo>`,
		);
	// In GitHub Actions: the repository publishing must be the one package.json names, or npm
	// refuses the provenance statement (E422).
	const publishing =
		process.env.GITHUB_ACTIONS === 'true' ? process.env.GITHUB_REPOSITORY : undefined;
	if (repository && publishing)
		check(
			`${repository.owner}/${repository.name}`.toLowerCase() === publishing.toLowerCase(),
			`repository.url names ${repository.owner}/${repository.name}, the repository this workflow runs in (${publishing})`,
		);
	else if (repository && !isPlaceholder(repository))
		notes.push(
			`${repository.web} must be public and be the repository that publishes (npm's provenance and n8n's verification read it)`,
		);
	// n8n stores the author in VARCHAR(70) columns; on PostgreSQL a longer value makes every
	// install through Settings > Community Nodes fail ("value too long for type character varying(70)").
	const author = typeof pkg.author === 'string' ? { name: pkg.author } : (pkg.author ?? {});
	for (const field of ['name', 'email'] as const) {
		const value = author[field] ?? '';
		check(
			value.length <= 70,
			`author.${field} has at most 70 characters, n8n's column size (${value.length})`,
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

	section('documentation links (from repository.url, see scripts/links.ts)');
	if (repository) {
		const links = linksFor(repository);
		const shown: Array<{ where: string; url: string | undefined; expected: string }> = [
			{ where: 'homepage', url: pkg.homepage, expected: links.homepage },
			{
				where: 'bugs.url',
				url: typeof pkg.bugs === 'string' ? pkg.bugs : pkg.bugs?.url,
				expected: links.bugs,
			},
			{
				where: `dist/${CREDENTIAL_FILE.replace(/\.ts$/, '.js')} documentationUrl`,
				url: credentialDocumentationUrl(
					readFileSync(join(root, 'dist', CREDENTIAL_FILE.replace(/\.ts$/, '.js')), 'utf8'),
				),
				expected: links.credential,
			},
		];
		for (const [which, file] of Object.entries(CODEX_FILES) as Array<
			[keyof typeof CODEX_FILES, string]
		>) {
			for (const { kind, url } of codexLinks(readJson(join(root, 'dist', file)))) {
				shown.push({
					where: `dist/${file} ${kind}`,
					url,
					expected: kind === 'primaryDocumentation' ? links[which] : links.credential,
				});
			}
		}
		for (const { where, url, expected } of shown) {
			const declared =
				url !== undefined &&
				url.startsWith(repository.web) &&
				/^([#/]|$)/.test(url.slice(repository.web.length));
			check(
				declared && url === expected,
				`${where}: ${url}${declared ? '' : ` is not an address of ${repository.web}`}${declared && url !== expected ? ` (expected ${expected}: npm run set-repository)` : ''}`,
			);
		}
		for (const page of Object.values(DOC_PAGES)) {
			const tracked = run('git', ['ls-files', '--error-unmatch', page]);
			check(
				existsSync(join(root, page)) && tracked.code === 0,
				`${page} exists and is committed (GitHub shows the default branch's copy)`,
			);
		}
	}
	took();

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

	section('the packed tarball (npm pack)');
	const work = mkdtempSync(join(tmpdir(), 'appcues-release-check-'));
	try {
		const pack = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work]);
		check(pack.code === 0, 'npm pack succeeds');
		const packed =
			pack.code === 0
				? (
						JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{
							filename: string;
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
		const typescript = files.filter((path) => /\.ts$/.test(path));
		check(
			typescript.length === 0,
			`no TypeScript sources or declarations in the tarball${typescript.length ? ` (${typescript.join(', ')})` : ''}`,
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
		took();

		section("n8n's verification scanner (@n8n/scan-community-package, analyzePackage)");
		if (packed) {
			const unpacked = join(work, 'package');
			mkdirSync(unpacked);
			const untar = run('tar', [
				'-xzf',
				join(work, packed.filename),
				'-C',
				unpacked,
				'--strip-components=1',
			]);
			check(untar.code === 0, `${packed.filename} unpacks`);
			const scanner = await import('@n8n/scan-community-package/scanner/scanner.mjs');
			const legs: Array<[string, string, string[] | undefined]> = [
				[
					`tarball leg: ${TARBALL_PATTERNS.join(', ')} of the packed package`,
					unpacked,
					TARBALL_PATTERNS,
				],
				[
					"the whole packed package (analyzePackage's own default: every .js, .ts, .json)",
					unpacked,
					undefined,
				],
				[
					`source leg: ${scanner.SOURCE_FILE_PATTERNS.join(', ')} of this checkout`,
					root,
					scanner.SOURCE_FILE_PATTERNS,
				],
			];
			for (const [what, dir, patterns] of legs) {
				const result = await scanner.analyzePackage(dir, patterns);
				check(result.passed, `${what}${result.passed ? '' : `: ${result.message}`}`);
				if (!result.passed && result.details) process.stdout.write(`${indent(result.details)}\n`);
			}
			notes.push(
				"n8n's provenance check and its lint of the attested source commit run after publication: npx @n8n/scan-community-package n8n-nodes-appcues",
			);
		}
		took();
	} finally {
		rmSync(work, { recursive: true, force: true });
	}

	section(
		"lint: n8n-node lint (strict, n8n's official config), then the shipped code without inline disables",
	);
	check(pkg.n8n?.strict === true, 'package.json n8n.strict is true');
	const official = join(root, OFFICIAL_ESLINT_CONFIG);
	const squash = (text: string) => text.replace(/\s+/g, ' ').trim();
	check(
		existsSync(official) &&
			squash(readFileSync(join(root, 'eslint.config.mjs'), 'utf8')) ===
				squash(readFileSync(official, 'utf8')),
		"eslint.config.mjs is @n8n/node-cli's default config (strict mode allows no other)",
	);
	const lint = run('npm', ['run', 'lint', '--silent']);
	if (lint.code !== 0) process.stdout.write(`${lint.stdout}${lint.stderr}\n`);
	check(lint.code === 0, 'npm run lint: n8n-node lint and the shipped code, 0 errors, 0 warnings');
	took();

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

	section('.github/workflows/publish.yml (its syntax: npm run workflows:check)');
	const workflowFile = join(root, '.github', 'workflows', 'publish.yml');
	const workflow = existsSync(workflowFile) ? readFileSync(workflowFile, 'utf8') : '';
	const expectations: Array<[RegExp, string]> = [
		[/^\s+tags:\s*\n\s+- /m, 'runs on a pushed tag'],
		[/^\s+contents: read\s*$/m, 'permissions contents: read'],
		[
			/^\s+id-token: write\s*$/m,
			'permissions id-token: write (the OIDC token npm provenance signs with)',
		],
		[/node-version: 24\b/, 'Node.js 24'],
		[/run: npm ci\b/, 'npm ci'],
		[/run: npm run build\b/, 'npm run build'],
		[/run: npm test\b/, 'npm test'],
		[/run: npm run release:check\s*$/m, 'npm run release:check (placeholders refused)'],
		[/run: npm publish --provenance --access public\b/, 'npm publish --provenance --access public'],
	];
	for (const [pattern, what] of expectations) check(pattern.test(workflow), `publish.yml: ${what}`);

	section('result');
	for (const note of notes) process.stdout.write(`  note ${note}\n`);
	if (failures.length) {
		process.stdout.write(`  NOT READY: ${failures.length} check(s) failed\n`);
		process.exit(1);
	}
	process.stdout.write(
		allowPlaceholders && open.length
			? '  everything but the placeholders is ready; fill them in, then run npm run release:check\n'
			: `  ready to publish ${pkg.name}@${pkg.version}: push the tag v${pkg.version} (.github/workflows/publish.yml)\n`,
	);
}

main().catch((error: unknown) => {
	process.stderr.write(
		`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
	);
	process.exit(1);
});
