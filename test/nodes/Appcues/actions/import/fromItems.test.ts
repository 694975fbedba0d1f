import { describe, expect, it, vi } from 'vitest';
import type { INodeExecutionData } from 'n8n-workflow';

import {
	useFakeAppcues,
	useVirtualPollWaits,
	watchBuffersAtPolls,
} from '../../../../support/helpers';
import { planChunks, writeChunk } from '../../../../../nodes/Appcues/actions/import/fromItems';
import { rowLine, profiles } from '../../../../support/import-rows';

// Decimal megabytes, as the node counts them (Appcues writes "20MB" and "200MB").
const MB = 1_000_000;
const ndjsonLines = (body: unknown) =>
	String(body)
		.split('\n')
		.filter(Boolean)
		.map((line) => JSON.parse(line));

describe('import from input items', () => {
	const t = useFakeAppcues();
	useVirtualPollWaits();

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
			[2, [{ item: 0 }, { item: 2 }]],
			['Item 1 was not imported: "timestamp" is not a valid timestamp: "later"', { item: 1 }],
		]);
		expect(result.items[1].json).toMatchObject({
			itemIndex: 1,
			reason: '"timestamp" is not a valid timestamp: "later"',
		});
	});

	it('with Continue On Fail the output follows the input: bad rows and a failed request stand in place', async () => {
		const items = [
			{ user_id: 'u0', note: 'x'.repeat(400) },
			{ user_id: '', note: 'bad' },
			{ user_id: 'u2', note: 'x'.repeat(400) },
			{ user_id: 'u3', note: 'x'.repeat(400) },
			{ note: 'bad' },
			{ user_id: 'u5', note: 'x'.repeat(400) },
		];
		// Two rows per request: [0, 2], [3, 5]; the second request is refused.
		t.fake.addFault({ kind: 'status', status: 400, pathIncludes: 'import', skip: 1 });
		const result = await t.run(
			{
				resource: 'import',
				operation: 'profiles',
				source: 'items',
				options: { maxRequestSizeMb: 0.001 },
			},
			{ items, continueOnFail: true },
		);
		expect(result.error).toBeUndefined();
		expect(t.fake.apiRequests().map((request) => request.status)).toEqual([202, 400]);
		expect(
			result.items.map((item) => [
				item.json.rows ?? String(item.json.error).slice(0, 22),
				item.pairedItem,
			]),
		).toEqual([
			[2, [{ item: 0 }, { item: 2 }]],
			['Item 1 was not importe', { item: 1 }],
			['Appcues API error 400:', [{ item: 3 }, { item: 5 }]],
			['Item 4 was not importe', { item: 4 }],
		]);
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

	it.each([
		['one request', undefined],
		['three requests', { maxRequestSizeMb: 0.05 }],
	])('Wait for Completion lets the bodies go while it polls (%s)', async (_, options) => {
		t.fake.configure({ jobPollsToFinish: 1 });
		const buffers = watchBuffersAtPolls();
		const items = Array.from({ length: 3000 }, (_, n) => ({
			user_id: `user-${String(n).padStart(5, '0')}`,
			plan: ['free', 'pro', 'enterprise'][n % 3],
		}));
		// The body buffers the import allocates (not the fake's, which keeps what it got).
		const result = await buffers.during(
			'allocUnsafe',
			(buffer) => buffer.length >= 16 * 1024 && !!new Error().stack?.includes('fromItems'),
			() =>
				t.run(
					{
						resource: 'import',
						operation: 'profiles',
						source: 'items',
						waitForCompletion: true,
						...(options && { options }),
					},
					{ items },
				),
		);
		expect(result.error).toBeUndefined();
		const requests = t.fake.apiRequests({ method: 'POST' }).length;
		expect(requests).toBe(options ? 3 : 1);
		expect(result.items.map((item) => item.json.status)).toEqual(Array(requests).fill('complete'));
		expect(buffers.watched()).toBeGreaterThan(0);
		expect(buffers.aliveAtPolls.length).toBeGreaterThanOrEqual(requests);
		expect(buffers.aliveAtPolls).toEqual(buffers.aliveAtPolls.map(() => 0));
	});

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

const items = (rows: Array<Record<string, unknown>>): INodeExecutionData[] =>
	rows.map((json) => ({ json: json as never }));

describe('chunking', () => {
	const rowBytes = (json: INodeExecutionData['json']) =>
		Buffer.byteLength((rowLine(json, profiles) as { line: string }).line) + 1;

	it('packs rows in order into bodies of at most maxBytes, never splitting a row', () => {
		const input = items(
			Array.from({ length: 10 }, (_, n) => ({ user_id: `u${n}`, note: 'x'.repeat(n * 3) })),
		);
		const sizes = input.map((item) => rowBytes(item.json));
		const maxBytes = sizes[9] * 3;
		const { chunks, badRows } = planChunks(input, profiles, maxBytes);
		expect(badRows).toEqual([]);
		expect(chunks.flatMap((chunk) => chunk.items)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
		for (const chunk of chunks) {
			expect(chunk.bytes).toBeLessThanOrEqual(maxBytes);
			expect(chunk.bytes).toBe(chunk.items.reduce((sum, index) => sum + sizes[index], 0));
		}
		// Greedy packing: the next row would not have fitted in the chunk before it.
		for (let index = 1; index < chunks.length; index++) {
			expect(chunks[index - 1].bytes + sizes[chunks[index].items[0]]).toBeGreaterThan(maxBytes);
		}
	});

	it('a body exactly at the limit is one request; one byte less makes two', () => {
		const input = items([{ user_id: 'a' }, { user_id: 'b' }]);
		const total = rowBytes(input[0].json) + rowBytes(input[1].json);
		expect(planChunks(input, profiles, total).chunks).toHaveLength(1);
		expect(planChunks(input, profiles, total - 1).chunks).toHaveLength(2);
	});

	it('writes valid NDJSON into a reused buffer', () => {
		const input = items([{ user_id: 'a', plan: 'pro' }, { user_id: 'ü', n: 1 }, { user_id: '' }]);
		const { chunks, badRows } = planChunks(input, profiles, 1000);
		expect(badRows).toEqual([{ itemIndex: 2, reason: '"user_id" is missing or empty' }]);
		const buffer = Buffer.alloc(chunks[0].bytes);
		const body = writeChunk(input, profiles, chunks[0], buffer);
		expect(body.length).toBe(chunks[0].bytes);
		expect(body.toString('utf8').split('\n')).toEqual([
			'{"plan":"pro","user_id":"a"}',
			'{"n":1,"user_id":"ü"}',
			'',
		]);
	});

	it('the first body is written while the rows are checked, byte for byte the NDJSON of its rows', () => {
		// Wide characters, and enough rows to pass the first body's starting size (64 KiB) twice.
		const input = items(
			Array.from({ length: 3_000 }, (_, n) => ({
				user_id: `u${n}-ü`,
				note: n % 7 ? 'x'.repeat(n % 50) : '漢字😀'.repeat(5),
			})),
		);
		for (const maxBytes of [1_000_000, 120_000, 70_000]) {
			const { chunks, first } = planChunks(input, profiles, maxBytes);
			const expected = writeChunk(input, profiles, chunks[0], Buffer.alloc(chunks[0].bytes));
			expect(first.body.equals(expected)).toBe(true);
			expect(first.body.length).toBe(chunks[0].bytes);
			if (maxBytes === 1_000_000) expect(chunks).toHaveLength(1);
			else
				expect(first.body.length + rowBytes(input[chunks[1].items[0]].json)).toBeGreaterThan(
					maxBytes,
				);
		}
	});

	it('the first body is allocated once at its full size: rows near the limit do not copy it again', () => {
		// ASCII rows: the quick 3-bytes-per-character estimate overshoots near the end of the body,
		// where each row's exact size still fits the buffer already there.
		const input = items(
			Array.from({ length: 10_000 }, (_, n) => ({ user_id: `user-${n}`, plan: 'pro' })),
		);
		const maxBytes = 300_000;
		const allocate = vi.spyOn(Buffer, 'allocUnsafe');
		try {
			const { chunks, first } = planChunks(input, profiles, maxBytes);
			expect(chunks.length).toBeGreaterThan(1);
			expect(first.body.length).toBe(chunks[0].bytes);
			const allocated = allocate.mock.calls.reduce((sum, [size]) => sum + size, 0);
			// The empty start, 64 KiB while the first rows show their size, then one body of maxBytes.
			expect(allocated).toBeLessThanOrEqual(64 * 1024 + maxBytes);
		} finally {
			allocate.mockRestore();
		}
	});

	it('a row too large for any request is left out of the first body, which stays open', () => {
		const input = items([
			{ user_id: 'a' },
			{ user_id: 'b', blob: 'x'.repeat(100) },
			{ user_id: 'c' },
		]);
		const { chunks, badRows, first } = planChunks(input, profiles, 50);
		expect(badRows.map((bad) => bad.itemIndex)).toEqual([1]);
		expect(chunks).toEqual([{ items: [0, 2], bytes: first.body.length }]);
		expect(first.body.toString('utf8')).toBe('{"user_id":"a"}\n{"user_id":"c"}\n');
	});

	it("the later bodies reuse the first body's buffer, or a larger one in its place", () => {
		const input = items(Array.from({ length: 40 }, (_, n) => ({ user_id: `u${n}` })));
		const { chunks, first } = planChunks(input, profiles, 200);
		expect(chunks.length).toBeGreaterThan(2);
		const own = first.body.buffer;
		const reused = first.handOver(Math.max(...chunks.slice(1).map((chunk) => chunk.bytes)));
		expect(reused.buffer).toBe(own);
		expect(first.body.length).toBe(0);
		const again = planChunks(input, profiles, 200).first;
		expect(again.handOver(1_000_000).length).toBe(1_000_000);
	});

	it('a row larger than the limit is a bad row', () => {
		const { chunks, badRows } = planChunks(
			items([{ user_id: 'a', blob: 'x'.repeat(100) }, { user_id: 'b' }]),
			profiles,
			50,
		);
		expect(badRows[0]).toMatchObject({
			itemIndex: 0,
			reason: expect.stringContaining('above the 50 bytes request limit'),
		});
		expect(chunks).toEqual([{ items: [1], bytes: Buffer.byteLength('{"user_id":"b"}\n') }]);
	});
});
