import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import {
	waitBeforeRetry,
	classifyConnectionError,
	handleFailure,
	parseRetryAfter,
	retryDelayMs,
	throttledRetryDelayMs,
} from '../../../../nodes/Appcues/transport/retry';
import { DEFAULT_ACCOUNT } from '../../../fake-appcues/server';
import { runAgainstServer } from '../../../support/fixtures';
import { credentialsFor, useFakeAppcues } from '../../../support/helpers';

// Retry waits go through one function: tests that count them replace it; the others really wait.
vi.mock('../../../../nodes/Appcues/transport/retry', async (importOriginal) => {
	const actual = await importOriginal<typeof import('../../../../nodes/Appcues/transport/retry')>();
	return { ...actual, waitBeforeRetry: vi.fn(actual.waitBeforeRetry) };
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

	it.each([
		['whose answer never starts', { kind: 'latency' as const, delayMs: 3000 }],
		['whose answer trickles in past Request Timeout', { kind: 'trickle' as const, delayMs: 400 }],
		[
			'whose status line and headers trickle in past Request Timeout',
			{ kind: 'trickle-head' as const, delayMs: 100 },
		],
	])('a POST %s is not repeated and says it may have gone through', async (_, fault) => {
		t.fake.addFault({ ...fault, method: 'POST', times: 1 });
		const started = Date.now();
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
		// Given up after the one second of Request Timeout, not when the answer would have ended.
		expect(Date.now() - started).toBeLessThan(5_000);
	});

	it('Request Timeout bounds the whole answer: a GET whose answer trickles in is cut off and sent again', async () => {
		// One byte every 100 ms never pauses long enough for a timeout of pauses, but takes
		// seconds in all.
		t.fake.state().tags.set('t1', { id: 't1', name: 'onboarding' });
		t.fake.addFault({ kind: 'trickle', delayMs: 100, method: 'GET', times: 1 });
		const result = await t.run({
			resource: 'tag',
			operation: 'getAll',
			returnAll: true,
			options: { timeoutSeconds: 1 },
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		expect(t.fake.apiRequests({ method: 'GET' })).toHaveLength(2);
	});

	it('Request Timeout bounds the wait for the headers too: a GET whose whole answer trickles in is given up and sent again', async () => {
		// The status line and headers, one byte every 100 ms: axios's timeout of pauses never
		// fires, and n8n's helper answers only once the headers are complete (seconds later).
		t.fake.state().tags.set('t1', { id: 't1', name: 'onboarding' });
		t.fake.addFault({ kind: 'trickle-head', delayMs: 100, method: 'GET', times: 1 });
		const started = Date.now();
		const result = await t.run({
			resource: 'tag',
			operation: 'getAll',
			returnAll: true,
			options: { timeoutSeconds: 1 },
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.name)).toEqual(['onboarding']);
		expect(t.fake.apiRequests({ method: 'GET' })).toHaveLength(2);
		// Given up after the one second, not after the many the trickle takes.
		expect(Date.now() - started).toBeLessThan(8_000);
	});

	it('a 429 whose body never finishes stays a 429: the POST is sent again, not reported as maybe applied', async () => {
		let answered = 0;
		const { result, received } = await runAgainstServer(
			t,
			(_req, res) => {
				if (++answered === 1) {
					// The status and the start of a body, then nothing more.
					res.writeHead(429, { 'Content-Type': 'application/json' }).write('{"title":');
					return;
				}
				res.writeHead(201, { 'Content-Type': 'application/json' }).end('{"ok":true}');
			},
			{
				resource: 'user',
				operation: 'trackEvent',
				userId: 'u1',
				eventName: 'paid',
				options: { timeoutSeconds: 1 },
			},
		);
		expect(result.error).toBeUndefined();
		expect(received.map((request) => request.method)).toEqual(['POST', 'POST']);
	});

	it('a success whose compressed body is corrupt: the POST is not sent again and says it may have gone through', async () => {
		const { result, received } = await runAgainstServer(
			t,
			(_req, res) =>
				res
					.writeHead(201, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' })
					.end('not gzip at all'),
			{ resource: 'user', operation: 'trackEvent', userId: 'u1', eventName: 'paid' },
		);
		expect(received).toHaveLength(1);
		expect(result.error?.message).toMatch(
			/^The POST request to Appcues may have gone through \(.+ after it was sent\), so it was not repeated$/,
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
			return true;
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

describe('retry policy', () => {
	const now = Date.parse('2026-11-26T12:00:00Z');
	it('parses Retry-After as seconds or an HTTP date', () => {
		expect(parseRetryAfter('3', now)).toBe(3000);
		expect(parseRetryAfter('1.5', now)).toBe(1500);
		expect(parseRetryAfter('Thu, 26 Nov 2026 12:00:10 GMT', now)).toBe(10_000);
		expect(parseRetryAfter('Thu, 26 Nov 2026 11:00:00 GMT', now)).toBe(0);
		expect(parseRetryAfter('soon', now)).toBeUndefined();
		expect(parseRetryAfter(undefined, now)).toBeUndefined();
		expect(parseRetryAfter(['2'], now)).toBe(2000);
	});
	it('uses full jitter below an exponential step, capped', () => {
		const policy = { maxRetries: 5, maxWaitMs: 5000 };
		expect(retryDelayMs(0, policy, undefined, () => 0.999)).toBe(999);
		expect(retryDelayMs(2, policy, undefined, () => 0.5)).toBe(2000);
		expect(retryDelayMs(10, policy, undefined, () => 0.999)).toBe(4995);
		expect(retryDelayMs(3, policy, undefined, () => 0)).toBe(0);
	});
	it('a 429 the throttle takes for background waits briefly: below 50 ms, whatever the retry number', () => {
		const policy = { maxRetries: 5, maxWaitMs: 30_000 };
		expect(throttledRetryDelayMs(0, policy, undefined, true, () => 0.999)).toBe(49);
		expect(throttledRetryDelayMs(2, policy, undefined, true, () => 0.5)).toBe(25);
		expect(throttledRetryDelayMs(14, policy, undefined, true, () => 0.999)).toBe(49);
		// Otherwise (overload) it backs off from 250 ms up to Max Retry Wait.
		expect(throttledRetryDelayMs(2, policy, undefined, false, () => 0.5)).toBe(500);
		expect(throttledRetryDelayMs(14, policy, undefined, false, () => 0.5)).toBe(15_000);
		// Retry-After wins either way, up to Max Retry Wait.
		expect(throttledRetryDelayMs(0, policy, 3000, true, () => 0.5)).toBe(3000);
		expect(throttledRetryDelayMs(0, { maxRetries: 5, maxWaitMs: 2000 }, 3000, true)).toBe(2000);
	});
	it('prefers Retry-After, capped at the maximum wait', () => {
		expect(retryDelayMs(0, { maxRetries: 5, maxWaitMs: 5000 }, 3000)).toBe(3000);
		expect(retryDelayMs(0, { maxRetries: 5, maxWaitMs: 5000 }, 60_000)).toBe(5000);
	});
	it('a Retry-After shorter than the backoff (0, a past date, negative) never shortens it', () => {
		const policy = { maxRetries: 5, maxWaitMs: 30_000 };
		expect(parseRetryAfter('-5', now)).toBeUndefined();
		expect(parseRetryAfter('2', now)).toBe(2000);
		for (const retryAfter of [
			0,
			parseRetryAfter('Thu, 26 Nov 2026 11:00:00 GMT', now),
			parseRetryAfter('-5', now),
		]) {
			expect(retryDelayMs(3, policy, retryAfter, () => 0.5)).toBe(4000);
		}
		expect(retryDelayMs(3, policy, 6000, () => 0.5)).toBe(6000);
	});
	it('retries a POST only when Appcues cannot have applied it', () => {
		const table = (method: string) =>
			[429, 500, 502, 503, 504, 400]
				.map((status) => handleFailure(method, { status }))
				.concat(
					(['not-sent', 'maybe-sent'] as const).map((connection) =>
						handleFailure(method, { connection }),
					),
				);
		expect(table('POST')).toEqual([
			'retry',
			'may-have-applied',
			'may-have-applied',
			'retry',
			'may-have-applied',
			'fail',
			'retry',
			'may-have-applied',
		]);
		for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
			expect(table(method)).toEqual([
				'retry',
				'fail',
				'retry',
				'retry',
				'retry',
				'fail',
				'retry',
				'retry',
			]);
		}
	});
	it('tells failures before sending from failures after', () => {
		expect(classifyConnectionError('ECONNREFUSED')).toBe('not-sent');
		expect(classifyConnectionError('ECONNRESET')).toBe('maybe-sent');
		expect(classifyConnectionError('ETIMEDOUT')).toBe('maybe-sent');
		expect(classifyConnectionError('EACCES')).toBeUndefined();
	});
});
