import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../../support/helpers';

describe('group resource', () => {
	const t = useFakeAppcues();

	it('updateProfile PATCHes the properties', async () => {
		const result = await t.run({
			resource: 'group',
			operation: 'updateProfile',
			groupId: 'acme',
			propertiesInput: 'json',
			propertiesJson: '{"tier":"enterprise","seats":40}',
		});
		expect(result.error).toBeUndefined();
		expect(t.fake.apiRequests()[0]).toMatchObject({
			method: 'PATCH',
			rawPath: '/v2/accounts/12345/groups/acme/profile',
			body: { tier: 'enterprise', seats: 40 },
		});
		expect(t.fake.state().groups.get('acme')?.properties).toEqual({
			tier: 'enterprise',
			seats: 40,
		});
	});
});
