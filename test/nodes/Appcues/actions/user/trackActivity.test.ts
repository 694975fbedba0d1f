import { describe, expect, it } from 'vitest';

import { DEFAULT_ACCOUNT } from '../../../../fake-appcues/server';
import { basicAuth, credentialsFor, useFakeAppcues } from '../../../../support/helpers';

describe('user resource', () => {
	const t = useFakeAppcues();

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

	it('trackActivity without a Legacy API Key sends no credentials at all (never the v2 key and secret)', async () => {
		const result = await t.run(
			{
				resource: 'user',
				operation: 'trackActivity',
				userId: 'u2',
				events: { event: [{ name: 'clicked widget', timestamp: '', attributes: '{}' }] },
			},
			{ credentials: { ...credentialsFor(t.fake), legacyApiKey: '' } },
		);
		expect(result.error).toBeUndefined();
		const [request] = t.fake.apiRequests();
		expect(request.rawPath).toBe('/v1/accounts/12345/users/u2/activity');
		expect(request.status).toBe(200);
		expect(request.headers.authorization).toBeUndefined();
		expect(JSON.stringify(request.headers)).not.toContain(
			Buffer.from(`${DEFAULT_ACCOUNT.apiKey}:${DEFAULT_ACCOUNT.apiSecret}`).toString('base64'),
		);
		expect(t.fake.state().users.get('u2')?.events).toHaveLength(1);
	});

	it('an event timestamp without a zone or on a day that does not exist is refused before any request', async () => {
		for (const [timestamp, problem] of [
			['2026-03-29T02:30:00', 'has no time zone (add Z for UTC or an offset such as +02:00)'],
			['2026-02-29T10:00:00Z', 'is not a real date and time'],
		]) {
			const result = await t.run({
				resource: 'user',
				operation: 'trackActivity',
				userId: 'u1',
				events: {
					event: [
						{ name: 'a', timestamp: '2026-01-01T00:00:00Z' },
						{ name: 'b', timestamp },
					],
				},
			});
			expect(result.error?.message).toBe(`Events: timestamp of event 2 ${problem} [item 0]`);
		}
		expect(t.fake.apiRequests()).toHaveLength(0);
	});
});
