import type { IDataObject } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { joinRows } from '../../../../../nodes/Appcues/actions/analytics/comparePeriods.operation';
import type { FakeAppcues } from '../../../../fake-appcues/server';
import { localServer } from '../../../../support/fixtures';
import { credentialsFor, useFakeAppcues } from '../../../../support/helpers';

const DAY = 86_400_000;

function track(fake: FakeAppcues, userId: string, name: string, daysAgo: number) {
	const users = fake.state().users;
	const record = users.get(userId) ?? { properties: {}, events: [] };
	record.events.push({ name, timestamp: new Date(Date.now() - daysAgo * DAY).toISOString() });
	users.set(userId, record);
}

describe('analytics: compare periods', () => {
	const t = useFakeAppcues();
	const spec = {
		metrics: ['events', 'users'],
		dimensions: ['name'],
		conditions: [
			['name', 'in', ['appcues:step_error', 'appcues:flow_completed', 'appcues:nps_score']],
		],
		start_time: '2020-01-01',
		end_time: '2020-01-02',
		timezone: 'UTC',
	};
	const compare = (query: unknown, days: number | string = 7) =>
		t.run({
			resource: 'analytics',
			operation: 'comparePeriods',
			query: typeof query === 'string' ? query : JSON.stringify(query),
			days,
		});

	it('runs the query for both periods (only start_time and end_time replaced) and joins the rows per dimension value', async () => {
		// Now: 3 step errors by 2 users, 2 completions. Before: 2 step errors, 1 NPS score.
		track(t.fake, 'ada', 'appcues:step_error', 1);
		track(t.fake, 'ada', 'appcues:step_error', 2);
		track(t.fake, 'bob', 'appcues:step_error', 3);
		track(t.fake, 'ada', 'appcues:flow_completed', 1);
		track(t.fake, 'bob', 'appcues:flow_completed', 1);
		track(t.fake, 'ada', 'appcues:step_error', 8);
		track(t.fake, 'bob', 'appcues:step_error', 9);
		track(t.fake, 'cy', 'appcues:nps_score', 10);
		const result = await compare(spec, 7);
		expect(result.error).toBeUndefined();

		const calls = t.fake.apiRequests();
		expect(calls.map((call) => `${call.method} ${call.rawPath} ${call.status}`)).toEqual([
			'POST /v2/accounts/12345/analytics/query 200',
			'POST /v2/accounts/12345/analytics/query 200',
		]);
		const [current, previous] = calls.map((call) => call.body as IDataObject);
		const { start_time: _s, end_time: _e, ...rest } = spec;
		expect(current).toEqual({
			...rest,
			start_time: expect.any(String),
			end_time: expect.any(String),
		});
		expect(previous).toEqual({
			...rest,
			start_time: expect.any(String),
			end_time: current.start_time,
		});
		expect(Date.parse(String(current.end_time)) - Date.parse(String(current.start_time))).toBe(
			7 * DAY,
		);
		expect(Date.parse(String(previous.end_time)) - Date.parse(String(previous.start_time))).toBe(
			7 * DAY,
		);

		const period = { start_time: current.start_time, end_time: current.end_time };
		const previousPeriod = { start_time: previous.start_time, end_time: previous.end_time };
		expect(result.items.map((item) => item.json)).toEqual([
			{
				name: 'appcues:step_error',
				current: { events: 3, users: 2 },
				previous: { events: 2, users: 2 },
				deltas: { events_pct: 50, users_pct: 0 },
				period,
				previous_period: previousPeriod,
			},
			{
				name: 'appcues:flow_completed',
				current: { events: 2, users: 2 },
				previous: { events: 0, users: 0 },
				deltas: { events_pct: null, users_pct: null },
				period,
				previous_period: previousPeriod,
			},
			{
				name: 'appcues:nps_score',
				current: { events: 0, users: 0 },
				previous: { events: 1, users: 1 },
				deltas: { events_pct: -100, users_pct: -100 },
				period,
				previous_period: previousPeriod,
			},
		]);
	});

	it('gives the CLI test figures exactly (tests/analytics.rs, compare_runs_spec_for_both_windows…)', async () => {
		let posts = 0;
		const api = await localServer((req, res) => {
			req.resume();
			req.on('end', () => {
				posts++;
				res.setHeader('Content-Type', 'application/json');
				res.end(
					JSON.stringify(
						posts === 1
							? [
									{ name: 'appcues:step_error', events: 30, users: 12 },
									{ name: 'appcues:flow_started', events: 200, users: 150 },
								]
							: [
									{ name: 'appcues:step_error', events: 20, users: 10 },
									{ name: 'appcues:nps_score', events: 5, users: 5 },
								],
					),
				);
			});
		});
		try {
			const result = await t.run(
				{
					resource: 'analytics',
					operation: 'comparePeriods',
					query: JSON.stringify(spec),
					days: 7,
				},
				{ credentials: { ...credentialsFor(t.fake), baseUrl: api.url } },
			);
			const rows = result.items.map((item) => item.json);
			expect(rows.map((row) => [row.name, row.current, row.previous, row.deltas])).toEqual([
				[
					'appcues:flow_started',
					{ events: 200, users: 150 },
					{ events: 0, users: 0 },
					{ events_pct: null, users_pct: null },
				],
				[
					'appcues:step_error',
					{ events: 30, users: 12 },
					{ events: 20, users: 10 },
					{ events_pct: 50, users_pct: 20 },
				],
				[
					'appcues:nps_score',
					{ events: 0, users: 0 },
					{ events: 5, users: 5 },
					{ events_pct: -100, users_pct: -100 },
				],
			]);
		} finally {
			await api.close();
		}
	});

	it('refuses a raw columns query, as the CLI does, before any request', async () => {
		const result = await compare({
			columns: ['timestamp', 'user_id'],
			start_time: '2020-01-01',
			end_time: '2020-01-02',
		});
		expect(result.error?.message).toBe(
			'Query (JSON) needs a non-empty "metrics" array to compare (a raw "columns" query has nothing to compare) [item 0]',
		);
		const empty = await compare({ metrics: [1, null], dimensions: ['name'] });
		expect(empty.error?.message).toContain('needs a non-empty "metrics" array');
		const notJson = await compare('{"metrics": ["events"');
		expect(notJson.error?.message).toMatch(/^Query \(JSON\)/);
		expect(t.fake.apiRequests()).toHaveLength(0);
	});

	it('Days is checked before any request', async () => {
		const result = await compare({ metrics: ['events'] }, 120);
		expect(result.error?.message).toBe(
			'Days must be a whole number from 1 to 90, not 120 [item 0]',
		);
		expect(t.fake.apiRequests()).toHaveLength(0);
	});
});

describe('the join, as the CLI (analytics.rs, join_rows)', () => {
	it('every key that is not a metric is a dimension; a repeated row replaces the earlier one; ties keep the order of the dimension values', () => {
		const rows = joinRows(
			[
				{ day: '2026-08-02', name: 'b', events: 7 },
				{ name: 'a', day: '2026-08-01', events: 5 },
				{ day: '2026-08-01', name: 'a', events: 7 },
				{ day: '2026-08-03', name: 'c', events: 'x', users: null },
			],
			[{ name: 'a', day: '2026-08-01', events: 2 }],
			['events', 'users'],
		);
		expect(rows).toEqual([
			{
				day: '2026-08-01',
				name: 'a',
				current: { events: 7, users: 0 },
				previous: { events: 2, users: 0 },
				deltas: { events_pct: 250, users_pct: null },
			},
			{
				day: '2026-08-02',
				name: 'b',
				current: { events: 7, users: 0 },
				previous: { events: 0, users: 0 },
				deltas: { events_pct: null, users_pct: null },
			},
			// A non-numeric current value sorts as 0 and is kept as it came.
			{
				day: '2026-08-03',
				name: 'c',
				current: { events: 'x', users: null },
				previous: { events: 0, users: 0 },
				deltas: { events_pct: null, users_pct: null },
			},
		]);
	});

	it("a dimension named like an object property is data, not the object's own", () => {
		const rows = joinRows(
			[JSON.parse('{"__proto__": "x", "constructor": "y", "events": 1}')],
			[],
			['events'],
		);
		expect(Object.keys(rows[0])).toEqual([
			'__proto__',
			'constructor',
			'current',
			'previous',
			'deltas',
		]);
		expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
	});
});
