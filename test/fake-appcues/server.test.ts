/**
 * The fake Appcues server's bulk-data routes over real HTTP (`fetch`): body limits, bulk import
 * (NDJSON, CSV, multipart), jobs, segment membership files, exports, analytics, GDPR erasure and
 * the control API. These pin the contract the node is written against.
 */
import { request as httpRequest } from 'node:http';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { parseCsvRecords, parseIdColumn, parseImport, parseImportTimestamp, toCsv } from './bulk';
import { buildMultipart, parseMultipart } from './multipart';
import { seedDemoData } from './seed';
import { createJob, DEFAULT_ACCOUNT, FakeAppcues, type FakeAppcuesOptions } from './server';

const AUTH = `Basic ${Buffer.from(`${DEFAULT_ACCOUNT.apiKey}:${DEFAULT_ACCOUNT.apiSecret}`).toString('base64')}`;
const LEGACY_AUTH = `Basic ${Buffer.from(`${DEFAULT_ACCOUNT.legacyApiKey}:`).toString('base64')}`;

function useFake(options: FakeAppcuesOptions = {}) {
	const context = {} as {
		fake: FakeAppcues;
		/** fetch against /v2/accounts/12345{path} with the v2 credentials. */
		api: (path: string, init?: RequestInit) => Promise<Response>;
		/** POST a body with a content type. */
		post: (
			path: string,
			body: NonNullable<RequestInit['body']>,
			contentType?: string,
		) => Promise<Response>;
		json: (path: string, body: unknown, method?: string) => Promise<Response>;
	};
	beforeEach(async () => {
		context.fake = new FakeAppcues({ rateLimitPerSecond: 0, ...options });
		await context.fake.start();
		context.api = (path, init = {}) =>
			fetch(`${context.fake.url}/v2/accounts/12345${path}`, {
				...init,
				headers: { authorization: AUTH, ...(init.headers as Record<string, string>) },
			});
		context.post = (path, body, contentType) =>
			context.api(path, {
				method: 'POST',
				body,
				headers: contentType ? { 'content-type': contentType } : {},
			});
		context.json = (path, body, method = 'POST') =>
			context.api(path, {
				method,
				body: JSON.stringify(body),
				headers: { 'content-type': 'application/json' },
			});
	});
	afterEach(async () => {
		await context.fake.close();
	});
	return context;
}

async function problem(response: Response) {
	expect(response.headers.get('content-type')).toBe('application/json');
	const body = (await response.json()) as {
		error: boolean;
		status: number;
		title: string;
		detail: string;
	};
	expect(body.error).toBe(true);
	expect(body.status).toBe(response.status);
	return body;
}

function form(name: string, data: string, type: string, filename: string) {
	const body = new FormData();
	body.append(name, new Blob([data], { type }), filename);
	return body;
}

describe('body size limits', () => {
	const t = useFake({ maxBodyBytes: 1000, maxFileBytes: 2000 });

	/** A JSON object of exactly `size` bytes. */
	const jsonOfSize = (size: number) => {
		const base = JSON.stringify({ pad: '' });
		return JSON.stringify({ pad: 'x'.repeat(size - base.length) });
	};

	it('a body of exactly maxBodyBytes passes, one byte more is 413 with an Appcues error body', async () => {
		const ok = await t
			.post('/users/u1/profile', jsonOfSize(1000), 'application/json')
			.then(async (r) => [r.status, await r.text()]);
		// PATCH is the real verb; POST proves the body was read in full before routing (405 not 413).
		expect(ok[0]).toBe(405);
		const exact = await t.json('/users/u1/profile', JSON.parse(jsonOfSize(1000)), 'PATCH');
		expect(exact.status).toBe(200);
		const over = await t.json('/users/u1/profile', JSON.parse(jsonOfSize(1001)), 'PATCH');
		expect(over.status).toBe(413);
		expect(await problem(over)).toEqual({
			error: true,
			status: 413,
			title: 'Payload Too Large',
			detail: 'the request body is larger than the 1000 bytes limit',
		});
		const [, patched, refused] = t.fake.requests;
		expect([patched.bytes, patched.status]).toEqual([1000, 200]);
		expect([refused.bytes, refused.status, refused.rawBody]).toEqual([1001, 413, '']);
		expect(t.fake.state().users.get('u1')?.properties.pad).toHaveLength(1000 - 10);
	});

	it('stops reading a chunked body as soon as it passes the limit, without buffering the rest', async () => {
		const chunk = new Uint8Array(64 * 1024).fill(120);
		let sent = 0;
		const stream = new ReadableStream<Uint8Array>({
			pull(controller) {
				if (sent >= 50 * 1024 * 1024) return controller.close();
				sent += chunk.length;
				controller.enqueue(chunk);
			},
		});
		// Stop the upload once the answer is in: the server ends the connection after its lingering
		// close, and a body still being sent then fails with ECONNRESET outside the test.
		const upload = new AbortController();
		const response = await t.api('/import/profiles', {
			method: 'POST',
			body: stream,
			headers: { 'content-type': 'application/x-ndjson' },
			duplex: 'half',
			signal: upload.signal,
		} as RequestInit);
		upload.abort();
		expect(response.status).toBe(413);
		const [record] = t.fake.requests;
		expect(record.bytes).toBeGreaterThan(1000);
		expect(record.bytes).toBeLessThanOrEqual(1000 + chunk.length);
		// The server answered long before the 50 MB were sent.
		expect(sent).toBeLessThan(50 * 1024 * 1024);
	});

	it('a declared Content-Length above the limit is refused before reading, and the server keeps serving', async () => {
		const response = await t.post(
			'/import/profiles',
			'x'.repeat(3_000_000),
			'application/x-ndjson',
		);
		expect(response.status).toBe(413);
		expect(t.fake.requests[0].bytes).toBe(3_000_000);
		// Node's own http client (axios, n8n) also gets the 413, not EPIPE.
		const status = await new Promise<number>((resolve, reject) => {
			const request = httpRequest(`${t.fake.url}/v2/accounts/12345/import/profiles`, {
				method: 'POST',
				headers: {
					authorization: AUTH,
					'content-type': 'application/x-ndjson',
					'content-length': 8_000_000,
				},
			});
			request.on('response', (res) => {
				res.resume();
				// Stop sending the rest of the body: the answer is in, and closing the fake mid-upload
				// would end the write with an ECONNRESET that outlives the test.
				request.destroy();
				resolve(res.statusCode ?? 0);
			});
			request.on('error', reject);
			request.end(Buffer.alloc(8_000_000, 120));
		});
		expect(status).toBe(413);
		expect((await t.api('/tags')).status).toBe(200);
	});

	it('multipart file uploads are limited by maxFileBytes instead (exactly the limit passes, one more byte fails)', async () => {
		const rows = (size: number) => {
			const header = 'user_id,pad\n';
			const prefix = 'u1,';
			return header + prefix + 'p'.repeat(size - header.length - prefix.length - 1) + '\n';
		};
		const exact = await t.post(
			'/import/profiles',
			form('file', rows(2000), 'text/csv', 'users.csv'),
		);
		expect(exact.status).toBe(202);
		expect(t.fake.requests[0].bytes).toBeGreaterThan(2000);
		expect(t.fake.state().imports[0]).toMatchObject({
			bytes: 2000,
			via: 'multipart',
			fileName: 'users.csv',
		});

		const over = await t.post(
			'/import/profiles',
			form('file', rows(2001), 'text/csv', 'users.csv'),
		);
		expect(over.status).toBe(413);
		expect((await problem(over)).detail).toBe(
			'the uploaded file is larger than the 2000 bytes limit',
		);

		// A multipart body to a route that takes no files keeps the ordinary limit.
		const notUpload = await t.post(
			'/segments',
			form('file', 'x'.repeat(1500), 'text/plain', 'a.txt'),
		);
		expect(notUpload.status).toBe(413);
		expect((await problem(notUpload)).detail).toBe(
			'the request body is larger than the 1000 bytes limit',
		);
	});

	it('defaults to 20 MB bodies and 200 MB files, in decimal megabytes (the smaller reading of "MB")', () => {
		const fake = new FakeAppcues();
		expect([fake.maxBodyBytes, fake.maxFileBytes, fake.gdprMaxFileBytes]).toEqual([
			20_000_000, 200_000_000, 8_000_000,
		]);
	});

	it('refuses a body one byte above 20,000,000 by default, although it is below 20 MiB', async () => {
		const fake = new FakeAppcues({ rateLimitPerSecond: 0 });
		await fake.start();
		try {
			const declared = async (bytes: number) =>
				await new Promise<{ status: number; body: string }>((resolve, reject) => {
					const request = httpRequest(`${fake.url}/v2/accounts/12345/import/profiles`, {
						method: 'POST',
						headers: {
							authorization: AUTH,
							'content-type': 'application/x-ndjson',
							'content-length': bytes,
						},
					});
					request.on('response', (res) => {
						const chunks: Buffer[] = [];
						res.on('data', (chunk: Buffer) => chunks.push(chunk));
						res.on('end', () => {
							request.destroy();
							resolve({
								status: res.statusCode ?? 0,
								body: Buffer.concat(chunks).toString('utf8'),
							});
						});
					});
					request.on('error', reject);
					// Nothing is sent: the declared length alone is judged, so the 20 MB are never built.
					request.flushHeaders();
				});
			const over = await declared(20_000_001);
			expect(over.status).toBe(413);
			expect(JSON.parse(over.body).detail).toBe('the request body is larger than the 20 MB limit');
		} finally {
			await fake.close();
		}
	});
});

describe('bulk import', () => {
	const t = useFake();

	it('NDJSON profiles: 202 with a job, users merged, import recorded', async () => {
		t.fake.state().users.set('u1', { properties: { plan: 'free', seats: 1 }, events: [] });
		const body = '{"user_id":"u1","plan":"pro"}\n{"user_id":"u2","plan":"trial","tags":["a"]}\n';
		const response = await t.post('/import/profiles', body, 'application/x-ndjson');
		expect(response.status).toBe(202);
		const job = (await response.json()) as Record<string, unknown>;
		expect(job).toEqual({
			job_id: expect.any(String),
			job_url: `${t.fake.url}/v2/accounts/12345/jobs/${job.job_id}`,
			status: 202,
			title: 'Accepted',
		});
		expect(t.fake.state().users.get('u1')?.properties).toEqual({ plan: 'pro', seats: 1 });
		expect(t.fake.state().users.get('u2')?.properties).toEqual({ plan: 'trial', tags: ['a'] });
		expect(t.fake.state().imports).toEqual([
			{
				kind: 'profiles',
				format: 'ndjson',
				via: 'body',
				rows: 2,
				bytes: Buffer.byteLength(body),
				jobId: job.job_id,
				applied: true,
				records: [
					{ user_id: 'u1', plan: 'pro' },
					{ user_id: 'u2', plan: 'trial', tags: ['a'] },
				],
			},
		]);
		expect(t.fake.requests[0]).toMatchObject({
			bytes: Buffer.byteLength(body),
			rawBody: body,
			body,
			status: 202,
		});
	});

	it('a malformed NDJSON line is a 400 naming the line, and nothing is applied', async () => {
		const response = await t.post(
			'/import/profiles',
			'{"user_id":"u1"}\n{"user_id":"u2",}\n',
			'application/x-ndjson',
		);
		expect(response.status).toBe(400);
		expect((await problem(response)).detail).toMatch(/^line 2: not valid JSON/);
		expect(t.fake.state().users.size).toBe(0);
		expect(t.fake.state().imports).toEqual([]);
		expect(t.fake.state().jobs.size).toBe(0);

		const cases: Array<[string, string]> = [
			[
				'{"user_id":"u1"}\n\n{"user_id":"u2"}\n',
				'line 2: blank line (NDJSON needs one JSON object per line)',
			],
			['{"user_id":"u1"}\n\n', 'line 2: blank line (NDJSON needs one JSON object per line)'],
			['["u1"]\n', 'line 1: expected a JSON object, got an array'],
			['{"plan":"pro"}', 'line 1: user_id is required'],
			['{"user_id":""}', 'line 1: user_id is empty'],
			['{"user_id":7}', 'line 1: user_id must be a string'],
			['', 'the request body is empty'],
		];
		for (const [body, detail] of cases) {
			const bad = await t.post('/import/profiles', body, 'application/x-ndjson');
			expect([bad.status, (await problem(bad)).detail]).toEqual([400, detail]);
		}
		// CRLF lines and no trailing newline are fine.
		const ok = await t.post(
			'/import/profiles',
			'{"user_id":"u1"}\r\n{"user_id":"u2"}',
			'application/x-ndjson',
		);
		expect(ok.status).toBe(202);
	});

	it('CSV with RFC 4180 quoting: commas, doubled quotes, newlines inside quotes, CRLF, empty cells', async () => {
		const csv =
			'user_id,name,note,plan\r\n' +
			'u1,"Lovelace, Ada","said ""hi""",pro\r\n' +
			'"u,2","Multi\nLine","",\r\n' +
			'u3,Plain,x,"trial"\r\n';
		const response = await t.post('/import/profiles', csv, 'text/csv; charset=utf-8');
		expect(response.status).toBe(202);
		const users = t.fake.state().users;
		expect(users.get('u1')?.properties).toEqual({
			name: 'Lovelace, Ada',
			note: 'said "hi"',
			plan: 'pro',
		});
		// Empty cells set nothing.
		expect(users.get('u,2')?.properties).toEqual({ name: 'Multi\nLine' });
		expect(users.get('u3')?.properties).toEqual({ name: 'Plain', note: 'x', plan: 'trial' });
		expect(t.fake.state().imports[0]).toMatchObject({ kind: 'profiles', format: 'csv', rows: 3 });
	});

	it('CSV errors name the missing column or the line', async () => {
		const cases: Array<[string, string]> = [
			[
				'email,plan\na@example.com,pro\n',
				'the CSV header has no user_id column (found: email,plan)',
			],
			['user_id,plan\nu1,pro\n,free\n', 'line 3: user_id is empty'],
			['user_id,plan\nu1,pro,extra\n', 'line 2: the row has 3 fields, the header has 2'],
			['user_id,plan\nu1,"pro\n', 'line 2: unterminated quoted field'],
			[
				'user_id,plan\nu1,pr"o\n',
				'line 2: a quote inside an unquoted field (quote the whole field and double the quote)',
			],
			['user_id,plan\nu1,"pro"x\n', 'line 2: unexpected character "x" after a closing quote'],
			['user_id,user_id\nu1,u2\n', 'line 1: the CSV header names column "user_id" twice'],
			['user_id,plan\n', 'the body has no rows'],
		];
		for (const [csv, detail] of cases) {
			const response = await t.post('/import/profiles', csv, 'text/csv');
			expect([response.status, (await problem(response)).detail]).toEqual([400, detail]);
		}
		const groups = await t.post('/import/groups', 'user_id,name\nu1,Acme\n', 'text/csv');
		expect((await problem(groups)).detail).toBe(
			'the CSV header has no group_id column (found: user_id,name)',
		);
		const events = await t.post('/import/events', 'user_id,name\nu1,signed_up\n', 'text/csv');
		expect((await problem(events)).detail).toBe(
			'the CSV header has no timestamp column (found: user_id,name)',
		);
	});

	it('groups: properties merged by group_id', async () => {
		t.fake
			.state()
			.groups.set('acme', { properties: { tier: 'pro', region: 'EMEA' }, users: new Set(['u1']) });
		const response = await t.post(
			'/import/groups',
			'group_id,tier,name\nacme,enterprise,Acme\nglobex,pro,Globex\n',
			'text/csv',
		);
		expect(response.status).toBe(202);
		expect(t.fake.state().groups.get('acme')).toEqual({
			properties: { tier: 'enterprise', region: 'EMEA', name: 'Acme' },
			users: new Set(['u1']),
		});
		expect(t.fake.state().groups.get('globex')?.properties).toEqual({
			tier: 'pro',
			name: 'Globex',
		});
	});

	it('events: user_id, name and a parseable timestamp are required; rows go to the user events', async () => {
		const good =
			'{"user_id":"u1","name":"signed_up","timestamp":"2026-11-01T09:00:00Z","attributes":{"plan":"pro"}}\n' +
			'{"user_id":"u1","name":"invited","timestamp":1793523600,"group_id":"acme"}\n';
		expect((await t.post('/import/events', good, 'application/x-ndjson')).status).toBe(202);
		expect(t.fake.state().users.get('u1')?.events).toEqual([
			{ name: 'signed_up', timestamp: '2026-11-01T09:00:00Z', attributes: { plan: 'pro' } },
			{ name: 'invited', timestamp: 1793523600, group_id: 'acme' },
		]);
		expect(t.fake.state().groups.get('acme')?.users).toEqual(new Set(['u1']));

		const cases: Array<[string, string]> = [
			['{"user_id":"u1","timestamp":"2026-11-01"}', 'line 1: name is required'],
			['{"user_id":"u1","name":"x"}', 'line 1: timestamp is required'],
			[
				'{"user_id":"u1","name":"x","timestamp":"yesterday"}',
				'line 1: timestamp "yesterday" is not ISO 8601 or Unix time',
			],
			[
				'{"user_id":"u1","name":"x","timestamp":"2026-02-30"}',
				'line 1: timestamp "2026-02-30" is not ISO 8601 or Unix time',
			],
			['{"name":"x","timestamp":1}', 'line 1: user_id is required'],
			[
				'{"user_id":"u1","name":"x","timestamp":1,"plan":"pro"}',
				'line 1: unknown field plan (event properties go under attributes)',
			],
			[
				'{"user_id":"u1","name":"x","timestamp":1,"attributes":[1]}',
				'line 1: attributes must be an object',
			],
		];
		for (const [body, detail] of cases) {
			const response = await t.post('/import/events', body, 'application/x-ndjson');
			expect([response.status, (await problem(response)).detail]).toEqual([400, detail]);
		}

		// CSV: other columns become attributes (as strings); Unix seconds as digits are fine.
		const csv =
			'user_id,name,timestamp,plan\nu2,upgraded,1793523600,pro\nu2,"visited, twice",2026-11-01 10:00:00,\n';
		expect((await t.post('/import/events', csv, 'text/csv')).status).toBe(202);
		expect(t.fake.state().users.get('u2')?.events).toEqual([
			{ name: 'upgraded', timestamp: '1793523600', attributes: { plan: 'pro' } },
			{ name: 'visited, twice', timestamp: '2026-11-01 10:00:00' },
		]);
		const badCsv = await t.post(
			'/import/events',
			'user_id,name,timestamp\nu2,x,2026-11-01\nu2,y,soon\n',
			'text/csv',
		);
		expect((await problem(badCsv)).detail).toBe(
			'line 3: timestamp "soon" is not ISO 8601 or Unix time',
		);
	});

	it('multipart: the file part is CSV or NDJSON by its content type, else by its extension', async () => {
		const ndjson = '{"user_id":"n1","plan":"pro"}\n';
		const cases: Array<[string, string, string]> = [
			['text/csv', 'export.txt', 'user_id,plan\nc1,pro\n'],
			['application/octet-stream', 'users.CSV', 'user_id,plan\nc2,pro\n'],
			['application/x-ndjson', 'data.bin', ndjson],
			['application/octet-stream', 'users.jsonl', '{"user_id":"n2"}\n'],
			['', 'users.ndjson', '{"user_id":"n3"}\n'],
		];
		for (const [type, filename, data] of cases) {
			const response = await t.post('/import/profiles', form('file', data, type, filename));
			expect(response.status, `${type} ${filename}`).toBe(202);
		}
		expect(t.fake.state().imports.map((entry) => [entry.format, entry.fileName])).toEqual([
			['csv', 'export.txt'],
			['csv', 'users.CSV'],
			['ndjson', 'data.bin'],
			['ndjson', 'users.jsonl'],
			['ndjson', 'users.ndjson'],
		]);
		expect([...t.fake.state().users.keys()]).toEqual(['c1', 'c2', 'n1', 'n2', 'n3']);
		expect(t.fake.requests[0].parts).toEqual([
			{ name: 'file', filename: 'export.txt', contentType: 'text/csv', bytes: 20 },
		]);

		const unknown = await t.post(
			'/import/profiles',
			form('file', ndjson, 'application/octet-stream', 'users.txt'),
		);
		expect(unknown.status).toBe(415);
		expect((await problem(unknown)).detail).toMatch(
			/cannot tell whether the file is CSV or NDJSON/,
		);
		const noFile = await t.post(
			'/import/profiles',
			form('data', ndjson, 'application/x-ndjson', 'a.ndjson'),
		);
		expect([noFile.status, (await problem(noFile)).detail]).toEqual([
			400,
			'the multipart body needs a part named "file"',
		]);
		const badCsv = await t.post(
			'/import/profiles',
			form('file', 'email\nx@y.z\n', 'text/csv', 'a.csv'),
		);
		expect((await problem(badCsv)).detail).toBe(
			'the CSV header has no user_id column (found: email)',
		);
	});

	it('multipart bodies built by hand: extra fields ignored, malformed bodies are 400', async () => {
		const { body, contentType } = buildMultipart([
			{ name: 'note', data: 'ignored' },
			{ name: 'file', filename: 'g.csv', contentType: 'text/csv', data: 'group_id,tier\ng1,pro\n' },
		]);
		expect((await t.post('/import/groups', body, contentType)).status).toBe(202);
		expect(t.fake.state().groups.get('g1')?.properties).toEqual({ tier: 'pro' });

		const truncated = body.subarray(0, body.length - 10);
		const noClose = await t.post('/import/groups', truncated, contentType);
		expect([noClose.status, (await problem(noClose)).detail]).toEqual([
			400,
			'malformed multipart body: the multipart body ends without a closing boundary',
		]);
		const noBoundary = await t.post('/import/groups', body, 'multipart/form-data');
		expect((await problem(noBoundary)).detail).toBe(
			'malformed multipart body: the multipart/form-data content type has no boundary parameter',
		);
		const wrongBoundary = await t.post(
			'/import/groups',
			body,
			'multipart/form-data; boundary=nope',
		);
		expect((await problem(wrongBoundary)).detail).toBe(
			'malformed multipart body: the body does not contain the boundary "nope"',
		);
	});

	it('other content types are 415; unknown kinds are 404', async () => {
		for (const type of ['application/json', 'text/plain', 'application/ndjson']) {
			const response = await t.post('/import/profiles', '{"user_id":"u1"}', type);
			expect(response.status).toBe(415);
			expect((await problem(response)).detail).toBe(
				`expected one of application/x-ndjson, text/csv, multipart/form-data, got ${type}`,
			);
		}
		expect(
			(await t.post('/import/users', '{"user_id":"u1"}\n', 'application/x-ndjson')).status,
		).toBe(404);
		expect((await t.api('/import/profiles')).status).toBe(405);
	});
});

describe('jobs', () => {
	const t = useFake();

	async function statuses(jobId: string, polls: number) {
		const seen: unknown[] = [];
		for (let poll = 0; poll < polls; poll++) {
			const job = (await (await t.api(`/jobs/${jobId}`)).json()) as Record<string, unknown>;
			seen.push(job.detail === undefined ? job.status : [job.status, job.detail]);
		}
		return seen;
	}

	const importOne = async (userId = 'u1') => {
		const response = await t.post(
			'/import/profiles',
			`{"user_id":"${userId}","plan":"pro"}\n`,
			'application/x-ndjson',
		);
		return ((await response.json()) as { job_id: string }).job_id;
	};

	it('queued on the first poll, running, then complete', async () => {
		const jobId = await importOne();
		expect(await statuses(jobId, 4)).toEqual(['queued', 'running', 'complete', 'complete']);
		const job = (await (await t.api(`/jobs/${jobId}`)).json()) as Record<string, unknown>;
		expect(job).toEqual({
			id: jobId,
			name: 'import profiles',
			status: 'complete',
			started_at: expect.any(String),
			url: `${t.fake.url}/v2/accounts/12345/jobs/${jobId}`,
		});
	});

	it('failNextJobs: the next jobs end "failed" with the reason in detail, and change nothing', async () => {
		t.fake.failNextJobs(2, 'line 1: user u1 is locked');
		const first = await importOne('u1');
		const second = await importOne('u2');
		const third = await importOne('u3');
		expect(await statuses(first, 3)).toEqual([
			'queued',
			'running',
			['failed', 'line 1: user u1 is locked'],
		]);
		expect(await statuses(second, 3)).toEqual([
			'queued',
			'running',
			['failed', 'line 1: user u1 is locked'],
		]);
		expect(await statuses(third, 3)).toEqual(['queued', 'running', 'complete']);
		expect([...t.fake.state().users.keys()]).toEqual(['u3']);
		expect(t.fake.state().imports.map((entry) => entry.applied)).toEqual([false, false, true]);

		t.fake.failNextJobs();
		expect(await statuses(await importOne(), 3)).toEqual([
			'queued',
			'running',
			['failed', 'the job could not be completed: the data could not be processed'],
		]);
	});

	it('stallNextJobs: the job never finishes', async () => {
		t.fake.stallNextJobs(1);
		const stalled = await importOne('u1');
		const normal = await importOne('u2');
		expect(await statuses(stalled, 8)).toEqual(['queued', ...Array(7).fill('running')]);
		expect(await statuses(normal, 3)).toEqual(['queued', 'running', 'complete']);
		expect(t.fake.state().users.has('u1')).toBe(false);
	});

	it("statusStyle 'numeric': 202 while queued or running, 200 when done, 422 when failed", async () => {
		t.fake.configure({ statusStyle: 'numeric', jobPollsToFinish: 3 });
		t.fake.failNextJobs(1, 'bad rows');
		const failed = await importOne('u1');
		const done = await importOne('u2');
		expect(await statuses(failed, 4)).toEqual([202, 202, 202, [422, 'bad rows']]);
		expect(await statuses(done, 4)).toEqual([202, 202, 202, 200]);
	});

	it('createJob takes options for tests that make jobs directly', async () => {
		const base = `${t.fake.url}/v2/accounts/12345`;
		const failed = createJob(t.fake.state(), base, 'import events', {
			fail: 'boom',
			pollsToFinish: 1,
		});
		const stalled = createJob(t.fake.state(), base, 'import events', { stall: true });
		const legacy = createJob(t.fake.state(), base, 'import events', 'done');
		expect(await statuses(failed.job_id, 2)).toEqual(['queued', ['failed', 'boom']]);
		expect(await statuses(stalled.job_id, 4)).toEqual(['queued', 'running', 'running', 'running']);
		expect(await statuses(legacy.job_id, 3)).toEqual(['queued', 'running', 'done']);
		const list = (await (await t.api('/jobs')).json()) as Array<{ id: string }>;
		expect(list.map((job) => job.id)).toEqual([failed.job_id, stalled.job_id, legacy.job_id]);
	});
});

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

	it('exports: 202 job, queued → running → done with a re-minted download_url; the download refuses Authorization', async () => {
		const created = await t.json('/analytics/exports', {
			columns: ['user_id', 'name'],
			conditions: [['user_id', '==', 'ada']],
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

	it('exports in JSON format download as JSON', async () => {
		const created = await t.json('/analytics/exports', {
			columns: ['user_id'],
			conditions: [['user_id', '==', 'alan']],
			format: 'json',
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

describe('GDPR erasure (v1, legacy key)', () => {
	const t = useFake({ seed: seedDemoData, gdprMaxFileBytes: 1000 });
	const gdpr = (body: NonNullable<RequestInit['body']>, headers: Record<string, string>) =>
		fetch(`${t.fake.url}/v1/gdpr/delete`, { method: 'POST', body, headers });

	it('JSON users with the legacy key: erased from users, groups and segments', async () => {
		const response = await gdpr(JSON.stringify({ users: ['ada', 'alan'] }), {
			authorization: LEGACY_AUTH,
			'content-type': 'application/json',
		});
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({ ok: true, message: 'accepted 2 users for deletion' });
		const state = t.fake.state();
		expect(state.users.has('ada')).toBe(false);
		expect(state.groups.get('acme')?.users).toEqual(new Set(['grace']));
		expect(state.segments.get('seg-admins')?.user_ids).toEqual(new Set(['katherine']));
		expect(state.gdprDeleted).toEqual(['ada', 'alan']);
		expect(state.gdprRequests).toEqual([
			{ users: ['ada', 'alan'], via: 'json', at: expect.any(String) },
		]);
		expect(t.fake.requests[0].accountId).toBe('12345');
	});

	it('a missing or wrong legacy key is 401', async () => {
		const body = JSON.stringify({ users: ['ada'] });
		const json = { 'content-type': 'application/json' };
		const missing = await gdpr(body, json);
		expect([missing.status, (await problem(missing)).detail]).toEqual([
			401,
			'a legacy API key is required (Basic auth: the key as user, an empty password)',
		]);
		const wrongKeys = [
			`Basic ${Buffer.from('wrong-key:').toString('base64')}`,
			`Basic ${Buffer.from(`${DEFAULT_ACCOUNT.legacyApiKey}:not-empty`).toString('base64')}`,
			AUTH,
			`Bearer ${DEFAULT_ACCOUNT.legacyApiKey}`,
		];
		for (const authorization of wrongKeys) {
			const response = await gdpr(body, { ...json, authorization });
			expect(response.status).toBe(401);
		}
		expect(t.fake.state().gdprDeleted).toEqual([]);
	});

	it('a multipart single-column CSV below 8 MB (here: the test limit)', async () => {
		const csv = await gdpr(form('file', 'user_id\nada\n"grace"\n', 'text/csv', 'erase.csv'), {
			authorization: LEGACY_AUTH,
		});
		expect(csv.status).toBe(200);
		expect(await csv.json()).toEqual({ ok: true, message: 'accepted 2 users for deletion' });
		const headerless = await gdpr(form('file', 'alan\r\n', 'text/csv', 'erase.csv'), {
			authorization: LEGACY_AUTH,
		});
		expect(headerless.status).toBe(200);
		expect(t.fake.state().gdprRequests.map((entry) => [entry.via, entry.users])).toEqual([
			['csv', ['ada', 'grace']],
			['csv', ['alan']],
		]);

		const justBelow = 'user_id\n' + 'k'.repeat(999 - 'user_id\n'.length - 1) + '\n';
		expect(Buffer.byteLength(justBelow)).toBe(999);
		expect(
			(await gdpr(form('file', justBelow, 'text/csv', 'erase.csv'), { authorization: LEGACY_AUTH }))
				.status,
		).toBe(200);
		const atLimit = justBelow.replace('k', 'kk');
		const refused = await gdpr(form('file', atLimit, 'text/csv', 'erase.csv'), {
			authorization: LEGACY_AUTH,
		});
		expect([refused.status, (await problem(refused)).detail]).toEqual([
			413,
			'the CSV file must be smaller than 1000 bytes',
		]);

		const twoColumns = await gdpr(
			form('file', 'user_id,email\nada,a@b.c\n', 'text/csv', 'erase.csv'),
			{ authorization: LEGACY_AUTH },
		);
		expect([twoColumns.status, (await problem(twoColumns)).detail]).toEqual([
			400,
			'line 1: the CSV must have a single user_id column, found 2 columns',
		]);
		const rawCsv = await gdpr('ada\n', { authorization: LEGACY_AUTH, 'content-type': 'text/csv' });
		expect(rawCsv.status).toBe(415);
		const empty = await gdpr(JSON.stringify({ users: [] }), {
			authorization: LEGACY_AUTH,
			'content-type': 'application/json',
		});
		expect([empty.status, (await problem(empty)).detail]).toEqual([
			400,
			'users must be a non-empty array of user ids',
		]);
	});
});

describe('control API', () => {
	const t = useFake();
	const control = (path: string, body?: unknown) =>
		fetch(
			`${t.fake.url}/__fake/${path}`,
			body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) },
		);

	it('state shows imports, exports, analytics exports and GDPR erasures; jobs can be planned to fail or stall', async () => {
		await control('jobs', { fail: 1, reason: 'nope', stall: 1 });
		await control('settings', { statusStyle: 'numeric', jobPollsToFinish: 1 });
		const failing = (await (
			await t.post('/import/profiles', '{"user_id":"u1"}\n', 'application/x-ndjson')
		).json()) as { job_id: string };
		const stalling = (await (
			await t.post('/import/profiles', '{"user_id":"u2"}\n', 'application/x-ndjson')
		).json()) as { job_id: string };
		await t.post('/import/profiles', '{"user_id":"u3"}\n', 'application/x-ndjson');
		await t.json('/export/events', { start_time: '2026-01-01', end_time: '2026-01-02' });
		await t.json('/analytics/exports', {
			metrics: ['events'],
			start_time: '2026-01-01',
			end_time: '2026-01-02',
		});
		await fetch(`${t.fake.url}/v1/gdpr/delete`, {
			method: 'POST',
			body: JSON.stringify({ users: ['u3'] }),
			headers: { authorization: LEGACY_AUTH, 'content-type': 'application/json' },
		});
		const poll = async (id: string) =>
			((await (await t.api(`/jobs/${id}`)).json()) as { status: number }).status;
		expect([await poll(failing.job_id), await poll(failing.job_id)]).toEqual([202, 422]);
		expect([await poll(stalling.job_id), await poll(stalling.job_id)]).toEqual([202, 202]);

		const state = (await (await control('state/12345')).json()) as Record<string, unknown>;
		expect(
			(state.imports as Array<Record<string, unknown>>).map((entry) => [entry.rows, entry.applied]),
		).toEqual([
			[1, false],
			[1, false],
			[1, true],
		]);
		expect(state.exports).toEqual([
			{
				kind: 'events',
				request: { start_time: '2026-01-01', end_time: '2026-01-02' },
				jobId: expect.any(String),
			},
		]);
		expect(Object.values(state.analyticsExports as Record<string, unknown>)).toEqual([
			expect.objectContaining({
				outcome: 'done',
				row_count: 1,
				spec: { metrics: ['events'], start_time: '2026-01-01', end_time: '2026-01-02' },
			}),
		]);
		expect(state.gdprDeleted).toEqual(['u3']);
		expect(state.users).toEqual({});

		await control('settings', { maxBodyBytes: 10 });
		expect(
			(await t.post('/import/profiles', '{"user_id":"u4"}\n', 'application/x-ndjson')).status,
		).toBe(413);
		const requests = (await (await control('requests')).json()) as Array<{
			bytes: number;
			status: number;
		}>;
		expect(requests.at(-1)).toMatchObject({ bytes: 17, status: 413 });
	});

	it('recordBodies off keeps neither bodies nor imported rows', async () => {
		t.fake.configure({ recordBodies: false });
		await t.post('/import/profiles', '{"user_id":"u1","plan":"pro"}\n', 'application/x-ndjson');
		expect(t.fake.requests[0]).toMatchObject({ rawBody: '', bytes: 30, status: 202 });
		expect(t.fake.state().imports[0]).toMatchObject({ rows: 1, records: [] });
		expect(t.fake.state().users.get('u1')?.properties).toEqual({ plan: 'pro' });
	});
});

describe('parsers', () => {
	it('CSV records: quoting, CRLF, BOM, trailing blank lines, line numbers', () => {
		expect(parseCsvRecords('\uFEFFa,b\r\n"x\r\ny","q""q"\n\n\n')).toEqual([
			{ fields: ['a', 'b'], line: 1 },
			{ fields: ['x\r\ny', 'q"q'], line: 2 },
		]);
		expect(parseCsvRecords('a\n""\n')).toEqual([
			{ fields: ['a'], line: 1 },
			{ fields: [''], line: 2 },
		]);
		expect(parseCsvRecords('a,\n,b')).toEqual([
			{ fields: ['a', ''], line: 1 },
			{ fields: ['', 'b'], line: 2 },
		]);
		expect(parseIdColumn('user_id\nu1\n', { headerRequired: true })).toEqual(['u1']);
		expect(parseImport('profiles', 'csv', 'user_id,n\n"u\n1",2\nu2,3')).toEqual([
			{ user_id: 'u\n1', n: '2' },
			{ user_id: 'u2', n: '3' },
		]);
		const rows = [
			{ a: 'x,y', b: 'say "hi"' },
			{ a: 'line\nbreak', c: 1 },
		];
		expect(toCsv(rows)).toBe('a,b,c\r\n"x,y","say ""hi""",\r\n"line\nbreak",,1\r\n');
		expect(parseCsvRecords(toCsv(rows)).map((record) => record.fields)).toEqual([
			['a', 'b', 'c'],
			['x,y', 'say "hi"', ''],
			['line\nbreak', '', '1'],
		]);
	});

	it('import timestamps: ISO 8601 and Unix time', () => {
		expect(parseImportTimestamp('2026-11-01T09:00:00Z')).toBe(Date.UTC(2026, 10, 1, 9));
		expect(parseImportTimestamp('2026-11-01T10:00:00+0100')).toBe(Date.UTC(2026, 10, 1, 9));
		expect(parseImportTimestamp('2026-11-01')).toBe(Date.UTC(2026, 10, 1));
		expect(parseImportTimestamp(1793523600)).toBe(1793523600 * 1000);
		expect(parseImportTimestamp('1793523600000')).toBe(1793523600000);
		for (const bad of ['2026-13-01', '2026-02-30', 'Nov 1 2026', '', null, -1, Number.NaN]) {
			expect(parseImportTimestamp(bad)).toBeUndefined();
		}
	});

	it('multipart: preamble, quoted names, filename*, parts without a content type', () => {
		const boundary = 'b0undary';
		const body = Buffer.from(
			[
				'preamble to ignore',
				`--${boundary}`,
				'Content-Disposition: form-data; name="a;b"; filename="x%22y.csv"',
				'Content-Type: text/csv',
				'',
				'user_id\r\nu1',
				`--${boundary}`,
				`Content-Disposition: form-data; name=file; filename*=UTF-8''na%C3%AFve.csv`,
				'',
				'',
				`--${boundary}--`,
				'epilogue',
			].join('\r\n'),
		);
		const parts = parseMultipart(body, `multipart/form-data; boundary="${boundary}"`);
		expect(
			parts.map((part) => [part.name, part.filename, part.contentType, part.data.toString()]),
		).toEqual([
			['a;b', 'x"y.csv', 'text/csv', 'user_id\r\nu1'],
			['file', 'naïve.csv', undefined, ''],
		]);
		expect(() =>
			parseMultipart(
				Buffer.from(`--${boundary}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${boundary}--`),
				`multipart/form-data; boundary=${boundary}`,
			),
		).toThrow('part 1 has no Content-Disposition header');
		expect(() =>
			parseMultipart(Buffer.from(`--${boundary}\nx`), `multipart/form-data; boundary=${boundary}`),
		).toThrow('a multipart boundary is not followed by CRLF');
	});
});
