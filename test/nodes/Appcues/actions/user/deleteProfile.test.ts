import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../../support/helpers';

describe('user resource', () => {
	const t = useFakeAppcues();

	it('deleteProfile returns {"deleted": true}', async () => {
		t.fake.state().users.set('u1', { properties: {}, events: [] });
		const result = await t.run({ resource: 'user', operation: 'deleteProfile', userId: 'u1' });
		expect(result.items.map((item) => item.json)).toEqual([{ deleted: true }]);
		expect(t.fake.apiRequests()[0]).toMatchObject({
			method: 'DELETE',
			rawPath: '/v2/accounts/12345/users/u1/profile',
		});
		expect(t.fake.state().users.has('u1')).toBe(false);
	});

	it('deleteProfile keeps what Appcues answers, such as a job to follow', async () => {
		t.fake.addFault({
			kind: 'status',
			status: 202,
			method: 'DELETE',
			body: JSON.stringify({ job_id: 'job-7', status: 'queued' }),
		});
		const result = await t.run({ resource: 'user', operation: 'deleteProfile', userId: 'u1' });
		expect(result.items.map((item) => item.json)).toEqual([
			{ deleted: true, job_id: 'job-7', status: 'queued' },
		]);
	});
});
