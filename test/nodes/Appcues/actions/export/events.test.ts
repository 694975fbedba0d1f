import { describe, expect, it } from 'vitest';

import { useFakeAppcues, useVirtualPollWaits } from '../../../../support/helpers';

describe('export events', () => {
	const t = useFakeAppcues({ jobPollsToFinish: 0 });
	useVirtualPollWaits();

	it('sends format, conditions, times, time zone and email', async () => {
		const result = await t.run({
			resource: 'export',
			operation: 'events',
			startTime: '2026-04-19T00:00:00',
			endTime: '2026-04-19T06:00:00',
			format: 'csv',
			conditions: '[["name","like","appcues%"]]',
			timeZone: '00:00',
			email: 'ops@example.com',
			waitForCompletion: true,
		});
		expect(result.error).toBeUndefined();
		expect(t.fake.apiRequests()[0]).toMatchObject({
			method: 'POST',
			rawPath: '/v2/accounts/12345/export/events',
			body: {
				format: 'csv',
				start_time: '2026-04-19T00:00:00',
				end_time: '2026-04-19T06:00:00',
				conditions: [['name', 'like', 'appcues%']],
				time_zone: '00:00',
				email: 'ops@example.com',
			},
		});
		expect(result.items[0].json.status).toBe('complete');
	});

	it('refuses bad dates and conditions before sending', async () => {
		const badDate = await t.run({
			resource: 'export',
			operation: 'events',
			startTime: 'last week',
			endTime: '2026-01-02',
		});
		expect(badDate.error?.message).toBe('Start Time is not a valid date [item 0]');
		const badConditions = await t.run({
			resource: 'export',
			operation: 'events',
			startTime: '2026-01-01',
			endTime: '2026-01-02',
			conditions: '{"name":1}',
		});
		expect(badConditions.error?.message).toBe('Conditions (JSON) must be a JSON array [item 0]');
		expect(t.fake.apiRequests()).toHaveLength(0);
	});
});
