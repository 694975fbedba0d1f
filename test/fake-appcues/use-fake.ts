/**
 * What the fake's own tests share: a fake started per test with fetch helpers, and checks of its
 * Appcues-style error bodies.
 */
import { afterEach, beforeEach, expect } from 'vitest';

import { DEFAULT_ACCOUNT, FakeAppcues, type FakeAppcuesOptions } from './server';

export const AUTH = `Basic ${Buffer.from(`${DEFAULT_ACCOUNT.apiKey}:${DEFAULT_ACCOUNT.apiSecret}`).toString('base64')}`;
export const LEGACY_AUTH = `Basic ${Buffer.from(`${DEFAULT_ACCOUNT.legacyApiKey}:`).toString('base64')}`;

export function useFake(options: FakeAppcuesOptions = {}) {
	const context = {} as {
		fake: FakeAppcues;
		/** fetch against /v2/accounts/12345{path} with the v2 credentials. */
		api: (path: string, init?: RequestInit) => Promise<Response>;
		/** POST a body with a content type. */
		post: (
			path: string,
			body: NonNullable<RequestInit['body']>,
			contentType?: string,
		) => Promise<Response>;
		json: (path: string, body: unknown, method?: string) => Promise<Response>;
	};
	beforeEach(async () => {
		context.fake = new FakeAppcues({ rateLimitPerSecond: 0, ...options });
		await context.fake.start();
		context.api = (path, init = {}) =>
			fetch(`${context.fake.url}/v2/accounts/12345${path}`, {
				...init,
				headers: { authorization: AUTH, ...(init.headers as Record<string, string>) },
			});
		context.post = (path, body, contentType) =>
			context.api(path, {
				method: 'POST',
				body,
				headers: contentType ? { 'content-type': contentType } : {},
			});
		context.json = (path, body, method = 'POST') =>
			context.api(path, {
				method,
				body: JSON.stringify(body),
				headers: { 'content-type': 'application/json' },
			});
	});
	afterEach(async () => {
		await context.fake.close();
	});
	return context;
}

export async function problem(response: Response) {
	expect(response.headers.get('content-type')).toBe('application/json');
	const body = (await response.json()) as {
		error: boolean;
		status: number;
		title: string;
		detail: string;
	};
	expect(body.error).toBe(true);
	expect(body.status).toBe(response.status);
	return body;
}

export function form(name: string, data: string, type: string, filename: string) {
	const body = new FormData();
	body.append(name, new Blob([data], { type }), filename);
	return body;
}
