import { describe, expect, it } from 'vitest';

import { seedAnalyticsExport } from '../../../../support/analytics-exports';
import { basicAuth, useFakeAppcues } from '../../../../support/helpers';
import { DEFAULT_ACCOUNT } from '../../../../fake-appcues/server';

describe('job: get analytics export', () => {
	const t = useFakeAppcues();
	const get = (jobId: string) => t.run({ resource: 'job', operation: 'getAnalyticsExport', jobId });

	it('polls analytics/exports/{id} once and outputs the status as Appcues reports it', async () => {
		seedAnalyticsExport(t.fake, 'exp-1', { pollsToFinish: 2 });
		const first = await get('exp-1');
		const second = await get('exp-1');
		expect(first.items.map((item) => item.json)).toEqual([{ job_id: 'exp-1', status: 'queued' }]);
		expect(second.items.map((item) => item.json)).toEqual([{ job_id: 'exp-1', status: 'running' }]);
		expect(
			t.fake
				.apiRequests()
				.map((request) => [request.method, request.rawPath, request.headers.authorization]),
		).toEqual([
			[
				'GET',
				'/v2/accounts/12345/analytics/exports/exp-1',
				basicAuth(DEFAULT_ACCOUNT.apiKey, DEFAULT_ACCOUNT.apiSecret),
			],
			[
				'GET',
				'/v2/accounts/12345/analytics/exports/exp-1',
				basicAuth(DEFAULT_ACCOUNT.apiKey, DEFAULT_ACCOUNT.apiSecret),
			],
		]);
	});

	it('a done export carries a download_url minted afresh on every poll, and expires_at', async () => {
		seedAnalyticsExport(t.fake, 'exp-2');
		const first = (await get('exp-2')).items[0].json;
		const second = (await get('exp-2')).items[0].json;
		expect(first).toEqual({
			job_id: 'exp-2',
			status: 'done',
			download_url: expect.stringMatching(/\/__download\/[0-9a-f]{32}\.json\?X-Amz-/),
			expires_at: expect.any(String),
		});
		expect(second.download_url).not.toBe(first.download_url);
		// Only polled: nothing is downloaded.
		expect(t.fake.requests.some((request) => request.rawPath.startsWith('/__download/'))).toBe(
			false,
		);
	});

	it('a failed export is output as it is (failed, failure_reason): Get does not judge', async () => {
		seedAnalyticsExport(t.fake, 'exp-3', { outcome: 'failed', failure_reason: 'query timeout' });
		const result = await get('exp-3');
		expect(result.items.map((item) => item.json)).toEqual([
			{ job_id: 'exp-3', status: 'failed', failure_reason: 'query timeout' },
		]);
	});

	it('an id that is not an analytics export (a legacy job id) is the 404 Appcues answers', async () => {
		const result = await get('job-demo-import');
		expect(result.error?.message).toBe('Appcues API error 404: Not Found: no such export job');
		expect(result.error?.description).toContain(
			'Request: GET /v2/accounts/12345/analytics/exports/job-demo-import',
		);
	});

	it('an id is one path segment, and an empty one is refused before any request', async () => {
		seedAnalyticsExport(t.fake, 'a/b');
		const odd = await get('a/b');
		expect(odd.items[0].json.job_id).toBe('a/b');
		expect(t.fake.apiRequests()[0].rawPath).toBe('/v2/accounts/12345/analytics/exports/a%2Fb');
		const empty = await get('  ');
		expect(empty.error?.message).toBe('Export Job ID is empty [item 0]');
		expect(t.fake.apiRequests()).toHaveLength(1);
	});
});
