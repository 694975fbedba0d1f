/**
 * Every address the package shows or declares comes from one: the public GitHub repository in
 * package.json's `repository.url`. The editor's Docs links (the two codex files), the
 * credential's documentation link, `homepage` and `bugs` are derived from it here, and
 * `npm run set-repository` writes them:
 *
 *   npm run set-repository -- https://github.com/<owner>/<repo>   # fill in the address, rewrite every link
 *   npm run set-repository                                         # rewrite the links from package.json
 *
 * test/package/links.test.ts fails when a link differs from what this derives, and
 * `npm run release:check` refuses the placeholder address and any link elsewhere.
 *
 * The Docs links are pages, without `#fragment` or `?query`: n8n's editor opens a codex link as
 * `<url>?utm_source=n8n_app&...`, which would land after a fragment (no jump to the section) or
 * make a second `?`. `blob/HEAD` is the default branch, whatever its name.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';

export const root = join(__dirname, '..');

/** The repository until the publisher fills it in. GitHub user names cannot contain `_`, so no one can own it. */
export const PLACEHOLDER_REPOSITORY = 'https://github.com/PUBLISHER_FILLS_IN/n8n-nodes-appcues';

/** The documentation pages the editor links to, in the repository. */
export const DOC_PAGES = {
	node: 'docs/appcues-node.md',
	trigger: 'docs/appcues-trigger.md',
	credential: 'docs/credential.md',
} as const;

export const CODEX_FILES = {
	node: 'nodes/Appcues/Appcues.node.json',
	trigger: 'nodes/AppcuesTrigger/AppcuesTrigger.node.json',
} as const;

export const CREDENTIAL_FILE = 'credentials/AppcuesApi.credentials.ts';

/** Other files that name the repository (compare and release links); the old address is replaced. */
export const MENTIONING_FILES = ['CHANGELOG.md'];

export interface GitHubRepository {
	owner: string;
	name: string;
	/** https://github.com/<owner>/<name> */
	web: string;
	/** What package.json's repository.url holds: git+https://github.com/<owner>/<name>.git (npm's own form). */
	npm: string;
}

/**
 * The GitHub repository a `repository.url` names, or undefined when it is not a
 * github.com repository address (npm provenance and n8n's verification need one).
 */
export function parseGitHubRepository(url: string | undefined): GitHubRepository | undefined {
	const match =
		/^(?:git\+)?https:\/\/github\.com\/([A-Za-z0-9_](?:[A-Za-z0-9_-]{0,38}))\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(
			(url ?? '').trim(),
		);
	if (!match || match[2] === '.' || match[2] === '..') return undefined;
	const [, owner, name] = match;
	const web = `https://github.com/${owner}/${name}`;
	return { owner, name, web, npm: `git+${web}.git` };
}

export function isPlaceholder(repository: GitHubRepository): boolean {
	return repository.web === PLACEHOLDER_REPOSITORY;
}

export interface Links {
	homepage: string;
	bugs: string;
	/** Docs of the Appcues node (its codex primaryDocumentation). */
	node: string;
	/** Docs of the Appcues Trigger. */
	trigger: string;
	/** The credential's documentationUrl, and both codex files' credentialDocumentation. */
	credential: string;
}

export function linksFor(repository: GitHubRepository): Links {
	const page = (path: string) => `${repository.web}/blob/HEAD/${path}`;
	return {
		homepage: `${repository.web}#readme`,
		bugs: `${repository.web}/issues`,
		node: page(DOC_PAGES.node),
		trigger: page(DOC_PAGES.trigger),
		credential: page(DOC_PAGES.credential),
	};
}

interface Codex {
	resources?: Record<string, Array<{ url: string }>>;
	[key: string]: unknown;
}

export interface PackageJson {
	name: string;
	version: string;
	homepage?: string;
	bugs?: { url?: string } | string;
	repository?: { type?: string; url?: string } | string;
	[key: string]: unknown;
}

export function readJson<T>(file: string): T {
	return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export function repositoryUrl(pkg: PackageJson): string | undefined {
	return typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
}

/** The credential's documentationUrl as written in `source` (its TypeScript or compiled JavaScript). */
export function credentialDocumentationUrl(source: string): string | undefined {
	return /documentationUrl\s*=\s*['"]([^'"]*)['"]/.exec(source)?.[1];
}

/** Every documentation link of a codex file, by resource kind. */
export function codexLinks(codex: Codex): Array<{ kind: string; url: string }> {
	return Object.entries(codex.resources ?? {}).flatMap(([kind, list]) =>
		list.map(({ url }) => ({ kind, url })),
	);
}

/** Writes `text` to `file`, formatted as `npm run format` would. */
async function writeFormatted(file: string, text: string): Promise<void> {
	const options = (await resolveConfig(file)) ?? {};
	writeFileSync(file, await format(text, { ...options, filepath: file }));
}

/** Writes repository, homepage and bugs into package.json and every Docs link, all from `repository`. */
export async function writeLinks(repository: GitHubRepository, base = root): Promise<void> {
	const links = linksFor(repository);
	const pkgFile = join(base, 'package.json');
	const pkg = readJson<PackageJson>(pkgFile);
	const previous = parseGitHubRepository(repositoryUrl(pkg));
	pkg.homepage = links.homepage;
	pkg.bugs = { url: links.bugs };
	pkg.repository = { type: 'git', url: repository.npm };
	// npm's own layout (two spaces), as `npm install` writes it.
	writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);

	for (const [which, file] of Object.entries(CODEX_FILES) as Array<
		[keyof typeof CODEX_FILES, string]
	>) {
		const path = join(base, file);
		const codex = readJson<Codex>(path);
		codex.resources = {
			...codex.resources,
			primaryDocumentation: [{ url: links[which] }],
			credentialDocumentation: [{ url: links.credential }],
		};
		await writeFormatted(path, JSON.stringify(codex, null, '\t'));
	}

	for (const file of MENTIONING_FILES) {
		const path = join(base, file);
		if (!previous || !existsSync(path)) continue;
		const text = readFileSync(path, 'utf8');
		writeFileSync(path, text.split(`${previous.web}/`).join(`${repository.web}/`));
	}

	const credentialPath = join(base, CREDENTIAL_FILE);
	const credential = readFileSync(credentialPath, 'utf8');
	if (credentialDocumentationUrl(credential) === undefined)
		throw new Error(`${CREDENTIAL_FILE}: no documentationUrl = '...' to rewrite`);
	await writeFormatted(
		credentialPath,
		credential.replace(
			/(documentationUrl\s*=\s*)(['"])[^'"]*\2/,
			(_all, head: string, quote: string) => `${head}${quote}${links.credential}${quote}`,
		),
	);
}

async function main(): Promise<void> {
	const given = process.argv[2];
	const pkg = readJson<PackageJson>(join(root, 'package.json'));
	const url = given ?? repositoryUrl(pkg);
	const repository = parseGitHubRepository(url);
	if (!repository) {
		process.stderr.write(
			`"${url}" is not a GitHub repository address (https://github.com/<owner>/<repo>): npm provenance and n8n's verification need a public GitHub repository\n`,
		);
		process.exit(1);
	}
	await writeLinks(repository);
	const links = linksFor(repository);
	process.stdout.write(
		`repository ${repository.npm}\n${Object.entries(links)
			.map(([what, link]) => `  ${what.padEnd(10)} ${link}`)
			.join('\n')}\n`,
	);
	if (isPlaceholder(repository))
		process.stdout.write(
			'still the placeholder: npm run set-repository -- https://github.com/<owner>/<repo>\n',
		);
}

if (require.main === module) void main();
