import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../../support/helpers';
import { seedSegment } from '../../../../support/fixtures';

describe('segment resource', () => {
	const t = useFakeAppcues();

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
});
