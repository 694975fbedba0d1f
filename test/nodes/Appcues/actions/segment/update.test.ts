import { describe, expect, it } from 'vitest';

import { useFakeAppcues } from '../../../../support/helpers';
import { byId, seedSegment } from '../../../../support/fixtures';

describe('segment resource', () => {
	const t = useFakeAppcues();

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
});
