import { describe, expect, it } from 'vitest';

import {
	fileItem,
	fileItemIn,
	useFakeAppcues,
	useVirtualPollWaits,
	watchBuffersAtPolls,
} from '../../../../support/helpers';

// Decimal megabytes, as the node counts them (Appcues writes "20MB" and "200MB").
const MB = 1_000_000;

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

	it('each item has its own Input Binary Field, File Format and Upload As (read per item)', async () => {
		const result = await t.run(
			{
				resource: 'import',
				operation: 'profiles',
				source: 'binary',
				binaryPropertyName: '={{ $json.property }}',
				uploadAs: '={{ $json.property === "upload" ? "raw" : "multipart" }}',
			},
			{
				items: [
					fileItemIn('report', 'user_id,plan\nu1,pro\n', 'a.csv', 'text/csv'),
					fileItemIn('upload', 'user_id,plan\nu2,free\n', 'b.csv', 'text/csv'),
				],
			},
		);
		expect(result.error).toBeUndefined();
		const uploads = t.fake.apiRequests({ method: 'POST' });
		expect(uploads.map((request) => request.headers['content-type'])).toEqual([
			expect.stringMatching(/^multipart\/form-data/),
			'text/csv',
		]);
		expect(result.items.map((item) => item.json.file_name)).toEqual(['a.csv', 'b.csv']);
	});
});

describe('import from a file, waiting for the job', () => {
	const t = useFakeAppcues();
	useVirtualPollWaits();

	it.each(['multipart', 'raw'])(
		'Wait for Completion lets the file go while it polls (upload as %s)',
		async (uploadAs) => {
			t.fake.configure({ jobPollsToFinish: 2 });
			const buffers = watchBuffersAtPolls();
			const rows = Array.from({ length: 2000 }, (_, n) => `u${String(n).padStart(5, '0')},pro`);
			const csv = `user_id,plan\n${rows.join('\n')}\n`;
			const items = [
				fileItem(csv, 'users.csv', 'text/csv'),
				fileItem(csv, 'again.csv', 'text/csv'),
			];
			// The file as n8n hands it over: decoded from the item's base64.
			const result = await buffers.during(
				'from',
				(buffer, args) => args[1] === 'base64' && buffer.length === Buffer.byteLength(csv),
				() =>
					t.run(
						{
							resource: 'import',
							operation: 'profiles',
							source: 'binary',
							uploadAs,
							waitForCompletion: true,
						},
						{ items },
					),
			);
			expect(result.error).toBeUndefined();
			expect(result.items.map((item) => [item.json.status, item.json.file_name])).toEqual([
				['complete', 'users.csv'],
				['complete', 'again.csv'],
			]);
			expect(t.fake.state().users.get('u01999')?.properties).toEqual({ plan: 'pro' });
			expect(buffers.watched()).toBe(2);
			expect(buffers.aliveAtPolls.length).toBeGreaterThanOrEqual(4);
			expect(buffers.aliveAtPolls).toEqual(buffers.aliveAtPolls.map(() => 0));
		},
	);
});
