import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../../support/helpers';

describe('user resource', () => {
	const t = useFakeAppcues();

	it('trackEvent converts Unix seconds, Unix ms and ISO timestamps, and sends attributes and group_id', async () => {
		const result = await t.run(
			{
				resource: 'user',
				operation: 'trackEvent',
				userId: 'u1',
				eventName: 'report_exported',
				additionalFields: {
					timestamp: '={{ $json.ts }}',
					attributes: '{"format":"csv","rows":10}',
					groupId: 'acme',
				},
			},
			{ items: [{ ts: 1767225600 }, { ts: 1767225600000 }, { ts: '2026-01-01T00:00:00Z' }] },
		);
		expect(result.error).toBeUndefined();
		const bodies = t.fake.apiRequests().map((r) => r.body);
		expect(bodies).toEqual(
			Array(3).fill({
				name: 'report_exported',
				timestamp: '2026-01-01T00:00:00.000Z',
				attributes: { format: 'csv', rows: 10 },
				group_id: 'acme',
			}),
		);
		expect(t.fake.state().groups.get('acme')?.users.has('u1')).toBe(true);
	});

	it('trackEvent defaults the timestamp to now', async () => {
		const before = Date.now();
		await t.run({ resource: 'user', operation: 'trackEvent', userId: 'u1', eventName: 'x' });
		const sent = Date.parse((t.fake.apiRequests()[0].body as { timestamp: string }).timestamp);
		expect(sent).toBeGreaterThanOrEqual(before - 1000);
		expect(sent).toBeLessThanOrEqual(Date.now() + 1000);
	});
});
