import type { IDataObject } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import {
	byCompletionRate,
	digestRow,
	tally,
} from '../../../../../nodes/Appcues/actions/analytics/flowPerformanceDigest.operation';
import type { FakeAppcues } from '../../../../fake-appcues/server';
import { localServer } from '../../../../support/fixtures';
import { credentialsFor, useFakeAppcues } from '../../../../support/helpers';

const DAY = 86_400_000;
const FLOW_EVENTS = [
	'appcues:flow_started',
	'appcues:flow_completed',
	'appcues:flow_skipped',
	'appcues:step_error',
];

/** A (flow_id, event name) row as analytics/query returns it (CLI tests/digest.rs). */
const row = (flowId: string, name: string, events: number, users: number) => ({
	flow_id: flowId,
	name,
	events,
	users,
});

function seedFlows(fake: FakeAppcues) {
	const flows = fake.state().experiences.get('flows')!;
	for (const [id, name, published] of [
		['f1', 'Welcome', true],
		['f2', 'Quiet flow', true],
		['f3', 'Draft', false],
		['f4', 'Upgrade tour', true],
	] as const) {
		flows.set(id, { id, name, published, state: published ? 'PUBLISHED' : 'DRAFT' });
	}
}

/** `count` events of one name for a flow, `daysAgo` days before now, each by its own user. */
function track(fake: FakeAppcues, flowId: string, name: string, count: number, daysAgo: number) {
	const users = fake.state().users;
	for (let index = 0; index < count; index++) {
		const userId = `${flowId}-user-${index}`;
		const record = users.get(userId) ?? { properties: {}, events: [] };
		record.events.push({
			name,
			timestamp: new Date(Date.now() - daysAgo * DAY).toISOString(),
			attributes: { flow_id: flowId },
		});
		users.set(userId, record);
	}
}

describe('analytics: flow performance digest', () => {
	const t = useFakeAppcues();

	it('one item per published flow from one GET of the flows and one query per period, with the bounds on every item', async () => {
		seedFlows(t.fake);
		// Current period (the last 7 days): f1 shown 10, completed 8, skipped 1, 1 step error.
		track(t.fake, 'f1', 'appcues:flow_started', 10, 1);
		track(t.fake, 'f1', 'appcues:flow_completed', 8, 1);
		track(t.fake, 'f1', 'appcues:flow_skipped', 1, 2);
		track(t.fake, 'f1', 'appcues:step_error', 1, 2);
		// f4: shown 4, completed 1 now; shown 8, completed 4 the week before.
		track(t.fake, 'f4', 'appcues:flow_started', 4, 3);
		track(t.fake, 'f4', 'appcues:flow_completed', 1, 3);
		track(t.fake, 'f4', 'appcues:flow_started', 8, 9);
		track(t.fake, 'f4', 'appcues:flow_completed', 4, 9);
		// Not a flow event: not counted.
		track(t.fake, 'f1', 'appcues:step_interacted', 5, 1);

		const before = Date.now();
		const result = await t.run({
			resource: 'analytics',
			operation: 'flowPerformanceDigest',
			days: 7,
		});
		const after = Date.now();
		expect(result.error).toBeUndefined();

		const calls = t.fake.apiRequests();
		expect(calls.map((call) => `${call.method} ${call.rawPath} ${call.status}`)).toEqual([
			'GET /v2/accounts/12345/flows 200',
			'POST /v2/accounts/12345/analytics/query 200',
			'POST /v2/accounts/12345/analytics/query 200',
		]);
		const [current, previous] = [calls[1].body, calls[2].body] as IDataObject[];
		const spec = {
			metrics: ['events', 'users'],
			dimensions: ['flow_id', 'name'],
			conditions: [['name', 'in', FLOW_EVENTS]],
		};
		expect(current).toEqual({
			...spec,
			start_time: expect.any(String),
			end_time: expect.any(String),
		});
		expect(previous).toEqual({
			...spec,
			start_time: expect.any(String),
			end_time: current.start_time,
		});
		// RFC 3339 UTC at second precision, 7 × 24 h apart, ending now, adjacent windows.
		for (const bound of [current.start_time, current.end_time, previous.start_time])
			expect(bound).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
		const end = Date.parse(String(current.end_time));
		expect(end).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
		expect(end).toBeLessThanOrEqual(after);
		expect(end - Date.parse(String(current.start_time))).toBe(7 * DAY);
		expect(previous.end_time).toBe(current.start_time);
		expect(Date.parse(String(current.start_time)) - Date.parse(String(previous.start_time))).toBe(
			7 * DAY,
		);

		const period = { start_time: current.start_time, end_time: current.end_time };
		const previousPeriod = { start_time: previous.start_time, end_time: previous.end_time };
		expect(result.items.map((item) => item.json)).toEqual([
			{
				flow_id: 'f1',
				name: 'Welcome',
				shown: 10,
				completed: 8,
				skipped: 1,
				errors: 1,
				unique_users: 10,
				completion_rate: 80,
				previous: {
					shown: 0,
					completed: 0,
					skipped: 0,
					errors: 0,
					unique_users: 0,
					completion_rate: null,
				},
				deltas: { shown_pct: null, completion_rate_pts: null, unique_users_pct: null },
				period,
				previous_period: previousPeriod,
			},
			{
				flow_id: 'f4',
				name: 'Upgrade tour',
				shown: 4,
				completed: 1,
				skipped: 0,
				errors: 0,
				unique_users: 4,
				completion_rate: 25,
				previous: {
					shown: 8,
					completed: 4,
					skipped: 0,
					errors: 0,
					unique_users: 8,
					completion_rate: 50,
				},
				deltas: { shown_pct: -50, completion_rate_pts: -25, unique_users_pct: -50 },
				period,
				previous_period: previousPeriod,
			},
			// A published flow without events: zeros and nulls, sorted last; the draft f3 is left out.
			{
				flow_id: 'f2',
				name: 'Quiet flow',
				shown: 0,
				completed: 0,
				skipped: 0,
				errors: 0,
				unique_users: 0,
				completion_rate: null,
				previous: {
					shown: 0,
					completed: 0,
					skipped: 0,
					errors: 0,
					unique_users: 0,
					completion_rate: null,
				},
				deltas: { shown_pct: null, completion_rate_pts: null, unique_users_pct: null },
				period,
				previous_period: previousPeriod,
			},
		]);
		expect(result.items.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 0 },
			{ item: 0 },
		]);
	});

	it('computes the CLI test figures exactly (tests/digest.rs), from the answers of a server like the CLI mocks', async () => {
		const bodies: IDataObject[] = [];
		const api = await localServer((req, res) => {
			let text = '';
			req.on('data', (chunk: Buffer) => (text += chunk.toString()));
			req.on('end', () => {
				res.setHeader('Content-Type', 'application/json');
				if (req.method === 'GET') {
					res.end(
						JSON.stringify([
							{ id: 'f1', name: 'Welcome', published: true },
							{ id: 'f2', name: 'Quiet flow', published: true },
							{ id: 'f3', name: 'Draft', published: false },
						]),
					);
					return;
				}
				bodies.push(JSON.parse(text) as IDataObject);
				res.end(
					JSON.stringify(
						bodies.length === 1
							? [
									row('f1', 'appcues:flow_started', 120, 80),
									row('f1', 'appcues:flow_completed', 90, 70),
									row('f1', 'appcues:flow_skipped', 10, 9),
									row('f1', 'appcues:step_error', 2, 2),
								]
							: [
									row('f1', 'appcues:flow_started', 100, 70),
									row('f1', 'appcues:flow_completed', 60, 50),
								],
					),
				);
			});
		});
		try {
			const result = await t.run(
				{ resource: 'analytics', operation: 'flowPerformanceDigest', days: 7 },
				{ credentials: { ...credentialsFor(t.fake), baseUrl: api.url } },
			);
			expect(api.received.map((request) => `${request.method} ${request.url}`)).toEqual([
				'GET /v2/accounts/12345/flows',
				'POST /v2/accounts/12345/analytics/query',
				'POST /v2/accounts/12345/analytics/query',
			]);
			const [f1, quiet] = result.items.map((item) => item.json);
			expect(f1).toMatchObject({
				flow_id: 'f1',
				name: 'Welcome',
				shown: 120,
				completed: 90,
				skipped: 10,
				errors: 2,
				unique_users: 80,
				completion_rate: 75,
				previous: { shown: 100, completed: 60, completion_rate: 60, unique_users: 70 },
				deltas: { shown_pct: 20, completion_rate_pts: 15, unique_users_pct: 14.3 },
			});
			expect(quiet).toMatchObject({ flow_id: 'f2', shown: 0, completion_rate: null });
			expect(result.items).toHaveLength(2);
		} finally {
			await api.close();
		}
	});

	it('an error in the middle stops the digest: the previous-period query is never sent', async () => {
		seedFlows(t.fake);
		t.fake.addFault({
			kind: 'status',
			status: 404,
			method: 'POST',
			pathIncludes: 'analytics/query',
		});
		const result = await t.run({ resource: 'analytics', operation: 'flowPerformanceDigest' });
		expect(result.error?.message).toBe('Appcues API error 404: Not Found: injected fault');
		expect(t.fake.apiRequests().map((call) => call.method)).toEqual(['GET', 'POST']);
	});

	it('Days must be a whole number from 1 to 90; nothing is sent otherwise', async () => {
		for (const days of [0, 91, 2.5, 'seven']) {
			const result = await t.run({
				resource: 'analytics',
				operation: 'flowPerformanceDigest',
				days,
			});
			expect(result.error?.message).toBe(
				`Days must be a whole number from 1 to 90, not ${JSON.stringify(days)} [item 0]`,
			);
		}
		expect(t.fake.apiRequests()).toHaveLength(0);
	});

	it('no published flow: no items, and a hint says why', async () => {
		const result = await t.run({ resource: 'analytics', operation: 'flowPerformanceDigest' });
		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([]);
		expect(result.hints).toEqual([
			{ message: 'No published flow in item 0: the digest has no rows.', location: 'outputPane' },
		]);
	});

	it('rows cut at the 1,000-row limit are flagged in a hint', async () => {
		seedFlows(t.fake);
		t.fake.configure({ analyticsRows: 1200 });
		const result = await t.run({ resource: 'analytics', operation: 'flowPerformanceDigest' });
		expect(result.hints.map((hint) => hint.message)).toEqual([
			'Appcues cut the current period rows of item 0 at 1,000: the figures are computed from part of the data. Use fewer dimensions, narrower conditions, or fewer days.',
			'Appcues cut the previous period rows of item 0 at 1,000: the figures are computed from part of the data. Use fewer dimensions, narrower conditions, or fewer days.',
		]);
	});
});

describe('digest folding and order, as the CLI (flows.rs)', () => {
	it('values are assigned, not summed; rows without a string flow_id and unknown names are skipped', () => {
		const counts = tally([
			row('f1', 'appcues:flow_started', 5, 4),
			row('f1', 'appcues:flow_started', 7, 6),
			{ flow_id: 3, name: 'appcues:flow_started', events: 9 },
			row('f1', 'appcues:flow_completed', -1, 0),
			row('f1', 'appcues:nps_score', 9, 9),
			null,
		]);
		expect(counts.get('f1')).toEqual({
			shown: 7,
			completed: 0,
			skipped: 0,
			errors: 0,
			unique_users: 6,
		});
		expect(counts.size).toBe(1);
	});

	it('completion_rate_pts comes from the rounded rates', () => {
		const row_ = digestRow(
			{ id: 'f', name: 'F' },
			{ shown: 3, completed: 1, skipped: 0, errors: 0, unique_users: 1 },
			{ shown: 3, completed: 2, skipped: 0, errors: 0, unique_users: 1 },
		);
		// 33.3 - 66.7 = -33.4 (from the unrounded -33.33… it would be -33.3).
		expect(row_.deltas).toEqual({ shown_pct: 0, completion_rate_pts: -33.4, unique_users_pct: 0 });
	});

	it('sorts by completion rate, highest first, nulls last, ties in the order of the flows list', () => {
		const rows = [
			{ flow_id: 'a', completion_rate: null },
			{ flow_id: 'b', completion_rate: 20 },
			{ flow_id: 'c', completion_rate: 90 },
			{ flow_id: 'd', completion_rate: 20 },
			{ flow_id: 'e', completion_rate: null },
		];
		expect(rows.sort(byCompletionRate).map((one) => one.flow_id)).toEqual([
			'c',
			'b',
			'd',
			'a',
			'e',
		]);
	});
});
