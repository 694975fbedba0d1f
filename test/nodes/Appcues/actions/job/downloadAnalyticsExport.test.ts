import type { IncomingMessage, ServerResponse } from 'node:http';

import { describe, expect, it, vi } from 'vitest';

import { DEFAULT_ACCOUNT } from '../../../../fake-appcues/server';
import { seedAnalyticsExport } from '../../../../support/analytics-exports';
import { localServer, SECRETS } from '../../../../support/fixtures';
import { credentialsFor, useFakeAppcues, useVirtualPollWaits } from '../../../../support/helpers';

describe('job: download analytics export', () => {
	const t = useFakeAppcues();
	useVirtualPollWaits();
	const download = (jobId: string, extra: Record<string, unknown> = {}) =>
		t.run({ resource: 'job', operation: 'downloadAnalyticsExport', jobId, ...extra });
	const text = (data: unknown) => Buffer.from(String(data), 'base64').toString('utf8');

	it('waits for the export, then downloads its file from the fresh download_url without credentials', async () => {
		seedAnalyticsExport(t.fake, 'exp', {
			pollsToFinish: 1,
			rows: [
				{ name: 'signed_up', events: 4 },
				{ name: 'invited_teammate', events: 1 },
			],
		});
		const result = await download('exp', { binaryPropertyName: 'report' });
		expect(result.error).toBeUndefined();
		const [item] = result.items;
		// The presigned link is left out: it opens the data to anyone for an hour.
		expect(item.json).toEqual({
			job_id: 'exp',
			status: 'done',
			expires_at: expect.any(String),
			file_name: 'appcues-analytics-exp.json',
			mime_type: 'application/json',
			bytes: 72,
		});
		expect(item.binary?.report).toMatchObject({
			fileName: 'appcues-analytics-exp.json',
			mimeType: 'application/json',
		});
		expect(JSON.parse(text(item.binary?.report.data))).toEqual([
			{ name: 'signed_up', events: 4 },
			{ name: 'invited_teammate', events: 1 },
		]);
		const calls = t.fake.requests.map((request) => [
			request.method,
			request.rawPath.replace(/[0-9a-f]{32}/, '<token>'),
			request.headers.authorization === undefined ? 'no auth' : 'auth',
			request.status,
		]);
		expect(calls).toEqual([
			['GET', '/v2/accounts/12345/analytics/exports/exp', 'auth', 200],
			['GET', '/v2/accounts/12345/analytics/exports/exp', 'auth', 200],
			['GET', '/__download/<token>.json', 'no auth', 200],
		]);
	});

	it('a failed export is an error and nothing is downloaded', async () => {
		seedAnalyticsExport(t.fake, 'exp', { outcome: 'failed', failure_reason: 'query timeout' });
		const result = await download('exp');
		expect(result.error?.message).toBe('Appcues job exp failed: query timeout');
		expect(t.fake.requests.some((request) => request.rawPath.startsWith('/__download/'))).toBe(
			false,
		);
	});

	it('a link that has grown old while earlier downloads ran is asked for again at its turn', async () => {
		// Links valid for an hour, as Appcues mints them, one per poll; the first download takes
		// longer than that (its storage host moves the clock on by 61 minutes).
		const minted: Array<{ job: string; until: number }> = [];
		let firstDownloadStarted = false;
		/** Runs `then` once `ready` holds (checked every 10 ms). */
		const once = (ready: () => boolean, then: () => void) => {
			const check = () => (ready() ? then() : setTimeout(check, 10));
			check();
		};
		const storage = await localServer((req, res) => {
			const link = minted[Number(/link-(\d+)/.exec(req.url ?? '')?.[1])];
			if (!link || Date.now() > link.until) {
				res.writeHead(403).end('Request has expired');
				return;
			}
			const send = () =>
				res.writeHead(200, { 'Content-Type': 'text/csv' }).end(`job\n${link.job}\n`);
			if (link.job !== 'exp-0') {
				send();
				return;
			}
			// exp-1's link is minted meanwhile, and waits for this download to end.
			firstDownloadStarted = true;
			once(
				() => minted.some((minted) => minted.job === 'exp-1'),
				() => {
					vi.advanceTimersByTime(61 * 60_000);
					send();
				},
			);
		});
		const api = await localServer((req, res) => {
			const job = /exports\/([^/?]+)/.exec(req.url ?? '')![1];
			const answer = () => {
				minted.push({ job, until: Date.now() + 3_600_000 });
				res.writeHead(200, { 'Content-Type': 'application/json' }).end(
					JSON.stringify({
						job_id: job,
						status: 'done',
						download_url: `${storage.url}/link-${minted.length - 1}?X-Amz-Signature=abc`,
					}),
				);
			};
			// exp-1's first answer comes once exp-0's download has begun, so exp-0 goes first.
			if (job === 'exp-1' && !minted.some((link) => link.job === job))
				once(() => firstDownloadStarted, answer);
			else answer();
		});
		try {
			const result = await t.run(
				{ resource: 'job', operation: 'downloadAnalyticsExport', jobId: '={{ $json.id }}' },
				{
					items: [{ id: 'exp-0' }, { id: 'exp-1' }],
					credentials: { ...credentialsFor(t.fake), baseUrl: api.url },
				},
			);
			expect(result.error).toBeUndefined();
			expect(result.items.map((item) => text(item.binary?.data.data))).toEqual([
				'job\nexp-0\n',
				'job\nexp-1\n',
			]);
			// exp-1 was polled with exp-0, then once more for a fresh link at its turn.
			expect(minted.map((link) => link.job).sort()).toEqual(['exp-0', 'exp-1', 'exp-1']);
		} finally {
			await storage.close();
			await api.close();
		}
	});

	it('a bad download limit is refused before any request', async () => {
		seedAnalyticsExport(t.fake, 'exp');
		const result = await download('exp', { downloadTimeoutSeconds: -1 });
		expect(result.error?.message).toBe(
			'Download Timeout (Seconds) must be a number from 1 to 3600, not -1 [item 0]',
		);
		expect(t.fake.requests).toHaveLength(0);
	});

	describe('the file is named and typed by its content, not by the storage host label', () => {
		async function downloadFrom(body: string, contentType: string) {
			const storage = await localServer((_req: IncomingMessage, res: ServerResponse) =>
				res.writeHead(200, { 'Content-Type': contentType }).end(body),
			);
			const api = await localServer((_req, res) =>
				res.writeHead(200, { 'Content-Type': 'application/json' }).end(
					JSON.stringify({
						job_id: 'exp',
						status: 'done',
						download_url: `${storage.url}/exports/exp?X-Amz-Signature=abc`,
					}),
				),
			);
			try {
				const result = await t.run(
					{ resource: 'job', operation: 'downloadAnalyticsExport', jobId: 'exp' },
					{ credentials: { ...credentialsFor(t.fake), baseUrl: api.url } },
				);
				expect(storage.received.map((request) => request.headers.authorization)).toEqual([
					undefined,
				]);
				expect(JSON.stringify(result)).not.toContain(DEFAULT_ACCOUNT.apiSecret);
				for (const secret of SECRETS) expect(JSON.stringify(result.items)).not.toContain(secret);
				return result.items[0].binary?.data;
			} finally {
				await storage.close();
				await api.close();
			}
		}

		it('JSON rows sent as binary/octet-stream are a .json file of application/json', async () => {
			expect(await downloadFrom('\uFEFF [{"name":"a"}]', 'binary/octet-stream')).toMatchObject({
				fileName: 'appcues-analytics-exp.json',
				mimeType: 'application/json',
			});
		});

		it('CSV sent as application/octet-stream is a .csv file of text/csv', async () => {
			expect(
				await downloadFrom('name,events\r\na,1\r\n', 'application/octet-stream'),
			).toMatchObject({ fileName: 'appcues-analytics-exp.csv', mimeType: 'text/csv' });
		});

		it('CSV labelled application/json is still CSV', async () => {
			expect(await downloadFrom('name,events\n', 'application/json')).toMatchObject({
				mimeType: 'text/csv',
			});
		});
	});
});
