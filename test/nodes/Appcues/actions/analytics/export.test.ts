import { describe, expect, it } from 'vitest';

import { ANALYTICS_SPEC } from '../../../../support/fixtures';
import { useFakeAppcues, useVirtualPollWaits } from '../../../../support/helpers';

describe('analytics', () => {
	const t = useFakeAppcues({ jobPollsToFinish: 0 });
	useVirtualPollWaits();
	const spec = ANALYTICS_SPEC;

	it('export waits for done and downloads the file without the Authorization header', async () => {
		t.fake.configure({ analyticsRows: 4 });
		const result = await t.run({ resource: 'analytics', operation: 'export', query: spec });
		expect(result.error).toBeUndefined();
		const download = t.fake.requests.find((request) => request.rawPath.startsWith('/__download/'));
		expect(download?.status).toBe(200);
		expect(download?.headers.authorization).toBeUndefined();
		const item = result.items[0];
		const file = Buffer.from(String(item.binary?.data.data), 'base64').toString('utf8');
		// The presigned link is a bearer link to the data: left out once the file is here.
		expect(item.json).toEqual({
			job_id: expect.any(String),
			status: 'done',
			expires_at: expect.any(String),
			file_name: `appcues-analytics-${String(item.json.job_id)}.json`,
			mime_type: 'application/json',
			bytes: Buffer.byteLength(file),
		});
		expect(JSON.parse(file)).toHaveLength(4);
		// Named and typed by what the file is: Appcues documents a JSON rows array.
		expect(item.binary?.data).toMatchObject({
			mimeType: 'application/json',
			fileName: `appcues-analytics-${String(item.json.job_id)}.json`,
		});
	});

	it('a CSV export is named and typed as CSV', async () => {
		t.fake.configure({ analyticsRows: 2 });
		const query = JSON.stringify({ ...JSON.parse(spec), format: 'csv' });
		const result = await t.run({ resource: 'analytics', operation: 'export', query });
		const item = result.items[0];
		expect(Buffer.from(String(item.binary?.data.data), 'base64').toString('utf8')).toMatch(
			/^[a-z_]+(,[a-z_]+)*\r\n/,
		);
		expect(item.binary?.data).toMatchObject({
			mimeType: 'text/csv',
			fileName: `appcues-analytics-${String(item.json.job_id)}.csv`,
		});
	});

	it('a timed-out export names the Job operations that pick it up by its ID', async () => {
		t.fake.stallNextJobs(1);
		const result = await t.run({
			resource: 'analytics',
			operation: 'export',
			query: spec,
			waitTimeoutMinutes: 0.05,
		});
		const jobId = t.fake.state().analyticsExports.keys().next().value;
		expect(result.error?.message).toBe(
			`Appcues job ${jobId} did not finish within 3 seconds [item 0]`,
		);
		expect(result.error?.description).toContain(
			`look it up later with Job > Get Analytics Export, Wait for Analytics Export or Download Analytics Export and the job ID ${jobId}`,
		);
	});

	it('a failed export is an error with its failure reason', async () => {
		t.fake.failNextJobs(1, 'query timeout');
		const result = await t.run({ resource: 'analytics', operation: 'export', query: spec });
		expect(result.error?.message).toMatch(/^Appcues job .+ failed: query timeout$/);
	});

	it('without Wait for Completion the accepted job is output at once, for the Job operations to pick up', async () => {
		const result = await t.run({
			resource: 'analytics',
			operation: 'export',
			query: spec,
			waitForCompletion: false,
		});
		const jobId = t.fake.state().analyticsExports.keys().next().value;
		expect(result.items.map((item) => item.json)).toEqual([{ job_id: jobId, status: 'queued' }]);
		expect(t.fake.apiRequests().map((request) => `${request.method} ${request.status}`)).toEqual([
			'POST 202',
		]);
		const waited = await t.run({
			resource: 'job',
			operation: 'downloadAnalyticsExport',
			jobId: String(jobId),
		});
		expect(waited.items[0].json).toMatchObject({ job_id: jobId, status: 'done' });
		expect(waited.items[0].binary?.data.mimeType).toBe('application/json');
	});

	it('a fractional Download Timeout is whole milliseconds: {{ 300/7 }} runs and downloads', async () => {
		t.fake.configure({ analyticsRows: 2 });
		const result = await t.run({
			resource: 'analytics',
			operation: 'export',
			query: spec,
			downloadTimeoutSeconds: '={{ 300/7 }}',
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].binary?.data.mimeType).toBe('application/json');
	});

	it.each([
		[
			'downloadTimeoutSeconds',
			'={{ 1e9 }}',
			'Download Timeout (Seconds) must be a number from 1 to 3600, not 1000000000',
		],
		[
			'downloadTimeoutSeconds',
			'={{ "later" }}',
			'Download Timeout (Seconds) must be a number from 1 to 3600, not "later"',
		],
		[
			'downloadTimeoutSeconds',
			'={{ 0.5 }}',
			'Download Timeout (Seconds) must be a number from 1 to 3600, not 0.5',
		],
		[
			'maxDownloadSizeMb',
			'={{ NaN }}',
			'Max Download Size (MB) must be a number from 1 to 2048, not NaN',
		],
		[
			'maxDownloadSizeMb',
			'={{ 4096 }}',
			'Max Download Size (MB) must be a number from 1 to 2048, not 4096',
		],
		['maxDownloadSizeMb', '={{ $json.none }}', 'Max Download Size (MB) is empty'],
	])('%s %s is refused before the export is created', async (name, value, message) => {
		const result = await t.run({
			resource: 'analytics',
			operation: 'export',
			query: spec,
			[name]: value,
		});
		expect(result.error?.message).toBe(`${message} [item 0]`);
		expect(t.fake.requests).toHaveLength(0);
	});
});
