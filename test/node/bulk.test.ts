import { describe, expect, it } from 'vitest';

import { DEFAULT_ACCOUNT } from '../fake-appcues/server';
import { basicAuth, credentialsFor, fileItem, useFakeAppcues } from '../support/helpers';

// Decimal megabytes, as the node counts them (Appcues writes "20MB" and "200MB").
const MB = 1_000_000;
const byId = (value: string) => ({ __rl: true, mode: 'id', value });
const ndjsonLines = (body: unknown) =>
	String(body)
		.split('\n')
		.filter(Boolean)
		.map((line) => JSON.parse(line));

describe('import from input items', () => {
	const t = useFakeAppcues();

	it('profiles: all items become NDJSON rows of one job, paired with every item', async () => {
		const items = Array.from({ length: 5 }, (_, n) => ({
			user_id: `u${n}`,
			plan: n % 2 ? 'pro' : 'free',
			seats: n,
		}));
		const result = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'items' },
			{ items },
		);
		expect(result.error).toBeUndefined();
		const requests = t.fake.apiRequests();
		expect(requests).toHaveLength(1);
		expect(requests[0]).toMatchObject({
			method: 'POST',
			rawPath: '/v2/accounts/12345/import/profiles',
		});
		expect(requests[0].headers['content-type']).toBe('application/x-ndjson');
		expect(ndjsonLines(requests[0].rawBody)).toEqual(
			items.map(({ user_id, plan, seats }) => ({ plan, seats, user_id })),
		);
		expect(t.fake.state().users.get('u3')?.properties).toMatchObject({ plan: 'pro', seats: 3 });
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toMatchObject({ status: 202, rows: 5, bytes: requests[0].bytes });
		expect(result.items[0].json.job_id).toEqual(expect.any(String));
		expect(result.items[0].pairedItem).toEqual(items.map((_, item) => ({ item })));
	});

	it('splits rows across requests below Max Request Size, never splitting a row', async () => {
		const items = Array.from({ length: 200 }, (_, n) => ({
			id: `user-${n}`,
			note: 'x'.repeat(n % 40),
		}));
		const result = await t.run(
			{
				resource: 'import',
				operation: 'profiles',
				source: 'items',
				idField: 'id',
				propertiesToSend: 'selected',
				propertyFields: 'note',
				options: { maxRequestSizeMb: 0.002 },
			},
			{ items },
		);
		expect(result.error).toBeUndefined();
		const limit = Math.floor(0.002 * MB);
		const requests = t.fake.apiRequests();
		expect(requests.length).toBeGreaterThan(1);
		for (const request of requests) {
			expect(request.bytes).toBeLessThanOrEqual(limit);
			expect(request.rawBody.endsWith('\n')).toBe(true);
		}
		const sent = requests.flatMap((request) =>
			ndjsonLines(request.rawBody).map((row) => row.user_id),
		);
		expect(sent).toEqual(items.map((item) => item.id));
		expect(result.items.map((item) => item.json.rows)).toEqual(
			requests.map((request) => ndjsonLines(request.rawBody).length),
		);
		expect(
			result.items.flatMap((item) =>
				(item.pairedItem as Array<{ item: number }>).map((paired) => paired.item),
			),
		).toEqual(items.map((_, n) => n));
		// The next request's first row would not have fitted in the one before.
		const sizes = requests.map((request) => request.bytes);
		const firstRows = requests.map(
			(request) => Buffer.byteLength(request.rawBody.split('\n')[0]) + 1,
		);
		for (let n = 1; n < requests.length; n++)
			expect(sizes[n - 1] + firstRows[n]).toBeGreaterThan(limit);
	});

	it('a body Appcues refuses as too large is a clear error', async () => {
		t.fake.configure({ maxBodyBytes: 500 });
		const items = Array.from({ length: 50 }, (_, n) => ({ user_id: `u${n}`, plan: 'enterprise' }));
		const result = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'items' },
			{ items },
		);
		expect(result.error?.message).toBe(
			'Appcues API error 413: Payload Too Large: the request body is larger than the 500 bytes limit',
		);
		expect(result.error?.httpCode).toBe('413');
	});

	it('bad rows stop the import before anything is sent, naming items and reasons', async () => {
		const items = [{ user_id: 'u0' }, { user_id: '' }, { user_id: 'u2' }, { plan: 'pro' }];
		const result = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'items' },
			{ items },
		);
		expect(t.fake.apiRequests()).toHaveLength(0);
		expect(result.error?.message).toBe(
			'2 of 4 items cannot be imported, so nothing was sent [item 1]',
		);
		expect(result.error?.description).toContain(
			'item 1: "user_id" is missing or empty; item 3: "user_id" is missing or empty',
		);
	});

	it('with Continue On Fail, good rows are imported and each bad row is reported', async () => {
		const items = [
			{ user_id: 'u0', name: 'a', timestamp: '2026-01-01T00:00:00Z' },
			{ user_id: 'u1', name: 'b', timestamp: 'later' },
			{ user_id: 'u2', name: 'c', timestamp: 1767225600 },
		];
		const result = await t.run(
			{ resource: 'import', operation: 'events', source: 'items' },
			{ items, continueOnFail: true },
		);
		expect(result.error).toBeUndefined();
		const [request] = t.fake.apiRequests();
		expect(ndjsonLines(request.rawBody)).toEqual([
			{ user_id: 'u0', name: 'a', timestamp: '2026-01-01T00:00:00.000Z' },
			{ user_id: 'u2', name: 'c', timestamp: '2026-01-01T00:00:00.000Z' },
		]);
		expect(
			result.items.map((item) => [item.json.error ?? item.json.rows, item.pairedItem]),
		).toEqual([
			['Item 1 was not imported: "timestamp" is not a valid timestamp: "later"', { item: 1 }],
			[2, [{ item: 0 }, { item: 2 }]],
		]);
		expect(result.items[0].json).toMatchObject({
			itemIndex: 1,
			reason: '"timestamp" is not a valid timestamp: "later"',
		});
	});

	it('events: attributes are the other fields, and land on the user', async () => {
		const result = await t.run(
			{
				resource: 'import',
				operation: 'events',
				source: 'items',
				eventNameField: 'event',
				timestampField: 'at',
			},
			{
				items: [
					{ user_id: 'u1', event: 'paid', at: '2026-02-01T10:00:00Z', amount: 30, currency: 'EUR' },
				],
			},
		);
		expect(result.error).toBeUndefined();
		expect(ndjsonLines(t.fake.apiRequests()[0].rawBody)).toEqual([
			{
				user_id: 'u1',
				name: 'paid',
				timestamp: '2026-02-01T10:00:00.000Z',
				attributes: { amount: 30, currency: 'EUR' },
			},
		]);
		expect(t.fake.state().users.get('u1')?.events).toHaveLength(1);
	});

	it('groups: group_id plus properties', async () => {
		const result = await t.run(
			{ resource: 'import', operation: 'groups', source: 'items', idField: 'company' },
			{
				items: [
					{ company: 'acme', tier: 'gold' },
					{ company: 'globex', tier: 'silver' },
				],
			},
		);
		expect(result.error).toBeUndefined();
		expect(t.fake.apiRequests()[0].rawPath).toBe('/v2/accounts/12345/import/groups');
		expect(t.fake.state().groups.get('globex')?.properties).toEqual({ tier: 'silver' });
	});

	it('Wait for Completion outputs the finished job', async () => {
		t.fake.configure({ jobPollsToFinish: 1 });
		const result = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'items', waitForCompletion: true },
			{ items: [{ user_id: 'u1', plan: 'pro' }] },
		);
		expect(result.error).toBeUndefined();
		const polls = t.fake.apiRequests({ method: 'GET' });
		expect(polls.map((request) => request.status)).toEqual([200, 200]);
		expect(result.items[0].json).toMatchObject({ status: 'complete', rows: 1 });
		// Backoff: 2 s, then 4 s between polls.
		expect(polls[1].at - polls[0].at).toBeGreaterThanOrEqual(3900);
	}, 20_000);

	it('a failed job is an error with Appcues message', async () => {
		t.fake.configure({ jobPollsToFinish: 0 });
		t.fake.failNextJobs(1, 'row 7: plan is not a known value');
		const result = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'items', waitForCompletion: true },
			{ items: [{ user_id: 'u1', plan: 'pro' }] },
		);
		expect(result.error?.message).toMatch(
			/^Appcues job .+ failed: row 7: plan is not a known value$/,
		);
	});

	it('a job that never finishes times out with its id', async () => {
		t.fake.configure({ jobPollsToFinish: 0 });
		t.fake.stallNextJobs(1);
		const result = await t.run(
			{
				resource: 'import',
				operation: 'profiles',
				source: 'items',
				waitForCompletion: true,
				waitTimeoutMinutes: 0.05,
			},
			{ items: [{ user_id: 'u1' }] },
		);
		const jobId = t.fake.state().imports[0].jobId;
		expect(result.error?.message).toBe(
			`Appcues job ${jobId} did not finish within 3 seconds [item 0]`,
		);
		expect(result.error?.description).toContain(`Job > Get and the job ID ${jobId}`);
	}, 15_000);
});

describe('import from a file', () => {
	const t = useFakeAppcues();

	it('uploads a CSV as multipart form data, quoting intact', async () => {
		const csv = 'user_id,plan,note\nu1,pro,"likes, commas"\nu2,free,"say ""hi"""\n';
		const result = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'binary', binaryPropertyName: 'data' },
			{ items: [fileItem(csv, 'users.csv', 'text/csv')] },
		);
		expect(result.error).toBeUndefined();
		const [request] = t.fake.apiRequests();
		expect(String(request.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
		expect(request.parts?.map((part) => [part.name, part.filename])).toEqual([
			['file', 'users.csv'],
		]);
		expect(t.fake.state().users.get('u1')?.properties).toEqual({
			plan: 'pro',
			note: 'likes, commas',
		});
		expect(t.fake.state().users.get('u2')?.properties).toEqual({ plan: 'free', note: 'say "hi"' });
		expect(result.items[0].json).toMatchObject({
			status: 202,
			file_name: 'users.csv',
			format: 'csv',
			bytes: Buffer.byteLength(csv),
		});
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
	});

	it('sends NDJSON as the raw body with its content type', async () => {
		const ndjson = '{"user_id":"u1","name":"paid","timestamp":"2026-01-01T00:00:00Z"}\n';
		const result = await t.run(
			{ resource: 'import', operation: 'events', source: 'binary', uploadAs: 'raw' },
			{ items: [fileItem(ndjson, 'events.ndjson', 'application/octet-stream')] },
		);
		expect(result.error).toBeUndefined();
		const [request] = t.fake.apiRequests();
		expect(request.headers['content-type']).toBe('application/x-ndjson');
		expect(request.rawBody).toBe(ndjson);
		expect(t.fake.state().users.get('u1')?.events).toHaveLength(1);
	});

	it('refuses a CSV without the id column before upload, showing its header', async () => {
		const result = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'binary' },
			{ items: [fileItem('email,plan\na@x.io,pro\n', 'users.csv', 'text/csv')] },
		);
		expect(t.fake.apiRequests()).toHaveLength(0);
		expect(result.error?.message).toBe('The CSV file has no "user_id" column [item 0]');
		expect(result.error?.description).toBe('Its header row is: email,plan');
	});

	it('reads CSV header names exactly as Appcues does: a padded name is another column, refused before upload', async () => {
		// Before: the check trimmed names, so these passed it and Appcues (here the fake) refused the upload.
		for (const header of ['" user_id ",plan', 'user_id ,plan', ' user_id,plan']) {
			const result = await t.run(
				{ resource: 'import', operation: 'profiles', source: 'binary' },
				{ items: [fileItem(`${header}\nu1,pro\n`, 'users.csv', 'text/csv')] },
			);
			expect(result.error?.message).toBe('The CSV file has no "user_id" column [item 0]');
			expect(result.error?.description).toContain(
				`Its header row is: ${header}. Appcues reads column names exactly as written`,
			);
		}
		expect(t.fake.apiRequests()).toHaveLength(0);
	});

	it('refuses a CSV header row that Appcues cannot parse, before upload', async () => {
		const cases: Array<[string, string]> = [
			[
				'user_id,pl"an',
				'The header row of the CSV file is not valid CSV: a quote inside an unquoted name (quote the whole name and double the quote) [item 0]',
			],
			[
				'"user_id" ,plan',
				'The header row of the CSV file is not valid CSV: a character (" ") follows the closing quote of a name [item 0]',
			],
			['user_id,plan,plan', 'The CSV header row names the column "plan" twice [item 0]'],
			['user_id,,plan', 'Column 2 of the CSV header row has no name [item 0]'],
		];
		for (const [header, message] of cases) {
			const result = await t.run(
				{ resource: 'import', operation: 'profiles', source: 'binary' },
				{ items: [fileItem(`${header}\nu1,a,b\n`, 'users.csv', 'text/csv')] },
			);
			expect(result.error?.message).toBe(message);
		}
		expect(t.fake.apiRequests()).toHaveLength(0);
	});

	it('a quoted header name is unquoted, as Appcues reads it, and the upload goes', async () => {
		const csv = '"user_id","the ""plan"""\nu1,pro\n';
		const result = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'binary' },
			{ items: [fileItem(csv, 'users.csv', 'text/csv')] },
		);
		expect(result.error).toBeUndefined();
		expect(t.fake.state().users.get('u1')?.properties).toEqual({ 'the "plan"': 'pro' });
	});

	it('refuses a file over 200 MB before reading or uploading it', async () => {
		const result = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'binary' },
			{ items: [fileItem('user_id\nu1\n', 'huge.csv', 'text/csv', { bytes: 200 * MB + 1 })] },
		);
		expect(t.fake.apiRequests()).toHaveLength(0);
		expect(result.error?.message).toBe(
			'The file in "data" is 200.0 MB, above the 200 MB Appcues accepts [item 0]',
		);
	});

	it('refuses a raw upload above the request size limit', async () => {
		const result = await t.run(
			{
				resource: 'import',
				operation: 'profiles',
				source: 'binary',
				uploadAs: 'raw',
				options: { maxRequestSizeMb: 0.001 },
			},
			{ items: [fileItem(`user_id\n${'u\n'.repeat(600)}`, 'users.csv', 'text/csv')] },
		);
		expect(t.fake.apiRequests()).toHaveLength(0);
		expect(result.error?.message).toMatch(
			/above the 1\.0 KB limit of a raw request body \[item 0\]/,
		);
	});

	it('a file that fails with Continue On Fail does not stop the next', async () => {
		const result = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'binary' },
			{
				items: [
					fileItem('nope\n1\n', 'a.csv', 'text/csv'),
					fileItem('user_id\nu9\n', 'b.csv', 'text/csv'),
				],
				continueOnFail: true,
			},
		);
		expect(
			result.items.map((item) => [item.json.error ?? item.json.file_name, item.pairedItem]),
		).toEqual([
			['The CSV file has no "user_id" column [item 0]', { item: 0 }],
			['b.csv', { item: 1 }],
		]);
		expect(t.fake.state().users.has('u9')).toBe(true);
	});
});

describe('job wait', () => {
	const t = useFakeAppcues({ jobPollsToFinish: 1 });

	it('polls until the job is finished and outputs it', async () => {
		const imported = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'items' },
			{ items: [{ user_id: 'u1' }] },
		);
		const jobId = String(imported.items[0].json.job_id);
		const result = await t.run({ resource: 'job', operation: 'wait', jobId });
		expect(result.items[0].json).toMatchObject({ id: jobId, status: 'complete' });
		expect(t.fake.apiRequests({ method: 'GET' }).map((request) => request.rawPath)).toEqual([
			`/v2/accounts/12345/jobs/${jobId}`,
			`/v2/accounts/12345/jobs/${jobId}`,
		]);
	}, 15_000);

	it('understands numeric statuses', async () => {
		t.fake.configure({ statusStyle: 'numeric', jobPollsToFinish: 0 });
		const imported = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'items' },
			{ items: [{ user_id: 'u1' }] },
		);
		const result = await t.run({
			resource: 'job',
			operation: 'wait',
			jobId: String(imported.items[0].json.job_id),
		});
		expect(result.items[0].json.status).toBe(200);
	}, 15_000);
});

describe('segment membership from a file, and export', () => {
	const t = useFakeAppcues({ jobPollsToFinish: 0 });

	function seed() {
		t.fake.state().segments.set('seg-1', {
			id: 'seg-1',
			name: 'One',
			description: null,
			user_ids: new Set(['keep']),
		});
	}

	it('addUsers uploads a CSV of user ids as multipart', async () => {
		seed();
		const result = await t.run(
			{
				resource: 'segment',
				operation: 'addUsers',
				segmentId: byId('seg-1'),
				source: 'binary',
				binaryPropertyName: 'data',
				waitForCompletion: true,
			},
			{ items: [fileItem('user_id\nu1\nu2\n', 'ids.csv', 'text/csv')] },
		);
		expect(result.error).toBeUndefined();
		const [upload] = t.fake.apiRequests({ method: 'POST' });
		expect(upload.rawPath).toBe('/v2/accounts/12345/segments/seg-1/add_user_ids');
		expect(upload.parts?.[0]).toMatchObject({ name: 'file', filename: 'ids.csv' });
		expect([...t.fake.state().segments.get('seg-1')!.user_ids].sort()).toEqual([
			'keep',
			'u1',
			'u2',
		]);
		expect(result.items[0].json).toMatchObject({ segment_id: 'seg-1', status: 'complete' });
	});

	it('refuses a CSV without a user_id header', async () => {
		seed();
		const result = await t.run(
			{ resource: 'segment', operation: 'removeUsers', segmentId: byId('seg-1'), source: 'binary' },
			{ items: [fileItem('id\nu1\n', 'ids.csv', 'text/csv')] },
		);
		expect(result.error?.message).toBe('The CSV file has no "user_id" column [item 0]');
		expect(t.fake.apiRequests()).toHaveLength(0);
	});

	it('refuses a CSV with other columns than user_id, as Appcues takes only that one', async () => {
		seed();
		const result = await t.run(
			{ resource: 'segment', operation: 'addUsers', segmentId: byId('seg-1'), source: 'binary' },
			{ items: [fileItem('user_id,email\nu1,a@x.io\n', 'ids.csv', 'text/csv')] },
		);
		expect(result.error?.message).toBe('The CSV file must have only the "user_id" column [item 0]');
		expect(result.error?.description).toBe(
			'Its header row is: user_id,email. Remove the other columns.',
		);
		expect(t.fake.apiRequests()).toHaveLength(0);
	});

	it('exportMembership sends its fields and can wait', async () => {
		seed();
		const result = await t.run({
			resource: 'segment',
			operation: 'exportMembership',
			segmentId: byId('seg-1'),
			exportFields: { propertyNames: 'email, plan', format: 'csv', email: 'ops@example.com' },
			waitForCompletion: true,
		});
		expect(result.error).toBeUndefined();
		expect(t.fake.apiRequests()[0]).toMatchObject({
			rawPath: '/v2/accounts/12345/segments/seg-1/segment_membership_export',
			body: { property_names: ['email', 'plan'], format: 'csv', email: 'ops@example.com' },
		});
		expect(result.items[0].json).toMatchObject({ segment_id: 'seg-1', status: 'complete' });
	});
});

describe('export events', () => {
	const t = useFakeAppcues({ jobPollsToFinish: 0 });

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

describe('analytics', () => {
	const t = useFakeAppcues({ jobPollsToFinish: 0 });
	const spec = JSON.stringify({
		columns: ['timestamp', 'user_id', 'name'],
		start_time: '2026-01-01',
		end_time: '2026-01-31',
	});

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

	it('export waits for done and downloads the file without the Authorization header', async () => {
		t.fake.configure({ analyticsRows: 4 });
		const result = await t.run({ resource: 'analytics', operation: 'export', query: spec });
		expect(result.error).toBeUndefined();
		const download = t.fake.requests.find((request) => request.rawPath.startsWith('/__download/'));
		expect(download?.status).toBe(200);
		expect(download?.headers.authorization).toBeUndefined();
		const item = result.items[0];
		expect(item.json).toMatchObject({ status: 'done', job_id: expect.any(String) });
		const file = Buffer.from(String(item.binary?.data.data), 'base64').toString('utf8');
		expect(file.trim().split('\n')).toHaveLength(5);
		expect(item.binary?.data.mimeType).toBe('text/csv');
	});

	it('a failed export is an error with its failure reason', async () => {
		t.fake.failNextJobs(1, 'query timeout');
		const result = await t.run({ resource: 'analytics', operation: 'export', query: spec });
		expect(result.error?.message).toMatch(/^Appcues job .+ failed: query timeout$/);
	});
});

describe('GDPR erasure', () => {
	const t = useFakeAppcues();

	it('gathers the ids of all items into one legacy call', async () => {
		for (const id of ['u1', 'u2', 'u3'])
			t.fake.state().users.set(id, { properties: {}, events: [] });
		const result = await t.run(
			{ resource: 'user', operation: 'gdprDelete', userIds: '={{ $json.id }}' },
			{ items: [{ id: 'u1' }, { id: 'u2' }, { id: 'u1' }] },
		);
		expect(result.error).toBeUndefined();
		const [request] = t.fake.apiRequests();
		expect(request).toMatchObject({
			method: 'POST',
			rawPath: '/v1/gdpr/delete',
			body: { users: ['u1', 'u2'] },
		});
		expect(request.headers.authorization).toBe(basicAuth(DEFAULT_ACCOUNT.legacyApiKey!, ''));
		expect(result.items).toEqual([
			{
				json: { ok: true, message: 'accepted 2 users for deletion', users: 2 },
				pairedItem: [{ item: 0 }, { item: 1 }, { item: 2 }],
			},
		]);
		expect(t.fake.state().users.has('u1')).toBe(false);
		expect(t.fake.state().users.has('u3')).toBe(true);
	});

	it('says clearly when the legacy key is missing, and sends nothing', async () => {
		const result = await t.run(
			{ resource: 'user', operation: 'gdprDelete', userIds: 'u1' },
			{ credentials: { ...credentialsFor(t.fake), legacyApiKey: '' } },
		);
		expect(result.error?.message).toBe('This operation needs the Legacy API Key');
		expect(t.fake.apiRequests()).toHaveLength(0);
	});
});
