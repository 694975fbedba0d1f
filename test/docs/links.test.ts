/**
 * Every relative link of the documentation points to a file that exists and, with a `#fragment`,
 * to a heading of that file (GitHub's anchor for it), so moving a section cannot leave a link
 * behind. The codex Docs links are checked by the release check and scripts/links.ts.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..', '..');

const documents = [
	'README.md',
	'CONTRIBUTING.md',
	'bench/README.md',
	...readdirSync(join(root, 'docs'))
		.filter((name) => name.endsWith('.md'))
		.map((name) => `docs/${name}`),
].filter((file) => existsSync(join(root, file)));

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
export function githubAnchor(heading: string): string {
	return heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s_-]/gu, '')
		.replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
	const anchors = new Set<string>();
	const seen = new Map<string, number>();
	let inCode = false;
	for (const line of markdown.split('\n')) {
		if (line.startsWith('```')) inCode = !inCode;
		const heading = !inCode && /^#{1,6}\s+(.*)$/.exec(line);
		if (!heading) continue;
		const base = githubAnchor(heading[1]);
		const count = seen.get(base) ?? 0;
		seen.set(base, count + 1);
		anchors.add(count === 0 ? base : `${base}-${count}`);
	}
	return anchors;
}

/** Links outside code: `[text](target)`, images included. */
function linksOf(markdown: string): string[] {
	const links: string[] = [];
	let inCode = false;
	for (const line of markdown.split('\n')) {
		if (line.startsWith('```')) inCode = !inCode;
		if (inCode) continue;
		const outsideInlineCode = line.replace(/`[^`]*`/g, '');
		for (const match of outsideInlineCode.matchAll(/\]\(([^)\s]+)\)/g)) links.push(match[1]);
	}
	return links;
}

describe('documentation links', () => {
	it('githubAnchor gives the anchors GitHub gives', () => {
		expect(githubAnchor('Errors, retries and rate limits')).toBe('errors-retries-and-rate-limits');
		expect(githubAnchor('AI agents and MCP')).toBe('ai-agents-and-mcp');
		expect(githubAnchor('`npm run dev`: the sandbox')).toBe('npm-run-dev-the-sandbox');
	});

	it.each(documents)('%s: every relative link reaches a file and a heading', (file) => {
		const markdown = readFileSync(join(root, file), 'utf8');
		const broken: string[] = [];
		for (const link of linksOf(markdown)) {
			if (/^[a-z]+:/i.test(link)) continue;
			const [path, fragment] = link.split('#');
			const target = path === '' ? join(root, file) : resolve(dirname(join(root, file)), path);
			if (!existsSync(target)) {
				broken.push(`${link}: no file ${relative(root, target)}`);
				continue;
			}
			if (fragment === undefined || !target.endsWith('.md') || statSync(target).isDirectory()) {
				continue;
			}
			if (!anchorsOf(readFileSync(target, 'utf8')).has(fragment)) {
				broken.push(`${link}: no heading #${fragment} in ${relative(root, target)}`);
			}
		}
		expect(broken).toEqual([]);
	});
});
