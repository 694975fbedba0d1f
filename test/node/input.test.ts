/**
 * Bad input is refused with an error naming the item and the field, never silently changed, and
 * before any request is sent (issue 9, findings 11 to 15).
 */
import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../support/helpers';

const ndjsonText = (body: unknown) => String(body).split('\n').filter(Boolean);

describe('input is refused with a field error, never silently changed', () => {
	const t = useFakeAppcues();

	describe('ids are text or finite numbers (11)', () => {
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

		it('bulk import: an ID Field given as an object by an expression is refused, not read as "[object Object]"', async () => {
			const result = await t.run(
				{
					resource: 'import',
					operation: 'profiles',
					source: 'items',
					idField: '={{ $json.field }}',
				},
				{ items: [{ field: { name: 'id' }, id: 'u1' }] },
			);
			expect(result.error?.message).toBe(
				'User ID Field must be text or a number, not an object [item 0]',
			);
			expect(t.fake.apiRequests()).toHaveLength(0);
		});

		it('bulk import: two object ids are two error rows, never merged into one "[object Object]" user', async () => {
			const items = [
				{ user_id: { id: 'a' }, plan: 'free' },
				{ user_id: { id: 'b' }, plan: 'pro' },
				{ user_id: 'u3', plan: 'pro' },
			];
			const stopped = await t.run(
				{ resource: 'import', operation: 'profiles', source: 'items' },
				{ items },
			);
			expect(stopped.error?.message).toBe(
				'2 of 3 items cannot be imported, so nothing was sent [item 0]',
			);
			expect(stopped.error?.description).toContain(
				'item 0: "user_id" must be text or a number, not {"id":"a"}',
			);
			expect(t.fake.apiRequests()).toHaveLength(0);

			const result = await t.run(
				{ resource: 'import', operation: 'profiles', source: 'items' },
				{ items, continueOnFail: true },
			);
			expect(result.error).toBeUndefined();
			const requests = t.fake.apiRequests();
			expect(requests).toHaveLength(1);
			expect(ndjsonText(requests[0].rawBody)).toEqual(['{"plan":"pro","user_id":"u3"}']);
			expect(requests[0].rawBody).not.toContain('[object Object]');
			expect(t.fake.state().users.has('[object Object]')).toBe(false);
			expect(
				result.items.map((item) => [item.json.reason ?? item.json.rows, item.pairedItem]),
			).toEqual([
				['"user_id" must be text or a number, not {"id":"a"}', { item: 0 }],
				['"user_id" must be text or a number, not {"id":"b"}', { item: 1 }],
				[1, [{ item: 2 }]],
			]);
		});
	});

	describe('timestamps outside 1970-9999 are field errors (12)', () => {
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

		it('Import Events with Continue On Fail: the out-of-range row is an error item and the others go', async () => {
			const items = [
				{ user_id: 'u0', name: 'a', timestamp: 1767225600 },
				{ user_id: 'u1', name: 'b', timestamp: 9000000000000000 },
				{ user_id: 'u2', name: 'c', timestamp: '2026-01-01T00:00:00Z' },
			];
			const result = await t.run(
				{ resource: 'import', operation: 'events', source: 'items' },
				{ items, continueOnFail: true },
			);
			expect(result.error).toBeUndefined();
			const requests = t.fake.apiRequests();
			expect(requests).toHaveLength(1);
			expect(ndjsonText(requests[0].rawBody).map((line) => JSON.parse(line).user_id)).toEqual([
				'u0',
				'u2',
			]);
			expect(
				result.items.map((item) => [item.json.reason ?? item.json.rows, item.pairedItem]),
			).toEqual([
				['"timestamp" is not a valid timestamp: 9000000000000000', { item: 1 }],
				[2, [{ item: 0 }, { item: 2 }]],
			]);
		});
	});

	describe('import rows hold the ID column once (13)', () => {
		it.each([
			['profiles', 'user_id'],
			['groups', 'group_id'],
		])('%s: the ID Field wins over an item field named %s', async (operation, column) => {
			const result = await t.run(
				{ resource: 'import', operation, source: 'items', idField: 'id' },
				{ items: [{ id: 'chosen', [column]: 'stale', plan: 'pro' }] },
			);
			expect(result.error).toBeUndefined();
			const [line] = ndjsonText(t.fake.apiRequests()[0].rawBody);
			expect(line).toBe(`{"plan":"pro","${column}":"chosen"}`);
		});

		it('also when the other key is among the Selected Fields', async () => {
			await t.run(
				{
					resource: 'import',
					operation: 'profiles',
					source: 'items',
					idField: 'id',
					propertiesToSend: 'selected',
					propertyFields: 'user_id, plan',
				},
				{ items: [{ id: 'chosen', user_id: 'stale', plan: 'pro' }] },
			);
			expect(ndjsonText(t.fake.apiRequests()[0].rawBody)).toEqual([
				'{"plan":"pro","user_id":"chosen"}',
			]);
		});
	});

	describe('every item is checked before the first request (14)', () => {
		const items = Array.from({ length: 20 }, (_, n) => ({ id: `u${n}` }));
		const parameters = {
			resource: 'user',
			operation: 'updateProfile',
			userId: '={{ $json.id }}',
			propertiesInput: 'json',
			propertiesJson: '{"plan":"pro"}',
		};

		it('an empty id at item 15 means nothing is sent, and the error names item 15', async () => {
			const input = items.map((item, n) => (n === 15 ? { id: '' } : item));
			const result = await t.run(parameters, { items: input });
			expect(result.error?.message).toBe('User ID is empty [item 15]');
			expect(result.error?.context?.itemIndex).toBe(15);
			expect(t.fake.apiRequests()).toHaveLength(0);
			expect(t.fake.state().users.size).toBe(0);
		});

		it('several bad items: the error lists all of them', async () => {
			const input = items.map((item, n) =>
				n === 15 ? { id: '' } : n === 17 ? { id: { nested: 1 } } : item,
			);
			const result = await t.run(parameters, { items: input });
			expect(result.error?.message).toBe('User ID is empty [item 15]');
			expect(result.error?.description).toContain(
				'2 of 20 items have invalid parameters, so nothing was sent: User ID is empty [item 15]; User ID must be text or a number, not an object [item 17].',
			);
			expect(t.fake.apiRequests()).toHaveLength(0);
		});

		it('a bad expression in a later item stops the node before the first request too', async () => {
			const result = await t.run(
				{ ...parameters, propertiesJson: '={{ $json.props }}' },
				{
					items: items.map((item, n) => ({
						...item,
						props: n === 12 ? '{not json' : { plan: 'pro' },
					})),
				},
			);
			expect(result.error?.message).toBe('Properties is not valid JSON [item 12]');
			expect(t.fake.apiRequests()).toHaveLength(0);
		});

		it('with Continue On Fail the bad item is an error item in its place and the good ones are sent', async () => {
			const input = items.map((item, n) => (n === 15 ? { id: '' } : item));
			const result = await t.run(parameters, { items: input, continueOnFail: true });
			expect(result.error).toBeUndefined();
			expect(t.fake.apiRequests()).toHaveLength(19);
			expect(t.fake.apiRequests({ pathIncludes: '/users//' })).toHaveLength(0);
			expect(result.items).toHaveLength(20);
			expect(result.items.map((item) => item.pairedItem)).toEqual(
				input.map((_, item) => ({ item })),
			);
			expect(result.items[15].json).toMatchObject({ error: 'User ID is empty [item 15]' });
			expect(result.items[16].json).toMatchObject({ user_id: 'u16' });
		});

		it('segment membership from CSV files: a missing file at item 2 stops the node before the first upload', async () => {
			const file = {
				data: {
					data: Buffer.from('user_id\nu1\n').toString('base64'),
					mimeType: 'text/csv',
					fileName: 'ids.csv',
				},
			};
			const result = await t.run(
				{
					resource: 'segment',
					operation: 'addUsers',
					segmentId: { __rl: true, mode: 'id', value: 's1' },
					source: 'binary',
				},
				{ items: [{ json: {}, binary: file }, { json: {}, binary: file }, { json: {} }] as never },
			);
			expect(result.error?.context?.itemIndex).toBe(2);
			expect(t.fake.apiRequests()).toHaveLength(0);
		});
	});

	describe('Options set by expressions are checked before any request (15)', () => {
		it.each([
			[
				{ requestsPerSecond: '={{ 0 }}' },
				'Options: Max Requests per Second must be a number from 0.1 to 60, not 0',
			],
			[
				{ requestsPerSecond: '={{ 1000 }}' },
				'Options: Max Requests per Second must be a number from 0.1 to 60, not 1000',
			],
			[
				{ requestsPerSecond: '={{ "fast" }}' },
				'Options: Max Requests per Second must be a number from 0.1 to 60, not "fast"',
			],
			[
				{ maxConcurrency: '={{ 0 }}' },
				'Options: Max Concurrent Requests must be a whole number from 1 to 50, not 0',
			],
			[
				{ maxConcurrency: '={{ 51 }}' },
				'Options: Max Concurrent Requests must be a whole number from 1 to 50, not 51',
			],
			[
				{ maxConcurrency: '={{ 2.5 }}' },
				'Options: Max Concurrent Requests must be a whole number from 1 to 50, not 2.5',
			],
			[
				{ maxRetries: '={{ -1 }}' },
				'Options: Max Retries must be a whole number from 0 to 20, not -1',
			],
			[
				{ maxRetryWaitSeconds: '={{ 1e9 }}' },
				'Options: Max Retry Wait (Seconds) must be a number from 0 to 600, not 1000000000',
			],
			[
				{ timeoutSeconds: '={{ 0 }}' },
				'Options: Request Timeout (Seconds) must be a number from 1 to 600, not 0',
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
				'Options: Max Requests per Second must be a number from 0.1 to 60, not 0',
			);
			expect(t.fake.apiRequests()).toHaveLength(0);
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
