import { describe, expect, it } from 'vitest';

import { DEFAULT_ACCOUNT } from '../fake-appcues/server';
import { basicAuth, useFakeAppcues } from '../support/helpers';

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

	it('getEvents sends the limit and returns one item per event', async () => {
		t.fake.state().users.set('u1', {
			properties: {},
			events: [1, 2, 3].map((n) => ({ name: `e${n}`, timestamp: `2026-01-0${n}T00:00:00Z` })),
		});
		const result = await t.run({
			resource: 'user',
			operation: 'getEvents',
			userId: 'u1',
			limit: 2,
		});
		expect(t.fake.apiRequests()[0].query).toEqual({ limit: '2' });
		expect(result.items.map((item) => item.json.name)).toEqual(['e3', 'e2']);
		expect(result.items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(
			true,
		);
	});

	it('trackEvent converts Unix seconds, Unix ms and ISO timestamps, and sends attributes and group_id', async () => {
		const result = await t.run(
			{
				resource: 'user',
				operation: 'trackEvent',
				userId: 'u1',
				eventName: 'report_exported',
				additionalFields: {
					timestamp: '={{ $json.ts }}',
					attributes: '{"format":"csv","rows":10}',
					groupId: 'acme',
				},
			},
			{ items: [{ ts: 1767225600 }, { ts: 1767225600000 }, { ts: '2026-01-01T00:00:00Z' }] },
		);
		expect(result.error).toBeUndefined();
		const bodies = t.fake.apiRequests().map((r) => r.body);
		expect(bodies).toEqual(
			Array(3).fill({
				name: 'report_exported',
				timestamp: '2026-01-01T00:00:00.000Z',
				attributes: { format: 'csv', rows: 10 },
				group_id: 'acme',
			}),
		);
		expect(t.fake.state().groups.get('acme')?.users.has('u1')).toBe(true);
	});

	it('trackEvent defaults the timestamp to now', async () => {
		const before = Date.now();
		await t.run({ resource: 'user', operation: 'trackEvent', userId: 'u1', eventName: 'x' });
		const sent = Date.parse((t.fake.apiRequests()[0].body as { timestamp: string }).timestamp);
		expect(sent).toBeGreaterThanOrEqual(before - 1000);
		expect(sent).toBeLessThanOrEqual(Date.now() + 1000);
	});

	it('trackActivity sends events and profile_update in one v1 call with the legacy key', async () => {
		const result = await t.run({
			resource: 'user',
			operation: 'trackActivity',
			userId: 'u1',
			events: {
				event: [{ name: 'clicked widget', timestamp: '1452854179', attributes: '{"color":"red"}' }],
			},
			propertiesInput: 'json',
			propertiesJson: '{"plan":"pro"}',
			requestId: 'abc123',
		});
		expect(result.error).toBeUndefined();
		const [request] = t.fake.apiRequests();
		expect(request.method).toBe('POST');
		expect(request.rawPath).toBe('/v1/accounts/12345/users/u1/activity');
		expect(request.headers.authorization).toBe(basicAuth(DEFAULT_ACCOUNT.legacyApiKey!, ''));
		expect(request.body).toEqual({
			events: [
				{
					name: 'clicked widget',
					timestamp: '2016-01-15T10:36:19.000Z',
					attributes: { color: 'red' },
				},
			],
			profile_update: { plan: 'pro' },
			request_id: 'abc123',
		});
		expect(result.items[0].json).toEqual({ request_id: 'abc123' });
		expect(t.fake.state().users.get('u1')?.properties).toEqual({ plan: 'pro' });
	});

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
