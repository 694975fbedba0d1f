import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	ICredentialDataDecryptedObject,
	INodeTypes,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { AppcuesApi } from '../../credentials/AppcuesApi.credentials';
import { DEFAULT_ACCOUNT, FakeAppcues } from '../fake-appcues/server';
import { plainNode } from '../support/fixtures';
import { credentialsFor } from '../support/helpers';

const credential = new AppcuesApi();
const node = plainNode;
const nodeTypes = {
	getByName: () => ({ description: { properties: [] } }),
	getByNameAndVersion: () => ({ description: { properties: [] } }),
	getKnownTypes: () => ({}),
} as unknown as INodeTypes;
const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });

function resolve(value: string, credentials: ICredentialDataDecryptedObject) {
	return String(
		workflow.expression.getSimpleParameterValue(node, value, 'internal', {
			$credentials: credentials,
		}),
	);
}

type TestRule = IAuthenticateRuleResponseCode | IAuthenticateRuleResponseSuccessBody;

/**
 * Runs the credential's `test` request as n8n does (credentials-tester.service.js): its
 * expressions, its `authenticate` (Basic auth for the API), its options (text body, no redirects) and its rules: a response code
 * rule for an error status, a body rule (lodash `get`) on a 2xx body.
 */
async function testCredential(credentials: ICredentialDataDecryptedObject) {
	const request = credential.test.request;
	const baseURL = resolve(request.baseURL!, credentials);
	const url = baseURL + resolve(request.url!, credentials);
	const signed = await credential.authenticate(credentials, {
		baseURL,
		url: resolve(request.url!, credentials),
	});
	const { username, password } = signed.auth!;
	const response = await fetch(url, {
		method: request.method,
		headers: {
			Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
		},
		redirect: request.disableFollowRedirect ? 'manual' : 'follow',
	});
	const rules = (credential.test.rules ?? []) as TestRule[];
	const body = request.encoding === 'text' ? await response.text() : undefined;
	const rule = response.ok
		? rules.find(
				(candidate) =>
					candidate.type === 'responseSuccessBody' &&
					(body as unknown as Record<string, unknown>)?.[candidate.properties.key] ===
						candidate.properties.value,
			)
		: rules.find(
				(candidate) =>
					candidate.type === 'responseCode' && candidate.properties.value === response.status,
			);
	return {
		url,
		status: response.status,
		message: rule ? String(rule.properties.message) : undefined,
	};
}

describe('credential', () => {
	let fake: FakeAppcues;
	beforeEach(async () => {
		fake = new FakeAppcues();
		await fake.start();
	});
	afterEach(async () => fake.close());

	it('test request reads the tags of the account, as Appcues CLI does', async () => {
		const result = await testCredential(credentialsFor(fake));
		expect(result).toEqual({
			url: `${fake.url}/v2/accounts/12345/tags`,
			status: 200,
			message: undefined,
		});
		expect(fake.apiRequests()[0].headers.authorization).toBe(
			`Basic ${Buffer.from(`${DEFAULT_ACCOUNT.apiKey}:${DEFAULT_ACCOUNT.apiSecret}`).toString('base64')}`,
		);
	});

	it('a wrong key, a wrong region and a wrong account give different messages', async () => {
		const wrongKey = await testCredential({ ...credentialsFor(fake), apiSecret: 'nope' });
		expect(wrongKey.status).toBe(401);
		expect(wrongKey.message).toMatch(/rejected the API key and secret.*Region matches/);

		// Another region is another server that does not know this key.
		const otherRegion = new FakeAppcues({ accounts: [{ ...DEFAULT_ACCOUNT, apiKey: 'eu-key' }] });
		await otherRegion.start();
		try {
			const wrongRegion = await testCredential(credentialsFor(otherRegion));
			expect(wrongRegion.status).toBe(401);
			expect(wrongRegion.message).toMatch(/US keys do not work on the EU API/);
		} finally {
			await otherRegion.close();
		}

		const wrongAccount = await testCredential({ ...credentialsFor(fake), accountId: '777' });
		expect(wrongAccount.status).toBe(403);
		expect(wrongAccount.message).toMatch(/do not give access to this Account ID/);
	});

	it('builds the US and EU URLs', () => {
		const base = { apiKey: 'k', apiSecret: 's', accountId: ' 42 ' };
		expect(resolve(credential.test.request.baseURL!, { ...base, region: 'us' })).toBe(
			'https://api.appcues.com',
		);
		expect(resolve(credential.test.request.baseURL!, { ...base, region: 'eu' })).toBe(
			'https://api.eu.appcues.com',
		);
		expect(resolve(credential.test.request.url!, { ...base, region: 'eu' })).toBe(
			'/v2/accounts/42/tags',
		);
	});

	it.each([
		// 0.0.0.0 is not a loopback name, yet reaches the fake: it would record a request if one were sent.
		['http://0.0.0.0:{port}'],
		['http://appcues-proxy.example.com'],
		['HTTP://10.0.0.5:8080/'],
		['http://localhost@evil.example.com'],
		['http://127.0.0.1.evil.example.com'],
		['ftp://appcues-proxy.example.com'],
		[''],
		// Where the request's path would be lost, or with a user name and password in the URL.
		['{url}/?code=abc'],
		['{url}#part'],
		['https://proxy:Pr0xyS3cret@appcues-proxy.example.com'],
	])('refuses the Base URL %j without sending the credentials anywhere', async (baseUrl) => {
		const result = await testCredential({
			...credentialsFor(fake),
			baseUrl: baseUrl.replace('{port}', new URL(fake.url).port).replace('{url}', fake.url),
		});
		expect(result.url).toBe('data:,x');
		expect(result.message).toBe(
			'The Base URL must use https: plain http would send the API secret unencrypted, so it is allowed only for localhost, 127.0.0.0/8 and [::1]. It must not have a query (?…), a fragment (#…) or a user name and password in it.',
		);
		expect(fake.apiRequests()).toHaveLength(0);
	});

	it.each([
		'https://appcues-proxy.example.com',
		'http://localhost:1234',
		'http://127.8.9.10/',
		'http://[::1]:8080',
	])('lets the Base URL %j through', (baseUrl) => {
		const base = { ...credentialsFor(fake), baseUrl };
		expect(resolve(credential.test.request.baseURL!, base)).toBe(baseUrl.replace(/\/+$/, ''));
		expect(resolve(credential.test.request.url!, base)).toBe('/v2/accounts/12345/tags');
	});

	it.each([
		['an HTML page', 'text/html', '<!DOCTYPE html><html><body>Sign in</body></html>'],
		['an XML page', 'application/xml', '<?xml version="1.0"?><Error>AccessDenied</Error>'],
	])(
		'a Base URL that answers 200 with %s fails, saying it is not the Appcues API',
		async (_, type, page) => {
			const website = createServer((req, res) =>
				res.writeHead(200, { 'Content-Type': type }).end(page),
			);
			await new Promise<void>((done) => website.listen(0, '127.0.0.1', done));
			try {
				const result = await testCredential({
					...credentialsFor(fake),
					baseUrl: `http://127.0.0.1:${(website.address() as AddressInfo).port}`,
				});
				expect(result.status).toBe(200);
				expect(result.message).toMatch(/^The Base URL answered with a web page \(HTML or XML\)/);
			} finally {
				website.close();
			}
		},
	);

	it('a redirect is not followed: the other host gets no credentials, and the message says why', async () => {
		const seen: Array<string | undefined> = [];
		const otherHost = createServer((req, res) => {
			seen.push(req.headers.authorization);
			res.writeHead(200, { 'Content-Type': 'application/json' }).end('[]');
		});
		const redirecting = createServer((req, res) => {
			res
				.writeHead(307, {
					Location: `http://127.0.0.1:${(otherHost.address() as AddressInfo).port}${req.url}`,
				})
				.end();
		});
		await new Promise<void>((done) => otherHost.listen(0, '127.0.0.1', done));
		await new Promise<void>((done) => redirecting.listen(0, '127.0.0.1', done));
		try {
			const result = await testCredential({
				...credentialsFor(fake),
				baseUrl: `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}`,
			});
			expect(result.status).toBe(307);
			expect(result.message).toMatch(
				/^The server answered with a redirect \(307\), which is not followed/,
			);
			expect(seen).toEqual([]);
		} finally {
			otherHost.close();
			redirecting.close();
		}
	});

	it('signs the account tools with appcues-api-key and everything else with Basic auth', async () => {
		const credentials = { apiKey: 'k', apiSecret: 's', accountId: '42' };
		const token = Buffer.from('k:s').toString('base64');
		const sign = (region: string, url: string, extra = {}) =>
			credential.authenticate({ ...credentials, region, ...extra }, { url, headers: { a: 'b' } });

		for (const [region, url] of [
			['us', 'https://mcp.appcues.com/v1/tools?view=summary'],
			['eu', 'https://mcp.eu.appcues.com/v1/tools/get_campaign'],
			// Elsewhere on the tools origin too: it never sees the secret as Basic auth.
			['us', 'https://mcp.appcues.com/mcp'],
			['eu', 'https://mcp.eu.appcues.com/v1/toolsets'],
		]) {
			const signed = await sign(region, url);
			expect(signed.headers).toEqual({ a: 'b', 'appcues-api-key': token });
			expect(signed.auth).toBeUndefined();
		}
		for (const [region, url] of [
			['us', 'https://api.appcues.com/v2/accounts/42/tags'],
			['us', 'https://mcp.eu.appcues.com/v1/tools'],
			['eu', 'https://mcp.appcues.com/v1/tools'],
			['us', 'https://example.com/v1/tools'],
		]) {
			const signed = await sign(region, url);
			expect(signed.auth).toEqual({ username: 'k', password: 's' });
			expect(signed.headers).toEqual({ a: 'b' });
		}
		const custom = { baseUrl: 'http://127.0.0.1:1', toolsBaseUrl: 'http://127.0.0.1:2' };
		expect((await sign('custom', 'http://127.0.0.1:2/v1/tools', custom)).auth).toBeUndefined();
		expect((await sign('custom', 'http://127.0.0.1:1/v1/tools', custom)).auth).toBeDefined();
		expect((await sign('custom', 'http://127.0.0.1:2/other', custom)).auth).toBeUndefined();
		// One proxy serving both: the path tells the account tools from the API.
		const shared = { baseUrl: 'http://127.0.0.1:1', toolsBaseUrl: 'http://127.0.0.1:1/' };
		expect((await sign('custom', 'http://127.0.0.1:1/v1/tools', shared)).auth).toBeUndefined();
		expect((await sign('custom', 'http://127.0.0.1:1/v2/accounts/42', shared)).auth).toEqual({
			username: 'k',
			password: 's',
		});
	});

	it('keeps authenticate when n8n copies the credential type with a spread (HTTP Request and Custom API Call need it)', () => {
		const copied = { ...new AppcuesApi() };
		expect(typeof copied.authenticate).toBe('function');
	});

	it('shows the Tools Base URL only for a custom region, and the test request stays one GET of the API', () => {
		const field = credential.properties.find((p) => p.name === 'toolsBaseUrl');
		expect(field?.displayOptions).toEqual({ show: { region: ['custom'] } });
		expect(credential.test.request.method).toBe('GET');
		expect(resolve(credential.test.request.url!, { accountId: '1', region: 'eu' })).toBe(
			'/v2/accounts/1/tags',
		);
	});

	it('marks every secret as a password', () => {
		const passwords = credential.properties
			.filter((p) => p.typeOptions?.password)
			.map((p) => p.name);
		expect(passwords.sort()).toEqual(['apiKey', 'apiSecret', 'legacyApiKey', 'webhookSecret']);
	});
});
