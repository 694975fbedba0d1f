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
});
