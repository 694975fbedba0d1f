import type { IncomingMessage, ServerResponse } from 'node:http';

import { describe, expect, it } from 'vitest';

import { DEFAULT_ACCOUNT } from '../../../../fake-appcues/server';
import { unzip } from '../../../../fake-appcues/zip';
import { byId, localServer, runAgainstServer, SECRETS } from '../../../../support/fixtures';
import { basicAuth, credentialsFor, useFakeAppcues } from '../../../../support/helpers';

const KEY_AUTH = basicAuth(DEFAULT_ACCOUNT.apiKey, DEFAULT_ACCOUNT.apiSecret);

describe('experience: download screenshots', () => {
	const t = useFakeAppcues();
	const seed = () =>
		t.fake
			.state()
			.experiences.get('checklists')!
			.set('c1', { id: 'c1', name: 'Getting started', steps: [{}, {}, {}] });
	const download = (experienceId: string, extra: Record<string, unknown> = {}) =>
		t.run({
			resource: 'experience',
			operation: 'downloadScreenshots',
			experienceType: 'flows',
			experienceId: byId(experienceId),
			...extra,
		});
	const zipOf = (data: unknown) => unzip(Buffer.from(String(data), 'base64'));

	it('GETs screenshots/{id} with the credentials and outputs the ZIP as binary data', async () => {
		seed();
		// The type (Flow) does not matter: one route serves every type, the id names the checklist.
		const result = await download('c1', { binaryPropertyName: 'shots' });
		expect(result.error).toBeUndefined();
		expect(
			t.fake
				.apiRequests()
				.map((call) => [call.method, call.rawPath, call.headers.authorization, call.status]),
		).toEqual([['GET', '/v2/accounts/12345/screenshots/c1', KEY_AUTH, 200]]);
		const [item] = result.items;
		expect(item.json).toEqual({
			experience_id: 'c1',
			file_name: 'c1-screenshots.zip',
			mime_type: 'application/zip',
			bytes: expect.any(Number),
		});
		expect(item.binary?.shots).toMatchObject({
			fileName: 'c1-screenshots.zip',
			mimeType: 'application/zip',
		});
		expect(zipOf(item.binary?.shots.data).map((entry) => entry.name)).toEqual([
			'step-1.png',
			'step-2.png',
			'step-3.png',
		]);
		expect(item.json.bytes).toBe(Buffer.from(String(item.binary?.shots.data), 'base64').length);
	});

	it('a redirect to a storage URL is followed without the Authorization header', async () => {
		seed();
		t.fake.configure({ screenshotDelivery: 'redirect' });
		const result = await download('c1');
		expect(result.error).toBeUndefined();
		// The fake's storage refuses a request that carries Authorization (400), as S3 does.
		expect(
			t.fake.requests.map((call) => [
				call.method,
				call.rawPath.replace(/[0-9a-f]{32}/, '<token>'),
				call.headers.authorization === undefined ? 'no auth' : call.headers.authorization,
				call.status,
			]),
		).toEqual([
			['GET', '/v2/accounts/12345/screenshots/c1', KEY_AUTH, 302],
			['GET', '/__download/<token>.zip', 'no auth', 200],
		]);
		expect(zipOf(result.items[0].binary?.data.data)).toHaveLength(3);
	});

	async function viaRedirect(
		location: (storageUrl: string) => string,
		storage?: (req: IncomingMessage, res: ServerResponse) => void,
		extra: Record<string, unknown> = {},
	) {
		const storageHost = await localServer(
			storage ??
				((_req, res) =>
					res.writeHead(200, { 'Content-Type': 'application/zip' }).end('PK\x03\x04fake-zip')),
		);
		const api = await localServer((_req, res) =>
			res.writeHead(302, { Location: location(storageHost.url) }).end(),
		);
		try {
			const result = await t.run(
				{
					resource: 'experience',
					operation: 'downloadScreenshots',
					experienceType: 'flows',
					experienceId: byId('f1'),
					...extra,
				},
				{ credentials: { ...credentialsFor(t.fake), baseUrl: api.url } },
			);
			expect(api.received.map((request) => request.headers.authorization)).toEqual([KEY_AUTH]);
			for (const secret of SECRETS)
				expect(JSON.stringify(result.items) + JSON.stringify(result.error)).not.toContain(secret);
			return { result, storage: storageHost.received };
		} finally {
			await storageHost.close();
			await api.close();
		}
	}

	it('never sends the Authorization header to another host', async () => {
		const { result, storage } = await viaRedirect(
			(url) => `${url}/bucket/f1.zip?X-Amz-Signature=abc`,
		);
		expect(storage.map((request) => [request.url, request.headers.authorization])).toEqual([
			['/bucket/f1.zip?X-Amz-Signature=abc', undefined],
		]);
		expect(
			Buffer.from(String(result.items[0].binary?.data.data), 'base64').toString('latin1'),
		).toBe('PK\x03\x04fake-zip');
	});

	it('refuses to follow a redirect to plain http on another host, or to another scheme; nothing is requested there', async () => {
		for (const target of [
			'http://storage.example.com/f1.zip',
			'ftp://storage.example.com/f1.zip',
			'file:///etc/passwd',
		]) {
			const { result, storage } = await viaRedirect(() => target);
			expect(result.error?.message).toBe(
				`Appcues redirected the download of the screenshots to ${new URL(target).protocol}//${new URL(target).host}, which is not followed`,
			);
			expect(storage).toEqual([]);
		}
	});

	it('a storage host that answers an error is a clear error, without the signed URL', async () => {
		const { result } = await viaRedirect(
			(url) => `${url}/f1.zip?X-Amz-Signature=secret-signature`,
			(_req, res) =>
				res
					.writeHead(403, { 'Content-Type': 'application/xml' })
					.end('<Error><Code>AccessDenied</Code></Error>'),
		);
		expect(result.error?.message).toBe('Downloading the screenshots failed with status 403');
		expect(JSON.stringify(result.error)).not.toContain('secret-signature');
	});

	it('an answer that is not a ZIP (a page, a JSON status, nothing) is an error, not a file', async () => {
		for (const [status, type, body, shown] of [
			[200, 'text/html; charset=utf-8', '<html>Sign in</html>', '20 bytes of text/html'],
			[200, 'application/json', '{"status":"generating"}', '23 bytes of application/json'],
			[204, '', '', '0 bytes of no stated type'],
		] as const) {
			const { result } = await runAgainstServer(
				t,
				(_req, res) => res.writeHead(status, type ? { 'Content-Type': type } : {}).end(body),
				{
					resource: 'experience',
					operation: 'downloadScreenshots',
					experienceType: 'flows',
					experienceId: byId('c1'),
				},
			);
			expect(result.error?.message).toBe(
				`The screenshots of c1 are not a ZIP file (got ${shown}) [item 0]`,
			);
			expect(result.items).toEqual([]);
		}
	});

	it('an unknown id is the 404 Appcues answers, "content not found"', async () => {
		const result = await download('nope');
		expect(result.error?.message).toBe('Appcues API error 404: Not Found: content not found');
		expect(result.error?.description).toContain('Request: GET /v2/accounts/12345/screenshots/nope');
	});

	it('a 503 is retried (GET is safe to repeat) and its error body does not end up in the file', async () => {
		seed();
		t.fake.addFault({ kind: 'status', status: 503, pathIncludes: 'screenshots' });
		const result = await download('c1');
		expect(result.error).toBeUndefined();
		expect(t.fake.apiRequests().map((call) => call.status)).toEqual([503, 200]);
		expect(zipOf(result.items[0].binary?.data.data)).toHaveLength(3);
	});

	it('a ZIP larger than Max Download Size is cut off with a clear error', async () => {
		const big = Buffer.alloc(1_500_000, 1);
		const { result } = await viaRedirect(
			(url) => `${url}/f1.zip`,
			(_req, res) => res.writeHead(200, { 'Content-Type': 'application/zip' }).end(big),
			{ maxDownloadSizeMb: 1 },
		);
		expect(result.error?.message).toMatch(
			/^The screenshots ZIP from 127\.0\.0\.1:\d+ is larger than the Max Download Size \(1000000 bytes\)$/,
		);
	});
	it.each([
		[
			// n8n's helper drops the node's own abort signal, so only the client's deadline ends it.
			'the answer to start, also below Request Timeout',
			{ kind: 'latency' as const, delayMs: 25_000 },
			{ timeoutSeconds: 20 },
		],
		[
			// The 30 s wait for the next attempt is cut short when the download gives up.
			'a retry: a 503 with Retry-After 30',
			{ kind: 'status' as const, status: 503, retryAfter: '30', times: 5 },
			{ maxRetryWaitSeconds: 30 },
		],
	])('Download Timeout bounds the wait for %s', async (_, fault, options) => {
		seed();
		t.fake.addFault({ ...fault, pathIncludes: 'screenshots' });
		const started = Date.now();
		const result = await download('c1', { downloadTimeoutSeconds: 1, options });
		expect(result.error?.message).toBe(
			'Downloading the screenshots from Appcues did not finish within 1 s',
		);
		expect(t.fake.apiRequests()).toHaveLength(1);
		expect(Date.now() - started).toBeLessThan(8_000);
	});
});
