/**
 * Bad input is refused with an error naming the item and the field, never silently changed, and
 * before any request is sent.
 */
import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../support/helpers';
import { idList, parseTimestampMs, scalarText } from '../../../../nodes/Appcues/helpers/input';

describe('input is refused with a field error, never silently changed', () => {
	const t = useFakeAppcues();

	describe('ids are text or finite numbers', () => {
		it.each([
			[
				'an object',
				{ user: { id: 'u1' } },
				'User ID must be text or a number, not an object [item 0]',
			],
			['a list', { user: ['u1', 'u2'] }, 'User ID must be text or a number, not a list [item 0]'],
			['a boolean', { user: true }, 'User ID must be text or a number, not a boolean [item 0]'],
		])('%s as User ID is a field error and nothing is requested', async (_label, json, message) => {
			const result = await t.run(
				{ resource: 'user', operation: 'getProfile', userId: '={{ $json.user }}' },
				{ items: [json] },
			);
			expect(result.error?.message).toBe(message);
			expect(result.error?.name).toBe('NodeOperationError');
			expect(result.error?.context?.itemIndex).toBe(0);
			expect(t.fake.apiRequests({ pathIncludes: 'object' })).toEqual([]);
			expect(t.fake.apiRequests()).toHaveLength(0);
		});

		it('NaN and Infinity are refused as ids', async () => {
			for (const expression of ['={{ 0 / 0 }}', '={{ 1 / 0 }}']) {
				const result = await t.run({
					resource: 'group',
					operation: 'getProfile',
					groupId: expression,
				});
				expect(result.error?.message).toMatch(
					/^Group ID must be text or a number, not (NaN|Infinity) \[item 0\]$/,
				);
			}
			expect(t.fake.apiRequests()).toHaveLength(0);
		});

		it('a number id is sent as its digits', async () => {
			t.fake.state().users.set('42', { properties: { plan: 'pro' }, events: [] });
			const result = await t.run({
				resource: 'user',
				operation: 'getProfile',
				userId: '={{ 42 }}',
			});
			expect(result.error).toBeUndefined();
			expect(t.fake.apiRequests().map((request) => request.rawPath)).toEqual([
				'/v2/accounts/12345/users/42/profile',
			]);
		});

		it('with Continue On Fail the object id is an error item and the other items are sent', async () => {
			const result = await t.run(
				{ resource: 'user', operation: 'getProfile', userId: '={{ $json.user }}' },
				{ items: [{ user: 'u1' }, { user: { id: 'u2' } }], continueOnFail: true },
			);
			expect(result.error).toBeUndefined();
			expect(t.fake.apiRequests().map((request) => request.rawPath)).toEqual([
				'/v2/accounts/12345/users/u1/profile',
			]);
			expect(result.items[1]).toMatchObject({
				json: { error: 'User ID must be text or a number, not an object [item 1]' },
				pairedItem: { item: 1 },
			});
		});

		it('an object in a list of user IDs is refused, not sent as "[object Object]"', async () => {
			const result = await t.run(
				{ resource: 'group', operation: 'addUsers', groupId: 'acme', userIds: '={{ $json.ids }}' },
				{ items: [{ ids: ['u1', { id: 'u2' }] }] },
			);
			expect(result.error?.message).toBe(
				'User IDs: an entry must be text or a number, not an object [item 0]',
			);
			expect(t.fake.apiRequests()).toHaveLength(0);
		});

		it('segment membership: an object among the user IDs stops the node before any request', async () => {
			const result = await t.run(
				{
					resource: 'segment',
					operation: 'addUsers',
					segmentId: { __rl: true, mode: 'id', value: 's1' },
					userIds: '={{ $json.ids }}',
				},
				{ items: [{ ids: ['u1'] }, { ids: [{ id: 'u2' }] }] },
			);
			expect(result.error?.message).toBe(
				'User IDs: an entry must be text or a number, not an object [item 1]',
			);
			expect(t.fake.apiRequests()).toHaveLength(0);
		});
	});

	describe('timestamps outside 1970-9999 are field errors', () => {
		it('Track Event: 9000000000000000 is "not a valid timestamp", not a bare RangeError', async () => {
			const result = await t.run({
				resource: 'user',
				operation: 'trackEvent',
				userId: 'u1',
				eventName: 'x',
				additionalFields: { timestamp: '={{ 9000000000000000 }}' },
			});
			expect(result.error?.message).toBe('Timestamp is not a valid timestamp [item 0]');
			expect(result.error?.name).toBe('NodeOperationError');
			expect(result.error?.description).toContain('from the year 1970 to 9999');
			expect(t.fake.apiRequests()).toHaveLength(0);
		});

		it('Track Event: a number that is a time both in seconds and in milliseconds is refused', async () => {
			const result = await t.run({
				resource: 'user',
				operation: 'trackEvent',
				userId: 'u1',
				eventName: 'x',
				additionalFields: { timestamp: '={{ 63072000000 }}' },
			});
			expect(result.error?.message).toBe(
				'Timestamp is ambiguous as Unix time: 63072000000 is 3968-09-03 in seconds or ' +
					'1972-01-01 in milliseconds (give ISO 8601, e.g. 2026-01-31T12:00:00Z) [item 0]',
			);
			expect(t.fake.apiRequests()).toHaveLength(0);
		});

		it('Track Event: a year before 1970 is refused too', async () => {
			const result = await t.run({
				resource: 'user',
				operation: 'trackEvent',
				userId: 'u1',
				eventName: 'x',
				additionalFields: { timestamp: '1969-12-31T23:59:59Z' },
			});
			expect(result.error?.message).toBe('Timestamp is not a valid timestamp [item 0]');
			expect(t.fake.apiRequests()).toHaveLength(0);
		});
	});
});

describe('timestamps', () => {
	const iso = Date.parse('2026-01-01T00:00:00Z');
	it.each([
		[1767225600, iso],
		['1767225600', iso],
		[1767225600000, iso],
		['1767225600000', iso],
		['2026-01-01T00:00:00Z', iso],
		['2026-01-01T01:00:00+01:00', iso],
		['2026-01-01', iso],
		[new Date(iso), iso],
	])('%j', (input, expected) => {
		expect(parseTimestampMs(input)).toBe(expected);
	});
	it.each(['yesterday', '01/02/2026', '', -5, Number.NaN, {}, '2026-13-45T99:00:00Z'])(
		'rejects %j',
		(input) => {
			expect(parseTimestampMs(input)).toBeUndefined();
		},
	);
});

describe('timestamp range: the years 1970 to 9999', () => {
	it.each([0, '1970-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', 253402300799999])(
		'accepts %j',
		(input) => {
			expect(parseTimestampMs(input)).toEqual(expect.any(Number));
		},
	);
	it('takes seconds up to 2286 and milliseconds from 1973; refuses what lies between', () => {
		expect(new Date(parseTimestampMs(9_999_999_999)!).toISOString()).toBe(
			'2286-11-20T17:46:39.000Z',
		);
		expect(new Date(parseTimestampMs(1e11)!).toISOString()).toBe('1973-03-03T09:46:40.000Z');
		for (const between of [1e10, 63072000000, '99999999999', 1e11 - 1])
			expect(parseTimestampMs(between)).toBeUndefined();
	});
	it.each([
		9000000000000000,
		'9000000000000000',
		253402300800000,
		'1969-12-31T23:59:59Z',
		new Date(-1),
		Number.MAX_VALUE,
	])('rejects %j', (input) => {
		expect(parseTimestampMs(input)).toBeUndefined();
	});
});

describe('scalar text', () => {
	it('takes strings and finite numbers only', () => {
		expect(scalarText(' u1 ')).toBe('u1');
		expect(scalarText(42)).toBe('42');
		for (const value of [
			{},
			[],
			['a'],
			true,
			false,
			Number.NaN,
			Number.POSITIVE_INFINITY,
			null,
			undefined,
		]) {
			expect(scalarText(value)).toBeUndefined();
		}
	});
});

describe('id lists', () => {
	it('refuses entries that are not text or numbers, never writing "[object Object]"', () => {
		for (const value of [{ id: 1 }, [{ id: 1 }], ['a', ['b']], [true], Number.NaN]) {
			expect(() => idList(value)).toThrow(/^Not an ID: /);
		}
		const refused: unknown[] = [];
		expect(() =>
			idList(['a', { id: 'b' }], (entry) => {
				refused.push(entry);
				throw new Error('refused');
			}),
		).toThrow('refused');
		expect(refused).toEqual([{ id: 'b' }]);
	});

	it('splits text and keeps arrays', () => {
		expect(idList('a, b;c\n d\r\n')).toEqual(['a', 'b;c', 'd']);
		expect(idList('x\ry\tz')).toEqual(['x\ry\tz']);
		expect(idList('a, b;c\n d', undefined, 'newLine')).toEqual(['a, b;c', 'd']);
		expect(idList('a, b\nc', undefined, 'none')).toEqual(['a, b\nc']);
		expect(idList(['a,b', 'c\nd'], undefined, 'commaOrNewLine')).toEqual(['a,b', 'c\nd']);
		expect(idList(['a', ' b ', '', null, 5])).toEqual(['a', 'b', '5']);
		expect(idList(undefined)).toEqual([]);
	});
});
