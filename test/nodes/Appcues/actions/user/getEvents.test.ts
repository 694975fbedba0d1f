import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../../support/helpers';

describe('user resource', () => {
	const t = useFakeAppcues();

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

	it.each([
		['={{ 2.5 }}', 'must be a whole number of at least 1, not 2.5'],
		['={{ 0 }}', 'must be a whole number of at least 1, not 0'],
		['={{ "all" }}', 'must be a whole number of at least 1, not "all"'],
	])('a Limit of %s is refused before any request', async (limit, problem) => {
		const result = await t.run({ resource: 'user', operation: 'getEvents', userId: 'u1', limit });
		expect(result.error?.message).toBe(`Limit ${problem} [item 0]`);
		expect(t.fake.apiRequests()).toHaveLength(0);
	});

	it('Get Many: a Limit that is not a whole number is refused too', async () => {
		const result = await t.run({ resource: 'segment', operation: 'getAll', limit: '={{ 1.5 }}' });
		expect(result.error?.message).toBe(
			'Limit must be a whole number of at least 1, not 1.5 [item 0]',
		);
		expect(t.fake.apiRequests()).toHaveLength(0);
	});
});
