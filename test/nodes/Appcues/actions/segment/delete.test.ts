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

	it('a delete whose answer was lost is retried; the 404 it then gets means it was deleted', async () => {
		seedSegment(t, 'seg-1', 'One');
		t.fake.addFault({ kind: 'drop-after-apply', method: 'DELETE', times: 1 });
		const dropped = await t.run({
			resource: 'segment',
			operation: 'delete',
			segmentId: byId('seg-1'),
		});
		expect(t.fake.apiRequests().map((request) => request.status)).toEqual([0, 404]);
		expect(dropped.error).toBeUndefined();
		expect(dropped.items[0].json).toEqual({ deleted: true });
		expect(t.fake.state().segments.has('seg-1')).toBe(false);

		// Without such an attempt a 404 is what it is: there was nothing to delete.
		t.fake.reset();
		const missing = await t.run({
			resource: 'segment',
			operation: 'delete',
			segmentId: byId('seg-1'),
		});
		expect(missing.error?.message).toBe(
			'Appcues API error 404: Not Found: segment seg-1 not found',
		);
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
