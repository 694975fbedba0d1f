/**
 * A new user's first hour in the n8n editor, in headless Chromium against real n8n 2.41.1 with the
 * dev sandbox (started as `npm run dev` starts it): the node creator's entry and actions, the
 * default credential, every operation's fields, the From List pickers, Custom API Call, the
 * Options, the credential test, the trigger panel and a delivery while listening, the users and AI
 * Agent examples run from the editor, the MCP server example, and that no request or panel of the
 * package logs an error.
 * Each step saves a screenshot to test/ui/screenshots/; a failed test leaves FAILED-* files there.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { AppcuesApi } from '../../credentials/AppcuesApi.credentials';
import { EXPERIENCE_TYPES } from '../../nodes/Appcues/actions/experience/experienceType';
import { AppcuesTrigger } from '../../nodes/AppcuesTrigger/AppcuesTrigger.node';
import { DEMO_PROMPTS } from '../../scripts/demo-model';
import {
	appcuesCredentials,
	signDelivery,
	WEBHOOK_SECRET,
	WRONG_API_SECRET,
} from '../e2e/lib/appcues';
import { repoRoot } from '../e2e/lib/n8n';
import { DEFAULT_ACCOUNT } from '../fake-appcues/server';
import {
	anyVisible,
	click,
	ConsoleWatch,
	doubleClick,
	goto,
	launchSignedIn,
	newPage,
	saveFailure,
	Screenshots,
	selectOption,
	trail,
	typeInto,
	visibleTexts,
	WAIT,
} from './lib/browser';
import { description, expectedFields, operationChoices, resourceChoices } from './lib/fields';
import { ownerCookie, rest } from './lib/rest';
import { startEditorStack, type EditorStack } from './lib/stack';
import type { PageDocument, PageElement, RequestAnimationFrame } from './lib/page-dom';

// Page functions run in Chromium: see page-dom.ts.
declare const document: PageDocument;
declare const requestAnimationFrame: RequestAnimationFrame;

export const SCREENSHOT_DIR = join(repoRoot(), 'test', 'ui', 'screenshots');

const NDV = '[data-test-id=ndv]';
const CREATOR_ITEM = '[data-test-id=node-creator] [data-test-id=item-iterator-item]';
const OUTPUT = `${NDV} [data-test-id=output-panel]`;
const CUSTOM_API_CALL_HINT = 'Use the HTTP Request node to make a custom API call';
const ERROR_TEXTS = ['Could not load list', 'Error fetching options', 'Parameter issues'];

let stack: EditorStack;
let browser: Browser;
let page: Page;
let watch: ConsoleWatch;
let shots: Screenshots;
let cookie: string;
let failed = false;

/** In-app navigation (a full page load of the editor costs 5-80 s here). */
async function navigate(path: string): Promise<void> {
	trail.note(`navigate to ${path}`);
	await page.evaluate((to) => {
		const app = (
			document.querySelector('#app') as unknown as {
				__vue_app__: {
					config: { globalProperties: { $router: { push(p: string): Promise<unknown> } } };
				};
			}
		).__vue_app__;
		// Not awaited: with unsaved changes the router waits for the "Save changes before
		// leaving?" dialog below.
		void app.config.globalProperties.$router.push(to);
	}, path);
	// The steps edit one scratch workflow and never keep it: leave it without saving when n8n asks.
	const outcome = await page.waitForFunction(
		(to) => {
			const leave = [...document.querySelectorAll('button')].find(
				(b) => b.innerText.trim() === 'Leave without saving' && b.getClientRects().length > 0,
			);
			if (leave) return 'ask';
			return (globalThis as unknown as { location: { pathname: string } }).location.pathname === to
				? 'arrived'
				: null;
		},
		{ timeout: WAIT, polling: 100 },
		path,
	);
	if ((await outcome.jsonValue()) === 'ask') await click(page, 'button', 'Leave without saving');
}

/**
 * The labels of the visible top-level fields of the node panel (the credential picker is not a
 * field; a label's first line leaves out the Fixed / Expression toggle).
 */
function readPanelFields(itemSelector: string): string[] {
	return (
		[...document.querySelectorAll(itemSelector)]
			.filter(
				(item) =>
					item.getClientRects().length > 0 &&
					!item.parentElement?.closest('[data-test-id=parameter-item]'),
			)
			// n8n renders the credential picker inside the first field's item: skip its label.
			.map((item) =>
				[...item.querySelectorAll('[data-test-id=input-label]')].find(
					(label) =>
						label.closest('[data-test-id=parameter-item]') === item &&
						!label.parentElement?.querySelector('[data-test-id=node-credentials-select]') &&
						label.innerText.split('\n')[0].trim() !== 'Credential',
				),
			)
			.map((label) => (label?.innerText ?? '').split('\n')[0].trim())
			.filter((label) => label !== '')
	);
}

async function panelFields(): Promise<string[]> {
	return page.evaluate(readPanelFields, `${NDV} [data-test-id=parameter-item]`);
}

async function panelErrors(): Promise<string[]> {
	return page.$eval(
		NDV,
		(ndv, texts) => {
			const found: string[] = [];
			// (A required field left empty shows n8n's issue triangle: that is not an error here. The
			// output panel keeps the last run's error, such as Custom API Call's, until the node runs
			// again: that is not the panel's either.)
			if (
				[...ndv.querySelectorAll('[data-test-id=node-error-message]')].some(
					(e) => e.getClientRects().length > 0 && !e.closest('[data-test-id=output-panel]'),
				)
			) {
				found.push('node error message');
			}
			const text = (ndv as PageElement).innerText;
			for (const t of texts) if (text.includes(t)) found.push(t);
			return found;
		},
		ERROR_TEXTS,
	);
}

/** Expands the creator's collapsed "Actions" category until the Appcues actions show (a click during its animation can be lost). */
async function showAppcuesActions(): Promise<void> {
	// The Actions section sometimes opens with its list not rendered (seen in a CI run: the header
	// expanded, the list empty). So wait for the resource groups themselves, and toggle the section
	// again (a click collapses it, the next expands it) until they show.
	const groupsShown = () =>
		page
			.waitForFunction(
				(s) =>
					(document.querySelector(s) as PageElement | null)?.innerText
						.toLowerCase()
						.includes('analytics actions'),
				{ timeout: 10_000 },
				'[data-test-id=node-creator]',
			)
			.then(
				() => true,
				() => false,
			);
	for (let attempt = 1; ; attempt++) {
		if (await groupsShown()) return;
		if (attempt > 4) throw new Error('the Appcues actions never showed in the node creator');
		await click(page, '[data-test-id=node-creator-category-item][data-keyboard-nav-id=Actions]');
	}
}

/** The text an "Add option" select shows (its placeholder). */
async function addOptionText(): Promise<string> {
	const select = `${NDV} [data-test-id=collection-parameter-add]`;
	await anyVisible(page, select);
	return page.$eval(
		select,
		(e) => e.innerText.trim() || e.querySelector('input')?.getAttribute('placeholder') || '',
	);
}

/**
 * Inputs of the node panel whose placeholder is wider than the input (the user would see it cut
 * off): measured with the input's own font.
 */
async function cutOffPlaceholders(): Promise<string[]> {
	// (No named helpers in a page function: a bundler may wrap them in a __name() the page lacks.)
	return page.$$eval(`${NDV} [data-test-id=parameter-item] input[placeholder]`, (inputs) => {
		const page = globalThis as unknown as {
			document: {
				createElement(tag: 'canvas'): {
					getContext(kind: '2d'): { font: string; measureText(t: string): { width: number } };
				};
			};
			getComputedStyle(e: unknown): { font: string; paddingLeft: string; paddingRight: string };
		};
		const context = page.document.createElement('canvas').getContext('2d');
		return inputs
			.filter((input) => input.getClientRects().length > 0)
			.filter((input) => {
				const css = page.getComputedStyle(input);
				context.font = css.font;
				const room =
					(input as unknown as { clientWidth: number }).clientWidth -
					parseFloat(css.paddingLeft) -
					parseFloat(css.paddingRight);
				return context.measureText(input.getAttribute('placeholder') ?? '').width > room;
			})
			.map((input) => input.getAttribute('placeholder') ?? '');
	});
}

/**
 * Waits (up to 30 s) until the editor shows no execution running: the Execute workflow button shows
 * its label again (while running it is a spinner only). Only for a clean picture: the test's checks
 * are done before.
 */
async function executionFinished(): Promise<void> {
	await page
		.waitForFunction(
			(execute) =>
				(document.querySelector(execute) as PageElement | null)?.innerText.includes(
					'Execute workflow',
				),
			{ timeout: 30_000 },
			'[data-test-id=execute-workflow-button]',
		)
		.catch(() => trail.note('the editor still showed a running execution after 30 s'));
}

/** Zooms the canvas out one step (room around the nodes for a picture) and waits until it is still. */
async function zoomOutCanvas(): Promise<void> {
	const pane = '.vue-flow__transformationpane';
	const before = await page.$eval(pane, (e) => (e as PageElement).getAttribute('style'));
	await click(page, '[data-test-id=zoom-out-button]');
	await page.waitForFunction(
		async (s, from) => {
			let last = '';
			for (let stable = 0; stable < 3;) {
				await new Promise((r) => requestAnimationFrame(r));
				const now = document.querySelector(s)?.getAttribute('style') ?? '';
				stable = now === last ? stable + 1 : 0;
				last = now;
			}
			return last !== from;
		},
		{ timeout: WAIT },
		pane,
		before,
	);
}

async function setResourceAndOperation(resourceName: string, operationName: string): Promise<void> {
	const resourceInput = `${NDV} [data-test-id=parameter-input-resource] input`;
	const operationInput = `${NDV} [data-test-id=parameter-input-operation] input`;
	if ((await page.$eval(resourceInput, (e) => (e as PageElement).value)) !== resourceName) {
		await selectOption(page, resourceInput, resourceName);
	}
	if ((await page.$eval(operationInput, (e) => (e as PageElement).value)) !== operationName) {
		await selectOption(page, operationInput, operationName);
	}
}

async function closePanel(): Promise<void> {
	await page.keyboard.press('Escape');
	await page.waitForFunction(
		(s) => ![...document.querySelectorAll(s)].some((e) => e.getClientRects().length > 0),
		{},
		NDV,
	);
}

/** Opens the From List picker of `parameter` and returns the names it lists. */
async function listItems(parameter: string): Promise<string[]> {
	const locator = `${NDV} [data-test-id=resource-locator-${parameter}]`;
	const answered = page.waitForResponse((r) =>
		r.url().includes('/rest/dynamic-node-parameters/resource-locator-results'),
	);
	await click(page, `${locator} [data-test-id=rlc-input]`);
	expect((await answered).status()).toBe(200);
	await anyVisible(page, `${locator} [data-test-id=rlc-item]`);
	return visibleTexts(page, `${locator} [data-test-id=rlc-item]`);
}

describe('the n8n editor with the Appcues nodes (n8n 2.41.1, headless Chromium)', () => {
	beforeAll(async () => {
		rmSync(SCREENSHOT_DIR, { recursive: true, force: true });
		shots = new Screenshots(SCREENSHOT_DIR);
		stack = await startEditorStack();
		cookie = await ownerCookie(stack.server.baseUrl);
		browser = await launchSignedIn(cookie);
		page = await newPage(browser);
		watch = new ConsoleWatch(page);
	});

	beforeEach((ctx) => {
		trail.note(`test: ${ctx.task.name}`);
		ctx.onTestFailed(async () => {
			failed = true;
			await saveFailure(page, SCREENSHOT_DIR, ctx.task.name, watch);
		});
	});

	afterAll(async () => {
		await browser?.close();
		const keepFiles = failed || process.env.UI_KEEP === '1';
		if (keepFiles && stack) process.stdout.write(`n8n folder kept: ${stack.root}\n`);
		await stack?.stop({ keepFiles });
	});

	it('node creator: one "Appcues" entry described for the whole app, actions by resource, no Custom API Call', async () => {
		await goto(page, `${stack.server.baseUrl}/workflow/new`);
		await anyVisible(page, '[data-test-id=canvas-add-button]', 3 * WAIT);
		await click(page, '[data-test-id=canvas-add-button]');
		await typeInto(page, '[data-test-id=node-creator-search-bar]', 'Appcues');
		await click(page, CREATOR_ITEM, 'Appcues');
		const creator = '[data-test-id=node-creator]';
		const appDescription = new AppcuesTrigger().description.description;
		await page.waitForFunction(
			(s, d) => (document.querySelector(s) as PageElement | null)?.innerText.includes(d),
			{},
			creator,
			appDescription,
		);
		await showAppcuesActions();
		await shots.take(page, 'node-creator-appcues', {
			image: 'node-creator',
			selector: '[data-test-id=node-creator]',
		});
		const text = await page.$eval(creator, (e) => (e as PageElement).innerText);
		expect(text).toContain(appDescription);
		expect(text.toLowerCase()).toContain('analytics actions');
		expect(text).not.toMatch(/analytic actions/i);
		expect(text).not.toContain('Custom API Call');
		const listed = await visibleTexts(page, '[data-keyboard-nav-id^="n8n-nodes-appcues.appcues-"]');
		const expected = resourceChoices().flatMap((r) =>
			operationChoices(r.value).map((o) => o.action),
		);
		expect([...listed].sort()).toEqual([...expected].sort());
	});

	it('a new Appcues node gets the working sandbox credential; the canvas subtitle is readable', async () => {
		await click(
			page,
			`${CREATOR_ITEM}[data-keyboard-nav-id^="n8n-nodes-appcues.appcues-"]`,
			'Get many tags',
		);
		await anyVisible(page, `${NDV} [data-test-id=parameter-input-operation]`);
		const credential = `${NDV} [data-test-id=node-credentials-select] input`;
		await page.waitForFunction(
			(s) => (document.querySelector(s) as PageElement | null)?.value === 'Appcues Sandbox',
			{},
			credential,
		);
		await shots.take(page, 'new-node-sandbox-credential');
		await closePanel();
		const node = '[data-test-id=canvas-node][data-node-name="Get many tags"]';
		await page.waitForFunction(
			(s) => (document.querySelector(s) as PageElement | null)?.innerText.includes('Get Many: Tag'),
			{},
			node,
		);
		await shots.take(page, 'canvas-subtitle');
	});

	it('every resource and operation shows its fields, nothing of another operation, and no error', async () => {
		await doubleClick(page, '[data-test-id=canvas-node][data-node-name="Get many tags"]');
		await anyVisible(page, `${NDV} [data-test-id=parameter-input-operation]`);
		for (const resource of resourceChoices()) {
			for (const operation of operationChoices(resource.value)) {
				await setResourceAndOperation(resource.name, operation.name);
				const expected = [
					'Resource',
					'Operation',
					...expectedFields(resource.value, operation.value).filter(
						(f) => !['Resource', 'Operation'].includes(f),
					),
				];
				try {
					// A string predicate: CDP evaluates it (the page's CSP would refuse new Function).
					const want = JSON.stringify([...expected].sort());
					await page.waitForFunction(
						`JSON.stringify((${readPanelFields.toString()})(${JSON.stringify(`${NDV} [data-test-id=parameter-item]`)}).sort()) === ${JSON.stringify(want)}`,
						{ timeout: WAIT },
					);
				} catch {
					expect({
						resource: resource.name,
						operation: operation.name,
						fields: (await panelFields()).sort(),
					}).toEqual({
						resource: resource.name,
						operation: operation.name,
						fields: [...expected].sort(),
					});
				}
				expect({
					operation: `${resource.name} > ${operation.name}`,
					errors: await panelErrors(),
				}).toEqual({ operation: `${resource.name} > ${operation.name}`, errors: [] });
				await shots.take(page, `panel-${resource.value}-${operation.value}`);
			}
		}
	});

	it('Options: "Add option", and Request Timeout shows a whole number', async () => {
		await setResourceAndOperation('Tag', 'Get Many');
		expect(await addOptionText()).toBe('Add option');
		await click(page, `${NDV} [data-test-id=collection-parameter-add]`);
		await click(page, '[data-test-id=collection-parameter-option]', 'Request Timeout (Seconds)');
		const timeout = `${NDV} [data-test-id=parameter-input-timeoutSeconds] input`;
		await anyVisible(page, timeout);
		expect(await page.$eval(timeout, (e) => (e as PageElement).value)).toBe('30');
		await shots.take(page, 'options-request-timeout');
	});

	it('From List pickers list the sandbox items; By URL takes a Studio URL and runs', async () => {
		await setResourceAndOperation('Tag', 'Get');
		expect((await listItems('tagId')).sort()).toEqual(['billing', 'onboarding', 'release notes']);
		await shots.take(page, 'list-tags');
		await page.keyboard.press('Escape');

		await setResourceAndOperation('Experience', 'Get');
		expect(
			await page.$eval(
				`${NDV} [data-test-id=parameter-input-experienceType] input`,
				(e) => (e as PageElement).value,
			),
		).toBeTruthy();
		const flows = EXPERIENCE_TYPES.find((type) => type.value === 'flows')!.name;
		await selectOption(page, `${NDV} [data-test-id=parameter-input-experienceType] input`, flows);
		expect((await listItems('experienceId')).sort()).toEqual([
			'Welcome tour',
			'Welcome tour (draft)',
		]);
		await shots.take(page, 'list-experiences-flows');
		await page.keyboard.press('Escape');

		await setResourceAndOperation('Segment', 'Get');
		expect((await listItems('segmentId')).sort()).toEqual(['Admins', 'Power Users', 'Trial Users']);
		await shots.take(page, 'list-segments');
		await page.keyboard.press('Escape');

		const locator = `${NDV} [data-test-id=resource-locator-segmentId]`;
		await selectOption(page, `${locator} [data-test-id=rlc-mode-selector] input`, 'By URL');
		await typeInto(
			page,
			`${locator} input[type=text]:not([readonly]), ${locator} [data-test-id=rlc-input]`,
			'https://studio.appcues.com/segments/seg-trial',
		);
		await page.keyboard.press('Tab');
		await click(page, `${NDV} [data-test-id=node-execute-button]`);
		await anyVisible(
			page,
			`${OUTPUT} [data-test-id^=node-run-status-], ${OUTPUT} [data-test-id=node-error-message]`,
		);
		await click(page, `${OUTPUT} [data-test-id=radio-button-json]`);
		await page.waitForFunction(
			(s) => (document.querySelector(s) as PageElement | null)?.textContent?.includes('seg-trial'),
			{},
			`${OUTPUT} [data-test-id=ndv-data-container]`,
		);
		expect(
			await page.$eval(`${OUTPUT} [data-test-id=ndv-data-container]`, (e) => e.textContent),
		).toContain('Trial Users');
		await shots.take(page, 'by-url-segment-run', { image: 'node-panel', selector: NDV });
	});

	it('Custom API Call: n8n points to the HTTP Request node, and running it says how, sending nothing', async () => {
		const before = stack.fake.apiRequests().length;
		await selectOption(
			page,
			`${NDV} [data-test-id=parameter-input-operation] input`,
			'Custom API Call',
		);
		await page.waitForFunction(
			(s, t) => (document.querySelector(s) as PageElement | null)?.innerText.includes(t),
			{},
			NDV,
			CUSTOM_API_CALL_HINT,
		);
		await click(page, `${NDV} [data-test-id=node-execute-button]`);
		await anyVisible(page, `${NDV} [data-test-id=node-error-message]`);
		expect(
			await page.$eval(
				`${NDV} [data-test-id=node-error-message]`,
				(e) => (e as PageElement).innerText,
			),
		).toContain('Custom API calls are made with the HTTP Request node');
		expect(stack.fake.apiRequests().length).toBe(before);
		await shots.take(page, 'custom-api-call');
		await closePanel();
	});

	it('Account Tool > Call: the picker tells read-only tools from those that change data; a chosen tool gets one field per argument', async () => {
		// The workflow's one Appcues node, by type: n8n renames a node after its operation while its
		// name is the default, so after the Custom API Call step it is no longer "Get many tags".
		await doubleClick(
			page,
			'[data-test-id=canvas-node][data-node-type="n8n-nodes-appcues.appcues"]',
		);
		await anyVisible(page, `${NDV} [data-test-id=parameter-input-operation]`);
		await setResourceAndOperation('Account Tool', 'Call');
		const listed = await listItems('toolName');
		expect(listed).toContain('Create Campaign — create_campaign (changes data)');
		expect(listed).toContain('List Campaigns — list_campaigns (read-only)');
		await shots.take(page, 'list-account-tools');
		const fields = page.waitForResponse((r) =>
			r.url().includes('/rest/dynamic-node-parameters/resource-mapper-fields'),
		);
		await click(
			page,
			`${NDV} [data-test-id=resource-locator-toolName] [data-test-id=rlc-item]`,
			'Create Campaign — create_campaign (changes data)',
		);
		expect((await fields).status()).toBe(200);
		const mapper = `${NDV} [data-test-id=resource-mapper-container]`;
		await page.waitForFunction(
			(s) => (document.querySelector(s) as PageElement | null)?.innerText.includes('objective_id'),
			{},
			mapper,
		);
		const shown = await page.$eval(mapper, (e) => (e as PageElement).innerText);
		for (const argument of ['name', 'objective_id', 'priority', 'channel', 'tags'])
			expect(shown).toContain(argument);
		expect(await panelErrors()).toEqual([]);
		await shots.take(page, 'account-tool-call-fields');
		await closePanel();
	});

	it('credentials: the sandbox one tests green; a wrong key shows our 401 message; the docs link opens the README', async () => {
		const [sandbox] = appcuesCredentials(stack.sandboxUrl);
		const wrong = await rest<{ id: string }>(
			stack.server.baseUrl,
			cookie,
			'POST',
			'/rest/credentials',
			{
				name: 'Appcues Wrong Key (browser test)',
				type: 'appcuesApi',
				data: { ...sandbox.data, apiSecret: WRONG_API_SECRET, webhookSecret: '', legacyApiKey: '' },
			},
		);
		const message401 = (new AppcuesApi().test.rules ?? []).find(
			(rule) => rule.type === 'responseCode' && rule.properties.value === 401,
		)!.properties.message;

		const tested = page.waitForResponse(
			(r) => r.request().method() === 'POST' && r.url().endsWith('/rest/credentials/test'),
		);
		await navigate(`/home/credentials/${sandbox.id}`);
		await anyVisible(page, '[data-test-id=editCredential-modal]');
		expect(((await (await tested).json()) as { data: { status: string } }).data.status).toBe('OK');
		await anyVisible(page, '[data-test-id=credentials-config-container-test-success]');
		const docs = await page.$$eval('[data-test-id=editCredential-modal] a[href]', (links) =>
			links.map((a) => (a as PageElement).href),
		);
		expect(docs).toContain(new AppcuesApi().documentationUrl);
		await shots.take(page, 'credential-sandbox-ok');
		await page.keyboard.press('Escape');

		await watch.allowing([/rest\/credentials\/test/, /401/], async () => {
			const wrongTested = page.waitForResponse(
				(r) => r.request().method() === 'POST' && r.url().endsWith('/rest/credentials/test'),
			);
			await navigate(`/home/credentials/${wrong.id}`);
			await anyVisible(page, '[data-test-id=editCredential-modal]');
			const answer = (await (await wrongTested).json()) as {
				data: { status: string; message: string };
			};
			expect(answer.data).toEqual({ status: 'Error', message: message401 });
			await anyVisible(page, '[data-test-id=editCredential-modal] .el-tag--danger');
			await shots.take(page, 'credential-wrong-key-401');
		});
		await page.keyboard.press('Escape');
	});

	it('Appcues Trigger: production URL in the panel; a signed delivery while listening shows in the output', async () => {
		const workflowId = stack.examples.trigger.id;
		const triggerNode = stack.examples.trigger.nodes.find(
			(n) => n.type === 'n8n-nodes-appcues.appcuesTrigger',
		)!;
		await navigate(`/workflow/${workflowId}/${triggerNode.id}`);
		await anyVisible(page, NDV);
		// The setup notice tells the user to click "Webhook URLs", then "Production URL".
		await click(page, `${NDV} .clickable.headline`, 'Webhook URLs');
		await click(page, `${NDV} [data-test-id^=radio-button-], ${NDV} label`, 'Production URL');
		const production = `${stack.server.baseUrl}/webhook/${stack.hookPath}`;
		await page.waitForFunction(
			(s, u) => [...document.querySelectorAll(s)].some((e) => e.textContent?.trim() === u),
			{},
			`${NDV} .webhook-url`,
			production,
		);
		await shots.take(page, 'trigger-production-url');
		expect(await addOptionText()).toBe('Add option');
		expect(await cutOffPlaceholders()).toEqual([]);

		await click(page, `${NDV} [data-test-id=trigger-execute-button]`);
		await anyVisible(page, `${NDV} [data-test-id=trigger-listening]`);
		await shots.take(page, 'trigger-listening');
		const body = JSON.stringify({
			id: `evt-ui-${Date.now()}`,
			name: 'appcues:nps_score',
			user_id: 'grace',
			attributes: { score: 10 },
		});
		const testUrl = production.replace('/webhook/', '/webhook-test/');
		const response = await fetch(testUrl, {
			method: 'POST',
			headers: signDelivery(WEBHOOK_SECRET, body),
			body,
		});
		expect(response.status).toBe(200);
		await page.waitForFunction(
			(s) =>
				(document.querySelector(s) as PageElement | null)?.innerText.includes('appcues:nps_score'),
			{ timeout: 2 * WAIT },
			OUTPUT,
		);
		await shots.take(page, 'trigger-event-in-output', { image: 'trigger-run', selector: NDV });
		const live = await fetch(production, {
			method: 'POST',
			headers: signDelivery(WEBHOOK_SECRET, body.replace('evt-ui-', 'evt-live-')),
			body: body.replace('evt-ui-', 'evt-live-'),
		});
		expect(live.status).toBe(200);
		await closePanel();
	});

	it('runs the users example from the editor: the output panel and the sandbox show the change', async () => {
		const workflow = stack.examples.users;
		await navigate(`/workflow/${workflow.id}`);
		await anyVisible(page, '[data-test-id=canvas-node][data-node-name="Get Profile"]');
		const run = page.waitForResponse(
			(r) => r.request().method() === 'POST' && /\/rest\/workflows\/[^/]+\/run/.test(r.url()),
		);
		await click(page, '[data-test-id=execute-workflow-button]');
		expect((await run).status()).toBe(200);
		await page.waitForFunction(
			(n) => document.querySelectorAll('[data-test-id=canvas-node-status-success]').length >= n,
			{ timeout: 2 * WAIT },
			workflow.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote').length,
		);
		await executionFinished();
		await shots.take(page, 'users-example-run', { image: 'example-users' });
		const node = workflow.nodes.find((n) => n.name === 'Get Profile')!;
		await navigate(`/workflow/${workflow.id}/${node.id}`);
		await anyVisible(page, `${OUTPUT} [data-test-id=ndv-data-container]`);
		await click(page, `${OUTPUT} [data-test-id=radio-button-json]`);
		await page.waitForFunction(
			(s) =>
				(document.querySelector(s) as PageElement | null)?.textContent?.includes('Ada Lovelace'),
			{},
			`${OUTPUT} [data-test-id=ndv-data-container]`,
		);
		const json = JSON.parse(
			(
				await page.$eval(`${OUTPUT} [data-test-id=ndv-data-container]`, (e) => e.textContent ?? '')
			).replace(/\u00a0/g, ' '),
		) as Array<Record<string, unknown>>;
		expect(
			json.find((item) => item.user_id === 'ada' || item.name === 'Ada Lovelace'),
		).toMatchObject({ seats: 42 });
		await shots.take(page, 'users-example-output');
		expect(stack.fake.state(DEFAULT_ACCOUNT.accountId).users.get('ada')?.properties).toMatchObject({
			seats: 42,
			name: 'Ada Lovelace',
		});
		await closePanel();
	});

	it('runs the AI Agent example from the editor: the scripted demo model answers from the Appcues tools', async () => {
		const workflow = stack.examples['ai-agent'];
		const [demo] = DEMO_PROMPTS;
		const path = String(
			workflow.nodes.find((n) => n.type === 'n8n-nodes-base.webhook')!.parameters.path,
		);
		await navigate(`/workflow/${workflow.id}`);
		await anyVisible(page, '[data-test-id=canvas-node][data-node-name="AI Agent"]');
		await shots.take(page, 'ai-agent-example');
		const listening = page.waitForResponse(
			(r) => r.request().method() === 'POST' && /\/rest\/workflows\/[^/]+\/run/.test(r.url()),
		);
		await click(page, '[data-test-id=execute-workflow-button]');
		expect((await listening).status()).toBe(200);
		const response = await fetch(`${stack.server.baseUrl}/webhook-test/${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ prompt: demo.prompt }),
		});
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({ output: demo.answer });
		for (const name of ['AI Agent', 'List segments']) {
			await anyVisible(
				page,
				`[data-test-id=canvas-node][data-node-name="${name}"] [data-test-id=canvas-node-status-success]`,
				2 * WAIT,
			);
		}
		await executionFinished();
		await shots.take(page, 'ai-agent-run', { image: 'example-ai-agent' });
		// The model was asked twice: for a tool call, then with the segments the Appcues tool listed.
		const asked = stack.model.conversation(demo.prompt);
		expect(asked.map((request) => request.round)).toEqual([0, 1]);
		expect(asked[1].toolResults.map((result) => result.name)).toEqual(['List_segments']);
	});

	it('opens the MCP server example: its note, the MCP Server Trigger and its five Appcues tools', async () => {
		const workflow = stack.examples['mcp-server'];
		await navigate(`/workflow/${workflow.id}`);
		await anyVisible(page, '[data-test-id=canvas-node][data-node-name="Appcues MCP Server"]');
		const tools = workflow.nodes.filter((n) => n.type === 'n8n-nodes-appcues.appcuesTool');
		expect(tools).toHaveLength(5);
		for (const tool of tools) {
			await anyVisible(page, `[data-test-id=canvas-node][data-node-name="${tool.name}"]`);
		}
		expect(await page.$eval('#app', (e) => (e as PageElement).innerText)).toContain(
			'Appcues example: MCP server',
		);
		await zoomOutCanvas();
		await shots.take(page, 'mcp-server-example', { image: 'example-mcp-server' });
	});

	it('logged no browser error from the package (n8n offline noise filtered by an explicit list)', () => {
		expect(watch.unexpected()).toEqual([]);
		expect(watch.entries.filter((entry) => entry.includes('/schemas/'))).toEqual([]);
		expect(description.name).toBe('appcues');
	});
});
