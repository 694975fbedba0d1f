/**
 * File uploads from n8n's binary store in filesystem mode (what n8n uses by default in regular
 * mode): the file is streamed to Appcues with an exact Content-Length, never loaded whole.
 */
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BinaryDataService } from 'n8n-core';
import type { IBinaryData, INodeExecutionData } from 'n8n-workflow';
import { beforeAll, describe, expect, it, vi } from 'vitest';

import { useFakeAppcues } from '../../../support/helpers';
import { csvHeader } from '../../../../nodes/Appcues/helpers/files';

// Read by n8n-core's BinaryDataConfig when the service is first built.
process.env.N8N_BINARY_DATA_STORAGE_PATH = mkdtempSync(join(tmpdir(), 'appcues-binary-'));

// n8n-core's own dependency container (the one its binary helpers read), not a copy of our own.
const { Container } = createRequire(require.resolve('n8n-core'))(
	'@n8n/di',
) as typeof import('@n8n/di');
const service = Container.get(BinaryDataService);

async function storedFileItem(
	content: string | Buffer,
	fileName: string,
	mimeType: string,
): Promise<INodeExecutionData> {
	const binary = await service.store(
		{ type: 'execution', workflowId: 'wf-test', executionId: 'exec-test' },
		Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'),
		{ data: '', mimeType, fileName } as IBinaryData,
	);
	return { json: { fileName }, binary: { data: binary } };
}

describe('file uploads streamed from the filesystem binary store', () => {
	const t = useFakeAppcues({ jobPollsToFinish: 0 });

	beforeAll(async () => {
		await service.init();
	});

	const csv = `user_id,plan,note\n${Array.from({ length: 5000 }, (_, n) => `u${n},pro,"row ${n}, quoted"`).join('\n')}\n`;

	it('imports a stored CSV as multipart with its exact length, without loading the file whole', async () => {
		const item = await storedFileItem(csv, 'users.csv', 'text/csv');
		expect(item.binary?.data.id).toMatch(/^filesystem/);
		const wholeReads = vi.spyOn(BinaryDataService.prototype, 'getAsBuffer');
		const result = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'binary' },
			{ items: [item] },
		);
		expect(result.error).toBeUndefined();
		expect(wholeReads).not.toHaveBeenCalled();
		wholeReads.mockRestore();
		const [request] = t.fake.apiRequests();
		expect(String(request.headers['content-type'])).toMatch(
			/^multipart\/form-data; boundary=----AppcuesUpload[0-9a-f]{24}$/,
		);
		expect(request.headers['transfer-encoding']).toBeUndefined();
		expect(Number(request.headers['content-length'])).toBe(request.bytes);
		expect(request.parts).toEqual([
			{
				name: 'file',
				filename: 'users.csv',
				contentType: 'text/csv',
				bytes: Buffer.byteLength(csv),
			},
		]);
		expect(t.fake.state().imports[0]).toMatchObject({
			kind: 'profiles',
			format: 'csv',
			via: 'multipart',
			rows: 5000,
		});
		expect(t.fake.state().users.get('u4999')?.properties).toEqual({
			plan: 'pro',
			note: 'row 4999, quoted',
		});
		expect(result.items[0].json).toMatchObject({
			file_name: 'users.csv',
			format: 'csv',
			bytes: Buffer.byteLength(csv),
		});
	});

	it('sends a stored NDJSON file as the raw body, byte for byte', async () => {
		const ndjson =
			'{"user_id":"u1","name":"paid","timestamp":"2026-01-01T00:00:00Z"}\n{"user_id":"u2","name":"paid","timestamp":1767225600}\n';
		const result = await t.run(
			{ resource: 'import', operation: 'events', source: 'binary', uploadAs: 'raw' },
			{ items: [await storedFileItem(ndjson, 'events.ndjson', 'application/x-ndjson')] },
		);
		expect(result.error).toBeUndefined();
		const [request] = t.fake.apiRequests();
		expect(request.headers['content-type']).toBe('application/x-ndjson');
		expect(request.headers['content-length']).toBe(String(Buffer.byteLength(ndjson)));
		expect(request.rawBody).toBe(ndjson);
	});

	it('a 429 is retried with the file read again from the start, and the import is applied once', async () => {
		t.fake.addFault({ kind: 'status', status: 429, times: 1, method: 'POST' });
		const result = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'binary' },
			{ items: [await storedFileItem(csv, 'users.csv', 'text/csv')] },
		);
		expect(result.error).toBeUndefined();
		const posts = t.fake.apiRequests({ method: 'POST' });
		expect(posts.map((request) => request.status)).toEqual([429, 202]);
		expect(posts[1].rawBody.replace(/----AppcuesUpload[0-9a-f]+/g, 'B')).toBe(
			posts[0].rawBody.replace(/----AppcuesUpload[0-9a-f]+/g, 'B'),
		);
		expect(posts[1].bytes).toBe(posts[0].bytes);
		expect(t.fake.state().imports).toHaveLength(1);
	});

	it('the header check reads only the start of the file, and a bad header stops the upload', async () => {
		const result = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'binary' },
			{
				items: [
					await storedFileItem(
						`" user_id ",plan\n${'u,pro\n'.repeat(20_000)}`,
						'users.csv',
						'text/csv',
					),
				],
			},
		);
		expect(result.error?.message).toBe('The CSV file has no "user_id" column [item 0]');
		expect(t.fake.apiRequests()).toHaveLength(0);
	});

	it('a file longer than its recorded size fails the request mid-body: Appcues never gets a complete body', async () => {
		const item = await storedFileItem(csv, 'users.csv', 'text/csv');
		(item.binary!.data as IBinaryData).bytes = 1000;
		const result = await t.run(
			{ resource: 'import', operation: 'profiles', source: 'binary' },
			{ items: [item] },
		);
		expect(result.error?.message).toBe(
			'Request to Appcues failed: The file "users.csv" changed while it was uploaded: 1000 bytes were expected',
		);
		expect(t.fake.state().imports).toHaveLength(0);
	});

	it('segment membership uploads a stored CSV the same way', async () => {
		t.fake
			.state()
			.segments.set('seg-1', { id: 'seg-1', name: 'One', description: null, user_ids: new Set() });
		const ids = `user_id\n${Array.from({ length: 3000 }, (_, n) => `u${n}`).join('\n')}\n`;
		const result = await t.run(
			{
				resource: 'segment',
				operation: 'addUsers',
				segmentId: { __rl: true, mode: 'id', value: 'seg-1' },
				source: 'binary',
			},
			{ items: [await storedFileItem(ids, 'ids.csv', 'text/csv')] },
		);
		expect(result.error).toBeUndefined();
		const [upload] = t.fake.apiRequests({ method: 'POST' });
		expect(upload.headers['content-length']).toBe(String(upload.bytes));
		expect(upload.parts?.[0]).toMatchObject({
			name: 'file',
			filename: 'ids.csv',
			bytes: Buffer.byteLength(ids),
		});
		expect(t.fake.state().segments.get('seg-1')!.user_ids.size).toBe(3000);
	});
});

describe('CSV header', () => {
	it('reads quoted names and drops a byte-order mark', () => {
		expect(csvHeader(Buffer.from('\uFEFF"user_id","plan, tier","a""b"\r\nu1,a,b'))).toEqual({
			names: ['user_id', 'plan, tier', 'a"b'],
		});
		expect(csvHeader(Buffer.from('id\n1'))).toEqual({ names: ['id'] });
	});

	it('takes names exactly as written and refuses what Appcues cannot parse, as the fake does', () => {
		expect(csvHeader(Buffer.from('" user_id ", plan\n'))).toEqual({
			names: [' user_id ', ' plan'],
		});
		expect(csvHeader(Buffer.from('x""y\n'))).toEqual({
			invalid: 'a quote inside an unquoted name (quote the whole name and double the quote)',
		});
		expect(csvHeader(Buffer.from('"user_id\n'))).toEqual({
			invalid: 'a quoted name is never closed',
		});
		// Cut at 64 KB without an end of line: not judged as a complete header.
		expect(csvHeader(Buffer.from('"user_id'), false)).toEqual({
			invalid: 'the header row is longer than 64 KB',
		});
	});
});
