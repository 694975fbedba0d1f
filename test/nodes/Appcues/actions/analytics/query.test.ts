import { describe, expect, it } from 'vitest';

import { ANALYTICS_SPEC } from '../../../../support/fixtures';
import { useFakeAppcues } from '../../../../support/helpers';

describe('analytics', () => {
	const t = useFakeAppcues({ jobPollsToFinish: 0 });
	const spec = ANALYTICS_SPEC;

	it('query returns one item per row', async () => {
		t.fake.configure({ analyticsRows: 3 });
		const result = await t.run({ resource: 'analytics', operation: 'query', query: spec });
		expect(result.error).toBeUndefined();
		expect(t.fake.apiRequests()[0]).toMatchObject({
			method: 'POST',
			rawPath: '/v2/accounts/12345/analytics/query',
			body: JSON.parse(spec),
		});
		expect(result.items).toHaveLength(3);
		expect(result.hints).toEqual([]);
	});

	it('query warns in the output when Appcues cut the result at 1,000 rows', async () => {
		t.fake.configure({ analyticsRows: 1500 });
		const result = await t.run({ resource: 'analytics', operation: 'query', query: spec });
		expect(result.items).toHaveLength(1000);
		expect(result.hints).toEqual([
			{
				message:
					'Appcues cut the result of item 0 at 1,000 rows. Narrow the query, page with limit and offset, or use the Export operation for all rows.',
				location: 'outputPane',
			},
		]);
	});

	it('query refuses a spec without start_time before sending', async () => {
		const result = await t.run({
			resource: 'analytics',
			operation: 'query',
			query: '{"metrics":["users"],"end_time":"2026-01-02"}',
		});
		expect(result.error?.message).toBe('Query (JSON) has no "start_time" [item 0]');
		expect(t.fake.apiRequests()).toHaveLength(0);
	});
	it('rows that are not objects are kept, each as { value }', async () => {
		t.fake.addFault({
			kind: 'status',
			status: 200,
			pathIncludes: 'analytics/query',
			body: JSON.stringify({ rows: [['flow_started', 12], 'x', 7, { events: 3 }] }),
		});
		const result = await t.run({
			resource: 'analytics',
			operation: 'query',
			query: ANALYTICS_SPEC,
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json)).toEqual([
			{ value: ['flow_started', 12] },
			{ value: 'x' },
			{ value: 7 },
			{ events: 3 },
		]);
	});
});
