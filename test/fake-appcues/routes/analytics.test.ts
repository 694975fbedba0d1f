/**
 * The fake's analytics routes over real HTTP: sync queries, async exports and their download.
 */
import { describe, expect, it } from 'vitest';

import { seedDemoData } from '../seed';
import { AUTH, problem, useFake } from '../use-fake';

describe('analytics', () => {
	const t = useFake({ seed: seedDemoData });
	const window = { start_time: '2026-09-01', end_time: '2026-11-01' };

	it('query: raw rows from the seeded events, filtered and ordered', async () => {
		const response = await t.json('/analytics/query', {
			columns: ['timestamp', 'user_id', 'name'],
			conditions: [['name', '==', 'signed_up']],
			order_by: [['user_id', 'asc']],
			...window,
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('x-rows-truncated')).toBeNull();
		const rows = (await response.json()) as Array<Record<string, unknown>>;
		expect(rows.map((row) => row.user_id)).toEqual(['ada', 'alan', 'grace', 'katherine']);
		expect(rows[0]).toEqual({
			timestamp: '2026-10-02T09:00:00.000Z',
			user_id: 'ada',
			name: 'signed_up',
		});
	});

	it('query: aggregates by dimension', async () => {
		const response = await t.json('/analytics/query', {
			metrics: ['events', 'users'],
			dimensions: ['name'],
			order_by: [['events', 'desc']],
			...window,
		});
		const rows = (await response.json()) as Array<Record<string, unknown>>;
		expect(rows.slice(0, 2)).toEqual([
			{ name: 'signed_up', events: 4, users: 4 },
			{ name: 'report_exported', events: 2, users: 2 },
		]);
	});

	it('query: clamps at 1,000 rows with X-Rows-Truncated: true', async () => {
		t.fake.configure({ analyticsRows: 2500 });
		const response = await t.json('/analytics/query', {
			columns: ['timestamp', 'user_id', 'name'],
			...window,
		});
		expect(response.headers.get('x-rows-truncated')).toBe('true');
		const rows = (await response.json()) as unknown[];
		expect(rows).toHaveLength(1000);
		expect(rows[0]).toEqual({
			timestamp: '2026-09-01T00:00:00.000Z',
			user_id: 'user-0',
			name: 'event_0',
		});

		const limited = await t.json('/analytics/query', {
			columns: ['user_id'],
			limit: 10,
			offset: 5,
			...window,
		});
		expect(limited.headers.get('x-rows-truncated')).toBeNull();
		expect(
			((await limited.json()) as Array<{ user_id: string }>).map((row) => row.user_id),
		).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14].map((n) => `user-${n}`));
		t.fake.configure({ analyticsRows: 1000 });
		const exact = await t.json('/analytics/query', {
			metrics: ['events'],
			dimensions: ['day'],
			...window,
		});
		expect(exact.headers.get('x-rows-truncated')).toBeNull();
		expect((await exact.json()) as unknown[]).toHaveLength(1000);
	});

	it('query: a structured 400 names the bad field', async () => {
		const cases: Array<[Record<string, unknown>, string]> = [
			[{ metrics: ['events'], end_time: '2026-11-01' }, 'start_time is required'],
			[{ metrics: ['events'], start_time: '2026-09-01' }, 'end_time is required'],
			[
				{ metrics: ['events'], start_time: '09/01/2026', end_time: '2026-11-01' },
				'start_time must be YYYY-MM-DD or RFC 3339',
			],
			[
				{ metrics: ['events'], start_time: '2026-01-01', end_time: '2026-06-01' },
				'time range exceeds 90 days',
			],
			[{ ...window }, 'metrics is required (or columns for raw event rows)'],
			[{ metrics: ['clicks'], ...window }, 'metrics: unknown metric "clicks"'],
			[
				{ metrics: ['events'], dimensions: ['planet'], ...window },
				'dimensions: unknown dimension "planet"',
			],
			[
				{ metrics: ['events'], conditions: [['name', 'is', 'x']], ...window },
				'conditions[0]: unknown operator "is" (use one of ==, !=, in, not in, like, ilike, not like, not ilike)',
			],
			[{ metrics: ['events'], limit: 1.5, ...window }, 'limit must be a non-negative integer'],
			[
				{ metrics: ['events'], timezone: 'Nowhere/Town', ...window },
				'timezone must be an IANA time zone name such as "UTC" or "America/New_York"',
			],
			[{ metrics: ['events'], format: 'csv', ...window }, 'unknown field format'],
		];
		for (const [spec, detail] of cases) {
			const response = await t.json('/analytics/query', spec);
			expect(response.status).toBe(400);
			expect(await response.json()).toEqual({
				error: true,
				status: 400,
				title: 'invalid spec',
				detail,
			});
		}
		// account_id is ignored, as the spec document says.
		expect(
			(await t.json('/analytics/query', { metrics: ['events'], account_id: 'x', ...window }))
				.status,
		).toBe(200);
	});

	it('X-RateLimit-* headers on analytics routes only; an analytics 429 carries Retry-After', async () => {
		t.fake.rateLimitPerSecond = 2;
		const first = await t.json('/analytics/query', { metrics: ['events'], ...window });
		expect(first.headers.get('x-ratelimit-limit')).toBe('2');
		expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
		expect(Number(first.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(
			Math.floor(Date.now() / 1000),
		);
		const legacy = await t.api('/tags');
		expect(legacy.status).toBe(200);
		expect(legacy.headers.get('x-ratelimit-limit')).toBeNull();
		const limited = await t.json('/analytics/query', { metrics: ['events'], ...window });
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('1');
		expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
		const legacyLimited = await t.api('/tags');
		expect(legacyLimited.status).toBe(429);
		expect(legacyLimited.headers.get('retry-after')).toBeNull();
	});

	it('without rate-limit headers (rateLimitHeaders: false), analytics answers like any route', async () => {
		t.fake.configure({ rateLimitHeaders: false });
		t.fake.rateLimitPerSecond = 1;
		const first = await t.json('/analytics/query', { metrics: ['events'], ...window });
		expect(first.status).toBe(200);
		expect(first.headers.get('x-ratelimit-limit')).toBeNull();
		const limited = await t.json('/analytics/query', { metrics: ['events'], ...window });
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBeNull();
		expect(limited.headers.get('x-ratelimit-remaining')).toBeNull();
	});

	it('analyticsConcurrency: X-Concurrency-Limit and -Used, and a 429 above the limit while the rate budget has room', async () => {
		t.fake.configure({ analyticsConcurrency: 2 });
		t.fake.latencyMs = 150;
		const answers = await Promise.all(
			[0, 1, 2].map(() => t.json('/analytics/query', { metrics: ['events'], ...window })),
		);
		expect(answers.map((answer) => answer.status)).toEqual([200, 200, 429]);
		for (const answer of answers) expect(answer.headers.get('x-concurrency-limit')).toBe('2');
		expect(answers[0].headers.get('x-concurrency-used')).toBe('2');
		const refused = answers.find((answer) => answer.status === 429)!;
		expect(Number(refused.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
		expect(refused.headers.get('retry-after')).toBe('1');
		// Once they are answered, the slots are free again.
		const later = await t.json('/analytics/query', { metrics: ['events'], ...window });
		expect(later.status).toBe(200);
		expect(later.headers.get('x-concurrency-used')).toBe('1');
		// Other routes send none of it.
		expect((await t.api('/tags')).headers.get('x-concurrency-limit')).toBeNull();
	});

	it('exports: 202 job, queued → running → done with a re-minted download_url; the download refuses Authorization', async () => {
		const created = await t.json('/analytics/exports', {
			columns: ['user_id', 'name'],
			conditions: [['user_id', '==', 'ada']],
			format: 'csv',
			...window,
		});
		expect(created.status).toBe(202);
		const { job_id, status } = (await created.json()) as { job_id: string; status: string };
		expect(status).toBe('queued');
		const poll = async () =>
			(await (await t.api(`/analytics/exports/${job_id}`)).json()) as Record<string, string>;
		expect(await poll()).toEqual({ job_id, status: 'queued' });
		expect(await poll()).toEqual({ job_id, status: 'running' });
		const done = await poll();
		expect(done).toEqual({
			job_id,
			status: 'done',
			download_url: expect.any(String),
			expires_at: expect.any(String),
		});
		expect(done.download_url.startsWith(`${t.fake.url}/__download/`)).toBe(true);
		expect(new URL(done.download_url).pathname).toMatch(/^\/__download\/[0-9a-f]{32}\.csv$/);
		expect(Date.parse(done.expires_at) - Date.now()).toBeGreaterThan(3500 * 1000);
		const again = await poll();
		expect(again.download_url).not.toBe(done.download_url);

		const withAuth = await fetch(done.download_url, { headers: { authorization: AUTH } });
		expect(withAuth.status).toBe(400);
		expect(withAuth.headers.get('content-type')).toBe('application/xml');
		expect(await withAuth.text()).toContain('<Code>InvalidArgument</Code>');

		const download = await fetch(done.download_url);
		expect(download.status).toBe(200);
		expect(download.headers.get('content-type')).toBe('text/csv');
		expect(await download.text()).toBe(
			'user_id,name\r\nada,signed_up\r\nada,report_exported\r\nada,invited_teammate\r\n',
		);
		// Both URLs stay valid until they expire.
		expect((await fetch(again.download_url)).status).toBe(200);

		const downloads = t.fake.requests.filter((request) => request.segments[0] === '__download');
		expect(
			downloads.map((request) => [
				request.status,
				request.accountId,
				request.headers.authorization !== undefined,
			]),
		).toEqual([
			[400, '12345', true],
			[200, '12345', false],
			[200, '12345', false],
		]);
		const tampered = new URL(done.download_url);
		tampered.searchParams.set('X-Amz-Signature', 'f'.repeat(64));
		expect((await fetch(tampered)).status).toBe(403);
		expect((await fetch(`${t.fake.url}/__download/${'0'.repeat(32)}.csv`)).status).toBe(404);
	});

	it('exports: a failed export carries failure_reason; a stalled one stays running; unknown ids are 404', async () => {
		t.fake.failNextJobs(1);
		t.fake.stallNextJobs(1);
		const spec = { metrics: ['events'], ...window };
		const failed = ((await (await t.json('/analytics/exports', spec)).json()) as { job_id: string })
			.job_id;
		const stalled = (
			(await (await t.json('/analytics/exports', spec)).json()) as { job_id: string }
		).job_id;
		const poll = async (id: string) =>
			(await (await t.api(`/analytics/exports/${id}`)).json()) as Record<string, string>;
		const failedViews = [await poll(failed), await poll(failed), await poll(failed)];
		expect(failedViews.map((view) => view.status)).toEqual(['queued', 'running', 'failed']);
		expect(failedViews[2]).toEqual({
			job_id: failed,
			status: 'failed',
			failure_reason: 'query timeout',
		});
		const stalledViews = [];
		for (let poll_ = 0; poll_ < 5; poll_++) stalledViews.push((await poll(stalled)).status);
		expect(stalledViews).toEqual(['queued', 'running', 'running', 'running', 'running']);

		const unknown = await t.api('/analytics/exports/legacy-1');
		expect(await problem(unknown)).toEqual({
			error: true,
			status: 404,
			title: 'Not Found',
			detail: 'no such export job',
		});
		// The 90-day cap is for sync queries only; exports may span more.
		expect(
			(
				await t.json('/analytics/exports', {
					metrics: ['events'],
					start_time: '2026-01-01',
					end_time: '2026-11-01',
				})
			).status,
		).toBe(202);
	});

	it('exports download as the JSON rows array by default (as Appcues documents); format "csv" is the fake\'s own switch', async () => {
		const created = await t.json('/analytics/exports', {
			columns: ['user_id'],
			conditions: [['user_id', '==', 'alan']],
			...window,
		});
		const { job_id } = (await created.json()) as { job_id: string };
		t.fake.configure({ jobPollsToFinish: 0 });
		const done = (await (await t.api(`/analytics/exports/${job_id}`)).json()) as {
			download_url: string;
		};
		expect(new URL(done.download_url).pathname).toMatch(/\.json$/);
		expect(await (await fetch(done.download_url)).json()).toEqual([{ user_id: 'alan' }]);
	});
});
