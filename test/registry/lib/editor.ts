/**
 * What the registry tests do in n8n's editor (headless Chromium, test/ui/lib/browser.ts): the
 * Settings > Community Nodes page (install, update, uninstall, as n8n's own Playwright page object
 * drives it: its data-test-ids are the same in n8n 2.8.4 and 2.41.1), the node panel's search,
 * and the node's Docs link.
 */
import type { Page } from 'puppeteer-core';

import { anyVisible, click, goto, typeInto, WAIT } from '../../ui/lib/browser';
import type { PageDocument, PageElement } from '../../ui/lib/page-dom';

// Page functions run in Chromium: see page-dom.ts.
declare const document: PageDocument;

export const CARD = '[data-test-id=community-package-card]';
const INSTALL_MODAL = '[data-test-id=communityPackageInstall-modal]';
const CONFIRM_MODAL = '[data-test-id=communityPackageManageConfirm-modal]';
export const CREATOR_ITEM = '[data-test-id=node-creator] [data-test-id=item-iterator-item]';

/** Waits until no element matching `selector` is visible. */
export async function noneVisible(page: Page, selector: string, timeout = WAIT): Promise<void> {
	await page.waitForFunction(
		(s) => ![...document.querySelectorAll(s)].some((e) => e.getClientRects().length > 0),
		{ timeout, polling: 100 },
		selector,
	);
}

/** The text of every visible package card on the Community Nodes page. */
export async function packageCards(page: Page): Promise<string[]> {
	return page.$$eval(CARD, (cards) =>
		cards
			.filter((card) => card.getClientRects().length > 0)
			.map((card) => (card as PageElement).innerText.replace(/\s+/g, ' ').trim()),
	);
}

/** Waits until the card of `name` shows `text` (e.g. its version); returns the card's text. */
export async function waitForCard(page: Page, name: string, text: string): Promise<string> {
	await page.waitForFunction(
		(s, n, t) =>
			[...document.querySelectorAll(s)].some(
				(card) =>
					card.getClientRects().length > 0 &&
					card.innerText.includes(n) &&
					card.innerText.includes(t),
			),
		{ timeout: 2 * WAIT, polling: 200 },
		CARD,
		name,
		text,
	);
	return (await packageCards(page)).find((card) => card.includes(name)) ?? '';
}

export async function openCommunityNodes(page: Page, baseUrl: string): Promise<void> {
	await goto(page, `${baseUrl}/settings/community-nodes`);
	// The list, or the empty state with its own install button.
	await anyVisible(
		page,
		`${CARD}, [data-test-id=action-box], [data-test-id=empty-state]`,
		3 * WAIT,
	);
}

/**
 * Settings > Community Nodes > Install: the package name, the risk box, Install. Resolves when
 * the dialog has closed and the package's card shows.
 */
export async function installThroughPage(page: Page, name: string): Promise<string> {
	const emptyState = await page.$$eval(
		'[data-test-id=action-box] button, [data-test-id=empty-state] button',
		(buttons) => buttons.some((b) => b.getClientRects().length > 0),
	);
	if (emptyState)
		await click(page, '[data-test-id=action-box] button, [data-test-id=empty-state] button');
	else await click(page, 'button', /^Install/);
	await anyVisible(page, `${INSTALL_MODAL} input`);
	await typeInto(page, `${INSTALL_MODAL} input`, name);
	await click(page, '[data-test-id=user-agreement-checkbox]');
	await click(page, '[data-test-id=install-community-package-button]');
	await noneVisible(page, INSTALL_MODAL, 2 * WAIT);
	return waitForCard(page, name, name);
}

/**
 * Confirms in the Update / Uninstall dialog once it has loaded. The dialog fetches the workflows
 * that use the package's nodes after it opens and then lists them above its buttons, which pushes
 * the buttons down: a click aimed before the list arrives lands where the button was, and nothing
 * happens. So: wait until every name in `workflows` shows in the dialog, click `label` once, wait
 * for the dialog to close (n8n closes it when its request has finished).
 */
async function confirm(page: Page, label: RegExp, workflows: string[]): Promise<void> {
	await anyVisible(page, CONFIRM_MODAL);
	await page.waitForFunction(
		(modal, names) =>
			[...document.querySelectorAll(modal)].some(
				(dialog) =>
					dialog.getClientRects().length > 0 &&
					names.every((name) => dialog.innerText.includes(name)),
			),
		{ timeout: WAIT, polling: 100 },
		CONFIRM_MODAL,
		workflows,
	);
	await click(page, `${CONFIRM_MODAL} button`, label);
	await noneVisible(page, CONFIRM_MODAL, 2 * WAIT);
}

/**
 * The card's Update button, then "Confirm update" once the dialog lists `workflows` (the saved
 * workflows that use the package); resolves when the card shows `version`.
 */
export async function updateThroughPage(
	page: Page,
	name: string,
	version: string,
	workflows: string[],
): Promise<string> {
	await click(page, `${CARD} button`, /^Update/);
	await confirm(page, /^Confirm update$/, workflows);
	return waitForCard(page, name, version);
}

/**
 * The card's menu > Uninstall package, then "Confirm uninstall" once the dialog lists
 * `workflows`; resolves when no card shows.
 */
export async function uninstallThroughPage(page: Page, workflows: string[]): Promise<void> {
	await click(page, `${CARD} [data-test-id=action-toggle]`);
	await click(page, '[data-test-id^=action-], .el-dropdown-menu__item', /^Uninstall/);
	await confirm(page, /^Confirm uninstall$/, workflows);
	await noneVisible(page, CARD, 2 * WAIT);
}

/** The first lines of the node panel's visible entries after searching `term` on a new workflow's canvas. */
export async function searchNodePanel(
	page: Page,
	baseUrl: string,
	term: string,
): Promise<string[]> {
	if (!page.url().includes('/workflow/')) await goto(page, `${baseUrl}/workflow/new`);
	const creatorOpen = await page.$$eval('[data-test-id=node-creator-search-bar]', (bars) =>
		bars.some((b) => b.getClientRects().length > 0),
	);
	if (!creatorOpen) {
		await anyVisible(page, '[data-test-id=canvas-add-button]', 3 * WAIT);
		await click(page, '[data-test-id=canvas-add-button]');
	}
	await typeInto(page, '[data-test-id=node-creator-search-bar]', term);
	await anyVisible(page, CREATOR_ITEM);
	// The list settles after the search input's debounce.
	let last = '';
	for (let stable = 0; stable < 3;) {
		await new Promise((r) => setTimeout(r, 300));
		const now = JSON.stringify(await visibleCreatorItems(page));
		stable = now === last ? stable + 1 : 0;
		last = now;
	}
	return JSON.parse(last) as string[];
}

async function visibleCreatorItems(page: Page): Promise<string[]> {
	return page.$$eval(CREATOR_ITEM, (items) =>
		items
			.filter((item) => item.getClientRects().length > 0)
			.map((item) => (item as PageElement).innerText.split('\n')[0].trim()),
	);
}
