import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../../support/helpers';

describe('group resource', () => {
	const t = useFakeAppcues();

	it('getProfile returns the group properties', async () => {
		t.fake.state().groups.set('acme', { properties: { tier: 'gold' }, users: new Set() });
		const result = await t.run({ resource: 'group', operation: 'getProfile', groupId: 'acme' });
		expect(t.fake.apiRequests()[0]).toMatchObject({
			method: 'GET',
			rawPath: '/v2/accounts/12345/groups/acme/profile',
		});
		expect(result.items.map((item) => item.json)).toEqual([{ group_id: 'acme', tier: 'gold' }]);
	});
});
