import { describe, expect, it } from 'vitest';

import { DEFAULT_ACCOUNT } from '../../../fake-appcues/server';
import { credentialsFor, useFakeAppcues } from '../../../support/helpers';
import {
	baseUrlFor,
	isToolsRequest,
	toolsBaseUrlFor,
} from '../../../../nodes/Appcues/transport/region';

describe('a custom Base URL that would leak or misroute', () => {
	const t = useFakeAppcues();

	// 0.0.0.0 is not a loopback name, yet reaches the fake: it would record a request if one were sent.
	it.each([
		'http://0.0.0.0:{port}',
		'http://appcues-proxy.example.com',
		'http://10.0.0.5:8080',
		'http://localhost@192.0.2.1',
		'ftp://127.0.0.1',
	])('%s is refused before anything is sent', async (baseUrl) => {
		const result = await t.run(
			{ resource: 'tag', operation: 'getAll', returnAll: true },
			{
				credentials: {
					...credentialsFor(t.fake),
					baseUrl: baseUrl.replace('{port}', new URL(t.fake.url).port),
				},
				continueOnFail: true,
			},
		);
		expect(String(result.items[0]?.json.error)).toMatch(
			/^The Base URL in the Appcues credential (uses plain http to .+, which would send the API secret unencrypted: use https \(plain http is allowed only for localhost, 127\.0\.0\.0\/8 and \[::1\]\)|must start with https:\/\/ \(it uses ftp:\))$/,
		);
		expect(JSON.stringify(result.items)).not.toContain(DEFAULT_ACCOUNT.apiSecret);
		expect(t.fake.requests).toHaveLength(0);
	});

	// Each reaches the fake (its path, or the origin with the API path in the query) if it is sent.
	it.each([
		['{url}/?code=abc', /ends in a query \(\?…\) or fragment \(#…\)/],
		['{url}?', /ends in a query \(\?…\) or fragment \(#…\)/],
		['{url}#frag', /ends in a query \(\?…\) or fragment \(#…\)/],
		['http://proxy:Pr0xyS3cret@{host}', /has a user name or password in it/],
	])('%s is refused before anything is sent', async (baseUrl, message) => {
		const url = new URL(t.fake.url);
		const result = await t.run(
			{ resource: 'user', operation: 'trackEvent', userId: 'u1', eventName: 'signed_up' },
			{
				credentials: {
					...credentialsFor(t.fake),
					baseUrl: baseUrl.replace('{url}', t.fake.url).replace('{host}', url.host),
				},
				continueOnFail: true,
			},
		);
		expect(String(result.items[0]?.json.error)).toMatch(
			new RegExp(`^The Base URL in the Appcues credential ${message.source}`),
		);
		expect(JSON.stringify(result.items)).not.toContain('Pr0xyS3cret');
		expect(t.fake.requests).toHaveLength(0);
	});

	it.each(['localhost', '127.0.0.1', '127.1.2.3', '[::1]'])(
		'http://%s (loopback) is allowed',
		async (host) => {
			const credentials = {
				...credentialsFor(t.fake),
				baseUrl: t.fake.url.replace('127.0.0.1', host),
			};
			const result = await t.run(
				{ resource: 'tag', operation: 'getAll', returnAll: true, options: { maxRetries: 0 } },
				{ credentials },
			);
			// The fake listens on 127.0.0.1 only: other loopback hosts are allowed, then maybe not reached.
			if (host === '127.0.0.1') expect(result.error).toBeUndefined();
			else expect(result.error?.message ?? '').not.toMatch(/Base URL/);
		},
	);
});

describe('region', () => {
	it('maps regions to base URLs', () => {
		expect(baseUrlFor({ region: 'us' })).toBe('https://api.appcues.com');
		expect(baseUrlFor({ region: 'eu' })).toBe('https://api.eu.appcues.com');
		expect(baseUrlFor({ region: 'custom', baseUrl: 'http://127.0.0.1:1234//' })).toBe(
			'http://127.0.0.1:1234',
		);
		expect(baseUrlFor({ region: 'custom', baseUrl: ' ' })).toBeUndefined();
		expect(baseUrlFor({})).toBe('https://api.appcues.com');
	});
});

describe('account tools origin', () => {
	const t = useFakeAppcues();

	it('maps regions to the tools origins of Appcues (US, EU) or the Tools Base URL', () => {
		expect(toolsBaseUrlFor({ region: 'us' })).toBe('https://mcp.appcues.com');
		expect(toolsBaseUrlFor({ region: 'eu' })).toBe('https://mcp.eu.appcues.com');
		expect(toolsBaseUrlFor({})).toBe('https://mcp.appcues.com');
		expect(
			toolsBaseUrlFor({ region: 'custom', baseUrl: 'https://x', toolsBaseUrl: 'https://t/p/' }),
		).toBe('https://t/p');
		expect(toolsBaseUrlFor({ region: 'custom', baseUrl: 'https://x' })).toBeUndefined();
	});

	it('a request is a tools request on the tools origin, below /v1/tools where the API shares it', () => {
		const us = { region: 'us' };
		expect(isToolsRequest(us, 'https://mcp.appcues.com/v1/tools')).toBe(true);
		expect(isToolsRequest(us, 'https://MCP.appcues.com/v1/tools/get_campaign')).toBe(true);
		// Elsewhere on the tools origin as well: it never gets the secret as Basic auth.
		expect(isToolsRequest(us, 'https://mcp.appcues.com/v1/toolsx')).toBe(true);
		expect(isToolsRequest(us, 'https://mcp.appcues.com.evil.example/v1/tools')).toBe(false);
		expect(isToolsRequest(us, 'http://mcp.appcues.com/v1/tools')).toBe(false);
		expect(isToolsRequest(us, 'https://mcp.eu.appcues.com/v1/tools')).toBe(false);
		expect(isToolsRequest(us, 'https://api.appcues.com/v1/tools')).toBe(false);
		expect(isToolsRequest({ region: 'eu' }, 'https://mcp.eu.appcues.com/v1/tools')).toBe(true);
		const proxy = {
			region: 'custom',
			baseUrl: 'https://proxy.example',
			toolsBaseUrl: 'https://proxy.example/appcues/',
		};
		expect(isToolsRequest(proxy, 'https://proxy.example/appcues/v1/tools/x')).toBe(true);
		expect(isToolsRequest(proxy, 'https://proxy.example/v1/tools/x')).toBe(false);
		expect(
			isToolsRequest(
				{ ...proxy, baseUrl: 'https://api.example' },
				'https://proxy.example/v1/tools/x',
			),
		).toBe(true);
		expect(isToolsRequest(proxy, '/v1/tools')).toBe(false);
	});

	it.each([
		['', 'The Appcues credential has no Tools Base URL'],
		[
			'http://appcues-tools.example.com',
			'The Tools Base URL in the Appcues credential uses plain http to appcues-tools.example.com, which would send the API secret unencrypted: use https (plain http is allowed only for localhost, 127.0.0.0/8 and [::1])',
		],
	])('a Tools Base URL of %j is refused before anything is sent', async (toolsBaseUrl, message) => {
		const result = await t.run(
			{ resource: 'accountTool', operation: 'getAll', returnAll: true },
			{ credentials: { ...credentialsFor(t.fake), toolsBaseUrl } },
		);
		expect(result.error?.message).toBe(message);
		expect(t.fake.requests).toHaveLength(0);
	});
});
