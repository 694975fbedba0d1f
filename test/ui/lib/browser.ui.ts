/**
 * The console watch in headless Chromium against a local page: what it reports and what it
 * leaves out. No n8n: a page of our own, so each case is made to happen, not waited for.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleWatch, goto, launchBrowser, newPage } from './browser';

let server: Server;
let browser: Browser;
let page: Page;
/** Requests the server holds open until the test ends: the page aborts them. */
const held: ServerResponse[] = [];
const origin = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

beforeAll(async () => {
	server = createServer((request, response) => {
		if (request.url !== '/') {
			held.push(response);
			return;
		}
		response.setHeader('content-type', 'text/html');
		response.end('<html><body>plain</body></html>');
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	browser = await launchBrowser();
	page = await newPage(browser);
});

afterAll(async () => {
	for (const response of held.splice(0)) response.destroy();
	await browser?.close();
	await new Promise((resolve) => server?.close(resolve));
});

/** Waits until `done()` holds: Chromium's events reach the watch a little after the page acts. */
async function until(what: string, done: () => boolean): Promise<void> {
	const deadline = Date.now() + 30_000;
	while (!done()) {
		if (Date.now() > deadline) throw new Error(`waited 30 s for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

describe('ConsoleWatch', () => {
	it("reports failed and aborted requests, but not n8n's own editor files cancelled while loading", async () => {
		const watch = new ConsoleWatch(page);
		await goto(page, `${origin()}/`);
		const paths = [
			'/assets/NodeView-AbC12.css',
			'/assets/index-XyZ9.js',
			'/assets/InterVariable-Q1w2.woff2',
			'/rest/credentials',
		];
		// Each request is aborted once the server has it, so Chromium reports it as sent and cancelled.
		await page.evaluate(async (urls) => {
			await Promise.all(
				urls.map(async (url) => {
					const controller = new AbortController();
					const request = fetch(url, { signal: controller.signal }).catch(() => undefined);
					await new Promise((resolve) => setTimeout(resolve, 300));
					controller.abort();
					await request;
				}),
			);
		}, paths);
		const closed = createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const closedPort = (closed.address() as AddressInfo).port;
		await new Promise((resolve) => closed.close(resolve));
		await page.evaluate(
			(url) => fetch(url).catch(() => undefined),
			`http://127.0.0.1:${closedPort}/`,
		);
		const failed = () => watch.entries.filter((entry) => entry.startsWith('requestfailed:'));
		await until('five failed requests', () => failed().length >= 5);
		expect(failed().sort()).toEqual(
			[
				...paths.map((path) => `requestfailed: GET ${origin()}${path} net::ERR_ABORTED`),
				`requestfailed: GET http://127.0.0.1:${closedPort}/ net::ERR_CONNECTION_REFUSED`,
			].sort(),
		);
		// Of those, only n8n's editor files are its noise.
		expect(
			watch
				.unexpected()
				.filter((entry) => entry.startsWith('requestfailed:'))
				.sort(),
		).toEqual(
			[
				`requestfailed: GET ${origin()}/rest/credentials net::ERR_ABORTED`,
				`requestfailed: GET http://127.0.0.1:${closedPort}/ net::ERR_CONNECTION_REFUSED`,
			].sort(),
		);
	});
});
