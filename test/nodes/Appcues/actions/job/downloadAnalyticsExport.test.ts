import type { IncomingMessage, ServerResponse } from 'node:http';

import { describe, expect, it } from 'vitest';

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
