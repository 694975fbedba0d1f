import { describe, expect, it } from 'vitest';

import { DEFAULT_ACCOUNT } from '../../../../fake-appcues/server';
import { basicAuth, credentialsFor, useFakeAppcues } from '../../../../support/helpers';

describe('GDPR erasure', () => {
	const t = useFakeAppcues();

	it('gathers the ids of all items into one legacy call', async () => {
		for (const id of ['u1', 'u2', 'u3'])
			t.fake.state().users.set(id, { properties: {}, events: [] });
		const result = await t.run(
			{ resource: 'user', operation: 'gdprDelete', userIds: '={{ $json.id }}' },
			{ items: [{ id: 'u1' }, { id: 'u2' }, { id: 'u1' }] },
		);
		expect(result.error).toBeUndefined();
		const [request] = t.fake.apiRequests();
		expect(request).toMatchObject({
			method: 'POST',
			rawPath: '/v1/gdpr/delete',
			body: { users: ['u1', 'u2'] },
		});
		expect(request.headers.authorization).toBe(basicAuth(DEFAULT_ACCOUNT.legacyApiKey!, ''));
		expect(result.items).toEqual([
			{
				json: { ok: true, message: 'accepted 2 users for deletion', users: 2 },
				pairedItem: [{ item: 0 }, { item: 1 }, { item: 2 }],
			},
		]);
		expect(t.fake.state().users.has('u1')).toBe(false);
		expect(t.fake.state().users.has('u3')).toBe(true);
	});

	it('says clearly when the legacy key is missing, and sends nothing', async () => {
		const result = await t.run(
			{ resource: 'user', operation: 'gdprDelete', userIds: 'u1' },
			{ credentials: { ...credentialsFor(t.fake), legacyApiKey: '' } },
		);
		expect(result.error?.message).toBe('This operation needs the Legacy API Key');
		expect(t.fake.apiRequests()).toHaveLength(0);
	});
});
