import {
	createServer,
	type IncomingHttpHeaders,
	type IncomingMessage,
	type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import type { INodeParameters } from 'n8n-workflow';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { waitBeforeRetry } from '../../nodes/Appcues/transport/retry';
import { Throttle } from '../../nodes/Appcues/transport/throttle';
import { DEFAULT_ACCOUNT, FakeAppcues } from '../fake-appcues/server';
import { basicAuth, credentialsFor, useFakeAppcues } from '../support/helpers';

// Retry waits go through one function: tests that count them replace it; the others really wait.
vi.mock('../../nodes/Appcues/transport/retry', async (importOriginal) => {
	const actual = await importOriginal<typeof import('../../nodes/Appcues/transport/retry')>();
	return { ...actual, waitBeforeRetry: vi.fn(actual.waitBeforeRetry) };
});

const SECRETS = [
	DEFAULT_ACCOUNT.apiSecret,
	DEFAULT_ACCOUNT.legacyApiKey!,
	basicAuth(DEFAULT_ACCOUNT.apiKey, DEFAULT_ACCOUNT.apiSecret).slice('Basic '.length),
];

/** A plain local HTTP server on a free port, recording what it receives; `close` also ends stalled connections. */
async function localServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
	const received: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders }> = [];
	const sockets = new Set<Socket>();
	const server = createServer((req, res) => {
		received.push({ method: req.method, url: req.url, headers: req.headers });
		handler(req, res);
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		received,
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((done) => server.close(() => done()));
		},
	};
}

const byId = (value: string) => ({ __rl: true, mode: 'id', value });

describe('path segments from user input are encoded', () => {
	const t = useFakeAppcues();

	it.each([
		['a/b', 'a%2Fb'],
		['../x', '..%2Fx'],
		['50% off', '50%25%20off'],
		['#1?x=y', '%231%3Fx%3Dy'],
		['Zoë 日本', 'Zo%C3%AB%20%E6%97%A5%E6%9C%AC'],
		['...', '...'],
	])('user id %j reaches its own profile', async (userId, encoded) => {
		const result = await t.run({
			resource: 'user',
			operation: 'updateProfile',
			userId,
			propertiesInput: 'json',
			propertiesJson: '{"seen":true}',
		});
		expect(result.error).toBeUndefined();
		const [request] = t.fake.apiRequests();
		expect(request.rawPath).toBe(`/v2/accounts/12345/users/${encoded}/profile`);
		expect(request.segments).toEqual(['v2', 'accounts', '12345', 'users', userId, 'profile']);
		expect([...t.fake.state().users.keys()]).toEqual([userId]);
	});

	it('segment and experience ids are encoded too', async () => {
		t.fake.state().experiences.get('flows')!.set('f/1', { id: 'f/1', name: 'slash' });
		const result = await t.run({
			resource: 'experience',
			operation: 'publish',
			experienceType: 'flows',
			experienceId: byId('f/1'),
		});
		expect(result.error).toBeUndefined();
		expect(t.fake.apiRequests()[0].rawPath).toBe('/v2/accounts/12345/flows/f%2F1/publish');
		const missing = await t.run({
			resource: 'segment',
			operation: 'delete',
			segmentId: byId('../../users/u1/profile'),
		});
		expect(missing.error?.httpCode).toBe('404');
		expect(t.fake.apiRequests()[1].segments).toEqual([
			'v2',
			'accounts',
			'12345',
			'segments',
			'../../users/u1/profile',
		]);
	});

	it('an account id with special characters stays one segment', async () => {
		const fake = new FakeAppcues({ accounts: [{ ...DEFAULT_ACCOUNT, accountId: 'acct/1' }] });
		await fake.start();
		try {
			const result = await t.run(
				{ resource: 'tag', operation: 'getAll', returnAll: true },
				{ credentials: credentialsFor(fake, { ...DEFAULT_ACCOUNT, accountId: 'acct/1' }) },
			);
			expect(result.error).toBeUndefined();
			expect(fake.apiRequests()[0].rawPath).toBe('/v2/accounts/acct%2F1/tags');
		} finally {
			await fake.close();
		}
	});
});

describe('retries', () => {
	const t = useFakeAppcues();

	it('a 429 storm: every item succeeds and none is sent twice after a 2xx', async () => {
		t.fake.addFault({ kind: 'status', status: 429, times: 40, probability: 0.5 });
		const items = Array.from({ length: 30 }, (_, n) => ({ id: `u${n}` }));
		const result = await t.run(
			{
				resource: 'user',
				operation: 'updateProfile',
				userId: '={{ $json.id }}',
				propertiesInput: 'json',
				propertiesJson: '={{ JSON.stringify({ n: $itemIndex }) }}',
				options: { maxRetries: 10 },
			},
			{ items },
		);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(30);
		expect(result.items.map((item) => item.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		const successes = t.fake.apiRequests().filter((r) => r.status === 200);
		const perUser = new Map<string, number>();
		for (const request of successes)
			perUser.set(request.segments[4], (perUser.get(request.segments[4]) ?? 0) + 1);
		expect([...perUser.values()].every((count) => count === 1)).toBe(true);
		expect(perUser.size).toBe(30);
		expect(t.fake.apiRequests().filter((r) => r.status === 429).length).toBeGreaterThan(0);
		expect(t.fake.state().users.get('u7')?.properties).toEqual({ n: 7 });
	});

	it('the fake rate limit answers 429 without Retry-After, and the node still gets through', async () => {
		t.fake.rateLimitPerSecond = 5;
		const result = await t.run(
			{
				resource: 'user',
				operation: 'trackEvent',
				userId: '={{ "u" + $itemIndex }}',
				eventName: 'ping',
				options: { requestsPerSecond: 60, maxRetries: 10, maxRetryWaitSeconds: 0.5 },
			},
			{ items: Array.from({ length: 12 }, () => ({})) },
		);
		expect(result.error).toBeUndefined();
		const limited = t.fake.apiRequests().filter((r) => r.status === 429);
		expect(limited.length).toBeGreaterThan(0);
		expect(t.fake.apiRequests().filter((r) => r.status === 200)).toHaveLength(12);
	});

	it.each([502, 503, 504])('retries a %i and then succeeds', async (status) => {
		t.fake.addFault({ kind: 'status', status, times: 2 });
		const result = await t.run({ resource: 'tag', operation: 'getAll', returnAll: true });
		expect(result.error).toBeUndefined();
		expect(t.fake.apiRequests().map((r) => r.status)).toEqual([status, status, 200]);
	});

	it('a 5xx that never heals: bounded retries, then a clear error', async () => {
		t.fake.addFault({ kind: 'status', status: 503, times: Infinity });
		const result = await t.run({
			resource: 'tag',
			operation: 'getAll',
			returnAll: true,
			options: { maxRetries: 3 },
		});
		expect(t.fake.apiRequests()).toHaveLength(4);
		expect(result.error?.message).toBe(
			'Appcues API error 503: Service Unavailable: injected fault',
		);
		expect(result.error?.httpCode).toBe('503');
	});

	it('a 429 that never heals gets three times the retry budget, then a clear error', async () => {
		t.fake.addFault({ kind: 'status', status: 429, times: Infinity });
		const result = await t.run({
			resource: 'tag',
			operation: 'getAll',
			returnAll: true,
			options: { maxRetries: 2, maxRetryWaitSeconds: 0.01 },
		});
		expect(t.fake.apiRequests()).toHaveLength(7);
		expect(result.error?.message).toBe('Appcues API error 429: Too Many Requests: injected fault');
	});

	it('does not retry other 4xx', async () => {
		t.fake.addFault({ kind: 'status', status: 400, times: Infinity });
		const result = await t.run({ resource: 'tag', operation: 'getAll', returnAll: true });
		expect(t.fake.apiRequests()).toHaveLength(1);
		expect(result.error?.message).toBe('Appcues API error 400: Bad Request: injected fault');
	});

	it('honours Retry-After in seconds and as an HTTP date', async () => {
		// An HTTP date has whole seconds: 2 s ahead means a wait of between 1 and 2 s.
		t.fake.addFault({
			kind: 'status',
			status: 503,
			retryAfter: new Date(Date.now() + 2000).toUTCString(),
			times: 1,
		});
		t.fake.addFault({ kind: 'status', status: 429, retryAfter: '1', times: 1 });
		const started = Date.now();
		const result = await t.run({
			resource: 'tag',
			operation: 'getAll',
			returnAll: true,
			options: { maxRetryWaitSeconds: 5 },
		});
		expect(result.error).toBeUndefined();
		const [first, second, third] = t.fake.apiRequests();
		expect(second.at - first.at).toBeGreaterThanOrEqual(900);
		expect(third.at - second.at).toBeGreaterThanOrEqual(950);
		expect(Date.now() - started).toBeLessThan(5000);
	});

	it('caps a long Retry-After at the maximum wait', async () => {
		t.fake.addFault({ kind: 'status', status: 429, retryAfter: '3600', times: 1 });
		const started = Date.now();
		const result = await t.run({
			resource: 'tag',
			operation: 'getAll',
			returnAll: true,
			options: { maxRetryWaitSeconds: 0.2 },
		});
		expect(result.error).toBeUndefined();
		expect(Date.now() - started).toBeLessThan(3000);
	});

	it('retries a GET whose connection was dropped', async () => {
		t.fake.addFault({ kind: 'drop', times: 2 });
		const result = await t.run({ resource: 'tag', operation: 'getAll', returnAll: true });
		expect(result.error).toBeUndefined();
		expect(t.fake.apiRequests().map((r) => r.status)).toEqual([0, 0, 200]);
	});

	it('does not repeat a POST whose connection dropped after it was applied', async () => {
		t.fake.addFault({ kind: 'drop-after-apply', method: 'POST', times: 1 });
		const result = await t.run({
			resource: 'user',
			operation: 'trackEvent',
			userId: 'u1',
			eventName: 'paid',
		});
		expect(t.fake.apiRequests()).toHaveLength(1);
		expect(t.fake.state().users.get('u1')?.events).toHaveLength(1);
		expect(result.error?.message).toBe(
			'The POST request to Appcues may have gone through (the connection was reset after it was sent), so it was not repeated',
		);
	});

	it('a dropped connection that never heals ends in a clear error', async () => {
		t.fake.addFault({ kind: 'drop', times: Infinity });
		const result = await t.run({
			resource: 'tag',
			operation: 'getAll',
			returnAll: true,
			options: { maxRetries: 2 },
		});
		expect(t.fake.apiRequests()).toHaveLength(3);
		expect(result.error?.message).toMatch(
			/^Could not reach Appcues at 127\.0\.0\.1:\d+ after 3 attempts: the connection was reset$/,
		);
		expect(result.error?.description).toContain('(ECONNRESET)');
	});

	it('an unreachable base URL is a clear error', async () => {
		const credentials = { ...credentialsFor(t.fake), baseUrl: 'http://127.0.0.1:9' };
		const result = await t.run(
			{ resource: 'tag', operation: 'getAll', returnAll: true, options: { maxRetries: 1 } },
			{ credentials },
		);
		expect(result.error?.message).toBe(
			'Could not reach Appcues at 127.0.0.1:9 after 2 attempts: the connection was refused',
		);
	});
});

describe('timeouts', () => {
	const t = useFakeAppcues();

	it('a timed-out POST is not repeated and says it may have gone through', async () => {
		t.fake.addFault({ kind: 'latency', delayMs: 3000, method: 'POST', times: 1 });
		const result = await t.run({
			resource: 'user',
			operation: 'trackEvent',
			userId: 'u1',
			eventName: 'paid',
			options: { timeoutSeconds: 1 },
		});
		expect(t.fake.apiRequests()).toHaveLength(1);
		expect(result.error?.message).toBe(
			'The POST request to Appcues may have gone through (the request timed out after it was sent), so it was not repeated',
		);
	});

	it('a timed-out PATCH is retried, and the item succeeds', async () => {
		t.fake.addFault({ kind: 'latency', delayMs: 3000, method: 'PATCH', times: 1 });
		const result = await t.run({
			resource: 'user',
			operation: 'updateProfile',
			userId: 'u1',
			propertiesInput: 'json',
			propertiesJson: '{"plan":"pro"}',
			options: { timeoutSeconds: 1 },
		});
		expect(result.error).toBeUndefined();
		expect(t.fake.apiRequests({ method: 'PATCH' })).toHaveLength(2);
	});
});

describe('throttle', () => {
	const t = useFakeAppcues();

	it('takes every request through the node cap (Max Requests per Second) and the account budget', async () => {
		// The spacing itself is tested with a fake clock in test/unit/throttle.test.ts; arrival times
		// at the fake server depend on the machine's load, so they are not asserted here.
		const ratesUsed: number[] = [];
		const acquire = Throttle.prototype.acquire;
		const spy = vi.spyOn(Throttle.prototype, 'acquire').mockImplementation(function (
			this: Throttle,
		) {
			ratesUsed.push(this.limit);
			return acquire.call(this);
		});
		try {
			const result = await t.run(
				{
					resource: 'user',
					operation: 'trackEvent',
					userId: '={{ "u" + $itemIndex }}',
					eventName: 'x',
					options: { requestsPerSecond: 20 },
				},
				{ items: Array.from({ length: 11 }, () => ({})) },
			);
			expect(result.error).toBeUndefined();
		} finally {
			spy.mockRestore();
		}
		expect(t.fake.apiRequests()).toHaveLength(11);
		expect(ratesUsed.filter((rate) => rate === 20)).toHaveLength(11);
		expect(ratesUsed.filter((rate) => rate === 60)).toHaveLength(11);
	});

	it('never has more than Max Concurrent Requests in flight, and does use them', async () => {
		t.fake.latencyMs = 60;
		const result = await t.run(
			{
				resource: 'user',
				operation: 'trackEvent',
				userId: '={{ "u" + $itemIndex }}',
				eventName: 'x',
				options: { maxConcurrency: 3 },
			},
			{ items: Array.from({ length: 30 }, () => ({})) },
		);
		expect(result.error).toBeUndefined();
		expect(t.fake.maxInFlight).toBe(3);
	});

	it('with one request in flight at a time, items go one after the other', async () => {
		t.fake.latencyMs = 20;
		await t.run(
			{
				resource: 'user',
				operation: 'trackEvent',
				userId: '={{ "u" + $itemIndex }}',
				eventName: 'x',
				options: { maxConcurrency: 1 },
			},
			{ items: Array.from({ length: 8 }, () => ({})) },
		);
		expect(t.fake.maxInFlight).toBe(1);
	});

	it('default settings: 120 updates at 100 ms latency and a 60/s limit get no 429 and keep order', async () => {
		t.fake.latencyMs = 100;
		const items = Array.from({ length: 120 }, (_, n) => ({ id: `u${n}` }));
		const result = await t.run(
			{
				resource: 'user',
				operation: 'updateProfile',
				userId: '={{ $json.id }}',
				propertiesInput: 'json',
				propertiesJson: '{"seen":true}',
				options: {},
			},
			{ items },
		);
		expect(result.error).toBeUndefined();
		expect(t.fake.apiRequests().filter((request) => request.status === 429)).toHaveLength(0);
		expect(t.fake.apiRequests()).toHaveLength(120);
		expect(t.fake.maxInFlight).toBeGreaterThan(4);
		expect(result.items.map((item) => item.json.user_id)).toEqual(items.map((item) => item.id));
	}, 20_000);

	it('keeps output order and pairing with many items in flight', async () => {
		t.fake.latencyMs = 20;
		const items = Array.from({ length: 25 }, (_, n) => ({ id: `u${n}` }));
		for (const { id } of items) t.fake.state().users.set(id, { properties: { id }, events: [] });
		const result = await t.run(
			{
				resource: 'user',
				operation: 'getProfile',
				userId: '={{ $json.id }}',
				options: { requestsPerSecond: 60, maxConcurrency: 8 },
			},
			{ items },
		);
		expect(result.items.map((item) => item.json.user_id)).toEqual(items.map((item) => item.id));
		expect(result.items.map((item) => item.pairedItem)).toEqual(items.map((_, item) => ({ item })));
	});
});

describe('authentication errors', () => {
	const t = useFakeAppcues();

	it('a wrong secret says to check key, secret, account ID and region', async () => {
		const credentials = { ...credentialsFor(t.fake), apiSecret: 'wrong' };
		const result = await t.run(
			{ resource: 'tag', operation: 'getAll', returnAll: true },
			{ credentials },
		);
		expect(result.error?.message).toBe(
			'Appcues refused the credentials (401 Unauthorized): check the API key, secret, account ID and region',
		);
		expect(result.error?.description).toContain('invalid API key or secret');
		expect(t.fake.apiRequests()).toHaveLength(1);
	});

	it('a key of another account is a 403 with the same hint', async () => {
		const credentials = { ...credentialsFor(t.fake), accountId: '99999' };
		const result = await t.run(
			{ resource: 'tag', operation: 'getAll', returnAll: true },
			{ credentials },
		);
		expect(result.error?.httpCode).toBe('403');
		expect(result.error?.message).toMatch(/check the API key, secret, account ID and region/);
	});
});

describe('secrets never leak', () => {
	const t = useFakeAppcues();
	const secrets = [
		DEFAULT_ACCOUNT.apiSecret,
		DEFAULT_ACCOUNT.legacyApiKey!,
		Buffer.from(`${DEFAULT_ACCOUNT.apiKey}:${DEFAULT_ACCOUNT.apiSecret}`).toString('base64'),
	];

	const cases: Array<[string, () => void, INodeParameters]> = [
		[
			'a 401',
			() => t.fake.addFault({ kind: 'status', status: 401, times: Infinity }),
			{ resource: 'tag', operation: 'getAll', returnAll: true },
		],
		[
			'a 500 that echoes nothing',
			() =>
				t.fake.addFault({
					kind: 'status',
					status: 500,
					times: Infinity,
					body: '<html>oops</html>',
				}),
			{ resource: 'tag', operation: 'getAll', returnAll: true, options: { maxRetries: 0 } },
		],
		[
			'a dropped connection',
			() => t.fake.addFault({ kind: 'drop', times: Infinity }),
			{ resource: 'tag', operation: 'getAll', returnAll: true, options: { maxRetries: 1 } },
		],
		[
			'a legacy call rejected',
			() => t.fake.addFault({ kind: 'status', status: 403, times: Infinity }),
			{
				resource: 'user',
				operation: 'trackActivity',
				userId: 'u',
				propertiesInput: 'json',
				propertiesJson: '{"a":1}',
			},
		],
		['a success', () => {}, { resource: 'tag', operation: 'getAll', returnAll: true }],
	];

	it.each(cases)(
		'%s: no secret in the output items or the error',
		async (_label, setup, parameters) => {
			setup();
			for (const continueOnFail of [false, true]) {
				const result = await t.run(parameters, { continueOnFail });
				const everything = JSON.stringify({
					items: result.items,
					error: result.error,
					runError: result.run.data.resultData.error,
					runData: result.run.data.resultData.runData,
				});
				for (const secret of secrets) expect(everything).not.toContain(secret);
			}
		},
	);
});

describe('continueOnFail', () => {
	const t = useFakeAppcues();

	it('gives one error item per failed item and carries on', async () => {
		t.fake.state().users.set('u0', { properties: { a: 1 }, events: [] });
		t.fake.state().users.set('u2', { properties: { a: 2 }, events: [] });
		const result = await t.run(
			{ resource: 'user', operation: 'getProfile', userId: '={{ $json.id }}' },
			{ items: [{ id: 'u0' }, { id: 'missing' }, { id: 'u2' }, { id: '' }], continueOnFail: true },
		);
		expect(result.error).toBeUndefined();
		expect(
			result.items.map((item) => [item.json.user_id ?? item.json.error, item.pairedItem]),
		).toEqual([
			['u0', { item: 0 }],
			['Appcues API error 404: Not Found: user missing not found', { item: 1 }],
			['u2', { item: 2 }],
			['User ID is empty [item 3]', { item: 3 }],
		]);
		expect(t.fake.apiRequests()).toHaveLength(3);
	});

	it('without it, the first failing item stops the run with its index', async () => {
		const result = await t.run(
			{
				resource: 'user',
				operation: 'getProfile',
				userId: '={{ $json.id }}',
				options: { maxConcurrency: 1 },
			},
			{ items: [{ id: 'missing-0' }, { id: 'missing-1' }] },
		);
		expect(result.error?.context?.itemIndex).toBe(0);
		expect(t.fake.apiRequests()).toHaveLength(1);
	});
});

describe('redirects: credentials never follow one', () => {
	const t = useFakeAppcues();

	it.each([301, 302, 303, 307, 308])(
		'a %i to another host is an error naming it, and that host gets no Authorization',
		async (status) => {
			const otherHost = await localServer((_req, res) =>
				res.writeHead(200, { 'Content-Type': 'application/json' }).end('[]'),
			);
			const redirecting = await localServer((req, res) =>
				res.writeHead(status, { Location: `${otherHost.url}${req.url}?token=abc` }).end(),
			);
			try {
				for (const continueOnFail of [false, true]) {
					const result = await t.run(
						{ resource: 'user', operation: 'trackEvent', userId: 'u1', eventName: 'paid' },
						{
							credentials: { ...credentialsFor(t.fake), baseUrl: redirecting.url },
							continueOnFail,
						},
					);
					const message = `Appcues answered with a redirect (${status}) to ${new URL(otherHost.url).host}; it was not followed, so no credentials were sent there`;
					if (continueOnFail) {
						expect(result.items.map((item) => [item.json.error, item.pairedItem])).toEqual([
							[message, { item: 0 }],
						]);
					} else {
						expect(result.error?.message).toBe(message);
						expect(result.items).toEqual([]);
					}
					const everything = JSON.stringify({
						items: result.items,
						error: result.error,
						runData: result.run.data.resultData.runData,
					});
					for (const secret of [...SECRETS, 'token=abc']) expect(everything).not.toContain(secret);
				}
				expect(redirecting.received).toHaveLength(2);
				expect(redirecting.received[0].headers.authorization).toBe(
					basicAuth(DEFAULT_ACCOUNT.apiKey, DEFAULT_ACCOUNT.apiSecret),
				);
				expect(otherHost.received).toEqual([]);
			} finally {
				await otherHost.close();
				await redirecting.close();
			}
		},
	);

	it('a redirect on the same host is not followed either (GET, legacy key)', async () => {
		const redirecting = await localServer((_req, res) =>
			res.writeHead(302, { Location: '/elsewhere' }).end(),
		);
		try {
			const result = await t.run(
				{
					resource: 'user',
					operation: 'trackActivity',
					userId: 'u',
					propertiesInput: 'json',
					propertiesJson: '{"a":1}',
				},
				{ credentials: { ...credentialsFor(t.fake), baseUrl: redirecting.url } },
			);
			expect(result.error?.message).toBe(
				`Appcues answered with a redirect (302) to ${new URL(redirecting.url).host}; it was not followed, so no credentials were sent there`,
			);
			expect(redirecting.received.map((request) => request.url)).not.toContain('/elsewhere');
			expect(redirecting.received).toHaveLength(1);
		} finally {
			await redirecting.close();
		}
	});
});

describe('a custom Base URL over plain http', () => {
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

describe('a request that may have been applied is never sent again', () => {
	const t = useFakeAppcues();

	it.each([500, 502, 504])(
		'trackEvent answered %i then 201: one POST, and an error item saying it may have gone through',
		async (status) => {
			t.fake.addFault({ kind: 'status', status, method: 'POST', times: 1 });
			const result = await t.run(
				{ resource: 'user', operation: 'trackEvent', userId: 'u1', eventName: 'paid' },
				{ continueOnFail: true },
			);
			expect(t.fake.apiRequests({ method: 'POST' })).toHaveLength(1);
			expect(result.items).toHaveLength(1);
			expect(result.items[0].pairedItem).toEqual({ item: 0 });
			expect(result.items[0].json.error).toMatch(
				new RegExp(
					`^The POST request to Appcues may have gone through \\(Appcues answered ${status} .+\\), so it was not repeated$`,
				),
			);
			expect(JSON.stringify(result.items)).not.toContain(DEFAULT_ACCOUNT.apiSecret);
		},
	);

	it('an import answered 504: one POST, no second job', async () => {
		t.fake.addFault({ kind: 'status', status: 504, method: 'POST', times: 1 });
		const items = [{ user_id: 'u1', plan: 'pro' }];
		const result = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'items' },
			{ items, continueOnFail: true },
		);
		expect(t.fake.apiRequests({ method: 'POST' })).toHaveLength(1);
		expect(result.items[0].json.error).toMatch(
			/^The POST request to Appcues may have gone through \(Appcues answered 504 .+\), so it was not repeated$/,
		);
	});

	it('adding users to a segment answered 502: one POST, no second job', async () => {
		t.fake.state().segments.set('seg-a', { id: 'seg-a', name: 'A', user_ids: [] } as never);
		t.fake.addFault({ kind: 'status', status: 502, method: 'POST', times: 1 });
		const result = await t.run(
			{
				resource: 'segment',
				operation: 'addUsers',
				segmentId: { __rl: true, mode: 'id', value: 'seg-a' },
				userIds: 'u1',
			},
			{ continueOnFail: true },
		);
		expect(t.fake.apiRequests({ method: 'POST' })).toHaveLength(1);
		expect(result.items[0].json.error).toMatch(
			/^The POST request to Appcues may have gone through \(Appcues answered 502 .+\), so it was not repeated$/,
		);
	});

	it.each([429, 503])(
		'a POST answered %i (not processed) is sent again and succeeds once',
		async (status) => {
			t.fake.addFault({ kind: 'status', status, method: 'POST', times: 2 });
			const result = await t.run({
				resource: 'user',
				operation: 'trackEvent',
				userId: 'u1',
				eventName: 'paid',
			});
			expect(result.error).toBeUndefined();
			expect(t.fake.apiRequests({ method: 'POST' }).map((request) => request.status)).toEqual([
				status,
				status,
				200,
			]);
			expect(t.fake.state().users.get('u1')?.events).toHaveLength(1);
		},
	);

	it('a POST whose connection was refused (nothing sent) is sent again', async () => {
		const result = await t.run(
			{
				resource: 'user',
				operation: 'trackEvent',
				userId: 'u1',
				eventName: 'paid',
				options: { maxRetries: 2 },
			},
			{ credentials: { ...credentialsFor(t.fake), baseUrl: 'http://127.0.0.1:9' } },
		);
		expect(result.error?.message).toBe(
			'Could not reach Appcues at 127.0.0.1:9 after 3 attempts: the connection was refused',
		);
	});
});

describe('Retry-After never shortens the backoff', () => {
	const t = useFakeAppcues();
	let waits: number[];

	beforeEach(() => {
		waits = [];
		vi.mocked(waitBeforeRetry).mockImplementation(async (ms) => {
			waits.push(ms);
		});
		// The jitter draws half of each step, so the computed waits are known.
		vi.spyOn(Math, 'random').mockReturnValue(0.5);
	});
	afterEach(() => {
		vi.mocked(waitBeforeRetry).mockReset();
		vi.restoreAllMocks();
	});

	/** Half of each 429 backoff step: 250 ms doubling, capped at the 30 s maximum wait. */
	const throttledBackoff = Array.from(
		{ length: 15 },
		(_, retry) => Math.min(30_000, 250 * 2 ** retry) / 2,
	);

	it.each([
		['0', () => '0'],
		['negative', () => '-5'],
		['a past date', () => new Date(Date.now() - 60_000).toUTCString()],
		['not a number', () => 'soon'],
	])(
		'a 429 that never heals, Retry-After %s: 16 attempts, spread over minutes of backoff',
		async (_label, retryAfter) => {
			t.fake.addFault({ kind: 'status', status: 429, retryAfter: retryAfter(), times: Infinity });
			const result = await t.run({
				resource: 'tag',
				operation: 'getAll',
				returnAll: true,
				options: { maxRetries: 5, maxRetryWaitSeconds: 30 },
			});
			expect(result.error?.message).toBe(
				'Appcues API error 429: Too Many Requests: injected fault',
			);
			expect(t.fake.apiRequests()).toHaveLength(16);
			expect(waits).toEqual(throttledBackoff);
			expect(waits.reduce((sum, wait) => sum + wait, 0)).toBeGreaterThan(120_000);
		},
	);

	it('a Retry-After longer than the backoff wins, up to the maximum wait', async () => {
		t.fake.addFault({ kind: 'status', status: 503, retryAfter: '3', times: 4 });
		const result = await t.run({
			resource: 'tag',
			operation: 'getAll',
			returnAll: true,
			options: { maxRetries: 5, maxRetryWaitSeconds: 30 },
		});
		expect(result.error).toBeUndefined();
		// 5xx steps start at 1 s: halves are 500, 1000, 2000, 4000; Retry-After 3 s lifts the first three.
		expect(waits).toEqual([3000, 3000, 3000, 4000]);
	});

	it('a 503 with Retry-After 0 on a POST still backs off', async () => {
		t.fake.addFault({ kind: 'status', status: 503, retryAfter: '0', times: 3, method: 'POST' });
		const result = await t.run({
			resource: 'user',
			operation: 'trackEvent',
			userId: 'u1',
			eventName: 'paid',
			options: { maxRetryWaitSeconds: 30 },
		});
		expect(result.error).toBeUndefined();
		expect(waits).toEqual([500, 1000, 2000]);
		expect(t.fake.state().users.get('u1')?.events).toHaveLength(1);
	});
});

describe('analytics export download: timeout and size limit', () => {
	const t = useFakeAppcues();
	const spec = JSON.stringify({
		columns: ['timestamp', 'user_id', 'name'],
		start_time: '2026-01-01',
		end_time: '2026-01-31',
	});
	const SIGNATURE = 'X-Amz-Signature=0123456789abcdef';

	/** Answers the export as Appcues does, with a download_url on a separate storage host. */
	async function exportServer(storageUrl: string) {
		return await localServer((req, res) => {
			res.setHeader('Content-Type', 'application/json');
			const job =
				req.method === 'POST'
					? { job_id: 'job-1', status: 'queued' }
					: {
							job_id: 'job-1',
							status: 'done',
							download_url: `${storageUrl}/export.csv?${SIGNATURE}`,
						};
			res.writeHead(200).end(JSON.stringify(job));
		});
	}

	async function runExport(
		storage: (req: IncomingMessage, res: ServerResponse) => void,
		options: INodeParameters,
		continueOnFail = false,
	) {
		const storageHost = await localServer(storage);
		const api = await exportServer(storageHost.url);
		try {
			const result = await t.run(
				{ resource: 'analytics', operation: 'export', query: spec, ...options },
				{ credentials: { ...credentialsFor(t.fake), baseUrl: api.url }, continueOnFail },
			);
			// The output of a success carries download_url (signature included), as Appcues gives it; errors never do.
			const errors = JSON.stringify({
				errorItems: result.items.filter((item) => item.json.error),
				error: result.error,
				runError: result.run.data.resultData.error,
			});
			for (const secret of [...SECRETS, SIGNATURE]) expect(errors).not.toContain(secret);
			expect(JSON.stringify(result.items)).not.toContain(DEFAULT_ACCOUNT.apiSecret);
			expect(
				storageHost.received.every((request) => request.headers.authorization === undefined),
			).toBe(true);
			return { result, storageHost, host: new URL(storageHost.url).host };
		} finally {
			await storageHost.close();
			await api.close();
		}
	}

	it('a storage host that never answers: the download times out with a clear error', async () => {
		const { result, storageHost, host } = await runExport(() => {}, { downloadTimeoutSeconds: 1 });
		expect(storageHost.received).toHaveLength(1);
		expect(result.error?.message).toBe(
			`Downloading the export from ${host} did not finish within 1 s`,
		);
	});

	it('a storage host that stalls halfway through the body times out too', async () => {
		const { result, host } = await runExport(
			(_req, res) => {
				res.writeHead(200, { 'Content-Type': 'text/csv', 'Content-Length': '1000' });
				res.write('timestamp,user_id,name\n');
			},
			{ downloadTimeoutSeconds: 1 },
			true,
		);
		expect(result.items.map((item) => [item.json.error, item.pairedItem])).toEqual([
			[`Downloading the export from ${host} did not finish within 1 s`, { item: 0 }],
		]);
	});

	it('a file larger than Max Download Size is cut off with a clear error (streamed, no Content-Length)', async () => {
		const chunk = Buffer.alloc(64 * 1024, 'a');
		let sent = 0;
		const { result, host } = await runExport(
			(_req, res) => {
				res.writeHead(200, { 'Content-Type': 'text/csv' });
				const pump = (): void => {
					// Sends up to 20 MB unless the client hangs up first.
					while (sent < 20 * 1024 * 1024 && !res.destroyed) {
						sent += chunk.length;
						if (!res.write(chunk)) {
							res.once('drain', pump);
							return;
						}
					}
					res.end();
				};
				pump();
			},
			{ maxDownloadSizeMb: 1 },
		);
		expect(result.error?.message).toBe(
			`The export file from ${host} is larger than the Max Download Size (1000000 bytes)`,
		);
		expect(sent).toBeLessThan(20 * 1024 * 1024);
	});

	it('a declared Content-Length above the limit is refused before reading', async () => {
		const { result, host } = await runExport(
			(_req, res) => {
				res.writeHead(200, {
					'Content-Type': 'text/csv',
					'Content-Length': String(5 * 1024 * 1024),
				});
				res.write('a');
			},
			{ maxDownloadSizeMb: 1 },
		);
		expect(result.error?.message).toBe(
			`The export file from ${host} is larger than the Max Download Size (1000000 bytes)`,
		);
	});

	it('a file within the limits is downloaded whole', async () => {
		const csv = 'timestamp,user_id,name\n2026-01-02,u1,x\n';
		const { result } = await runExport(
			(_req, res) => res.writeHead(200, { 'Content-Type': 'text/csv' }).end(csv),
			{},
		);
		expect(result.error).toBeUndefined();
		expect(Buffer.from(String(result.items[0].binary?.data.data), 'base64').toString('utf8')).toBe(
			csv,
		);
	});

	it('a bad limit is refused before the export is requested', async () => {
		const result = await t.run({
			resource: 'analytics',
			operation: 'export',
			query: spec,
			maxDownloadSizeMb: 0,
		});
		expect(result.error?.message).toBe('Max Download Size (MB) must be a positive number [item 0]');
		expect(t.fake.requests).toHaveLength(0);
	});
});
