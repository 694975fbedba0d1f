/**
 * The fake's bulk import routes (NDJSON, CSV, multipart) over real HTTP.
 */
import { describe, expect, it } from 'vitest';

import { buildMultipart } from '../multipart';
import { form, problem, useFake } from '../use-fake';

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
