import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../../support/helpers';

describe('user resource', () => {
	const t = useFakeAppcues();

	describe('bad input is refused before any request', () => {
		it.each([
			[
				'an empty user id',
				{ resource: 'user', operation: 'getProfile', userId: '  ' },
				'User ID is empty [item 0]',
			],
			[
				'invalid JSON properties',
				{
					resource: 'user',
					operation: 'updateProfile',
					userId: 'u1',
					propertiesInput: 'json',
					propertiesJson: '{plan: pro}',
				},
				'Properties is not valid JSON [item 0]',
			],
			[
				'a JSON array as properties',
				{
					resource: 'user',
					operation: 'updateProfile',
					userId: 'u1',
					propertiesInput: 'json',
					propertiesJson: '[1]',
				},
				'Properties must be a JSON object [item 0]',
			],
			[
				'an unparseable timestamp',
				{
					resource: 'user',
					operation: 'trackEvent',
					userId: 'u1',
					eventName: 'x',
					additionalFields: { timestamp: 'yesterday' },
				},
				'Timestamp is not a valid timestamp [item 0]',
			],
			[
				'an event name that resolves to nothing',
				{
					resource: 'user',
					operation: 'trackEvent',
					userId: 'u1',
					eventName: '={{ $json.missing }}',
				},
				'Event Name is empty [item 0]',
			],
			[
				'a ".." user id',
				{ resource: 'user', operation: 'getProfile', userId: '..' },
				'User ID ".." is not a valid ID [item 0]',
			],
		])('%s', async (_label, parameters, message) => {
			const result = await t.run(parameters);
			expect(result.error?.message).toBe(message);
			expect(result.error?.name).toBe('NodeOperationError');
			expect(t.fake.apiRequests()).toHaveLength(0);
		});
	});
});
