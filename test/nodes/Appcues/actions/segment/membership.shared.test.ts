import type { INodeParameters } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { USER_IDS_PER_REQUEST } from '../../../../../nodes/Appcues/actions/segment/membership.shared';
import {
	useFakeAppcues,
	useVirtualPollWaits,
	fileItem,
	fileItemIn,
	watchBuffersAtPolls,
} from '../../../../support/helpers';
import { byId, seedSegment } from '../../../../support/fixtures';

describe('segment resource', () => {
	const t = useFakeAppcues();
	/** Each item names its segment and its user. */
	const perItem = (operation: 'addUsers' | 'removeUsers', extra: INodeParameters = {}) => ({
		resource: 'segment',
		operation,
		segmentId: byId('={{ $json.segment }}'),
		userIds: '={{ $json.user }}',
		...extra,
	});

	it('addUsers gathers the ids of all items into one request per segment', async () => {
		seedSegment(t, 'seg-a', 'A');
		seedSegment(t, 'seg-b', 'B');
		const result = await t.run(perItem('addUsers'), {
			items: [
				{ segment: 'seg-a', user: 'u1' },
				{ segment: 'seg-b', user: 'u2' },
				{ segment: 'seg-a', user: 'u3' },
				{ segment: 'seg-a', user: 'u1' },
			],
		});
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
			perItem('addUsers'),
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

		const tolerant = await t.run(perItem('addUsers'), {
			items: [
				{ segment: 'seg-a', user: 'u1' },
				{ segment: 'seg-a', user: '' },
				{ segment: 'missing', user: 'u2' },
			],
			continueOnFail: true,
		});
		expect(tolerant.error).toBeUndefined();
		expect(
			tolerant.items.map((item) => [item.json.error ?? item.json.segment_id, item.pairedItem]),
		).toEqual([
			['seg-a', { item: 0 }],
			['User IDs is empty [item 1]', { item: 1 }],
			['Appcues API error 404: Not Found: segment missing not found', { item: 2 }],
		]);
	});
	it('with Combine Input Items off and Continue On Fail, the output follows the input, errors in place', async () => {
		seedSegment(t, 'seg-a', 'A');
		const result = await t.run(perItem('removeUsers', { combineItems: false }), {
			items: [
				{ segment: 'seg-a', user: 'u1' },
				{ segment: 'missing', user: 'u2' },
				{ segment: 'seg-a', user: '' },
				{ segment: 'seg-a', user: 'u3' },
			],
			continueOnFail: true,
		});
		expect(result.error).toBeUndefined();
		expect(
			result.items.map((item) => [item.json.error ?? item.json.segment_id, item.pairedItem]),
		).toEqual([
			['seg-a', { item: 0 }],
			['Appcues API error 404: Not Found: segment missing not found', { item: 1 }],
			['User IDs is empty [item 2]', { item: 2 }],
			['seg-a', { item: 3 }],
		]);
	});

	describe('more than 10,000 IDs: when a later request fails, the error says which were applied', () => {
		const ids = Array.from({ length: 25_000 }, (_, n) => `user-${n}`);
		const run = (
			continueOnFail: boolean,
			items: Array<{ ids: string[] }> = [{ ids }],
			extra: INodeParameters = {},
		) =>
			t.run(
				{
					resource: 'segment',
					operation: 'addUsers',
					segmentId: byId('seg-a'),
					userIds: '={{ $json.ids }}',
					...extra,
				},
				{ items, continueOnFail },
			);

		it('without Continue On Fail the node stops, naming the requests and IDs already accepted', async () => {
			seedSegment(t, 'seg-a', 'A');
			t.fake.addFault({ kind: 'status', status: 400, pathIncludes: 'add_user_ids', skip: 1 });
			const result = await run(false);
			expect(t.fake.apiRequests().map((request) => request.status)).toEqual([202, 400]);
			expect(result.error?.description).toContain(
				'1 of 3 requests to add to segment seg-a had already been accepted by Appcues before this one failed (the first 10,000 of 25,000 user IDs, in input order).',
			);
			expect(t.fake.state().segments.get('seg-a')!.user_ids.size).toBe(10_000);
		});

		it('with Continue On Fail the error item counts them and gives the accepted job IDs', async () => {
			seedSegment(t, 'seg-a', 'A');
			t.fake.addFault({ kind: 'status', status: 400, pathIncludes: 'add_user_ids', skip: 2 });
			const result = await run(true);
			expect(result.items).toHaveLength(1);
			expect(result.items[0].json).toMatchObject({
				segment_id: 'seg-a',
				added: 20_000,
				requests: 3,
				accepted_requests: 2,
				job_ids: [expect.any(String), expect.any(String)],
			});
			expect(result.items[0].json.description).toContain(
				'2 of 3 requests to add to segment seg-a had already been accepted by Appcues before this one failed (the first 20,000 of 25,000 user IDs, in input order).',
			);
		});

		it('with Continue On Fail, items whose IDs all went in accepted requests get a success item', async () => {
			seedSegment(t, 'seg-a', 'A');
			t.fake.addFault({ kind: 'status', status: 400, pathIncludes: 'add_user_ids', skip: 2 });
			// 10,000 IDs each; item 3 repeats an ID of item 0, so its IDs were all sent too.
			const items = [0, 1, 2].map((k) => ({
				ids: Array.from({ length: 10_000 }, (_, n) => `u${k}-${n}`),
			}));
			const result = await run(true, [...items, { ids: ['u0-5'] }]);
			expect(t.fake.state().segments.get('seg-a')!.user_ids.size).toBe(20_000);
			expect(
				result.items.map((item) => [
					item.json.error === undefined,
					item.json.added,
					item.pairedItem,
				]),
			).toEqual([
				[true, 20_000, [{ item: 0 }, { item: 1 }, { item: 3 }]],
				[false, 20_000, { item: 2 }],
			]);

			// With Wait for Completion the accepted jobs were not waited for: nothing is done yet.
			t.fake.reset();
			seedSegment(t, 'seg-a', 'A');
			t.fake.addFault({ kind: 'status', status: 400, pathIncludes: 'add_user_ids', skip: 2 });
			const waited = await run(true, [...items, { ids: ['u0-5'] }], { waitForCompletion: true });
			expect(waited.items.map((item) => [item.json.error === undefined, item.pairedItem])).toEqual([
				[false, [{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]],
			]);
		});
	});

	it('without Continue On Fail, a failure names the segments whose change was accepted before it', async () => {
		seedSegment(t, 'seg-a', 'A');
		seedSegment(t, 'seg-b', 'B');
		t.fake.addFault({ kind: 'status', status: 500, pathIncludes: 'seg-b' });
		const result = await t.run(perItem('addUsers'), {
			items: [
				{ segment: 'seg-a', user: 'u1' },
				{ segment: 'seg-b', user: 'u2' },
				{ segment: 'seg-a', user: 'u3' },
			],
		});
		expect([...t.fake.state().segments.get('seg-a')!.user_ids]).toEqual(['u1', 'u3']);
		expect(result.error?.context?.itemIndex).toBe(1);
		expect(result.error?.description).toMatch(
			/ Before it, Appcues had accepted the whole change for segment seg-a \(items 0 and 2\)\.$/,
		);
	});
});

describe('segment membership from a file, and export', () => {
	const t = useFakeAppcues({ jobPollsToFinish: 0 });
	useVirtualPollWaits();

	const seed = () => seedSegment(t, 'seg-1', 'One', ['keep']);

	it('addUsers uploads a CSV of user ids as multipart', async () => {
		seed();
		const result = await t.run(
			{
				resource: 'segment',
				operation: 'addUsers',
				segmentId: byId('seg-1'),
				source: 'binary',
				binaryPropertyName: 'data',
				waitForCompletion: true,
			},
			{ items: [fileItem('user_id\nu1\nu2\n', 'ids.csv', 'text/csv')] },
		);
		expect(result.error).toBeUndefined();
		const [upload] = t.fake.apiRequests({ method: 'POST' });
		expect(upload.rawPath).toBe('/v2/accounts/12345/segments/seg-1/add_user_ids');
		expect(upload.parts?.[0]).toMatchObject({ name: 'file', filename: 'ids.csv' });
		expect([...t.fake.state().segments.get('seg-1')!.user_ids].sort()).toEqual([
			'keep',
			'u1',
			'u2',
		]);
		expect(result.items[0].json).toMatchObject({ segment_id: 'seg-1', status: 'complete' });
	});

	it('Wait for Completion lets the file go while it polls', async () => {
		seed();
		t.fake.configure({ jobPollsToFinish: 2 });
		const buffers = watchBuffersAtPolls();
		const ids = Array.from({ length: 2000 }, (_, n) => `member-${String(n).padStart(5, '0')}`);
		const csv = `user_id\n${ids.join('\n')}\n`;
		// The file as n8n hands it over: decoded from the item's base64.
		const result = await buffers.during(
			'from',
			(buffer, args) => args[1] === 'base64' && buffer.length === Buffer.byteLength(csv),
			() =>
				t.run(
					{
						resource: 'segment',
						operation: 'addUsers',
						segmentId: byId('seg-1'),
						source: 'binary',
						binaryPropertyName: 'data',
						waitForCompletion: true,
					},
					{ items: [fileItem(csv, 'ids.csv', 'text/csv')] },
				),
		);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ file_name: 'ids.csv', status: 'complete' });
		expect(t.fake.state().segments.get('seg-1')!.user_ids.size).toBe(2001);
		expect(buffers.watched()).toBe(1);
		expect(buffers.aliveAtPolls.length).toBeGreaterThanOrEqual(2);
		expect(buffers.aliveAtPolls).toEqual(buffers.aliveAtPolls.map(() => 0));
	});

	it('refuses a CSV without a user_id header', async () => {
		seed();
		const result = await t.run(
			{ resource: 'segment', operation: 'removeUsers', segmentId: byId('seg-1'), source: 'binary' },
			{ items: [fileItem('id\nu1\n', 'ids.csv', 'text/csv')] },
		);
		expect(result.error?.message).toBe('The CSV file has no "user_id" column [item 0]');
		expect(t.fake.apiRequests()).toHaveLength(0);
	});

	it('refuses a CSV with other columns than user_id, as Appcues takes only that one', async () => {
		seed();
		const result = await t.run(
			{ resource: 'segment', operation: 'addUsers', segmentId: byId('seg-1'), source: 'binary' },
			{ items: [fileItem('user_id,email\nu1,a@x.io\n', 'ids.csv', 'text/csv')] },
		);
		expect(result.error?.message).toBe('The CSV file must have only the "user_id" column [item 0]');
		expect(result.error?.description).toBe(
			'Its header row is: user_id,email. Remove the other columns.',
		);
		expect(t.fake.apiRequests()).toHaveLength(0);
	});

	it.each(['addUsers', 'removeUsers'])(
		'%s splits text on commas and new lines only: "tenant-7;ada" is one user',
		async (operation) => {
			seedSegment(t, 'seg-a', 'A', ['tenant-7', 'ada', 'tenant-7;ada']);
			const result = await t.run({
				resource: 'segment',
				operation,
				segmentId: byId('seg-a'),
				userIds: 'tenant-7;ada\nbob',
			});
			expect(result.error).toBeUndefined();
			expect(t.fake.apiRequests()[0].body).toEqual({ user_ids: ['tenant-7;ada', 'bob'] });
		},
	);

	it('each item has its own Input Binary Field (read per item)', async () => {
		seed();
		const result = await t.run(
			{
				resource: 'segment',
				operation: 'addUsers',
				segmentId: byId('seg-1'),
				source: 'binary',
				binaryPropertyName: '={{ $json.property }}',
			},
			{
				items: [
					fileItemIn('first', 'user_id\nu1\n', 'a.csv', 'text/csv'),
					fileItemIn('second', 'user_id\nu2\n', 'b.csv', 'text/csv'),
				],
			},
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.file_name)).toEqual(['a.csv', 'b.csv']);
		expect([...t.fake.state().segments.get('seg-1')!.user_ids].sort()).toEqual([
			'keep',
			'u1',
			'u2',
		]);
	});
});
