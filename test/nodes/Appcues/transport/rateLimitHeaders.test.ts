import { describe, expect, it } from 'vitest';

import { readRateLimitHeaders } from '../../../../nodes/Appcues/transport/rateLimitHeaders';

const NOW = 1_755_749_990_000;

describe('rate-limit headers', () => {
	it('reads the headers Appcues sends on its analytics routes (as its CLI reads them)', () => {
		expect(
			readRateLimitHeaders(
				{
					'x-ratelimit-limit': '60',
					'x-ratelimit-remaining': '41',
					'x-ratelimit-reset': '1755750000',
					'x-concurrency-limit': '2',
					'x-concurrency-used': '1',
					'retry-after': '1',
				},
				NOW,
			),
		).toEqual({
			limit: 60,
			remaining: 41,
			resetAt: 1_755_750_000_000,
			retryAfterMs: 1000,
			concurrencyLimit: 2,
			concurrencyUsed: 1,
		});
	});

	it('reads a small Reset as seconds from now', () => {
		expect(readRateLimitHeaders({ 'x-ratelimit-reset': '2' }, NOW)?.resetAt).toBe(NOW + 2000);
	});

	it('ignores a Reset more than an hour away: in milliseconds, or simply wrong', () => {
		for (const reset of [
			String(NOW + 1000),
			String(NOW / 1000 + 7200),
			String(NOW / 1000 - 7200),
		]) {
			const read = readRateLimitHeaders(
				{ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
				NOW,
			);
			expect(read).toMatchObject({ remaining: 0 });
			expect(read?.resetAt).toBeUndefined();
		}
		expect(
			readRateLimitHeaders({ 'x-ratelimit-reset': String(NOW / 1000 + 3600) }, NOW)?.resetAt,
		).toBe(NOW + 3_600_000);
	});

	it('none of them (the other routes), or Retry-After alone: nothing about the budget', () => {
		expect(readRateLimitHeaders({ 'content-type': 'application/json' }, NOW)).toBeUndefined();
		expect(readRateLimitHeaders({ 'retry-after': '3' }, NOW)).toBeUndefined();
		expect(readRateLimitHeaders(undefined, NOW)).toBeUndefined();
	});

	it('ignores values that are not whole numbers', () => {
		expect(
			readRateLimitHeaders(
				{ 'x-ratelimit-limit': '-5', 'x-ratelimit-remaining': 'lots', 'x-concurrency-limit': '2' },
				NOW,
			),
		).toMatchObject({ limit: undefined, remaining: undefined, concurrencyLimit: 2 });
	});
});
