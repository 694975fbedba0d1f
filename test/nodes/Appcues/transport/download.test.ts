import { type IncomingMessage, type ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { INodeParameters } from 'n8n-workflow';
import { describe, expect, it, vi } from 'vitest';

import { DEFAULT_ACCOUNT } from '../../../fake-appcues/server';
import { credentialsFor, useFakeAppcues, useVirtualPollWaits } from '../../../support/helpers';
import { localServer, SECRETS } from '../../../support/fixtures';
import {
	ByteAllowance,
	type ByteStream,
	DownloadTooLarge,
	readAtMost,
} from '../../../../nodes/Appcues/transport/download';

describe('analytics export download: timeout and size limit', () => {
	const t = useFakeAppcues();
	useVirtualPollWaits();
	const spec = JSON.stringify({
		columns: ['timestamp', 'user_id', 'name'],
		start_time: '2026-01-01',
		end_time: '2026-01-31',
	});
	const SIGNATURE = 'X-Amz-Signature=0123456789abcdef';

	/** Answers the export as Appcues does, with a download_url on a separate storage host. */
	async function exportServer(storageUrl: string) {
		return await localServer((req, res) => {
			res.setHeader('Content-Type', 'application/json');
			const job =
				req.method === 'POST'
					? { job_id: 'job-1', status: 'queued' }
					: {
							job_id: 'job-1',
							status: 'done',
							download_url: `${storageUrl}/export.csv?${SIGNATURE}`,
						};
			res.writeHead(200).end(JSON.stringify(job));
		});
	}

	async function runExport(
		storage: (req: IncomingMessage, res: ServerResponse) => void,
		options: INodeParameters,
		continueOnFail = false,
		itemCount = 1,
		/** The storage host's URL as the download_url gives it. */
		given = (url: string) => url,
	) {
		const storageHost = await localServer(storage);
		const api = await exportServer(given(storageHost.url));
		try {
			const result = await t.run(
				{ resource: 'analytics', operation: 'export', query: spec, ...options },
				{
					credentials: { ...credentialsFor(t.fake), baseUrl: api.url },
					continueOnFail,
					items: Array.from({ length: itemCount }, () => ({})),
				},
			);
			// The output of a success carries download_url (signature included), as Appcues gives it; errors never do.
			const errors = JSON.stringify({
				errorItems: result.items.filter((item) => item.json.error),
				error: result.error,
				runError: result.run.data.resultData.error,
			});
			for (const secret of [...SECRETS, SIGNATURE]) expect(errors).not.toContain(secret);
			expect(JSON.stringify(result.items)).not.toContain(DEFAULT_ACCOUNT.apiSecret);
			expect(
				storageHost.received.every((request) => request.headers.authorization === undefined),
			).toBe(true);
			return { result, storageHost, host: new URL(storageHost.url).host };
		} finally {
			await storageHost.close();
			await api.close();
		}
	}

	it('a storage host that never answers: the download times out with a clear error', async () => {
		const { result, storageHost, host } = await runExport(() => {}, { downloadTimeoutSeconds: 1 });
		expect(storageHost.received).toHaveLength(1);
		expect(result.error?.message).toBe(
			`Downloading the export from ${host} did not finish within 1 s`,
		);
	});

	it('a storage host that stalls halfway through the body times out too', async () => {
		const { result, host } = await runExport(
			(_req, res) => {
				res.writeHead(200, { 'Content-Type': 'text/csv', 'Content-Length': '1000' });
				res.write('timestamp,user_id,name\n');
			},
			{ downloadTimeoutSeconds: 1 },
			true,
		);
		expect(result.items.map((item) => [item.json.error, item.pairedItem])).toEqual([
			[`Downloading the export from ${host} did not finish within 1 s`, { item: 0 }],
		]);
	});

	it('a file larger than Max Download Size is cut off with a clear error (streamed, no Content-Length)', async () => {
		const chunk = Buffer.alloc(64 * 1024, 'a');
		let sent = 0;
		const { result, host } = await runExport(
			(_req, res) => {
				res.writeHead(200, { 'Content-Type': 'text/csv' });
				const pump = (): void => {
					// Sends up to 20 MB unless the client hangs up first.
					while (sent < 20 * 1024 * 1024 && !res.destroyed) {
						sent += chunk.length;
						if (!res.write(chunk)) {
							res.once('drain', pump);
							return;
						}
					}
					res.end();
				};
				pump();
			},
			{ maxDownloadSizeMb: 1 },
		);
		expect(result.error?.message).toBe(
			`The export file from ${host} is larger than the Max Download Size (1000000 bytes)`,
		);
		expect(sent).toBeLessThan(20 * 1024 * 1024);
	});

	it('a declared Content-Length above the limit is refused before reading', async () => {
		const { result, host } = await runExport(
			(_req, res) => {
				res.writeHead(200, {
					'Content-Type': 'text/csv',
					'Content-Length': String(5 * 1024 * 1024),
				});
				res.write('a');
			},
			{ maxDownloadSizeMb: 1 },
		);
		expect(result.error?.message).toBe(
			`The export file from ${host} is larger than the Max Download Size (1000000 bytes)`,
		);
	});

	it('a file within the limits is downloaded whole', async () => {
		const csv = 'timestamp,user_id,name\n2026-01-02,u1,x\n';
		const { result } = await runExport(
			(_req, res) => res.writeHead(200, { 'Content-Type': 'text/csv' }).end(csv),
			{},
		);
		expect(result.error).toBeUndefined();
		expect(Buffer.from(String(result.items[0].binary?.data.data), 'base64').toString('utf8')).toBe(
			csv,
		);
	});

	// 0.0.0.0 is not a loopback name, yet reaches this machine: a request sent there is recorded.
	const plainHttp = (url: string) => url.replace('127.0.0.1', '0.0.0.0');

	it('a download_url on plain http to another host is refused before it is fetched', async () => {
		const { result, storageHost, host } = await runExport(
			(_req, res) => res.writeHead(200, { 'Content-Type': 'text/csv' }).end('a\n1\n'),
			{},
			false,
			1,
			plainHttp,
		);
		expect(result.error?.message).toBe(
			`The download URL of the export is on http://${plainHttp(host)}, which is not fetched`,
		);
		expect(storageHost.received).toHaveLength(0);
	});

	it("a storage host's redirects are each checked: plain http to another host is not followed", async () => {
		const swapped = await localServer((_req, res) =>
			res.writeHead(200, { 'Content-Type': 'text/csv' }).end('swapped\n'),
		);
		try {
			const { result, host } = await runExport(
				(_req, res) => res.writeHead(302, { Location: `${plainHttp(swapped.url)}/f.csv` }).end(),
				{},
			);
			expect(result.error?.message).toBe(
				`${host} redirected the download of the export to http://${new URL(plainHttp(swapped.url)).host}, which is not followed`,
			);
			expect(swapped.received).toHaveLength(0);
		} finally {
			await swapped.close();
		}
	});

	it('a storage redirect that is allowed is followed without credentials, a few times at most', async () => {
		const csv = 'timestamp,user_id,name\n2026-01-02,u1,x\n';
		const moved = await localServer((_req, res) =>
			res.writeHead(200, { 'Content-Type': 'text/csv' }).end(csv),
		);
		try {
			let hops = 0;
			const { result, storageHost } = await runExport(
				(req, res) =>
					res
						.writeHead(307, { Location: ++hops < 3 ? `/again-${hops}` : `${moved.url}/f.csv` })
						.end(),
				{},
			);
			expect(result.error).toBeUndefined();
			expect(
				Buffer.from(String(result.items[0].binary?.data.data), 'base64').toString('utf8'),
			).toBe(csv);
			expect(storageHost.received.map((request) => request.url?.split('?')[0])).toEqual([
				'/export.csv',
				'/again-1',
				'/again-2',
			]);
			expect(moved.received.map((request) => request.headers.authorization)).toEqual([undefined]);

			const { result: looping } = await runExport(
				(_req, res) => res.writeHead(302, { Location: '/again' }).end(),
				{},
			);
			expect(looping.error?.message).toBe(
				'Downloading the export was redirected more than 5 times',
			);
		} finally {
			await moved.close();
		}
	});

	it('the downloads of one run go one at a time, so it holds one file in memory, not one per export', async () => {
		const csv = `timestamp,user_id,name\n${'2026-01-02,u1,x\n'.repeat(5000)}`;
		let open = 0;
		let mostOpen = 0;
		const { result, storageHost } = await runExport(
			(_req, res) => {
				mostOpen = Math.max(mostOpen, ++open);
				res.writeHead(200, { 'Content-Type': 'text/csv', 'Content-Length': String(csv.length) });
				res.write(csv.slice(0, 1000));
				setTimeout(() => {
					open--;
					res.end(csv.slice(1000));
				}, 200);
			},
			{ options: { maxConcurrency: 3 } },
			false,
			3,
		);
		expect(result.error).toBeUndefined();
		expect(storageHost.received).toHaveLength(3);
		expect(mostOpen).toBe(1);
		for (const item of result.items)
			expect(Buffer.from(String(item.binary?.data.data), 'base64').toString('utf8')).toBe(csv);
	});

	it('a bad limit is refused before the export is requested', async () => {
		const result = await t.run({
			resource: 'analytics',
			operation: 'export',
			query: spec,
			maxDownloadSizeMb: 0,
		});
		expect(result.error?.message).toBe(
			'Max Download Size (MB) must be a number from 1 to 2048, not 0 [item 0]',
		);
		expect(t.fake.requests).toHaveLength(0);
	});
});

describe('readAtMost with a shared allowance', () => {
	/** A body that sends `chunks` (then ends, or fails with `failure`) once it is read. */
	function body(chunks: Buffer[], failure?: Error) {
		const stream = new PassThrough();
		setImmediate(() => {
			for (const chunk of chunks) stream.write(chunk);
			if (failure) stream.destroy(failure);
			else stream.end();
		});
		return stream as unknown as ByteStream;
	}

	/** readAtMost of a strict body up to `maxBytes`, from a first buffer of `firstBytes`. */
	const readShared = (
		stream: ByteStream | PassThrough,
		firstBytes: number,
		allowance: ByteAllowance,
		maxBytes = 1 << 20,
	) =>
		readAtMost(stream as unknown as ByteStream, maxBytes, true, undefined, firstBytes, allowance);

	it('holds each buffer while it reads and gives all of it back, however the read ends', async () => {
		const allowance = new ByteAllowance(1 << 20);
		// Grows from 1 KB to 8 KB by doubling while it reads 5 KB.
		const reading = readShared(
			body([Buffer.alloc(3000, 1), Buffer.alloc(2000, 2)]),
			1024,
			allowance,
		);
		expect(allowance.heldBytes).toBe(1024);
		expect((await reading).length).toBe(5000);
		expect(allowance.heldBytes).toBe(0);

		const broken = readShared(body([Buffer.alloc(3000)], new Error('reset')), 1024, allowance);
		await expect(broken).rejects.toThrow('reset');
		expect(allowance.heldBytes).toBe(0);

		const tooLong = readShared(body([Buffer.alloc(5000)]), 1024, allowance, 4096);
		await expect(tooLong).rejects.toBeInstanceOf(DownloadTooLarge);
		expect(allowance.heldBytes).toBe(0);
	});

	it('refuses a read whose buffer does not fit beside the others, at the start or as it grows', async () => {
		const allowance = new ByteAllowance(10_000);
		// The first read takes 6,000 and is still reading while the others start.
		const held = new PassThrough();
		const first = readShared(held, 6000, allowance);
		const second = readShared(body([Buffer.alloc(10)]), 6000, allowance);
		await expect(second).rejects.toEqual(new DownloadTooLarge(true));
		// One that starts small fits, then cannot grow past what is left.
		const growing = readShared(body([Buffer.alloc(5000)]), 1024, allowance);
		await expect(growing).rejects.toEqual(new DownloadTooLarge(true));
		expect(allowance.heldBytes).toBe(6000);
		held.end(Buffer.alloc(6000));
		expect((await first).length).toBe(6000);
		expect(allowance.heldBytes).toBe(0);
		// With the others done, the same read fits.
		expect((await readShared(body([Buffer.alloc(5000)]), 1024, allowance)).length).toBe(5000);
	});
	it('gives its buffer back and fails the read when a buffer cannot be allocated', async () => {
		const allowance = new ByteAllowance(1 << 20);
		const allocUnsafe = Buffer.allocUnsafe.bind(Buffer);
		const spy = vi.spyOn(Buffer, 'allocUnsafe').mockImplementation((size: number) => {
			if (size === 1024 || size === 4000) throw new RangeError('Array buffer allocation failed');
			return allocUnsafe(size);
		});
		try {
			// At the start, and as the buffer grows (from 2,000 bytes to 4,000 for the 3,000 that come).
			const atStart = readShared(body([]), 1024, allowance);
			await expect(atStart).rejects.toThrow('Array buffer allocation failed');
			expect(allowance.heldBytes).toBe(0);
			const growing = readShared(body([Buffer.alloc(3000)]), 2000, allowance);
			await expect(growing).rejects.toThrow('Array buffer allocation failed');
			expect(allowance.heldBytes).toBe(0);
		} finally {
			spy.mockRestore();
		}
	});
});
