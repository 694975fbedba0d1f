import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../../support/helpers';

describe('user resource', () => {
	const t = useFakeAppcues();

	it('getProfile returns the profile', async () => {
		t.fake.state().users.set('u1', { properties: { plan: 'pro' }, events: [] });
		const result = await t.run({ resource: 'user', operation: 'getProfile', userId: 'u1' });
		expect(result.items.map((item) => item.json)).toEqual([{ user_id: 'u1', plan: 'pro' }]);
		expect(t.fake.apiRequests()[0]).toMatchObject({
			method: 'GET',
			rawPath: '/v2/accounts/12345/users/u1/profile',
		});
	});

	it('getProfile of an unknown user fails with Appcues title and detail', async () => {
		const result = await t.run({ resource: 'user', operation: 'getProfile', userId: 'nobody' });
		expect(result.items).toEqual([]);
		expect(result.error?.message).toBe('Appcues API error 404: Not Found: user nobody not found');
		expect(result.error?.httpCode).toBe('404');
		expect(result.error?.context?.itemIndex).toBe(0);
	});
});
