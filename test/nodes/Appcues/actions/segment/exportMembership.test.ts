import { describe, expect, it } from 'vitest';

import { useFakeAppcues, useVirtualPollWaits } from '../../../../support/helpers';
import { byId, seedSegment } from '../../../../support/fixtures';

describe('segment membership from a file, and export', () => {
	const t = useFakeAppcues({ jobPollsToFinish: 0 });
	useVirtualPollWaits();

	const seed = () => seedSegment(t, 'seg-1', 'One', ['keep']);

	it('exportMembership sends its fields and can wait', async () => {
		seed();
		const result = await t.run({
			resource: 'segment',
			operation: 'exportMembership',
			segmentId: byId('seg-1'),
			exportFields: { propertyNames: 'email, plan', format: 'csv', email: 'ops@example.com' },
			waitForCompletion: true,
		});
		expect(result.error).toBeUndefined();
		expect(t.fake.apiRequests()[0]).toMatchObject({
			rawPath: '/v2/accounts/12345/segments/seg-1/segment_membership_export',
			body: { property_names: ['email', 'plan'], format: 'csv', email: 'ops@example.com' },
		});
		expect(result.items[0].json).toMatchObject({ segment_id: 'seg-1', status: 'complete' });
	});
});
