import { describe, expect, it } from 'vitest';

import { DEFAULT_ACCOUNT } from '../../../../fake-appcues/server';
import { basicAuth, credentialsFor, useFakeAppcues } from '../../../../support/helpers';
import { GDPR_IDS_PER_REQUEST } from '../../../../../nodes/Appcues/actions/user/gdprDelete.operation';

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
				json: {
					ok: true,
					message: 'accepted 2 users for deletion',
					users: 2,
					user_ids: ['u1', 'u2'],
				},
				pairedItem: [{ item: 0 }, { item: 1 }, { item: 2 }],
			},
		]);
		expect(t.fake.state().users.has('u1')).toBe(false);
		expect(t.fake.state().users.has('u3')).toBe(true);
	});

	it('a later request that fails says how many users the earlier ones erased', async () => {
		const ids = Array.from({ length: GDPR_IDS_PER_REQUEST + 1 }, (_, n) => `u${n}`);
		t.fake.addFault({ kind: 'status', status: 400, pathIncludes: 'gdpr', skip: 1 });
		const stopped = await t.run(
			{ resource: 'user', operation: 'gdprDelete', userIds: '={{ $json.ids }}' },
			{ items: [{ ids }] },
		);
		expect(t.fake.apiRequests().map((request) => request.status)).toEqual([200, 400]);
		expect(stopped.error?.description).toBe(
			'Request: POST /v1/gdpr/delete 1 of 2 erasure requests had already been accepted by ' +
				'Appcues before this one failed (the first 10,000 user IDs, in input order).',
		);
	});

	it('says clearly when the legacy key is missing, and sends nothing', async () => {
		const result = await t.run(
			{ resource: 'user', operation: 'gdprDelete', userIds: 'u1' },
			{ credentials: { ...credentialsFor(t.fake), legacyApiKey: '' } },
		);
		expect(result.error?.message).toBe('This operation needs the Legacy API Key');
		expect(t.fake.apiRequests()).toHaveLength(0);
	});

	describe('the IDs erased are exactly the IDs given, and the output lists them', () => {
		const seed = (...ids: string[]) => {
			for (const id of ids) t.fake.state().users.set(id, { properties: {}, events: [] });
		};
		const erased = () =>
			t.fake.apiRequests().flatMap((request) => (request.body as { users: string[] }).users);

		it('"tenant-7;ada" is one user: the users "tenant-7" and "ada" are left alone', async () => {
			seed('tenant-7;ada', 'tenant-7', 'ada');
			const result = await t.run({
				resource: 'user',
				operation: 'gdprDelete',
				userIds: 'tenant-7;ada',
			});
			expect(result.error).toBeUndefined();
			expect(erased()).toEqual(['tenant-7;ada']);
			expect(result.items[0].json.user_ids).toEqual(['tenant-7;ada']);
			expect(t.fake.state().users.has('tenant-7')).toBe(true);
			expect(t.fake.state().users.has('ada')).toBe(true);
			expect(t.fake.state().users.has('tenant-7;ada')).toBe(false);
		});

		it('by default text with a comma or a line break is refused, naming the item, and nobody is erased', async () => {
			seed('u1', 'u2', 'u3');
			const result = await t.run(
				{ resource: 'user', operation: 'gdprDelete', userIds: '={{ $json.ids }}' },
				{ items: [{ ids: 'u1' }, { ids: 'u2,u3' }] },
			);
			expect(result.error?.message).toBe(
				'User IDs "u2,u3" holds a comma, so it may be several IDs [item 1]',
			);
			expect(t.fake.apiRequests()).toHaveLength(0);
		});

		it('Split User IDs On: Commas and New Lines splits on those only; a list is never split', async () => {
			const result = await t.run(
				{
					resource: 'user',
					operation: 'gdprDelete',
					userIds: '={{ $json.ids }}',
					idSeparator: 'commaOrNewLine',
				},
				{ items: [{ ids: 'a, b\r\nc;d\re' }, { ids: ['f,g', 'h'] }] },
			);
			expect(result.error).toBeUndefined();
			expect(erased()).toEqual(['a', 'b', 'c;d\re', 'f,g', 'h']);
			expect(result.items[0].json.user_ids).toEqual(['a', 'b', 'c;d\re', 'f,g', 'h']);
		});

		it('Split User IDs On: New Lines keeps commas in an ID', async () => {
			const result = await t.run({
				resource: 'user',
				operation: 'gdprDelete',
				userIds: 'Doe, Jane\nRoe, Richard',
				idSeparator: 'newLine',
			});
			expect(result.error).toBeUndefined();
			expect(erased()).toEqual(['Doe, Jane', 'Roe, Richard']);
		});

		it('Dry Run lists the IDs of each request that would be sent, and sends nothing', async () => {
			const result = await t.run(
				{ resource: 'user', operation: 'gdprDelete', userIds: '={{ $json.id }}', dryRun: true },
				{ items: [{ id: 'u1' }, { id: 'u2' }] },
			);
			expect(result.error).toBeUndefined();
			expect(t.fake.apiRequests()).toHaveLength(0);
			expect(result.items).toEqual([
				{
					json: { dry_run: true, users: 2, user_ids: ['u1', 'u2'] },
					pairedItem: [{ item: 0 }, { item: 1 }],
				},
			]);
		});
	});

	it('with Continue On Fail the output follows the input: a refused item stands in its place', async () => {
		const result = await t.run(
			{ resource: 'user', operation: 'gdprDelete', userIds: '={{ $json.id }}' },
			{ items: [{ id: 'u1' }, { id: 'u2,u3' }, { id: 'u4' }], continueOnFail: true },
		);
		expect(result.error).toBeUndefined();
		expect(
			result.items.map((item) => [item.json.error ?? item.json.user_ids, item.pairedItem]),
		).toEqual([
			[
				['u1', 'u4'],
				[{ item: 0 }, { item: 2 }],
			],
			['User IDs "u2,u3" holds a comma, so it may be several IDs [item 1]', { item: 1 }],
		]);
	});
});
