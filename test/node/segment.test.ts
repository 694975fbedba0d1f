import { describe, expect, it } from 'vitest';

import { USER_IDS_PER_REQUEST } from '../../nodes/Appcues/actions/segment/membership';
import { useFakeAppcues } from '../support/helpers';

function seedSegment(t: ReturnType<typeof useFakeAppcues>, id: string, name: string) {
	t.fake.state().segments.set(id, {
		id,
		name,
		description: null,
		created_at: '2026-01-01T00:00:00Z',
		updated_at: '2026-01-01T00:00:00Z',
		user_ids: new Set<string>(),
	});
}

const byId = (value: string) => ({ __rl: true, mode: 'id', value });

describe('segment resource', () => {
	const t = useFakeAppcues();

	it('create sends name and description and returns the segment', async () => {
		const result = await t.run({
			resource: 'segment',
			operation: 'create',
			name: 'Power Users',
			description: 'Pro plan',
		});
		expect(t.fake.apiRequests()[0]).toMatchObject({
			method: 'POST',
			rawPath: '/v2/accounts/12345/segments',
			body: { name: 'Power Users', description: 'Pro plan' },
		});
		const segment = result.items[0].json;
		expect(segment.name).toBe('Power Users');
		expect(t.fake.state().segments.has(String(segment.id))).toBe(true);
	});

	it('create omits an empty description', async () => {
		await t.run({ resource: 'segment', operation: 'create', name: 'Trial' });
		expect(t.fake.apiRequests()[0].body).toEqual({ name: 'Trial' });
	});

	it('get reads a segment given by ID, URL or list value', async () => {
		seedSegment(t, 'seg-1', 'One');
		for (const segmentId of [
			byId('seg-1'),
			{ __rl: true, mode: 'url', value: 'https://studio.appcues.com/segments/seg-1/edit' },
			{ __rl: true, mode: 'list', value: 'seg-1' },
		]) {
			const result = await t.run({ resource: 'segment', operation: 'get', segmentId });
			expect(result.error).toBeUndefined();
			expect(result.items[0].json).toMatchObject({ id: 'seg-1', name: 'One' });
		}
		expect(t.fake.apiRequests().map((r) => r.rawPath)).toEqual(
			Array(3).fill('/v2/accounts/12345/segments/seg-1'),
		);
	});

	it('get of a missing segment is a 404 with Appcues detail', async () => {
		const result = await t.run({ resource: 'segment', operation: 'get', segmentId: byId('nope') });
		expect(result.error?.message).toBe('Appcues API error 404: Not Found: segment nope not found');
	});

	it('get with an empty locator is refused before sending', async () => {
		const result = await t.run({
			resource: 'segment',
			operation: 'get',
			segmentId: byId('={{ "" }}'),
		});
		expect(result.error?.message).toBe('Segment is empty [item 0]');
		expect(t.fake.apiRequests()).toHaveLength(0);
	});

	it('getAll returns one item per segment, with Limit or Return All', async () => {
		for (let n = 1; n <= 5; n++) seedSegment(t, `seg-${n}`, `Segment ${n}`);
		const limited = await t.run({
			resource: 'segment',
			operation: 'getAll',
			returnAll: false,
			limit: 2,
		});
		expect(limited.items).toHaveLength(2);
		const all = await t.run({ resource: 'segment', operation: 'getAll', returnAll: true });
		expect(all.items.map((item) => item.json.id)).toEqual([
			'seg-1',
			'seg-2',
			'seg-3',
			'seg-4',
			'seg-5',
		]);
		expect(all.items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('update PATCHes only the given fields', async () => {
		seedSegment(t, 'seg-1', 'One');
		const result = await t.run({
			resource: 'segment',
			operation: 'update',
			segmentId: byId('seg-1'),
			updateFields: { name: 'Uno' },
		});
		expect(t.fake.apiRequests()[0]).toMatchObject({ method: 'PATCH', body: { name: 'Uno' } });
		expect(result.items[0].json).toMatchObject({ id: 'seg-1', name: 'Uno' });
	});

	it('update with nothing to change is refused before sending', async () => {
		seedSegment(t, 'seg-1', 'One');
		const result = await t.run({
			resource: 'segment',
			operation: 'update',
			segmentId: byId('seg-1'),
			updateFields: {},
		});
		expect(result.error?.message).toBe('Nothing to update [item 0]');
		expect(t.fake.apiRequests()).toHaveLength(0);
	});

	it('delete returns {"deleted": true}', async () => {
		seedSegment(t, 'seg-1', 'One');
		const result = await t.run({
			resource: 'segment',
			operation: 'delete',
			segmentId: byId('seg-1'),
		});
		expect(result.items.map((item) => item.json)).toEqual([{ deleted: true }]);
		expect(t.fake.apiRequests()[0]).toMatchObject({
			method: 'DELETE',
			rawPath: '/v2/accounts/12345/segments/seg-1',
		});
		expect(t.fake.state().segments.size).toBe(0);
	});

	it('addUsers gathers the ids of all items into one request per segment', async () => {
		seedSegment(t, 'seg-a', 'A');
		seedSegment(t, 'seg-b', 'B');
		const result = await t.run(
			{
				resource: 'segment',
				operation: 'addUsers',
				segmentId: byId('={{ $json.segment }}'),
				userIds: '={{ $json.user }}',
			},
			{
				items: [
					{ segment: 'seg-a', user: 'u1' },
					{ segment: 'seg-b', user: 'u2' },
					{ segment: 'seg-a', user: 'u3' },
					{ segment: 'seg-a', user: 'u1' },
				],
			},
		);
		expect(result.error).toBeUndefined();
		expect(t.fake.apiRequests().map((r) => [r.rawPath, r.body])).toEqual([
			['/v2/accounts/12345/segments/seg-a/add_user_ids', { user_ids: ['u1', 'u3'] }],
			['/v2/accounts/12345/segments/seg-b/add_user_ids', { user_ids: ['u2'] }],
		]);
		expect(
			result.items.map((item) => [item.json.segment_id, item.json.added, item.pairedItem]),
		).toEqual([
			['seg-a', 2, [{ item: 0 }, { item: 2 }, { item: 3 }]],
			['seg-b', 1, { item: 1 }],
		]);
		expect(result.items[0].json.job_ids).toHaveLength(1);
	});

	it('addUsers splits a very long list into requests of at most USER_IDS_PER_REQUEST ids', async () => {
		seedSegment(t, 'seg-a', 'A');
		const total = USER_IDS_PER_REQUEST * 2 + 5;
		const ids = Array.from({ length: total }, (_, n) => `user-${n}`);
		const result = await t.run({
			resource: 'segment',
			operation: 'addUsers',
			segmentId: byId('seg-a'),
			userIds: ids.join(','),
		});
		expect(result.error).toBeUndefined();
		const sizes = t.fake
			.apiRequests()
			.map((r) => (r.body as { user_ids: string[] }).user_ids.length);
		expect(sizes).toEqual([USER_IDS_PER_REQUEST, USER_IDS_PER_REQUEST, 5]);
		expect(t.fake.state().segments.get('seg-a')?.user_ids.size).toBe(total);
		expect(result.items[0].json).toMatchObject({ added: total, requests: 3 });
	});

	it('removeUsers without combining sends one request per item', async () => {
		seedSegment(t, 'seg-a', 'A');
		t.fake.state().segments.get('seg-a')!.user_ids = new Set(['u1', 'u2', 'u3']);
		const result = await t.run(
			{
				resource: 'segment',
				operation: 'removeUsers',
				segmentId: byId('seg-a'),
				userIds: '={{ $json.user }}',
				combineItems: false,
			},
			{ items: [{ user: 'u1' }, { user: 'u3' }] },
		);
		expect(t.fake.apiRequests().map((r) => [r.rawPath, r.body])).toEqual([
			['/v2/accounts/12345/segments/seg-a/remove_user_ids', { user_ids: ['u1'] }],
			['/v2/accounts/12345/segments/seg-a/remove_user_ids', { user_ids: ['u3'] }],
		]);
		expect([...t.fake.state().segments.get('seg-a')!.user_ids]).toEqual(['u2']);
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('addUsers with continueOnFail reports a bad item and still sends the good ones', async () => {
		seedSegment(t, 'seg-a', 'A');
		const result = await t.run(
			{
				resource: 'segment',
				operation: 'addUsers',
				segmentId: byId('={{ $json.segment }}'),
				userIds: '={{ $json.user }}',
			},
			{
				items: [
					{ segment: 'seg-a', user: 'u1' },
					{ segment: 'seg-a', user: '' },
					{ segment: 'missing', user: 'u2' },
				],
			},
			// continueOnFail: error items carry the pairedItem of what failed
		);
		expect(result.error?.message).toBe('User IDs is empty [item 1]');
		expect(t.fake.apiRequests()).toHaveLength(0);

		const tolerant = await t.run(
			{
				resource: 'segment',
				operation: 'addUsers',
				segmentId: byId('={{ $json.segment }}'),
				userIds: '={{ $json.user }}',
			},
			{
				items: [
					{ segment: 'seg-a', user: 'u1' },
					{ segment: 'seg-a', user: '' },
					{ segment: 'missing', user: 'u2' },
				],
				continueOnFail: true,
			},
		);
		expect(tolerant.error).toBeUndefined();
		expect(
			tolerant.items.map((item) => [item.json.error ?? item.json.segment_id, item.pairedItem]),
		).toEqual([
			['User IDs is empty [item 1]', { item: 1 }],
			['seg-a', { item: 0 }],
			['Appcues API error 404: Not Found: segment missing not found', { item: 2 }],
		]);
	});
});
