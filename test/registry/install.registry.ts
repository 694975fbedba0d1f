/**
 * From the registry to the canvas, in real n8n 2.8.4 and 2.41.1 with headless Chromium: the
 * packed package is published to a local npm registry (Verdaccio, test/e2e/lib/registry.ts) as
 * a release would publish it, then installed, updated and uninstalled through Settings >
 * Community Nodes, and installed from the command line in n8n's nodes folder.
 *
 *   npm run test:registry                                     # both versions, and queue mode
 *   N8N_E2E_VERSIONS=2.41.1 npx vitest run --config test/registry/vitest.config.mts test/registry/install.registry.ts
 *
 * n8n installs from a registry other than the npm registry only with the licence feature
 * `feat:communityNodes:customRegistry`; n8n's own test mode (E2E_TESTS=true) lets one REST call
 * switch it on, and that is how these tests run. Installing from the public registry needs no
 * licence: the code path is the same but for that check.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';

import {
	linksFor,
	parseGitHubRepository,
	readJson,
	repositoryUrl,
	type PackageJson,
} from '../../scripts/links';
import {
	appcuesCredentials,
	loadWorkflows,
	NODE_TYPE,
	SANDBOX_CREDENTIAL,
	TRIGGER_TYPE,
} from '../e2e/lib/appcues';
import {
	createN8nSandbox,
	failureReport,
	nodeOutput,
	packPackage,
	repoRoot,
	type N8nSandbox,
	type N8nVersion,
	type RunningN8n,
} from '../e2e/lib/n8n';
import { nextPatch, packVersion, startRegistry, type NpmRegistry } from '../e2e/lib/registry';
import { selectedVersions } from '../e2e/lib/versions';
import { DEFAULT_ACCOUNT, FakeAppcues } from '../fake-appcues/server';
import { seedDemoData } from '../fake-appcues/seed';
import {
	anyVisible,
	click,
	ConsoleWatch,
	doubleClick,
	goto,
	launchSignedIn,
	newPage,
	Screenshots,
	WAIT,
} from '../ui/lib/browser';
import type { PageDocument, PageElement } from '../ui/lib/page-dom';
import { ownerCookie, rest } from '../ui/lib/rest';
import {
	CREATOR_ITEM,
	installThroughPage,
	openCommunityNodes,
	packageCards,
	searchNodePanel,
	uninstallThroughPage,
	updateThroughPage,
	waitForCard,
} from './lib/editor';
import { enableCustomRegistry, runReadmeInstall } from './lib/n8n-registry';

// Page functions run in Chromium: see page-dom.ts.
declare const document: PageDocument;

const PACKAGE = 'n8n-nodes-appcues';
const pkg = readJson<PackageJson>(join(repoRoot(), 'package.json'));
const FIRST = pkg.version;
const NEXT = nextPatch(FIRST);
const LINKS = linksFor(parseGitHubRepository(repositoryUrl(pkg))!);
const { tags: TAGS, trigger: TRIGGER } = loadWorkflows();
const NDV = '[data-test-id=ndv]';
/** The saved workflows that use the package's nodes: the Update and Uninstall dialogs list them. */
const USING_WORKFLOWS = [TAGS.name, TRIGGER.name];
/**
 * n8n's own requests to the internet (none here): its Community Nodes page counts the community
 * packages on api.npms.io (the failed request, and the "Can't connect" its request helper logs
 * for it), and n8n 2.8.4's editor fetches dynamic banners from n8n's servers.
 */
const OFFLINE_NOISE = [
	/^requestfailed: GET https:\/\/api\.npms\.io\//,
	/^console\.error: ResponseError: Can't connect to n8n\./,
	/^console\.error: Failed to fetch dynamic banners: ResponseError: Can't connect to n8n\./,
];
const canvasNode = (name: string) => `[data-test-id=canvas-node][data-node-name="${name}"]`;
const SCREENSHOTS = join(repoRoot(), 'test', 'registry', 'screenshots');

interface InstalledPackage {
	packageName: string;
	installedVersion: string;
	installedNodes: Array<{ name: string; type: string }>;
	failedLoading?: boolean;
	updateAvailable?: string;
}

let tarballs: { first: string; next: string };

beforeAll(async () => {
	tarballs = { first: await packPackage(), next: await packVersion(NEXT) };
});

describe.each(selectedVersions())(
	'n8n %s: install, update and uninstall from an npm registry',
	(version: N8nVersion) => {
		let registry: NpmRegistry;
		let fake: FakeAppcues;
		let n8n: N8nSandbox;
		let server: RunningN8n;
		let cookie: string;
		let browser: Browser;
		let page: Page;
		let watch: ConsoleWatch;
		let shots: Screenshots;
		const timings: Record<string, number> = {};

		const base = () => server.baseUrl;
		const installed = () =>
			rest<InstalledPackage[]>(base(), cookie, 'GET', '/rest/community-packages');
		const nodesDir = () => join(n8n.n8nDir, 'nodes');
		const installedManifest = () =>
			JSON.parse(
				readFileSync(join(nodesDir(), 'node_modules', PACKAGE, 'package.json'), 'utf8'),
			) as {
				version: string;
			};
		const nodeTypes = async () => {
			const res = await fetch(`${base()}/types/nodes.json`, {
				headers: { cookie: `n8n-auth=${cookie}` },
			});
			const types = (await res.json()) as Array<{ name: string }>;
			return types.map((t) => t.name).filter((name) => name.startsWith(`${PACKAGE}.`));
		};
		/** The tags example (Start -> List Tags -> Get Tag), run by `n8n execute` against the fake. */
		const runTagsWorkflow = async () => {
			fake.reset();
			const res = await n8n.executeWorkflow(TAGS.id);
			expect(res.ok, failureReport(res)).toBe(true);
			expect(nodeOutput(res.run, 'List Tags')).toHaveLength(2);
			const paths = fake.requests.map((r) => `${r.method} ${r.rawPath}`);
			expect(paths).toContain(`GET /v2/accounts/${DEFAULT_ACCOUNT.accountId}/tags`);
		};
		/** The browser's errors, less n8n's own offline noise. */
		const unexpected = (alsoExpected: RegExp[] = []) =>
			watch
				.unexpected()
				.filter((entry) => ![...OFFLINE_NOISE, ...alsoExpected].some((noise) => noise.test(entry)));
		/** Opens a saved workflow in the editor and the panel of `nodeName`. */
		const openNode = async (workflowId: string, nodeName: string) => {
			await goto(page, `${base()}/workflow/${workflowId}`);
			await anyVisible(page, canvasNode(nodeName), 3 * WAIT);
			await doubleClick(page, canvasNode(nodeName));
			await anyVisible(page, NDV);
		};
		/** The href of the Docs link in the panel of `nodeName`. */
		const docsLinkOf = async (workflowId: string, nodeName: string): Promise<string> => {
			await openNode(workflowId, nodeName);
			const handle = await page.waitForFunction(
				(ndv) =>
					[...document.querySelectorAll(`${ndv} a[href]`)]
						.map((a) => (a as PageElement).href)
						.find((href) => href.includes('utm_source=')) ?? null,
				{ timeout: WAIT },
				NDV,
			);
			return (await handle.jsonValue()) as string;
		};
		const timed = async <T>(name: string, step: () => Promise<T>): Promise<T> => {
			const t0 = Date.now();
			try {
				return await step();
			} finally {
				timings[name] = Date.now() - t0;
			}
		};
		const start = async ({ licensed = true } = {}) => {
			server = await timed(`start ${Object.keys(timings).length}`, () => n8n.start());
			cookie = await ownerCookie(base());
			if (licensed) await enableCustomRegistry(base());
		};

		beforeAll(async () => {
			shots = new Screenshots(join(SCREENSHOTS, version));
			registry = await startRegistry();
			await timed('publish', () => registry.publish(tarballs.first));
			fake = new FakeAppcues({ seed: seedDemoData });
			const fakeUrl = await fake.start();
			n8n = await createN8nSandbox(version, {
				env: { E2E_TESTS: 'true', ...registry.n8nEnv() },
			});
			await n8n.importCredentials(appcuesCredentials(fakeUrl));
			await n8n.importWorkflows([TAGS, TRIGGER]);
			await start({ licensed: false });
			browser = await launchSignedIn(cookie);
			page = await newPage(browser);
			watch = new ConsoleWatch(page);
		});

		afterAll(async () => {
			process.stdout.write(
				`n8n ${version} registry suite timings (ms): ${JSON.stringify(timings)}\n`,
			);
			await browser?.close();
			await n8n?.dispose();
			await registry?.stop();
			await fake?.close();
		});

		const keepOnFailure = () =>
			onTestFailed(() => {
				n8n.keep = true;
				registry.keep = true;
				process.stdout.write(`kept: ${n8n.root} and ${registry.root}\n`);
			});

		it("a registry other than npm's needs the licence feature; `verify` needs a package n8n has vetted", async () => {
			keepOnFailure();
			const install = (body: Record<string, unknown>) =>
				rest(base(), cookie, 'POST', '/rest/community-packages', { name: PACKAGE, ...body });
			await expect(install({})).rejects.toThrow(
				/license does not allow for feat:communityNodes:customRegistry/,
			);
			await enableCustomRegistry(base());
			await expect(install({ verify: true })).rejects.toThrow(/is not vetted for installation/);
			// Refused before npm ran: nothing was downloaded.
			expect(registry.log()).not.toContain(`/${PACKAGE}/-/`);
			expect(await installed()).toEqual([]);
		});

		it(`Settings > Community Nodes installs ${PACKAGE} from the registry`, async () => {
			keepOnFailure();
			expect(await installed()).toEqual([]);
			await openCommunityNodes(page, base());
			const card = await timed('gui install', () => installThroughPage(page, PACKAGE));
			await shots.take(page, 'installed');
			// "n8n-nodes-appcues 2 nodes: Appcues, Appcues Trigger v0.1.0"
			expect(card).toContain(FIRST);
			expect(card).toMatch(/Appcues,\s*Appcues Trigger/);
			const [listed] = await installed();
			expect(listed.packageName).toBe(PACKAGE);
			expect(listed.installedVersion).toBe(FIRST);
			expect(listed.installedNodes.map((node) => node.type).sort()).toEqual([
				NODE_TYPE,
				TRIGGER_TYPE,
			]);
			expect(installedManifest().version).toBe(FIRST);
			// It came from the registry: n8n asked it for the version, then npm fetched the tarball.
			expect(registry.log()).toContain(`/${PACKAGE}/-/${PACKAGE}-${FIRST}.tgz`);
		});

		it('the node panel finds Appcues and Appcues Trigger, also by an alias; Docs opens the package page', async () => {
			keepOnFailure();
			expect((await nodeTypes()).sort()).toEqual(expect.arrayContaining([NODE_TYPE, TRIGGER_TYPE]));
			// n8n lists an app's action node and trigger as one entry, here "Appcues"; the trigger
			// is inside it.
			const found = await searchNodePanel(page, base(), 'Appcues');
			await shots.take(page, 'node-panel-appcues');
			expect(found).toEqual(['Appcues']);
			await click(page, CREATOR_ITEM, /^Appcues$/);
			await anyVisible(
				page,
				`[data-test-id=node-creator] [data-keyboard-nav-id^="${TRIGGER_TYPE}"]`,
			);
			await shots.take(page, 'node-panel-appcues-trigger');
			await page.keyboard.press('Escape');
			const byAlias = await searchNodePanel(page, base(), 'onboarding');
			await shots.take(page, 'node-panel-alias');
			expect(byAlias).toContain('Appcues');
			// The Docs links of a saved workflow's nodes, as the editor opens them.
			for (const [workflow, nodeName, page_] of [
				[TAGS, 'List Tags', LINKS.node],
				[TRIGGER, TRIGGER.nodes.find((node) => node.type === TRIGGER_TYPE)!.name, LINKS.trigger],
			] as const) {
				const href = await docsLinkOf(workflow.id, nodeName);
				await shots.take(page, `docs-link-${workflow.id}`);
				const url = new URL(href);
				// The page itself, n8n's ?utm_source=... after it, and no #fragment it could have broken.
				expect(`${url.origin}${url.pathname}`).toBe(page_);
				expect(url.searchParams.get('utm_source')).toBe('n8n_app');
				expect(url.hash).toBe('');
			}
			expect(unexpected()).toEqual([]);
		});

		it('a workflow with the installed node runs against the fake Appcues', async () => {
			keepOnFailure();
			await timed('run', runTagsWorkflow);
		});

		it(`update: ${NEXT} published to the same registry is offered and installed through the page`, async () => {
			keepOnFailure();
			await registry.publish(tarballs.next);
			const [listed] = await timed('update check', installed);
			expect(listed.updateAvailable).toBe(NEXT);
			await openCommunityNodes(page, base());
			await waitForCard(page, PACKAGE, FIRST);
			const card = await timed('gui update', () =>
				updateThroughPage(page, PACKAGE, NEXT, USING_WORKFLOWS),
			);
			await shots.take(page, 'updated');
			expect(card).toContain(NEXT);
			const [updated] = await installed();
			expect(updated.installedVersion).toBe(NEXT);
			expect(updated.updateAvailable).toBeUndefined();
			expect(installedManifest().version).toBe(NEXT);
			// The saved workflow opens with its credential, and runs.
			await openNode(TAGS.id, 'List Tags');
			await page.waitForFunction(
				(s, name) => (document.querySelector(s) as PageElement | null)?.value === name,
				{ timeout: WAIT },
				`${NDV} [data-test-id=node-credentials-select] input`,
				SANDBOX_CREDENTIAL.name,
			);
			await shots.take(page, 'updated-workflow-opens');
			await runTagsWorkflow();
		});

		it('uninstall through the page leaves n8n healthy', async () => {
			keepOnFailure();
			await openCommunityNodes(page, base());
			await timed('gui uninstall', () =>
				watch.allowing(
					// n8n 2.41.1's own confirm dialog reads the removed package once more
					// (CommunityPackageManageConfirmModal: `installedNodes` of a package no longer in its store).
					[
						/^console\.error: TypeError: Cannot read properties of undefined \(reading 'installedNodes'\)/,
					],
					() => uninstallThroughPage(page, USING_WORKFLOWS),
				),
			);
			await shots.take(page, 'uninstalled');
			expect(await packageCards(page)).toEqual([]);
			expect(await installed()).toEqual([]);
			expect(await nodeTypes()).toEqual([]);
			expect(existsSync(join(nodesDir(), 'node_modules', PACKAGE))).toBe(false);
			expect((await fetch(`${base()}/healthz`)).status).toBe(200);
			// A workflow that uses the node still opens; the node says it is not installed.
			await openNode(TAGS.id, 'List Tags');
			await page.waitForFunction(
				(ndv) =>
					(document.querySelector(ndv) as PageElement | null)?.innerText.includes(
						'not currently installed',
					),
				{ timeout: WAIT },
				NDV,
			);
			await shots.take(page, 'uninstalled-workflow-opens');
			// The panel asks n8n for the uninstalled node's output schema: 404.
			expect(
				unexpected([
					/^http 404: GET [^ ]*\/schemas\/n8n-nodes-appcues\.appcues\//,
					/^console\.error: Failed to load resource: .* 404 .*\/schemas\/n8n-nodes-appcues\.appcues\//,
				]),
			).toEqual([]);
		});

		// The README's command-line install: from the registry on the newest n8n, from the tarball
		// (before publication) on the oldest. Both are npm in n8n's nodes folder, then a restart.
		const fromTarball = version === '2.8.4';
		it(`command line: npm install ${fromTarball ? 'the tarball' : PACKAGE} in n8n's nodes folder, then n8n loads it`, async () => {
			keepOnFailure();
			await n8n.stop();
			// A nodes folder as on an instance that never installed through the page: the README's
			// lines create it and its package.json, and npm adds the one package.
			await rm(nodesDir(), { recursive: true, force: true });
			const spec = fromTarball ? tarballs.first : PACKAGE;
			const out = await timed('npm install', () =>
				runReadmeInstall(nodesDir(), spec, registry.npmEnv()),
			);
			expect(out).toMatch(/added 1 package/);
			expect(installedManifest().version).toBe(fromTarball ? FIRST : NEXT);
			await start();
			expect((await nodeTypes()).sort()).toEqual(expect.arrayContaining([NODE_TYPE, TRIGGER_TYPE]));
			// Settings > Community Nodes lists only what was installed through n8n.
			expect(await installed()).toEqual([]);
			await runTagsWorkflow();
		});
	},
);
