/**
 * The fake's segment membership routes (from a file) and membership export over real HTTP.
 */
import { beforeEach, describe, expect, it } from 'vitest';

import { form, problem, useFake } from '../use-fake';

describe('segment membership from a file, and membership export', () => {
	const t = useFake();
	beforeEach(() => {
		t.fake
			.state()
			.segments.set('s1', { id: 's1', name: 'Power', user_ids: new Set(['keep', 'old']) });
	});

	it('add_user_ids and remove_user_ids take a multipart CSV with a user_id header', async () => {
		const add = await t.post(
			'/segments/s1/add_user_ids',
			form('file', 'user_id\r\nu1\r\n"u,2"\r\n', 'text/csv', 'ids.csv'),
		);
		expect(add.status).toBe(202);
		expect(await add.json()).toMatchObject({
			status: 202,
			title: 'Accepted',
			job_id: expect.any(String),
		});
		expect(t.fake.state().segments.get('s1')?.user_ids).toEqual(
			new Set(['keep', 'old', 'u1', 'u,2']),
		);
		const remove = await t.post(
			'/segments/s1/remove_user_ids',
			form('file', 'user_id\nold\n', 'application/octet-stream', 'x.csv'),
		);
		expect(remove.status).toBe(202);
		expect(t.fake.state().segments.get('s1')?.user_ids).toEqual(new Set(['keep', 'u1', 'u,2']));
		// JSON still works.
		expect((await t.json('/segments/s1/add_user_ids', { user_ids: ['j1'] })).status).toBe(202);
	});

	it('refuses a file without the header, with more columns, or empty ids; raw CSV is 415', async () => {
		const cases: Array<[string, string]> = [
			['u1\nu2\n', 'the CSV header must be user_id (found: u1)'],
			[
				'user_id,email\nu1,a@b.c\n',
				'line 1: the CSV must have a single user_id column, found 2 columns',
			],
			['user_id\nu1\n\nu2\n', 'line 3: user_id is empty'],
			['user_id\n', 'the CSV file has no user ids'],
			['', 'the CSV file is empty'],
		];
		for (const [csv, detail] of cases) {
			const response = await t.post(
				'/segments/s1/add_user_ids',
				form('file', csv, 'text/csv', 'ids.csv'),
			);
			expect([response.status, (await problem(response)).detail]).toEqual([400, detail]);
		}
		const raw = await t.post('/segments/s1/add_user_ids', 'user_id\nu1\n', 'text/csv');
		expect([raw.status, (await problem(raw)).detail]).toEqual([
			415,
			'expected one of application/json, multipart/form-data, got text/csv',
		]);
		const missing = await t.post(
			'/segments/nope/add_user_ids',
			form('file', 'user_id\nu1\n', 'text/csv', 'ids.csv'),
		);
		expect(missing.status).toBe(404);
		expect(t.fake.state().segments.get('s1')?.user_ids).toEqual(new Set(['keep', 'old']));
	});

	it('segment_membership_export: 202 job with an optional body', async () => {
		const empty = await t.api('/segments/s1/segment_membership_export', { method: 'POST' });
		expect(empty.status).toBe(202);
		const full = await t.json('/segments/s1/segment_membership_export', {
			property_names: ['email', 'plan'],
			format: 'json',
			email: 'ops@example.com',
		});
		expect(full.status).toBe(202);
		const { job_id } = (await full.json()) as { job_id: string };
		expect(t.fake.state().exports).toEqual([
			{ kind: 'segment_membership', segmentId: 's1', request: {}, jobId: expect.any(String) },
			{
				kind: 'segment_membership',
				segmentId: 's1',
				request: { property_names: ['email', 'plan'], format: 'json', email: 'ops@example.com' },
				jobId: job_id,
			},
		]);
		expect(t.fake.state().jobs.get(job_id)?.name).toBe('segment membership export');

		const cases: Array<[unknown, string]> = [
			[{ format: 'xlsx' }, 'format must be "csv" or "json"'],
			[{ property_names: 'email' }, 'property_names must be an array of property names'],
			[{ email: 'nope' }, 'email must be an email address'],
			[{ fields: [] }, 'unknown field fields'],
		];
		for (const [body, detail] of cases) {
			const response = await t.json('/segments/s1/segment_membership_export', body);
			expect([response.status, (await problem(response)).detail]).toEqual([400, detail]);
		}
		expect((await t.json('/segments/nope/segment_membership_export', {})).status).toBe(404);
	});
});
