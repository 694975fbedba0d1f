/**
 * Bad input is refused with an error naming the item and the field, never silently changed, and
 * before any request is sent.
 */
import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../support/helpers';
import { DEFAULT_CONCURRENCY, optionsField } from '../../../../nodes/Appcues/actions/options';
import { MAX_BODY_BYTES, MB } from '../../../../nodes/Appcues/helpers/files';
import { DEFAULT_CLIENT_SETTINGS } from '../../../../nodes/Appcues/transport/client';

describe('input is refused with a field error, never silently changed', () => {
	const t = useFakeAppcues();

	describe('Options set by expressions are checked before any request', () => {
		it.each([
			[
				{ requestsPerSecond: '={{ 0 }}' },
				'Options: Max Requests per Second must be a number from 0.1 to 60, not 0 [item 0]',
			],
			[
				{ requestsPerSecond: '={{ 1000 }}' },
				'Options: Max Requests per Second must be a number from 0.1 to 60, not 1000 [item 0]',
			],
			[
				{ requestsPerSecond: '={{ "fast" }}' },
				'Options: Max Requests per Second must be a number from 0.1 to 60, not "fast" [item 0]',
			],
			[
				{ maxConcurrency: '={{ 0 }}' },
				'Options: Max Concurrent Requests must be a whole number from 1 to 50, not 0 [item 0]',
			],
			[
				{ maxConcurrency: '={{ 51 }}' },
				'Options: Max Concurrent Requests must be a whole number from 1 to 50, not 51 [item 0]',
			],
			[
				{ maxConcurrency: '={{ 2.5 }}' },
				'Options: Max Concurrent Requests must be a whole number from 1 to 50, not 2.5 [item 0]',
			],
			[
				{ maxRetries: '={{ -1 }}' },
				'Options: Max Retries must be a whole number from 0 to 20, not -1 [item 0]',
			],
			[
				{ maxRetryWaitSeconds: '={{ 1e9 }}' },
				'Options: Max Retry Wait (Seconds) must be a number from 0 to 600, not 1000000000 [item 0]',
			],
			[
				{ timeoutSeconds: '={{ 0 }}' },
				'Options: Request Timeout (Seconds) must be a number from 1 to 600, not 0 [item 0]',
			],
		])('%j', async (options, message) => {
			const result = await t.run({
				resource: 'user',
				operation: 'getProfile',
				userId: 'u1',
				options,
			});
			expect(result.error?.message).toBe(message);
			expect(result.error?.name).toBe('NodeOperationError');
			expect(t.fake.apiRequests()).toHaveLength(0);
		});

		it('batch operations too: an import with 0 requests per second sends nothing', async () => {
			const result = await t.run(
				{
					resource: 'import',
					operation: 'profiles',
					source: 'items',
					options: { requestsPerSecond: '={{ $json.rate }}' },
				},
				{ items: [{ user_id: 'u1', rate: 0 }] },
			);
			expect(result.error?.message).toBe(
				'Options: Max Requests per Second must be a number from 0.1 to 60, not 0 [item 0]',
			);
			expect(t.fake.apiRequests()).toHaveLength(0);
		});

		it.each([
			['={{ NaN }}', 'must be a number from 0.001 to 20, not NaN'],
			['={{ "big" }}', 'must be a number from 0.001 to 20, not "big"'],
			['={{ "" }}', 'is empty'],
			['={{ 0 }}', 'must be a number from 0.001 to 20, not 0'],
			['={{ 25 }}', 'must be a number from 0.001 to 20, not 25'],
		])('Max Request Size (MB) %s is refused before any import request', async (size, problem) => {
			const result = await t.run(
				{
					resource: 'import',
					operation: 'profiles',
					source: 'items',
					options: { maxRequestSizeMb: size },
				},
				{ items: [{ user_id: 'u1' }] },
			);
			expect(result.error?.message).toBe(`Options: Max Request Size (MB) ${problem} [item 0]`);
			expect(t.fake.apiRequests()).toHaveLength(0);
		});

		it('a fractional Max Request Size (MB) is whole bytes: 0.0015 MB splits at 1,500 bytes', async () => {
			const items = Array.from({ length: 40 }, (_, n) => ({
				user_id: `user-${n}`,
				note: 'x'.repeat(50),
			}));
			const result = await t.run(
				{
					resource: 'import',
					operation: 'profiles',
					source: 'items',
					options: { maxRequestSizeMb: '={{ "0.0015" }}' },
				},
				{ items },
			);
			expect(result.error).toBeUndefined();
			const sizes = t.fake.apiRequests().map((request) => request.bytes);
			expect(sizes.length).toBeGreaterThan(1);
			expect(Math.max(...sizes)).toBeLessThanOrEqual(1500);
			expect(Math.max(...sizes)).toBeGreaterThan(1400);
		});

		it('numbers as digits from an expression are taken', async () => {
			t.fake.state().users.set('u1', { properties: {}, events: [] });
			const result = await t.run({
				resource: 'user',
				operation: 'getProfile',
				userId: 'u1',
				options: { requestsPerSecond: '={{ "30" }}', maxConcurrency: '={{ 5 }}' },
			});
			expect(result.error).toBeUndefined();
			expect(t.fake.apiRequests()).toHaveLength(1);
		});
	});
});

describe('options', () => {
	it('UI defaults match the transport defaults', () => {
		const defaults = Object.fromEntries(
			(optionsField.options ?? []).map((option) => [
				option.name,
				(option as { default: unknown }).default,
			]),
		);
		expect(defaults).toEqual({
			maxConcurrency: DEFAULT_CONCURRENCY,
			maxRequestSizeMb: MAX_BODY_BYTES / MB,
			requestsPerSecond: DEFAULT_CLIENT_SETTINGS.requestsPerSecond,
			maxRetries: DEFAULT_CLIENT_SETTINGS.maxRetries,
			maxRetryWaitSeconds: DEFAULT_CLIENT_SETTINGS.maxWaitMs / 1000,
			timeoutSeconds: DEFAULT_CLIENT_SETTINGS.timeoutMs / 1000,
		});
	});
});
