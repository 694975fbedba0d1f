import { describe, expect, it } from 'vitest';

import { DEFAULT_ACCOUNT } from '../../../../fake-appcues/server';
import { basicAuth, useFakeAppcues } from '../../../../support/helpers';

const auth = basicAuth(DEFAULT_ACCOUNT.apiKey, DEFAULT_ACCOUNT.apiSecret);

describe('user resource', () => {
	const t = useFakeAppcues();

	it('updateProfile sends a PATCH with key/value properties, keeping expression types', async () => {
		const result = await t.run(
			{
				resource: 'user',
				operation: 'updateProfile',
				userId: '={{ $json.id }}',
				propertiesInput: 'fields',
				properties: {
					property: [
						{ name: 'plan', value: 'pro' },
						{ name: 'seats', value: '={{ $json.seats }}' },
						{ name: 'active', value: '={{ true }}' },
					],
				},
			},
			{
				items: [
					{ id: 'u1', seats: 5 },
					{ id: 'u2', seats: 7 },
				],
			},
		);
		expect(result.error).toBeUndefined();
		const requests = t.fake.apiRequests();
		expect(requests.map((r) => [r.method, r.rawPath])).toEqual([
			['PATCH', '/v2/accounts/12345/users/u1/profile'],
			['PATCH', '/v2/accounts/12345/users/u2/profile'],
		]);
		expect(requests[0].headers.authorization).toBe(auth);
		expect(requests[0].body).toEqual({ plan: 'pro', seats: 5, active: true });
		expect(t.fake.state().users.get('u2')?.properties).toEqual({
			plan: 'pro',
			seats: 7,
			active: true,
		});
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('updateProfile takes a JSON object and keeps its types', async () => {
		const result = await t.run({
			resource: 'user',
			operation: 'updateProfile',
			userId: 'u1',
			propertiesInput: 'json',
			propertiesJson: '{"plan":"pro","seats":5,"beta":false,"tags":["a"]}',
		});
		expect(result.error).toBeUndefined();
		expect(t.fake.apiRequests()[0].body).toEqual({
			plan: 'pro',
			seats: 5,
			beta: false,
			tags: ['a'],
		});
	});
	it('updateProfile without any property is refused before anything is sent, in either input', async () => {
		const json = await t.run(
			{
				resource: 'user',
				operation: 'updateProfile',
				userId: '={{ $json.id }}',
				propertiesInput: 'json',
				propertiesJson: '={{ $json.props }}',
			},
			{ items: [{ id: 'u1', props: { plan: 'pro' } }, { id: 'u2' }] },
		);
		expect(json.error?.message).toBe('Properties is empty [item 1]');
		const pairs = await t.run({
			resource: 'user',
			operation: 'updateProfile',
			userId: 'u1',
			propertiesInput: 'fields',
			properties: {},
		});
		expect(pairs.error?.message).toBe('Properties is empty [item 0]');
		expect(t.fake.apiRequests()).toHaveLength(0);
	});
});
