/**
 * The fake's events export route over real HTTP.
 */
import { describe, expect, it } from 'vitest';

import { problem, useFake } from '../use-fake';

describe('events export', () => {
	const t = useFake();
	const valid = {
		format: 'csv',
		conditions: [['name', 'like', 'appcues%']],
		start_time: '2023-04-19T00:00:00',
		end_time: '2023-04-19T06:00:00',
		time_zone: '00:00',
		email: 'ops@example.com',
	};

	it('202 job for a valid request, recorded in exports', async () => {
		const response = await t.json('/export/events', valid);
		expect(response.status).toBe(202);
		const { job_id } = (await response.json()) as { job_id: string };
		expect(t.fake.state().exports).toEqual([{ kind: 'events', request: valid, jobId: job_id }]);
		expect(
			(
				await t.json('/export/events', {
					start_time: '2023-04-19',
					end_time: '2023-04-20T00:00:00Z',
					time_zone: 'Europe/Paris',
				})
			).status,
		).toBe(202);
	});

	it('400 naming the bad field', async () => {
		const cases: Array<[Record<string, unknown>, string]> = [
			[{ ...valid, start_time: undefined }, 'start_time is required'],
			[{ ...valid, end_time: 'tomorrow' }, 'end_time must be an ISO 8601 date-time'],
			[{ ...valid, end_time: valid.start_time }, 'end_time must be after start_time'],
			[{ ...valid, format: 'xml' }, 'format must be "csv" or "json"'],
			[
				{ ...valid, conditions: ['name', '==', 'x'] },
				'conditions[0] must be a [field, operator, value] triple',
			],
			[
				{ ...valid, conditions: [['name', '=~', 'x']] },
				'conditions[0]: unknown operator "=~" (use one of ==, !=, in, not in, like, ilike, not like, not ilike)',
			],
			[{ ...valid, conditions: [['name', 'in', 'x']] }, 'conditions[0]: in needs a list value'],
			[
				{ ...valid, conditions: 'name == x' },
				'conditions must be an array of [field, operator, value] triples',
			],
			[
				{ ...valid, time_zone: 'Mars/Olympus' },
				'time_zone must be an offset such as "00:00" or "+02:00", or an IANA time zone name',
			],
			[{ ...valid, email: 42 }, 'email must be an email address'],
			[{ ...valid, limit: -1 }, 'limit must be a non-negative integer'],
			[{ ...valid, since: 'x' }, 'unknown field since'],
		];
		for (const [body, detail] of cases) {
			const response = await t.json('/export/events', body);
			expect([response.status, (await problem(response)).detail]).toEqual([400, detail]);
		}
		expect(t.fake.state().exports).toEqual([]);
	});
});
