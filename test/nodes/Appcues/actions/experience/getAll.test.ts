import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../../support/helpers';

describe('experience resource', () => {
	const t = useFakeAppcues();

	it('getAll with Simplify keeps the fields an agent needs and drops the steps', async () => {
		const flows = t.fake.state().experiences.get('flows')!;
		flows.set('f1', {
			id: 'f1',
			name: 'Welcome',
			type: 'flows',
			published: true,
			state: 'PUBLISHED',
			updated_at: '2026-11-01T09:00:00Z',
			steps: [{ id: 's1', content: 'x'.repeat(500) }],
			created_by: 'u1',
		});
		flows.set('f2', { id: 'f2', name: 'Draft' });
		const all = await t.run({
			resource: 'experience',
			operation: 'getAll',
			experienceType: 'flows',
			returnAll: true,
			simplify: true,
		});
		expect(all.items.map((item) => item.json)).toEqual([
			{
				id: 'f1',
				name: 'Welcome',
				type: 'flows',
				published: true,
				state: 'PUBLISHED',
				updated_at: '2026-11-01T09:00:00Z',
			},
			{ id: 'f2', name: 'Draft' },
		]);
		const full = await t.run({
			resource: 'experience',
			operation: 'getAll',
			experienceType: 'flows',
			returnAll: true,
		});
		expect(full.items[0].json.steps).toHaveLength(1);
	});
});
