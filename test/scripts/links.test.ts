/**
 * Every address the editor shows comes from package.json's repository.url (scripts/links.ts):
 * the codex Docs links, the credential's documentation link, homepage and bugs, in the source and
 * in the built package.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, cpSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import {
	CODEX_FILES,
	codexLinks,
	CREDENTIAL_FILE,
	credentialDocumentationUrl,
	DOC_PAGES,
	isPlaceholder,
	linksFor,
	parseGitHubRepository,
	PLACEHOLDER_REPOSITORY,
	readJson,
	repositoryUrl,
	root,
	writeLinks,
	type PackageJson,
} from '../../scripts/links';

const pkg = readJson<PackageJson>(join(root, 'package.json'));
const repository = parseGitHubRepository(repositoryUrl(pkg));

describe('parseGitHubRepository', () => {
	it.each([
		'https://github.com/acme/n8n-nodes-appcues',
		'https://github.com/acme/n8n-nodes-appcues.git',
		'git+https://github.com/acme/n8n-nodes-appcues.git',
		'https://github.com/acme/n8n-nodes-appcues/',
	])('reads %s as acme/n8n-nodes-appcues', (url) => {
		expect(parseGitHubRepository(url)).toEqual({
			owner: 'acme',
			name: 'n8n-nodes-appcues',
			web: 'https://github.com/acme/n8n-nodes-appcues',
			npm: 'git+https://github.com/acme/n8n-nodes-appcues.git',
		});
	});

	it.each([
		undefined,
		'',
		'PUBLISHER FILLS IN: https URL of the public git repository',
		'https://gitlab.com/acme/n8n-nodes-appcues',
		'http://github.com/acme/n8n-nodes-appcues',
		'git@github.com:acme/n8n-nodes-appcues.git',
		'https://github.com/acme',
		'https://github.com/acme/n8n-nodes-appcues/tree/main',
		'https://github.com.evil.example/acme/n8n-nodes-appcues',
		'https://github.com/acme/..',
	])('refuses %s (not a GitHub repository address)', (url) => {
		expect(parseGitHubRepository(url)).toBeUndefined();
	});

	it('knows the placeholder, whose owner GitHub cannot have', () => {
		const placeholder = parseGitHubRepository(PLACEHOLDER_REPOSITORY)!;
		expect(isPlaceholder(placeholder)).toBe(true);
		expect(placeholder.owner).toContain('_');
		expect(isPlaceholder(parseGitHubRepository('https://github.com/acme/n8n-nodes-appcues')!)).toBe(
			false,
		);
	});
});

describe('the links of this package', () => {
	it('package.json names a GitHub repository', () => {
		expect(repository, `repository.url ${repositoryUrl(pkg)}`).toBeDefined();
	});

	const links = linksFor(repository!);

	it('homepage and bugs are the repository', () => {
		expect(pkg.homepage).toBe(links.homepage);
		expect(pkg.bugs).toEqual({ url: links.bugs });
	});

	it.each(Object.entries(CODEX_FILES))(
		'the %s codex links to its page and the credential page, in the source and in dist/',
		(which, file) => {
			const expected = [
				{ kind: 'primaryDocumentation', url: links[which as keyof typeof CODEX_FILES] },
				{ kind: 'credentialDocumentation', url: links.credential },
			];
			expect(codexLinks(readJson(join(root, file)))).toEqual(expected);
			expect(codexLinks(readJson(join(root, 'dist', file)))).toEqual(expected);
		},
	);

	it('the credential links to the credential page, in the source and in dist/', () => {
		expect(credentialDocumentationUrl(readFileSync(join(root, CREDENTIAL_FILE), 'utf8'))).toBe(
			links.credential,
		);
		const built = join(root, 'dist', CREDENTIAL_FILE.replace(/\.ts$/, '.js'));
		expect(credentialDocumentationUrl(readFileSync(built, 'utf8'))).toBe(links.credential);
	});

	it('every Docs link is a page without #fragment or ?query (n8n appends ?utm_source=...) that exists here', () => {
		for (const [which, page] of Object.entries(DOC_PAGES)) {
			const link = links[which as keyof typeof DOC_PAGES];
			expect(link).toBe(`${repository!.web}/blob/HEAD/${page}`);
			expect(link).not.toMatch(/[#?]/);
			expect(existsSync(join(root, page)), page).toBe(true);
		}
	});
});

describe('writeLinks', () => {
	const copy = mkdtempSync(join(tmpdir(), 'appcues-links-'));
	afterAll(() => rmSync(copy, { recursive: true, force: true }));

	it('rewrites package.json, both codex files and the credential from one address', async () => {
		for (const file of [
			'package.json',
			'CHANGELOG.md',
			'.prettierrc.js',
			CREDENTIAL_FILE,
			...Object.values(CODEX_FILES),
		]) {
			mkdirSync(dirname(join(copy, file)), { recursive: true });
			cpSync(join(root, file), join(copy, file));
		}
		const acme = parseGitHubRepository('https://github.com/acme/appcues-for-n8n')!;
		await writeLinks(acme, copy);

		const written = readJson<PackageJson>(join(copy, 'package.json'));
		expect(written.repository).toEqual({
			type: 'git',
			url: 'git+https://github.com/acme/appcues-for-n8n.git',
		});
		expect(written.homepage).toBe('https://github.com/acme/appcues-for-n8n#readme');
		expect(written.bugs).toEqual({ url: 'https://github.com/acme/appcues-for-n8n/issues' });
		// Everything else of package.json is kept.
		expect({ ...written, repository: 0, homepage: 0, bugs: 0 }).toEqual({
			...pkg,
			repository: 0,
			homepage: 0,
			bugs: 0,
		});
		expect(codexLinks(readJson(join(copy, CODEX_FILES.trigger)))).toEqual([
			{
				kind: 'primaryDocumentation',
				url: 'https://github.com/acme/appcues-for-n8n/blob/HEAD/docs/appcues-trigger.md',
			},
			{
				kind: 'credentialDocumentation',
				url: 'https://github.com/acme/appcues-for-n8n/blob/HEAD/docs/credential.md',
			},
		]);
		const credential = readFileSync(join(copy, CREDENTIAL_FILE), 'utf8');
		expect(credentialDocumentationUrl(credential)).toBe(
			'https://github.com/acme/appcues-for-n8n/blob/HEAD/docs/credential.md',
		);
		expect(readFileSync(join(copy, 'CHANGELOG.md'), 'utf8')).toContain(
			'https://github.com/acme/appcues-for-n8n/compare/',
		);
		expect(readFileSync(join(copy, 'CHANGELOG.md'), 'utf8')).not.toContain(`${repository!.web}/`);
		// Only the link changed in the credential.
		expect(credential.replace(/documentationUrl =[^;]*;/, '')).toBe(
			readFileSync(join(root, CREDENTIAL_FILE), 'utf8').replace(/documentationUrl =[^;]*;/, ''),
		);
	});
});
