import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../../support/helpers';
import { byId, seedSegment } from '../../../../support/fixtures';

describe('segment resource', () => {
	const t = useFakeAppcues();

	it('delete returns {"deleted": true}', async () => {
		seedSegment(t, 'seg-1', 'One');
		const result = await t.run({
			resource: 'segment',
			operation: 'delete',
			segmentId: byId('seg-1'),
		});
		expect(result.items.map((item) => item.json)).toEqual([{ deleted: true }]);
		expect(t.fake.apiRequests()[0]).toMatchObject({
			method: 'DELETE',
			rawPath: '/v2/accounts/12345/segments/seg-1',
		});
		expect(t.fake.state().segments.size).toBe(0);
	});

	it('delete keeps what Appcues answers, such as a job to follow', async () => {
		t.fake.addFault({
			kind: 'status',
			status: 202,
			method: 'DELETE',
			body: JSON.stringify({ job_id: 'job-8', job_url: 'https://api.appcues.com/x' }),
		});
		const result = await t.run({
			resource: 'segment',
			operation: 'delete',
			segmentId: byId('seg-1'),
		});
		expect(result.items.map((item) => item.json)).toEqual([
			{ deleted: true, job_id: 'job-8', job_url: 'https://api.appcues.com/x' },
		]);
	});
});
