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
		expect(item.json).toMatchObject({ status: 'done', job_id: expect.any(String) });
		const file = Buffer.from(String(item.binary?.data.data), 'base64').toString('utf8');
		expect(file.trim().split('\n')).toHaveLength(5);
		expect(item.binary?.data.mimeType).toBe('text/csv');
	});

	it('a failed export is an error with its failure reason', async () => {
		t.fake.failNextJobs(1, 'query timeout');
		const result = await t.run({ resource: 'analytics', operation: 'export', query: spec });
		expect(result.error?.message).toMatch(/^Appcues job .+ failed: query timeout$/);
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
		expect(result.items[0].binary?.data.mimeType).toBe('text/csv');
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
