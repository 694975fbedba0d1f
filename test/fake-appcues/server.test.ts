/**
 * The fake Appcues server's core over real HTTP (`fetch`): body limits, the control API, and the
 * parsers the routes share. The routes have their tests beside them in routes/. These pin the
 * contract the node is written against.
 */
import { request as httpRequest } from 'node:http';

import { describe, expect, it } from 'vitest';

import { parseCsvRecords, parseIdColumn, parseImport, parseImportTimestamp, toCsv } from './bulk';
import { parseMultipart } from './multipart';
import { FakeAppcues } from './server';
import { AUTH, form, LEGACY_AUTH, problem, useFake } from './use-fake';

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

describe('settings', () => {
	it('configure() changes one fake only, not another made from the same options object', () => {
		const options = { jobPollsToFinish: 3 };
		const first = new FakeAppcues(options);
		first.configure({ jobPollsToFinish: 0, screenshotDelivery: 'redirect' });
		const second = new FakeAppcues(options);
		expect([first.jobPollsToFinish, first.screenshotDelivery]).toEqual([0, 'redirect']);
		expect([second.jobPollsToFinish, second.screenshotDelivery]).toEqual([3, 'inline']);
		expect(options).toEqual({ jobPollsToFinish: 3 });
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

describe('request faults', () => {
	const t = useFake();

	it('skip lets that many matching requests through before the fault applies', async () => {
		t.fake.addFault({ kind: 'status', status: 500, pathIncludes: 'profile', skip: 2, times: 1 });
		const statuses = [];
		for (let n = 0; n < 4; n++)
			statuses.push((await t.json('/users/u1/profile', { n }, 'PATCH')).status);
		expect(statuses).toEqual([200, 200, 500, 200]);
	});
});
