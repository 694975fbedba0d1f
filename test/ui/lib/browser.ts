/**
 * Headless Chromium (Debian's package, through puppeteer-core: nothing is downloaded) and the
 * waits that work in the n8n 2.41.1 editor: every wait is on a condition; a click waits until its
 * element has stopped moving and is the element the mouse would hit (not covered by a closing
 * dropdown or popover); dropdowns are re-clicked when an animation swallowed the click; closed
 * dropdowns' hidden copies are skipped by only ever looking at visible elements. Every action is
 * written to a trail, and a failed test leaves its screenshot, page HTML, console and trail
 * (`captureFailures`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	launch,
	type Browser,
	type ElementHandle,
	type HTTPResponse,
	type Page,
} from 'puppeteer-core';
import { DOCS_IMAGE_SCALE, type DocsImage } from './docs-images';
import type { PageDocument, PageElement, RequestAnimationFrame } from './page-dom';

// Page functions run in Chromium: see page-dom.ts.
declare const document: PageDocument;
declare const requestAnimationFrame: RequestAnimationFrame;

/** What the harness did, each line with the seconds since the suite started: printed on a failure. */
export const trail = {
	started: Date.now(),
	lines: [] as string[],
	note(line: string): void {
		this.lines.push(`${((Date.now() - this.started) / 1000).toFixed(1).padStart(6)} s  ${line}`);
	},
};

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Generous: the machine is shared, n8n and Chromium are slow under load. */
export const WAIT = 60_000;

/** Headless Chromium signed in to the n8n on 127.0.0.1 with the owner's `n8n-auth` cookie. */
export async function launchSignedIn(cookie: string): Promise<Browser> {
	const browser = await launchBrowser();
	await browser.setCookie({
		name: 'n8n-auth',
		value: cookie,
		domain: '127.0.0.1',
		path: '/',
		httpOnly: true,
		sameSite: 'Lax',
	});
	return browser;
}

export async function launchBrowser(): Promise<Browser> {
	return launch({
		executablePath: CHROMIUM,
		headless: true,
		// As root Chromium needs --no-sandbox; small /dev/shm in containers crashes the renderer.
		args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--window-size=1440,900'],
		defaultViewport: { width: 1440, height: 900 },
		protocolTimeout: 180_000,
	});
}

/** A page with the generous waits; navigation waits for the DOM only (the editor then loads itself). */
export async function newPage(browser: Browser): Promise<Page> {
	const page = await browser.newPage();
	page.setDefaultTimeout(WAIT);
	page.setDefaultNavigationTimeout(2 * WAIT);
	return page;
}

export async function goto(page: Page, url: string): Promise<void> {
	await page.goto(url, { waitUntil: 'domcontentloaded' });
}

/** Waits until an element matching `selector` is visible; returns nothing (hidden copies are ignored). */
export async function anyVisible(page: Page, selector: string, timeout = WAIT): Promise<void> {
	trail.note(`wait for ${selector}`);
	await page.waitForFunction(
		(s) => [...document.querySelectorAll(s)].some((e) => e.getClientRects().length > 0),
		{ timeout, polling: 100 },
		selector,
	);
}

/** Visible elements' first text lines. */
export async function visibleTexts(page: Page, selector: string): Promise<string[]> {
	return page.$$eval(selector, (elements) =>
		elements
			.filter((e) => e.getClientRects().length > 0)
			.map((e) => (e as PageElement).innerText.split('\n')[0].trim()),
	);
}

/** A text to match an element's first line against: exactly, or by a pattern; as a page function takes it. */
type TextMatch = string | { source: string; flags: string } | null;
const textMatch = (text?: string | RegExp): TextMatch =>
	text instanceof RegExp ? { source: text.source, flags: text.flags } : (text ?? null);

/**
 * Clicks the first visible element matching `selector` (and whose first text line is `text`, or
 * matches it when a RegExp, if given) once its position has been the same for three animation
 * frames and the mouse would hit it there: a dropdown or popover that is still fading out over it
 * would take the click.
 */
export async function click(
	page: Page,
	selector: string,
	text?: string | RegExp,
	timeout = WAIT,
	clicks = 1,
): Promise<void> {
	trail.note(`click ${selector}${text === undefined ? '' : ` "${text}"`}`);
	let handle;
	try {
		handle = await page.waitForFunction(
			async (s, t) => {
				// (No named helper for the first line: see below.)
				const match = [...document.querySelectorAll(s)].find(
					(e) =>
						e.getClientRects().length > 0 &&
						(t === null ||
							(typeof t === 'string'
								? e.innerText.split('\n')[0].trim() === t
								: new RegExp(t.source, t.flags).test(e.innerText.split('\n')[0].trim()))),
				);
				if (!match) return null;
				// Into view in the page and in every scrolled list around it (an option further down a
				// dropdown is rendered but clipped); a no-op for an element already in view.
				match.scrollIntoView({ block: 'nearest' });
				// The centre, not the box: a pulsing button scales around a fixed centre. (No named
				// helpers in here: tsx wraps them in __name(), which does not exist in the page.)
				let last = '';
				let box = match.getBoundingClientRect();
				for (let stable = 0; stable < 3;) {
					await new Promise((r) => requestAnimationFrame(r));
					box = match.getBoundingClientRect();
					const now = `${Math.round(box.x + box.width / 2)},${Math.round(box.y + box.height / 2)}`;
					stable = now === last ? stable + 1 : 0;
					last = now;
				}
				// What the mouse hits there must be the element, inside it, or a part of the same small
				// widget (an Element Plus select shows its value in a span laid over its input).
				const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
				let widget: PageElement | null = match;
				for (let up = 0; widget && up <= 3; up++, widget = widget.parentElement) {
					if (hit && widget.contains(hit)) return match;
				}
				return null;
			},
			{ timeout, polling: 100 },
			selector,
			textMatch(text),
		);
	} catch (error) {
		throw new Error(
			`click ${selector}${text === undefined ? '' : ` "${text}"`}: ${(error as Error).message}; ${await whatCovers(page, selector, text)}`,
		);
	}
	const element = handle.asElement();
	if (!element) throw new Error(`no visible ${selector}${text ? ` "${text}"` : ''}`);
	await (element as ElementHandle).click({ count: clicks });
}

/**
 * Whether a click failed because the element left the page or lost its box between the check
 * above and the click (a list that re-renders as it closes): looking again is then the cure.
 */
function isStaleElement(error: unknown): boolean {
	return /not clickable|not an Element|detached/i.test((error as Error)?.message ?? '');
}

/** For a click that timed out: is the element there, and what lies over its centre. */
async function whatCovers(page: Page, selector: string, text?: string | RegExp): Promise<string> {
	return page
		.evaluate(
			(s, t) => {
				const visible = [...document.querySelectorAll(s)].filter(
					(e) => e.getClientRects().length > 0,
				);
				const match = visible.find(
					(e) =>
						t === null ||
						(typeof t === 'string'
							? e.innerText.split('\n')[0].trim() === t
							: new RegExp(t.source, t.flags).test(e.innerText.split('\n')[0].trim())),
				);
				if (!match)
					return `${visible.length} visible match(es), none with that text: ${visible
						.map((e) => JSON.stringify(e.innerText.split('\n')[0].trim()))
						.join(', ')}`;
				const box = match.getBoundingClientRect();
				const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
				const name = (e: PageElement | null) =>
					e
						? `<${e.tagName.toLowerCase()} class="${e.className}" data-test-id="${e.getAttribute('data-test-id') ?? ''}">`
						: 'nothing';
				return `found at ${Math.round(box.x)},${Math.round(box.y)}; the mouse would hit ${name(hit)}`;
			},
			selector,
			textMatch(text),
		)
		.catch((error: unknown) => `(page not readable: ${(error as Error).message})`);
}

export async function doubleClick(page: Page, selector: string): Promise<void> {
	await click(page, selector, undefined, WAIT, 2);
}

/** Picks `option` in an Element Plus select (n8n's options parameters), re-clicking while it stays open. */
export async function selectOption(
	page: Page,
	inputSelector: string,
	option: string,
): Promise<void> {
	trail.note(`select "${option}" in ${inputSelector}`);
	for (let attempt = 1; ; attempt++) {
		try {
			// A list still open after a click that missed is not opened again (a click on the
			// input would close it).
			const open = await page.evaluate(
				(s) => [...document.querySelectorAll(s)].some((e) => e.getClientRects().length > 0),
				'.el-select-dropdown__item',
			);
			if (!open || attempt === 1) await click(page, inputSelector);
			await click(page, '.el-select-dropdown__item', option);
		} catch (error) {
			if (attempt >= 3 || !isStaleElement(error)) throw error;
			continue;
		}
		try {
			await page.waitForFunction(
				(s, v) => (document.querySelector(s) as PageElement | null)?.value === v,
				{ timeout: 5000 },
				inputSelector,
				option,
			);
		} catch (error) {
			if (attempt >= 3) throw error;
			continue;
		}
		// The value is set while the list is still fading out over the fields below it; a click
		// there now would pick another option of this list. Return once it is gone.
		await page.waitForFunction(
			(s) => ![...document.querySelectorAll(s)].some((e) => e.getClientRects().length > 0),
			{ polling: 100 },
			'.el-select-dropdown__item',
		);
		return;
	}
}

/** Types `text` as one input event: n8n debounces inputs, and keystrokes would be saved half. */
export async function typeInto(page: Page, selector: string, text: string): Promise<void> {
	trail.note(`type ${JSON.stringify(text)} into ${selector}`);
	await click(page, selector);
	await page.keyboard.down('Control');
	await page.keyboard.press('a');
	await page.keyboard.up('Control');
	await page.keyboard.press('Backspace');
	await page.keyboard.sendCharacter(text);
}

/**
 * Everything in the page that looks like an error: console errors and warnings, uncaught
 * exceptions, failed requests and HTTP answers of 400 or more. `unexpected()` leaves out n8n's
 * own noise in an offline sandbox, named one by one in `N8N_NOISE`.
 */
export class ConsoleWatch {
	readonly entries: string[] = [];
	/** Entries that are allowed for a while (e.g. the wrong-key credential's 401/500s). */
	private readonly allowedNow: RegExp[] = [];

	constructor(page: Page) {
		page.on('console', (message) => {
			if (['error', 'warn'].includes(message.type()))
				this.add(`console.${message.type()}: ${message.text()} @ ${message.location().url ?? ''}`);
		});
		page.on('pageerror', (error) =>
			this.add(`pageerror: ${(error as Error).message ?? String(error)}`),
		);
		page.on('requestfailed', (request) =>
			this.add(
				`requestfailed: ${request.method()} ${request.url()} ${request.failure()?.errorText ?? ''}`,
			),
		);
		page.on('response', (response: HTTPResponse) => {
			if (response.status() >= 400)
				this.add(`http ${response.status()}: ${response.request().method()} ${response.url()}`);
		});
	}

	private add(entry: string) {
		trail.note(`page: ${entry}`);
		if (this.allowedNow.some((pattern) => pattern.test(entry))) return;
		this.entries.push(entry);
	}

	/** Runs `step` with `patterns` allowed (expected errors of that step only). */
	async allowing<T>(patterns: RegExp[], step: () => Promise<T>): Promise<T> {
		this.allowedNow.push(...patterns);
		try {
			return await step();
		} finally {
			this.allowedNow.splice(this.allowedNow.length - patterns.length, patterns.length);
		}
	}

	unexpected(): string[] {
		return this.entries.filter((entry) => !N8N_NOISE.some(({ pattern }) => pattern.test(entry)));
	}
}

/** n8n's own errors in an offline sandbox, none from this package (see the recipe's §4). */
export const N8N_NOISE: Array<{ pattern: RegExp; why: string }> = [
	{
		pattern: /registry\.npmjs\.org\/n8n-nodes-appcues|api\.npmjs\.org/,
		why: 'the node creator looks up the community package on npm (no internet here)',
	},
	{
		pattern:
			/^console\.error: Failed to load resource: net::ERR_(CERT_AUTHORITY_INVALID|NAME_NOT_RESOLVED|CONNECTION_REFUSED|TUNNEL_CONNECTION_FAILED|PROXY_CONNECTION_FAILED|INTERNET_DISCONNECTED)/,
		why: 'the console line of that same offline npm lookup',
	},
	{
		pattern: /http 401: GET .*\/rest\/login$/,
		why: 'the session probe before the owner cookie is set',
	},
	{
		pattern: /api\.n8n\.io|api-staging\.n8n\.io|n8n\.io\/|rudderstack|posthog|telemetry/i,
		why: "n8n's offline catalogue, templates and telemetry",
	},
	{
		pattern:
			/^requestfailed: GET https?:\/\/127\.0\.0\.1:\d+\/assets\/[^ /?]+\.[a-z0-9]+ net::ERR_ABORTED$/,
		why: "n8n's own editor files (its /assets/ bundle), cancelled by the browser while loading, as the page changes: the package serves nothing there",
	},
	{
		pattern:
			/^pageerror: injectNDVStore\(\) was accessed without an active workflow document store/,
		why: "n8n 2.41's own editor store error, seen once while switching panels (its message names n8n internals, nothing of this package)",
	},
];

export class Screenshots {
	private step = 0;
	constructor(readonly dir: string) {
		mkdirSync(dir, { recursive: true });
	}

	/**
	 * Saves the page as `<dir>/NN-<name>.png`; with `docs`, also the README picture
	 * `<dir>/docs/<image>.png`: the element `selector` (or the whole page), scaled down.
	 */
	async take(
		page: Page,
		name: string,
		docs?: { image: DocsImage; selector?: string },
	): Promise<string> {
		this.step += 1;
		const file = join(
			this.dir,
			`${String(this.step).padStart(2, '0')}-${name.replace(/[^\w.-]+/g, '-')}.png`,
		);
		await page.screenshot({ path: file as `${string}.png` });
		if (docs) {
			mkdirSync(join(this.dir, 'docs'), { recursive: true });
			const viewport = page.viewport() ?? { width: 1440, height: 900 };
			const box = docs.selector
				? await page.$eval(docs.selector, (e) => {
						const r = e.getBoundingClientRect();
						return { x: r.x, y: r.y, width: r.width, height: r.height };
					})
				: { x: 0, y: 0, width: viewport.width, height: viewport.height };
			// No toast over the picture (they fade on their own, at their own pace).
			await page.evaluate(
				"document.head.insertAdjacentHTML('beforeend', '<style id=docs-picture>.el-notification{display:none!important}</style>')",
			);
			const x = Math.max(0, Math.floor(box.x));
			const y = Math.max(0, Math.floor(box.y));
			await page.screenshot({
				path: join(this.dir, 'docs', `${docs.image}.png`) as `${string}.png`,
				clip: {
					x,
					y,
					width: Math.min(viewport.width - x, Math.ceil(box.width)),
					height: Math.min(viewport.height - y, Math.ceil(box.height)),
					scale: DOCS_IMAGE_SCALE,
				},
			});
			await page.evaluate("document.getElementById('docs-picture')?.remove()");
		}
		return file;
	}
}

/**
 * Saves what a failed test left on screen: `FAILED-<test>.png` (the screenshot), `.html` (the
 * page's DOM) and `.log` (the harness trail and every console entry, n8n's noise included), and
 * prints the paths and the trail's last lines.
 */
export async function saveFailure(
	page: Page | undefined,
	dir: string,
	testName: string,
	watch?: ConsoleWatch,
): Promise<void> {
	mkdirSync(dir, { recursive: true });
	const base = join(dir, `FAILED-${testName.replace(/[^\w.-]+/g, '-').slice(0, 80)}`);
	const saved: string[] = [];
	if (page && !page.isClosed()) {
		await page
			.screenshot({ path: `${base}.png` })
			.then(() => saved.push(`${base}.png`))
			.catch(() => undefined);
		await page
			.content()
			.then((html) => {
				writeFileSync(`${base}.html`, html);
				saved.push(`${base}.html`);
			})
			.catch(() => undefined);
	}
	writeFileSync(
		`${base}.log`,
		[
			`test: ${testName}`,
			`url: ${page && !page.isClosed() ? page.url() : '(no page)'}`,
			'',
			'trail:',
			...trail.lines,
			'',
			'console, failed requests and HTTP errors:',
			...(watch?.entries ?? []),
			'',
		].join('\n'),
	);
	saved.push(`${base}.log`);
	process.stdout.write(
		`\n[ui] "${testName}" failed; saved ${saved.join(', ')}\n[ui] last steps:\n${trail.lines.slice(-12).join('\n')}\n`,
	);
}
