import { describe, expect, it } from 'vitest';
import type { IDataObject } from 'n8n-workflow';

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

	describe('dates are refused unless they read back the same and name their zone', () => {
		it.each([
			['2026-02-30T10:00:00Z', 'Timestamp is not a real date and time [item 0]'],
			['2026-04-31', 'Timestamp is not a real date and time [item 0]'],
			['2026-01-31T24:00:00Z', 'Timestamp is not a real date and time [item 0]'],
			[
				'2026-01-31T12:00:00',
				'Timestamp has no time zone (add Z for UTC or an offset such as +02:00) [item 0]',
			],
			[
				'2026-01-31 12:00',
				'Timestamp has no time zone (add Z for UTC or an offset such as +02:00) [item 0]',
			],
		])('%s is refused before any request', async (timestamp, message) => {
			const result = await t.run({
				resource: 'user',
				operation: 'trackEvent',
				userId: 'u1',
				eventName: 'x',
				additionalFields: { timestamp },
			});
			expect(result.error?.message).toBe(message);
			expect(t.fake.apiRequests()).toHaveLength(0);
		});

		it('an offset, a leap day and a date alone (midnight UTC) are sent as the instant they name', async () => {
			const result = await t.run(
				{
					resource: 'user',
					operation: 'trackEvent',
					userId: 'u1',
					eventName: 'x',
					additionalFields: { timestamp: '={{ $json.ts }}' },
				},
				{
					items: [
						{ ts: '2026-01-31T14:00:00+02:00' },
						{ ts: '2028-02-29T23:30:00-0130' },
						{ ts: '2026-01-31' },
					],
				},
			);
			expect(result.error).toBeUndefined();
			expect(
				t.fake.apiRequests().map((request) => (request.body as IDataObject).timestamp),
			).toEqual([
				'2026-01-31T12:00:00.000Z',
				'2028-03-01T01:00:00.000Z',
				'2026-01-31T00:00:00.000Z',
			]);
		});
	});
});
