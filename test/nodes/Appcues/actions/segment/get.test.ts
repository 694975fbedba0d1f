import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../../support/helpers';
import { byId, seedSegment } from '../../../../support/fixtures';

describe('segment resource', () => {
	const t = useFakeAppcues();

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

	it('a URL from an expression must be a Studio URL, from its start: the error names the item', async () => {
		seedSegment(t, 'seg-1', 'One');
		const get = (...urls: string[]) =>
			t.run(
				{
					resource: 'segment',
					operation: 'get',
					segmentId: { __rl: true, mode: 'url', value: '={{ $json.url }}' },
				},
				{ items: urls.map((url) => ({ url })) },
			);
		const good = await get(' https://studio.eu.appcues.com/segments/seg-1?tab=users#top');
		expect(good.items[0].json).toMatchObject({ id: 'seg-1' });
		t.fake.reset();
		seedSegment(t, 'seg-1', 'One');
		for (const [urls, item] of [
			[['https://evil.example/login?next=https://studio.appcues.com/segments/seg-1'], 0],
			[['https://studio.appcues.com/segments/seg-1', 'https://example.com/segments/seg-1'], 1],
		] as const) {
			const refused = await get(...urls);
			expect(refused.error?.message).toBe(`Segment is not an Appcues Studio URL [item ${item}]`);
			expect(refused.error?.description).toContain('or choose By ID');
		}
		expect(t.fake.apiRequests()).toHaveLength(0);
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
});
