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
});
