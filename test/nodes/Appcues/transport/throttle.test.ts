import { describe, expect, it, vi } from 'vitest';

import { simulate } from '../../../../bench/lib/simulate';
import { Throttle } from '../../../../nodes/Appcues/transport/throttle';
import { useFakeAppcues } from '../../../support/helpers';

function clocked(maxRate: number) {
	const clock = { now: 0 };
	const throttle = new Throttle(
		maxRate,
		() => clock.now,
		async (ms) => {
			clock.now += ms;
		},
	);
	return { clock, throttle };
}

describe('throttle', () => {
	it('hands out evenly spaced slots, whatever the concurrency', async () => {
		let clock = 1000;
		const waits: number[] = [];
		const throttle = new Throttle(
			10,
			() => clock,
			async (ms) => {
				waits.push(ms);
			},
		);
		const slots = await Promise.all(Array.from({ length: 5 }, () => throttle.acquire()));
		// At 10/s the burst allowance is one slot (1/6 s): the second request need not wait.
		expect(waits).toEqual([100, 200, 300]);
		expect(slots).toEqual([1000, 1000, 1100, 1200, 1300]);
		clock += 2000;
		waits.length = 0;
		await throttle.acquire();
		expect(waits).toEqual([]);
	});
});

describe('adaptive throttle', () => {
	it('starts at the maximum rate', () => {
		expect(clocked(60).throttle.currentRate).toBe(60);
	});

	it('backs off by 40 % on a 429, once per burst', () => {
		const { clock, throttle } = clocked(60);
		throttle.onThrottled(0);
		expect(throttle.currentRate).toBeCloseTo(36);
		throttle.onThrottled(0);
		clock.now += 500;
		throttle.onThrottled(400);
		expect(throttle.currentRate).toBeCloseTo(36);
		clock.now += 1000;
		throttle.onThrottled(1400);
		expect(throttle.currentRate).toBeCloseTo(21.6);
	});

	it('ignores a 429 for a request sent before the last decrease', () => {
		const { clock, throttle } = clocked(60);
		clock.now = 1000;
		throttle.onThrottled(900);
		clock.now = 5000;
		// Sent at 999, answered late: it was sent at the old rate.
		throttle.onThrottled(999);
		expect(throttle.currentRate).toBeCloseTo(36);
		throttle.onThrottled(4900);
		expect(throttle.currentRate).toBeCloseTo(21.6);
	});

	it('climbs slowly for two seconds after a 429, then by half the maximum per second', async () => {
		const { clock, throttle } = clocked(60);
		throttle.onThrottled(0);
		let slowUntil = 0;
		while (throttle.currentRate < 60) {
			await throttle.acquire();
			throttle.onSuccess();
			if (clock.now <= 2000) slowUntil = throttle.currentRate;
		}
		// From 36/s: +12/s per second for two seconds (about 57/s at 2 s would be +24), then +30/s per second.
		expect(slowUntil).toBeGreaterThan(50);
		expect(slowUntil).toBeLessThan(61);
		expect(clock.now).toBeGreaterThan(1500);
		expect(clock.now).toBeLessThan(2800);
		expect(throttle.currentRate).toBe(60);
	});

	it('makes up slots missed while busy, at most a sixth of a second of them', async () => {
		const { clock, throttle } = clocked(60);
		const waits: number[] = [];
		await throttle.acquire();
		clock.now += 1000; // the node was busy for a second
		for (let n = 0; n < 12; n++) {
			const before = clock.now;
			await throttle.acquire();
			waits.push(clock.now - before);
		}
		// 10 slots (60 / 6) go at once, then the pace is one per 1/60 s again.
		expect(waits.filter((wait) => wait === 0)).toHaveLength(11);
		expect(waits[11]).toBeCloseTo(1000 / 60);
	});

	it('drops the catch-up allowance after a 429', async () => {
		const { clock, throttle } = clocked(60);
		await throttle.acquire();
		clock.now += 1000;
		throttle.onThrottled(clock.now);
		const before = clock.now;
		await throttle.acquire();
		await throttle.acquire();
		expect(clock.now - before).toBeCloseTo(1000 / 36);
	});

	it('never goes below one request per second', () => {
		const { clock, throttle } = clocked(60);
		for (let n = 0; n < 50; n++) {
			throttle.onThrottled(clock.now);
			clock.now += 1000;
		}
		expect(throttle.currentRate).toBe(1);
	});

	it('records when it was last used', async () => {
		const { clock, throttle } = clocked(60);
		clock.now = 7000;
		await throttle.acquire();
		expect(throttle.lastUsedAt).toBe(7000);
		clock.now = 9000;
		throttle.onSuccess();
		expect(throttle.lastUsedAt).toBe(9000);
	});
});

/**
 * The real Throttle in virtual time against a model of Appcues' limit (60/s token bucket, one
 * second deep, 100 ms latency, 429 without Retry-After) and the client's retry rule: requests,
 * 429s and writes are counted, no real time is measured.
 */
describe('throttles that share an account converge', () => {
	const seeds = [1, 2, 3];

	it('one process, two executions sharing its budget: no 429 at all', async () => {
		for (const seed of seeds) {
			const result = await simulate({
				seed,
				executions: [
					{ process: 0, items: 300 },
					{ process: 0, items: 300 },
				],
			});
			expect(result).toMatchObject({ written: 600, lost: 0, writtenTwice: 0, throttled: 0 });
		}
	});

	it('two processes, each its own budget: every item once, few 429s, close to the limit', async () => {
		for (const seed of seeds) {
			const result = await simulate({
				seed,
				executions: [
					{ process: 0, items: 300 },
					{ process: 1, items: 300 },
				],
			});
			expect(result).toMatchObject({ written: 600, lost: 0, writtenTwice: 0 });
			expect(result.throttled / result.requests).toBeLessThan(0.15);
			// 600 writes at 60/s take 10 s less the bucket's first second: at least 50/s.
			expect(result.updatesPerSecond).toBeGreaterThan(50);
		}
	});

	it('three processes: every item once, the 429s stay a minority', async () => {
		for (const seed of seeds) {
			const executions = [0, 1, 2].map((process) => ({ process, items: 300 }));
			const result = await simulate({ seed, executions });
			expect(result).toMatchObject({ written: 900, lost: 0, writtenTwice: 0 });
			expect(result.throttled / result.requests).toBeLessThan(0.3);
			expect(result.updatesPerSecond).toBeGreaterThan(50);
		}
	});

	it('a foreign client taking 30/s: ours keeps close to the other half', async () => {
		for (const seed of seeds) {
			const result = await simulate({
				seed,
				executions: [{ process: 0, items: 300 }],
				foreignRate: 30,
			});
			expect(result).toMatchObject({ written: 300, lost: 0, writtenTwice: 0 });
			expect(result.throttled / result.requests).toBeLessThan(0.1);
			expect(result.updatesPerSecond).toBeGreaterThan(26);
		}
	});

	it('a node capped below the account takes no more than its cap', async () => {
		const result = await simulate({ executions: [{ process: 0, items: 100, nodeRate: 20 }] });
		expect(result).toMatchObject({ written: 100, throttled: 0 });
		// 100 requests at 20/s: 99 intervals of 50 ms, less the catch-up allowance of 3 slots.
		expect(result.spanMs).toBeGreaterThan(4500);
	});
});

describe('throttle', () => {
	const t = useFakeAppcues();

	it('takes every request through the node cap (Max Requests per Second) and the account budget', async () => {
		// The spacing itself is tested with a fake clock in the adaptive throttle tests above; arrival times
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
