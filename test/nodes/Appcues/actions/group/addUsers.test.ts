import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../../support/helpers';

describe('group resource', () => {
	const t = useFakeAppcues();

	it('addUsers POSTs {"user_ids": [...]} from a list or from text', async () => {
		const result = await t.run(
			{ resource: 'group', operation: 'addUsers', groupId: 'acme', userIds: '={{ $json.ids }}' },
			{ items: [{ ids: ['u1', 'u2'] }, { ids: 'u3, u4\nu5' }] },
		);
		expect(result.error).toBeUndefined();
		const requests = t.fake.apiRequests();
		expect(requests.map((r) => [r.method, r.rawPath, r.body])).toEqual([
			['POST', '/v2/accounts/12345/groups/acme/users', { user_ids: ['u1', 'u2'] }],
			['POST', '/v2/accounts/12345/groups/acme/users', { user_ids: ['u3', 'u4', 'u5'] }],
		]);
		expect([...(t.fake.state().groups.get('acme')?.users ?? [])]).toEqual([
			'u1',
			'u2',
			'u3',
			'u4',
			'u5',
		]);
		expect(result.items.map((item) => item.json.added)).toEqual([2, 3]);
	});

	it('addUsers sends each ID once, and counts users, not entries', async () => {
		const result = await t.run(
			{ resource: 'group', operation: 'addUsers', groupId: 'acme', userIds: 'u1, u1\nu2, u1' },
			{},
		);
		expect(t.fake.apiRequests().map((request) => request.body)).toEqual([
			{ user_ids: ['u1', 'u2'] },
		]);
		expect(result.items[0].json).toEqual({ group_id: 'acme', added: 2, user_ids: ['u1', 'u2'] });
	});

	it('addUsers refuses an empty list before sending', async () => {
		const result = await t.run({
			resource: 'group',
			operation: 'addUsers',
			groupId: 'acme',
			userIds: ' , ',
		});
		expect(result.error?.message).toBe('User IDs is empty [item 0]');
		expect(t.fake.apiRequests()).toHaveLength(0);
	});

	it('addUsers splits text on commas and new lines only: "tenant-7;ada" is one user', async () => {
		const result = await t.run({
			resource: 'group',
			operation: 'addUsers',
			groupId: 'acme',
			userIds: 'tenant-7;ada, bob\r\ncy\rd',
		});
		expect(result.error).toBeUndefined();
		expect(t.fake.apiRequests()[0].body).toEqual({ user_ids: ['tenant-7;ada', 'bob', 'cy\rd'] });
	});
});
