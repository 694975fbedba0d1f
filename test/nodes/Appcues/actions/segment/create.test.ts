import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../../support/helpers';

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
});
